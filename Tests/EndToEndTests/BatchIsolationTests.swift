import Foundation
import StripeGateway
import Testing
import TestSupport

/// Concurrent AuthorizePayment commands share one group-commit statement. A command whose row fails that
/// statement must fail alone: every other command is committed and answered as if it had been alone.
@Suite("Group commit isolation, end to end")
struct BatchIsolationTests {
    static let good = 400
    static let bad = 40

    struct Tally: CustomStringConvertible {
        var goodStatuses: [Int: Int] = [:]
        var badStatuses: [Int: Int] = [:]
        var goodIds: Set<String> = []
        var badPointers: [String] = []
        var good5xx: Int { goodStatuses.filter { $0.key >= 500 }.values.reduce(0, +) }
        var description: String { "good \(goodStatuses.sorted { $0.key < $1.key }), bad \(badStatuses.sorted { $0.key < $1.key })" }
    }

    /// Sends `good` valid commands and the `bad` ones, interleaved, 64 at a time.
    static func mixedLoad(_ service: ServiceProcess, _ stack: Stack, bad: [String]) async throws -> Tally {
        let api = APIClient(baseURL: service.baseURL, token: Stack.token, http: CurlHTTPClient(maxConcurrent: 64, totalTimeout: .seconds(60)))
        var bodies = (0..<Self.good).map { (true, authorizeBody(amount: 1000 + $0)) }
        for (index, body) in bad.enumerated() { bodies.insert((false, body), at: index * (Self.good / bad.count)) }
        let answers = try await withThrowingTaskGroup(of: (Bool, APIClient.Answer).self) { group in
            var results: [(Bool, APIClient.Answer)] = []
            for (index, (isGood, body)) in bodies.enumerated() {
                if index >= 64, let done = try await group.next() { results.append(done) }
                group.addTask { (isGood, try await api.post("/payments/authorize", json: body)) }
            }
            return try await group.reduce(into: results) { $0.append($1) }
        }
        var tally = Tally()
        for (isGood, answer) in answers {
            if isGood {
                tally.goodStatuses[answer.status, default: 0] += 1
                if let id = answer.string("paymentId") { tally.goodIds.insert(id) }
            } else {
                tally.badStatuses[answer.status, default: 0] += 1
                let errors = answer.json["errors"] as? [[String: Any]] ?? []
                tally.badPointers += errors.compactMap { $0["pointer"] as? String }
            }
        }
        return tally
    }

    @Test("NUL characters at any depth among 400 concurrent valid commands: each bad one 400 naming its field, no 5xx for the rest")
    func nulCommandsFailAlone() async throws {
        try await Stack.withService { stack, service in
            let bad = (0..<Self.bad).map { index in
                index % 2 == 0
                    ? authorizeBody(extra: #""metadata":{"note":"x\u0000y"}"#)
                    : authorizeBody(extra: #""paymentMethod":"pm_card_visa\u0000""#)
            }
            let tally = try await Self.mixedLoad(service, stack, bad: bad)
            print("BatchIsolationTests NUL mixed load: \(tally)")
            #expect(tally.good5xx == 0, "\(tally)")
            #expect(tally.goodStatuses[201] == Self.good, "\(tally)")
            #expect(tally.badStatuses[400] == Self.bad, "\(tally)")
            #expect(Set(tally.badPointers) == ["/metadata/note", "/paymentMethod"])
            #expect(try await stack.database.scalar("SELECT count(*) FROM payments") == String(Self.good))
            #expect(try await stack.database.scalar("SELECT count(*) FROM payments WHERE id = ANY(\(array: Array(tally.goodIds))::uuid[])") == String(Self.good))
        }
    }

    @Test("rows the database refuses in ways validation cannot foresee: the guilty get 400 (class 22) or 500 (class 23) alone, the rest commit")
    func unforeseenRowErrorsFailAlone() async throws {
        try await Stack.withService { stack, service in
            // Added behind the service's back: a CHECK (class 23) and a trigger raising a data exception (class 22).
            _ = try await stack.database.scalar("ALTER TABLE payments ADD CONSTRAINT unforeseen CHECK (amount <> 4242)")
            _ = try await stack.database.scalar("""
                CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF NEW.metadata ? 'poison' THEN RAISE EXCEPTION 'poisoned metadata' USING ERRCODE = '22023'; END IF;
                  RETURN NEW;
                END $$
                """)
            _ = try await stack.database.scalar(
                "CREATE TRIGGER refuse_poison BEFORE INSERT ON payments FOR EACH ROW EXECUTE FUNCTION refuse_poison()")
            let bad = (0..<Self.bad).map { index in
                index % 2 == 0 ? authorizeBody(amount: 4242) : authorizeBody(extra: #""metadata":{"poison":"1"}"#)
            }
            let tally = try await Self.mixedLoad(service, stack, bad: bad)
            print("BatchIsolationTests unforeseen row errors: \(tally)")
            #expect(tally.good5xx == 0, "\(tally)")
            #expect(tally.goodStatuses[201] == Self.good, "\(tally)")
            #expect(tally.badStatuses[500] == Self.bad / 2, "\(tally)")
            #expect(tally.badStatuses[400] == Self.bad / 2, "\(tally)")
            #expect(try await stack.database.scalar("SELECT count(*) FROM payments") == String(Self.good))
            #expect(try await stack.database.scalar("SELECT count(*) FROM operations") == String(Self.good))
        }
    }
}
