/// The catalog's reasons a payment failed.
public enum FailureReason: String, Sendable, Codable, CaseIterable {
    case cardDeclined = "CARD_DECLINED"
    case insufficientFunds = "INSUFFICIENT_FUNDS"
    case expiredCard = "EXPIRED_CARD"
    case processingError = "PROCESSING_ERROR"

    /// Maps a processor card decline: its `decline_code` when it has one, else its `code`.
    public init(declineCode: String?, code: String?) {
        switch declineCode ?? code {
        case "insufficient_funds": self = .insufficientFunds
        case "expired_card": self = .expiredCard
        case "processing_error": self = .processingError
        default: self = .cardDeclined
        }
    }
}
