import BrainCore
import Foundation

/// One entity's Mem0 memories, listed, with the local rows read meanwhile.
struct EntityListing: Sendable {
    var rut: String
    var brains: [BrainKind]
    /// The listing, or why it failed.
    var remote: Result<[Mem0Memory], any Error>
    /// Rows read while Mem0 answered; nil if that read failed.
    var snapshot: [BrainKind: [ReconcileRow]]?
}

extension Reconciler {
    /// Lists one entity's Mem0 memories. The local rows are read while Mem0 answers: that
    /// snapshot only serves to recognise an entity in sync, the common case; repairs are decided
    /// on rows read after the listing.
    func list(entity rut: String, brains: [BrainKind]) async -> EntityListing {
        async let snapshot = try? database.reconcileRows(brains: brains, rut: rut)
        let remote: Result<[Mem0Memory], any Error>
        do {
            try await gate.wait()
            remote = .success(try await client.list(userID: rut, metadataFilter: nil))
            gate.recordSuccess()
        } catch {
            gate.recordFailure(of: error)
            remote = .failure(error)
        }
        return EntityListing(rut: rut, brains: brains, remote: remote, snapshot: await snapshot)
    }

    /// Compares one listed entity's memories with its rows in the brains in scope and repairs
    /// drift. Errors are counted in the tally, never thrown: one bad entity does not stop the run.
    func reconcile(_ listing: EntityListing, options: ReconcileOptions, policy: ReconcilePolicy) async -> EntityTally {
        var tally = EntityTally()
        let rut = listing.rut
        tally.call("list")
        let remote: [Mem0Memory]
        switch listing.remote {
        case .success(let memories): remote = memories
        case .failure(let error):
            tally.errors.append("\(rut): listing failed: \(error)")
            return tally
        }
        tally.remoteSeen = remote.count
        let byBrain = Dictionary(grouping: remote) { $0.metadata["brain"]?.stringValue.flatMap(BrainKind.init(rawValue:)) }
        tally.found(.foreign, byBrain[nil]?.count ?? 0)
        for brain in listing.brains {
            if let rows = listing.snapshot?[brain], Self.inSync(rows, remote: byBrain[brain] ?? []) { continue }
            do {
                let rows = try await database.reconcileRows(brain, rut: rut)
                await reconcile(rows: rows, remote: byBrain[brain] ?? [], brain: brain, rut: rut, options: options, policy: policy, tally: &tally)
            } catch {
                tally.errors.append("\(rut) \(brain.rawValue): \(error)")
            }
        }
        return tally
    }

