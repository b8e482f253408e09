/// What a store knows of a row when a save for its slug arrives.
public struct StoredMemoryState: Sendable, Equatable {
    public var content: String
    public var category: String?
    /// The metadata as `CanonicalJSON` text, so equal objects compare equal.
    public var metadataText: String
    public var deleted: Bool
    public var source: MemorySource
    public var syncState: SyncState

    public init(content: String, category: String?, metadataText: String, deleted: Bool, source: MemorySource, syncState: SyncState) {
        self.content = content
        self.category = category
        self.metadataText = metadataText
        self.deleted = deleted
        self.source = source
        self.syncState = syncState
    }
}

/// The created/updated/unchanged rule of a save, written once for every store.
public enum SaveRule {
    public enum Decision: Sendable, Equatable {
        /// No row for the slug: insert one, version 1, pending.
        case insert
        /// The row already holds exactly this; nothing changes (no version, no journal, no push).
        /// `adoptForLoader`: a load finding an agent's identical row takes it over (source only).
        case unchanged(adoptForLoader: Bool)
        /// A new version. `resurrect`: the row was a tombstone and comes back under its old id
        /// (reported as created); Mem0 still holds its memory, so the push is an update.
        case update(resurrect: Bool)
    }

    public static func decide(
        existing: StoredMemoryState?, incoming: ValidMemory, metadataText: String, source: MemorySource
    ) -> Decision {
        guard let existing else { return .insert }
        let identical = !existing.deleted && existing.content == incoming.content
            && existing.category == incoming.category && existing.metadataText == metadataText
        if identical { return .unchanged(adoptForLoader: source == .loader && existing.source != .loader) }
        return .update(resurrect: existing.deleted)
    }

    /// The item's result for a decision. A row whose push is in flight stays in flight after an
    /// update: the push's outcome leaves it pending for the new version.
    public static func result(_ decision: Decision, slug: String, existingState: SyncState?) -> SaveItemResult {
        switch decision {
        case .insert:
            SaveItemResult(slug: slug, status: .created, syncState: .pending)
        case .unchanged:
            SaveItemResult(slug: slug, status: .unchanged, syncState: existingState)
        case .update(let resurrect):
            SaveItemResult(slug: slug, status: resurrect ? .created : .updated, syncState: existingState == .inFlight ? .inFlight : .pending)
        }
    }
}
