/// Comparison of secrets (signatures, bearer tokens) without an early exit on the first differing byte.
public enum ConstantTime {
    /// Same-length inputs take the same time whatever their content; the length is not secret.
    public static func equals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices {
            difference |= lhs[index] ^ rhs[index]
        }
        return difference == 0
    }
}
