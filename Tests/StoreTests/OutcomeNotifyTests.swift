import Foundation
import Logging
import Payments
@testable import Store
import Support
import Testing
import TestSupport

/// An operation's end answers with the payment as its own statement left it, and each commit's NOTIFY names
/// whose `Prefer: wait` requests it concerns (`Addressees`).
@Suite("Outcome rows and NOTIFY payloads")
struct OutcomeNotifyTests {
    @Test("finishOperation returns the payment as it committed it, and nil when the compare-and-set refused the change")
    func finishReturnsThePayment() async throws {
        let db = try await TestDatabase.create()
        let payment = try #require(try await db.database.recordRequested(command(), newPaymentId: newId(), idempotencyKey: nil).payment)
        let op = try #require(try await db.database.claimOperations(owner: "a", limit: 1, lease: .seconds(30)).first)
        let settled = try #require(try await db.database.finishOperation(
            op.lease, paymentId: payment.paymentId, change: PaymentChange(status: .authorized, processorReference: "pi_row"),
            events: [], resolution: .done))
        #expect(settled.status == .authorized)
        #expect(settled.processorReference == "pi_row")
        let read = try await db.database.payment(id: payment.paymentId)
        #expect(settled == read, "the row returned is not the row read")

        _ = try await db.column("INSERT INTO operations (payment_id, kind, idempotency_key) VALUES (\(payment.paymentId), 'sync', 'late') RETURNING id")
        let sync = try #require(try await db.database.claimOperations(owner: "a", limit: 1, lease: .seconds(30)).first)
        let refused = try await db.database.finishOperation(
            sync.lease, paymentId: payment.paymentId, change: PaymentChange(status: .failed, failureReason: .cardDeclined),
            events: [], resolution: .done)
        #expect(refused == nil)
        #expect(try await db.database.payment(id: payment.paymentId)?.status == .authorized)
    }

    @Test("a dispatch's NOTIFY names nobody; an operation's end names its payment; a void answered at once names its payment")
    func payloads() async throws {
        let db = try await TestDatabase.create()
        let (heard, listener) = await Heard.listening(to: db)
        defer { listener.stop() }

        let payment = try #require(try await db.database.recordRequested(command(), newPaymentId: newId(), idempotencyKey: nil).payment)
        let op = try #require(try await db.database.claimOperations(owner: "a", limit: 1, lease: .seconds(30)).first)
        let requested = DomainEvent.paymentRequested(
            paymentId: payment.paymentId, orderId: payment.orderId, customerId: nil, amount: 1000, currency: "USD", requestedAt: Timestamp.now())
        #expect(try await db.database.recordDispatch(of: op, event: requested))
        #expect(await heard.next() == .nobody)
        #expect(try await db.scalar("SELECT count(*) FROM events") == "1")

        try await db.database.finishOperation(
            op.lease, paymentId: payment.paymentId, change: PaymentChange(status: .authorized), events: [], resolution: .done)
        #expect(await heard.next() == .payments([payment.paymentId]))

        let unsent = try #require(try await db.database.recordRequested(command(), newPaymentId: newId(), idempotencyKey: nil).payment)
        guard case .done(let voided) = try await db.database.requestVoid(paymentId: unsent.paymentId, by: .test) else {
            Issue.record("the unsent authorization was not voided at once")
            return
        }
        #expect(voided.status == .voided)
        #expect(await heard.next() == .payments([unsent.paymentId]))
    }

    @Test("the intake's commit of an authorization born leased (its payment-requested written) wakes the event streams, no waiter")
    func bornLeasedNamesNobody() async throws {
        let db = try await TestDatabase.create()
        let (heard, listener) = await Heard.listening(to: db)
        defer { listener.stop() }
        let item = IntakeCommand(command(), newPaymentId: newId(), lease: WorkerLease(owner: "w", duration: .seconds(30)))
        #expect(try await db.database.recordRequested(batch: [item]).first??.isCreated == true)
        #expect(await heard.next() == .nobody)
        #expect(try await db.scalar("SELECT type FROM events") == "payment-requested")
    }

    @Test("pokes that fall within one NOTIFY's delay share it, naming all their payments; one for everyone makes it `*`")
    func coalescedPokes() async throws {
        let db = try await TestDatabase.create()
        let (heard, listener) = await Heard.listening(to: db)
        defer { listener.stop() }
        let notifier = EventNotifier(delay: .milliseconds(400))
        notifier.poke(db.database, for: .payments(["a"]))
        #expect(await heard.next() == .payments(["a"]))
        for poke in [Addressees.payments(["b"]), .nobody, .payments(["c", "b"])] { notifier.poke(db.database, for: poke) }
        #expect(await heard.next() == .payments(["b", "c"]))
        for poke in [Addressees.payments(["d"]), .everyone] { notifier.poke(db.database, for: poke) }
        #expect(await heard.next() == .everyone)
        try await Task.sleep(for: .milliseconds(500))
        #expect(heard.count == 4, "a poke sent a NOTIFY of its own")
    }

    @Test("a payload says whom: ids comma-joined, `-` for nobody, `*` (or empty, as before payloads) for everyone and for a list too long for PostgreSQL")
    func payloadText() {
        let ids = (0..<3).map { _ in newId() }
        #expect(Addressees(payload: Addressees.payments(Set(ids)).payload) == .payments(Set(ids)))
        #expect(Addressees.nobody.payload == "-")
        #expect(Addressees(payload: "-") == .nobody)
        #expect(Addressees(payload: "") == .everyone, "an instance from before payloads sends an empty one, meaning everyone")
        #expect(Addressees(payload: "*") == .everyone)
        #expect(Addressees.payments(["x"]).union(.everyone) == .everyone)
        var many = Addressees.nobody
        for _ in 0..<216 { many = many.union(.payments([newId()])) }
        #expect(many.payload.utf8.count < 8000)
        #expect(many.union(.payments([newId()])) == .everyone, "216 ids (7,991 bytes) still fit, 217 do not")
        #expect(many.union(.payments([newId()])).payload == "*")
    }
}

/// What a listener heard, in order.
final class Heard: Sendable {
    private let heard = Mutable<[Addressees]>([])

    /// A started listener on `db` and what it hears after its connect (which concerns everyone).
    static func listening(to db: TestDatabase, sourceLocation: SourceLocation = #_sourceLocation) async -> (Heard, NotificationListener) {
        let heard = Heard()
        let listener = NotificationListener(url: db.url, channel: EventFeed.channel, logger: Logger(label: "test-listener"), onNotify: heard.add)
        listener.start()
        #expect(await heard.next() == .everyone, "a (re)connect concerns everyone", sourceLocation: sourceLocation)
        return (heard, listener)
    }

    func add(_ addressees: Addressees) { heard.mutate { $0.append(addressees) } }

    var count: Int { heard.value.count }

    private let taken = Mutable(0)

    /// The next thing heard (nil after 5 s of silence).
    func next() async -> Addressees? {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            let index = taken.value
            let all = heard.value
            if all.count > index {
                taken.value = index + 1
                return all[index]
            }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return nil
    }
}
