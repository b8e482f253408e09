import BrainCore
import Foundation

/// One entity's Mem0 memories, listed, with the local rows read meanwhile.
struct EntityListing: Sendable {
    var rut: String
    var brains: [BrainKind]
    /// The listing, or why it failed.
    var remote: Result<[Mem0Memory], any Error>
    /// False when the server's listing cap cut it short.
    var complete = true
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
        var complete = true
        do {
            try await gate.wait()
            let listing = try await client.listing(userID: rut)
            remote = .success(listing.memories)
            complete = listing.complete
            gate.recordSuccess()
        } catch {
            gate.recordFailure(of: error)
            remote = .failure(error)
        }
        return EntityListing(rut: rut, brains: brains, remote: remote, complete: complete, snapshot: await snapshot)
    }

    /// Lists and repairs one entity outside any run (a webhook's hint), under the run's policy.
    func repairEntity(_ rut: String) async -> EntityTally {
        let listing = await list(entity: rut, brains: BrainKind.allCases)
        return await reconcile(listing, options: ReconcileOptions(entity: rut), policy: settings.policy)
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
            tally.listingFailed = true
            tally.errors.append("\(rut): listing failed: \(error)")
            return tally
        }
        tally.remoteSeen = remote.count
        // Memories a capped listing does not show are verified one by one (every decision reads
        // Mem0 again before it acts), never taken as missing; the report says so.
        if !listing.complete { tally.cappedListing = true }
        let byBrain = Dictionary(grouping: remote) { $0.metadata["brain"]?.stringValue.flatMap(BrainKind.init(rawValue:)) }
        tally.found(.foreign, byBrain[nil]?.count ?? 0)
        for brain in listing.brains {
            if listing.complete, let rows = listing.snapshot?[brain], Self.inSync(rows, remote: byBrain[brain] ?? []) { continue }
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

        // The listing is a picture of Mem0 taken before the rows were read, and pages shift when
        // Mem0 changes between them: every decision that adds, relinks, overwrites or adopts is
        // checked against Mem0 as it is now (a read of that one memory) and against the row as it
        // is now (the repair's write is conditional on the version and sync state it read). A dry
        // run reads the same and predicts the real run.
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
            // A row whose own memory the listing did not show: only act once Mem0 confirms it is gone.
            if task.memoryID != primary?.id, let ownID = task.memoryID {
                switch await reread(ownID, tally: &tally) {
                case .failure(let error):
                    tally.errors.append("\(rut) \(task.slug): \(error)")
                    continue
                case .success(let current?) where current.replacedBy == nil:
                    tally.deferred += 1
                    continue
                case .success:
                    break
                }
            }
            guard let primary else {
                tally.found(.missing)
                guard !dryRun else { continue }
                await repairByPush(row, forgetMemoryID: true, drift: .missing, reason: "missing in Mem0, added again", rut: rut, tally: &tally)
                continue
            }
            var current = row
            if primary.id != task.memoryID {
                tally.found(.relinked)
                if !dryRun {
                    do {
                        guard try await database.setRemoteID(row, memoryID: primary.id, reason: "row pointed at another memory") else {
                            tally.deferred += 1
                            continue
                        }
                        current.task.memoryID = primary.id
                        tally.repaired(.relinked)
                    } catch {
                        tally.failed(.relinked, "\(rut) \(task.slug): \(error)")
                        continue
                    }
                }
            }
            guard primary.memory != task.content || !primary.holdsExactly(task.mem0Metadata) else { continue }
            // Changed per the listing: Mem0 may have been brought up to date since it was listed.
            let fresh: Mem0Memory
            switch await reread(primary.id, tally: &tally) {
            case .failure(let error):
                tally.errors.append("\(rut) \(task.slug): \(error)")
                continue
            case .success(let memory?) where memory.memory != task.content || !memory.holdsExactly(task.mem0Metadata):
                fresh = memory
            case .success:
                tally.deferred += 1
                continue
            }
            tally.found(.changed)
            guard !dryRun else { continue }
            if policy.changed == .remote, fresh.memory != task.content {
                do {
                    guard try await database.takeRemoteContent(current, content: fresh.memory) else {
                        tally.deferred += 1
                        continue
                    }
                    guard !fresh.holdsExactly(task.mem0Metadata) else {
                        tally.repaired(.changed)
                        continue
                    }
                    // The text is Mem0's now; the metadata is still the row's to push.
                    current.task.content = fresh.memory
                    current.task.version += 1
                    current.syncedVersion = current.task.version
                } catch {
                    tally.failed(.changed, "\(rut) \(task.slug): \(error)")
                    continue
                }
            }
            await repairByPush(current, forgetMemoryID: false, drift: .changed, reason: "changed in Mem0, row pushed again", rut: rut, tally: &tally)
        }

        // What is left carries our metadata and matches no row: orphans (one per slug; the rest
        // of a slug's memories are duplicates of the adopted one).
        var adoptedSlugs: Set<String> = []
        for memory in order.compactMap({ unmatched[$0] }) {
            // Our keys with no usable slug or text can never become a row: braind writes neither,
            // so someone else did, and it is left alone and counted like a foreign memory.
            guard let validSlug = memory.metadata["slug"]?.stringValue.flatMap({ try? MemoryInput.validSlug($0) }), !memory.memory.isEmpty
            else {
                tally.found(.foreign)
                continue
            }
            switch await reread(memory.id, tally: &tally) {
            case .failure(let error):
                tally.errors.append("\(rut) \(memory.id): \(error)")
                continue
            case .success(nil):
                continue  // deleted since it was listed
            case .success:
                break
            }
            let recordID = memory.metadata["record_id"]?.stringValue
            var deletedHere = false
            do {
                if let recordID { deletedHere = try await database.wasDeletedHere(recordID: recordID, brain: brain) }
            } catch {
                tally.errors.append("\(rut) \(memory.id): \(error)")
                continue
            }
            if deletedHere {
                // Listed before a local delete reached Mem0: finish that delete, never undo it.
                tally.found(.tombstoned)
                guard !dryRun else { continue }
                do {
                    try await deleteRemote(memory.id, tally: &tally)
                    tally.repaired(.tombstoned)
                } catch { tally.failed(.tombstoned, "\(rut) \(validSlug): \(error)") }
                continue
            }
            if adoptedSlugs.contains(validSlug) {
                tally.found(.duplicate)
                guard !dryRun else { continue }
                do {
                    try await deleteRemote(memory.id, tally: &tally)
                    tally.repaired(.duplicate)
                } catch { tally.failed(.duplicate, "\(rut) \(validSlug): \(error)") }
                continue
            }
            tally.found(.orphan)
            if policy.orphan == .adopt { adoptedSlugs.insert(validSlug) }
            guard !dryRun else { continue }
            do {
                if policy.orphan == .delete {
                    try await deleteRemote(memory.id, tally: &tally)
                } else {
                    var metadata = memory.metadata
                    for key in MemoryLimits.reservedMetadataKeys { metadata[key] = nil }
                    metadata = metadata.filter { $0.value != .null }
                    let adopted = AdoptedMemory(
                        memoryID: memory.id, recordID: recordID, slug: validSlug,
                        category: memory.metadata["category"]?.stringValue, content: memory.memory, metadata: metadata)
                    switch try await database.adopt(adopted, brain: brain, rut: rut) {
                    case .adopted(let newRecordID):
                        // The memory carries the row's id from now on, so the next run matches it by
                        // record_id and does not see its metadata as changed.
                        if memory.metadata["record_id"] != .string(newRecordID) {
                            var stamped = memory.metadata
                            stamped["record_id"] = .string(newRecordID)
                            try await updateRemote(memory.id, text: nil, metadata: stamped, tally: &tally)
                        }
                    case .slugTaken:
                        adoptedSlugs.remove(validSlug)
                        tally.failed(.orphan, "\(rut) \(validSlug): slug taken meanwhile")
                        continue
                    case .deletedHere:
                        tally.failed(.orphan, "\(rut) \(validSlug): its row was deleted meanwhile")
                        continue
                    }
                }
                tally.repaired(.orphan)
            } catch { tally.failed(.orphan, "\(rut) \(memory.id): \(error)") }
        }
    }

    /// Sends a repair through the push path: the row is claimed (if it is still as read), pushed
    /// with the exactly-once rules, and its outcome recorded as the push worker records its own.
    private func repairByPush(
        _ row: ReconcileRow, forgetMemoryID: Bool, drift: DriftClass, reason: String, rut: String, tally: inout EntityTally
    ) async {
        do {
            guard let task = try await database.claimForRepair(row, forgetMemoryID: forgetMemoryID, reason: reason) else {
                tally.deferred += 1  // saved or deleted since it was read: the push worker has it
                return
            }
            tally.call(task.operation.rawValue)
            let outcome = await pusher.push(task, logger: logger)
            try await database.completePush(task, outcome: outcome)
            switch outcome {
            case .stored: tally.repaired(drift)
            case .gone: tally.failed(drift, "\(rut) \(task.slug): gone from Mem0 while repaired; queued to be added again")
            case .retry(let error, _, _), .failed(let error, _): tally.failed(drift, "\(rut) \(task.slug): \(error)")
            case .deleted, .paused: tally.failed(drift, "\(rut) \(task.slug): not pushed (\(outcome.metricName))")
            }
        } catch {
            tally.failed(drift, "\(rut) \(row.task.slug): \(error)")
        }
    }

    /// Mem0's copy of one memory now; nil when it is gone.
    private func reread(_ id: String, tally: inout EntityTally) async -> Result<Mem0Memory?, any Error> {
        do {
            try await gate.wait()
            tally.call("get")
            let memory = try await client.get(id: id)
            gate.recordSuccess()
            return .success(memory)
        } catch let error as Mem0Error where error.failureClass == .notFound {
            return .success(nil)
        } catch {
            gate.recordFailure(of: error)
            return .failure(error)
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
            return memory.holdsExactly(task.mem0Metadata)
        }
    }

    /// Candidates of a row in order of authority: its own id, then its record_id, then its slug.
    private func rank(_ memory: Mem0Memory, _ task: PushTask) -> Int {
        if memory.id == task.memoryID && memory.replacedBy == nil { return 0 }
        if memory.metadata["record_id"] == .string(task.recordID) { return 1 }
        return 2
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

