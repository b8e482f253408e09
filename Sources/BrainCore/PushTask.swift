import Foundation

/// The latest state of one dirty row, claimed for a push. Only the newest version is ever sent,
/// so ten offline edits of one slug cost one call.
public struct PushTask: Sendable, Equatable {
    public var brain: BrainKind
    /// The row's UUID, sent as `metadata.record_id`.
    public var recordID: String
    /// Normalized RUT: Mem0's `user_id`.
    public var entityID: String
    public var slug: String
    public var category: String?
    public var content: String
    public var metadata: [String: JSONValue]
    public var memoryID: String?
    /// The version this push makes Mem0 hold.
    public var version: Int
    /// The row is a tombstone: delete it remotely, then purge it.
    public var deleted: Bool
    /// An earlier add of this row has an unknown outcome (timeout, reset, crash): look for a
    /// memory carrying this row's `record_id` before adding again.
    public var addOutcomeUnknown: Bool
    /// Failed attempts so far, for backoff.
    public var attempts: Int

    /// What Mem0 stores as metadata: the row's own metadata plus the keys that tie it to the row.
    public var mem0Metadata: [String: JSONValue] {
        var metadata = self.metadata
        metadata["brain"] = .string(brain.rawValue)
        metadata["slug"] = .string(slug)
        metadata["record_id"] = .string(recordID)
        if let category { metadata["category"] = .string(category) }
        return metadata
    }

    /// What the worker does with this task.
    public enum Operation: String, Sendable {
        case add, update, delete
    }

    public var operation: Operation {
        if deleted { return .delete }
        return memoryID == nil ? .add : .update
    }

    public init(brain: BrainKind, recordID: String, entityID: String, slug: String, category: String? = nil, content: String, metadata: [String: JSONValue], memoryID: String? = nil, version: Int, deleted: Bool, addOutcomeUnknown: Bool, attempts: Int) {
        self.brain = brain
        self.recordID = recordID
        self.entityID = entityID
        self.slug = slug
        self.category = category
        self.content = content
        self.metadata = metadata
        self.memoryID = memoryID
        self.version = version
        self.deleted = deleted
        self.addOutcomeUnknown = addOutcomeUnknown
        self.attempts = attempts
    }
}

/// How a push ended, as the store records it.
public enum PushOutcome: Sendable, Equatable {
    /// Mem0 now holds `version` under `memoryID` (added, adopted or updated).
    case stored(memoryID: String)
    /// An update answered 404: the memory is gone from Mem0. The row forgets `previous` and goes
    /// back to the queue as an add, so the re-add is claimed with its "add started" mark (a repair).
    case gone(previous: String)
    /// The remote memory is gone (deleted, or already absent); the tombstone can be purged.
    case deleted
    /// A transient failure; try again after `delay`. `outcomeUnknown` keeps the add-in-flight
    /// marker so that the next attempt looks for the memory before adding it again.
    case retry(error: String, delay: Duration, outcomeUnknown: Bool)
    /// Mem0 refused the row; it waits for its next change or an explicit retry. `outcomeUnknown`
    /// keeps the add-started mark when Mem0 may hold the row all the same.
    case failed(error: String, outcomeUnknown: Bool = false)
    /// Pushing is paused (bad key); the row goes back to pending with no attempt counted.
    case paused
}
