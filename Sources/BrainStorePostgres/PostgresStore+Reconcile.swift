import BrainCore
import Foundation
import Logging
import PostgresNIO

extension PostgresStore {
    /// Entities (normalized RUTs) known locally, for the brains in scope.
    public func reconcileEntities(brain: BrainKind?) async throws -> [(brain: BrainKind, rut: String)] {
        try await read { connection in
            var entities: [(brain: BrainKind, rut: String)] = []
            for kind in brain.map({ [$0] }) ?? BrainKind.allCases {
                let ruts = try await connection.rows(
                    "SELECT rut FROM \(unescaped: kind.ownerTable) WHERE rut IS NOT NULL ORDER BY rut COLLATE \"C\"", logger: self.logger
                ).map { try $0.decode(String.self) }
                entities += ruts.map { (kind, $0) }
            }
            return entities
        }
    }

    /// Every row of one owner, tombstones included.
    public func reconcileRows(_ brain: BrainKind, rut: String) async throws -> [ReconcileRow] {
        try await reconcileRows(brains: [brain], rut: rut)[brain] ?? []
    }

    /// The rows of several brains of one entity, read in one transaction (one snapshot).
    public func reconcileRows(brains: [BrainKind], rut: String) async throws -> [BrainKind: [ReconcileRow]] {
        try await transaction { connection in
            try await connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: self.logger)
            var rows: [BrainKind: [ReconcileRow]] = [:]
            for brain in brains {
                rows[brain] = try await connection.brainRows(
                    "\(unescaped: PostgresBrainRow.select(brain)) WHERE o.rut = \(rut) ORDER BY b.slug::text COLLATE \"C\"",
                    logger: self.logger
                ).map { $0.reconcileRow(brain: brain) }
            }
            return rows
        }
    }

    /// Points a row at a memory (a relink) if the row has not changed since it was read.
    @discardableResult
    public func setRemoteID(_ row: ReconcileRow, memoryID: String, reason: String) async throws -> Bool {
        guard let id = UUID(uuidString: row.task.recordID) else { return false }
        return try await transaction { connection in
            let changed = try await connection.execute(
                """
                UPDATE \(unescaped: row.task.brain.table) SET memory_id = \(memoryID), push_started_at = NULL
                WHERE id = \(id) AND version = \(row.task.version) AND NOT deleted AND sync_state = 'synced'
                  AND memory_id IS NOT DISTINCT FROM \(row.task.memoryID)
                RETURNING 1
                """, logger: self.logger)
            guard changed == 1 else { return false }
            try await self.journalRepair(row, detail: ["reason": reason, "memory_id": memoryID], on: connection)
            return true
        }
    }

    /// Takes Mem0's text into the row (policy `remote`), as a new version Mem0 already holds.
    @discardableResult
    public func takeRemoteContent(_ row: ReconcileRow, content: String) async throws -> Bool {
        guard let id = UUID(uuidString: row.task.recordID) else { return false }
        return try await transaction { connection in
            let changed = try await connection.execute(
                """
                UPDATE \(unescaped: row.task.brain.table)
                SET content = \(content), version = version + 1, synced_version = version + 1, updated_at = now()
                WHERE id = \(id) AND version = \(row.task.version) AND NOT deleted AND sync_state = 'synced'
                RETURNING 1
                """, logger: self.logger)
            guard changed == 1 else { return false }
            try await self.journalRepair(row, detail: ["reason": "remote text taken"], on: connection)
            return true
        }
    }

    /// Removes a tombstone whose remote memory is gone.
    public func purgeTombstone(_ row: ReconcileRow) async throws {
        guard let id = UUID(uuidString: row.task.recordID) else { return }
        try await transaction { connection in
            // The owner is read before the row goes, for the journal.
            let ownerID = try await self.ownerID(of: row, on: connection)
            let purged = try await connection.execute(
                "DELETE FROM \(unescaped: row.task.brain.table) WHERE id = \(id) AND deleted AND version = \(row.task.version) RETURNING 1",
                logger: self.logger)
            if purged == 1 {
                try await self.journalRepair(row, ownerID: ownerID, detail: ["reason": "tombstone deleted remotely"], on: connection)
            }
        }
    }

    /// Adopts an orphan memory as a synced row (creating the owner if needed), deciding on the
    /// database as it is now, not as it was when Mem0 was listed.
    public func adopt(_ memory: AdoptedMemory, brain: BrainKind, rut: String) async throws -> AdoptOutcome {
        let reference = OwnerReference.rut(try RUT(rut, verifyCheckDigit: false))
        let metadata = try CanonicalJSON.encode(memory.metadata)
        return try await transaction(retryConflicts: true) { connection in
            // A row of ours carried this record_id and was deleted here: the memory is what is
            // left of that delete, never an orphan to bring back.
            if let recordID = memory.recordID,
                try await Self.wasDeletedHere(recordID: recordID, brain: brain, on: connection, logger: self.logger)
            {
                return .deletedHere
            }
            let owner = try await Self.resolve(reference, brain: brain, create: true, on: connection, logger: self.logger)
            let ownerID = UUID(uuidString: owner.id)!
            // Serialises adoptions of one owner: two daemons reconciling at once adopt once.
            try await connection.execute("SELECT pg_advisory_xact_lock(hashtextextended(\(owner.id), 7))", logger: self.logger)
            let taken = try await connection.rows(
                """
                SELECT EXISTS (SELECT 1 FROM \(unescaped: brain.table)
                               WHERE \(unescaped: brain.ownerColumn) = \(ownerID) AND (slug = \(memory.slug) OR memory_id = \(memory.memoryID)))
                    OR EXISTS (SELECT 1 FROM \(unescaped: brain.table) WHERE memory_id = \(memory.memoryID))
                """, logger: self.logger
            ).first?.decode(Bool.self) ?? true
            guard !taken else { return .slugTaken }
            var id = memory.recordID.flatMap { UUID(uuidString: $0) } ?? UUID()
            let idTaken = try await connection.rows(
                "SELECT EXISTS (SELECT 1 FROM \(unescaped: brain.table) WHERE id = \(id))", logger: self.logger
            ).first?.decode(Bool.self) ?? true
            if idTaken { id = UUID() }
            try await connection.execute(
                """
                INSERT INTO \(unescaped: brain.table) (id, \(unescaped: brain.ownerColumn), memory_id, slug, category, content,
                    extra_metadata, version, synced_version, sync_state)
                VALUES (\(id), \(ownerID), \(memory.memoryID), \(memory.slug), \(memory.category), \(memory.content),
                    \(metadata)::jsonb, 1, 1, 'synced')
                """, logger: self.logger)
            let recordID = id.uuidString.lowercased()
            try await Self.journal(
                JournalEntry(
                    kind: .repaired, brain: brain, ownerID: owner.id, recordID: recordID, slug: memory.slug, version: 1,
                    detail: try CanonicalJSON.encode(["reason": "orphan adopted", "memory_id": memory.memoryID])),
                on: connection, logger: self.logger)
            return .adopted(recordID: recordID)
        }
    }

    /// Whether a row with this id existed here and was deleted (the journal says so, and the row
    /// is gone), so a memory carrying it is the rest of a delete.
    public func wasDeletedHere(recordID: String, brain: BrainKind) async throws -> Bool {
        try await read { connection in
            try await Self.wasDeletedHere(recordID: recordID, brain: brain, on: connection, logger: self.logger)
        }
    }

    static func wasDeletedHere(recordID: String, brain: BrainKind, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let journaled = try await connection.rows(
            """
            SELECT EXISTS (SELECT 1 FROM events WHERE record_id = \(recordID) AND brain = \(brain.rawValue)
                           AND kind IN ('deleted', 'purged'))
            """, logger: logger
        ).first?.decode(Bool.self) ?? false
        guard journaled else { return false }
        guard let id = UUID(uuidString: recordID) else { return true }
        return try await connection.rows(
            "SELECT NOT EXISTS (SELECT 1 FROM \(unescaped: brain.table) WHERE id = \(id))", logger: logger
        ).first?.decode(Bool.self) ?? false
    }

    /// Claims a synced row for a repair push, if it is still exactly as the reconciler read it
    /// (same version, synced, same memory id): the repair then goes through the push path's state
    /// machine, and a save or delete landing meanwhile wins. `forgetMemoryID` turns the push into
    /// an add: the claim sets the "add started" mark, as every claim of an add does.
    public func claimForRepair(_ row: ReconcileRow, forgetMemoryID: Bool, reason: String, now: Date = Date()) async throws -> PushTask? {
        guard let id = UUID(uuidString: row.task.recordID) else { return nil }
        let brain = row.task.brain
        return try await transaction(abandoned: { task in if let task { await self.release([task]) } }) { connection in
            // The task is the row as claimed, with the add mark it had before this claim.
            guard var task = try await connection.brainRows(
                "\(unescaped: PostgresBrainRow.select(brain)) WHERE b.id = \(id) FOR UPDATE OF b", logger: self.logger
            ).first?.pushTask(brain: brain) else { return nil }
            let claimed = try await connection.execute(
                """
                UPDATE \(unescaped: brain.table) SET sync_state = 'in_flight',
                    claimed_by = \(self.daemonID), lease_until = clock_timestamp() + \(self.leaseSeconds) * interval '1 second',
                    memory_id = CASE WHEN \(forgetMemoryID) THEN NULL ELSE memory_id END,
                    synced_version = CASE WHEN \(forgetMemoryID) THEN 0 ELSE synced_version END,
                    push_started_at = CASE WHEN \(forgetMemoryID) THEN coalesce(push_started_at, \(now)) ELSE push_started_at END
                WHERE id = \(id) AND version = \(row.task.version) AND sync_state = 'synced' AND NOT deleted
                  AND memory_id IS NOT DISTINCT FROM \(row.task.memoryID)
                RETURNING 1
                """, logger: self.logger)
            guard claimed == 1 else { return nil }
            var detail = ["reason": reason]
            if forgetMemoryID, let previous = row.task.memoryID { detail["previous_memory_id"] = previous }
            try await self.journalRepair(row, detail: detail, on: connection)
            if forgetMemoryID { task.memoryID = nil }
            return task
        }
    }

    private func ownerID(of row: ReconcileRow, on connection: PostgresConnection) async throws -> String? {
        guard let id = UUID(uuidString: row.task.recordID) else { return nil }
        return try await connection.rows(
            "SELECT \(unescaped: row.task.brain.ownerColumn)::text FROM \(unescaped: row.task.brain.table) WHERE id = \(id)",
            logger: logger
        ).first?.decode(String.self)
    }

    private func journalRepair(
        _ row: ReconcileRow, ownerID: String?? = nil, detail: [String: String], on connection: PostgresConnection
    ) async throws {
        let owner: String? = if let ownerID { ownerID } else { try await self.ownerID(of: row, on: connection) }
        try await Self.journal(
            JournalEntry(
                kind: .repaired, brain: row.task.brain, ownerID: owner ?? "", recordID: row.task.recordID, slug: row.task.slug,
                version: row.task.version, detail: try CanonicalJSON.encode(detail)),
            on: connection, logger: logger)
    }

    // MARK: - Runs

    /// Stores a run's report (insert or replace).
    public func saveReconcileRun(_ report: ReconcileReport) async throws {
        let json = try CanonicalJSON.encode(report)
        guard let id = UUID(uuidString: report.runID) else {
            throw BrainError.invalid(field: "run_id", reason: "must be a UUID")
        }
        let started = Timestamp.date(from: report.startedAt) ?? Date()
        let finished = report.finishedAt.flatMap(Timestamp.date(from:))
        try await transaction { connection in
            try await connection.execute(
                """
                INSERT INTO reconcile_runs (id, started_at, finished_at, status, dry_run, report, daemon_id)
                VALUES (\(id), \(started), \(finished), \(report.status), \(report.options.dryRun), \(json)::jsonb, \(self.daemonID))
                ON CONFLICT (id) DO UPDATE SET finished_at = excluded.finished_at, status = excluded.status,
                    report = excluded.report
                """, logger: self.logger)
        }
    }

    /// Stored runs, newest first.
    public func reconcileRuns(limit: Int = 20) async throws -> [ReconcileReport] {
        try await read { connection in
            try await connection.rows(
                "SELECT report::text FROM reconcile_runs ORDER BY started_at DESC LIMIT \(limit)", logger: self.logger
            ).compactMap { try? JSONDecoder().decode(ReconcileReport.self, from: Data(try $0.decode(String.self).utf8)) }
        }
    }

    /// One stored run.
    public func reconcileRun(id: String) async throws -> ReconcileReport? {
        guard let uuid = UUID(uuidString: id) else { return nil }
        return try await read { connection in
            try await connection.rows("SELECT report::text FROM reconcile_runs WHERE id = \(uuid)", logger: self.logger)
                .first.flatMap { try? JSONDecoder().decode(ReconcileReport.self, from: Data(try $0.decode(String.self).utf8)) }
        }
    }

    /// Runs left `running` by a daemon that stopped mid-run are marked interrupted at start.
    public func markInterruptedRuns() async throws {
        try await transaction { connection in
            // A slot this daemon held before it restarted is free: nothing of this process runs.
            try await connection.execute(
                "UPDATE daemon_state SET value = '{}' WHERE key = 'reconcile_slot' AND value::jsonb ->> 'daemon' = \(self.daemonID)",
                logger: self.logger)
            let rows = try await connection.rows(
                """
                SELECT id, report::text FROM reconcile_runs r WHERE status = 'running'
                  AND (daemon_id IS NULL OR daemon_id = \(self.daemonID) OR NOT EXISTS (
                      SELECT 1 FROM braind_daemons d WHERE d.id = r.daemon_id
                        AND d.last_seen > clock_timestamp() - 3 * \(self.leaseSeconds) * interval '1 second'))
                FOR UPDATE
                """, logger: self.logger)
            for row in rows {
                let (id, text) = try row.decode((UUID, String).self)
                guard var report = try? JSONDecoder().decode(ReconcileReport.self, from: Data(text.utf8)) else { continue }
                report.status = "interrupted"
                try await connection.execute(
                    "UPDATE reconcile_runs SET status = 'interrupted', report = \(try CanonicalJSON.encode(report))::jsonb WHERE id = \(id)",
                    logger: self.logger)
            }
        }
    }

    // MARK: - Webhooks

    /// The row that points at a Mem0 memory, in either brain; nil when none does.
    public func reconcileRow(memoryID: String) async throws -> ReconcileRow? {
        try await read { connection in
            for brain in BrainKind.allCases {
                if let row = try await connection.brainRows(
                    "\(unescaped: PostgresBrainRow.select(brain)) WHERE b.memory_id = \(memoryID)", logger: self.logger
                ).first {
                    return row.reconcileRow(brain: brain)
                }
            }
            return nil
        }
    }

    /// The row with this id in one brain; nil when there is none.
    public func reconcileRow(recordID: String, brain: BrainKind) async throws -> ReconcileRow? {
        guard let id = UUID(uuidString: recordID) else { return nil }
        return try await read { connection in
            try await connection.brainRows("\(unescaped: PostgresBrainRow.select(brain)) WHERE b.id = \(id)", logger: self.logger)
                .first?.reconcileRow(brain: brain)
        }
    }
}
