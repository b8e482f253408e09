import BrainCore
import Foundation
import GRDB

extension BrainDatabase {
    /// Claims up to `limit` rows due for a push (oldest first) and marks them in flight. An add is
    /// marked as started in the same commit, before any call leaves the machine, so a crash
    /// between Mem0's answer and our commit is recognised on the next attempt.
    public func claimPushTasks(limit: Int, now: Date = Date()) async throws -> [PushTask] {
        let nowText = Timestamp.string(from: now)
        return try await storageWrite { db in
            var tasks: [PushTask] = []
            for brain in BrainKind.allCases {
                let rows = try BrainRow.fetchAll(
                    db,
                    sql: BrainRow.select(brain) + """
                         WHERE b.version > b.synced_version AND b.sync_state = 'pending'
                           AND (b.next_attempt_at IS NULL OR b.next_attempt_at <= ?)
                         ORDER BY b.updated_at LIMIT ?
                        """,
                    arguments: [nowText, limit - tasks.count])
                for row in rows {
                    try db.execute(
                        sql: """
                            UPDATE \(brain.table) SET sync_state = 'in_flight',
                                push_started_at = CASE WHEN memory_id IS NULL AND deleted = 0
                                                       THEN coalesce(push_started_at, ?) ELSE push_started_at END
                            WHERE id = ?
                            """,
                        arguments: [nowText, row.id])
                    tasks.append(row.pushTask(brain: brain))
                }
                if tasks.count >= limit { break }
            }
            return tasks
        }
    }

    /// Records how a push ended. A row edited while its push was in flight stays pending, so the
    /// newer version goes out next.
    public func completePush(_ task: PushTask, outcome: PushOutcome, now: Date = Date()) async throws {
        try await completePushes([(task, outcome)], now: now)
    }

    /// Records several push outcomes in one transaction: one commit (one fsync) for many rows.
    public func completePushes(_ outcomes: [(PushTask, PushOutcome)], now: Date = Date()) async throws {
        guard !outcomes.isEmpty else { return }
        try await storageWrite { db in
            for (task, outcome) in outcomes { try Self.record(outcome, of: task, now: now, in: db) }
        }
    }

