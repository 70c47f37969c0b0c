/// HMAC-SHA256 (RFC 2104) over `SHA256`.
public enum HMACSHA256 {
    public static func authenticationCode<Key: Collection<UInt8>, Message: Collection<UInt8>>(
        key: Key, message: Message
    ) -> [UInt8] {
        var block = key.count > SHA256.blockByteCount ? SHA256.hash(key) : Array(key)
        block += [UInt8](repeating: 0, count: SHA256.blockByteCount - block.count)
        let inner = SHA256.hash(block.map { $0 ^ 0x36 } + Array(message))
        return SHA256.hash(block.map { $0 ^ 0x5c } + inner)
    }
}
