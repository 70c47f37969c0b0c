/// Whose `Prefer: wait` requests a commit's NOTIFY concerns, as its payload says: the payments named
/// (comma-joined ids; `-` names none, as after a dispatch, which moves no status), or every waiter (`*`: a
/// commit that does not say, a list too long for a payload, a listener that reconnected and may have missed
/// some; an empty payload too, which is what instances from before payloads send, so a rolling upgrade wakes
/// their waiters as it always did). The event streams are woken by every NOTIFY whatever it names.
public enum Addressees: Sendable, Equatable {
    case payments(Set<String>)
    case everyone

    public static let nobody = Addressees.payments([])

    private static let nobodyPayload = "-"

    /// PostgreSQL refuses a payload of 8,000 bytes or more.
    static let payloadLimit = 8000

    public init(payload: String) {
        switch payload {
        case Self.nobodyPayload: self = .nobody
        case "*", "": self = .everyone
        default: self = .payments(Set(payload.split(separator: ",").map(String.init)))
        }
    }

    public var payload: String {
        switch self {
        case .everyone: "*"
        case .payments(let ids): ids.isEmpty ? Self.nobodyPayload : ids.sorted().joined(separator: ",")
        }
    }

    /// Both: a list that would not fit a payload becomes everyone.
    public func union(_ other: Addressees) -> Addressees {
        guard case .payments(let mine) = self, case .payments(let theirs) = other else { return .everyone }
        let ids = mine.union(theirs)
        let length = ids.reduce(-1) { $0 + $1.utf8.count + 1 }
        return length < Self.payloadLimit ? .payments(ids) : .everyone
    }

    /// Whether a waiter on `paymentId` is concerned.
    public func includes(_ paymentId: String) -> Bool {
        switch self {
        case .everyone: true
        case .payments(let ids): ids.contains(paymentId)
        }
    }
}
