import BrainCore
import Foundation
import PostgresNIO

extension PostgresStore {
    private static let targetKey = "mem0_target"

    /// The Mem0 the stored memory ids belong to; nil before the first push to any.
    public func recordedTarget() async throws -> Mem0Target? {
        try await read { connection in
            try await connection.rows("SELECT value FROM daemon_state WHERE key = \(Self.targetKey)", logger: self.logger)
                .first.flatMap { try? JSONDecoder().decode(Mem0Target.self, from: Data(try $0.decode(String.self).utf8)) }
        }
    }

    /// Records the Mem0 the memory ids belong to.
    public func recordTarget(_ target: Mem0Target) async throws {
        let json = try CanonicalJSON.encode(target)
        try await transaction { connection in
            try await Self.recordTarget(json, on: connection, store: self)
        }
    }

    private static func recordTarget(_ json: String, on connection: PostgresConnection, store: PostgresStore) async throws {
        try await connection.execute(
            """
            INSERT INTO daemon_state (key, value) VALUES (\(targetKey), \(json))
            ON CONFLICT (key) DO UPDATE SET value = excluded.value
            """, logger: store.logger)
    }

    /// Live rows and tombstones over both brains, as a retarget moves them.
    private func retargetCounts(on connection: PostgresConnection) async throws -> (rows: Int, tombstones: Int) {
        var rows = 0
        var tombstones = 0
        for brain in BrainKind.allCases {
            let (live, dead) = try await connection.rows(
                "SELECT count(*) FILTER (WHERE NOT deleted), count(*) FILTER (WHERE deleted) FROM \(unescaped: brain.table)",
                logger: logger
            ).first?.decode((Int, Int).self) ?? (0, 0)
            rows += live
            tombstones += dead
        }
        return (rows, tombstones)
    }

    /// Moves every row to another Mem0: the old ids are forgotten, every row goes back to the
    /// queue with its add-started mark set (each add first looks its record_id up on the new
    /// target), and the new target is recorded, all in one transaction.
    public func retarget(to target: Mem0Target, dryRun: Bool, now: Date = Date()) async throws -> RetargetReport {
        let from = try await recordedTarget()
        let json = try CanonicalJSON.encode(target)
        if dryRun {
            let (rows, tombstones) = try await read { connection in try await self.retargetCounts(on: connection) }
            return RetargetReport(from: from, to: target, rows: rows, tombstones: tombstones, dryRun: true)
        }
        let (rows, tombstones) = try await transaction { connection in
            let counts = try await self.retargetCounts(on: connection)
            for brain in BrainKind.allCases {
                try await connection.execute(
                    """
                    UPDATE \(unescaped: brain.table) SET memory_id = NULL, synced_version = 0, sync_state = 'pending',
                        push_started_at = \(now), sync_attempts = 0, next_attempt_at = NULL, last_error = NULL
                    """, logger: self.logger)
            }
            try await Self.recordTarget(json, on: connection, store: self)
            return counts
        }
        return RetargetReport(from: from, to: target, rows: rows, tombstones: tombstones, dryRun: false)
    }
}
