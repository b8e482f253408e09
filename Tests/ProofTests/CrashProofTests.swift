import BrainCore
import BrainServer
import BrainTestSupport
import FakeMem0
import Foundation
import Testing

extension Proofs {
    /// Crash proof: `kill -9` under concurrent load never loses an acknowledged save, and the rows
    /// left behind reach Mem0 exactly once.
    @Suite(.timeLimit(.minutes(3)))
    struct CrashProofTests {
        static let savers = 16
        static let cycles = 20
        static let slugsPerSaver = 40
        static let seed: UInt64 = 0xB4A1_D0C4_A5E1

        @Test("16 concurrent savers, kill -9 at random moments, 20 cycles: lost = 0; then every row syncs once to Mem0")
        func killNineUnderConcurrentSaves() async throws {
            let directory = try makeShortTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let ledger = AckLedger(savers: Self.savers)
            var random = SplitMix64(seed: Self.seed)
            var killDelays: [Int] = []
            var restartTimes: [Duration] = []

            for cycle in 0..<Self.cycles {
                // Same directory and database every cycle; a new socket name per cycle, because
                // DaemonClient's shared pool stalls on a socket whose daemon was killed under load
                // (ClientRestartTests proves it).
                let started = ContinuousClock.now
                let daemon = try await DaemonProcess(directory: directory, socketName: "braind-\(cycle).sock")
                defer { daemon.killIfRunning() }
                restartTimes.append(ContinuousClock.now - started)
                let delay = Int.random(in: 50...400, using: &random)
                killDelays.append(delay)
                try await Self.saveThenKill(daemon, after: delay, savers: Self.savers, cycle: cycle, ledger: ledger)
            }

            // Every acknowledged save must be there, with its content or a later one of the same saver.
            let verifier = try await DaemonProcess(directory: directory, socketName: "verify.sock")
            defer { verifier.killIfRunning() }
            let (rows, lost, foreign) = try await Self.verify(ledger, client: verifier.client, savers: Self.savers)
            let acknowledged = await ledger.acknowledgedSlugs()
            let acks = await ledger.acknowledgedSaves
            let batches = await ledger.acknowledgedBatches
            let ackedSlugs = acknowledged.reduce(0) { $0 + $1.count }
            let average = restartTimes.reduce(Duration.zero, +) / restartTimes.count
            print("[crash-proof] cycles=\(Self.cycles) savers=\(Self.savers) kill_after_ms=\(killDelays)")
            print("[crash-proof] acknowledged_batches=\(batches) acknowledged_saves=\(acks) acknowledged_slugs=\(ackedSlugs) rows=\(rows.count) lost=\(lost.count) wrong_content=\(foreign.count) mean_restart=\(average)")
            for line in (lost + foreign).prefix(20) { print("[crash-proof]   \(line)") }
            #expect(acks > 0, "the savers got answers before the kills")
            #expect(lost.isEmpty)
            #expect(foreign.isEmpty)
            #expect(rows.count >= ackedSlugs, "rows hold at least every acknowledged slug")
            try await verifier.stop()

            // Restart with Mem0 and wait until every row is synced.
            let fake = FakeMem0Server()
            try await fake.start()
            let online = try await DaemonProcess(
                directory: directory, socketName: "online.sock",
                environment: ["MEM0_API_KEY": FakeMem0Settings.defaultAPIKey, "MEM0_BASE_URL": fake.baseURL.absoluteString])
            defer { online.killIfRunning() }
            let syncStarted = ContinuousClock.now
            let synced = try await waitFor(within: .seconds(60)) {
                let company = try await online.client.status().brains["company"]
                return company?.synced == rows.count && company?.pending == 0 && company?.inFlight == 0
            }
            let syncTime = ContinuousClock.now - syncStarted
            var local: [Memory] = []
            for saver in 0..<Self.savers { local += try await online.client.allMemories(.company, owner: Self.owner(saver)) }
            let tally = RemoteTally(remote: await fake.memories(), local: local)
            let counts = try await online.client.status().brains["company"]
            print("[crash-proof] mem0 sync: rows=\(local.count) synced=\(counts?.synced ?? -1) failed=\(counts?.failed ?? -1) in \(syncTime); \(tally)")
            #expect(synced)
            #expect(local.count == rows.count)
            #expect(tally.remote == rows.count)
            #expect(tally.duplicates == 0)
            #expect(tally.missing == 0)
            #expect(tally.contentMismatches == 0)
            try await online.stop()
            await fake.stop()
        }

