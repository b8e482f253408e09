import BrainCore
import Foundation
import PostgresNIO

// Several daemons on one database: each names itself in its claims and runs, renews its claims
// while it lives, and heartbeats a row the others read.
extension PostgresStore {
    /// This daemon's id among those sharing the database.
    public var daemonID: String { options.daemonID }

    /// How long a push claim holds without renewal.
    public var leaseDuration: Duration { options.leaseDuration }

    var leaseSeconds: Double { options.leaseDuration.seconds }

    /// Records this daemon as live. A daemon restarted with the same id takes its old row over.
    public func register(host: String, pid: Int32, version: String) async throws {
        try await transaction { connection in
            try await connection.execute(
                """
                INSERT INTO braind_daemons (id, host, pid, version, started_at, last_seen)
                VALUES (\(self.daemonID), \(host), \(Int(pid)), \(version), clock_timestamp(), clock_timestamp())
                ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid, version = excluded.version,
                    started_at = excluded.started_at, last_seen = excluded.last_seen
                """, logger: self.logger)
        }
    }

    /// Renews this daemon's push and load-chunk leases and its heartbeat, in one transaction. Call it every
    /// third of the lease: a daemon that stops calling it (dead, or cut off from the database)
    /// loses its claims to the others when the lease runs out.
    /// - Returns: how many claims were renewed.
    @discardableResult
    public func heartbeat() async throws -> Int {
        try await transaction { connection in
            var renewed = 0
            for brain in BrainKind.allCases {
                renewed += try await connection.execute(
                    """
                    UPDATE \(unescaped: brain.table) SET lease_until = clock_timestamp() + \(self.leaseSeconds) * interval '1 second'
                    WHERE sync_state = 'in_flight' AND claimed_by = \(self.daemonID) RETURNING 1
                    """, logger: self.logger)
            }
            renewed += try await connection.execute(
                """
                UPDATE braind_load_chunks SET lease_until = clock_timestamp() + \(self.leaseSeconds) * interval '1 second'
                WHERE done_at IS NULL AND claimed_by = \(self.daemonID) RETURNING 1
                """, logger: self.logger)
            try await connection.execute(
                "UPDATE braind_daemons SET last_seen = clock_timestamp() WHERE id = \(self.daemonID)", logger: self.logger)
            return renewed
        }
    }

    /// Removes this daemon's row at a clean stop, so the cluster view drops it at once.
    public func deregister() async {
        do {
            try await transaction { connection in
                try await connection.execute("DELETE FROM braind_daemons WHERE id = \(self.daemonID)", logger: self.logger)
            }
        } catch {
            logger.notice("could not remove this daemon from braind_daemons; it ages out", metadata: ["braind.error": "\(error)"])
        }
    }

    /// The daemons seen within three leases, this one included, oldest first.
    public func liveDaemons() async throws -> [ClusterMember]? {
        try await read { connection in
            try await connection.rows(
                """
                SELECT id, host, pid, version, started_at, last_seen FROM braind_daemons
                WHERE last_seen > clock_timestamp() - 3 * \(self.leaseSeconds) * interval '1 second'
                ORDER BY started_at, id
                """, logger: self.logger
            ).map { row in
                let (id, host, pid, version, started, seen) = try row.decode((String, String, Int, String, Date, Date).self)
                return ClusterMember(
                    id: id, host: host, pid: pid, version: version,
                    startedAt: Timestamp.string(from: started), lastSeen: Timestamp.string(from: seen))
            }
        }
    }
}

// One reconcile run at a time across the daemons, and one scheduled run per interval.
extension PostgresStore {
    /// Takes the cluster's reconcile slot for `runID` (a row in daemon_state naming the run and
    /// its daemon); nil when taken, else the run holding it. A holder whose heartbeat is older
    /// than three leases is gone, and its slot is free.
    public func claimReconcileSlot(runID: String) async throws -> String? {
        let value = try CanonicalJSON.encode(["run": runID, "daemon": daemonID])
        return try await transaction { connection in
            let taken = try await connection.execute(
                """
                INSERT INTO daemon_state (key, value) VALUES ('reconcile_slot', \(value))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value
                WHERE coalesce(daemon_state.value::jsonb ->> 'run', '') = ''
                   OR daemon_state.value::jsonb ->> 'daemon' = \(self.daemonID)
                   OR NOT EXISTS (SELECT 1 FROM braind_daemons d WHERE d.id = daemon_state.value::jsonb ->> 'daemon'
                                  AND d.last_seen > clock_timestamp() - 3 * \(self.leaseSeconds) * interval '1 second')
                RETURNING 1
                """, logger: self.logger)
            if taken == 1 { return nil }
            return try await connection.rows(
                "SELECT value::jsonb ->> 'run' FROM daemon_state WHERE key = 'reconcile_slot'", logger: self.logger
            ).first?.decode(String?.self) ?? nil
        }
    }

    public func releaseReconcileSlot(runID: String) async throws {
        try await transaction { connection in
            try await connection.execute(
                "UPDATE daemon_state SET value = '{}' WHERE key = 'reconcile_slot' AND value::jsonb ->> 'run' = \(runID)",
                logger: self.logger)
        }
    }

    /// True for the first daemon to ask once `interval` has passed since the last scheduled run
    /// began anywhere; the daemons' timers are not aligned, so the run moves between them.
    public func claimScheduledReconcile(interval: Duration) async throws -> Bool {
        try await transaction { connection in
            try await connection.execute(
                """
                INSERT INTO daemon_state (key, value) VALUES ('reconcile_scheduled_at', clock_timestamp()::text)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value
                WHERE daemon_state.value::timestamptz <= clock_timestamp() - \(interval.seconds) * interval '1 second'
                RETURNING 1
                """, logger: self.logger) == 1
        }
    }
}
