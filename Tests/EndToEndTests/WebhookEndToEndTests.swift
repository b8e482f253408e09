import BrainCore
import BrainServer
import BrainTestSupport
import FakeMem0
import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// braind with its webhook listener, fake-mem0 delivering to it, and scheduled reconcile off: the
/// webhook is the only way a change made in Mem0 behind braind's back gets repaired.
@Suite(.timeLimit(.minutes(3)))
struct WebhookEndToEndTests {
    static let secret = "wh-secret-\(UUID().uuidString.lowercased())"
    static let owner = "76.086.428-5"
    static let entity = "760864285"

    /// A running pair, the webhook registered through `brain webhooks register`.
    struct Setup {
        var fake: FakeMem0Server
        var daemon: DaemonProcess
        var listener: URL

        func remote(_ slug: String) async -> [FakeMemory] {
            await fake.memories(userID: WebhookEndToEndTests.entity).filter { $0.metadata?["slug"] == .string(slug) }
        }

        /// Polls until `condition` holds; returns how long it took, or nil.
        func repaired(within limit: Duration = .seconds(15), _ condition: () async throws -> Bool) async throws -> Duration? {
            let started = ContinuousClock.now
            while ContinuousClock.now - started < limit {
                if try await condition() { return ContinuousClock.now - started }
                try await Task.sleep(for: .milliseconds(20))
            }
            return nil
        }
    }

    static func withSetup(_ body: (Setup) async throws -> Void) async throws {
        let fake = FakeMem0Server()
        try await fake.start()
        let directory = try makeShortTemporaryDirectory()
        let config = directory + "/braind.toml"
        try "[reconcile]\ninterval_seconds = 0\n".write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try await DaemonProcess(
            directory: directory, logLevel: "trace", extraArguments: ["--config", config, "--webhooks-listen", "127.0.0.1:0"],
            environment: [
                "MEM0_API_KEY": FakeMem0Settings.defaultAPIKey, "MEM0_BASE_URL": fake.baseURL.absoluteString,
                "MEM0_WEBHOOK_SECRET": secret,
            ])
        defer {
            daemon.killIfRunning()
            daemon.removeDirectory()
        }
        let port = try await listenerPort(daemon)
        let listener = URL(string: "http://127.0.0.1:\(port)/v1/webhooks/mem0/\(secret)")!
        let registered = try await runCommand(
            Binaries.url("brain"), ["webhooks", "register", "--socket", daemon.socketPath, "--url", listener.absoluteString])
        #expect(registered.status == 0, "\(registered.stderr)")
        #expect(await fake.webhooks().map(\.url) == [listener.absoluteString])

        try await body(Setup(fake: fake, daemon: daemon, listener: listener))

        try await daemon.stop()
        let log = daemon.readStderr()
        #expect(!log.contains(secret), "the webhook secret never reaches the log")
        #expect(!log.contains(FakeMem0Settings.defaultAPIKey), "the key never reaches the log")
        await fake.stop()
    }