        @Test(
            "kill -9 while pushes to Mem0 are in flight, re-adds after 404 among them, 10 cycles: lost = 0, and after the last restart duplicates = 0",
            arguments: FakeMem0API.allCases)
        func killNineWhilePushing(api: FakeMem0API) async throws {
            var settings = FakeMem0Settings(latency: .milliseconds(25))
            settings.api = api
            let fake = FakeMem0Server(configuration: .init(settings: settings))
            try await fake.start()
            let environment = [
                "MEM0_API_KEY": FakeMem0Settings.defaultAPIKey, "MEM0_BASE_URL": fake.baseURL.absoluteString, "MEM0_API": api.rawValue,
            ]
            let directory = try makeShortTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let savers = 8
            let ledger = AckLedger(savers: savers)
            var random = SplitMix64(seed: Self.seed ^ 0x0417)
            var killDelays: [Int] = []
            var deletedBehindBraind = 0
            for cycle in 0..<10 {
                // Every other cycle, half of Mem0's memories vanish behind braind's back, so the
                // savers' edits meet 404s and the kill lands among re-adds too.
                if cycle % 2 == 1 {
                    for memory in await fake.memories() where Bool.random(using: &random) {
                        _ = await fake.deleteMemory(id: memory.id)
                        deletedBehindBraind += 1
                    }
                }
                let daemon = try await DaemonProcess(directory: directory, socketName: "online-\(cycle).sock", environment: environment)
                defer { daemon.killIfRunning() }
                let delay = Int.random(in: 50...400, using: &random)
                killDelays.append(delay)
                try await Self.saveThenKill(daemon, after: delay, savers: savers, cycle: cycle, ledger: ledger)
            }
            let addsBeforeRestart = await fake.requestCount(.add)
            let remoteBeforeRestart = await fake.memories().count

            let final = try await DaemonProcess(directory: directory, socketName: "final.sock", environment: environment)
            defer { final.killIfRunning() }
            let (rows, lost, foreign) = try await Self.verify(ledger, client: final.client, savers: savers)
            var synced = try await waitFor(within: .seconds(60)) {
                let company = try await final.client.status().brains["company"]
                return company?.synced == rows.count && company?.pending == 0 && company?.inFlight == 0
            }
            // Rows whose memory vanished and that no saver edited since are found by a reconcile.
            let run = try await final.client.startReconcile(ReconcileOptions())
            let finished = try await waitFor(within: .seconds(60)) { try await final.client.reconcileRun(id: run.runID).status != "running" }
            let report = try await final.client.reconcileRun(id: run.runID)
            synced = try await waitFor(within: .seconds(60)) {
                let company = try await final.client.status().brains["company"]
                return company?.synced == rows.count && company?.pending == 0 && company?.inFlight == 0
            } && synced
            var local: [Memory] = []
            for saver in 0..<savers { local += try await final.client.allMemories(.company, owner: Self.owner(saver)) }
            let tally = RemoteTally(remote: await fake.memories(), local: local)
            let acks = await ledger.acknowledgedSaves
            let lookups = await fake.requestCount(.list)
            print("[crash-proof/online \(api)] deleted behind braind=\(deletedBehindBraind) final reconcile: \(report.status) drift=\(report.drift.mapValues(\.found))")
            #expect(finished && report.status == "succeeded")
            print("[crash-proof/online \(api)] cycles=10 savers=\(savers) kill_after_ms=\(killDelays) acknowledged_saves=\(acks) rows=\(rows.count) lost=\(lost.count) wrong_content=\(foreign.count)")
            print("[crash-proof/online \(api)] before the last restart: mem0 adds=\(addsBeforeRestart) remote=\(remoteBeforeRestart); after: synced=\(synced) record_id lookups=\(lookups) \(tally)")
            for line in (lost + foreign).prefix(20) { print("[crash-proof/online]   \(line)") }
            #expect(acks > 0)
            #expect(lost.isEmpty)
            #expect(foreign.isEmpty)
            #expect(synced)
            #expect(tally.duplicates == 0)
            #expect(tally.missing == 0)
            #expect(tally.remote == rows.count)
            #expect(tally.contentMismatches == 0)
            try await final.stop()
            await fake.stop()
        }

        /// Runs `savers` concurrent savers against `daemon`, kills it with SIGKILL after `delay` ms,
        /// and returns once every saver has stopped.
        private static func saveThenKill(_ daemon: DaemonProcess, after delay: Int, savers: Int, cycle: Int, ledger: AckLedger) async throws {
            let client = DaemonClient(socketPath: daemon.socketPath, timeout: .seconds(10))
            let stop = StopFlag()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for saver in 0..<savers {
                    group.addTask { try await save(saver: saver, cycle: cycle, client: client, ledger: ledger, stop: stop) }
                }
                try await Task.sleep(for: .milliseconds(delay))
                kill(daemon.pid, SIGKILL)
                stop.raise()
                // Answers already on their way still count; then requests the dead daemon will
                // never answer are cancelled instead of waiting for their deadline.
                try await Task.sleep(for: .milliseconds(100))
                group.cancelAll()
                try await group.waitForAll()
            }
            daemon.process.waitUntilExit()
            #expect(daemon.process.terminationReason == .uncaughtSignal && daemon.process.terminationStatus == SIGKILL)
        }

