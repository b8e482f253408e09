import BrainTestSupport
import BrainCore
import BrainServer
import FakeMem0
import Foundation
import Testing

@Suite(.timeLimit(.minutes(2)))
struct PushEndToEndTests {
    @Test("braind with a key pushes saves to fake-mem0 and reports ok in status")
    func pushesToMem0() async throws {
        let fake = FakeMem0Server()
        try await fake.start()
        defer { Task { await fake.stop() } }
        let daemon = try await DaemonProcess(environment: ["MEM0_API_KEY": FakeMem0Settings.defaultAPIKey, "MEM0_BASE_URL": fake.baseURL.absoluteString])
        defer { daemon.removeDirectory() }
        _ = try await daemon.client.save(.user, owner: "11.111.111-1", memories: [MemoryInput(slug: "user_full_name", content: "Nombre completo: Juan Pérez")])
        let synced = try await waitFor { try await daemon.client.status().brains["user"]?.synced == 1 }
        #expect(synced)
        let status = try await daemon.client.status()
        #expect(status.mem0.configured)
        #expect(status.mem0.state == "ok")
        #expect(status.mem0.lastPushAt != nil)
        let remote = await fake.memories(userID: "111111111")
        #expect(remote.map(\.memory) == ["Nombre completo: Juan Pérez"])
        #expect(try await daemon.client.memory(.user, owner: "111111111", slug: "user_full_name").memoryID == remote.first?.id)
        try await daemon.stop()
        #expect(!daemon.readStderr().contains(FakeMem0Settings.defaultAPIKey), "the key never reaches the log")
    }

    @Test("kill -9 between Mem0's add and the local commit: after restart, exactly one remote memory")
    func killBetweenAddAndCommit() async throws {
        let fake = FakeMem0Server()
        try await fake.start()
        defer { Task { await fake.stop() } }
        // The fake stores the memory and never answers, so braind cannot commit the id.
        await fake.injectFault(FakeMem0Fault(.storeThenTimeout(delay: nil), route: .add, count: 1))
        let environment = ["MEM0_API_KEY": FakeMem0Settings.defaultAPIKey, "MEM0_BASE_URL": fake.baseURL.absoluteString]
        let daemon = try await DaemonProcess(environment: environment)
        defer { daemon.removeDirectory() }
        _ = try await daemon.client.save(.company, owner: "12.345.678-5", memories: [MemoryInput(slug: "company_tax_regime", content: "Régimen tributario: ProPyme General")])
        #expect(try await waitFor { await fake.memories().count == 1 }, "the add reached Mem0")
        try await daemon.stop(signal: SIGKILL)

        let restarted = try await DaemonProcess(directory: daemon.directory, environment: environment)
        let synced = try await waitFor { try await restarted.client.status().brains["company"]?.synced == 1 }
        #expect(synced)
        let remote = await fake.memories()
        #expect(remote.count == 1)
        #expect(await fake.requestCount(.add) == 1, "the restarted daemon adopted the memory instead of adding it again")
        #expect(try await restarted.client.memory(.company, owner: "123456785", slug: "company_tax_regime").memoryID == remote.first?.id)
        try await restarted.stop()
    }

    @Test("Offline to online: 1,000 saves with no key, restart with a key: 1,000 remote memories, all synced, 0 duplicates")
    func offlineToOnline() async throws {
        let offline = try await DaemonProcess()
        defer { offline.removeDirectory() }
        for batch in 0..<10 {
            let items = (0..<100).map { MemoryInput(slug: "fact_\(batch)_\($0)", content: "Hecho \(batch)-\($0)") }
            let result = try await offline.client.save(.company, owner: "12.345.678-5", memories: items)
            #expect(result.savedCount == 100)
        }
        #expect(try await offline.client.status().brains["company"]?.pending == 1_000)
        try await offline.stop()

        let fake = FakeMem0Server()
        try await fake.start()
        defer { Task { await fake.stop() } }
        let online = try await DaemonProcess(
            directory: offline.directory,
            environment: ["MEM0_API_KEY": FakeMem0Settings.defaultAPIKey, "MEM0_BASE_URL": fake.baseURL.absoluteString])
        let synced = try await waitFor(within: .seconds(60)) { try await online.client.status().brains["company"]?.synced == 1_000 }
        #expect(synced)
        let remote = await fake.memories()
        #expect(remote.count == 1_000)
        #expect(Set(remote.compactMap { $0.metadata?["record_id"] }).count == 1_000)
        try await online.stop()
    }