    private static func record(_ outcome: PushOutcome, of task: PushTask, now: Date, in db: Database) throws {
        let table = task.brain.table
        let ownerID = try String.fetchOne(
            db, sql: "SELECT \(task.brain.ownerColumn) FROM \(table) WHERE id = ?", arguments: [task.recordID])
        guard let ownerID else { return }  // purged meanwhile
        func journal(_ kind: EventKind, _ detail: String? = nil) throws {
            try EventJournal.append(
                kind, brain: task.brain, ownerID: ownerID, recordID: task.recordID, slug: task.slug,
                version: task.version, detail: detail, in: db)
        }
        let settled = """
            synced_version = :version, push_started_at = NULL, sync_attempts = 0, next_attempt_at = NULL,
            last_error = NULL, sync_state = CASE WHEN version = :version THEN 'synced' ELSE 'pending' END
            """
        switch outcome {
        case .stored(let memoryID):
            try db.execute(
                sql: "UPDATE \(table) SET memory_id = :memoryID, \(settled) WHERE id = :id",
                arguments: ["memoryID": memoryID, "version": task.version, "id": task.recordID])
            try journal(.pushed, #"{"operation":"\#(task.operation.rawValue)","memory_id":"\#(memoryID)"}"#)
        case .gone(let previous):
            try db.execute(
                sql: """
                    UPDATE \(table) SET memory_id = NULL, synced_version = 0, push_started_at = NULL, sync_attempts = 0,
                        next_attempt_at = NULL, last_error = NULL, sync_state = 'pending'
                    WHERE id = ? AND memory_id = ?
                    """,
                arguments: [task.recordID, previous])
            try journal(.repaired, try CanonicalJSON.encode(["reason": "update answered 404; the memory is added again", "previous_memory_id": previous]))
        case .deleted:
            let stillDeleted = try Bool.fetchOne(
                db, sql: "SELECT deleted = 1 AND version = ? FROM \(table) WHERE id = ?",
                arguments: [task.version, task.recordID]) ?? false
            if stillDeleted {
                try db.execute(sql: "DELETE FROM \(table) WHERE id = ?", arguments: [task.recordID])
            } else {
                // Saved again while the delete was in flight: the remote copy is gone, so the
                // next push must add it afresh.
                try db.execute(
                    sql: """
                        UPDATE \(table) SET memory_id = NULL, synced_version = 0, push_started_at = NULL,
                            sync_state = 'pending', next_attempt_at = NULL WHERE id = ?
                        """,
                    arguments: [task.recordID])
            }
            try journal(.pushed, #"{"operation":"delete"}"#)
        case .retry(let error, let delay, let outcomeUnknown):
            let next = Timestamp.string(from: now.addingTimeInterval(delay.seconds))
            try db.execute(
                sql: """
                    UPDATE \(table) SET sync_state = 'pending', sync_attempts = sync_attempts + 1,
                        next_attempt_at = ?, last_error = ?,
                        push_started_at = CASE WHEN ? THEN push_started_at ELSE NULL END
                    WHERE id = ?
                    """,
                arguments: [next, error, outcomeUnknown, task.recordID])
        case .failed(let error, let outcomeUnknown):
            try db.execute(
                sql: """
                    UPDATE \(table) SET sync_state = CASE WHEN version = ? THEN 'failed' ELSE 'pending' END,
                        sync_attempts = sync_attempts + 1, last_error = ?,
                        push_started_at = CASE WHEN ? THEN push_started_at ELSE NULL END,
                        next_attempt_at = NULL
                    WHERE id = ?
                    """,
                arguments: [task.version, error, task.addOutcomeUnknown || outcomeUnknown, task.recordID])
            try journal(.failed, try CanonicalJSON.encode(["error": error]))
        case .paused:
            try db.execute(sql: "UPDATE \(table) SET sync_state = 'pending' WHERE id = ?", arguments: [task.recordID])
        }
    }

    /// After a crash, rows left in flight go back to pending; their add-started markers stay, so
    /// their next push first looks for what Mem0 may already hold.
    @discardableResult
    public func recoverInFlightPushes() async throws -> Int {
        try await storageWrite { db in
            var recovered = 0
            for brain in BrainKind.allCases {
                try db.execute(sql: "UPDATE \(brain.table) SET sync_state = 'pending' WHERE sync_state = 'in_flight'")
                recovered += db.changesCount
            }
            return recovered
        }
    }

    /// Puts failed rows back to pending (`brain retry`). Returns how many.
    @discardableResult
    public func retryFailed(brain: BrainKind? = nil) async throws -> Int {
        try await storageWrite { db in
            var count = 0
            for kind in brain.map({ [$0] }) ?? BrainKind.allCases {
                try db.execute(
                    sql: """
                        UPDATE \(kind.table) SET sync_state = 'pending', next_attempt_at = NULL, sync_attempts = 0
                        WHERE sync_state = 'failed'
                        """)
                count += db.changesCount
            }
            return count
        }
    }

    /// Failed rows across owners, newest first (`brain list --failed`).
    public func failedMemories(brain: BrainKind? = nil, limit: Int = StoreLimits.defaultPageSize) async throws -> [Memory] {
        try await writer.read { db in
            var memories: [Memory] = []
            for kind in brain.map({ [$0] }) ?? BrainKind.allCases {
                let rows = try BrainRow.fetchAll(
                    db, sql: BrainRow.select(kind) + " WHERE b.sync_state = 'failed' ORDER BY b.updated_at DESC LIMIT ?",
                    arguments: [limit])
                memories += rows.map { $0.memory(brain: kind) }
            }
            return Array(memories.sorted { $0.updatedAt > $1.updatedAt }.prefix(limit))
        }
    }

    /// When a push next falls due, for the worker's timer: nil when nothing is waiting.
    public func nextPushDue() async throws -> Date? {
        try await writer.read { db in
            var earliest: Date?
            for brain in BrainKind.allCases {
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) AS due_now, min(next_attempt_at) AS next FROM \(brain.table)
                        WHERE version > synced_version AND sync_state = 'pending'
                        """)
                guard let row, (row["due_now"] as Int?) ?? 0 > 0 else { continue }
                let next = (row["next"] as String?).flatMap(Timestamp.date(from:)) ?? .distantPast
                earliest = min(earliest ?? next, next)
            }
            return earliest
        }
    }
}

extension BrainRow {
    func pushTask(brain: BrainKind) -> PushTask {
        let memory = memory(brain: brain)
        return PushTask(
            brain: brain, recordID: id, entityID: ownerRUT, slug: slug, category: category, content: content,
            metadata: memory.metadata, memoryID: memoryID, version: version, deleted: deleted,
            addOutcomeUnknown: pushStartedAt != nil && memoryID == nil, attempts: attempts)
    }
}
