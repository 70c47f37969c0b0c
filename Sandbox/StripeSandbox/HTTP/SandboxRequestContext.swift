import Hummingbird
import NIOCore

/// Hummingbird's basic context plus the connection's channel, which a `drop_*` fault closes.
struct SandboxRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
