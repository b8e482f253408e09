@testable import BrainCore
import Foundation
import BrainTestSupport
import Testing

@Suite struct JournalRetentionTests {
    @Test("Pruning removes journal entries older than the cutoff, in batches, and keeps the rest")
    func pruneEvents() async throws {
        let database = try await makeTestDatabase()
        _ = try await database.save(.company, owner: try OwnerReference("76.086.428-5"), memories: [
            MemoryInput(slug: "fresh", content: "x"),
        ])
        let ownerID = try #require(try await sql(database).scalar("SELECT id FROM companies"))
        for index in 0..<25 {
            try await sql(database).execute(
                "INSERT INTO events (at, kind, brain, owner_id, record_id, slug) VALUES (?, 'created', 'company', ?, ?, 's')",
                [Timestamp.string(from: Date().addingTimeInterval(-200 * 86_400)), ownerID, "old-\(index)"])
        }
        let before = try await database.eventCount()
        let removed = try await database.pruneEvents(olderThan: Date().addingTimeInterval(-90 * 86_400), batch: 10)
        #expect(removed == 25)
        #expect(try await database.eventCount() == before - 25)
        #expect(try await database.eventCount() >= 1, "the fresh save's entry stays")
    }
}
