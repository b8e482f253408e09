import BrainCore
import Foundation
import Logging

/// Memory ids belong to the Mem0 that issued them. Before its first push braind compares the
/// configured Mem0 with the one its ids came from; when they differ it sends nothing (an update
/// or delete of another server's id is at best a 404 and at worst someone else's memory) and
/// status says `target_changed` until the operator runs `brain retarget`.
extension PushWorker: RetargetControl {
    /// Whether pushing may go on against this target; pings once to learn it.
    func ensureTarget() async -> Bool {
        guard let configured = settings.target else { return true }
        if health.withLock({ $0.targetVerified }) { return health.withLock { $0.recordedTarget == nil } }
        do {
            let current = try await currentTarget(configured)
            let recorded = try await database.recordedTarget()
            if let recorded, !Self.same(recorded, current) {
                health.withLock {
                    $0.state = "target_changed"
                    $0.target = current
                    $0.recordedTarget = recorded
                    $0.targetVerified = true
                }
                logger.error(
                    "the configured Mem0 is not the one braind's memory ids belong to; pushing is paused until `brain retarget`",
                    metadata: ["braind.mem0.target": "\(current)", "braind.mem0.recorded_target": "\(recorded)"])
                return false
            }
            if recorded == nil || recorded?.project == nil && current.project != nil { try await database.recordTarget(current) }
            health.withLock {
                $0.target = current
                $0.targetVerified = true
            }
            return true
        } catch {
            return false  // not reachable yet: nothing is pushed until the target is known
        }
    }

    public func retarget(dryRun: Bool) async throws -> RetargetReport {
        guard let configured = settings.target else { throw Mem0Error.invalidArgument("no Mem0 target is configured") }
        let current = try await currentTarget(configured)
        let report = try await database.retarget(to: current, dryRun: dryRun)
        guard !dryRun else { return report }
        health.withLock {
            $0.target = current
            $0.recordedTarget = nil
            $0.targetVerified = true
            if $0.state == "target_changed" { $0.state = "ok" }
        }
        logger.notice(
            "retargeted: every row is pushed to the configured Mem0",
            metadata: ["braind.mem0.target": "\(current)", "braind.retarget.rows": "\(report.rows)"])
        wake.signal()
        return report
    }

    private func currentTarget(_ configured: (api: String, baseURL: String)) async throws -> Mem0Target {
        try await gate.wait()
        let ping = try await client.ping()
        gate.recordSuccess()
        return Mem0Target(api: configured.api, baseURL: configured.baseURL, project: ping.projectID)
    }

    /// Two targets are the same Mem0 when dialect and address agree, and the project too where both know it.
    static func same(_ a: Mem0Target, _ b: Mem0Target) -> Bool {
        a.api == b.api && a.baseURL == b.baseURL && (a.project == nil || b.project == nil || a.project == b.project)
    }
}
