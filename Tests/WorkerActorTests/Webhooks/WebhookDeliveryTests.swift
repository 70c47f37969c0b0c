import Foundation
import Payments
import Store
import Testing
import TestSupport
@testable import WorkerActor

@Suite("Pushed webhooks: order, at least once, signatures, the retry window, leases, the SSRF rule at connect")
struct WebhookDeliveryTests {
    @Test("a receiver down, then answering 500, then too slow, then well: every event in order, duplicates with the same id")
    func outageThenRecovery() async throws {
        let bed = try await DeliveryBed()
        let port = try DeliveryBed.closedPort()
        let endpoint = try await bed.endpoint(url: "http://127.0.0.1:\(port)/hook")
        var ids = try await bed.append(5)
        try await bed.running([bed.deliverer()]) {
            // Down: connections are refused, the first event is held and retried.
            try await Task.sleep(for: .seconds(2))
            let held = try await bed.deliveries(endpoint.id)
            #expect(held.count == 1 && held[0].status == .pending && held[0].attempts >= 1, "\(held)")
            #expect(held.first?.eventId == ids[0] && held.first?.lastStatus == nil && held.first?.lastError?.contains("connect") == true)
            let receiver = try WebhookReceiver.start(port: port, secrets: ["whsec_bed_a"], plan: ["500", "500", "slow:2", "200", "503"])
            ids += try await bed.append(5)
            let log = await receiver.received { WebhookReceiver.Received.firstArrivals($0.accepted) == ids }
            #expect(WebhookReceiver.Received.firstArrivals(log.accepted) == ids, "\(log.map { ($0.eventId ?? "?", $0.action) })")
            #expect(WebhookReceiver.Received.firstArrivals(log) == ids, "first arrivals out of order")
            #expect(log.allSatisfy { $0.bodyId == $0.eventId && $0.eventType == "payment-succeeded" && $0.verified == [0] })
            // The first event was refused twice, timed out once, then accepted: four attempts, one id.
            #expect(log.prefix(4).allSatisfy { $0.eventId == ids[0] }, "\(log.prefix(5).map(\.eventId))")
            // The receiver has answered; the deliverer records it a moment later.
            let state = try await Self.eventually { try await bed.db.database.webhookEndpoint(id: endpoint.id).flatMap { $0.cursor == ids.last ? $0 : nil } }
            #expect(state.failures == 0 && state.nextAttemptAt == nil)
            let first = try await bed.deliveries(endpoint.id).first { $0.eventId == ids[0] }
            #expect(first?.status == .delivered && first?.lastStatus == 200 && (first?.attempts ?? 0) >= 4, "\(String(describing: first))")
        }
        await bed.shutdown()
    }

    @Test("signatures verify with the README's snippet, with both secrets during a rotation's overlap, the new alone after it")
    func signaturesAcrossRotation() async throws {
        let bed = try await DeliveryBed()
        let secrets = ["whsec_bed_a", "whsec_bed_b", "whsec_bed_c"]
        let receiver = try WebhookReceiver.start(secrets: secrets)
        let endpoint = try await bed.endpoint(url: receiver.url, secret: secrets[0])
        try await bed.running([bed.deliverer()]) {
            let first = try await bed.append(1)
            _ = await receiver.received { $0.count == 1 }
            _ = try await bed.db.database.rotateWebhookSecret(id: endpoint.id, secret: secrets[1], previousUntil: bed.now + 3600, by: Attribution(actor: "t"))
            let second = try await bed.append(1)
            _ = await receiver.received { $0.count == 2 }
            _ = try await bed.db.database.rotateWebhookSecret(id: endpoint.id, secret: secrets[2], previousUntil: bed.now - 1, by: Attribution(actor: "t"))
            let third = try await bed.append(1)
            let log = await receiver.received { $0.count == 3 }
            #expect(log.map(\.eventId) == [first[0], second[0], third[0]])
            #expect(log.map(\.verified) == [[0], [0, 1], [2]], "\(log.map(\.verified))")
        }
        await bed.shutdown()
    }

