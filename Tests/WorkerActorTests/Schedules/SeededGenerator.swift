import Support

/// The draws a schedule is made of.
extension SeededGenerator {
    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &self) < probability }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

    /// An index into a list not known yet (taken modulo its length when the step runs).
    mutating func pick() -> Int { Int.random(in: 0..<1_000_000, using: &self) }
}
