import BrainCore
import BrainServer
import BrainTestSupport
import Foundation
import Synchronization
import Testing

extension Proofs {
    /// `brain load companies|users` on a database three daemons share is one job spread over all
    /// of them, the seed's `load_all_*` Celery batch done by the daemons.
    @Suite(.timeLimit(.minutes(4)), .enabled(if: TestStoreKind.current == .postgresql, "daemons sharing a PostgreSQL database"))
    struct SharedLoadProofTests {
        static let companies = 1_000
        static let users = 2_000
        static let configuration = "[storage]\nlease_seconds = 2\n\n[reconcile]\ninterval_seconds = 0\n"

        /// Three daemons on one database (offline: the load is what is proved), owners imported.
        static func cluster(companies: Int, users: Int) async throws -> (daemons: [DaemonProcess], sql: PostgresSQLProbe, directory: String) {
            let directory = try makeShortTemporaryDirectory()
            let config = try writeConfiguration(configuration, in: directory)
            var daemons: [DaemonProcess] = []
            for slot in 0..<3 {
                daemons.append(try await DaemonProcess(
                    directory: directory, socketName: "d\(slot).sock", logLevel: "info", extraArguments: ["--config", config]))
            }
            let client = daemons[0].client
            #expect(try await client.importOwners("companies", data: Data(LoadFixtures.companiesCSV(count: companies).utf8)).created == companies)
            if users > 0 {
                #expect(try await client.importOwners("users", data: Data(LoadFixtures.usersJSONL(count: users).utf8), format: "jsonl").created == users)
            }
            return (daemons, PostgresSQLProbe(url: try PostgresURL(daemons[0].databasePath)), directory)
        }

        /// Per job: chunks done by each daemon (by socket name), and owners in more than one chunk.
        static func chunks(_ sql: PostgresSQLProbe, brain: BrainKind) async throws -> (byDaemon: [String: Int], ownersTwice: Int, owners: Int) {
            let rows = try await sql.rows(
                """
                SELECT regexp_replace(c.done_by, '^.*/', '') AS daemon, count(*)::text AS chunks
                FROM braind_load_chunks c JOIN braind_load_jobs j ON j.id = c.job_id
                WHERE j.brain = '\(brain.rawValue)' GROUP BY 1
                """)
            let byDaemon = Dictionary(uniqueKeysWithValues: rows.map { ($0["daemon"] ?? "(not done)", $0.int("chunks") ?? 0) })
            let owners = try await sql.int(
                "SELECT count(*) FROM braind_load_chunks c JOIN braind_load_jobs j ON j.id = c.job_id, unnest(c.owner_ids) WHERE j.brain = '\(brain.rawValue)'")
            let distinct = try await sql.int(
                "SELECT count(DISTINCT o) FROM braind_load_chunks c JOIN braind_load_jobs j ON j.id = c.job_id, unnest(c.owner_ids) o WHERE j.brain = '\(brain.rawValue)'")
            return (byDaemon, owners - distinct, distinct)
        }

