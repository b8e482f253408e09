import BrainCore
import BrainSync
import FakeMem0
import Foundation
import Testing

/// The client's calls against a real in-process fake-mem0, one behaviour per test.
@Suite(.timeLimit(.minutes(1)))
struct Mem0ClientTests {
    @Test func pingAnswersOK() async throws {
        try await withFakeMem0 { server, client in
            let ping = try await client.ping()
            #expect(ping.status == "ok")
            #expect(await server.requestCount(.ping) == 1)
        }
    }

    @Test func addAnswersSynchronouslyWithTheCreatedID() async throws {
        try await withFakeMem0 { server, client in
            let outcome = try await client.add(text: "Likes green tea", userID: "12345678-5", metadata: sampleMetadata())

            guard case .stored(let ids, _) = outcome else {
                Issue.record("expected stored, got \(outcome)")
                return
            }
            let id = try #require(ids.first)
            let stored = try #require(await server.memory(id: id))
            #expect(ids.count == 1)
            #expect(stored.memory == "Likes green tea")
            #expect(stored.userID == "12345678-5")
            #expect(stored.metadata == FakeJSON(.object(sampleMetadata())).objectValue)
            // The fake answers inline only when the body says infer: false; no event was polled.
            #expect(await server.requestCount(.event) == 0)
        }
    }

