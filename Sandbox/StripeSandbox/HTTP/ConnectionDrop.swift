import Hummingbird
import NIOCore

/// `drop_before` / `drop_after`: the client must see a connection that died without any HTTP answer
/// (curl: "Empty reply from server"). Hummingbird has no response that means "say nothing", so the
/// handler closes the connection's NIO channel itself (the request context carries it) and returns
/// a placeholder response; Hummingbird's attempt to write that to the closed channel fails and is
/// dropped (it logs at trace level). Note that libcurl retries a request once, on a fresh connection,
/// when a reused keep-alive connection dies before any answer: a client may so see two draws.
enum ConnectionDrop {
    static func close(_ channel: any Channel) async -> Response {
        try? await channel.close()
        return Response(status: .internalServerError)
    }
}
