import BrainCore
import Foundation
import Logging
import PostgresNIO

extension PostgresStore {
    /// Claims up to `limit` rows due for a push (oldest first) and marks them in flight under a
    /// lease held by this daemon. An add is marked as started in the same commit, before any call
    /// leaves the machine, so a crash between Mem0's answer and our commit is recognised on the
    /// next attempt. SKIP LOCKED: daemons sharing the database claim disjoint rows, and a row a
    /// save holds is taken next time. A row whose lease ran out (its daemon died mid-push) is
    /// claimed again with its mark, so the record_id lookup finds what Mem0 already stored.
    /// Leases are read against the database's clock, never a daemon's.
    public func claimPushTasks(limit: Int, now: Date = Date()) async throws -> [PushTask] {
        try await transaction(abandoned: { tasks in await self.release(tasks) }) { connection in
            var tasks: [PushTask] = []
            for brain in BrainKind.allCases where tasks.count < limit {
                // The task carries the add mark as it was before this claim (like the SQLite
                // store, which reads the row and then sets the mark).
                let rows = try await connection.rows(
                    """
                    WITH due AS (
                        SELECT id, push_started_at AS previous_mark FROM \(unescaped: brain.table)
                        WHERE (version > synced_version AND sync_state = 'pending'
                               AND (next_attempt_at IS NULL OR next_attempt_at <= \(now)))
                           OR (sync_state = 'in_flight' AND (lease_until IS NULL OR lease_until < clock_timestamp()))
                        ORDER BY updated_at LIMIT \(limit - tasks.count)
                        FOR UPDATE SKIP LOCKED),
                    claimed AS (
                        UPDATE \(unescaped: brain.table) t SET sync_state = 'in_flight',
                            claimed_by = \(self.daemonID), lease_until = clock_timestamp() + \(self.leaseSeconds) * interval '1 second',
                            push_started_at = CASE WHEN t.memory_id IS NULL AND NOT t.deleted
                                                   THEN coalesce(t.push_started_at, \(now)) ELSE t.push_started_at END
                        FROM due WHERE t.id = due.id
                        RETURNING t.*, due.previous_mark)
                    SELECT \(unescaped: PostgresBrainRow.columns(brain)), b.previous_mark
                    FROM claimed b \(unescaped: PostgresBrainRow.ownerJoin(brain))
                    ORDER BY b.updated_at
                    """, logger: self.logger)
                for row in rows {
                    var brainRow = try PostgresBrainRow(row: row)
                    brainRow.pushStartedAt = try row.makeRandomAccess()[18].decode(Date?.self)
                    tasks.append(brainRow.pushTask(brain: brain))
                }
            }
            return tasks
        }
    }

    /// Hands back rows a claim took for a caller that had already given up (its deadline passed
    /// before the claim committed): pending again, their add-started marks kept, as after a crash.
    func release(_ tasks: [PushTask]) async {
        for brain in BrainKind.allCases {
            let ids = tasks.filter { $0.brain == brain }.compactMap { UUID(uuidString: $0.recordID) }
            guard !ids.isEmpty else { continue }
            do {
                try await transaction { connection in
                    try await connection.execute(
                        // Only while this daemon still holds them: a lease that ran out belongs to another daemon now.
                        """
                        UPDATE \(unescaped: brain.table) SET sync_state = 'pending', claimed_by = NULL, lease_until = NULL
                        WHERE id = ANY(\(ids)) AND sync_state = 'in_flight' AND claimed_by = \(self.daemonID)
                        """,
                        logger: self.logger)
                }
                logger.notice("rows claimed after their caller gave up went back to the queue", metadata: ["braind.push.rows": "\(ids.count)"])
            } catch {
                logger.error("cannot hand back rows claimed too late; another daemon takes them when their lease runs out, or this one at its next start", metadata: ["braind.error": "\(error)"])
            }
        }
    }

    /// Records how a push ended. A row edited while its push was in flight stays pending, so the
    /// newer version goes out next.
    public func completePush(_ task: PushTask, outcome: PushOutcome, now: Date = Date()) async throws {
        try await completePushes([(task, outcome)], now: now)
    }

