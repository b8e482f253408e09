import ArgumentParser
import BrainCore
import BrainServer
import Foundation

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show what braind holds and its Mem0 state.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await runReportingErrors {
            let status = try await global.client().status()
            if global.json { return try printJSON(status) }
            print("braind \(status.version) (API \(status.apiVersion)), pid \(status.pid), up \(Int(status.uptimeSeconds))s")
            print("socket    \(status.socket)")
            let store = status.store.map { "\($0.kind) \($0.version): " } ?? ""
            print("database  \(store)\(status.database)\(status.storageProblem.map { " (failing: \($0))" } ?? "")")
            if let cluster = status.cluster {
                let others = cluster.filter { $0.pid != Int(status.pid) || !$0.id.hasSuffix(status.socket) }
                print("daemons   \(cluster.count) live on this database\(others.isEmpty ? "" : ": " + others.map { "pid \($0.pid) on \($0.host)" }.joined(separator: ", ") + " and this one")")
            }
            print("mem0      \(status.mem0.state)\(status.mem0.pausedUntil.map { ", calls paused until \($0)" } ?? "")")
            if let target = status.mem0.target { print("target    \(target)") }
            if let recorded = status.mem0.recordedTarget {
                print("ids of    \(recorded): pushing waits for `brain retarget` (or restore the old Mem0 settings)")
            }
            if let last = status.mem0.lastPushAt { print("last push \(last)") }
            if let error = status.mem0.lastError { print("last error \(error)") }
            guard !status.brains.isEmpty else {
                print("brains    unknown: braind cannot read its database now; it keeps retrying and recovers by itself")
                return
            }
            let rows = BrainKind.allCases.map { brain -> [String] in
                let counts = status.brains[brain.rawValue] ?? BrainCounts()
                return [
                    brain.rawValue, "\(counts.live)", "\(counts.pending)", "\(counts.inFlight)", "\(counts.synced)",
                    "\(counts.failed)", "\(counts.tombstones)", counts.oldestPendingSince.flatMap(Timestamp.date(from:)).map { pendingAge(since: $0) } ?? "-",
                ]
            }
            printTable(headers: ["BRAIN", "LIVE", "PENDING", "IN FLIGHT", "SYNCED", "FAILED", "TOMBSTONES", "OLDEST PENDING AGE"], rows: rows)
            if let run = status.lastReconcile {
                let repaired = run.drift.values.reduce(0) { $0 + $1.repaired }
                let failed = run.drift.values.reduce(0) { $0 + $1.failed }
                print("last reconcile \(run.status) at \(run.finishedAt ?? run.startedAt): \(run.entitiesScanned) entities, drift \(run.driftFound) found, \(repaired) repaired, \(failed) failed\(run.options.dryRun ? " (dry run)" : "")")
            } else {
                print("last reconcile none")
            }
        }
    }
}

struct PingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ping", abstract: "Check that braind answers.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await runReportingErrors {
            let client = try global.client()
            let started = ContinuousClock.now
            let reply = try await client.ping()
            let elapsed = ContinuousClock.now - started
            if global.json { return try printJSON(reply) }
            print("braind \(reply.version) (API \(reply.apiVersion)) on \(client.socketPath): \(elapsed.formatted(.units(allowed: [.milliseconds, .microseconds], width: .narrow)))")
        }
    }
}

struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Push the rows Mem0 refused again (see `brain list --failed`).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Only this brain: company or user.") var brain: BrainKind?

    func run() async throws {
        try await runReportingErrors {
            let count = try await global.client().retry(brain: brain)
            if global.json { return try printJSON(["retried": count]) }
            print("\(count) failed row\(count == 1 ? "" : "s") queued for another push")
        }
    }
}

/// How long the oldest pending change has waited, for people ("3m12s").
func pendingAge(since date: Date) -> String {
    let seconds = max(0, Int(Date().timeIntervalSince(date)))
    if seconds < 60 { return "\(seconds)s" }
    if seconds < 3_600 { return "\(seconds / 60)m\(seconds % 60)s" }
    return "\(seconds / 3_600)h\(seconds % 3_600 / 60)m"
}
