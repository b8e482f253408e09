import BrainCore
import Foundation
import Logging
import PostgresNIO

/// One daemon per database, as the SQLite store's file lock: a second braind on the same
/// database would take the first one's in-flight pushes back into the queue and Mem0 would get
/// duplicates. A session advisory lock on a connection held for the daemon's lifetime: the server
/// releases it the moment that connection ends, so a daemon killed with -9 leaves nothing behind.
public final class PostgresDaemonLock: Sendable {
    /// Any fixed 64-bit key; the migrations' transaction lock uses another.
    static let key: Int64 = 0x6272_6169_6e64_0001
    private let connection: PostgresConnection

    private init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Takes the lock and records who holds it, or refuses naming the holder.
    /// - Throws: `PostgresStoreError.lockedByAnotherDaemon` with the holder's host and pid.
    public static func acquire(url: PostgresURL, options: PostgresStoreOptions, logger: Logger) async throws -> PostgresDaemonLock {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: try url.connectionConfiguration(options: options), id: 0, logger: logger)
        } catch {
            throw PostgresStoreError.unreachable(location: url.location, reason: PostgresErrors.reason(error))
        }
        do {
            let taken = try await connection.query("SELECT pg_try_advisory_lock(\(key))", logger: logger)
                .collect().first?.decode(Bool.self) ?? false
            let holder = "pid \(getpid()) on \(ProcessInfo.processInfo.hostName)"
            guard taken else {
                let recorded = try await connection.query("SELECT value FROM daemon_state WHERE key = 'daemon_holder'", logger: logger)
                    .collect().first?.decode(String.self)
                try? await connection.close()
                throw PostgresStoreError.lockedByAnotherDaemon(location: url.location, holder: recorded ?? "another braind")
            }
            try await connection.query(
                """
                INSERT INTO daemon_state (key, value) VALUES ('daemon_holder', \(holder))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value
                """, logger: logger)
            return PostgresDaemonLock(connection: connection)
        } catch let error as PostgresStoreError {
            throw error
        } catch {
            try? await connection.close()
            throw PostgresStoreError.unreachable(location: url.location, reason: PostgresErrors.reason(error))
        }
    }

    /// Ends the session, which releases the lock.
    public func release() async {
        try? await connection.close()
    }
}
