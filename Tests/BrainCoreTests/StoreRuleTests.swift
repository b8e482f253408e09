import BrainCore
import Testing

/// The store-independent rules both stores apply: what a save does to a row, what a delete does.
struct StoreRuleTests {
    private func valid(_ content: String, category: String? = "c") throws -> ValidMemory {
        try MemoryInput(slug: "s", category: category, content: content).validated()
    }

    private func stored(_ content: String, category: String? = "c", metadata: String = "{}", deleted: Bool = false,
                        source: MemorySource = .save, state: SyncState = .synced) -> StoredMemoryState {
        StoredMemoryState(content: content, category: category, metadataText: metadata, deleted: deleted, source: source, syncState: state)
    }

    @Test("A save inserts a new slug, leaves an identical row alone, and updates any difference")
    func saveDecisions() throws {
        #expect(SaveRule.decide(existing: nil, incoming: try valid("x"), metadataText: "{}", source: .save) == .insert)
        #expect(SaveRule.decide(existing: stored("x"), incoming: try valid("x"), metadataText: "{}", source: .save) == .unchanged(adoptForLoader: false))
        #expect(SaveRule.decide(existing: stored("x"), incoming: try valid("y"), metadataText: "{}", source: .save) == .update(resurrect: false))
        #expect(SaveRule.decide(existing: stored("x"), incoming: try valid("x", category: "d"), metadataText: "{}", source: .save) == .update(resurrect: false))
        #expect(SaveRule.decide(existing: stored("x"), incoming: try valid("x"), metadataText: #"{"k":1}"#, source: .save) == .update(resurrect: false))
    }

    @Test("A tombstone saved again comes back as created; a load takes over an agent's identical row without a new version")
    func resurrectAndAdopt() throws {
        let resurrect = SaveRule.decide(existing: stored("x", deleted: true), incoming: try valid("x"), metadataText: "{}", source: .save)
        #expect(resurrect == .update(resurrect: true))
        #expect(SaveRule.result(resurrect, slug: "s", existingState: .pending).status == .created)
        #expect(SaveRule.decide(existing: stored("x"), incoming: try valid("x"), metadataText: "{}", source: .loader) == .unchanged(adoptForLoader: true))
        #expect(SaveRule.decide(existing: stored("x", source: .loader), incoming: try valid("x"), metadataText: "{}", source: .loader) == .unchanged(adoptForLoader: false))
    }

    @Test("An update of a row in flight stays in flight; the push's outcome makes it pending")
    func inFlightStays() {
        #expect(SaveRule.result(.update(resurrect: false), slug: "s", existingState: .inFlight).syncState == .inFlight)
        #expect(SaveRule.result(.update(resurrect: false), slug: "s", existingState: .synced).syncState == .pending)
        #expect(SaveRule.result(.unchanged(adoptForLoader: false), slug: "s", existingState: .failed).syncState == .failed)
    }

    @Test("A delete purges only a row Mem0 cannot hold; anything pushed or being added becomes a tombstone")
    func deleteDecisions() {
        #expect(DeleteRule.decide(memoryID: nil, addStarted: false) == .purge)
        #expect(DeleteRule.decide(memoryID: nil, addStarted: true) == .tombstone)
        #expect(DeleteRule.decide(memoryID: "m", addStarted: false) == .tombstone)
    }

    @Test("The state machine allows what the stores do and nothing else")
    func stateMachine() {
        #expect(SyncStateMachine.allows(.claim, from: .pending, to: .inFlight))
        #expect(!SyncStateMachine.allows(.claim, from: .failed, to: .inFlight), "failed rows wait for a change or retry")
        #expect(SyncStateMachine.allows(.outcome, from: .inFlight, to: .synced))
        #expect(!SyncStateMachine.allows(.outcome, from: .pending, to: .synced), "only the claimer records an outcome")
        #expect(SyncStateMachine.allows(.save, from: .inFlight, to: .inFlight), "a save keeps the claim")
        #expect(SyncStateMachine.allows(.retry, from: .failed, to: .pending))
        #expect(!SyncStateMachine.allows(.retarget, from: .inFlight, to: .pending), "retarget runs only while nothing is in flight")
    }
}
