import BrainCore
import Foundation
import GRDB

extension BrainDatabase {
    /// Entities (normalized RUTs) known locally, for the brains in scope.
    public func reconcileEntities(brain: BrainKind?) async throws -> [(brain: BrainKind, rut: String)] {
        try await writer.read { db in
            var entities: [(BrainKind, String)] = []
            for kind in brain.map({ [$0] }) ?? BrainKind.allCases {
                let ruts = try String.fetchAll(db, sql: "SELECT rut FROM \(kind.ownerTable) ORDER BY rut")
                entities += ruts.map { (kind, $0) }
            }
            return entities
        }
    }

    /// The rows of several brains of one entity, read in one transaction.
    public func reconcileRows(brains: [BrainKind], rut: String) async throws -> [BrainKind: [ReconcileRow]] {
        try await writer.read { db in
            var rows: [BrainKind: [ReconcileRow]] = [:]
            for brain in brains {
                rows[brain] = try BrainRow.fetchAll(db, sql: BrainRow.select(brain) + " WHERE o.rut = ? ORDER BY b.slug", arguments: [rut])
                    .map { ReconcileRow(task: $0.pushTask(brain: brain), syncState: $0.syncState, syncedVersion: $0.syncedVersion) }
            }
            return rows
        }
    }

    /// Points a row at a memory (a relink) if the row has not changed since it was read.
    @discardableResult
    public func setRemoteID(_ row: ReconcileRow, memoryID: String, reason: String) async throws -> Bool {
        try await storageWrite { db in
            try db.execute(
                sql: """
                    UPDATE \(row.task.brain.table) SET memory_id = ?, push_started_at = NULL
                    WHERE id = ? AND version = ? AND deleted = 0 AND sync_state = 'synced' AND memory_id IS ?
                    """,
                arguments: [memoryID, row.task.recordID, row.task.version, row.task.memoryID])
            guard db.changesCount == 1 else { return false }
            try Self.journalRepair(row, detail: ["reason": reason, "memory_id": memoryID], in: db)
            return true
        }
    }

    /// Takes Mem0's text into the row (policy `remote`), as a new version Mem0 already holds.
    @discardableResult
    public func takeRemoteContent(_ row: ReconcileRow, content: String) async throws -> Bool {
        try await storageWrite { db in
            try db.execute(
                sql: """
                    UPDATE \(row.task.brain.table)
                    SET content = ?, version = version + 1, synced_version = version + 1, updated_at = ?
                    WHERE id = ? AND version = ? AND deleted = 0 AND sync_state = 'synced'
                    """,
                arguments: [content, Timestamp.now(), row.task.recordID, row.task.version])
            guard db.changesCount == 1 else { return false }
            try Self.journalRepair(row, detail: ["reason": "remote text taken"], in: db)
            return true
        }
    }

    /// Removes a tombstone whose remote memory is gone.
    public func purgeTombstone(_ row: ReconcileRow) async throws {
        try await storageWrite { db in
            try db.execute(
                sql: "DELETE FROM \(row.task.brain.table) WHERE id = ? AND deleted = 1 AND version = ?",
                arguments: [row.task.recordID, row.task.version])
            if db.changesCount == 1 { try Self.journalRepair(row, detail: ["reason": "tombstone deleted remotely"], in: db) }
        }
    }

    /// Adopts an orphan memory as a synced row (creating the owner if needed), deciding on the
    /// database as it is now, not as it was when Mem0 was listed.
    public func adopt(_ memory: AdoptedMemory, brain: BrainKind, rut: String) async throws -> AdoptOutcome {
        try await storageWrite { db in
            // A row of ours carried this record_id and was deleted here: the memory is what is left
            // of that delete (listed before the delete reached Mem0), never an orphan to bring back.
            if let recordID = memory.recordID, try Self.wasDeletedHere(recordID: recordID, brain: brain, in: db) {
                return .deletedHere
            }
            let owner = try Owner.resolve(.rut(try RUT(rut, verifyCheckDigit: false)), brain: brain, create: true, in: db)
            let taken = try Bool.fetchOne(
                db, sql: "SELECT count(*) > 0 FROM \(brain.table) WHERE \(brain.ownerColumn) = ? AND (slug = ? OR memory_id = ?)",
                arguments: [owner.id, memory.slug, memory.memoryID]) ?? true
            guard !taken else { return .slugTaken }
            var id = memory.recordID.flatMap { UUID(uuidString: $0) }?.uuidString.lowercased() ?? TimeOrderedID.make()
            if try Bool.fetchOne(db, sql: "SELECT count(*) > 0 FROM \(brain.table) WHERE id = ?", arguments: [id]) == true {
                id = TimeOrderedID.make()
            }
            let now = Timestamp.now()
            try db.execute(
                sql: """
                    INSERT INTO \(brain.table) (id, \(brain.ownerColumn), memory_id, slug, category, content, extra_metadata,
                        created_at, updated_at, version, synced_version, sync_state)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 1, 'synced')
                    """,
                arguments: [id, owner.id, memory.memoryID, memory.slug, memory.category, memory.content,
                            try CanonicalJSON.encode(memory.metadata), now, now])
            try EventJournal.append(
                .repaired, brain: brain, ownerID: owner.id, recordID: id, slug: memory.slug, version: 1,
                detail: try CanonicalJSON.encode(["reason": "orphan adopted", "memory_id": memory.memoryID]), in: db)
            return .adopted(recordID: id)
        }
    }

    /// Whether a row with this id existed here and was deleted (the journal says so, and the row is
    /// gone), so a memory carrying it is the rest of a delete. Only as far back as the journal keeps.
    public func wasDeletedHere(recordID: String, brain: BrainKind) async throws -> Bool {
        try await writer.read { db in try Self.wasDeletedHere(recordID: recordID, brain: brain, in: db) }
    }

