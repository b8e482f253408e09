import ArgumentParser
import BrainCore
import BrainServer
import Foundation

struct RetargetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retarget",
        abstract: "Move braind to the Mem0 it is configured for now: forget the old memory ids and push every row there.",
        discussion: """
            After mem0.api or MEM0_BASE_URL (or the Platform project) changes, braind stops pushing
            and status says target_changed. This pushes every live row to the configured Mem0, each
            looked up by its record_id first, so moving back to a Mem0 that still holds the memories
            adopts them instead of duplicating them. The old Mem0 is left untouched.
            """)

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Say what would move, change nothing.") var dryRun = false

    func run() async throws {
        try await runReportingErrors {
            let report = try await global.client().retarget(dryRun: dryRun)
            if global.json { return try printJSON(report) }
            print("from      \(report.from?.description ?? "(none recorded)")")
            print("to        \(report.to)")
            print("\(report.dryRun ? "would push" : "pushing") \(report.rows) rows and \(report.tombstones) deletes to the new target")
        }
    }
}
