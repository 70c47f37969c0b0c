import Payments

extension Attribution {
    /// The writes tests make straight through the store.
    public static let test = Attribution(actor: "test", requestId: "test-request")
}
