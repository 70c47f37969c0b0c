/// How a subject's findings end up in the report once its heal ran (or none could).
public enum Resolution {
    /// `found`: the subject's findings after any live work on it ended; `afterHeal`: what a look after its heal
    /// found (nil: no heal ran). A kind found before and gone after is healed: the record agrees now. A kind still
    /// there, or new, is reported with what the last look said.
    public static func items(found: [Finding], afterHeal: [Finding]?) -> [ReconciliationItem] {
        guard let after = afterHeal else { return found.map { ReconciliationItem($0, healed: false) } }
        let remaining = Set(after.map(\.kind))
        let healed = found.filter { !remaining.contains($0.kind) }.map { ReconciliationItem($0, healed: true) }
        return healed + after.map { ReconciliationItem($0, healed: false) }
    }

    /// The distinct heals a subject's findings ask for, in the order found.
    public static func heals(_ findings: [Finding]) -> [Heal] {
        var heals: [Heal] = []
        for heal in findings.map(\.heal) where heal != .none && !heals.contains(heal) { heals.append(heal) }
        return heals
    }
}

/// A run's end, as its exit status says it: 0 nothing unresolved, 1 something unresolved, 2 the run could not
/// complete (the processor or the database unreachable, the lock held, a list too long to walk).
public enum ReconciliationVerdict: Int32, Sendable {
    case clean = 0
    case unresolved = 1
    case incomplete = 2

    public init(items: [ReconciliationItem], complete: Bool) {
        if !complete {
            self = .incomplete
        } else {
            self = items.allSatisfy(\.healed) ? .clean : .unresolved
        }
    }
}
