import BrainCore

/// Why a PostgreSQL store could not start. Each message is one line that names where braind
/// looked (host, port, database) and never the password.
public enum PostgresStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The probe connection failed or did not answer before its deadline.
    case unreachable(location: String, reason: String)
    /// The database was migrated by a newer braind; this binary knows versions up to `supported`.
    case schemaNewer(found: Int, supported: Int, location: String)
    /// A migration failed; nothing of the pending migrations was kept (one transaction).
    case migrationFailed(version: Int, name: String, reason: String)

    public var description: String {
        switch self {
        case .unreachable(let location, let reason):
            "cannot reach PostgreSQL at \(location): \(reason)"
        case .schemaNewer(let found, let supported, let location):
            "the database at \(location) has schema version \(found), newer than this braind knows (\(supported)); "
                + "run a braind at least as new as the one that migrated it"
        case .migrationFailed(let version, let name, let reason):
            "PostgreSQL migration \(version) (\(name)) failed, nothing was changed: \(reason)"
        }
    }
}
