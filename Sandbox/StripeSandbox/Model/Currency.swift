/// Stripe's minimum charge amounts (docs.stripe.com/currencies#minimum-and-maximum-charge-amounts),
/// in the smallest unit; other supported currencies take the equivalent of about 0.50 USD (50 units).
enum Currency {
    static let minimumAmounts: [String: Int] = [
        "usd": 50, "aed": 200, "aud": 50, "bgn": 100, "brl": 50, "cad": 50, "chf": 50, "czk": 1500,
        "dkk": 250, "eur": 50, "gbp": 30, "hkd": 400, "huf": 17500, "inr": 50, "jpy": 50, "mxn": 1000,
        "myr": 200, "nok": 300, "nzd": 50, "pln": 200, "ron": 200, "sek": 300, "sgd": 50, "thb": 1000,
    ]

    static let supported: Set<String> = Set(minimumAmounts.keys).union([
        "afn", "all", "amd", "ang", "aoa", "ars", "awg", "azn", "bam", "bbd", "bdt", "bif", "bmd", "bnd",
        "bob", "bsd", "bwp", "byn", "bzd", "cdf", "clp", "cny", "cop", "crc", "cve", "djf", "dop", "dzd",
        "egp", "etb", "fjd", "fkp", "gel", "gip", "gmd", "gnf", "gtq", "gyd", "hnl", "htg", "idr", "ils",
        "isk", "jmd", "kes", "kgs", "khr", "kmf", "krw", "kyd", "kzt", "lak", "lbp", "lkr", "lrd", "lsl",
        "mad", "mdl", "mga", "mkd", "mmk", "mnt", "mop", "mur", "mvr", "mwk", "mzn", "nad", "ngn", "nio",
        "npr", "pab", "pen", "pgk", "php", "pkr", "pyg", "qar", "rsd", "rub", "rwf", "sar", "sbd", "scr",
        "shp", "sle", "sos", "srd", "szl", "tjs", "top", "try", "ttd", "twd", "tzs", "uah", "ugx", "uyu",
        "uzs", "vnd", "vuv", "wst", "xaf", "xcd", "xof", "xpf", "yer", "zar", "zmw",
    ])

    static let zeroDecimal: Set<String> = [
        "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf",
    ]

    static let maximumAmount = 99_999_999

    static func minimumAmount(_ currency: String) -> Int { minimumAmounts[currency] ?? 50 }

    /// "$0.50 usd"-style text used in Stripe's `amount_too_small` message.
    static func format(_ amount: Int, _ currency: String) -> String {
        if zeroDecimal.contains(currency) { return "\(amount) \(currency)" }
        let cents = amount % 100
        return "\(amount / 100).\(cents < 10 ? "0" : "")\(cents) \(currency)"
    }
}