    static func wasDeletedHere(recordID: String, brain: BrainKind, in db: Database) throws -> Bool {
        let journaled = try Bool.fetchOne(
            db, sql: "SELECT EXISTS (SELECT 1 FROM events WHERE record_id = ? AND brain = ? AND kind IN ('deleted', 'purged'))",
            arguments: [recordID, brain.rawValue]) ?? false
        guard journaled else { return false }
        return try Bool.fetchOne(db, sql: "SELECT count(*) = 0 FROM \(brain.table) WHERE id = ?", arguments: [recordID]) ?? false
    }

    /// Claims a synced row for a repair push, if it is still exactly as the reconciler read it
    /// (same version, synced, same memory id): the repair then goes through the push path's state
    /// machine, and a save or delete landing meanwhile wins. `forgetMemoryID` turns the push into
    /// an add (the memory is gone from Mem0): the claim sets the "add started" mark, as every
    /// claim of an add does.
    public func claimForRepair(_ row: ReconcileRow, forgetMemoryID: Bool, reason: String, now: Date = Date()) async throws -> PushTask? {
        try await storageWrite { db in
            let table = row.task.brain.table
            // The task is the row as claimed, with the add mark it had before this claim: the mark
            // set now only protects the add this repair is about to make.
            guard var task = try BrainRow.fetchOne(
                db, sql: BrainRow.select(row.task.brain) + " WHERE b.id = ?", arguments: [row.task.recordID])?.pushTask(brain: row.task.brain)
            else { return nil }
            try db.execute(
                sql: """
                    UPDATE \(table) SET sync_state = 'in_flight',
                        memory_id = CASE WHEN :forget THEN NULL ELSE memory_id END,
                        synced_version = CASE WHEN :forget THEN 0 ELSE synced_version END,
                        push_started_at = CASE WHEN :forget THEN coalesce(push_started_at, :now) ELSE push_started_at END
                    WHERE id = :id AND version = :version AND sync_state = 'synced' AND deleted = 0 AND memory_id IS :memoryID
                    """,
                arguments: [
                    "forget": forgetMemoryID, "now": Timestamp.string(from: now), "id": row.task.recordID,
                    "version": row.task.version, "memoryID": row.task.memoryID,
                ])
            guard db.changesCount == 1 else { return nil }
            var detail = ["reason": reason]
            if forgetMemoryID, let previous = row.task.memoryID { detail["previous_memory_id"] = previous }
            try Self.journalRepair(row, detail: detail, in: db)
            if forgetMemoryID { task.memoryID = nil }
            return task
        }
    }

    private static func journalRepair(_ row: ReconcileRow, detail: [String: String], in db: Database) throws {
        let ownerID = try String.fetchOne(
            db, sql: "SELECT \(row.task.brain.ownerColumn) FROM \(row.task.brain.table) WHERE id = ?", arguments: [row.task.recordID])
        try EventJournal.append(
            .repaired, brain: row.task.brain, ownerID: ownerID ?? "", recordID: row.task.recordID, slug: row.task.slug,
            version: row.task.version, detail: try CanonicalJSON.encode(detail), in: db)
    }

    // MARK: - Runs

    /// Stores a run's report (insert or replace).
    public func saveReconcileRun(_ report: ReconcileReport) async throws {
        let json = try CanonicalJSON.encode(report)
        try await storageWrite { db in
            try db.execute(
                sql: """
                    INSERT INTO reconcile_runs (id, started_at, finished_at, status, dry_run, report) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET finished_at = excluded.finished_at, status = excluded.status,
                        report = excluded.report
                    """,
                arguments: [report.runID, report.startedAt, report.finishedAt, report.status, report.options.dryRun, json])
        }
    }

    /// Stored runs, newest first.
    public func reconcileRuns(limit: Int = 20) async throws -> [ReconcileReport] {
        try await writer.read { db in
            try String.fetchAll(db, sql: "SELECT report FROM reconcile_runs ORDER BY started_at DESC LIMIT ?", arguments: [limit])
                .compactMap { try? JSONDecoder().decode(ReconcileReport.self, from: Data($0.utf8)) }
        }
    }

    /// One stored run.
    public func reconcileRun(id: String) async throws -> ReconcileReport? {
        try await writer.read { db in
            try String.fetchOne(db, sql: "SELECT report FROM reconcile_runs WHERE id = ?", arguments: [id])
                .flatMap { try? JSONDecoder().decode(ReconcileReport.self, from: Data($0.utf8)) }
        }
    }

    /// Runs left `running` by a daemon that stopped mid-run are marked interrupted at start.
    // One daemon holds a SQLite file (its lock file), so its own reconciler's one-run-at-a-time
    // rule is the whole cluster's.
    public func claimReconcileSlot(runID: String) async throws -> String? { nil }
    public func releaseReconcileSlot(runID: String) async throws {}
    public func claimScheduledReconcile(interval: Duration) async throws -> Bool { true }

    public func markInterruptedRuns() async throws {
        try await storageWrite { db in
            let rows = try Row.fetchAll(db, sql: "SELECT id, report FROM reconcile_runs WHERE status = 'running'")
            for row in rows {
                guard var report = try? JSONDecoder().decode(ReconcileReport.self, from: Data((row["report"] as String).utf8)) else { continue }
                report.status = "interrupted"
                try db.execute(
                    sql: "UPDATE reconcile_runs SET status = 'interrupted', report = ? WHERE id = ?",
                    arguments: [try CanonicalJSON.encode(report), row["id"] as String])
            }
        }
    }
}
