/// Identifiers shaped like Stripe's (`pi_3…`, `ch_3…`, `re_3…`, `evt_3…`, `req_…`).
enum StripeID {
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    static func make(_ prefix: String, length: Int = 24) -> String {
        var generator = SystemRandomNumberGenerator()
        return prefix + "_3" + String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
    }

    static func request() -> String {
        var generator = SystemRandomNumberGenerator()
        return "req_" + String((0..<14).map { _ in alphabet.randomElement(using: &generator)! })
    }

    static func clientSecret(for intent: String) -> String {
        var generator = SystemRandomNumberGenerator()
        return intent + "_secret_" + String((0..<25).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
