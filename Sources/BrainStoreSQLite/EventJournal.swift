import BrainCore
import GRDB

enum EventJournal {
    /// Appends one journal entry inside the caller's transaction, so the entry exists exactly when
    /// the change it records does.
    static func append(
        _ kind: EventKind, brain: BrainKind, ownerID: String, recordID: String?, slug: String?,
        version: Int?, detail: String? = nil, in db: Database
    ) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO events (at, kind, brain, owner_id, record_id, slug, version, detail)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [Timestamp.now(), kind.rawValue, brain.rawValue, ownerID, recordID, slug, version, detail])
    }
}
