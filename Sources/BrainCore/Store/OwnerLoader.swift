import Foundation

/// What a store gives the loader: owner rows, the loader's own live memories, and the save and
/// delete paths tagged with their source. The loading rules themselves are `OwnerLoader`'s,
/// written once for every store.
public protocol LoaderStore: Sendable {
    /// Company rows, one by id or all of them in RUT order.
    func companyRecords(id: String?) async throws -> [CompanyRecord]
    /// User (`profiles`) rows, one by id or all of them in RUT order.
    func userRecords(id: String?) async throws -> [UserRecord]
    /// The id of the owner a reference names; `ownerNotFound` if none (a load never creates one).
    func existingOwnerID(_ brain: BrainKind, owner: OwnerReference) async throws -> String
    /// The live (not tombstoned) memories with one of `slugs` that the loader wrote, by owner id,
    /// for one owner or all.
    func loaderSlugs(_ brain: BrainKind, slugs: [String], ownerID: String?) async throws -> [String: Set<String>]
    /// `MemoryStore.save`, recording who wrote the rows.
    func save(_ brain: BrainKind, owner: OwnerReference, memories: [MemoryInput], source: MemorySource) async throws -> SaveBatchResult
    /// Deletes a live memory only if the loader wrote it (the delete rule of `MemoryStore.delete`);
    /// nil when it is gone or an agent has saved it since.
    func deleteLoaderMemory(_ brain: BrainKind, ownerID: String, slug: String) async throws -> DeleteResult?
}

extension LoadableOwner {
    /// This kind's owner rows from a store.
    static func records(from store: any LoaderStore, id: String?) async throws -> [Self] {
        switch brain {
        case .company: try await store.companyRecords(id: id) as? [Self] ?? []
        case .user: try await store.userRecords(id: id) as? [Self] ?? []
        }
    }
}

/// The seed's `load_*_memories` tasks: owner data turned into memories through the save path.
///
/// The memories of the builder table (`MemoryBuilders`) go through `save`, so they are created,
/// updated or left unchanged and pushed like any save; a builder memory whose field is now empty
/// is removed, but only if a load wrote it: an agent's memory under a builder slug is never
/// removed by a load. Memories with other slugs are never touched.
public struct OwnerLoader: Sendable {
    let store: any LoaderStore

    public init(store: any LoaderStore) {
        self.store = store
    }

    /// Loads one owner. - Throws: `BrainError.ownerNotFound` for an unknown owner.
    public func load(_ brain: BrainKind, owner: OwnerReference) async throws -> LoadResult {
        switch brain {
        case .company: try await load(CompanyRecord.self, owner: owner)
        case .user: try await load(UserRecord.self, owner: owner)
        }
    }

    /// Loads every owner of one kind, one after another, in RUT order. An owner whose load fails
    /// is counted and the others go on; running it again over unchanged data changes nothing.
    /// - Parameters:
    ///   - progress: called with `(0, total)` first, then after each owner.
    ///   - stop: checked between owners; once requested, the load ends after the current owner.
    /// - Throws: `BrainError.storageUnavailable` (the remaining owners would fail the same way),
    ///   `BulkWorkStopped` and `CancellationError`; what was loaded before stays.
    public func loadAll<Record: LoadableOwner>(
        _ type: Record.Type, progress: LoadProgress?, stop: StopSignal?
    ) async throws -> LoadAllSummary {
        // One owner at a time (a save and its removals), so a long load never holds the store for
        // long, agents' saves interleave with it, and a stop waits for one owner only.
        let records = try await Record.records(from: store, id: nil)
        let live = try await store.loaderSlugs(Record.brain, slugs: Record.builders.map(\.slug), ownerID: nil)
        var summary = LoadAllSummary(total: records.count)
        progress?(0, records.count)
        for (index, record) in records.enumerated() {
            try Task.checkCancellation()
            if stop?.isRequested == true {
                throw BulkWorkStopped(
                    work: "load of every \(Record.brain.rawValue)", done: index, total: records.count,
                    advice: "run the load again once braind is back: what was loaded is kept and unchanged owners are skipped")
            }
            try await apply(record, liveSlugs: live[record.id] ?? [], to: &summary)
            progress?(index + 1, records.count)
        }
        return summary
    }

