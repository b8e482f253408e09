import Foundation

/// The push queue: how the push worker takes dirty rows and records what Mem0 did with them.
/// `SyncStateMachine` says which state each call moves a row between.
public protocol PushQueueStore: Sendable {
    /// Claims up to `limit` rows due at `now` (pending or failed-and-due), moving them to
    /// `in_flight`. An add is marked "add started" in the same commit.
    func claimPushTasks(limit: Int, now: Date) async throws -> [PushTask]

    /// Records one push's outcome (see `PushOutcome`).
    func completePush(_ task: PushTask, outcome: PushOutcome, now: Date) async throws

    /// Records several outcomes in one commit.
    func completePushes(_ outcomes: [(PushTask, PushOutcome)], now: Date) async throws

    /// At start: rows a previous process left `in_flight` go back to pending (their add-started
    /// marks stay). Returns how many.
    func recoverInFlightPushes() async throws -> Int

    /// Failed rows of one brain (or both) back to pending. Returns how many.
    func retryFailed(brain: BrainKind?) async throws -> Int

    /// Failed rows with their errors, newest first.
    func failedMemories(brain: BrainKind?, limit: Int) async throws -> [Memory]

    /// When the next pending row is due, or nil when the queue is empty.
    func nextPushDue() async throws -> Date?
}

extension PushQueueStore {
    public func claimPushTasks(limit: Int) async throws -> [PushTask] {
        try await claimPushTasks(limit: limit, now: Date())
    }

    public func completePush(_ task: PushTask, outcome: PushOutcome) async throws {
        try await completePush(task, outcome: outcome, now: Date())
    }

    public func completePushes(_ outcomes: [(PushTask, PushOutcome)]) async throws {
        try await completePushes(outcomes, now: Date())
    }

    public func retryFailed() async throws -> Int { try await retryFailed(brain: nil) }

    public func failedMemories() async throws -> [Memory] {
        try await failedMemories(brain: nil, limit: StoreLimits.defaultPageSize)
    }
}
