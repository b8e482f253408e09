import BrainCore
import BrainServer
import BrainTestSupport
import FakeMem0
import Foundation
import Testing

/// Moving a brain between Mem0 targets: braind pauses when the configured Mem0 is not the one
/// its ids belong to, and `brain retarget` moves every row, exactly once, leaving the old one alone.
@Suite(.timeLimit(.minutes(3)))
struct RetargetEndToEndTests {
    /// Ten owners of 100 memories each: the lookups of a move back list one owner's memories.
    static let owners = (0..<10).map { index -> String in
        let body = String(30_000_000 + index)
        return body + String(RUT.checkDigit(forBody: body))
    }

    static func environment(_ fake: FakeMem0Server, api: String) -> [String: String] {
        ["MEM0_API_KEY": FakeMem0Settings.defaultAPIKey, "MEM0_BASE_URL": fake.baseURL.absoluteString, "MEM0_API": api]
    }

    static func waitSynced(_ daemon: DaemonProcess, rows: Int) async throws -> Bool {
        for _ in 0..<1_500 {
            let status = try await daemon.client.status()
            let counts = status.brains["company"]
            if counts?.synced == rows, counts?.pending == 0, counts?.inFlight == 0 { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    static func waitState(_ daemon: DaemonProcess, _ state: String) async throws -> Bool {
        for _ in 0..<500 {
            if try await daemon.client.status().mem0.state == state { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Every row's record_id held exactly once.
    static func tally(_ fake: FakeMem0Server) async -> (memories: Int, records: Int) {
        let memories = await fake.memories()
        return (memories.count, Set(memories.compactMap { $0.metadata?["record_id"]?.stringValue }).count)
    }

    @Test("1,000 memories move from the Platform to the OSS server and back: none missing, none duplicated, the old target untouched")
    func platformToOSSAndBack() async throws {
        let platform = FakeMem0Server()
        var ossSettings = FakeMem0Settings()
        ossSettings.api = .oss
        let oss = FakeMem0Server(configuration: .init(settings: ossSettings))
        try await platform.start()
        try await oss.start()
        let directory = try makeShortTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }

        // 1. On the Platform.
        var daemon = try await DaemonProcess(directory: directory, socketName: "a.sock", environment: Self.environment(platform, api: "platform"))
        for owner in Self.owners {
            _ = try await daemon.client.save(.company, owner: owner, memories: (0..<100).map {
                MemoryInput(slug: String(format: "fact_%03d", $0), category: "c", content: "fact \($0) of \(owner)")
            })
        }
        #expect(try await Self.waitSynced(daemon, rows: 1_000))
        #expect(await Self.tally(platform) == (1_000, 1_000))
        try await daemon.stop()

        // 2. Pointed at the OSS server: nothing is sent until the operator says so.
        daemon = try await DaemonProcess(directory: directory, socketName: "b.sock", environment: Self.environment(oss, api: "oss"))
        #expect(try await Self.waitState(daemon, "target_changed"))
        let changed = try await daemon.client.status().mem0
        #expect(changed.recordedTarget?.hasPrefix("platform ") == true && changed.target?.hasPrefix("oss ") == true, "\(changed)")
        let dry = try await runCommand(Binaries.url("brain"), ["retarget", "--dry-run", "--json", "--socket", daemon.socketPath])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("\"rows\":1000") || dry.stdout.contains("\"rows\" : 1000"), "\(dry.stdout)")
        try await Task.sleep(for: .milliseconds(300))
        #expect(await oss.requestLog().filter { $0.route.isWrite }.isEmpty, "nothing pushed before retarget")
        let moved = try await runCommand(Binaries.url("brain"), ["retarget", "--socket", daemon.socketPath])
        #expect(moved.status == 0, "\(moved.stderr)")
        #expect(try await Self.waitSynced(daemon, rows: 1_000))
        #expect(await Self.tally(oss) == (1_000, 1_000))
        #expect(await Self.tally(platform) == (1_000, 1_000), "the old target is left untouched")
        try await daemon.stop()

        // 3. Back to the Platform, which still holds the memories: adopted, not added again.
        await platform.clearRequestLog()
        daemon = try await DaemonProcess(directory: directory, socketName: "c.sock", environment: Self.environment(platform, api: "platform"))
        defer { daemon.killIfRunning() }
        #expect(try await Self.waitState(daemon, "target_changed"))
        _ = try await daemon.client.retarget(dryRun: false)
        #expect(try await Self.waitSynced(daemon, rows: 1_000))
        #expect(await Self.tally(platform) == (1_000, 1_000))
        #expect(await platform.requestCount(.add) == 0, "every row found its memory by record_id")
        #expect(await Self.tally(oss) == (1_000, 1_000))
        let rows = try await daemon.client.list(.company, owner: Self.owners[0], limit: 1_000).memories
        let platformIDs = Set(await platform.memories().map(\.id))
        #expect(rows.allSatisfy { $0.memoryID.map(platformIDs.contains) == true }, "the rows point at the Platform's memories again")
        try await daemon.stop()
        await platform.stop()
        await oss.stop()
    }
}
