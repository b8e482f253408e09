import ArgumentParser
import BrainCore
import BrainServer
import Foundation

struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Compare the brain tables with Mem0 and repair drift (needs a Mem0 key).",
        discussion: """
            Runs one reconcile and prints its report; on a terminal a progress bar shows entities done.
            A run already in progress is joined rather than started twice.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this entity (the owner's RUT).") var entity: String?
    @Option(help: "Only this brain: company or user.") var brain: BrainKind?
    @Flag(help: "Report drift without repairing anything, locally or in Mem0.") var dryRun = false
    @Flag(help: "Show the last run's report instead of starting one.") var last = false
    @Flag(help: "Start the run and return at once with its id.") var noWait = false

    func run() async throws {
        try await runReportingErrors {
            let client = try global.client()
            if last { return try show(try await client.lastReconcile()) }
            var report = try await client.startReconcile(ReconcileOptions(entity: entity, brain: brain, dryRun: dryRun))
            if noWait { return try show(report) }
            let bar = ProgressBar(label: "entities")
            while report.status == "running" {
                bar.update(done: report.entitiesScanned, total: report.entitiesTotal)
                try await Task.sleep(for: .milliseconds(200))
                report = try await client.reconcileRun(id: report.runID)
            }
            bar.finish(done: report.entitiesScanned, total: report.entitiesTotal)
            try show(report)
            if report.status != "succeeded" { throw ExitCode(1) }
        }
    }

    private func show(_ report: ReconcileReport) throws {
        if global.json { return try printJSON(report) }
        printReconcileReport(report)
    }
}

/// Prints a run's report as a short text block and a table of drift classes.
func printReconcileReport(_ report: ReconcileReport) {
    print("run       \(report.runID)\(report.options.dryRun ? " (dry run)" : "")")
    print("status    \(report.status)")
    print("started   \(report.startedAt)")
    if let finished = report.finishedAt { print("finished  \(finished)") }
    print("entities  \(report.entitiesScanned)/\(report.entitiesTotal), remote memories seen \(report.remoteSeen)")
    if report.listingFailures > 0 { print("not listed \(report.listingFailures) entities (Mem0 could not be listed for them)") }
    if report.deferred > 0 { print("deferred  \(report.deferred) (Mem0 or the row changed since the listing; the next run looks again)") }
    let calls = report.apiCalls.keys.sorted().map { "\($0) \(report.apiCalls[$0]!)" }.joined(separator: ", ")
    print("mem0 calls \(calls.isEmpty ? "none" : calls)")
    printTable(
        headers: ["DRIFT", "FOUND", "REPAIRED", "FAILED"],
        rows: DriftClass.allCases.map { kind in
            let count = report.drift[kind.rawValue] ?? DriftCount()
            return [kind.rawValue, "\(count.found)", "\(count.repaired)", "\(count.failed)"]
        })
    for error in report.errors.prefix(20) { print("error: \(error)") }
}

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
struct ProgressBar {
    let label: String
    private let enabled = isatty(STDERR_FILENO) == 1

    func update(done: Int, total: Int) {
        guard enabled, total > 0 else { return }
        let width = 30
        let filled = min(width, done * width / total)
        let line = "\r[" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled) + "] \(done)/\(total) \(label)"
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish(done: Int, total: Int) {
        guard enabled, total > 0 else { return }
        update(done: done, total: total)
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