    /// Records several push outcomes in one transaction: one commit for many rows.
    public func completePushes(_ outcomes: [(PushTask, PushOutcome)], now: Date = Date()) async throws {
        // A few round trips per outcome: in slices, so a backlog of outcomes (a slow database lets
        // them pile up) never makes one transaction too long for the deadline, which would fail
        // it again at every try.
        for slice in stride(from: 0, to: outcomes.count, by: Self.outcomesPerTransaction) {
            let part = Array(outcomes[slice..<min(slice + Self.outcomesPerTransaction, outcomes.count)])
            try await transaction { connection in
                for (task, outcome) in part { try await self.record(outcome, of: task, now: now, on: connection) }
            }
        }
    }

    /// Outcomes recorded per transaction.
    static let outcomesPerTransaction = 32

    private func record(_ outcome: PushOutcome, of task: PushTask, now: Date, on connection: PostgresConnection) async throws {
        let table = task.brain.table
        guard let id = UUID(uuidString: task.recordID) else { return }
        guard let (ownerID, holder) = try await connection.rows(
            "SELECT \(unescaped: task.brain.ownerColumn)::text, claimed_by FROM \(unescaped: table) WHERE id = \(id) FOR UPDATE",
            logger: logger
        ).first?.decode((String, String?).self) else { return }  // purged meanwhile
        // Another daemon took the row after this one's lease ran out: the row is its now, and it
        // finishes the push with the add mark, which finds whatever this call stored.
        if let holder, holder != daemonID {
            logger.notice("a push ended after its lease passed to another daemon; that daemon finishes the row", metadata: [
                "braind.push.record": "\(task.recordID)", "braind.push.holder": "\(holder)",
            ])
            return
        }
        let logger = self.logger
        func journal(_ kind: EventKind, _ detail: String? = nil) async throws {
            try await Self.journal(
                JournalEntry(kind: kind, brain: task.brain, ownerID: ownerID, recordID: task.recordID, slug: task.slug,
                             version: task.version, detail: detail),
                on: connection, logger: logger)
        }
        let version = task.version
        switch outcome {
        case .stored(let memoryID):
            // The add-started mark goes only now that Mem0's holding is known.
            try await connection.execute(
                """
                UPDATE \(unescaped: table) SET memory_id = \(memoryID), synced_version = \(version), push_started_at = NULL,
                    sync_attempts = 0, next_attempt_at = NULL, last_error = NULL,
                    sync_state = CASE WHEN version = \(version) THEN 'synced' ELSE 'pending' END
                WHERE id = \(id)
                """, logger: logger)
            try await journal(.pushed, try CanonicalJSON.encode(["operation": task.operation.rawValue, "memory_id": memoryID]))
        case .gone(let previous):
            try await connection.execute(
                """
                UPDATE \(unescaped: table) SET memory_id = NULL, synced_version = 0, push_started_at = NULL, sync_attempts = 0,
                    next_attempt_at = NULL, last_error = NULL, sync_state = 'pending'
                WHERE id = \(id) AND memory_id = \(previous)
                """, logger: logger)
            try await journal(.repaired, try CanonicalJSON.encode([
                "reason": "update answered 404; the memory is added again", "previous_memory_id": previous,
            ]))
        case .deleted:
            let purged = try await connection.execute(
                "DELETE FROM \(unescaped: table) WHERE id = \(id) AND deleted AND version = \(version) RETURNING 1", logger: logger)
            if purged == 0 {
                // Saved again while the delete was in flight: the remote copy is gone, so the
                // next push must add it afresh.
                try await connection.execute(
                    """
                    UPDATE \(unescaped: table) SET memory_id = NULL, synced_version = 0, push_started_at = NULL,
                        sync_state = 'pending', next_attempt_at = NULL WHERE id = \(id)
                    """, logger: logger)
            }
            try await journal(.pushed, #"{"operation":"delete"}"#)
        case .retry(let error, let delay, let outcomeUnknown):
            let next = now.addingTimeInterval(delay.seconds)
            try await connection.execute(
                """
                UPDATE \(unescaped: table) SET sync_state = 'pending', sync_attempts = sync_attempts + 1,
                    next_attempt_at = \(next), last_error = \(error),
                    push_started_at = CASE WHEN \(outcomeUnknown) THEN push_started_at ELSE NULL END
                WHERE id = \(id)
                """, logger: logger)
        case .failed(let error, let outcomeUnknown):
            try await connection.execute(
                """
                UPDATE \(unescaped: table) SET sync_state = CASE WHEN version = \(version) THEN 'failed' ELSE 'pending' END,
                    sync_attempts = sync_attempts + 1, last_error = \(error),
                    push_started_at = CASE WHEN \(task.addOutcomeUnknown || outcomeUnknown) THEN push_started_at ELSE NULL END,
                    next_attempt_at = NULL
                WHERE id = \(id)
                """, logger: logger)
            try await journal(.failed, try CanonicalJSON.encode(["error": error]))
        case .paused:
            try await connection.execute("UPDATE \(unescaped: table) SET sync_state = 'pending' WHERE id = \(id)", logger: logger)
        }
    }

    /// After a crash, rows left in flight go back to pending; their add-started markers stay, so
    /// their next push first looks for what Mem0 may already hold.
    ///
    /// With several daemons on one database, call it only where no other daemon is pushing (one
    /// push worker per database): it cannot tell another daemon's live claim from a crashed one.
    @discardableResult
    public func recoverInFlightPushes() async throws -> Int {
        try await transaction { connection in
            var recovered = 0
            for brain in BrainKind.allCases {
                // Only this daemon's claims (and holderless ones from before leases): a row
                // another daemon holds is being pushed now, and goes back only when its lease
                // runs out.
                recovered += try await connection.execute(
                    """
                    UPDATE \(unescaped: brain.table) SET sync_state = 'pending', claimed_by = NULL, lease_until = NULL
                    WHERE sync_state = 'in_flight' AND (claimed_by IS NULL OR claimed_by = \(self.daemonID)) RETURNING 1
                    """, logger: self.logger)
            }
            return recovered
        }
    }

    /// Puts failed rows back to pending (`brain retry`). Returns how many.
    @discardableResult
    public func retryFailed(brain: BrainKind? = nil) async throws -> Int {
        try await transaction { connection in
            var count = 0
            for kind in brain.map({ [$0] }) ?? BrainKind.allCases {
                count += try await connection.execute(
                    """
                    UPDATE \(unescaped: kind.table) SET sync_state = 'pending', next_attempt_at = NULL, sync_attempts = 0
                    WHERE sync_state = 'failed' RETURNING 1
                    """, logger: self.logger)
            }
            return count
        }
    }

    /// Failed rows across owners, newest first (`brain list --failed`).
    public func failedMemories(brain: BrainKind? = nil, limit: Int = StoreLimits.defaultPageSize) async throws -> [Memory] {
        try await read { connection in
            var memories: [Memory] = []
            for kind in brain.map({ [$0] }) ?? BrainKind.allCases {
                memories += try await connection.brainRows(
                    "\(unescaped: PostgresBrainRow.select(kind)) WHERE b.sync_state = 'failed' ORDER BY b.updated_at DESC LIMIT \(limit)",
                    logger: self.logger
                ).map { $0.memory(brain: kind) }
            }
            return Array(memories.sorted { $0.updatedAt > $1.updatedAt }.prefix(limit))
        }
    }

    /// When a push next falls due, for the worker's timer: nil when nothing is waiting.
    public func nextPushDue() async throws -> Date? {
        try await read { connection in
            var earliest: Date?
            for brain in BrainKind.allCases {
                guard let row = try await connection.rows(
                    """
                    SELECT count(*), min(next_attempt_at) FROM \(unescaped: brain.table)
                    WHERE version > synced_version AND sync_state = 'pending'
                    """, logger: self.logger
                ).first else { continue }
                let cells = row.makeRandomAccess()
                guard try cells[0].decode(Int.self) > 0 else { continue }
                // As in the SQLite store: min ignores rows due now (NULL); only NULLs mean now.
                let due = try cells[1].decode(Date?.self) ?? .distantPast
                earliest = min(earliest ?? due, due)
            }
            return earliest
        }
    }
}
