import ArgumentParser
import BrainCore
import BrainServer
import Foundation

struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "Register Mem0 Platform webhooks that point at braind's webhook listener, so drift is repaired within seconds.",
        discussion: """
            braind must run with webhooks.listen (--webhooks-listen) and MEM0_WEBHOOK_SECRET; the URL
            to register is the listener's public address, e.g. https://HOST/v1/webhooks/mem0/SECRET.
            """,
        subcommands: [Register.self, List.self, Remove.self])

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a webhook for the key's project, for memory_add, memory_update and memory_delete.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The delivery URL Mem0 posts to (ends in /v1/webhooks/mem0/SECRET).") var url: String
        @Option(help: "The webhook's name in Mem0.") var name = "braind"

        func run() async throws {
            try await runReportingErrors {
                let webhook = try await global.client().registerWebhook(url: url, name: name)
                if global.json { return try printJSON(webhook) }
                print("registered \(webhook.id) for \(webhook.eventTypes.joined(separator: ", "))")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the project's webhooks.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await runReportingErrors {
                let webhooks = try await global.client().webhooks()
                if global.json { return try printJSON(webhooks) }
                // A delivery URL carries the secret: show only where it goes.
                printTable(
                    headers: ["ID", "NAME", "ACTIVE", "EVENTS", "URL"],
                    rows: webhooks.map { [$0.id, $0.name, $0.active ? "yes" : "no", $0.eventTypes.joined(separator: ","), Self.masked($0.url)] })
            }
        }

        static func masked(_ url: String) -> String {
            guard let range = url.range(of: "/v1/webhooks/mem0/") else { return url }
            return String(url[..<range.upperBound]) + "<secret>"
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a webhook by id.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The webhook's id (from `brain webhooks list`).") var id: String

        func run() async throws {
            try await runReportingErrors {
                try await global.client().removeWebhook(id: id)
                print("removed \(id)")
            }
        }
    }
}
