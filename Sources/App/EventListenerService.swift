import ServiceLifecycle
import Store

/// Runs the process's one `LISTEN` connection for the event streams. Placed after the API in the group, it
/// stops first on graceful shutdown and closes the signal, which ends every open stream, so long-lived
/// streams never hold the HTTP server's shutdown up.
struct EventListenerService: Service {
    let listener: NotificationListener
    let signal: EventSignal

    func run() async throws {
        listener.start()
        try? await gracefulShutdown()
        listener.stop()
        signal.close()
    }
}