        @Test("Load-all of 1,000 companies and 2,000 users started on two of 3 daemons: exact counts, each owner loaded once, every daemon took part")
        func loadAllOverThreeDaemons() async throws {
            let (daemons, sql, directory) = try await Self.cluster(companies: Self.companies, users: Self.users)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let companyProgress = ProgressSteps()
            let userProgress = ProgressSteps()
            let started = ContinuousClock.now
            async let companiesLoad = daemons[0].client.loadAll(.company) { companyProgress.record($0, $1) }
            async let usersLoad = daemons[1].client.loadAll(.user) { userProgress.record($0, $1) }
            let companies = try JSONDecoder().decode(LoadAllCompaniesResult.self, from: try await companiesLoad)
            let users = try JSONDecoder().decode(LoadAllUsersResult.self, from: try await usersLoad)
            let took = ContinuousClock.now - started

            let companyChunks = try await Self.chunks(sql, brain: .company)
            let userChunks = try await Self.chunks(sql, brain: .user)
            let status = try await daemons[2].client.status()
            print("[shared-load] \(took) companies: total \(companies.totalCompanies) loaded \(companies.loadedCompanies) created \(companies.totalMemoriesCreated) chunks by daemon \(companyChunks.byDaemon.sorted { $0.key < $1.key }); users: total \(users.totalUsers) loaded \(users.loadedUsers) created \(users.totalMemoriesCreated) chunks by daemon \(userChunks.byDaemon.sorted { $0.key < $1.key }); progress lines \(companyProgress.steps.count)/\(userProgress.steps.count)")

            #expect(companies.totalCompanies == Self.companies && companies.loadedCompanies == Self.companies && companies.failedCompanies == 0)
            #expect(users.totalUsers == Self.users && users.loadedUsers == Self.users && users.failedUsers == 0)
            #expect(companies.totalMemoriesCreated == LoadFixtures.companyMemories(count: Self.companies))
            #expect(users.totalMemoriesCreated == LoadFixtures.userMemories(count: Self.users))
            #expect(status.brains["company"]?.live == LoadFixtures.companyMemories(count: Self.companies))
            #expect(status.brains["user"]?.live == LoadFixtures.userMemories(count: Self.users))
            // Each owner in one chunk, each chunk done once, by daemons across the cluster.
            #expect(companyChunks.owners == Self.companies && companyChunks.ownersTwice == 0)
            #expect(userChunks.owners == Self.users && userChunks.ownersTwice == 0)
            #expect(try await sql.int("SELECT count(*) FROM braind_load_chunks WHERE done_at IS NULL OR attempts <> 1") == 0)
            let helpers = Set(companyChunks.byDaemon.keys).union(userChunks.byDaemon.keys)
            #expect(helpers == ["d0.sock", "d1.sock", "d2.sock"], "every daemon loads chunks: \(helpers.sorted())")
            // The daemon asked shows the whole job, moving forward to its end.
            for (steps, total) in [(companyProgress.steps, Self.companies), (userProgress.steps, Self.users)] {
                #expect(steps.last.map { $0 == (total, total) } == true)
                #expect(steps.allSatisfy { $0.1 == total })
                #expect(zip(steps, steps.dropFirst()).allSatisfy { $0.0 <= $1.0 })
                #expect(steps.count > 3, "progress lines while the other daemons load: \(steps.count)")
            }
            // Again: nothing changes, and no chunk is left over.
            let again = try JSONDecoder().decode(LoadAllCompaniesResult.self, from: try await daemons[2].client.loadAll(.company))
            #expect(again.loadedCompanies == Self.companies && again.totalMemoriesCreated == 0 && again.totalMemoriesUpdated == 0)
            for daemon in daemons { try await daemon.stop() }
        }

        @Test("A daemon killed with -9 mid-load leaves its chunk to the others: the job finishes with every owner loaded")
        func aDaemonKilledMidLoad() async throws {
            let (daemons, sql, directory) = try await Self.cluster(companies: Self.companies, users: 0)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let progress = ProgressSteps()
            async let load = daemons[0].client.loadAll(.company) { progress.record($0, $1) }
            // Kill the third daemon while it holds a chunk.
            let holding = try await waitFor(within: .seconds(60), every: .milliseconds(5)) {
                try await sql.int("SELECT count(*) FROM braind_load_chunks WHERE done_at IS NULL AND claimed_by LIKE '%/d2.sock'") > 0
            }
            #expect(holding, "the third daemon claimed a chunk")
            kill(daemons[2].pid, SIGKILL)
            daemons[2].process.waitUntilExit()
            let killedAt = progress.steps.last?.0 ?? 0
            let result = try JSONDecoder().decode(LoadAllCompaniesResult.self, from: try await load)
            let retaken = try await sql.rows(
                "SELECT chunk::text, attempts::text, regexp_replace(done_by, '^.*/', '') AS daemon FROM braind_load_chunks WHERE attempts > 1")
            let live = try await daemons[0].client.status().brains["company"]?.live
            print("[shared-load] killed d2 at \(killedAt)/\(Self.companies) owners; chunks taken over: \(retaken.map { "\($0["chunk"] ?? "?") by \($0["daemon"] ?? "?")" }); loaded \(result.loadedCompanies) created \(result.totalMemoriesCreated); live memories \(live ?? -1)")
            #expect(result.totalCompanies == Self.companies && result.loadedCompanies == Self.companies && result.failedCompanies == 0)
            #expect(live == LoadFixtures.companyMemories(count: Self.companies))
            #expect(!retaken.isEmpty && retaken.allSatisfy { $0["daemon"] != "d2.sock" }, "the dead daemon's chunk was finished by another")
            #expect(try await sql.int("SELECT count(*) FROM braind_load_chunks WHERE done_at IS NULL") == 0)
            for daemon in daemons.prefix(2) { try await daemon.stop() }
        }
    }
}

/// Progress lines a client saw, in order.
private final class ProgressSteps: Sendable {
    private let storage = Mutex<[(Int, Int)]>([])
    func record(_ done: Int, _ total: Int) { storage.withLock { $0.append((done, total)) } }
    var steps: [(Int, Int)] { storage.withLock { $0 } }
}
