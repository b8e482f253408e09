import BrainCore
import Foundation
import Logging
import PostgresNIO

/// One entry of the append-only `events` journal.
struct JournalEntry: Sendable {
    var kind: EventKind
    var brain: BrainKind
    var ownerID: String
    var recordID: String?
    var slug: String?
    var version: Int?
    /// A JSON object, optional.
    var detail: String? = nil
}

extension PostgresStore {
    /// Appends entries inside the caller's transaction, so each exists exactly when the change it
    /// records does. One statement for the whole batch; the driver binds no arrays of optionals,
    /// so absent values travel as '' or -1 (never a real id, slug, version or detail).
    static func journal(_ entries: [JournalEntry], on connection: PostgresConnection, logger: Logger) async throws {
        guard !entries.isEmpty else { return }
        try await connection.execute(
            """
            INSERT INTO events (kind, brain, owner_id, record_id, slug, version, detail)
            SELECT k, b, o, nullif(r, ''), nullif(s, ''), nullif(v, -1), nullif(d, '')::jsonb
            FROM unnest(\(entries.map(\.kind.rawValue)), \(entries.map(\.brain.rawValue)), \(entries.map(\.ownerID)),
                        \(entries.map { $0.recordID ?? "" }), \(entries.map { $0.slug ?? "" }),
                        \(entries.map { $0.version ?? -1 }), \(entries.map { $0.detail ?? "" })) AS t(k, b, o, r, s, v, d)
            """, logger: logger)
    }

    static func journal(_ entry: JournalEntry, on connection: PostgresConnection, logger: Logger) async throws {
        try await journal([entry], on: connection, logger: logger)
    }

    /// Deletes journal entries older than `cutoff`, at most `batch` per transaction so that saves
    /// never wait long behind the pruning. Returns how many entries went.
    @discardableResult
    public func pruneEvents(olderThan cutoff: Date, batch: Int = 5_000) async throws -> Int {
        var removed = 0
        while true {
            let count = try await transaction { connection in
                try await connection.execute(
                    """
                    DELETE FROM events WHERE id IN (SELECT id FROM events WHERE at < \(cutoff) ORDER BY id LIMIT \(batch))
                    RETURNING 1
                    """, logger: self.logger)
            }
            removed += count
            if count < batch { return removed }
        }
    }

    /// Entries in the journal, for status and tests.
    public func eventCount() async throws -> Int {
        try await read { connection in
            try await connection.rows("SELECT count(*) FROM events", logger: self.logger).first?.decode(Int.self) ?? 0
        }
    }
}
