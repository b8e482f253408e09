import ArgumentParser
import BrainCore
import BrainServer
import Foundation

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Manage scoped access tokens (the seed's row-level security, on one machine).",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print it once: a user token reaches that user's brain and the company brains where the user has an active session; a company token that company's brain.")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Scope the token to this user's RUT.") var user: String?
        @Option(help: "Scope the token to this company's RUT.") var company: String?
        @Flag(help: "The token can read but never write.") var readOnly = false

        func validate() throws {
            guard (user == nil) != (company == nil) else { throw ValidationError("give exactly one of --user RUT and --company RUT") }
        }

        func run() async throws {
            try await runReportingErrors {
                let created = try await global.client().createToken(
                    brain: user != nil ? .user : .company, rut: user ?? company ?? "", readOnly: readOnly)
                if global.json { return try printJSON(created) }
                print(created.token)
                FileHandle.standardError.write(Data("token \(created.details.id) for the \(created.details.brain.rawValue) brain of \(created.details.rut)\(readOnly ? ", read-only" : ""); it is not shown again\n".utf8))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await runReportingErrors {
                let tokens = try await global.client().tokens()
                if global.json { return try printJSON(tokens) }
                printTable(
                    headers: ["ID", "BRAIN", "RUT", "ACCESS", "CREATED", "REVOKED"],
                    rows: tokens.map { [$0.id, $0.brain.rawValue, $0.rut, $0.readOnly ? "read-only" : "read-write", $0.createdAt, $0.revokedAt ?? "-"] })
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by id.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The token's id (from `brain token list`).") var id: String

        func run() async throws {
            try await runReportingErrors {
                try await global.client().revokeToken(id: id)
                print("revoked \(id)")
            }
        }
    }
}
