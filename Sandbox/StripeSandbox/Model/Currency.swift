/// Stripe's rules for charge amounts, all in one table. Source: https://docs.stripe.com/currencies
/// ("Minor units in API amounts", "Special cases", "Minimum and maximum charge amounts"); the
/// three-decimal rule is the wording of that page until 2023 ("Three-decimal currencies",
/// https://web.archive.org/web/20221231002856/https://stripe.com/docs/currencies), which the current
/// page no longer spells out. Amounts are in the currency's smallest unit, as on the wire.
enum Currency {
    /// How an amount is written on the wire.
    enum Unit: Sendable, Equatable {
        /// Cents: 1000 is 10.00 (the default).
        case twoDecimal
        /// Major units: 500 is 500 JPY.
        case zeroDecimal
        /// Thousandths whose last digit must be 0: 5120 is 5.120 KWD ("round amounts to the nearest ten").
        case threeDecimal
        /// Written with two decimals that are always 00: 500 is 5 ISK ("You can't charge fractions of ISK").
        case wholeUnitsInTwoDecimals
    }

    /// "Minimum charge amount by currency", in the smallest unit. A currency not listed takes 50 units
    /// (the sandbox's stand-in for "the equivalent minimum of the settlement currency"). BGN (1.00) is
    /// from the page's earlier table; the current one no longer lists it.
    static let minimumAmounts: [String: Int] = [
        "usd": 50, "aed": 200, "ars": 50, "aud": 50, "bgn": 100, "brl": 50, "cad": 50, "chf": 50, "cop": 50,
        "czk": 1500, "dkk": 250, "eur": 50, "gbp": 30, "hkd": 400, "huf": 17500, "idr": 50, "ils": 50, "inr": 50,
        "jpy": 50, "krw": 50, "mxn": 1000, "myr": 200, "nok": 300, "nzd": 50, "php": 50, "pln": 200, "ron": 200,
        "rub": 50, "sek": 300, "sgd": 50, "thb": 1000, "zar": 50,
    ]

    static let zeroDecimal: Set<String> = [
        "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "vnd", "vuv", "xaf", "xof", "xpf",
    ]
    static let threeDecimal: Set<String> = ["bhd", "jod", "kwd", "omr", "tnd"]
    /// "Special cases": ISK and UGX "transitioned to a zero-decimal currency, but backward compatibility
    /// requires you to represent it as a two-decimal value, where the decimal amount is always 00" (UGX is
    /// also on the page's zero-decimal list; the special case decides how it is written).
    static let wholeUnitsInTwoDecimals: Set<String> = ["isk", "ugx"]

    static let supported: Set<String> = Set(minimumAmounts.keys).union(zeroDecimal).union(threeDecimal)
        .union(wholeUnitsInTwoDecimals).union([
            "afn", "all", "amd", "ang", "aoa", "awg", "azn", "bam", "bbd", "bdt", "bmd", "bnd", "bob", "bsd", "bwp",
            "byn", "bzd", "cdf", "cny", "crc", "cve", "dop", "dzd", "egp", "etb", "fjd", "fkp", "gel", "gip", "gmd",
            "gtq", "gyd", "hnl", "htg", "jmd", "kes", "kgs", "khr", "kyd", "kzt", "lak", "lbp", "lkr", "lrd", "lsl",
            "mad", "mdl", "mkd", "mmk", "mnt", "mop", "mur", "mvr", "mwk", "mzn", "nad", "ngn", "nio", "npr", "pab",
            "pen", "pgk", "pkr", "qar", "rsd", "sar", "sbd", "scr", "shp", "sle", "sos", "srd", "szl", "tjs", "top",
            "try", "ttd", "twd", "tzs", "uah", "uyu", "uzs", "wst", "xcd", "yer", "zmw",
        ])

    /// "8 digits for all other currencies" (the page's limit for most payment methods; card networks may
    /// allow more, which the sandbox does not model).
    static let maximumAmount = 99_999_999

    static func unit(_ currency: String) -> Unit {
        if zeroDecimal.contains(currency) { return .zeroDecimal }
        if threeDecimal.contains(currency) { return .threeDecimal }
        if wholeUnitsInTwoDecimals.contains(currency) { return .wholeUnitsInTwoDecimals }
        return .twoDecimal
    }

    static func minimumAmount(_ currency: String) -> Int { minimumAmounts[currency] ?? 50 }

    /// A charge amount Stripe refuses: below the minimum, above the maximum, or not a multiple of the
    /// currency's step. `param` names the parameter (`amount`, `amount_to_capture`).
    static func checkChargeAmount(_ amount: Int, _ currency: String, param: String = "amount") throws(StripeError) {
        let minimum = minimumAmount(currency)
        guard amount >= minimum else {
            throw .invalidRequest("Amount must be at least \(format(minimum, currency))", code: "amount_too_small", param: param)
        }
        guard amount <= maximumAmount else {
            throw .invalidRequest(
                "Amount must be no more than \(format(maximumAmount, currency))", code: "amount_too_large", param: param
            )
        }
        try checkStep(amount, currency, param: param)
    }

    /// Three-decimal amounts must end in 0, ISK and UGX amounts in 00; this holds for refunds too.
    /// Stripe documents the rule but not its error: the code is `invalid_charge_amount`, Stripe's code
    /// for an amount it cannot charge.
    static func checkStep(_ amount: Int, _ currency: String, param: String = "amount") throws(StripeError) {
        let step: Int
        switch unit(currency) {
        case .threeDecimal: step = 10
        case .wholeUnitsInTwoDecimals: step = 100
        case .twoDecimal, .zeroDecimal: return
        }
        guard amount % step == 0 else {
            throw .invalidRequest(
                "Invalid amount: \(currency) amounts must be a multiple of \(step) (for example \(amount - amount % step)).",
                code: "invalid_charge_amount", param: param
            )
        }
    }

    /// "0.50 usd"-style text used in Stripe's amount messages.
    static func format(_ amount: Int, _ currency: String) -> String {
        switch unit(currency) {
        case .zeroDecimal: return "\(amount) \(currency)"
        case .threeDecimal: return decimal(amount, places: 3) + " \(currency)"
        case .twoDecimal, .wholeUnitsInTwoDecimals: return decimal(amount, places: 2) + " \(currency)"
        }
    }

    private static func decimal(_ amount: Int, places: Int) -> String {
        var divisor = 1
        for _ in 0..<places { divisor *= 10 }
        let fraction = String(amount % divisor)
        return "\(amount / divisor)." + String(repeating: "0", count: places - fraction.count) + fraction
    }
}
