import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// A local stand-in for the Mem0 Platform REST API, with fault injection, run in-process.
///
/// ```swift
/// let server = FakeMem0Server()
/// try await server.start()                 // returns once listening
/// defer { Task { await server.stop() } }
/// let client = Mem0HTTPClient(settings: .init(apiKey: FakeMem0Settings.defaultAPIKey, baseURL: server.baseURL))
/// ```
///
/// The accepted API key is ``FakeMem0Settings/defaultAPIKey`` (`test-key`) unless the
/// configuration says otherwise; set ``FakeMem0Settings/apiKey`` to nil to accept any key.
/// Tests control the fake through the methods in `FakeMem0Server+Control.swift`, or over HTTP
/// through the routes under `/_control/` (see ``FakeMem0ControlRoutes``).
public final class FakeMem0Server: Sendable {
    /// Where to listen and how to behave at start (and after ``reset()``).
    public struct Configuration: Sendable {
        /// Interface to bind; loopback by default.
        public var host: String
        /// Port to bind; 0 picks a free ephemeral port.
        public var port: Int
        /// Initial behaviour.
        public var settings: FakeMem0Settings
        /// Server logger. Defaults to warnings only, to keep test output quiet.
        public var logger: Logger
        /// How long ``FakeMem0Server/stop()`` lets connections finish before it cuts them.
        public var stopGracePeriod: Duration

        /// Creates a configuration.
        /// - Parameters:
        ///   - host: Defaults to `127.0.0.1`.
        ///   - port: Defaults to 0 (ephemeral).
        ///   - settings: Defaults to key `test-key`, no latency, documented add behaviour.
        ///   - logger: Defaults to a `fake-mem0` logger at `.warning`.
        ///   - stopGracePeriod: Defaults to 10 seconds, as `docker stop` gives.
        public init(
            host: String = "127.0.0.1", port: Int = 0, settings: FakeMem0Settings = .init(), logger: Logger? = nil,
            stopGracePeriod: Duration = .seconds(10)
        ) {
            self.host = host
            self.port = port
            self.settings = settings
            self.stopGracePeriod = stopGracePeriod
            self.logger = logger ?? {
                var logger = Logger(label: "fake-mem0")
                logger.logLevel = .warning
                return logger
            }()
        }
    }

    /// Errors of starting and stopping.
    public enum ServerError: Error, Sendable {
        /// `start()` was called on a server that was already started.
        case alreadyStarted
        /// The server stopped before it was listening, without an error of its own.
        case didNotStart
    }

    private struct State {
        var port = 0
        var task: Task<Void, any Error>?
        var group: ServiceGroup?
        var delivering: Task<Void, Never>?
        var started = false
    }

    /// The configuration the server was created with.
    public let configuration: Configuration
    let store: FakeMem0Store
    let deliverer: FakeMem0WebhookDeliverer
    private let state = Mutex(State())
    private let stopping = FakeMem0LogHandler.StopFlag()
    private let sleeps = FakeMem0Sleeps()

    /// Creates a stopped server; call ``start()``.
    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
        self.store = FakeMem0Store(settings: configuration.settings)
        self.deliverer = FakeMem0WebhookDeliverer(store: store, logger: configuration.logger)
    }

    deinit {
        sleeps.cancelAll()
        state.withLock { $0.delivering?.cancel() }
        if let group = state.withLock({ $0.group }) {
            Task { await group.triggerGracefulShutdown() }
        }
    }

    /// The bound port; 0 before ``start()`` returns.
    public var port: Int { state.withLock { $0.port } }

    /// `http://HOST:PORT`, the base URL to give the client.
    public var baseURL: URL { URL(string: "http://\(configuration.host):\(port)")! }

    /// Binds and starts serving; returns once the server is listening.
    public func start() async throws {
        try state.withLock { state in
            guard !state.started else { throw ServerError.alreadyStarted }
            state.started = true
        }
        let router = Router(context: FakeMem0Context.self)
        FakeMem0PlatformRoutes(store: store, sleeps: sleeps).register(on: router)
        FakeMem0ControlRoutes(store: store).register(on: router)
        let (listening, announce) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "fake-mem0"),
            onServerRunning: { channel in
                announce.yield(channel.localAddress?.port ?? 0)
                announce.finish()
            },
            logger: Logger(label: configuration.logger.label) { [upstream = configuration.logger.handler, stopping] _ in
                FakeMem0LogHandler(upstream: upstream, stopping: stopping)
            }
        )
        let group = ServiceGroup(
            configuration: .init(services: [app], gracefulShutdownSignals: [], logger: configuration.logger))
        let task = Task {
            defer { announce.finish() }
            try await group.run()
        }
        let delivering = Task { [deliverer] in await deliverer.run() }
        state.withLock { state in
            state.task = task
            state.group = group
            state.delivering = delivering
        }
        var iterator = listening.makeAsyncIterator()
        guard let port = await iterator.next() else {
            // The server ended before listening: surface its error (e.g. the port is taken).
            try await task.value
            throw ServerError.didNotStart
        }
        state.withLock { $0.port = port }
    }

    /// Stops serving and waits until the server is down.
    ///
    /// The stop is graceful, as cancelling the server task can crash the process (see
    /// ``FakeMem0Sleeps``), but waits are cut short, so a `storeThenTimeout` hang or a long
    /// latency does not hold the test up: those requests fail. A connection that still holds
    /// the server after the configured ``Configuration/stopGracePeriod`` (a client sending a body
    /// that never ends) is cut.
    public func stop() async {
        let (task, group, delivering) = state.withLock { state in
            defer {
                state.task = nil
                state.group = nil
                state.delivering = nil
            }
            return (state.task, state.group, state.delivering)
        }
        delivering?.cancel()
        guard let task, let group else { return }
        stopping.set()
        sleeps.cancelAll()
        await group.triggerGracefulShutdown()
        let force = Task { [grace = configuration.stopGracePeriod] in
            try await Task.sleep(for: grace)
            task.cancel()
        }
        _ = await task.result
        force.cancel()
    }
}
