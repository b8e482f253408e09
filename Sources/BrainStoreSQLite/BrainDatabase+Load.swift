import BrainCore
import Foundation
import GRDB

extension BrainDatabase {
    /// Loads one company's memories from its `companies` row: the seed's `load_company_memories`.
    ///
    /// The memories of the builder table (`MemoryBuilders.company`) go through `save`, so they are
    /// created, updated or left unchanged and pushed like any save; a builder memory whose field is
    /// now empty is removed, but only if a load wrote it: an agent's memory under a builder slug
    /// is never removed by a load. Memories with other slugs are never touched. A company with no
    /// loadable field succeeds with nothing saved.
    /// - Throws: `BrainError.ownerNotFound` for an unknown company (a load never creates one).
    public func loadCompany(_ owner: OwnerReference) async throws -> LoadResult {
        try await load(CompanyRecord.self, owner: owner)
    }

    /// Loads one user's memories from their `profiles` row: the seed's `load_user_memories`.
    /// The same rules as `loadCompany`, with `MemoryBuilders.user`.
    public func loadUser(_ owner: OwnerReference) async throws -> LoadResult {
        try await load(UserRecord.self, owner: owner)
    }

    /// Loads the memories of one owner of either brain.
    public func load(_ brain: BrainKind, owner: OwnerReference) async throws -> LoadResult {
        switch brain {
        case .company: try await loadCompany(owner)
        case .user: try await loadUser(owner)
        }
    }

    /// Loads every company, one after another, in RUT order: the seed's
    /// `load_all_companies_memories`. A company whose load fails is counted and the others go on;
    /// running it again over unchanged data creates, updates and removes nothing.
    /// - Parameters:
    ///   - progress: called with `(done, total)`, for a progress bar.
    ///   - stop: checked between owners; once requested, the load ends after the current owner.
    /// - Throws: `BrainError.storageUnavailable` (the remaining companies would fail the same way),
    ///   `BulkWorkStopped` and `CancellationError`; what was loaded before stays, and a new run
    ///   completes it.
    public func loadAllCompanies(progress: LoadProgress? = nil, stop: StopSignal? = nil) async throws -> LoadAllCompaniesResult {
        LoadAllCompaniesResult(try await loadAll(CompanyRecord.self, progress: progress, stop: stop))
    }

    /// Loads every user, the twin of `loadAllCompanies`: the seed's `load_all_users_memories`.
    public func loadAllUsers(progress: LoadProgress? = nil, stop: StopSignal? = nil) async throws -> LoadAllUsersResult {
        LoadAllUsersResult(try await loadAll(UserRecord.self, progress: progress, stop: stop))
    }

    // MARK: - Implementation

    private func load<Record: RowDecodableOwner>(_ type: Record.Type, owner reference: OwnerReference) async throws -> LoadResult {
        let (record, live) = try await writer.read { db in
            let owner = try Owner.resolve(reference, brain: Record.brain, create: false, in: db)
            let record = try Self.fetchOwners(Record.self, id: owner.id, in: db).first
            guard let record else { throw BrainError.ownerNotFound(brain: Record.brain, owner: reference.description) }
            return (record, try Self.loaderSlugs(Record.self, ownerID: owner.id, in: db)[owner.id] ?? [])
        }
        return try await apply(record, liveSlugs: live)
    }

    private func loadAll<Record: RowDecodableOwner>(
        _ type: Record.Type, progress: LoadProgress?, stop: StopSignal?
    ) async throws -> LoadAllSummary {
        // One read for every record and every loader memory; then one owner per slice (a save and
        // its removals), so a long load never holds the write lock for long, agents' saves
        // interleave with it, and a stop waits for one owner only.
        let (records, live) = try await writer.read { db in
            (try Self.fetchOwners(Record.self, id: nil, in: db), try Self.loaderSlugs(Record.self, ownerID: nil, in: db))
        }
        var summary = LoadAllSummary(total: records.count)
        progress?(0, records.count)
        for (index, record) in records.enumerated() {
            try Task.checkCancellation()
            if stop?.isRequested == true {
                throw BulkWorkStopped(
                    work: "load of every \(Record.brain.rawValue)", done: index, total: records.count,
                    advice: "run the load again once braind is back: what was loaded is kept and unchanged owners are skipped")
            }
            do {
                summary.add(try await apply(record, liveSlugs: live[record.id] ?? []), brain: Record.brain, rut: record.rut)
            } catch let error as BrainError {
                if case .storageUnavailable = error { throw error }
                summary.failed += 1
                summary.errors.append("\(Record.brain.rawValue) \(record.rut): \(error.description)")
            }
            progress?(index + 1, records.count)
        }
        return summary
    }

    /// Saves the present fields' memories and deletes the loader's memories whose field is empty.
    /// Both follow the save and delete paths, so versions, events and sync states follow the same
    /// rules as an agent's writes. They are separate transactions: if the process stops in
    /// between, the next load finishes the job, as a load is idempotent.
    /// - Parameter liveSlugs: the owner's live builder memories that the loader wrote, as read
    ///   before; each removal checks again in its own transaction.
    private func apply<Record: RowDecodableOwner>(_ record: Record, liveSlugs: Set<String>) async throws -> LoadResult {
        let plan = MemoryBuilders.plan(Record.builders, for: record)
        // By id, not RUT: the row is the one just read, even if a RUT is ever edited meanwhile.
        let reference: OwnerReference = if let uuid = UUID(uuidString: record.id) {
            .id(uuid)
        } else {
            .rut(try RUT(record.rut, verifyCheckDigit: false))
        }
        let saved = plan.memories.isEmpty
            ? nil : try await save(Record.brain, owner: reference, memories: plan.memories, source: .loader)
        var removed: [DeleteResult] = []
        // A row deleted, or saved by an agent, since the read is left alone: nil.
        for slug in plan.emptySlugs where liveSlugs.contains(slug) {
            if let result = try await deleteLoaderMemory(Record.brain, ownerID: record.id, slug: slug) {
                removed.append(result)
            }
        }
        return LoadResult(save: saved, removed: removed)
    }

    /// Owner records, one by id or all of them in RUT order.
    private static func fetchOwners<Record: RowDecodableOwner>(_ type: Record.Type, id: String?, in db: Database) throws -> [Record] {
        let table = Record.brain.ownerTable
        let rows = if let id {
            try Row.fetchAll(db, sql: "SELECT * FROM \(table) WHERE id = ?", arguments: [id])
        } else {
            try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY rut")
        }
        return rows.map(Record.init(row:))
    }

    /// The live (not tombstoned) builder-slug memories the loader wrote, by owner id, for one owner
    /// or all. Only these may be removed by a load: other slugs, and agents' memories under
    /// builder slugs, belong to agents.
    private static func loaderSlugs<Record: RowDecodableOwner>(
        _ type: Record.Type, ownerID: String?, in db: Database
    ) throws -> [String: Set<String>] {
        let brain = Record.brain
        let slugs = Record.builders.map(\.slug)
        var sql = """
            SELECT \(brain.ownerColumn) AS owner_id, slug FROM \(brain.table)
            WHERE deleted = 0 AND source = 'loader' AND slug IN (\(Array(repeating: "?", count: slugs.count).joined(separator: ", ")))
            """
        var arguments = StatementArguments(slugs)
        if let ownerID {
            sql += " AND \(brain.ownerColumn) = ?"
            arguments += [ownerID]
        }
        var result: [String: Set<String>] = [:]
        for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
            result[row["owner_id"], default: []].insert(row["slug"])
        }
        return result
    }
}