    /// Loads some owners by id (a chunk of a load job shared by several daemons), one after
    /// another, counting like `loadAll`. An owner deleted since the job began is left out of the
    /// counts: the job loads the owners that exist.
    /// - Throws: `BrainError.storageUnavailable`, `BulkWorkStopped` (checked between owners) and
    ///   `CancellationError`; what was loaded before stays.
    public func loadOwners(_ brain: BrainKind, ids: [String], stop: StopSignal?) async throws -> LoadAllSummary {
        switch brain {
        case .company: try await loadOwners(CompanyRecord.self, ids: ids, stop: stop)
        case .user: try await loadOwners(UserRecord.self, ids: ids, stop: stop)
        }
    }

    private func loadOwners<Record: LoadableOwner>(_ type: Record.Type, ids: [String], stop: StopSignal?) async throws -> LoadAllSummary {
        var summary = LoadAllSummary()
        for (index, id) in ids.enumerated() {
            try Task.checkCancellation()
            if stop?.isRequested == true {
                throw BulkWorkStopped(
                    work: "load of every \(Record.brain.rawValue)", done: index, total: ids.count,
                    advice: "the other daemons on the database finish the job")
            }
            guard let record = try await Record.records(from: store, id: id).first else { continue }
            summary.total += 1
            let live = try await store.loaderSlugs(Record.brain, slugs: Record.builders.map(\.slug), ownerID: id)
            try await apply(record, liveSlugs: live[id] ?? [], to: &summary)
        }
        return summary
    }

    /// One owner of a load-all: its failure is counted and the others go on, except when the
    /// store is unavailable (the remaining owners would fail the same way).
    private func apply<Record: LoadableOwner>(_ record: Record, liveSlugs: Set<String>, to summary: inout LoadAllSummary) async throws {
        do {
            summary.add(try await apply(record, liveSlugs: liveSlugs), brain: Record.brain, rut: record.rut)
        } catch let error as BrainError {
            if case .storageUnavailable = error { throw error }
            summary.failed += 1
            summary.errors.append("\(Record.brain.rawValue) \(record.rut): \(error.description)")
        }
    }

    private func load<Record: LoadableOwner>(_ type: Record.Type, owner reference: OwnerReference) async throws -> LoadResult {
        let ownerID = try await store.existingOwnerID(Record.brain, owner: reference)
        guard let record = try await Record.records(from: store, id: ownerID).first else {
            throw BrainError.ownerNotFound(brain: Record.brain, owner: reference.description)
        }
        let live = try await store.loaderSlugs(Record.brain, slugs: Record.builders.map(\.slug), ownerID: ownerID)
        return try await apply(record, liveSlugs: live[ownerID] ?? [])
    }

    /// Saves the present fields' memories and deletes the loader's memories whose field is empty.
    /// They are separate writes: if the process stops in between, the next load finishes the job,
    /// as a load is idempotent.
    /// - Parameter liveSlugs: the owner's live builder memories the loader wrote, as read before;
    ///   each removal checks again.
    private func apply<Record: LoadableOwner>(_ record: Record, liveSlugs: Set<String>) async throws -> LoadResult {
        let plan = MemoryBuilders.plan(Record.builders, for: record)
        // By id, not RUT: the row is the one just read, even if a RUT is ever edited meanwhile.
        let reference: OwnerReference = if let uuid = UUID(uuidString: record.id) {
            .id(uuid)
        } else {
            .rut(try RUT(record.rut, verifyCheckDigit: false))
        }
        let saved = plan.memories.isEmpty
            ? nil : try await store.save(Record.brain, owner: reference, memories: plan.memories, source: .loader)
        var removed: [DeleteResult] = []
        // A row deleted, or saved by an agent, since the read is left alone: nil.
        for slug in plan.emptySlugs where liveSlugs.contains(slug) {
            if let result = try await store.deleteLoaderMemory(Record.brain, ownerID: record.id, slug: slug) {
                removed.append(result)
            }
        }
        return LoadResult(save: saved, removed: removed)
    }
}

extension OwnerStore where Self: LoaderStore {
    public func load(_ brain: BrainKind, owner: OwnerReference) async throws -> LoadResult {
        try await OwnerLoader(store: self).load(brain, owner: owner)
    }

    public func loadAllCompanies(progress: LoadProgress?, stop: StopSignal?) async throws -> LoadAllCompaniesResult {
        LoadAllCompaniesResult(try await OwnerLoader(store: self).loadAll(CompanyRecord.self, progress: progress, stop: stop))
    }

    public func loadAllUsers(progress: LoadProgress?, stop: StopSignal?) async throws -> LoadAllUsersResult {
        LoadAllUsersResult(try await OwnerLoader(store: self).loadAll(UserRecord.self, progress: progress, stop: stop))
    }
}