    @Test("an endpoint refused for the whole retry window is disabled, with its reason, its audit row and its log row failed")
    func disabledAfterTheWindow() async throws {
        let bed = try await DeliveryBed()
        let receiver = try WebhookReceiver.start(plan: Array(repeating: "500", count: 100))
        let endpoint = try await bed.endpoint(url: receiver.url)
        let ids = try await bed.append(2)
        try await bed.running([bed.deliverer()]) {
            _ = await receiver.received { $0.count >= 2 }
            let failing = try #require(try await bed.db.database.webhookEndpoint(id: endpoint.id))
            #expect(failing.enabled && failing.failures >= 1 && failing.nextAttemptAt != nil)
            // Three days and a second later, by the deliverer's clock: the next refusal disables it.
            bed.offset.withLock { $0 = 3 * 86_400 + 1 }
            let disabled = try await Self.eventually { try await bed.db.database.webhookEndpoint(id: endpoint.id).flatMap { $0.enabled ? nil : $0 } }
            #expect(disabled.disabledReason?.contains(ids[0]) == true && disabled.cursor != ids[0], "\(String(describing: disabled.disabledReason))")
            let sent = receiver.received().count
            try await Task.sleep(for: .seconds(1.5))
            #expect(receiver.received().count == sent, "a disabled endpoint was sent to")
            #expect(receiver.received().allSatisfy { $0.eventId == ids[0] })
        }
        let log = try await bed.deliveries(endpoint.id)
        #expect(log.map(\.status) == [.failed] && log.first?.lastStatus == 500)
        let audit = try await bed.db.column("SELECT actor || ' ' || action FROM audit_log WHERE subject = \(endpoint.id) ORDER BY id")
        #expect(audit == ["test subscribe", "webhook-delivery disable-endpoint"])
        await bed.shutdown()
    }

    @Test("two deliverers on one database push to one endpoint one at a time, in order, with no duplicate")
    func twoDeliverersKeepOrder() async throws {
        let bed = try await DeliveryBed()
        let receiver = try WebhookReceiver.start(plan: Array(repeating: "slow:0.03", count: 40))
        _ = try await bed.endpoint(url: receiver.url)
        var ids: [String] = []
        try await bed.running([bed.deliverer(owner: "one"), bed.deliverer(owner: "two")]) {
            for _ in 0..<8 {
                ids += try await bed.append(5)
                try await Task.sleep(for: .milliseconds(70))
            }
            let log = await receiver.received { $0.count >= ids.count }
            #expect(log.map(\.eventId) == ids, "\(log.map { $0.eventId ?? "?" })")
        }
        await bed.shutdown()
    }

    @Test("a receiver killed mid-delivery gets that event again once it is back, then the rest, in order")
    func receiverKilledMidDelivery() async throws {
        let bed = try await DeliveryBed()
        let first = try WebhookReceiver.start(plan: ["200", "die"])
        _ = try await bed.endpoint(url: first.url)
        let ids = try await bed.append(4)
        try await bed.running([bed.deliverer()]) {
            _ = await first.received { $0.count == 2 }
            #expect(await Self.exits(first))
            let second = try WebhookReceiver.start(port: first.port, log: first.log)
            let log = await second.received { WebhookReceiver.Received.firstArrivals($0.accepted) == ids }
            #expect(log.map(\.eventId) == [ids[0], ids[1], ids[1], ids[2], ids[3]], "\(log.map { $0.eventId ?? "?" })")
            second.kill()
        }
        await bed.shutdown()
    }

    @Test("a name that resolves to a refused range is refused at connect: nothing reaches the receiver, the log says why")
    func refusedAtConnect() async throws {
        let bed = try await DeliveryBed()
        let receiver = try WebhookReceiver.start()
        let endpoint = try await bed.endpoint(url: "http://localhost:\(receiver.port)/hook")
        try await bed.append(1)
        try await bed.running([bed.deliverer(refusing: { AddressRange.refused($0) })]) {
            let held = try await Self.eventually { try await bed.deliveries(endpoint.id).first }
            #expect(held.status == .pending && held.lastStatus == nil)
            #expect(held.lastError?.contains("address_refused") == true && held.lastError?.contains("loopback") == true, "\(held)")
        }
        #expect(receiver.received().isEmpty)
        await bed.shutdown()
    }

