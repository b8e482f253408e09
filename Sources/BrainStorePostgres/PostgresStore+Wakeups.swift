import BrainCore
import Foundation
import PostgresNIO

extension PostgresStore {
    /// The channel schema 0006's triggers notify when a row becomes due for a push, whoever
    /// wrote it: this daemon, another daemon on the database, or another program.
    static let pushChannel = "braind_push"

    /// Calls `wake` whenever a row becomes due for a push anywhere on the database, until the task
    /// is cancelled. Listens on a connection of its own (a pooled one goes back to the pool); when
    /// that connection is lost it reconnects with a growing pause and calls `wake` once, for
    /// whatever was written while nobody listened.
    public func listenForPushes(_ wake: @escaping @Sendable () -> Void) async {
        var pause: Duration = .milliseconds(250)
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: try url.connectionConfiguration(options: options), id: 1, logger: logger)
                pause = .milliseconds(250)
                wake()
                do {
                    try await withTaskCancellationHandler {
                        try await connection.listen(on: Self.pushChannel) { notifications in
                            for try await _ in notifications { wake() }
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
                logger.notice("push wake-ups from PostgreSQL stopped; reconnecting", metadata: [
                    "braind.error": "\(PostgresErrors.reason(error))", "braind.retry_in": "\(pause)",
                ])
            }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(10))
        }
    }
}
