import HummingbirdCore
import Logging

/// How many connections braind serves at once, and how long an idle one may stay.
public struct ConnectionSettings: Sendable {
    /// Most connections open at once (`server.max_connections`). Past it braind stops accepting;
    /// new clients wait in the socket's backlog until a connection closes.
    public var maxConnections: Int
    /// How long a connection may go without a request in progress before it is closed
    /// (`server.idle_timeout_seconds`). It also bounds how long a request head may take to arrive.
    public var idleTimeout: Duration

    public init(maxConnections: Int = 512, idleTimeout: Duration = .seconds(60)) {
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
    }
}

/// Caps open connections below the file-descriptor limit. When accept() fails with EMFILE the
/// listening socket stays readable, so the event loop retried it forever: ping timed out and
/// braind spun a core, silently. Hummingbird stops reading the listening socket while this says
/// no, so waiting clients stay in the kernel's backlog instead.
///
/// Logs a warning once when the cap is reached and a notice once when connections fall back
/// below 90 % of it: one pair of lines per episode, however many clients come and go.
struct ConnectionCap: AvailableConnectionsDelegate {
    let limit: Int
    let logger: Logger
    private var open = 0
    private var atLimit = false

    init(limit: Int, logger: Logger) {
        self.limit = limit
        self.logger = logger
    }

    mutating func connectionOpened() {
        open += 1
        guard open >= limit, !atLimit else { return }
        atLimit = true
        logger.warning(
            "connection limit reached; new clients wait until connections close",
            metadata: ["braind.connections.limit": "\(limit)", "braind.hint": "raise server.max_connections or ulimit -n"])
    }

    mutating func connectionClosed() {
        open -= 1
        guard atLimit, open < limit * 9 / 10 else { return }
        atLimit = false
        logger.notice("connections below the limit again", metadata: ["braind.connections.open": "\(open)"])
    }

    func isAcceptingNewConnections() -> Bool {
        open < limit
    }
}
