import BrainCore
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The start-up check: one connection and one query, within a deadline. The pool never gives up
/// on a server it cannot reach (it retries, logging at info), so a wrong host or password would
/// hang the start; a single connection fails in milliseconds and says why.
enum PostgresProbe {
    /// - Returns: the server's version.
    static func check(_ url: PostgresURL, deadline: Duration, logger: Logger) async throws -> String {
        var options = PostgresStoreOptions()
        options.probeDeadline = deadline
        options.queryDeadline = deadline
        let configuration: PostgresConnection.Configuration
        do {
            configuration = try url.connectionConfiguration(options: options)
        } catch {
            throw PostgresStoreError.unreachable(location: url.location, reason: "TLS set-up failed: \(error)")
        }
        let race = DeadlineRace<String>()
        do {
            return try await withCheckedThrowingContinuation { continuation in
                race.start(
                    continuation,
                    work: Task {
                        race.finish(with: await Result(awaiting: {
                            let connection = try await PostgresConnection.connect(
                                configuration: configuration, id: 1, logger: logger)
                            let version: String
                            do {
                                version = try await connection.query("SHOW server_version", logger: logger)
                                    .collect().first?.decode(String.self) ?? "unknown"
                            } catch {
                                try? await connection.close()
                                throw error
                            }
                            try await connection.close()
                            return version
                        }))
                    },
                    timer: Task {
                        guard (try? await Task.sleep(for: deadline)) != nil else { return }
                        race.finish(with: .failure(PostgresStoreError.unreachable(
                            location: url.location, reason: "no answer within \(deadline)")))
                    })
            }
        } catch let error as PostgresStoreError {
            throw error
        } catch {
            throw PostgresStoreError.unreachable(location: url.location, reason: scrub(PostgresErrors.reason(error), url: url))
        }
    }

    /// The reason never carries the password, even if a driver message ever echoed it.
    private static func scrub(_ reason: String, url: PostgresURL) -> String {
        guard let password = url.password?.value, !password.isEmpty else { return reason }
        return reason.replacingOccurrences(of: password, with: "<redacted>")
    }
}