    @Test func addPollsThePendingEventUntilItSucceeds() async throws {
        try await withFakeMem0 { server, client in
            await server.setAddMode(.async, pendingPolls: 2)

            let outcome = try await client.add(text: "Async memory", userID: "u1", metadata: [:])

            guard case .stored(let ids, let eventID) = outcome else {
                Issue.record("expected stored, got \(outcome)")
                return
            }
            #expect(await server.memory(id: try #require(ids.first))?.memory == "Async memory")
            #expect(await server.requestCount(.event) == 3)
            // The event stays readable for a caller that wants to look again.
            let event = try await client.event(id: try #require(eventID))
            #expect(event.status == .succeeded)
            #expect(event.memoryIDs == ids)
        }
    }

    @Test func addReportsNothingStoredWhenTheEventSucceedsEmpty() async throws {
        try await withFakeMem0 { server, client in
            await server.setAddMode(.async, pendingPolls: 1)
            await server.queueAddOutcomes([.nothingStored])

            let outcome = try await client.add(text: "Duplicate", userID: "u1", metadata: [:])

            guard case .nothingStored(let eventID) = outcome else {
                Issue.record("expected nothingStored, got \(outcome)")
                return
            }
            #expect(eventID != nil)
            #expect(await server.memories().isEmpty)
        }
    }

    @Test func addReportsNothingStoredWhenTheSyncAnswerIsEmpty() async throws {
        try await withFakeMem0 { server, client in
            await server.queueAddOutcomes([.nothingStored])
            let outcome = try await client.add(text: "Duplicate", userID: "u1", metadata: [:])

            guard case .nothingStored = outcome else {
                Issue.record("expected nothingStored, got \(outcome)")
                return
            }
            #expect(await server.memories().isEmpty)
            #expect(await server.requestCount(.event) == 0)
        }
    }

    @Test func addThrowsWhenTheEventFails() async throws {
        try await withFakeMem0 { server, client in
            await server.setAddMode(.async, pendingPolls: 0)
            await server.queueAddOutcomes([.failed])

            let error = await mem0Error { _ = try await client.add(text: "x", userID: "u1", metadata: [:]) }

            guard case .eventFailed(let eventID, let message)? = error else {
                Issue.record("expected eventFailed, got \(String(describing: error))")
                return
            }
            #expect(!eventID.isEmpty)
            #expect(message == "Memory processing failed")
            #expect(error?.failureClass == .permanent)
        }
    }

    @Test func addGivesUpPollingAfterTheAttemptBudget() async throws {
        try await withFakeMem0(configure: { $0.eventPollMaxAttempts = 3 }) { server, client in
            await server.setAddMode(.async, pendingPolls: 100)

            let error = await mem0Error { _ = try await client.add(text: "slow", userID: "u1", metadata: [:]) }

            guard case .eventPollTimedOut(_, let lastStatus)? = error else {
                Issue.record("expected eventPollTimedOut, got \(String(describing: error))")
                return
            }
            #expect(lastStatus == "RUNNING")
            #expect(error?.failureClass == .retryable(retryAfter: nil))
            #expect(await server.requestCount(.event) == 3)
        }
    }

    @Test func addKeepsPollingThroughARetryableError() async throws {
        try await withFakeMem0 { server, client in
            await server.setAddMode(.async, pendingPolls: 1)
            await server.injectFault(FakeMem0Fault(.status(503), route: .event, count: 1))

            let outcome = try await client.add(text: "survives a 503", userID: "u1", metadata: [:])

            guard case .stored = outcome else {
                Issue.record("expected stored, got \(outcome)")
                return
            }
            // Exactly one add: the 503 on the poll must not cause a second write.
            #expect(await server.requestCount(.add) == 1)
        }
    }

    @Test func getReturnsTheMemoryFields() async throws {
        try await withFakeMem0 { server, client in
            let inserted = await server.insertMemory(
                FakeMemory(memory: "Lives in Santiago", userID: "u1", runID: "run-9", metadata: ["brain": "user"])
            )

            let memory = try await client.get(id: inserted.id)

            #expect(memory.id == inserted.id)
            #expect(memory.memory == "Lives in Santiago")
            #expect(memory.userID == "u1")
            #expect(memory.runID == "run-9")
            #expect(memory.metadata == ["brain": .string("user")])
            #expect(memory.createdAt != nil && memory.updatedAt != nil)
        }
    }

    @Test func updateChangesTextAndMetadata() async throws {
        try await withFakeMem0 { server, client in
            let inserted = await server.insertMemory(FakeMemory(memory: "old", userID: "u1", metadata: ["a": 1]))

            let updated = try await client.update(id: inserted.id, text: "new", metadata: ["b": .int(2)])

            #expect(updated.memory == "new")
            // fake-mem0 merges metadata by default, as the OSS library does.
            #expect(updated.metadata == ["a": .int(1), "b": .int(2)])
            #expect(await server.memory(id: inserted.id)?.metadata == ["a": 1, "b": 2])
        }
    }

    @Test func updateWithNothingToChangeSendsNothing() async throws {
        try await withFakeMem0 { server, client in
            let error = await mem0Error { _ = try await client.update(id: UUID().uuidString, text: nil, metadata: nil) }
            #expect(error?.failureClass == .permanent)
            #expect(await server.requestLog().isEmpty)
        }
    }

    @Test func deleteRemovesTheMemoryAndASecondDeleteIsNotFound() async throws {
        try await withFakeMem0 { server, client in
            let inserted = await server.insertMemory(FakeMemory(memory: "gone soon", userID: "u1"))

            try await client.delete(id: inserted.id)
            let error = await mem0Error { try await client.delete(id: inserted.id) }

            #expect(await server.memory(id: inserted.id) == nil)
            #expect(error?.status == 404)
            #expect(error?.failureClass == .notFound)
        }
    }

    @Test func getOfAMissingMemoryIsNotFound() async throws {
        try await withFakeMem0 { _, client in
            let error = await mem0Error { _ = try await client.get(id: UUID().uuidString.lowercased()) }
            #expect(error?.status == 404)
            #expect(error?.message == "Memory not found!")
            #expect(error?.failureClass == .notFound)
        }
    }

    @Test func getWithANonUUIDIsAPermanentBadRequest() async throws {
        try await withFakeMem0 { _, client in
            let error = await mem0Error { _ = try await client.get(id: "not-a-uuid") }
            #expect(error?.status == 400)
            #expect(error?.message == "memory_id should be a valid UUID")
            #expect(error?.failureClass == .permanent)
        }
    }
}
