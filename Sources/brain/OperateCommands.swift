import ArgumentParser
import BrainCore
import BrainServer
import Foundation

/// `brain backup FILE`: an online copy of braind's database, checked before it is reported.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy braind's database to FILE while it keeps serving; the copy is checked and its counts printed.",
        discussion: """
            braind writes FILE itself (as its own user, mode 0600), from a snapshot taken when the
            backup starts: every save acknowledged before is in it, and saves go on meanwhile.
            Restore it with `braind restore FILE` while braind is stopped.
              brain backup ~/backups/brain-$(date +%F).sqlite
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The backup file to create.") var file: String
    @Flag(help: "Replace FILE if it exists.") var force = false

    func run() async throws {
        try await runReportingErrors {
            let path = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
            let report = try await global.client().backup(to: path, overwrite: force)
            if global.json { return try printJSON(report) }
            let facts = report.inspection
            print("backup: \(report.path)")
            print("  size \(formatBytes(facts.bytes)), \(String(format: "%.2f", report.seconds)) s, integrity \(facts.integrity), schema \(facts.schemaVersion ?? "none")")
            print("  memories: company \(facts.memories["company"] ?? 0), user \(facts.memories["user"] ?? 0) (tombstones: company \(facts.tombstones["company"] ?? 0), user \(facts.tombstones["user"] ?? 0))")
            print("  owners: \(facts.companies) companies, \(facts.users) users; \(facts.events) journal events")
        }
    }
}

/// `brain export`: every live memory as JSON lines, the format `brain import memories` reads.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write memories as JSON lines (one memory per line), to move a brain to another machine.",
        discussion: """
            Each line: {"brain","category","content","created_at","metadata","owner","slug","updated_at"},
            ordered by brain, owner RUT and slug, from one point in time. Import it elsewhere with
            `brain import memories FILE`.
              brain export --output brain.jsonl
              brain export --brain user --owner 11.111.111-1
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "company or user (default: both).") var brain: BrainKind?
    @Option(help: "One owner's RUT or UUID (default: every owner).") var owner: String?
    @Option(name: [.short, .long], help: "The file to write (default: stdout).") var output: String?

    func run() async throws {
        try await runReportingErrors {
            let client = try global.client()
            guard let output, output != "-" else {
                try await client.exportMemories(brain: brain, owner: owner, to: .standardOutput)
                return
            }
            // Written beside the target and renamed at the end: a cut export never looks complete.
            let partial = output + ".partial"
            guard FileManager.default.createFile(atPath: partial, contents: nil), let handle = FileHandle(forWritingAtPath: partial) else {
                throw CLIError(message: "cannot write \(output)", hint: "check that its directory exists and is writable")
            }
            let bar = ProgressBar(label: "memories")
            do {
                let count = try await client.exportMemories(brain: brain, owner: owner, to: handle) { done, total in
                    bar.update(done: done, total: total)
                }
                bar.finish(done: count, total: count)
                try handle.synchronize()
                try handle.close()
                try? FileManager.default.removeItem(atPath: output)
                try FileManager.default.moveItem(atPath: partial, toPath: output)
                if global.json { return try printJSON(["file": JSONValue.string(output), "memories": .int(Int64(count))]) }
                FileHandle.standardError.write(Data("exported \(count) memories to \(output)\n".utf8))
            } catch {
                try? handle.close()
                try? FileManager.default.removeItem(atPath: partial)
                throw error
            }
        }
    }
}

/// `brain import memories FILE`: the other half of `brain export`.
func importMemories(file: String, global: GlobalOptions) async throws {
    let handle: FileHandle
    var length: Int64?
    if file == "-" {
        handle = .standardInput
    } else {
        guard let opened = FileHandle(forReadingAtPath: file) else {
            throw CLIError(message: "cannot read \(file)", hint: "check the path, or use - to read stdin")
        }
        handle = opened
        length = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value
    }
    let bar = ProgressBar(label: "KiB")
    let result = try await global.client().importMemories(from: handle, length: length) { sent, total in
        bar.update(done: Int(sent >> 10), total: Int(total >> 10))
    }
    if let length { bar.finish(done: Int(length >> 10), total: Int(length >> 10)) }
    if global.json { return try printJSON(result) }
    print("memories: \(result.imported) imported (\(result.created) created, \(result.updated) updated, \(result.unchanged) unchanged), \(result.failed) failed, \(result.lines) lines")
    for error in result.errors.prefix(50) { print("  \(error)") }
    if result.errors.count > 50 || result.failed > result.errors.count {
        print("  ... \(result.failed - min(50, result.errors.count)) more; --json lists the first \(MemoryImporter.maxReportedErrors)")
    }
    if result.failed > 0 { throw ExitCode(1) }
}

/// `12.3 MB`.
func formatBytes(_ bytes: Int64) -> String {
    let units = ["B", "KB", "MB", "GB", "TB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1000 && unit < units.count - 1 {
        value /= 1000
        unit += 1
    }
    return unit == 0 ? "\(bytes) B" : "\(String(format: "%.1f", value)) \(units[unit])"
}
