import ArgumentParser
import BrainCore
import BrainServer
import Foundation

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import owner data (companies, users, sessions: CSV, JSON array or JSON lines) or memories (`brain export` lines).",
        discussion: """
            Rows are upserted by RUT. A bad row is reported with its line number and skipped; the good
            rows are imported. Example data: examples/companies.csv, examples/users.jsonl, examples/sessions.json.
              brain import companies examples/companies.csv
              brain import users examples/users.jsonl
              brain import sessions examples/sessions.json
            Memories (JSON lines from `brain export`) go through the normal save path: upserted by
            owner and slug, pushed to Mem0 like any save; a bad line is reported with its number.
              brain import memories brain.jsonl
            """)

    enum Kind: String, ExpressibleByArgument, CaseIterable { case companies, users, sessions, memories }

    @OptionGroup var global: GlobalOptions
    @Argument(help: "companies, users, sessions or memories.") var kind: Kind
    @Argument(help: "The file ('-' for stdin).") var file: String
    @Option(help: "csv, json or jsonl (default: detected from the content).") var format: String?

    func run() async throws {
        try await runReportingErrors {
            if kind == .memories { return try await importMemories(file: file, global: global) }
            let data: Data
            if file == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else if let contents = FileManager.default.contents(atPath: file) {
                data = contents
            } else {
                throw CLIError(message: "cannot read \(file)", hint: "check the path, or use - to read stdin")
            }
            let result = try await global.client().importOwners(kind.rawValue, data: data, format: format)
            if global.json { return try printJSON(result) }
            print("\(kind.rawValue): \(result.imported) imported (\(result.created) created, \(result.updated) updated, \(result.unchanged) unchanged), \(result.failed) failed [\(result.format.rawValue)]")
            for error in result.errors { print("  \(error)") }
            if result.failed > 0 { throw ExitCode(1) }
        }
    }
}

struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Build memories from imported owner data (the seed's loader tasks), for one owner or all.",
        discussion: """
              brain load companies              every company, with a progress bar on a terminal
              brain load users 11.111.111-1     one user
            Loading unchanged data again changes nothing; a field that became empty removes its memory.
            """)

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case companies, users
        var brain: BrainKind { self == .companies ? .company : .user }
    }

    @OptionGroup var global: GlobalOptions
    @Argument(help: "companies or users.") var kind: Kind
    @Argument(help: "One owner's RUT or UUID (default: every owner).") var owner: String?

    func run() async throws {
        try await runReportingErrors {
            let client = try global.client()
            if let owner {
                let result = try await client.load(kind.brain, owner: owner)
                if global.json { return try printJSON(result) }
                printTable(
                    headers: ["SLUG", "STATUS"],
                    rows: result.items.map { [$0.slug ?? "-", $0.status.rawValue] } + result.removed.map { [$0.slug, "removed"] })
                print("saved \(result.savedCount), failed \(result.failedCount), removed \(result.removedCount)")
                for error in result.errors { print(error) }
                if !result.success { throw ExitCode(1) }
                return
            }
            let bar = ProgressBar(label: kind.rawValue)
            let data = try await client.loadAll(kind.brain) { done, total in bar.update(done: done, total: total) }
            bar.finish(done: 1, total: 1)
            if global.json { return try printJSON(try JSONDecoder().decode(JSONValue.self, from: data)) }
            let failed: Int
            switch kind {
            case .companies:
                let result = try JSONDecoder().decode(LoadAllCompaniesResult.self, from: data)
                print("companies: \(result.loadedCompanies)/\(result.totalCompanies) loaded, \(result.failedCompanies) failed; memories created \(result.totalMemoriesCreated), updated \(result.totalMemoriesUpdated), removed \(result.totalMemoriesRemoved)")
                result.errors.prefix(20).forEach { print($0) }
                failed = result.failedCompanies
            case .users:
                let result = try JSONDecoder().decode(LoadAllUsersResult.self, from: data)
                print("users: \(result.loadedUsers)/\(result.totalUsers) loaded, \(result.failedUsers) failed; memories created \(result.totalMemoriesCreated), updated \(result.totalMemoriesUpdated), removed \(result.totalMemoriesRemoved)")
                result.errors.prefix(20).forEach { print($0) }
                failed = result.failedUsers
            }
            if failed > 0 { throw ExitCode(1) }
        }
    }
}