    @Test("brain reconcile repairs a memory deleted behind braind's back and status shows the run")
    func reconcileThroughTheCLI() async throws {
        let fake = FakeMem0Server()
        try await fake.start()
        defer { Task { await fake.stop() } }
        let daemon = try await DaemonProcess(environment: ["MEM0_API_KEY": FakeMem0Settings.defaultAPIKey, "MEM0_BASE_URL": fake.baseURL.absoluteString])
        defer { daemon.removeDirectory() }
        _ = try await daemon.client.save(.company, owner: "12.345.678-5", memories: [
            MemoryInput(slug: "company_tax_regime", content: "Régimen tributario: ProPyme General"),
            MemoryInput(slug: "company_activity", content: "Actividad: Comercio"),
        ])
        #expect(try await waitFor { try await daemon.client.status().brains["company"]?.synced == 2 })
        let victim = try #require(await fake.memories().first)
        #expect(await fake.deleteMemory(id: victim.id))

        let env = ["BRAIND_SOCKET": daemon.socketPath]
        let run = try await runCommand(Binaries.url("brain"), ["reconcile", "--json"], environment: env)
        #expect(run.status == 0, "\(run.stderr)")
        let report = try JSONDecoder().decode(ReconcileReport.self, from: Data(run.stdout.utf8))
        #expect(report.status == "succeeded")
        #expect(report.drift["missing"] == DriftCount(found: 1, repaired: 1))
        #expect(await fake.memories().count == 2)

        let last = try await runCommand(Binaries.url("brain"), ["reconcile", "--last"], environment: env)
        #expect(last.stdout.contains(report.runID))
        #expect(last.stdout.contains("missing"))
        let status = try await runCommand(Binaries.url("brain"), ["status"], environment: env)
        #expect(status.stdout.contains("last reconcile succeeded"))
        try await daemon.stop()
    }

    @Test("Without a key, brain reconcile explains that Mem0 is needed")
    func reconcileOffline() async throws {
        let daemon = try await DaemonProcess()
        defer { daemon.removeDirectory() }
        let run = try await runCommand(Binaries.url("brain"), ["reconcile"], environment: ["BRAIND_SOCKET": daemon.socketPath])
        #expect(run.status == 1)
        #expect(run.stderr.contains("reconcile needs Mem0"))
        try await daemon.stop()
    }

    @Test("Search: remote answers from Mem0 scoped to the brain; auto falls back when Mem0 is slow or down; remote reports the error")
    func searchModes() async throws {
        let fake = FakeMem0Server()
        try await fake.start()
        let daemon = try await DaemonProcess(environment: ["MEM0_API_KEY": FakeMem0Settings.defaultAPIKey, "MEM0_BASE_URL": fake.baseURL.absoluteString])
        defer { daemon.removeDirectory() }
        _ = try await daemon.client.save(.company, owner: "12.345.678-5", memories: [MemoryInput(slug: "company_tax_regime", content: "Régimen tributario: ProPyme General")])
        _ = try await daemon.client.save(.user, owner: "12.345.678-5", memories: [MemoryInput(slug: "user_note", content: "Le gusta ProPyme")])
        #expect(try await waitFor {
            let brains = try await daemon.client.status().brains
            return brains["user"]?.synced == 1 && brains["company"]?.synced == 1
        })

        let remote = try await daemon.client.search(SearchRequest(q: "ProPyme", owner: "12.345.678-5", brain: .company, mode: .remote))
        #expect(remote.source == "mem0")
        #expect(remote.results.map(\.memory.slug) == ["company_tax_regime"], "the user brain's hit under the same RUT is filtered out")

        await fake.setLatency(.seconds(3))
        let slow = try await daemon.client.search(SearchRequest(q: "regimen propyme", owner: "12.345.678-5", brain: .company))
        #expect(slow.source == "local")
        #expect(slow.fallbackReason?.contains("did not answer") == true)
        #expect(slow.results.map(\.memory.slug) == ["company_tax_regime"])

        await fake.stop()
        let down = try await daemon.client.search(SearchRequest(q: "propyme", owner: "12.345.678-5", brain: .company, mode: .auto))
        #expect(down.source == "local")
        #expect(down.fallbackReason != nil)
        await #expect(throws: DaemonClientError.self) {
            try await daemon.client.search(SearchRequest(q: "propyme", owner: "12.345.678-5", brain: .company, mode: .remote))
        }
        do {
            _ = try await daemon.client.search(SearchRequest(q: "propyme", owner: "12.345.678-5", brain: .company, mode: .remote))
        } catch DaemonClientError.api(let status, let code, _) {
            #expect(status == 502)
            #expect(code == "mem0_unavailable")
        }
        try await daemon.stop()
    }

    private func waitFor(within: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + within
        while ContinuousClock.now < deadline {
            if (try? await condition()) == true { return true }
            try await Task.sleep(for: .milliseconds(25))
        }
        return try await condition()
    }
}
