/// `/_sandbox/clock`: sandbox time, and what happens when it passes a deadline (a hold's `capture_before`).
extension SandboxState {
    var clock: JSONValue { ["now": .int(now), "offset": .int(clockOffset)] }

    /// Moves sandbox time `seconds` ahead, then expires every hold whose deadline it passed.
    func advanceClock(by seconds: Int) -> JSONValue {
        clockOffset += seconds
        for id in intentOrder where holdExpired(id) { expireHold(id) }
        return clock
    }

    private func holdExpired(_ intentID: String) -> Bool {
        guard let intent = intents[intentID], intent.status == .requiresCapture, let chargeID = intent.latestCharge,
            let deadline = charges[chargeID]?.captureBefore
        else { return false }
        return now >= deadline
    }

    /// What Stripe does with an authorization left uncaptured past `capture_before`: the intent is
    /// canceled (`automatic`), the charge released; `charge.expired`, then `payment_intent.canceled`.
    private func expireHold(_ intentID: String) {
        guard var intent = intents[intentID], let chargeID = intent.latestCharge else { return }
        markCanceled(&intent, reason: "automatic")
        guard let charge = charges[chargeID] else { return }
        events.publishInOrder([("charge.expired", charge.json), ("payment_intent.canceled", intent.json)])
        closeReview(ofIntent: intent, reason: "canceled")
    }
}
