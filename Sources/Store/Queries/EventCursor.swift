/// A position in the events feed: the (xid, seq) of the last event read. Clients see it as an opaque
/// `"<xid>-<seq>"` string; `EventCursor.start` is before every event.
public struct EventCursor: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var xid: UInt64
    public var seq: Int64

    public static let start = EventCursor(xid: 0, seq: 0)

    public init(xid: UInt64, seq: Int64) {
        self.xid = xid
        self.seq = seq
    }

    /// Parses `"<xid>-<seq>"`: 1 to 19 and 1 to 18 decimal digits (the OpenAPI document's pattern; every real
    /// xid8 and sequence value fits); nil for anything else.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...19).contains(parts[0].count), (1...18).contains(parts[1].count),
            parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
            let xid = UInt64(parts[0]), let seq = Int64(parts[1])
        else { return nil }
        self.init(xid: xid, seq: seq)
    }

    public var description: String { "\(xid)-\(seq)" }

    public static func < (a: EventCursor, b: EventCursor) -> Bool { (a.xid, a.seq) < (b.xid, b.seq) }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
