import BrainTestSupport
import BrainCore
import BrainServer
import Foundation
import Testing

@Suite(.timeLimit(.minutes(2)))
struct ClientEndToEndTests {
    @Test("The socket client saves, lists, gets and deletes against a real daemon")
    func socketClientRoundTrip() async throws {
        let daemon = try await DaemonProcess()
        defer { daemon.removeDirectory() }
        let client = daemon.client
        let saved = try await client.save(.user, owner: "11.111.111-1", memories: [
            MemoryInput(slug: "user_full_name", category: "user_profile", content: "Nombre completo: Juan Pérez"),
            MemoryInput(slug: "user_email", category: "user_profile", content: "Email: juan@example.cl"),
        ])
        #expect(saved.savedCount == 2)
        let page = try await client.list(.user, owner: "111111111")
        #expect(page.memories.map(\.slug) == ["user_email", "user_full_name"])
        #expect(try await client.memory(.user, owner: "11111111-1", slug: "user_full_name").content == "Nombre completo: Juan Pérez")
        #expect(try await client.delete(.user, owner: "111111111", slug: "user_email").status == "purged")
        await #expect(throws: DaemonClientError.self) { try await client.memory(.user, owner: "111111111", slug: "user_email") }
        let status = try await client.status()
        #expect(status.brains["user"]?.live == 1)
        #expect(status.mem0.state == "offline: no MEM0_API_KEY")
        try await daemon.stop()
    }

    @Test("The brain CLI drives the daemon and prints JSON for scripts")
    func cli() async throws {
        let daemon = try await DaemonProcess()
        defer { daemon.removeDirectory() }
        let brain = Binaries.url("brain")
        let env = ["BRAIND_SOCKET": daemon.socketPath]
        let save = try await runCommand(brain, ["save", "company", "12.345.678-5", "company_tax_regime", "Régimen tributario: ProPyme General", "--category", "company_tax", "--json"], environment: env)
        #expect(save.status == 0)
        let result = try JSONDecoder().decode(SaveBatchResult.self, from: Data(save.stdout.utf8))
        #expect(result.items.map(\.status) == [.created])

        let batch = #"{"memories":[{"slug":"company_activity","content":"Actividad: Comercio"},{"slug":"BAD","content":"x"}]}"#
        let fromStdin = try await runCommand(brain, ["save", "company", "123456785", "--file", "-"], environment: env, stdin: batch)
        #expect(fromStdin.status == 1, "a partial failure exits non-zero")
        #expect(fromStdin.stdout.contains("company_activity  created"))
        #expect(fromStdin.stdout.contains("saved 1, failed 1"))

        let list = try await runCommand(brain, ["list", "company", "123456785"], environment: env)
        #expect(list.status == 0)
        #expect(list.stdout.contains("company_tax_regime"))
        #expect(list.stdout.contains("company_activity"))
        let get = try await runCommand(brain, ["get", "company", "123456785", "company_tax_regime", "--json"], environment: env)
        #expect(try JSONDecoder().decode(Memory.self, from: Data(get.stdout.utf8)).category == "company_tax")
        let delete = try await runCommand(brain, ["delete", "company", "123456785", "company_activity"], environment: env)
        #expect(delete.status == 0)
        let missing = try await runCommand(brain, ["get", "company", "123456785", "company_activity"], environment: env)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("Error: company brain of '123456785' has no memory 'company_activity'"))
        #expect(missing.stderr.contains("Try: "))
        let status = try await runCommand(brain, ["status", "--socket", daemon.socketPath], environment: [:])
        #expect(status.status == 0)
        #expect(status.stdout.contains("offline: no MEM0_API_KEY"))
        try await daemon.stop()
    }

    @Test("The README's quick start with the example data: import, load, search")
    func exampleData() async throws {
        let daemon = try await DaemonProcess()
        defer { daemon.removeDirectory() }
        let brain = Binaries.url("brain")
        let env = ["BRAIND_SOCKET": daemon.socketPath]
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples")
        for (kind, file) in [("companies", "companies.csv"), ("users", "users.jsonl"), ("sessions", "sessions.json")] {
            let result = try await runCommand(brain, ["import", kind, examples.appendingPathComponent(file).path], environment: env)
            #expect(result.status == 0, "\(kind): \(result.stdout) \(result.stderr)")
            #expect(result.stdout.contains(" 0 failed"))
        }
        let companies = try await runCommand(brain, ["load", "companies", "--json"], environment: env)
        let summary = try JSONDecoder().decode(LoadAllCompaniesResult.self, from: Data(companies.stdout.utf8))
        #expect(summary.failedCompanies == 0)
        #expect(summary.totalMemoriesCreated > 0)
        let again = try await runCommand(brain, ["load", "companies", "--json"], environment: env)
        #expect(try JSONDecoder().decode(LoadAllCompaniesResult.self, from: Data(again.stdout.utf8)).totalMemoriesCreated == 0)
        let users = try await runCommand(brain, ["load", "users"], environment: env)
        #expect(users.status == 0)
        #expect(users.stdout.contains("0 failed"))
        try await daemon.stop()
    }

    @Test("With no daemon, the CLI says so in one line naming the socket, and exits non-zero")
    func daemonNotRunning() async throws {
        let directory = try makeShortTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let socket = directory + "/absent.sock"
        let result = try await runCommand(Binaries.url("brain"), ["ping", "--socket", socket])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.first == "Error: braind is not running on \(socket)")
        #expect(lines.count == 2 && lines[1].hasPrefix("Try: start it with `braind`"))
    }

    @Test("The README's curl example: created, then unchanged")
    func readmeCurl() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") else { return }
        let daemon = try await DaemonProcess()
        defer { daemon.removeDirectory() }
        let body = #"{"memories":[{"slug":"company_tax_regime","category":"company_tax","content":"Régimen tributario: ProPyme General"}]}"#
        let arguments = [
            "-s", "--unix-socket", daemon.socketPath, "-X", "POST", "http://localhost/v1/companies/12.345.678-5/memories",
            "-H", "content-type: application/json", "-d", body,
        ]
        let first = try await runCommand(URL(fileURLWithPath: "/usr/bin/curl"), arguments)
        let created = try JSONDecoder().decode(SaveBatchResult.self, from: Data(first.stdout.utf8))
        #expect(created.savedCount == 1)
        #expect(created.items.map(\.status) == [.created])
        let second = try await runCommand(URL(fileURLWithPath: "/usr/bin/curl"), arguments)
        #expect(try JSONDecoder().decode(SaveBatchResult.self, from: Data(second.stdout.utf8)).items.map(\.status) == [.unchanged])
        try await daemon.stop()
    }
}
