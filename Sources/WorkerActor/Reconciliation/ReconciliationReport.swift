import Payments

/// What a run found, as the command prints it: one line per item, then a summary line.
public struct ReconciliationReport: Sendable, Equatable {
    public var runId: String
    /// RFC 3339.
    public var since: String
    public var startedAt: String
    public var items: [ReconciliationItem]

    public var verdict: ReconciliationVerdict { ReconciliationVerdict(items: items, complete: true) }
    public var unresolved: [ReconciliationItem] { items.filter { !$0.healed } }

    public var text: String {
        let header = "reconciliation run \(runId): since \(since), started \(startedAt)"
        return ([header] + items.map(Self.line) + [summary]).joined(separator: "\n")
    }

    /// `healed     status_mismatch       payment 6b1f… pi_…: what was found`
    static func line(_ item: ReconciliationItem) -> String {
        let state = item.healed ? "healed    " : "UNRESOLVED"
        let kind = item.kind.rawValue.padding(toLength: 20)
        return "\(state) \(kind) payment \(item.paymentId ?? "-") \(item.processorReference): \(item.detail)"
    }

    /// `summary: 3 items, 2 healed, 1 unresolved (orphan_hold 1); exit 1`
    public var summary: String {
        let open = unresolved
        let byKind = DiscrepancyKind.allCases.compactMap { kind -> String? in
            let count = open.count { $0.kind == kind }
            return count == 0 ? nil : "\(kind.rawValue) \(count)"
        }
        let kinds = byKind.isEmpty ? "" : " (" + byKind.joined(separator: ", ") + ")"
        return "summary: \(items.count) items, \(items.count - open.count) healed, \(open.count) unresolved\(kinds); exit \(verdict.rawValue)"
    }
}

extension String {
    fileprivate func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
