import BrainCore
import Foundation
import GRDB

extension BrainDatabase {
    private static let targetKey = "mem0_target"

    /// The Mem0 the stored memory ids belong to; nil before the first push to any.
    public func recordedTarget() async throws -> Mem0Target? {
        try await storageRead { db in
            try DaemonState.value(Self.targetKey, in: db)
                .flatMap { try? JSONDecoder().decode(Mem0Target.self, from: Data($0.utf8)) }
        }
    }

    /// Records the Mem0 the memory ids belong to.
    public func recordTarget(_ target: Mem0Target) async throws {
        let json = try CanonicalJSON.encode(target)
        try await storageWrite { db in
            try DaemonState.set(Self.targetKey, to: json, in: db)
        }
    }

    /// Live rows and tombstones, as a retarget moves them.
    private static func retargetCounts(_ db: Database) throws -> (Int, Int) {
        var rows = 0
        var tombstones = 0
        for brain in BrainKind.allCases {
            rows += try Int.fetchOne(db, sql: "SELECT count(*) FROM \(brain.table) WHERE deleted = 0") ?? 0
            tombstones += try Int.fetchOne(db, sql: "SELECT count(*) FROM \(brain.table) WHERE deleted = 1") ?? 0
        }
        return (rows, tombstones)
    }

    /// Moves every row to another Mem0: the ids of the old one are forgotten, every row goes back
    /// to the queue with its add-started mark set, so each add first looks its record_id up on the
    /// new target (a move back to a target that still holds the memories adopts them, never
    /// duplicates them), and the new target is recorded, all in one transaction. The push worker
    /// calls it only while pushing is paused for the change of target, so nothing is in flight.
    public func retarget(to target: Mem0Target, dryRun: Bool, now: Date = Date()) async throws -> RetargetReport {
        let from = try await recordedTarget()
        let json = try CanonicalJSON.encode(target)
        let nowText = Timestamp.string(from: now)
        if dryRun {
            let (rows, tombstones) = try await storageRead(Self.retargetCounts)
            return RetargetReport(from: from, to: target, rows: rows, tombstones: tombstones, dryRun: true)
        }
        let (rows, tombstones) = try await storageWrite { db -> (Int, Int) in
            let result = try Self.retargetCounts(db)
            for brain in BrainKind.allCases {
                try db.execute(
                    sql: """
                        UPDATE \(brain.table) SET memory_id = NULL, synced_version = 0, sync_state = 'pending',
                            push_started_at = ?, sync_attempts = 0, next_attempt_at = NULL, last_error = NULL
                        """,
                    arguments: [nowText])
            }
            try DaemonState.set(Self.targetKey, to: json, in: db)
            return result
        }
        return RetargetReport(from: from, to: target, rows: rows, tombstones: tombstones, dryRun: false)
    }
}
