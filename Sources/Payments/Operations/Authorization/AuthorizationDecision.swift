import StripeModels

/// The pure rules for an authorization's processor answers (`architecture.md`, step 4: classify).
public enum AuthorizationDecision: Sendable, Equatable {
    case finish(AuthorizationOutcome)
    /// Use this intent from now on, and confirm it.
    case confirm(intentId: String)
    /// Nothing happened, or it is unknown what: try again later. `freshCreateKey` moves a create to the next
    /// key (its key replays a saved 500 and the search found no intent): bounded, then parked.
    case retry(reason: String, freshCreateKey: Bool)
    /// It may have executed: read the intent back by id before deciding anything.
    case readBack(reason: String)
    /// The confirm's key replays a saved 500: read back, and if the intent is still unconfirmed (nothing
    /// happened) move to the next confirm key, since this one can only answer the same 500.
    case readBackReplayed(reason: String)
    /// A saved 500 proved harmless (the intent is still unconfirmed): confirm again under the next key.
    case nextConfirmKey(reason: String)
    /// The create's key can only replay a saved 500 (or an unreadable answer): search for the intent it made.
    case findCreated(reason: String)
    /// The processor's answer cannot be read (a field a decision needs is missing): a bounded number of
    /// attempts, then the operation is parked.
    case protocolFault(reason: String)
    /// The customer must authenticate (`customerPresent`): record REQUIRES_ACTION and wait, reading back.
    case awaitCustomer(NextAction)
    /// The customer's authentication failed or never came: the intent could be confirmed again by whoever
    /// holds its client secret, so it is cancelled (`abandoned`) before the payment ends FAILED.
    case abandon(AbandonedAuthentication)

    /// A create's answer. An unknown outcome is retried under the same key first: a dropped answer or a
    /// time-out replays the true one. Only a 500 the key replays (saved once execution began) means this key
    /// will never tell: then the payment's intents are searched for.
    public static func afterCreate(_ result: StripeResult<StripePaymentIntent>) -> AuthorizationDecision {
        switch result {
        case .success(let intent): .confirm(intentId: intent.id)
        case .retryable(let failure): .retry(reason: failure.description, freshCreateKey: false)
        // An answer that cannot be read is never a reason to create again: the key replays the true one.
        case .unknown(let failure) where failure.isProtocolFault: .protocolFault(reason: failure.message)
        case .unknown(let failure) where failure.replayed: .findCreated(reason: failure.description)
        case .unknown(let failure): .retry(reason: failure.description, freshCreateKey: false)
        case .declined(let error, _): .finish(failed(error, reference: nil))
        case .rejected(_, let error): .finish(.failed(.processingError, declineCode: error.code ?? error.type, reference: nil))
        }
    }

    /// After a create whose key can no longer tell: the intent it made, if the processor's search finds one
    /// for the payment (`metadata.payment_id`). Search lags behind writes, so only once it has been empty for
    /// longer than `searchLag` since the first create (`sinceDispatch`) does the payment move to the next key.
    public static func afterSearch(
        _ found: [StripePaymentIntent], paymentId: String, sinceDispatch: Duration?, searchLag: Duration, reason: String
    ) -> AuthorizationDecision {
        let ours = found.filter { $0.metadata["payment_id"] == paymentId && $0.status != .canceled }
        guard let intent = ours.first(where: { IntentVerdict($0) != .notConfirmed }) ?? ours.first else {
            let waited = (sinceDispatch ?? .zero) >= searchLag
            return .retry(reason: "no intent found\(waited ? "" : " yet (search lags)") after: \(reason)", freshCreateKey: waited)
        }
        return .confirm(intentId: intent.id)
    }

    public static func afterConfirm(
        _ result: StripeResult<StripePaymentIntent>, intentId: String, customerPresent: Bool = false
    ) -> AuthorizationDecision {
        switch result {
        case .success(let intent): afterReadBack(intent, customerPresent: customerPresent)
        case .declined(let error, _): .finish(failed(error, reference: intentId))
        case .rejected(_, let error) where error.type == "idempotency_error":
            // The key was used with other parameters (by a build before this one): it will never tell, so read
            // back, and confirm under the next key if the intent is still unconfirmed.
            .readBackReplayed(reason: "confirm key used with other parameters: \(error.message ?? "idempotency_error")")
        case .rejected(_, let error) where error.code == "payment_intent_unexpected_state":
            // Confirmed already (by an earlier attempt whose answer was lost) or cancelled: ask.
            .readBack(reason: "confirm refused: \(error.message ?? "unexpected state")")
        case .rejected(_, let error):
            .finish(.failed(.processingError, declineCode: error.code ?? error.type, reference: intentId))
        case .retryable(let failure): .retry(reason: failure.description, freshCreateKey: false)
        case .unknown(let failure) where failure.replayed: .readBackReplayed(reason: failure.description)
        case .unknown(let failure): .readBack(reason: failure.description)
        }
    }

