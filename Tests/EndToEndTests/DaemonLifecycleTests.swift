import BrainTestSupport
import BrainCore
import BrainServer
import Foundation
import Testing

@Suite(.timeLimit(.minutes(2)))
struct DaemonLifecycleTests {
    @Test("A second braind on the same socket is refused and the first keeps serving")
    func secondDaemonRefused() async throws {
        let first = try await DaemonProcess()
        defer { first.removeDirectory() }
        let second = try await runCommand(
            Binaries.url("braind"), ["--socket", first.socketPath, "--db", first.directory + "/other.sqlite"])
        #expect(second.status != 0)
        #expect(second.stderr.contains("already running (pid \(first.process.processIdentifier))"))
        #expect(try await first.client.ping().ok)
        #expect(!FileManager.default.fileExists(atPath: first.directory + "/other.sqlite"), "the refused daemon opened nothing")
    }

    @Test("SIGTERM stops braind cleanly and removes its socket")
    func sigtermRemovesSocket() async throws {
        let daemon = try await DaemonProcess()
        defer { daemon.removeDirectory() }
        #expect(FileManager.default.fileExists(atPath: daemon.socketPath))
        let status = try await daemon.stop(signal: SIGTERM)
        #expect(status == 0)
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath))
        #expect(daemon.readStderr().contains("braind stopped"))
    }

    @Test("An acknowledged save survives a restart, after SIGTERM and after kill -9", arguments: [SIGTERM, SIGKILL])
    func saveSurvivesRestart(signal: Int32) async throws {
        let daemon = try await DaemonProcess()
        defer { daemon.removeDirectory() }
        let result = try await daemon.client.save(
            .company, owner: "12.345.678-5",
            memories: [MemoryInput(slug: "company_tax_regime", category: "company_tax", content: "Régimen tributario: ProPyme General")])
        #expect(result.items.map(\.status) == [.created])
        try await daemon.stop(signal: signal)

        // A stale socket left by kill -9 must not stop the next daemon.
        let restarted = try await DaemonProcess(directory: daemon.directory)
        let memory = try await restarted.client.memory(.company, owner: "123456785", slug: "company_tax_regime")
        #expect(memory.content == "Régimen tributario: ProPyme General")
        try await restarted.stop()
    }

    @Test("Socket and database are private to the user", .enabled(if: TestStoreKind.current == .sqlite, "file modes of the SQLite database"))
    func permissions() async throws {
        let daemon = try await DaemonProcess()
        defer { daemon.removeDirectory() }
        func mode(_ path: String) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
        }
        #expect(try mode(daemon.socketPath) == 0o600)
        #expect(try mode(daemon.databasePath) == 0o600)
        #expect(try mode((daemon.socketPath as NSString).deletingLastPathComponent) == 0o700)
        #expect(try mode((daemon.databasePath as NSString).deletingLastPathComponent) == 0o700)
        try await daemon.stop()
    }

    @Test("A bad configuration file stops braind at start with the key named")
    func badConfiguration() async throws {
        let directory = try makeShortTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/braind.toml"
        try "[storage]\nsynchronus = \"full\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let result = try await runCommand(
            Binaries.url("braind"), ["--config", config, "--socket", directory + "/s.sock", "--db", directory + "/b.sqlite"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("storage.synchronus: unknown key"))
    }
}
