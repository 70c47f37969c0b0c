import Foundation

/// Holds one payment against the sandbox's ledger, as `contract.md` maps them; returns what disagrees
/// (empty when all is right). Never more than one successful confirmation across the payment's intents.
public func ledgerDisagreements(payment: APIClient.Answer, intents: [[String: Any]]) -> [String] {
    var problems: [String] = []
    let id = payment.string("paymentId") ?? "?"
    let confirmations = intents.map { $0["confirmations"] as? Int ?? 0 }.reduce(0, +)
    if confirmations > 1 { problems.append("\(id): \(confirmations) successful confirmations") }
    let live = intents.filter {
        let status = $0["status"] as? String
        return status == "requires_capture" || (status == "succeeded" && ($0["amount_received"] as? Int ?? 0) > 0)
    }
    let reference = payment.string("processorReference")
    switch payment.string("status") {
    case "AUTHORIZED":
        if live.count != 1 || live.first?["status"] as? String != "requires_capture" || live.first?["id"] as? String != reference {
            problems.append("\(id) AUTHORIZED but the ledger has \(live)")
        }
    case "CAPTURED":
        let intent = live.first
        if live.count != 1 || intent?["status"] as? String != "succeeded" || intent?["id"] as? String != reference
            || intent?["amount_received"] as? Int != payment.int("amountCaptured")
            || intent?["amount_refunded"] as? Int != payment.int("amountRefunded") {
            problems.append("\(id) CAPTURED \(payment.int("amountCaptured") ?? -1)/\(payment.int("amountRefunded") ?? -1) but the ledger has \(live)")
        }
    case "VOIDED", "FAILED":
        if !live.isEmpty { problems.append("\(id) \(payment.string("status")!) but holds or took money: \(live)") }
    default:
        problems.append("\(id) not settled: \(payment.text)")
    }
    return problems
}
