import BrainCore
import BrainServer
import BrainTestSupport
import FakeMem0
import Foundation
import Synchronization
import Testing

extension Proofs {
    /// Three daemons on one PostgreSQL database behave as one: savers spread over their sockets,
    /// Mem0 failing about 30% of its calls, and daemons killed with -9 and restarted in a loop.
    /// A killed daemon's claims pass to the others when its lease runs out.
    @Suite(.timeLimit(.minutes(4)), .enabled(if: TestStoreKind.current == .postgresql, "daemons sharing a PostgreSQL database"))
    struct ClusterProofTests {
        static let daemons = 3
        static let savers = 16
        static let slugsPerSaver = 30
        static let seed: UInt64 = 0xC1A5_7E12

        static let configuration = """
            [storage]
            lease_seconds = 2

            [mem0]
            timeout_seconds = 1

            [sync]
            backoff_cap_seconds = 1
            concurrency = 32

            [reconcile]
            interval_seconds = 0
            """

        /// What the savers were told: per saver and slug, the latest acknowledged sequence.
        final class Ledger: Sendable {
            let acknowledged = Mutex<[String: Int]>([:])
            let answers = Mutex<[Int: Int]>([:])
            let stop = Atomic<Bool>(false)
            /// The live daemons' sockets; a restarted daemon's replaces its slot's.
            let sockets = Mutex<[String]>([])

            func record(_ key: String, _ sequence: Int) {
                acknowledged.withLock { $0[key] = max($0[key] ?? -1, sequence) }
            }

            func count(status: Int) { answers.withLock { $0[status, default: 0] += 1 } }
        }

        @Test("3 daemons, 16 savers over their sockets, ~30% Mem0 faults, kill -9 of a daemon every 2 s: lost = 0, Mem0 duplicates = 0, every row synced once")
        func threeDaemonsUnderKills() async throws {
            let fake = FakeMem0Server(configuration: .init(settings: FakeMem0Settings(
                latency: .milliseconds(20), requestLogLimit: 200_000, randomSeed: Self.seed)))
            try await fake.start()
            for fault in FaultSoakTests.faults { await fake.injectFault(fault) }
            let environment = ["MEM0_API_KEY": FakeMem0Settings.defaultAPIKey, "MEM0_BASE_URL": fake.baseURL.absoluteString]
            // One directory: the daemons share its postgres-url file, so one database.
            let directory = try makeShortTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let config = try writeConfiguration(Self.configuration, in: directory)
            var generation = 0
            func start(_ slot: Int) async throws -> DaemonProcess {
                generation += 1
                // A new socket per start: a new daemon id, so the dead one's claims pass to the
                // others only through their leases, which is what this proves.
                return try await DaemonProcess(
                    directory: directory, socketName: "d\(slot)-\(generation).sock", extraArguments: ["--config", config],
                    environment: environment)
            }
            var running: [DaemonProcess] = []
            for slot in 0..<Self.daemons { running.append(try await start(slot)) }
            let ledger = Ledger()
            ledger.sockets.withLock { $0 = running.map(\.socketPath) }

            let savers = Task {
                await withTaskGroup(of: Void.self) { group in
                    for saver in 0..<Self.savers {
                        group.addTask { await Self.save(saver: saver, ledger: ledger) }
                    }
                }
            }
            var random = SplitMix64(seed: Self.seed)
            var kills: [Int] = []
            for _ in 0..<6 {
                try await Task.sleep(for: .seconds(2))
                let slot = Int.random(in: 0..<Self.daemons, using: &random)
                kill(running[slot].pid, SIGKILL)
                running[slot].process.waitUntilExit()
                kills.append(slot)
                running[slot] = try await start(slot)
                let path = running[slot].socketPath
                ledger.sockets.withLock { $0[slot] = path }
            }
            ledger.stop.store(true, ordering: .relaxed)
            await savers.value
            await fake.clearFaults()

            let client = running[0].client
            var local: [Memory] = []
            var lost: [String] = []
            let acknowledged = ledger.acknowledged.withLock { $0 }
            for saver in 0..<Self.savers {
                let memories = try await client.allMemories(.company, owner: Self.owner(saver))
                local += memories
                let stored = Dictionary(memories.map { ($0.slug, $0.content) }, uniquingKeysWith: { first, _ in first })
                for (key, sequence) in acknowledged where key.hasPrefix("\(saver)/") {
                    let slug = String(key.dropFirst("\(saver)/".count))
                    guard let content = stored[slug], let stored = Int(content.split(separator: " ").last ?? ""), stored >= sequence else {
                        lost.append("saver \(saver) \(slug): acknowledged n\(sequence), stored \(stored[slug] ?? "nothing")")
                        continue
                    }
                }
            }
            let rows = local.count
            let synced = try await waitFor(within: .seconds(120), every: .milliseconds(250)) {
                let company = try await client.status().brains["company"]
                return company?.synced == rows && company?.pending == 0 && company?.inFlight == 0
            }
            local = []
            for saver in 0..<Self.savers { local += try await client.allMemories(.company, owner: Self.owner(saver)) }
            let tally = RemoteTally(remote: await fake.memories(), local: local)
            let counts = try await client.status().brains["company"]
            let answers = ledger.answers.withLock { $0 }
            // Each add that a dead daemon had started is looked up by record_id before it is sent again.
            let lookups = await fake.requestCount(.list)
            let adds = await fake.requestCount(.add)
            print("[cluster-proof] daemons=\(Self.daemons) savers=\(Self.savers) killed slots=\(kills) mem0 adds=\(adds) record_id lookups=\(lookups) answers=\(answers.sorted { $0.key < $1.key })")
            print("[cluster-proof] acknowledged slugs=\(acknowledged.count) rows=\(rows) lost=\(lost.count); synced=\(synced) (synced \(counts?.synced ?? -1), pending \(counts?.pending ?? -1), in flight \(counts?.inFlight ?? -1), failed \(counts?.failed ?? -1)); \(tally)")
            for line in lost.prefix(10) { print("[cluster-proof]   \(line)") }
            #expect(!acknowledged.isEmpty)
            #expect(lost.isEmpty)
            #expect(synced)
            #expect(tally.duplicates == 0)
            #expect(tally.missing == 0)
            #expect(tally.remote == rows)
            #expect(tally.contentMismatches == 0)
            for daemon in running { try await daemon.stop() }
            await fake.stop()
        }

        /// One saver: edits of its own slugs, each to the next daemon in turn, over a fresh
        /// connection each (a killed daemon's socket must not stall a pooled client).
        static func save(saver: Int, ledger: Ledger) async {
            var sequence = 0
            while !ledger.stop.load(ordering: .relaxed) {
                let socket = ledger.sockets.withLock { $0[(saver + sequence) % $0.count] }
                let slug = "s\(sequence % slugsPerSaver)"
                let body = Array(#"{"memories":[{"slug":"\#(slug)","content":"saver \#(saver) wrote \#(sequence)"}]}"#.utf8)
                let request = RawUnixSocket.request(
                    "POST", "/v1/companies/\(owner(saver))/memories", headers: [("Content-Type", "application/json")], body: body)
                let exchange = await RawUnixSocket.exchangeOffPool(path: socket, request: request, timeout: .seconds(10))
                ledger.count(status: exchange.status ?? 0)
                if exchange.status == 200 { ledger.record("\(saver)/\(slug)", sequence) }
                sequence += 1
            }
        }

        static func owner(_ saver: Int) -> String { validRUT(body: 40_000_000 + saver * 7_919) }
    }
}