    private func reconcile(
        rows: [ReconcileRow], remote: [Mem0Memory], brain: BrainKind, rut: String, options: ReconcileOptions,
        policy: ReconcilePolicy, tally: inout EntityTally
    ) async {
        var unmatched = Dictionary(remote.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let order = remote.map(\.id)
        // Indexes by record_id and slug keep matching linear in the entity's size.
        let byRecord = Dictionary(grouping: remote.filter { $0.metadata["record_id"]?.stringValue != nil }) {
            $0.metadata["record_id"]!.stringValue!
        }
        let bySlug = Dictionary(grouping: remote.filter { $0.metadata["slug"]?.stringValue != nil }) { $0.metadata["slug"]!.stringValue! }
        let dryRun = options.dryRun

        for row in rows {
            let task = row.task
            // Every remote memory that claims this row: by id, by record_id, by slug (in that order).
            var claimed: [Mem0Memory] = []
            var seen: Set<String> = []
            let byID = task.memoryID.flatMap { unmatched[$0] }.map { [$0] } ?? []
            for memory in byID + (byRecord[task.recordID] ?? []) + (bySlug[task.slug] ?? [])
            where unmatched[memory.id] != nil && seen.insert(memory.id).inserted {
                claimed.append(memory)
            }
            let candidates = claimed.sorted { rank($0, task) < rank($1, task) }
            for candidate in candidates { unmatched[candidate.id] = nil }

            if task.deleted {
                guard !candidates.isEmpty else { continue }
                tally.found(.tombstoned)
                guard !dryRun else { continue }
                do {
                    for memory in candidates { try await deleteRemote(memory.id, tally: &tally) }
                    try await database.purgeTombstone(row)
                    tally.repaired(.tombstoned)
                } catch { tally.failed(.tombstoned, "\(rut) \(task.slug): \(error)") }
                continue
            }
            // Rows with changes Mem0 does not have yet belong to the push worker.
            guard row.isSynced else { continue }

            let primary = candidates.first { $0.replacedBy == nil }
            // Superseded memories are Mem0's history, not duplicates: they are left alone.
            let duplicates = candidates.filter { $0.id != primary?.id && $0.replacedBy == nil }
            if !duplicates.isEmpty {
                tally.found(.duplicate, duplicates.count)
                if !dryRun {
                    for duplicate in duplicates {
                        do {
                            try await deleteRemote(duplicate.id, tally: &tally)
                            tally.repaired(.duplicate)
                        } catch { tally.failed(.duplicate, "\(rut) \(task.slug): \(error)") }
                    }
                }
            }
            guard let primary else {
                tally.found(.missing)
                guard !dryRun else { continue }
                do {
                    try await gate.wait()
                    let id = try await addRemote(task, tally: &tally)
                    try await database.setRemoteID(row, memoryID: id, reason: "missing in Mem0, added again")
                    tally.repaired(.missing)
                } catch { tally.failed(.missing, "\(rut) \(task.slug): \(error)") }
                continue
            }
            if primary.id != task.memoryID {
                tally.found(.relinked)
                if !dryRun {
                    do {
                        try await database.setRemoteID(row, memoryID: primary.id, reason: "row pointed at another memory")
                        tally.repaired(.relinked)
                    } catch { tally.failed(.relinked, "\(rut) \(task.slug): \(error)") }
                }
            }
            let textDiffers = primary.memory != task.content
            let metadataDiffers = task.mem0Metadata.contains { primary.metadata[$0.key] != $0.value }
            guard textDiffers || metadataDiffers else { continue }
            tally.found(.changed)
            guard !dryRun else { continue }
            do {
                if policy.changed == .remote, textDiffers {
                    try await database.takeRemoteContent(row, content: primary.memory)
                    if metadataDiffers { try await updateRemote(primary.id, text: nil, metadata: task.mem0Metadata, tally: &tally) }
                } else {
                    try await updateRemote(primary.id, text: task.content, metadata: task.mem0Metadata, tally: &tally)
                }
                tally.repaired(.changed)
            } catch { tally.failed(.changed, "\(rut) \(task.slug): \(error)") }
        }

        // What is left carries our metadata and matches no row: orphans (one per slug; the rest
        // of a slug's memories are duplicates of the adopted one).
        var adoptedSlugs: Set<String> = []
        for memory in order.compactMap({ unmatched[$0] }) {
            let slug = memory.metadata["slug"]?.stringValue
            let validSlug = slug.flatMap { try? MemoryInput.validSlug($0) }
            if let validSlug, adoptedSlugs.contains(validSlug) {
                tally.found(.duplicate)
                guard !dryRun else { continue }
                do {
                    try await deleteRemote(memory.id, tally: &tally)
                    tally.repaired(.duplicate)
                } catch { tally.failed(.duplicate, "\(rut) \(validSlug): \(error)") }
                continue
            }
            tally.found(.orphan)
            guard !dryRun else { continue }
            do {
                if policy.orphan == .delete || validSlug == nil || memory.memory.isEmpty {
                    // A memory of ours with no usable slug cannot become a row; delete it only when
                    // the policy says orphans go.
                    guard policy.orphan == .delete else {
                        tally.failed(.orphan, "\(rut) \(memory.id): orphan without a valid slug left in place")
                        continue
                    }
                    try await deleteRemote(memory.id, tally: &tally)
                } else if let validSlug {
                    var metadata = memory.metadata
                    for key in MemoryLimits.reservedMetadataKeys { metadata[key] = nil }
                    let adopted = AdoptedMemory(
                        memoryID: memory.id, recordID: memory.metadata["record_id"]?.stringValue, slug: validSlug,
                        category: memory.metadata["category"]?.stringValue, content: memory.memory, metadata: metadata)
                    guard let recordID = try await database.adopt(adopted, brain: brain, rut: rut) else {
                        tally.failed(.orphan, "\(rut) \(validSlug): slug taken meanwhile")
                        continue
                    }
                    adoptedSlugs.insert(validSlug)
                    // The memory carries the row's id from now on, so the next run matches it by
                    // record_id and does not see its metadata as changed.
                    if memory.metadata["record_id"] != .string(recordID) {
                        var stamped = memory.metadata
                        stamped["record_id"] = .string(recordID)
                        try await updateRemote(memory.id, text: nil, metadata: stamped, tally: &tally)
                    }
                }
                tally.repaired(.orphan)
            } catch { tally.failed(.orphan, "\(rut) \(memory.id): \(error)") }
        }
    }

    /// Whether a brain needs nothing: every row is live and synced, and Mem0 holds exactly one
    /// memory per row, under the row's memory id, with its text and metadata.
    static func inSync(_ rows: [ReconcileRow], remote: [Mem0Memory]) -> Bool {
        guard rows.count == remote.count else { return false }
        let byID = Dictionary(remote.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        guard byID.count == remote.count else { return false }
        return rows.allSatisfy { row in
            let task = row.task
            guard row.isSynced, !task.deleted, let id = task.memoryID, let memory = byID[id], memory.replacedBy == nil,
                memory.memory == task.content
            else { return false }
            return task.mem0Metadata.allSatisfy { memory.metadata[$0.key] == $0.value }
        }
    }

    /// Candidates of a row in order of authority: its own id, then its record_id, then its slug.
    private func rank(_ memory: Mem0Memory, _ task: PushTask) -> Int {
        if memory.id == task.memoryID && memory.replacedBy == nil { return 0 }
        if memory.metadata["record_id"] == .string(task.recordID) { return 1 }
        return 2
    }

    private func addRemote(_ task: PushTask, tally: inout EntityTally) async throws -> String {
        tally.call("add")
        return try await client.addRow(task)
    }

    private func updateRemote(_ id: String, text: String?, metadata: [String: JSONValue], tally: inout EntityTally) async throws {
        try await gate.wait()
        tally.call("update")
        _ = try await client.update(id: id, text: text, metadata: metadata)
    }

    private func deleteRemote(_ id: String, tally: inout EntityTally) async throws {
        try await gate.wait()
        tally.call("delete")
        try await client.deleteIfPresent(id: id)
    }
}
