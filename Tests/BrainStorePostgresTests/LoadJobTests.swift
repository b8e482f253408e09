import BrainCore
import BrainStorePostgres
import BrainTestSupport
import Foundation
import Synchronization
import Testing

/// A load of every owner shared by the daemons on one database: chunks claimed like push rows.
@Suite("PostgreSQL shared load jobs", .enabled(if: TestPostgres.isConfigured, "BRAIND_TEST_POSTGRES_URL is not set; run under scripts/with-postgres"))
struct PostgresLoadJobTests {
    /// The lease tests' two daemons, with `companies` imported through the first.
    func withTwoDaemons(lease: Duration, companies: Int, _ body: (PostgresStore, PostgresStore, PostgresURL) async throws -> Void) async throws {
        try await PostgresLeaseTests().withTwoDaemons(lease: lease) { a, b, url in
            if companies > 0 {
                let imported = try await a.importCompanies(Data(LoadFixtures.companiesCSV(count: companies).utf8))
                #expect(imported.created == companies)
            }
            try await body(a, b, url)
        }
    }

    @Test func chunksCoverEveryOwnerOnceAndTwoDaemonsClaimDisjointOnes() async throws {
        try await withTwoDaemons(lease: .seconds(60), companies: 10) { a, b, _ in
            let job = try await a.startLoadJob(.company, chunkSize: 3)
            #expect(try await b.startLoadJob(.company, chunkSize: 3) == job, "a second start follows the running job")
            let first = try #require(try await a.claimLoadChunk())
            let second = try #require(try await b.claimLoadChunk())
            #expect(first.index == 0 && second.index == 1, "chunks go out in order, each to one daemon")
            var chunks = [first, second]
            while let next = try await b.claimLoadChunk() { chunks.append(next) }
            #expect(chunks.map(\.ownerIDs.count) == [3, 3, 3, 1])
            let owners = chunks.flatMap(\.ownerIDs)
            #expect(Set(owners).count == 10, "each owner in exactly one chunk")
            let records = try await a.companyRecords(id: nil)
            #expect(owners == records.map(\.id), "chunks follow RUT order")

            for chunk in chunks {
                let store = chunk == first ? a : b
                let summary = try await OwnerLoader(store: store).loadOwners(.company, ids: chunk.ownerIDs, stop: nil)
                #expect(try await a.loadJobProgress(id: job).finished == false)
                try await store.finishLoadChunk(chunk, summary: summary)
            }
            let progress = try await a.loadJobProgress(id: job)
            #expect(progress.finished)
            #expect(progress.done == 10 && progress.total == 10)
            #expect(progress.summary.total == 10 && progress.summary.loaded == 10 && progress.summary.failed == 0)
            #expect(progress.summary.created == LoadFixtures.companyMemories(count: 10))
            #expect(try await a.counts(.company).live == LoadFixtures.companyMemories(count: 10))
            #expect(try await a.startLoadJob(.company, chunkSize: 3) != job, "a finished job is not followed")
        }
    }

    /// A daemon that dies mid-chunk keeps it until the lease runs out; then another daemon
    /// takes it, and the dead one's late counts are not recorded over it.
    @Test func anExpiredChunkLeasePassesToAnotherDaemon() async throws {
        try await withTwoDaemons(lease: .seconds(2), companies: 4) { a, b, _ in
            let job = try await a.startLoadJob(.company, chunkSize: 10)
            let lost = try #require(try await a.claimLoadChunk())
            #expect(try await b.claimLoadChunk() == nil, "a live lease is not claimable")
            try await Task.sleep(for: .milliseconds(2_500))
            let taken = try #require(try await b.claimLoadChunk())
            #expect(taken == lost)
            try await a.finishLoadChunk(lost, summary: LoadAllSummary(total: 4, loaded: 4, created: 99))
            #expect(try await a.loadJobProgress(id: job).finished == false, "the late holder's counts do not finish the job")
            let summary = try await OwnerLoader(store: b).loadOwners(.company, ids: taken.ownerIDs, stop: nil)
            try await b.finishLoadChunk(taken, summary: summary)
            let progress = try await a.loadJobProgress(id: job)
            #expect(progress.finished && progress.summary.created == LoadFixtures.companyMemories(count: 4))
        }
    }

    @Test func theHeartbeatKeepsAChunksLeaseAndAReleasedChunkIsClaimableAtOnce() async throws {
        try await withTwoDaemons(lease: .seconds(2), companies: 4) { a, b, _ in
            _ = try await a.startLoadJob(.company, chunkSize: 10)
            let held = try #require(try await a.claimLoadChunk())
            for _ in 0..<4 {
                try await Task.sleep(for: .milliseconds(700))
                #expect(try await a.heartbeat() >= 1)
            }
            #expect(try await b.claimLoadChunk() == nil, "renewed for 2.8 s past a 2 s lease")
            try await a.releaseLoadChunk(held)
            #expect(try await b.claimLoadChunk() == held)
        }
    }

    @Test func aJobWithoutOwnersIsFinishedAtOnce() async throws {
        try await withTwoDaemons(lease: .seconds(60), companies: 0) { a, _, _ in
            let job = try await a.startLoadJob(.user, chunkSize: 10)
            let progress = try await a.loadJobProgress(id: job)
            #expect(progress.finished && progress.total == 0 && progress.summary == LoadAllSummary())
            #expect(try await a.claimLoadChunk() == nil)
        }
    }

    /// The request path: a daemon asked loads chunks itself and reports the whole job.
    @Test func aSharedLoadRunReportsTheWholeJob() async throws {
        try await withTwoDaemons(lease: .seconds(60), companies: 60) { a, b, _ in
            let seen = ProgressLog()
            let helper = SharedLoad(store: b)
            async let helped = helper.drain(stop: nil)
            let summary = try await SharedLoad(store: a).run(.company, progress: { done, total in seen.append(done, total) }, stop: nil, poll: .milliseconds(20))
            _ = try await helped
            #expect(summary.total == 60 && summary.loaded == 60)
            #expect(summary.created == LoadFixtures.companyMemories(count: 60))
            let steps = seen.values
            #expect(steps.last.map { $0 == (60, 60) } == true, "\(steps)")
            #expect(steps.allSatisfy { $0.1 == 60 }, "progress counts the whole job")
            #expect(zip(steps, steps.dropFirst()).allSatisfy { $0.0 < $1.0 }, "progress only moves forward")
        }
    }
}

private final class ProgressLog: Sendable {
    private let storage = Mutex<[(Int, Int)]>([])
    func append(_ done: Int, _ total: Int) { storage.withLock { $0.append((done, total)) } }
    var values: [(Int, Int)] { storage.withLock { $0 } }
}