    /// The port braind's listener bound, from its ready line.
    static func listenerPort(_ daemon: DaemonProcess) async throws -> Int {
        for _ in 0..<250 {
            let log = daemon.readStderr()
            if let range = log.range(of: "braind.webhooks.address=127.0.0.1:") {
                let digits = log[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits) { return port }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw CancellationError()
    }

    static func saveAndSync(_ setup: Setup, _ items: [(String, String)]) async throws {
        _ = try await setup.daemon.client.save(
            .company, owner: owner, memories: items.map { MemoryInput(slug: $0.0, category: "c", content: $0.1) })
        let synced = try await setup.repaired(within: .seconds(20)) {
            let counts = try await setup.daemon.client.status().brains["company"]
            return counts?.pending == 0 && counts?.inFlight == 0
        }
        #expect(synced != nil)
    }

    @Test("Deleted, edited, orphaned and duplicated behind braind's back: each repaired through the webhook alone")
    func driftRepairedThroughWebhooks() async throws {
        try await Self.withSetup { setup in
            try await Self.saveAndSync(setup, [("deleted", "d"), ("edited", "e"), ("duplicated", "x")])
            let writesBefore = await setup.fake.requestLog().count { $0.route.isWrite }

            let deleted = try #require(await setup.remote("deleted").first)
            _ = await setup.fake.deleteMemory(id: deleted.id)
            let readded = try await setup.repaired { await setup.remote("deleted").map(\.memory) == ["d"] }

            let edited = try #require(await setup.remote("edited").first)
            _ = await setup.fake.editMemory(id: edited.id) { $0.memory = "changed in the dashboard" }
            let restored = try await setup.repaired { await setup.fake.memory(id: edited.id)?.memory == "e" }

            _ = await setup.fake.insertMemory(FakeMemory(
                memory: "from another braind", userID: Self.entity,
                metadata: ["brain": "company", "slug": "orphan", "category": "c", "record_id": .string(UUID().uuidString.lowercased())]))
            let adopted = try await setup.repaired {
                (try? await setup.daemon.client.memory(.company, owner: Self.owner, slug: "orphan"))?.content == "from another braind"
            }

            let original = try #require(await setup.remote("duplicated").first)
            _ = await setup.fake.insertMemory(FakeMemory(memory: original.memory, userID: original.userID, metadata: original.metadata))
            let deduplicated = try await setup.repaired {
                await setup.remote("duplicated").map(\.id) == [original.id]
            }

            print("[webhooks] repaired after: deleted=\(String(describing: readded)) edited=\(String(describing: restored)) orphan=\(String(describing: adopted)) duplicate=\(String(describing: deduplicated))")
            // Behaviour, not speed: with scheduled reconcile off, only the webhook can have repaired
            // these (measured 40-65 ms alone; the polling window is wide for a loaded machine).
            #expect(readded != nil && restored != nil && adopted != nil && deduplicated != nil)
            let row = try await setup.daemon.client.memory(.company, owner: Self.owner, slug: "deleted")
            #expect(row.memoryID == (await setup.remote("deleted").first?.id))
            // One re-add, one update, one delete of the duplicate (the orphan's record_id is adopted
            // as the row's id, so it needs no stamp): the deliveries of braind's own writes cost nothing.
            try await Task.sleep(for: .milliseconds(500))
            let writes = await setup.fake.requestLog().count { $0.route.isWrite } - writesBefore
            #expect(writes == 3, "braind's own pushes caused no further work")
            let runs = try await setup.daemon.client.reconcileRuns()
            #expect(runs.isEmpty, "no reconcile run: the webhook did it")
        }
    }

    @Test("Duplicate and out-of-order deliveries change nothing twice")
    func duplicateAndReorderedDeliveries() async throws {
        try await Self.withSetup { setup in
            try await Self.saveAndSync(setup, [("fact", "the row's text")])
            await setup.fake.setWebhookDelivery(FakeWebhookDelivery(duplicateRate: 1, reorderWindow: .milliseconds(200)))
            let memory = try #require(await setup.remote("fact").first)
            await setup.fake.clearRequestLog()
            _ = await setup.fake.editMemory(id: memory.id) { $0.memory = "first edit" }
            _ = await setup.fake.editMemory(id: memory.id) { $0.memory = "second edit" }
            let restored = try await setup.repaired { await setup.fake.memory(id: memory.id)?.memory == "the row's text" }
            #expect(restored != nil)
            try await Task.sleep(for: .milliseconds(800))
            let updates = await setup.fake.requestLog().filter { $0.route == .update }
            #expect(updates.count == 1, "one repair for four deliveries of two edits: \(updates.count)")
            #expect(await setup.fake.memory(id: memory.id)?.memory == "the row's text")
            let deliveries = await setup.fake.webhookDeliveries().filter { $0.event.memoryID == memory.id }
            #expect(deliveries.count >= 4, "each delivery was duplicated")
        }
    }

    @Test("A wrong secret, a malformed body and an oversized body are refused and change nothing")
    func refusedDeliveries() async throws {
        try await Self.withSetup { setup in
            try await Self.saveAndSync(setup, [("fact", "kept")])
            let memory = try #require(await setup.remote("fact").first)
            // Drift that a real delivery would repair; Mem0 drops its own delivery of it.
            await setup.fake.setWebhookDelivery(FakeWebhookDelivery(dropRate: 1))
            _ = await setup.fake.deleteMemory(id: memory.id)
            await setup.fake.clearRequestLog()
            let payload = #"{"event_details":{"id":"\#(memory.id)","data":{"memory":"kept"},"event":"DELETE"}}"#
            let wrongSecret = setup.listener.deletingLastPathComponent().appendingPathComponent("not-the-secret")
            #expect(try await Self.post(payload, to: wrongSecret).status == 404)
            #expect(try await Self.post("{not json", to: setup.listener).status == 400)
            #expect(try await Self.post(#"{"event_details":{}}"#, to: setup.listener).status == 400)
            let huge = #"{"event_details":{"event":"ADD","id":"x","data":{"memory":""# + String(repeating: "a", count: 70_000) + #""}}}"#
            #expect(try await Self.post(huge, to: setup.listener).status == 413)
            #expect(try await Self.post(#"{"event_details":{"event":"ingest_job_completed"}}"#, to: setup.listener).status == 202)
            try await Task.sleep(for: .milliseconds(500))
            #expect(await setup.fake.requestLog().isEmpty, "nothing reached Mem0")
            #expect(await setup.remote("fact").isEmpty, "the drift is still there: nothing acted on the refused deliveries")
        }
    }

    @Test("A listener without a secret is refused at start, with what to do")
    func listenerNeedsASecret() async throws {
        let directory = try makeShortTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var environment = isolatedEnvironment(directory: directory)
        environment["MEM0_API_KEY"] = FakeMem0Settings.defaultAPIKey
        let result = try await runCommand(
            Binaries.url("braind"),
            ["--socket", directory + "/s.sock", "--db", directory + "/b.sqlite", "--webhooks-listen", "127.0.0.1:0"],
            environment: environment)
        #expect(result.status != 0)
        #expect(result.stderr.contains("no secret is configured"), "\(result.stderr)")
        #expect(result.stderr.contains("MEM0_WEBHOOK_SECRET"))
    }

    static func post(_ body: String, to url: URL) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }
}
