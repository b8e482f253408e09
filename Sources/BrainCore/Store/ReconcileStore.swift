import Foundation

/// A brain row as the reconciler compares it with Mem0 (tombstones included).
public struct ReconcileRow: Sendable, Equatable {
    public var task: PushTask
    public var syncState: SyncState
    public var syncedVersion: Int

    /// Mem0 has this row's current version: only such rows can drift (the push worker owns the rest).
    public var isSynced: Bool { task.version == syncedVersion && syncState == .synced }

    public init(task: PushTask, syncState: SyncState, syncedVersion: Int) {
        self.task = task
        self.syncState = syncState
        self.syncedVersion = syncedVersion
    }
}

/// What adopting an orphan did.
public enum AdoptOutcome: Sendable, Equatable {
    /// A row now holds the memory.
    case adopted(recordID: String)
    /// The owner has a row with that slug (or that memory) already.
    case slugTaken
    /// The memory's record_id belonged to a row deleted here: it is the rest of that delete.
    case deletedHere
}

/// A Mem0 memory with our metadata and no row, adopted as a row.
public struct AdoptedMemory: Sendable, Equatable {
    public var memoryID: String
    public var recordID: String?
    public var slug: String
    public var category: String?
    public var content: String
    public var metadata: [String: JSONValue]

    public init(memoryID: String, recordID: String?, slug: String, category: String?, content: String, metadata: [String: JSONValue]) {
        self.memoryID = memoryID
        self.recordID = recordID
        self.slug = slug
        self.category = category
        self.content = content
        self.metadata = metadata
    }
}

/// What the reconciler reads and repairs. Every write is conditional on the row being exactly as
/// the reconciler read it, so a save or delete landing meanwhile wins (the repair is deferred).
public protocol ReconcileStore: Sendable {
    /// Entities (normalized RUTs) known locally, for the brains in scope.
    func reconcileEntities(brain: BrainKind?) async throws -> [(brain: BrainKind, rut: String)]
    /// The rows of several brains of one entity, tombstones included, read at one point in time.
    func reconcileRows(brains: [BrainKind], rut: String) async throws -> [BrainKind: [ReconcileRow]]
    /// The row holding this Mem0 id, if any.
    func reconcileRow(memoryID: String) async throws -> ReconcileRow?
    /// The row with this id in `brain`, if any.
    func reconcileRow(recordID: String, brain: BrainKind) async throws -> ReconcileRow?
    /// Points a row at a memory (a relink) if the row has not changed since it was read.
    func setRemoteID(_ row: ReconcileRow, memoryID: String, reason: String) async throws -> Bool
    /// Takes Mem0's text into the row (policy `remote`), as a new version Mem0 already holds.
    func takeRemoteContent(_ row: ReconcileRow, content: String) async throws -> Bool
    /// Removes a tombstone whose remote memory is gone.
    func purgeTombstone(_ row: ReconcileRow) async throws
    /// Adopts an orphan memory as a synced row (creating the owner if needed), deciding on the
    /// rows as they are now, not as they were when Mem0 was listed.
    func adopt(_ memory: AdoptedMemory, brain: BrainKind, rut: String) async throws -> AdoptOutcome
    /// Whether a row with this id existed here and was deleted (as far back as the journal keeps).
    func wasDeletedHere(recordID: String, brain: BrainKind) async throws -> Bool
    /// Claims a synced row for a repair push if it is still exactly as read; `forgetMemoryID`
    /// turns the push into an add, with the "add started" mark set in the claiming commit.
    func claimForRepair(_ row: ReconcileRow, forgetMemoryID: Bool, reason: String, now: Date) async throws -> PushTask?
    /// Stores a run's report (insert or replace).
    func saveReconcileRun(_ report: ReconcileReport) async throws
    /// Stored runs, newest first.
    func reconcileRuns(limit: Int) async throws -> [ReconcileReport]
    /// One stored run.
    func reconcileRun(id: String) async throws -> ReconcileReport?
    /// Runs left `running` by a daemon that stopped mid-run are marked interrupted.
    func markInterruptedRuns() async throws

    /// Takes the one reconcile slot of everyone sharing the store for run `runID`. Returns nil
    /// when this run may go ahead, or the id of the run another daemon is running. A slot whose
    /// daemon is gone is free. A store one daemon holds alone (SQLite) always answers nil.
    func claimReconcileSlot(runID: String) async throws -> String?
    /// Frees the slot `runID` holds, if it still does.
    func releaseReconcileSlot(runID: String) async throws
    /// Whether this daemon starts the scheduled run now: true for one daemon per `interval`
    /// across everyone sharing the store, always true for a store one daemon holds alone.
    func claimScheduledReconcile(interval: Duration) async throws -> Bool
}

extension ReconcileStore {
    /// Every row of one owner, tombstones included.
    public func reconcileRows(_ brain: BrainKind, rut: String) async throws -> [ReconcileRow] {
        try await reconcileRows(brains: [brain], rut: rut)[brain] ?? []
    }

    public func claimForRepair(_ row: ReconcileRow, forgetMemoryID: Bool, reason: String) async throws -> PushTask? {
        try await claimForRepair(row, forgetMemoryID: forgetMemoryID, reason: reason, now: Date())
    }

    /// The latest 20 runs.
    public func reconcileRuns() async throws -> [ReconcileReport] { try await reconcileRuns(limit: 20) }
}
