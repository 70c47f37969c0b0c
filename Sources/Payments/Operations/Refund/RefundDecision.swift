import StripeModels

/// The pure rules for a refund's processor answers.
public enum RefundDecision: Sendable, Equatable {
    /// Where the processor says the refund stands.
    case state(RefundStatus, reference: String, failureReason: String?)
    /// Known to the processor but not final yet (`pending`, `requires_action`): look again soon.
    case pending(reference: String)
    /// Refused for good: the refund ends FAILED with this code.
    case refused(code: String, message: String)
    case retry(reason: String)
    /// It may have executed: find it at the processor by its `metadata[refund_id]`.
    case readBack(reason: String)
    /// The key replays a saved 500: find it at the processor; not there, move to the next key.
    case readBackReplayed(reason: String)
    /// A saved 500 proved harmless (the refund is not at the processor): create under the next key.
    case nextKey(reason: String)

    public static func afterCall(_ result: StripeResult<StripeRefund>) -> RefundDecision {
        switch result {
        case .success(let refund): state(of: refund)
        case .declined(let error, _), .rejected(_, let error):
            .refused(code: error.code ?? error.type, message: error.message ?? "refused by the processor")
        case .retryable(let failure): .retry(reason: failure.description)
        case .unknown(let failure) where failure.replayed: .readBackReplayed(reason: failure.description)
        case .unknown(let failure): .readBack(reason: failure.description)
        }
    }

    public static func state(of refund: StripeRefund) -> RefundDecision {
        switch refund.status {
        case .succeeded: .state(.processed, reference: refund.id, failureReason: nil)
        case .failed, .canceled: .state(.failed, reference: refund.id, failureReason: refund.failureReason ?? refund.status.rawValue)
        case .pending, .requiresAction: .pending(reference: refund.id)
        }
    }

    /// After a refund is PROCESSED it is read back this many times, after these pauses: the processor can
    /// still fail it a little later (`refund.failed`), and the webhook may never come.
    public static let watchSchedule: [Duration] = [.seconds(3), .seconds(10), .seconds(30)]

    /// A refund still `pending` at the processor is read again after this pause: 2 s, doubling with each read
    /// since it last moved, at most 15 minutes (a bank can take days; polling every 2 s would not end).
    public static func pendingPause(afterReads reads: Int) -> Duration {
        .seconds(min(2 << min(max(reads, 0), 16), 900))
    }
}
