/// Delayed work (webhook deliveries and their retries, a refund turning `failed`) handed to the
/// service's `run()`, which runs each job as a child task: nothing outlives the service.
struct BackgroundWork: Sendable {
    struct Job: Sendable {
        let delay: Duration
        let work: @Sendable () async -> Void
    }

    private let jobs: AsyncStream<Job>
    private let continuation: AsyncStream<Job>.Continuation

    init() {
        (jobs, continuation) = AsyncStream.makeStream(of: Job.self)
    }

    func schedule(after delay: Duration = .zero, _ work: @escaping @Sendable () async -> Void) {
        continuation.yield(Job(delay: delay, work: work))
    }

    /// Runs jobs until cancelled; pending ones are then dropped.
    func run() async {
        await withDiscardingTaskGroup { group in
            for await job in jobs {
                group.addTask {
                    if job.delay > .zero {
                        do { try await Task.sleep(for: job.delay) } catch { return }
                    }
                    await job.work()
                }
            }
        }
    }
}