    @Test("a redelivery goes out once, marked, without moving the cursor; a replay sends every later event again, in order")
    func redeliveryAndReplay() async throws {
        let bed = try await DeliveryBed()
        let receiver = try WebhookReceiver.start()
        let endpoint = try await bed.endpoint(url: receiver.url)
        let ids = try await bed.append(3)
        let by = Attribution(actor: "ops")
        try await bed.running([bed.deliverer()]) {
            _ = await receiver.received { $0.count == 3 }
            guard case .queued(let queued) = try await bed.db.database.requestRedelivery(endpointId: endpoint.id, event: EventCursor(ids[0])!, by: by)
            else { throw HarnessError(message: "not queued") }
            #expect(queued.redelivery && queued.status == .pending)
            var log = await receiver.received { $0.count == 4 }
            #expect(log.last?.eventId == ids[0] && log.last?.redelivery == true)
            #expect(try await bed.db.database.webhookEndpoint(id: endpoint.id)?.cursor == ids[2])
            let ahead = try await bed.db.database.replayWebhookEndpoint(id: endpoint.id, after: EventCursor(xid: UInt64.max >> 2, seq: 1), by: by)
            #expect(ahead == .ahead(current: ids[2]))
            guard case .moved = try await bed.db.database.replayWebhookEndpoint(id: endpoint.id, after: EventCursor(ids[0])!, by: by) else {
                throw HarnessError(message: "not moved")
            }
            log = await receiver.received { $0.count == 6 }
            #expect(log.map(\.eventId) == ids + [ids[0], ids[1], ids[2]] && log.map(\.redelivery) == [false, false, false, true, false, false])
            let rows = try await Self.eventually {
                let rows = try await bed.deliveries(endpoint.id)
                return rows.contains { $0.eventId == ids[2] && !$0.redelivery && $0.attempts == 2 } ? rows : nil
            }
            #expect(rows.filter(\.redelivery).map(\.status) == [.delivered])
            #expect(rows.filter { !$0.redelivery && $0.eventId != ids[0] }.allSatisfy { $0.attempts == 2 && $0.status == .delivered })
        }
        await bed.shutdown()
    }

    @Test("a claim is fenced by a later claim, a change of URL, types or enabled, a replay and a delete; not by a description")
    func fences() async throws {
        let bed = try await DeliveryBed()
        let endpoint = try await bed.endpoint(url: "http://127.0.0.1:9/hook")
        let ids = try await bed.append(1)
        let event = try #require(try await bed.db.database.events(after: .start, limit: 1).first)
        let by = Attribution(actor: "ops")
        let changes: [(String, WebhookEndpointChange?, Bool)] = [
            ("description", WebhookEndpointChange(description: .some("x")), true), ("url", WebhookEndpointChange(url: "http://127.0.0.1:8/h"), false),
            ("events", WebhookEndpointChange(events: .only(["payment-succeeded"])), false), ("disable", WebhookEndpointChange(enabled: false), false),
            ("replay", nil, false),
        ]
        for (name, change, holds) in changes {
            _ = try await bed.db.database.updateWebhookEndpoint(id: endpoint.id, WebhookEndpointChange(events: .all, enabled: true), by: by)
            let claim = try #require(try await bed.db.database.claimWebhookEndpoints(owner: "t", now: bed.now, limit: 1, lease: .seconds(30)).first, "\(name)")
            if let change { _ = try await bed.db.database.updateWebhookEndpoint(id: endpoint.id, change, by: by) } else {
                _ = try await bed.db.database.replayWebhookEndpoint(id: endpoint.id, after: .start, by: by)
            }
            let held = try await bed.db.database.recordAttempt(
                on: event, of: claim.lease, DeliveryAttempt(status: 200, error: nil), decided: .advance, delivery: claim.delivery, extending: .seconds(30))
            #expect(held == holds, "\(name)")
            try await bed.db.database.release(claim.lease)
            _ = try await bed.db.database.replayWebhookEndpoint(id: endpoint.id, after: .start, by: by)
        }
        let first = try #require(try await bed.db.database.claimWebhookEndpoints(owner: "a", now: bed.now, limit: 1, lease: .zero).first)
        let second = try #require(try await bed.db.database.claimWebhookEndpoints(owner: "b", now: bed.now, limit: 1, lease: .seconds(30)).first)
        #expect(second.lease.generation == first.lease.generation + 1)
        let attempt = DeliveryAttempt(status: 200, error: nil)
        #expect(try await !bed.db.database.recordAttempt(on: event, of: first.lease, attempt, decided: .advance, delivery: first.delivery, extending: .seconds(1)))
        #expect(try await bed.db.database.claimWebhookEndpoints(owner: "c", now: bed.now, limit: 1, lease: .seconds(30)).isEmpty, "held by b")
        _ = try await bed.db.database.deleteWebhookEndpoint(id: endpoint.id, by: by)
        #expect(try await !bed.db.database.recordAttempt(on: event, of: second.lease, attempt, decided: .advance, delivery: second.delivery, extending: .seconds(1)))
        _ = ids
        await bed.shutdown()
    }

