import HTTPTypes
import Store
import Hummingbird

extension Request {
    static let maxBodyBytes = 16 * 1024

    /// The body as JSON, after the size (413) and media type (415) checks, in the contract's order.
    func jsonBody() async throws -> JSONValue {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: Self.maxBodyBytes)
        } catch {
            throw APIProblem(.contentTooLarge, detail: "the body is larger than 16 KiB")
        }
        guard let type = headers[.contentType], Self.isJSON(type) else {
            throw APIProblem(.unsupportedMediaType, detail: "the body must be application/json")
        }
        do {
            return try StrictJSONParser.parse(Array(buffer.readableBytesView))
        } catch {
            throw APIProblem.invalid([FieldError(pointer: error.pointer ?? "", "not valid JSON: \(error.message) (byte \(error.offset))")])
        }
    }

    /// The body as JSON when there is one; an empty body (no content) is nil.
    func optionalJSONBody() async throws -> JSONValue? {
        if let length = headers[.contentLength], length == "0" { return nil }
        if headers[.contentType] == nil && headers[.contentLength] == nil && headers[.transferEncoding] == nil { return nil }
        return try await jsonBody()
    }

    /// `Idempotency-Key` in the caller's scope; 400 unless it is 1 to 255 visible ASCII characters (`!` to `~`).
    /// Counted in bytes, not graphemes: combining marks cannot stretch a key past the index's row limit, and
    /// bytes that are not UTF-8 (which would decode to U+FFFD and collide) cannot make one.
    func scopedIdempotencyKey(scope: String) throws(APIProblem) -> IdempotencyKey? {
        guard let key = idempotencyKey else { return nil }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw APIProblem.invalid([FieldError(parameter: "Idempotency-Key", "must be 1 to 255 visible ASCII characters (! to ~)")])
        }
        return IdempotencyKey(scope: scope, key: key)
    }

    /// `Prefer: wait=N`, clamped to 30 seconds; nil when absent.
    var preferredWait: Duration? {
        guard let prefer = headers[.prefer] else { return nil }
        for part in prefer.split(separator: ",") {
            let item = part.trimmingSpaces
            guard item.lowercased().hasPrefix("wait=") else { continue }
            guard let seconds = Double(item.dropFirst(5)), seconds.isFinite, seconds >= 0 else { return nil }
            return .milliseconds(Int(min(seconds, 30) * 1000))
        }
        return nil
    }

    var idempotencyKey: String? { headers[.idempotencyKey] }

    /// `application/json`, any case, optionally followed by parameters (`; charset=utf-8`).
    static func isJSON(_ contentType: String) -> Bool {
        let expected = "application/json".utf8
        var bytes = contentType.utf8.drop(while: { $0 == UInt8(ascii: " ") })[...]
        for byte in expected {
            guard let next = bytes.first, next | 0x20 == byte | 0x20 else { return false }
            bytes = bytes.dropFirst()
        }
        return bytes.drop(while: { $0 == UInt8(ascii: " ") }).first.map { $0 == UInt8(ascii: ";") } ?? true
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}

extension HTTPField.Name {
    static let prefer = HTTPField.Name("Prefer")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}
