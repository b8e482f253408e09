import BrainCore
import Foundation
import PostgresNIO

// A load of every owner shared by the daemons on the database (schema 0007): chunks claimed
// like push rows, under leases the heartbeat renews.
extension PostgresStore: LoadJobStore {
    /// The channel a new load job is announced on, so idle daemons start on its chunks at once.
    static let loadChannel = "braind_load"

    /// Finished jobs are kept this long, for `braind_load_jobs` to show what ran.
    static let finishedLoadJobsKept = "7 days"

    public func startLoadJob(_ brain: BrainKind, chunkSize: Int) async throws -> String {
        let id = UUID()
        return try await transaction { connection in
            try await connection.execute(
                "DELETE FROM braind_load_jobs WHERE finished_at < clock_timestamp() - \(unescaped: "interval '\(Self.finishedLoadJobsKept)'")",
                logger: self.logger)
            let started = try await connection.execute(
                """
                INSERT INTO braind_load_jobs (id, brain, started_by, total, finished_at)
                SELECT \(id), \(brain.rawValue), \(self.daemonID), count(*), CASE WHEN count(*) = 0 THEN clock_timestamp() END
                FROM \(unescaped: brain.ownerTable) WHERE rut IS NOT NULL
                ON CONFLICT (brain) WHERE finished_at IS NULL DO NOTHING RETURNING 1
                """, logger: self.logger)
            guard started == 1 else {
                // One is running for this brain: follow it.
                guard let running = try await connection.rows(
                    "SELECT id FROM braind_load_jobs WHERE brain = \(brain.rawValue) AND finished_at IS NULL", logger: self.logger
                ).first?.decode(UUID.self) else {
                    throw BrainError.storageUnavailable(reason: "a load job of every \(brain.rawValue) ended while this one was starting; try again")
                }
                return running.uuidString
            }
            try await connection.execute(
                """
                INSERT INTO braind_load_chunks (job_id, chunk, owner_ids)
                SELECT \(id), chunk, array_agg(id ORDER BY n)
                FROM (SELECT id, n, (n - 1) / \(chunkSize) AS chunk
                      FROM (SELECT id, row_number() OVER (ORDER BY rut COLLATE "C", id) AS n
                            FROM \(unescaped: brain.ownerTable) WHERE rut IS NOT NULL) numbered) owners
                GROUP BY chunk
                """, logger: self.logger)
            // Delivered at commit, so no daemon looks for the chunks before they exist.
            _ = try await connection.rows("SELECT pg_notify(\(Self.loadChannel), \(id.uuidString))", logger: self.logger)
            return id.uuidString
        }
    }

    public func claimLoadChunk() async throws -> LoadChunk? {
        try await transaction(abandoned: { chunk in
            // Committed after the caller gave up on it: give it back rather than hold it a lease long.
            if let chunk { try? await self.releaseLoadChunk(chunk) }
        }) { connection in
            try await connection.rows(
                """
                UPDATE braind_load_chunks c SET claimed_by = \(self.daemonID), attempts = c.attempts + 1,
                    lease_until = clock_timestamp() + \(self.leaseSeconds) * interval '1 second'
                FROM (SELECT c2.job_id, c2.chunk FROM braind_load_chunks c2 JOIN braind_load_jobs j ON j.id = c2.job_id
                      WHERE c2.done_at IS NULL AND (c2.claimed_by IS NULL OR c2.lease_until < clock_timestamp())
                      ORDER BY j.created_at, c2.chunk LIMIT 1 FOR UPDATE OF c2 SKIP LOCKED) due
                WHERE c.job_id = due.job_id AND c.chunk = due.chunk
                RETURNING c.job_id, c.chunk, (SELECT brain FROM braind_load_jobs WHERE id = c.job_id), c.owner_ids
                """, logger: self.logger
            ).first.map { row in
                let (job, chunk, brain, owners) = try row.decode((UUID, Int, String, [UUID]).self)
                return LoadChunk(
                    jobID: job.uuidString, index: chunk, brain: BrainKind(rawValue: brain) ?? .company,
                    ownerIDs: owners.map { $0.uuidString.lowercased() })
            }
        }
    }

    public func finishLoadChunk(_ chunk: LoadChunk, summary: LoadAllSummary) async throws {
        let json = try CanonicalJSON.encode(summary)
        let job = UUID(uuidString: chunk.jobID)
        try await transaction { connection in
            // Chunks finishing at once on two daemons each see the other's as undone; with the job
            // locked first, the later one's check (a new statement, a new snapshot) sees both.
            try await connection.execute("SELECT 1 FROM braind_load_jobs WHERE id = \(job) FOR UPDATE", logger: self.logger)
            let recorded = try await connection.execute(
                """
                UPDATE braind_load_chunks SET done_at = clock_timestamp(), done_by = \(self.daemonID), summary = \(json)::jsonb,
                    claimed_by = NULL, lease_until = NULL
                WHERE job_id = \(job) AND chunk = \(chunk.index) AND done_at IS NULL AND claimed_by = \(self.daemonID)
                RETURNING 1
                """, logger: self.logger)
            guard recorded == 1 else {
                self.logger.notice("a load chunk's lease passed to another daemon before it finished here; that daemon's counts stand",
                                   metadata: ["braind.load.job": "\(chunk.jobID)", "braind.load.chunk": "\(chunk.index)"])
                return
            }
            try await connection.execute(
                """
                UPDATE braind_load_jobs SET finished_at = clock_timestamp()
                WHERE id = \(job) AND finished_at IS NULL
                  AND NOT EXISTS (SELECT 1 FROM braind_load_chunks WHERE job_id = \(job) AND done_at IS NULL)
                """, logger: self.logger)
        }
    }

    public func releaseLoadChunk(_ chunk: LoadChunk) async throws {
        try await transaction { connection in
            try await connection.execute(
                """
                UPDATE braind_load_chunks SET claimed_by = NULL, lease_until = NULL
                WHERE job_id = \(UUID(uuidString: chunk.jobID)) AND chunk = \(chunk.index) AND done_at IS NULL
                  AND claimed_by = \(self.daemonID)
                """, logger: self.logger)
            _ = try await connection.rows("SELECT pg_notify(\(Self.loadChannel), \(chunk.jobID))", logger: self.logger)
        }
    }

    public func loadJobProgress(id: String) async throws -> LoadJobProgress {
        guard let job = UUID(uuidString: id) else { throw BrainError.invalid(field: "job", reason: "'\(id)' is not a load job id") }
        return try await read { connection in
            guard let row = try await connection.rows(
                """
                SELECT j.total, j.finished_at IS NOT NULL,
                       coalesce(sum(cardinality(c.owner_ids)) FILTER (WHERE c.done_at IS NOT NULL), 0)::bigint,
                       coalesce(jsonb_agg(c.summary) FILTER (WHERE c.done_at IS NOT NULL AND j.finished_at IS NOT NULL), '[]')::text
                FROM braind_load_jobs j LEFT JOIN braind_load_chunks c ON c.job_id = j.id
                WHERE j.id = \(job) GROUP BY j.id
                """, logger: self.logger
            ).first else {
                throw BrainError.storageUnavailable(reason: "load job \(id) is gone from braind_load_jobs")
            }
            let (total, finished, done, parts) = try row.decode((Int, Bool, Int, String).self)
            var summary = LoadAllSummary()
            for part in try JSONDecoder().decode([LoadAllSummary].self, from: Data(parts.utf8)) { summary.add(part) }
            return LoadJobProgress(total: total, done: done, summary: summary, finished: finished)
        }
    }
}
