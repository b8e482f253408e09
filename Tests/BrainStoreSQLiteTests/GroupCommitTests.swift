@testable import BrainCore
@testable import BrainStoreSQLite
import Foundation
import BrainTestSupport
import Testing

struct GroupCommitTests {
    @Test("Concurrent saves share transactions, yet each gets its own result and a failing save fails alone")
    func perRequestResults() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try BrainDatabase(path: directory.appendingPathComponent("brain.sqlite").path)
        let unknownOwner = try owner("2b9f2c1e-3a4b-4c5d-8e6f-7a8b9c0d1e2f")

        let outcomes = await withTaskGroup(of: (Int, Result<SaveBatchResult, any Error>).self) { group in
            for index in 0..<64 {
                group.addTask {
                    let body = String(50_000_000 + index)
                    let owner: OwnerReference = index == 7 ? unknownOwner : .rut(try! RUT(body + String(RUT.checkDigit(forBody: body))))
                    let items = [memory("a", "fact \(index)"), memory(index % 2 == 0 ? "Bad Slug" : "b", "second \(index)")]
                    do {
                        return (index, .success(try await database.save(.company, owner: owner, memories: items)))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }

        for (index, outcome) in outcomes {
            if index == 7 {
                #expect(throws: BrainError.self) { try outcome.get() }
                continue
            }
            let result = try outcome.get()
            #expect(result.items[0].status == .created)
            #expect(result.items[1].status == (index % 2 == 0 ? .failed : .created))
        }
        let counts = try await database.counts(.company)
        #expect(counts.live == 63 + 31, "63 owners × 1 valid item + 31 odd owners' second item")
        let stats = database.groupCommit.stats
        #expect(stats.saves == 64)
        #expect(stats.transactions < stats.saves, "saves shared transactions: \(stats.transactions) for \(stats.saves)")
        print("group commit: \(stats.saves) concurrent saves in \(stats.transactions) transactions")
    }

    @Test("A transaction takes the oldest save, then the later ones that fit the rider budget", arguments: zip(
        [[1_000, 1_000, 1_000, 1], [1, 1_000, 1, 1], [1, 200, 100, 56], [5, 5, 5]],
        [[0, 3], [0, 2, 3], [0, 1, 3], [0, 1]]))
    func batchIndices(items: [Int], expected: [Int]) {
        let maxJobs = items == [5, 5, 5] ? 2 : 256
        #expect(GroupCommit.batchIndices(items: items, maxJobs: maxJobs, riderItems: 256) == expected)
    }
}