    /// What an intent read by id decides. Never FAILED without the processor saying so.
    /// `customerPresent`: the payment was confirmed on session. `awaitingCustomer`: it is REQUIRES_ACTION,
    /// so its client secret is out and a decline must cancel the intent first.
    public static func afterReadBack(
        _ intent: StripePaymentIntent, customerPresent: Bool = false, awaitingCustomer: Bool = false
    ) -> AuthorizationDecision {
        let verdict = IntentVerdict(intent)
        if awaitingCustomer, let decided = whileAwaiting(intent, verdict) { return decided }
        return switch verdict {
        case .authorized: .finish(.authorized(reference: intent.id, expiresAt: intent.charge?.captureBefore))
        case .captured(let amount): .finish(.captured(reference: intent.id, amount: amount))
        case .declined(let reason, let code): .finish(.failed(reason, declineCode: code, reference: intent.id))
        case .canceled: .finish(.voided(reference: intent.id, expired: intent.cancellationReason == VoidReason.processorExpiry))
        case .notConfirmed: .confirm(intentId: intent.id)
        case .processing: .retry(reason: "intent \(intent.id) is processing", freshCreateKey: false)
        case .unreadable(let field): .protocolFault(reason: "intent \(intent.id) (\(intent.status.rawValue)) lacks `\(field)`")
        case .requiresAction(let next): requiresAction(intent, next, customerPresent: customerPresent)
        }
    }

    /// While REQUIRES_ACTION the client secret is out: a decline cancels the intent before the payment fails,
    /// and an intent the service cancelled as abandoned is a failure, not a void.
    private static func whileAwaiting(_ intent: StripePaymentIntent, _ verdict: IntentVerdict) -> AuthorizationDecision? {
        switch verdict {
        case .declined(let reason, let code): .abandon(.declined(reason, declineCode: code))
        case .canceled where intent.cancellationReason == AuthenticationPolicy.abandonedReason: .finish(abandoned(intent))
        default: nil
        }
    }

    /// Off session no customer can authenticate: Stripe answers 402 authentication_required, and an intent
    /// found waiting anyway is a decline of the same kind.
    private static func requiresAction(_ intent: StripePaymentIntent, _ next: NextAction?, customerPresent: Bool) -> AuthorizationDecision {
        guard customerPresent else { return .finish(.failed(.cardDeclined, declineCode: "authentication_required", reference: intent.id)) }
        guard let next else { return .protocolFault(reason: "intent \(intent.id) (requires_action) lacks `next_action` or `client_secret`") }
        return .awaitCustomer(next)
    }

    /// An intent the service cancelled as abandoned: the decline that made it do so, when the intent still
    /// shows it, else an authentication that never came.
    static func abandoned(_ intent: StripePaymentIntent) -> AuthorizationOutcome {
        guard let error = intent.lastPaymentError else { return AbandonedAuthentication.timedOut.outcome(reference: intent.id) }
        return failed(error, reference: intent.id)
    }

    static func failed(_ error: StripeErrorBody, reference: String?) -> AuthorizationOutcome {
        .failed(FailureReason(declineCode: error.declineCode, code: error.code), declineCode: error.declineCode ?? error.code,
                reference: reference)
    }
}

/// Why a customer-present authorization is given up: its intent is cancelled, then the payment fails.
public enum AbandonedAuthentication: Sendable, Equatable {
    /// The challenge failed, or the charge after it was declined.
    case declined(FailureReason, declineCode: String?)
    /// Still REQUIRES_ACTION after `AUTHENTICATION_TIMEOUT`.
    case timedOut

    public func outcome(reference: String?) -> AuthorizationOutcome {
        switch self {
        case .declined(let reason, let code): .failed(reason, declineCode: code, reference: reference)
        case .timedOut: .failed(.cardDeclined, declineCode: AuthenticationPolicy.abandonedDeclineCode, reference: reference)
        }
    }
}
