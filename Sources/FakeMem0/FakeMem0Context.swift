import Hummingbird

/// The request context of the fake: Hummingbird's basics plus a way to drop the connection.
struct FakeMem0Context: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// Closes the client connection without an answer (the `resetConnection` fault).
    let closeConnection: @Sendable () -> Void

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        let channel = source.channel
        closeConnection = { channel.close(promise: nil) }
    }
}
