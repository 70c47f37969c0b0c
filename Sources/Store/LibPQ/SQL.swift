/// A statement with its parameters bound by string interpolation, after postgres-nio's `PostgresQuery`:
/// `"… WHERE id = \(paymentId) AND lease_generation = \(lease.generation)"` appends `$1`, `$2` and binds the
/// values (text format; nil is NULL). Casts stay in the text (`\(amount)::bigint`). `\(unescaped:)` appends
/// trusted SQL text; an interpolated `SQL` fragment brings its own parameters, numbered after those before it.
/// No statement numbers its parameters by hand.
public struct SQL: Sendable, ExpressibleByStringInterpolation {
    fileprivate enum Part: Sendable {
        case text(String)
        /// The parameter at this index of `bindings`.
        case parameter(Int)
    }

    fileprivate var parts: [Part] = []
    /// The parameters, in the order of their `$n`.
    public fileprivate(set) var bindings: [String?] = []
    /// The statement appends events to the outbox (`SQL.appendEvents`): its first row has an `events_written`
    /// column, read by `Transaction.execute` to wake the event streams after the commit.
    public fileprivate(set) var writesEvents = false

    public init(stringLiteral value: String) {
        parts = [.text(value)]
    }

    public init(stringInterpolation: StringInterpolation) {
        self = stringInterpolation.sql
    }

    /// Trusted SQL text with no parameters (an identifier or a clause the store itself wrote).
    public init(unescaped text: String) {
        parts = [.text(text)]
    }

    /// The text sent to the server, each parameter as its `$n`. The same for every call of a given statement,
    /// whatever the values, so a prepared statement's text never changes.
    public var text: String {
        parts.reduce(into: "") { text, part in
            switch part {
            case .text(let literal): text += literal
            case .parameter(let index): text += "$\(index + 1)"
            }
        }
    }

    fileprivate mutating func bind(_ value: String?) {
        parts.append(.parameter(bindings.count))
        bindings.append(value)
    }

    fileprivate mutating func append(_ fragment: SQL) {
        let offset = bindings.count
        for part in fragment.parts {
            switch part {
            case .text: parts.append(part)
            case .parameter(let index): parts.append(.parameter(index + offset))
            }
        }
        bindings += fragment.bindings
        writesEvents = writesEvents || fragment.writesEvents
    }

    /// Marks a fragment that inserts events (only `EventSQL` does).
    func writingEvents() -> SQL {
        var sql = self
        sql.writesEvents = true
        return sql
    }

    public struct StringInterpolation: StringInterpolationProtocol, Sendable {
        fileprivate var sql = SQL(unescaped: "")

        public init(literalCapacity: Int, interpolationCount: Int) {}

        public mutating func appendLiteral(_ literal: String) {
            sql.parts.append(.text(literal))
        }

        public mutating func appendInterpolation(_ value: (some SQLBindable)?) {
            sql.bind(value?.sqlText)
        }

        public mutating func appendInterpolation<Value: RawRepresentable>(_ value: Value?) where Value.RawValue == String {
            sql.bind(value?.rawValue)
        }

        /// A one-dimensional array in PostgreSQL's text form, for `unnest(\(array: ids)::uuid[])`.
        public mutating func appendInterpolation(array elements: [String?]) {
            sql.bind(PGArray.literal(elements))
        }

        /// A fragment with its own parameters.
        public mutating func appendInterpolation(_ fragment: SQL) {
            sql.append(fragment)
        }

        /// Trusted SQL text, appended as it is.
        public mutating func appendInterpolation(unescaped text: String) {
            sql.parts.append(.text(text))
        }
    }
}

/// A value bound as a text parameter.
public protocol SQLBindable: Sendable {
    var sqlText: String { get }
}

extension String: SQLBindable {
    public var sqlText: String { self }
}

extension Int: SQLBindable {
    public var sqlText: String { String(self) }
}

extension Double: SQLBindable {
    public var sqlText: String { String(self) }
}

extension Bool: SQLBindable {
    public var sqlText: String { self ? "true" : "false" }
}