    @Test("dropping the held event's type moves the endpoint on at once: its row ends failed, the next event starts afresh")
    func droppedTypePassesOver() async throws {
        let bed = try await DeliveryBed()
        let receiver = try WebhookReceiver.start(plan: ["500"])
        let endpoint = try await bed.endpoint(url: receiver.url)
        let held = try await bed.append(1, type: "payment-failed")
        try await bed.running([bed.deliverer(schedule: DeliverySchedule(base: 600, cap: 600, window: 86_400))]) {
            _ = await receiver.received { $0.count == 1 }
            _ = try await Self.eventually { try await bed.db.database.webhookEndpoint(id: endpoint.id).flatMap { $0.failures == 1 ? $0 : nil } }
            _ = try await bed.db.database.updateWebhookEndpoint(
                id: endpoint.id, WebhookEndpointChange(events: .only(["payment-succeeded"])), by: Attribution(actor: "ops"))
            let next = try await bed.append(1)
            let log = await receiver.received { $0.count == 2 }
            #expect(log.map(\.eventId) == [held[0], next[0]])
            let rows = try await Self.eventually {
                let rows = try await bed.deliveries(endpoint.id)
                return rows.count == 2 && rows.allSatisfy({ $0.status != .pending }) ? rows : nil
            }
            #expect(rows.map(\.status) == [.delivered, .failed] && rows.last?.lastError?.contains("passed over") == true)
            #expect(try await bed.db.database.webhookEndpoint(id: endpoint.id)?.failures == 0)
        }
        await bed.shutdown()
    }

    @Test("disabling an endpoint ends its waiting redeliveries")
    func disablingEndsRedeliveries() async throws {
        let bed = try await DeliveryBed()
        let endpoint = try await bed.endpoint(url: "http://127.0.0.1:9/hook")
        let ids = try await bed.append(1)
        let by = Attribution(actor: "ops")
        _ = try await bed.db.database.requestRedelivery(endpointId: endpoint.id, event: EventCursor(ids[0])!, by: by)
        _ = try await bed.db.database.updateWebhookEndpoint(id: endpoint.id, WebhookEndpointChange(enabled: false), by: by)
        let rows = try await bed.deliveries(endpoint.id)
        #expect(rows.map(\.status) == [.failed] && rows.first?.lastError == "the endpoint was disabled")
        await bed.shutdown()
    }

    @Test("ended delivery rows go after 30 days; pending ones stay")
    func deliveryLogRetention() async throws {
        let bed = try await DeliveryBed()
        let endpoint = try await bed.endpoint(url: "http://127.0.0.1:9/hook")
        let ids = try await bed.append(2)
        _ = try await bed.db.column(
            """
            INSERT INTO webhook_deliveries (endpoint_id, event_xid, event_seq, event_type, status, updated_at)
            SELECT \(endpoint.id)::uuid, xid, seq, type, CASE WHEN seq = (SELECT min(seq) FROM events) THEN 'delivered' ELSE 'pending' END,
                   clock_timestamp() - interval '31 days'
            FROM events RETURNING id
            """)
        let purged = try await bed.db.database.purgeExpired(.standard)
        #expect(purged.webhookDeliveries == 1)
        #expect(try await bed.deliveries(endpoint.id).map(\.eventId) == [ids[1]])
        await bed.shutdown()
    }

    static func eventually<T>(within timeout: Duration = .seconds(15), _ probe: () async throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let value = try await probe() { return value }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError(message: "timed out waiting")
    }

    static func exits(_ receiver: WebhookReceiver) async -> Bool {
        for _ in 0..<100 where receiver.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        return !receiver.isRunning
    }
}

@Suite("Pushed webhooks under concurrent writers")
struct WebhookConcurrentWriterTests {
    @Test("events written by many concurrent transactions while two deliverers retry: first arrivals in feed order")
    func concurrentWriters() async throws {
        let bed = try await DeliveryBed()
        let port = try DeliveryBed.closedPort()
        let endpoint = try await bed.endpoint(url: "http://127.0.0.1:\(port)/hook")
        let writers = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        for _ in 0..<60 {
                            try await bed.append(1)
                            try await Task.sleep(for: .milliseconds(Int.random(in: 5...60)))
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        var receiver: WebhookReceiver?
        try await bed.running([bed.deliverer(owner: "one"), bed.deliverer(owner: "two")]) {
            try await Task.sleep(for: .seconds(1.5))
            receiver = try WebhookReceiver.start(port: port, plan: ["500", "200", "500"])
            try await writers.value
            let feed = try await bed.db.column("SELECT xid::text || '-' || seq FROM events ORDER BY xid, seq").compactMap { $0 }
            let log = await receiver!.received(within: .seconds(30)) { WebhookReceiver.Received.firstArrivals($0.accepted) == feed }
            #expect(WebhookReceiver.Received.firstArrivals(log) == feed, "\(log.prefix(6).map { ($0.eventId ?? "", $0.action) }) feed \(feed.prefix(4))")
            _ = endpoint
        }
        receiver?.kill()
        await bed.shutdown()
    }
}
