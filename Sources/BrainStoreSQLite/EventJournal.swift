import BrainCore
import GRDB

enum EventJournal {
    /// Appends one journal entry inside the caller's transaction, so the entry exists exactly when
    /// the change it records does. Every save appends one (see DirectStatement).
    /// - Parameter at: when; a save passes its row's timestamp, so both say the same instant.
    static func append(
        _ kind: EventKind, brain: BrainKind, ownerID: String, recordID: String?, slug: String?,
        version: Int?, detail: String? = nil, at: String = Timestamp.now(), in db: Database
    ) throws {
        let insert = try DirectStatement(
            db,
            sql: """
                INSERT INTO events (at, kind, brain, owner_id, record_id, slug, version, detail)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
        insert.bind(at, kind.rawValue, brain.rawValue, ownerID, recordID, slug)
        insert.bind(7, version)
        insert.bind(8, detail)
        try insert.execute()
    }
}