        /// Compares what the daemon holds with what it acknowledged: `lost` lists acknowledged saves
        /// missing or older in the store, `foreign` rows whose content no saver wrote for that slug.
        private static func verify(_ ledger: AckLedger, client: DaemonClient, savers: Int) async throws
            -> (rows: [Memory], lost: [String], foreign: [String])
        {
            let acknowledged = await ledger.acknowledgedSlugs()
            var rows: [Memory] = []
            var lost: [String] = []
            var foreign: [String] = []
            for saver in 0..<savers {
                let memories = try await client.allMemories(.company, owner: owner(saver))
                rows += memories
                let stored = Dictionary(memories.map { ($0.slug, $0) }, uniquingKeysWith: { first, _ in first })
                for (slug, sequence) in acknowledged[saver] {
                    guard let memory = stored[slug] else {
                        lost.append("saver \(saver) \(slug): missing (acknowledged n\(sequence))")
                        continue
                    }
                    guard let content = SaveContent(memory.content), content.saver == saver, content.slug == slug else {
                        foreign.append("saver \(saver) \(slug): unexpected content \(memory.content)")
                        continue
                    }
                    if content.sequence < sequence {
                        lost.append("saver \(saver) \(slug): holds n\(content.sequence), acknowledged n\(sequence)")
                    }
                }
            }
            return (rows, lost, foreign)
        }

        /// One saver: small batches of its own slugs until the daemon dies. Every answered save is
        /// recorded with its sequence number; sequence numbers keep growing across cycles.
        private static func save(saver: Int, cycle: Int, client: DaemonClient, ledger: AckLedger, stop: StopFlag) async throws {
            var random = SplitMix64(seed: seed ^ (UInt64(saver << 8 | cycle) &* 0x9E37_79B9))
            while !stop.isRaised {
                let sequence = await ledger.nextSequence(saver)
                let count = Int.random(in: 1...4, using: &random)
                var slugs: Set<String> = []
                while slugs.count < count { slugs.insert("s\(saver)_fact_\(Int.random(in: 0..<slugsPerSaver, using: &random))") }
                let items = slugs.sorted().map { slug in
                    MemoryInput(slug: slug, category: "crash_proof", content: SaveContent(saver: saver, sequence: sequence, slug: slug).text)
                }
                let result: SaveBatchResult
                do {
                    result = try await client.save(.company, owner: owner(saver), memories: items)
                } catch {
                    return  // the daemon is gone: this save is not acknowledged
                }
                // An answer arrived: the daemon acknowledged this save.
                #expect(result.savedCount == items.count, "\(result.errors)")
                await ledger.acknowledge(saver: saver, slugs: items.compactMap(\.slug), sequence: sequence)
            }
        }

        static func owner(_ saver: Int) -> String { validRUT(body: 20_000_000 + saver * 7_919) }
    }
}

/// The content a saver writes: it names the saver, the sequence number and the slug, so the
/// verifier can tell which save a row holds.
struct SaveContent {
    var saver: Int
    var sequence: Int
    var slug: String

    init(saver: Int, sequence: Int, slug: String) {
        self.saver = saver
        self.sequence = sequence
        self.slug = slug
    }

    /// Parses `Hecho del guardador S, n N: SLUG`.
    init?(_ text: String) {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0] == "Hecho", parts[2] == "guardador",
            let saver = Int(parts[3].dropLast()), parts[3].hasSuffix(","),
            parts[4].hasPrefix("n"), let sequence = Int(parts[4].dropFirst().dropLast()), parts[4].hasSuffix(":")
        else { return nil }
        self.init(saver: saver, sequence: sequence, slug: String(parts[5]))
    }

    var text: String { "Hecho del guardador \(saver), n\(sequence): \(slug)" }
}

/// What the daemon acknowledged, per saver: the highest acknowledged sequence number of each slug.
actor AckLedger {
    private var sequences: [Int]
    private var acknowledged: [[String: Int]]
    private(set) var acknowledgedSaves = 0
    private(set) var acknowledgedBatches = 0

    init(savers: Int) {
        sequences = Array(repeating: 0, count: savers)
        acknowledged = Array(repeating: [:], count: savers)
    }

    /// The next sequence number of a saver; never reused, even for a save that got no answer.
    func nextSequence(_ saver: Int) -> Int {
        sequences[saver] += 1
        return sequences[saver]
    }

    func acknowledge(saver: Int, slugs: [String], sequence: Int) {
        acknowledgedBatches += 1
        acknowledgedSaves += slugs.count
        for slug in slugs { acknowledged[saver][slug] = max(acknowledged[saver][slug] ?? 0, sequence) }
    }

    func acknowledgedSlugs() -> [[String: Int]] { acknowledged }
}
