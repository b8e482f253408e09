import ArgumentParser
import BrainCore
import BrainServer
import Foundation

extension SearchMode: ExpressibleByArgument {}

struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search an owner's memories (Mem0 first in auto mode, the local index otherwise).",
        discussion: """
            Examples:
              brain search company 12.345.678-5 regimen propyme
              brain search user 11.111.111-1 correo --mode local --json
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "company or user.") var brain: BrainKind
    @Argument(help: "The owner's RUT or UUID.") var owner: String
    @Argument(help: "Words to look for.") var words: [String]
    @Option(help: "At most this many hits (1-100).") var limit: Int?
    @Option(help: "auto (Mem0, falling back to local), local or remote.") var mode: SearchMode?

    func run() async throws {
        try await runReportingErrors {
            let response = try await global.client().search(
                SearchRequest(q: words.joined(separator: " "), owner: owner, brain: brain, limit: limit, mode: mode))
            if global.json { return try printJSON(response) }
            print("source: \(response.source)\(response.fallbackReason.map { " (fallback: \($0))" } ?? "")")
            printTable(
                headers: ["SCORE", "SLUG", "CONTENT"],
                rows: response.results.map { [String(format: "%.3f", $0.score), $0.memory.slug, $0.memory.content] })
        }
    }
}
