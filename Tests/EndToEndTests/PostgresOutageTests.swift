import BrainCore
import BrainServer
import BrainTestSupport
import Foundation
import Synchronization
import Testing

/// The PostgreSQL server restarts under a daemon that is taking saves, as an operator's restart
/// or a failover would do it.
@Suite(.timeLimit(.minutes(3)), .enabled(if: TestStoreKind.current == .postgresql, "stops and starts a PostgreSQL cluster of its own"))
struct PostgresOutageTests {
    /// What one save request got.
    struct Outcome: Sendable {
        var slug: String
        var status: Int?
        var storageUnavailable: Bool
        var seconds: Double
    }

    final class Shared: Sendable {
        let outcomes = Mutex<[Outcome]>([])
        let stop = Atomic<Bool>(false)
    }

    @Test("PostgreSQL stopped under 8 savers: saves answer 503 storage_unavailable without hanging, status says why, braind recovers by itself, no acknowledged save is lost")
    func clusterRestartUnderLoad() async throws {
        try await PostgresCluster.with { cluster in try await restart(cluster) }
    }

    func restart(_ cluster: PostgresCluster) async throws {
        let directory = try makeShortTemporaryDirectory()
        try cluster.url.write(toFile: directory + "/postgres-url", atomically: true, encoding: .utf8)
        let config = directory + "/braind.toml"
        try "[storage]\nquery_timeout_seconds = 2\n".write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try await DaemonProcess(directory: directory, extraArguments: ["--config", config])
        let owner = "12.345.678-5"
        let shared = Shared()
        let socket = daemon.socketPath

        let savers = Task {
            await withTaskGroup(of: Void.self) { group in
                for saver in 0..<8 {
                    group.addTask {
                        var n = 0
                        while !shared.stop.load(ordering: .relaxed) {
                            let slug = "s\(saver)_\(n)"
                            n += 1
                            let outcome = await Self.save(slug: slug, owner: owner, socket: socket)
                            shared.outcomes.withLock { $0.append(outcome) }
                            if outcome.status != 200 { try? await Task.sleep(for: .milliseconds(50)) }
                        }
                    }
                }
            }
        }
        func acknowledged() -> Int { shared.outcomes.withLock { $0.filter { $0.status == 200 }.count } }

        try await Task.sleep(for: .seconds(1))
        let beforeOutage = acknowledged()
        try await cluster.stop()
        let stoppedAt = shared.outcomes.withLock { $0.count }
        try await Task.sleep(for: .seconds(4))
        // Status answers while the database is down, and says why there are no counts.
        let down = try await daemon.client.status()
        #expect(down.storageProblem != nil, "status names the storage problem while PostgreSQL is down")
        #expect(down.brains.isEmpty)
        let cli = try await runCommand(Binaries.url("brain"), ["status", "--socket", daemon.socketPath])
        #expect(cli.stdout.contains("brains    unknown"), "\(cli.stdout)\(cli.stderr)")
        let duringOutage = shared.outcomes.withLock { Array($0[stoppedAt...]) }

        try await cluster.start()
        let restartedAt = ContinuousClock.now
        var recoveredAfter: Duration?
        while recoveredAfter == nil, ContinuousClock.now - restartedAt < .seconds(60) {
            let before = acknowledged()
            try await Task.sleep(for: .milliseconds(200))
            if acknowledged() > before { recoveredAfter = ContinuousClock.now - restartedAt }
        }
        try await Task.sleep(for: .seconds(1))
        shared.stop.store(true, ordering: .relaxed)
        await savers.value

        let all = shared.outcomes.withLock { $0 }
        let acked = Set(all.filter { $0.status == 200 }.map(\.slug))
        let refused = duringOutage.filter { $0.status != 200 }
        let longest = all.map(\.seconds).max() ?? 0
        print("[pg-outage] saves \(all.count): acknowledged \(acked.count) (\(beforeOutage) before the stop), refused during the 4 s outage \(refused.count), 503 storage_unavailable \(refused.filter(\.storageUnavailable).count); longest answer \(String(format: "%.2f", longest)) s; recovered \(recoveredAfter.map { "\($0) after the restart" } ?? "never")")
        #expect(beforeOutage > 0)
        #expect(!refused.isEmpty, "saves were refused while PostgreSQL was down")
        let otherRefusals = refused.filter { !$0.storageUnavailable }.map { $0.status.map { "HTTP \($0)" } ?? "no answer" }
        #expect(otherRefusals.isEmpty, "every refusal is 503 storage_unavailable, not \(otherRefusals.prefix(5))")
        // The query deadline is 2 s; a hang would reach the client's 30 s timeout.
        #expect(longest < 15, "a save waited \(longest) s")
        #expect(recoveredAfter != nil, "braind took saves again after PostgreSQL came back")

        let status = try await daemon.client.status()
        #expect(status.storageProblem == nil)
        var stored: Set<String> = []
        var cursor: String?
        repeat {
            let page = try await daemon.client.list(.company, owner: owner, limit: 1_000, cursor: cursor)
            stored.formUnion(page.memories.map(\.slug))
            cursor = page.nextCursor
        } while cursor != nil
        let lost = acked.subtracting(stored)
        print("[pg-outage] stored \(stored.count), acknowledged but missing \(lost.count)")
        #expect(lost.isEmpty, "acknowledged saves lost: \(lost.sorted().prefix(5))")
        try await daemon.stop()
        daemon.removeDirectory()
    }

    /// One save over its own connection, off the cooperative pool, so a stuck answer shows as time.
    static func save(slug: String, owner: String, socket: String) async -> Outcome {
        let body = Array(#"{"memories":[{"slug":"\#(slug)","content":"kept through a restart"}]}"#.utf8)
        let request = RawUnixSocket.request(
            "POST", "/v1/companies/\(owner)/memories", headers: [("Content-Type", "application/json")], body: body)
        let started = ContinuousClock.now
        let exchange = await RawUnixSocket.exchangeOffPool(path: socket, request: request, timeout: .seconds(30))
        let elapsed = ContinuousClock.now - started
        let text = String(decoding: exchange.response, as: UTF8.self)
        return Outcome(
            slug: slug, status: exchange.status,
            storageUnavailable: exchange.status == 503 && text.contains("\"storage_unavailable\""),
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
