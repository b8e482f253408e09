import BrainCore
import GRDB

/// The SQL `SearchIndex` runs on a connection that sees both the index's tables and the store's,
/// each under a schema name: a file index opens its own file as `main` and attaches the store as
/// `brain`; an in-memory store attaches an in-memory index as `search`. Following the store is
/// then pure SQL, in one transaction and one snapshot of the store: no row passes through Swift.
struct SearchIndexSQL: Sendable {
    /// The schema holding the index's tables.
    var index: String
    /// The schema holding the store's tables.
    var store: String

    /// Which store the index matches and how far it followed the store's list of changes.
    var createState: String {
        """
        CREATE TABLE IF NOT EXISTS \(index).index_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            format INTEGER NOT NULL,
            source TEXT NOT NULL,
            indexed_through INTEGER NOT NULL
        )
        """
    }

    /// Empties the index and refills it from the store. unicode61 with remove_diacritics 2 folds
    /// case and accents ("regimen propyme" finds "Régimen tributario: ProPyme General"); `owner`
    /// holds one token per owner ('o' + the owner's UUID without dashes) so a query is scoped to
    /// one owner inside the index. Each index row has the rowid of its brain row.
    var rebuild: String {
        var sql = "DELETE FROM \(index).index_state;\n"
        for brain in BrainKind.allCases {
            sql += """
                DROP TABLE IF EXISTS \(index).\(Self.table(brain));
                CREATE VIRTUAL TABLE \(index).\(Self.table(brain)) USING fts5(content, slug, category, owner, tokenize = 'unicode61 remove_diacritics 2');
                INSERT INTO \(index).\(Self.table(brain)) (rowid, content, slug, category, owner) \(liveRows(brain));

                """
        }
        return sql
    }

    /// Writes the mark once the tables hold the store up to `through`.
    func writeMark(_ db: Database, format: Int, source: String, through: Int64) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO \(index).index_state (id, format, source, indexed_through) VALUES (1, ?, ?, ?)",
            arguments: [format, source, through])
    }

    static func table(_ brain: BrainKind) -> String {
        brain == .company ? "company_search" : "user_search"
    }

    /// The store's live rows of one brain as the index holds them.
    private func liveRows(_ brain: BrainKind) -> String {
        "SELECT rowid, content, slug, coalesce(category, ''), 'o' || replace(\(brain.ownerColumn), '-', '') FROM \(store).\(brain.table) WHERE deleted = 0"
    }

    /// The rows of one brain listed in (from, through].
    private func listed(_ brain: BrainKind) -> String {
        "SELECT row FROM \(store).search_changes WHERE brain = \(brain == .company ? 0 : 1) AND seq > ?1 AND seq <= ?2"
    }

    /// Applies the next listed changes after `from`, at most `limit`; returns how far it got, or
    /// nil when nothing was listed. Every listed row's entry is removed, and put back from the row
    /// as it is now if it is live: replaying a change is harmless.
    func follow(_ db: Database, after from: Int64, limit: Int) throws -> Int64? {
        guard let through = try Int64.fetchOne(
            db, sql: "SELECT max(seq) FROM (SELECT seq FROM \(store).search_changes WHERE seq > ? ORDER BY seq LIMIT ?)",
            arguments: [from, limit])
        else { return nil }
        for brain in BrainKind.allCases {
            let table = "\(index).\(Self.table(brain))"
            try db.execute(sql: "DELETE FROM \(table) WHERE rowid IN (\(listed(brain)))", arguments: [from, through])
            try db.execute(
                sql: "INSERT INTO \(table) (rowid, content, slug, category, owner) \(liveRows(brain)) AND rowid IN (\(listed(brain)))",
                arguments: [from, through])
        }
        try db.execute(sql: "UPDATE \(index).index_state SET indexed_through = ? WHERE id = 1", arguments: [through])
        return through
    }

    /// The last change number a search must wait for (0 when every change was pruned).
    static func lastChange(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT max(seq) FROM search_changes") ?? 0
    }

    /// Deletes the list up to `through`, and records that it did. On the store's own connection.
    static func prune(_ db: Database, through: Int64) throws {
        try db.execute(sql: "DELETE FROM search_changes WHERE seq <= ?", arguments: [through])
        try DaemonState.set("search.pruned_through", to: String(through), in: db)
    }

    /// Full-text matches of one owner's memories, best first: brain rowids and bm25 ranks.
    func match(_ db: Database, _ brain: BrainKind, query: String, limit: Int) throws -> [(rowid: Int64, rank: Double)] {
        let table = Self.table(brain)
        return try Row.fetchAll(
            db,
            sql: "SELECT rowid, bm25(\(table), 10.0, 4.0, 2.0, 0.0) AS rank FROM \(index).\(table) WHERE \(table) MATCH ? ORDER BY rank LIMIT ?",
            arguments: [query, limit]
        ).map { (rowid: $0[0], rank: $0[1]) }
    }

    /// The store's side of the match: its identity, what was pruned, what was ever listed.
    struct StoreMark {
        var source: String
        var prunedThrough: Int64
        var lastAssigned: Int64
    }

    func storeMark(_ db: Database) throws -> StoreMark {
        let source = try DaemonState.value("search.source", schema: store, in: db) ?? ""
        let pruned = try DaemonState.value("search.pruned_through", schema: store, in: db).flatMap { Int64($0) } ?? 0
        // AUTOINCREMENT keeps the highest number ever handed out here, even once pruned.
        let assigned = try Int64.fetchOne(db, sql: "SELECT seq FROM \(store).sqlite_sequence WHERE name = 'search_changes'") ?? 0
        return StoreMark(source: source, prunedThrough: pruned, lastAssigned: assigned)
    }

    /// The index's side of the match.
    struct IndexMark {
        var format: Int
        var source: String
        var indexedThrough: Int64
        var hasTables: Bool
    }

    func indexMark(_ db: Database) throws -> IndexMark? {
        guard let row = try Row.fetchOne(db, sql: "SELECT format, source, indexed_through FROM \(index).index_state WHERE id = 1") else { return nil }
        let tables = try Int.fetchOne(
            db, sql: "SELECT count(*) FROM \(index).sqlite_master WHERE name IN ('company_search', 'user_search')") ?? 0
        return IndexMark(format: row[0], source: row[1], indexedThrough: row[2], hasTables: tables == 2)
    }
}
