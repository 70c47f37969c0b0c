import Store

/// The payments told of lately, each with its latest notice, oldest dropped first once `capacity` notices
/// have come after it: a waiter that skips its first read (its caller knows the state) may register after its
/// outcome was told, and looks here instead.
struct RecentNotices {
    private let capacity: Int
    /// The payments in the order told, with each notice's number: a ring of `capacity`.
    private var told: [(paymentId: String, number: Int)] = []
    private var latest: [String: (notice: OutcomeNotice, number: Int)] = [:]
    private var nextNumber = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
    }

    mutating func remember(_ notice: OutcomeNotice) {
        let entry = (paymentId: notice.paymentId, number: nextNumber)
        if told.count < capacity {
            told.append(entry)
        } else {
            let slot = nextNumber % capacity
            let oldest = told[slot]
            if latest[oldest.paymentId]?.number == oldest.number { latest[oldest.paymentId] = nil }
            told[slot] = entry
        }
        latest[notice.paymentId] = (notice, nextNumber)
        nextNumber += 1
    }

    func notice(for paymentId: String) -> OutcomeNotice? { latest[paymentId]?.notice }

    /// How many payments are remembered.
    var count: Int { latest.count }
}
