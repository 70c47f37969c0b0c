/// Disputes: opened by the dispute test cards once the money is taken, moved by `/_sandbox/disputes/…`.
extension SandboxState {
    /// Once money is taken, a `pm_card_createDispute` (or `…Inquiry`) charge is disputed `disputeDelay` later.
    func disputeLaterIfTheCardSaysSo(_ chargeID: String) {
        guard let charge = charges[chargeID], let kind = TestPaymentMethod.lookup(charge.paymentMethod)?.dispute else { return }
        background.schedule(after: disputeDelay) { [self] in await self.openDispute(ofCharge: chargeID, inquiry: kind == .inquiry) }
    }

    /// A chargeback withdraws the money at once (`charge.dispute.created`, then `…funds_withdrawn`); an
    /// inquiry withdraws nothing (`charge.dispute.created` alone).
    private func openDispute(ofCharge id: String, inquiry: Bool) {
        guard var charge = charges[id], !charge.disputed else { return }
        var dispute = Dispute(id: StripeID.make("dp"), of: charge, inquiry: inquiry, created: now)
        if !inquiry { dispute.balanceTransactions.append(fundsMove(of: dispute, withdrawn: true)) }
        charge.dispute = dispute.id
        charges[id] = charge
        disputes[dispute.id] = dispute
        disputeOrder.append(dispute.id)
        let opened = [(type: "charge.dispute.created", object: dispute.json)]
        events.publishInOrder(inquiry ? opened : opened + [("charge.dispute.funds_withdrawn", dispute.json)])
        if let intent = intents[charge.paymentIntent] { closeReview(ofIntent: intent, reason: "disputed") }
    }

    func retrieveDispute(_ id: String) throws(StripeError) -> JSONValue {
        try dispute(id).json
    }

    /// `POST /_sandbox/disputes/{id}/status`: what the issuer decides. A move the table does not allow is
    /// a 400; winning a chargeback reinstates the money (`charge.dispute.closed`, then `…funds_reinstated`).
    func moveDispute(_ id: String, to status: Dispute.Status) throws(StripeError) -> JSONValue {
        var dispute = try dispute(id)
        guard Dispute.moves[dispute.status]?.contains(status) == true else {
            throw .invalidRequest(
                "Dispute \(id) (\(dispute.inquiry ? "an inquiry" : "a chargeback")) has a status of \(dispute.status.rawValue) and cannot move to \(status.rawValue).",
                param: "status"
            )
        }
        dispute.status = status
        let reinstated = status == .won && !dispute.inquiry
        if reinstated { dispute.balanceTransactions.append(fundsMove(of: dispute, withdrawn: false)) }
        disputes[id] = dispute
        guard status.closed else {
            events.publish("charge.dispute.updated", dispute.json)
            return dispute.json
        }
        let closed = [(type: "charge.dispute.closed", object: dispute.json)]
        events.publishInOrder(reinstated ? closed + [("charge.dispute.funds_reinstated", dispute.json)] : closed)
        return dispute.json
    }

    /// `POST /_sandbox/disputes/{id}/funds`: a withdrawal or a reinstatement, with its event, whatever the status.
    func moveDisputeFunds(_ id: String, withdrawn: Bool) throws(StripeError) -> JSONValue {
        var dispute = try dispute(id)
        dispute.balanceTransactions.append(fundsMove(of: dispute, withdrawn: withdrawn))
        disputes[id] = dispute
        events.publish(withdrawn ? "charge.dispute.funds_withdrawn" : "charge.dispute.funds_reinstated", dispute.json)
        return dispute.json
    }

    private func fundsMove(of dispute: Dispute, withdrawn: Bool) -> BalanceTransaction {
        BalanceTransaction(
            id: StripeID.make("txn"), amount: withdrawn ? -dispute.amount : dispute.amount, currency: dispute.currency,
            category: withdrawn ? .dispute : .disputeReversal, created: now
        )
    }

    private func dispute(_ id: String) throws(StripeError) -> Dispute {
        guard let dispute = disputes[id] else { throw .noSuch("dispute", id: id) }
        return dispute
    }

    /// What a refund of `charge` may take back: nothing while a chargeback is open (400 `charge_disputed`),
    /// and never a lost dispute's amount.
    func disputedAmount(of charge: Charge) throws(StripeError) -> Int {
        guard let id = charge.dispute, let dispute = disputes[id] else { return 0 }
        if dispute.open && !dispute.isChargeRefundable {
            throw .invalidRequest(
                "Charge \(charge.id) has been charged back; cannot issue a refund.", code: "charge_disputed",
                phase: .execution
            )
        }
        return dispute.status == .lost ? dispute.amount : 0
    }
}
