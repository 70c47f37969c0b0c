import Foundation
@testable import StripeGateway

/// An `HTTPTransport` that answers every request with a Stripe-shaped intent whose id is the path's last
/// segment, and counts how many requests are inside it at once. Holding, it keeps each request until the
/// test releases it (oldest first); otherwise it answers at once.
final class FakeTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private let holds: Bool
    private let onEnter: @Sendable (CurlRequest) -> Void
    private var entered: [CurlRequest] = []
    private var held: [CheckedContinuation<Void, Never>] = []
    private var inside = 0
    private var mostInside = 0

    init(holding holds: Bool, onEnter: @escaping @Sendable (CurlRequest) -> Void = { _ in }) {
        self.holds = holds
        self.onEnter = onEnter
    }

    /// The ids of the requests that reached the transport, in the order they did.
    var enteredIds: [String] { lock.withLock { entered.map(Self.id) } }
    var heldCount: Int { lock.withLock { held.count } }
    /// The most requests inside the transport at one time.
    var mostAtOnce: Int { lock.withLock { mostInside } }

    func send(_ request: CurlRequest) async throws(HTTPTransportError) -> CurlResponse {
        onEnter(request)
        await withCheckedContinuation { continuation in
            let hold = lock.withLock {
                entered.append(request)
                inside += 1
                mostInside = max(mostInside, inside)
                if holds { held.append(continuation) }
                return holds
            }
            if !hold { continuation.resume() }
        }
        lock.withLock { inside -= 1 }
        return CurlResponse(status: 200, headers: ["request-id": "req_fake"], body: Array(StripeJSON.intent(id: Self.id(request)).utf8))
    }

    /// Lets the oldest held request answer; false when none is held.
    @discardableResult
    func releaseOldest() -> Bool {
        let next = lock.withLock { held.isEmpty ? nil : held.removeFirst() }
        next?.resume()
        return next != nil
    }

    private static func id(_ request: CurlRequest) -> String {
        String(request.url.split(separator: "/").last?.split(separator: "?").first ?? "")
    }
}

/// A `GatewayClock` that moves only when the test advances it; sleepers wake when it passes their deadline.
final class ManualClock: GatewayClock, @unchecked Sendable {
    let start = ContinuousClock.now
    private let lock = NSLock()
    private var offset: Duration = .zero
    private var nextId = 0
    private var sleepers: [(id: Int, deadline: ContinuousClock.Instant, continuation: CheckedContinuation<Void, any Error>)] = []

    var now: ContinuousClock.Instant { lock.withLock { start + offset } }
    /// Time since the clock was made.
    var elapsed: Duration { lock.withLock { offset } }
    var sleeping: Int { lock.withLock { sleepers.count } }

    func sleep(until deadline: ContinuousClock.Instant) async throws {
        let id = lock.withLock { () -> Int in
            nextId += 1
            return nextId
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = lock.withLock { () -> Result<Void, any Error>? in
                    // Under the lock: a cancel either came before (seen here) or will find the sleeper.
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if deadline <= start + offset { return .success(()) }
                    sleepers.append((id, deadline, continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let sleeper = lock.withLock { () -> CheckedContinuation<Void, any Error>? in
                guard let index = sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return sleepers.remove(at: index).continuation
            }
            sleeper?.resume(throwing: CancellationError())
        }
    }

    func advance(by step: Duration) {
        let due = lock.withLock { () -> [CheckedContinuation<Void, any Error>] in
            offset += step
            let now = start + offset
            let due = sleepers.filter { $0.deadline <= now }
            sleepers.removeAll { $0.deadline <= now }
            return due.map(\.continuation)
        }
        due.forEach { $0.resume() }
    }
}

/// Waits (polling, without a wall-time assumption beyond a generous give-up) until `condition` holds.
func eventually(within limit: Duration = .seconds(20), _ condition: () async -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let giveUp = clock.now + limit
    while clock.now < giveUp {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(1))
    }
    return await condition()
}

/// Stamps are appended from the transport's callers' tasks.
final class Stamps: @unchecked Sendable {
    private let lock = NSLock()
    private var stamps: [Duration] = []

    var all: [Duration] { lock.withLock { stamps } }
    var count: Int { lock.withLock { stamps.count } }
    func append(_ stamp: Duration) { lock.withLock { stamps.append(stamp) } }
}
