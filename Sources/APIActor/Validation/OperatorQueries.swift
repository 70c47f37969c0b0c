import Hummingbird
import Payments
import Store

/// The query of an operator's `GET /payments`: every bad parameter named in one 400.
struct PaymentListQuery {
    static let defaultLimit = 100
    static let maxLimit = 500
    static let known: Set<String> = [
        "cartId", "status", "createdFrom", "createdTo", "hasLastError", "currency", "amountFrom", "amountTo", "after", "limit",
    ]

    var filter = PaymentFilter()
    var after: PaymentCursor?
    var limit = defaultLimit

    init(_ query: Parameters) throws(APIProblem) {
        var errors = QueryErrors(query)
        errors.refuseUnknown(Self.known)
        filter.cartId = errors.value("cartId", "a cart's UUID") { Formats.isUUID($0) ? $0.lowercased() : nil }
        filter.status = errors.value("status", "one of \(PaymentStatus.allCases.map(\.rawValue).joined(separator: ", "))") {
            PaymentStatus(rawValue: $0)
        }
        filter.createdFrom = errors.value("createdFrom", "an RFC 3339 date-time", QueryErrors.instant)
        filter.createdTo = errors.value("createdTo", "an RFC 3339 date-time", QueryErrors.instant)
        filter.hasLastError = errors.value("hasLastError", "true or false") { ["true": true, "false": false][$0] }
        filter.currency = errors.value("currency", "a supported ISO 4217 code (upper case)") { Currency.known.contains($0) ? $0 : nil }
        filter.amountFrom = errors.value("amountFrom", "an integer from 0 to 99999999") { Formats.boundedInt($0, 0...99_999_999) }
        filter.amountTo = errors.value("amountTo", "an integer from 0 to 99999999") { Formats.boundedInt($0, 0...99_999_999) }
        after = errors.value("after", "a page's next", Self.cursor)
        limit = errors.value("limit", "an integer from 1 to \(Self.maxLimit)") { Formats.boundedInt($0, 1...Self.maxLimit) } ?? Self.defaultLimit
        try errors.check()
    }

    /// The end of year 9999 in microseconds: later instants are out of PostgreSQL's interval range.
    static let lastMicros = 253_402_300_799_999_999

    static func cursor(_ text: String) -> PaymentCursor? {
        let parts = text.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, let micros = Formats.boundedInt(parts[0], 0...lastMicros), Formats.isUUID(parts[1]) else { return nil }
        return PaymentCursor(micros: micros, paymentId: parts[1].lowercased())
    }
}

/// The query of `GET /operations?state=&after=&limit=`.
struct OperationListQuery {
    static let states: [OperationStatus] = [.queued, .failed, .parked]

    var states = Self.states
    var after: Int?
    var limit = PaymentListQuery.defaultLimit

    init(_ query: Parameters) throws(APIProblem) {
        var errors = QueryErrors(query)
        errors.refuseUnknown(["state", "after", "limit"])
        if let state = errors.value("state", "queued, failed or parked", { OperationStatus(rawValue: $0).flatMap { Self.states.contains($0) ? $0 : nil } }) {
            states = [state]
        }
        after = errors.value("after", "a page's next") { Formats.boundedInt($0, 0...Int(Int64.max)) }
        limit = errors.value("limit", "an integer from 1 to \(PaymentListQuery.maxLimit)") {
            Formats.boundedInt($0, 1...PaymentListQuery.maxLimit)
        } ?? PaymentListQuery.defaultLimit
        try errors.check()
    }
}

/// Collects the bad parameters of one query.
struct QueryErrors {
    let query: Parameters
    private(set) var errors: [FieldError] = []

    init(_ query: Parameters) { self.query = query }

    /// The parameter `name` read by `parse`; a value it refuses is an error saying what was expected.
    mutating func value<T>(_ name: String, _ expected: String, _ parse: (String) -> T?) -> T? {
        let values = query.getAll(name)
        guard let text = values.first else { return nil }
        guard values.count == 1, let value = parse(text) else {
            errors.append(FieldError(parameter: name, values.count == 1 ? "must be \(expected)" : "is given more than once"))
            return nil
        }
        return value
    }

    mutating func refuseUnknown(_ known: Set<String>) {
        for key in Set(query.map { String($0.key) }) where !known.contains(key) {
            errors.append(FieldError(parameter: key, "is not a parameter of this endpoint"))
        }
    }

    func check() throws(APIProblem) {
        guard errors.isEmpty else { throw APIProblem.invalid(errors) }
    }

    /// ASCII digits only (`\d` would take any script's, which `Int` does not read). An RFC 3339 date-time, as given, when it names a real instant (no 31 February, no year 0) that PostgreSQL
    /// reads as such (its offsets stop at 15:59).
    static func instant(_ text: String) -> String? {
        guard text.utf8.count <= 40,
            let m = text.wholeMatch(of: /([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,9})?([Zz]|[+-]([0-9]{2}):([0-9]{2}))/),
            let year = Int(m.1), let month = Int(m.2), let day = Int(m.3), let hour = Int(m.4), let minute = Int(m.5), let second = Int(m.6)
        else { return nil }
        let days = [31, year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard year >= 1, (1...12).contains(month), (1...days[month - 1]).contains(day), hour < 24, minute < 60, second <= 60,
            (m.9.flatMap { Int($0) } ?? 0) <= 15, (m.10.flatMap { Int($0) } ?? 0) < 60
        else { return nil }
        return text
    }
}
