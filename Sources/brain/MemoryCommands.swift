import ArgumentParser
import BrainCore
import BrainServer
import Foundation

struct SaveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "save",
        abstract: "Save one memory, or a batch from a file (the API's {\"memories\": [...]} body).",
        discussion: """
            Examples:
              brain save company 12.345.678-5 company_tax_regime "Régimen tributario: ProPyme General" --category company_tax
              brain save user 11.111.111-1 --file memories.json
              cat memories.json | brain save user 11.111.111-1 --file -
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "company or user.") var brain: BrainKind
    @Argument(help: "The owner's RUT (12.345.678-5) or UUID.") var owner: String
    @Argument(help: "The memory's slug, e.g. company_tax_regime.") var slug: String?
    @Argument(help: "The memory's text.") var content: String?
    @Option(help: "Category, e.g. company_tax.") var category: String?
    @Option(help: "Metadata as a JSON object.") var metadata: String?
    @Option(help: "Read a batch body from FILE ('-' for stdin) instead of SLUG and CONTENT.") var file: String?

    func validate() throws {
        if file != nil {
            guard slug == nil, content == nil, category == nil, metadata == nil else {
                throw ValidationError("--file replaces SLUG, CONTENT, --category and --metadata; give one or the other")
            }
        } else if slug == nil || content == nil {
            throw ValidationError("give SLUG and CONTENT, or --file FILE")
        }
    }

    func run() async throws {
        try await runReportingErrors {
            let client = try global.client()
            let result: SaveBatchResult
            if let file {
                result = try await client.save(brain, owner: owner, rawBody: try readInput(file))
            } else {
                let input = MemoryInput(slug: slug, category: category, content: content, metadata: try parseMetadata())
                result = try await client.save(brain, owner: owner, memories: [input])
            }
            if global.json {
                try printJSON(result)
            } else {
                printTable(
                    headers: ["SLUG", "STATUS", "SYNC"],
                    rows: result.items.map { [$0.slug ?? "-", $0.status.rawValue, $0.syncState?.rawValue ?? "-"] })
                print("saved \(result.savedCount), failed \(result.failedCount)")
                for error in result.errors { print(error) }
            }
            if !result.success { throw ExitCode(1) }
        }
    }

    private func parseMetadata() throws -> JSONValue? {
        guard let metadata else { return nil }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(metadata.utf8))
        } catch {
            throw CLIError(message: "--metadata is not valid JSON", hint: #"pass an object, e.g. --metadata '{"source":"onboarding"}'"#)
        }
    }

    private func readInput(_ path: String) throws -> Data {
        if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError(message: "cannot read \(path)", hint: "check the path, or use --file - to read stdin")
        }
        return data
    }
}

struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show one memory.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "company or user.") var brain: BrainKind
    @Argument(help: "The owner's RUT or UUID.") var owner: String
    @Argument(help: "The memory's slug.") var slug: String

    func run() async throws {
        try await runReportingErrors {
            let memory = try await global.client().memory(brain, owner: owner, slug: slug)
            if global.json { return try printJSON(memory) }
            let fields: [(String, String)] = [
                ("slug", memory.slug), ("category", memory.category ?? "-"), ("content", memory.content),
                ("metadata", (try? CanonicalJSON.encode(memory.metadata)) ?? "{}"), ("owner", memory.ownerRUT),
                ("id", memory.id), ("mem0 id", memory.memoryID ?? "-"), ("sync", memory.syncState.rawValue),
                ("version", "\(memory.version) (mem0 has \(memory.syncedVersion))"), ("updated", memory.updatedAt),
            ]
            for (name, value) in fields { print(name.padding(toLength: 10, withPad: " ", startingAt: 0) + value) }
        }
    }
}

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List an owner's memories, or with --failed the rows Mem0 refused.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "company or user.") var brain: BrainKind?
    @Argument(help: "The owner's RUT or UUID.") var owner: String?
    @Option(help: "Only this category.") var category: String?
    @Option(help: "Page size (1-1000).") var limit: Int?
    @Option(help: "Continue after this slug (the previous page's next_cursor).") var cursor: String?
    @Flag(help: "List rows whose push Mem0 refused, across owners (`brain retry` pushes them again).") var failed = false

    func validate() throws {
        if failed {
            guard owner == nil, category == nil, cursor == nil else {
                throw ValidationError("--failed lists across owners; it takes only an optional brain and --limit")
            }
        } else if brain == nil || owner == nil {
            throw ValidationError("give a brain (company or user) and an OWNER, or --failed")
        }
    }

    func run() async throws {
        try await runReportingErrors {
            if failed {
                let memories = try await global.client().failed(brain: brain, limit: limit)
                if global.json { return try printJSON(memories) }
                printTable(
                    headers: ["BRAIN", "OWNER", "SLUG", "ERROR"],
                    rows: memories.map { [$0.brain.rawValue, $0.ownerRUT, $0.slug, $0.lastError ?? "-"] }, lastColumnWidth: 100)
                return
            }
            guard let brain, let owner else { return }
            let page = try await global.client().list(brain, owner: owner, category: category, limit: limit, cursor: cursor)
            if global.json { return try printJSON(page) }
            printTable(
                headers: ["SLUG", "CATEGORY", "SYNC", "CONTENT"],
                rows: page.memories.map { [$0.slug, $0.category ?? "-", $0.syncState.rawValue, $0.content] })
            if let next = page.nextCursor { print("more: --cursor \(next)") }
        }
    }
}

struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a memory (Mem0 is updated by the push worker).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "company or user.") var brain: BrainKind
    @Argument(help: "The owner's RUT or UUID.") var owner: String
    @Argument(help: "The memory's slug.") var slug: String

    func run() async throws {
        try await runReportingErrors {
            let result = try await global.client().delete(brain, owner: owner, slug: slug)
            if global.json { return try printJSON(result) }
            print("deleted \(result.slug) (\(result.status))")
        }
    }
}
