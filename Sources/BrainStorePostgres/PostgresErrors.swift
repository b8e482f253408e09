import BrainCore
import NIOCore
import PostgresNIO
import _ConnectionPoolModule

/// How driver errors reach callers. A lost or unwilling server becomes
/// `BrainError.storageUnavailable` (HTTP 503, the same case the SQLite store uses for a lost
/// file); what the caller got wrong is a `BrainError` already; anything else is a bug and passes
/// through with its SQLSTATE.
enum PostgresErrors {
    static func map(_ error: any Error) -> any Error {
        let error = unwrap(error)
        switch error {
        case is BrainError, is PostgresStoreError, is BulkWorkStopped, is CancellationError:
            return error
        case is ConcurrentInsert:
            return BrainError.storageUnavailable(reason: "concurrent saves of the same slugs kept conflicting; try again")
        case let error as PSQLError:
            if error.code == .server {
                let state = error.serverInfo?[.sqlState] ?? ""
                guard unavailableStates.contains(where: { state.hasPrefix($0) }) || isConflictState(state) else { return error }
                return BrainError.storageUnavailable(reason: reason(error))
            }
            return BrainError.storageUnavailable(reason: reason(error))
        case is ConnectionPoolError, is IOError, is ChannelError:
            return BrainError.storageUnavailable(reason: reason(error))
        default:
            return error
        }
    }

    /// The error that made a transaction fail: the closure's own (a `BrainError` stays one),
    /// else BEGIN's or COMMIT's. A failed COMMIT leaves the outcome unknown, which callers
    /// already treat like any storage failure: the save was not acknowledged.
    static func unwrap(_ error: any Error) -> any Error {
        guard let error = error as? PostgresTransactionError else { return error }
        return error.closureError.map(unwrap) ?? error.beginError ?? error.commitError ?? error.rollbackError ?? error
    }

    /// A save found a slug inserted by a concurrent batch after its read; retried like a deadlock.
    struct ConcurrentInsert: Error {}
    static let concurrentInsert = ConcurrentInsert()

    /// A deadlock or serialization failure: the transaction may simply be run again.
    static func isConflict(_ error: any Error) -> Bool {
        if unwrap(error) is ConcurrentInsert { return true }
        guard let error = unwrap(error) as? PSQLError, error.code == .server else { return false }
        return isConflictState(error.serverInfo?[.sqlState] ?? "")
    }

    private static func isConflictState(_ state: String) -> Bool { state == "40P01" || state == "40001" }

    /// SQLSTATE classes and codes that mean "the database cannot serve now": connection
    /// exceptions, insufficient resources (disk full, too many connections), operator
    /// intervention (shutdown, statement timeout), system errors, a read-only standby.
    private static let unavailableStates = ["08", "53", "57", "58", "25006"]

    /// A one-line reason without the password: PSQLError's own description is deliberately
    /// generic, so the server's message and SQLSTATE are taken from its fields.
    static func reason(_ error: any Error) -> String {
        let error = unwrap(error)
        if let error = error as? PSQLError {
            if error.code == .server, let info = error.serverInfo {
                let message = info[.message] ?? "server error"
                return info[.sqlState].map { "\(message) (SQLSTATE \($0))" } ?? message
            }
            if let underlying = error.underlying { return "\(error.code): \(underlying)" }
            return "\(error.code)"
        }
        return "\(error)"
    }
}
