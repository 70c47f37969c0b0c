/// A movement of the account's balance (`txn_…`). The sandbox keeps only a dispute's: the withdrawal
/// when it opens (`dispute`, negative) and the reinstatement when it is won (`dispute_reversal`, positive).
struct BalanceTransaction: Sendable {
    enum Category: String, Sendable {
        case dispute
        case disputeReversal = "dispute_reversal"
    }

    let id: String
    let amount: Int
    let currency: String
    let category: Category
    let created: Int

    /// `net` is the amount: the sandbox charges no dispute fee.
    var json: JSONValue {
        [
            "id": .string(id),
            "object": "balance_transaction",
            "amount": .int(amount),
            "created": .int(created),
            "currency": .string(currency),
            "net": .int(amount),
            "reporting_category": .string(category.rawValue),
            "status": "available",
            "type": "adjustment",
        ]
    }
}
