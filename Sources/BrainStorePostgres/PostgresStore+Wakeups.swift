import BrainCore
import Foundation
import PostgresNIO

/// What daemons sharing a database tell each other through LISTEN/NOTIFY.
public struct ClusterSignals: Sendable {
    /// A row became due for a push anywhere on the database.
    public var wake: @Sendable () -> Void
    /// Another daemon's Mem0 gate paused for this long (a 429, a `Retry-After`, an outage).
    public var pause: @Sendable (Duration) -> Void

    /// A load job was started, or a chunk given back: there are owners to load.
    public var load: @Sendable () -> Void

    public init(
        wake: @escaping @Sendable () -> Void, pause: @escaping @Sendable (Duration) -> Void = { _ in },
        load: @escaping @Sendable () -> Void = {}
    ) {
        self.wake = wake
        self.pause = pause
        self.load = load
    }
}

extension PostgresStore {
    /// The channel schema 0006's triggers notify when a row becomes due for a push, whoever
    /// wrote it: this daemon, another daemon on the database, or another program.
    static let pushChannel = "braind_push"
    /// The channel a daemon's Mem0 gate announces its pauses on: one Mem0 budget for all.
    static let pauseChannel = "braind_mem0_pause"

    /// Delivers the cluster's signals until the task is cancelled. Listens on a connection of its
    /// own (a pooled one goes back to the pool); when that connection is lost it reconnects with
    /// a growing pause and wakes the push worker and the load worker once, for whatever was
    /// written while nobody listened. This daemon's own pause announcements are not delivered back to it.
    public func listen(_ signals: ClusterSignals) async {
        var pause: Duration = .milliseconds(250)
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: try url.connectionConfiguration(options: options), id: 1, logger: logger)
                pause = .milliseconds(250)
                signals.wake()
                signals.load()
                do {
                    try await withTaskCancellationHandler {
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask {
                                try await connection.listen(on: Self.pushChannel) { notifications in
                                    for try await _ in notifications { signals.wake() }
                                }
                            }
                            group.addTask {
                                try await connection.listen(on: Self.pauseChannel) { notifications in
                                    for try await notification in notifications {
                                        if let delay = self.pauseFromOtherDaemon(notification.payload) { signals.pause(delay) }
                                    }
                                }
                            }
                            group.addTask {
                                try await connection.listen(on: Self.loadChannel) { notifications in
                                    for try await _ in notifications { signals.load() }
                                }
                            }
                            // Any listener ending means the connection is gone: start over.
                            try await group.next()
                            group.cancelAll()
                        }
                    } onCancel: {
                        connection.close().whenComplete { _ in }
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch {
                guard !Task.isCancelled else { return }
                logger.notice("cluster signals from PostgreSQL stopped; reconnecting", metadata: [
                    "braind.error": "\(PostgresErrors.reason(error))", "braind.retry_in": "\(pause)",
                ])
            }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(10))
        }
    }

    /// Tells the other daemons that this one's Mem0 gate paused for `delay`. Best effort: a
    /// daemon that misses it finds out from its own next call.
    public func announcePause(_ delay: Duration) async {
        do {
            let payload = try CanonicalJSON.encode(ClusterPause(daemon: daemonID, seconds: delay.seconds))
            try await transaction { connection in
                _ = try await connection.rows("SELECT pg_notify(\(Self.pauseChannel), \(payload))", logger: self.logger)
            }
        } catch {
            logger.notice("could not tell the other daemons of a Mem0 pause", metadata: ["braind.error": "\(error)"])
        }
    }

    private func pauseFromOtherDaemon(_ payload: String) -> Duration? {
        guard let pause = try? JSONDecoder().decode(ClusterPause.self, from: Data(payload.utf8)),
              pause.daemon != daemonID, pause.seconds.isFinite, pause.seconds > 0
        else { return nil }
        return .milliseconds(Int(min(pause.seconds, 86_400) * 1_000))
    }
}

/// The payload of a pause announcement.
struct ClusterPause: Codable, Sendable {
    var daemon: String
    var seconds: Double
}
