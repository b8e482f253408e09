import Foundation

/// All state of one fake: memories, add events, settings, faults and the request log.
///
/// An actor, because requests arrive on many event-loop threads at once.
actor FakeMem0Store {
    /// A stored memory and its insertion number, which orders list results.
    private struct Entry {
        var sequence: Int
        var memory: FakeMemory
    }

    /// An add event the client can poll.
    private struct Event {
        var id: String
        var outcome: FakeMem0AddOutcome
        var memories: [FakeMemory]
        var payload: FakeJSON
        var createdAt: Date
        var pendingPollsLeft: Int
        var polls = 0
    }

    private let initialSettings: FakeMem0Settings
    /// The dialect served; fixed for the server's life.
    nonisolated let api: FakeMem0API
    private(set) var settings: FakeMem0Settings
    private var entries: [String: Entry] = [:] {
        didSet { idsByUser = nil }
    }
    /// Memory ids by user id, rebuilt on demand after a change: lists are scoped to one entity,
    /// and scanning every memory of every entity made listing O(all memories).
    private var idsByUser: [String: [String]]?
    private var nextSequence = 0
    private var events: [String: Event] = [:]
    private(set) var faults: [FakeMem0Fault] = []
    private(set) var queuedAddOutcomes: [FakeMem0AddOutcome] = []
    private var log: [FakeMem0RequestLogEntry] = []
    private var random: SplitMix64
    private(set) var webhooks: [String: FakeWebhook] = [:]
    /// Every change to a memory, for the webhook deliverer.
    nonisolated let changes: AsyncStream<FakeWebhookEvent>
    private let announce: AsyncStream<FakeWebhookEvent>.Continuation

    init(settings: FakeMem0Settings) {
        initialSettings = settings
        api = settings.api
        self.settings = settings
        random = SplitMix64(seed: settings.randomSeed ?? UInt64.random(in: .min ... .max))
        (changes, announce) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(100_000))
    }

    /// What happened to each memory, oldest first (`GET /v1/memories/{id}/history/`).
    private var histories: [String: [FakeHistoryEntry]] = [:]

    func history(id: String) -> [FakeHistoryEntry]? { histories[id.lowercased()] }

    private func announce(_ kind: FakeWebhookEvent.Kind, _ memory: FakeMemory, previous: String? = nil) {
        histories[memory.id, default: []].append(FakeHistoryEntry(
            memoryID: memory.id, event: kind.rawValue, oldMemory: kind == .add ? nil : (previous ?? memory.memory),
            newMemory: kind == .delete ? nil : memory.memory, userID: memory.userID, metadata: memory.metadata))
        guard !webhooks.isEmpty else { return }
        announce.yield(FakeWebhookEvent(kind: kind, memoryID: memory.id, text: memory.memory))
    }

    /// Ends the change stream, so the deliverer stops.
    func finishChanges() { announce.finish() }

    // MARK: - Webhooks

    /// The project every key of the fake belongs to, as `/v1/ping/` reports it.
    static let projectID = "proj_fake"

    func createWebhook(name: String, url: String, eventTypes: [String], isActive: Bool) -> FakeWebhook {
        let now = Date()
        let webhook = FakeWebhook(
            id: "wh_" + UUID().uuidString.lowercased().prefix(12), name: name, url: url, eventTypes: eventTypes,
            project: Self.projectID, isActive: isActive, createdAt: now, updatedAt: now)
        webhooks[webhook.id] = webhook
        return webhook
    }

    func updateWebhook(id: String, _ change: (inout FakeWebhook) -> Void) -> FakeWebhook? {
        guard var webhook = webhooks[id] else { return nil }
        change(&webhook)
        webhook.updatedAt = Date()
        webhooks[id] = webhook
        return webhook
    }

    func deleteWebhook(id: String) -> Bool { webhooks.removeValue(forKey: id) != nil }

    /// A draw in 0..<1 from the seeded generator, for delivery faults.
    func draw() -> Double { Double.random(in: 0..<1, using: &random) }

    // MARK: - Platform operations

    /// Handles an add; returns the JSON answer (synchronous results or a pending event).
    func add(_ request: FakeAddRequest) -> FakeJSON {
        let outcome = queuedAddOutcomes.isEmpty ? .stored : queuedAddOutcomes.removeFirst()
        var created: [FakeMemory] = []
        if outcome == .stored {
            for text in request.texts {
                let memory = FakeMemory(
                    memory: text, userID: request.userID, agentID: request.agentID, appID: request.appID,
                    runID: request.runID, metadata: request.metadata
                )
                insert(memory)
                created.append(memory)
                announce(.add, memory)
            }
        }
        let answersAsync = settings.addMode == .async || (settings.addMode == .followInfer && request.infer)
        let event = Event(
            id: UUID().uuidString.lowercased(), outcome: outcome, memories: created, payload: request.payload,
            createdAt: Date(), pendingPollsLeft: answersAsync ? max(0, settings.pendingPolls) : 0
        )
        events[event.id] = event
        if answersAsync {
            return [
                "message": "Memory processing has been queued for background execution",
                "status": "PENDING", "event_id": .string(event.id),
            ]
        }
        return [
            "message": outcome == .failed ? "Memory processing failed" : "Memories processed successfully",
            "status": outcome == .failed ? "FAILED" : "SUCCEEDED",
            "event_id": .string(event.id),
            "results": Self.results(of: event),
        ]
    }

    /// The OSS server's add: synchronous, verbatim, one memory per message.
    func addOSS(_ request: FakeAddRequest) -> [FakeMemory] {
        request.texts.map { text in
            let memory = FakeMemory(memory: text, userID: request.userID, agentID: request.agentID, runID: request.runID, metadata: request.metadata)
            insert(memory)
            announce(.add, memory)
            return memory
        }
    }

    /// The event's JSON, advancing it one poll towards its outcome; nil if unknown.
    func pollEvent(id: String) -> FakeJSON? {
        guard var event = events[id.lowercased()] else { return nil }
        let status: String
        if event.pendingPollsLeft > 0 {
            status = event.polls == 0 ? "PENDING" : "RUNNING"
            event.pendingPollsLeft -= 1
        } else {
            status = event.outcome == .failed ? "FAILED" : "SUCCEEDED"
        }
        event.polls += 1
        events[event.id] = event
        let done = status == "SUCCEEDED" || status == "FAILED"
        let created = FakeJSON.string(FakeTimestamp.string(event.createdAt))
        let now = FakeJSON.string(FakeTimestamp.string(Date()))
        return [
            "id": .string(event.id), "event_type": "ADD", "status": .string(status), "payload": event.payload,
            "metadata": nil, "results": done ? Self.results(of: event) : [],
            "created_at": created, "updated_at": now, "started_at": created, "completed_at": done ? now : nil,
            "latency": done ? 12.5 : nil, "graph_status": nil,
            "error": status == "FAILED" ? "Memory processing failed" : nil,
        ]
    }

    private static func results(of event: Event) -> FakeJSON {
        .array(
            event.memories.map { memory in
                ["id": .string(memory.id), "event": "ADD", "user_id": memory.userID.json, "data": ["memory": .string(memory.memory)]]
            })
    }

    /// One memory by id, or nil.
    func memory(id: String) -> FakeMemory? {
        entries[id.lowercased()]?.memory
    }

    /// Applies an update; nil if the memory does not exist.
    func update(id: String, text: String?, metadata: [String: FakeJSON]??) -> FakeMemory? {
        guard var entry = entries[id.lowercased()] else { return nil }
        let previous = entry.memory.memory
        if let text { entry.memory.memory = text }
        // Outer nil: no `metadata` key sent. Inner nil: `"metadata": null`, which clears it.
        if let metadata {
            switch (settings.updateMetadata, metadata) {
            case (.merge, .some(let sent)):
                entry.memory.metadata = (entry.memory.metadata ?? [:]).merging(sent) { _, new in new }
            default:
                entry.memory.metadata = metadata
            }
        }
        entry.memory.updatedAt = Date()
        entries[entry.memory.id] = entry
        announce(.update, entry.memory, previous: previous)
        return entry.memory
    }

    /// Removes a memory; false if it did not exist.
    func delete(id: String) -> Bool {
        guard let removed = entries.removeValue(forKey: id.lowercased()) else { return false }
        announce(.delete, removed.memory)
        return true
    }

    /// Memories passing `filter`, newest first.
    func memories(matching filter: FakeMem0Filter) -> [FakeMemory] {
        let candidates: [Entry]
        if let userID = filter.requiredUserID {
            if idsByUser == nil {
                idsByUser = Dictionary(grouping: entries.values.filter { $0.memory.userID != nil }) { $0.memory.userID! }
                    .mapValues { $0.map(\.memory.id) }
            }
            candidates = (idsByUser?[userID] ?? []).compactMap { entries[$0] }
        } else {
            candidates = Array(entries.values)
        }
        return candidates.filter { filter.admits($0.memory) }.sorted { $0.sequence > $1.sequence }.map(\.memory)
    }

    /// The user ids that hold memories, in name order, with when each was first and last written.
    func userEntities() -> [(name: String, createdAt: Date, updatedAt: Date)] {
        var spans: [String: (createdAt: Date, updatedAt: Date)] = [:]
        for entry in entries.values {
            guard let userID = entry.memory.userID else { continue }
            let span = spans[userID]
            spans[userID] = (
                min(span?.createdAt ?? entry.memory.createdAt, entry.memory.createdAt),
                max(span?.updatedAt ?? entry.memory.updatedAt, entry.memory.updatedAt)
            )
        }
        return spans.keys.sorted().map { ($0, spans[$0]!.createdAt, spans[$0]!.updatedAt) }
    }

    // MARK: - Control operations

    /// All memories (optionally of one user), newest first.
    func allMemories(userID: String? = nil) -> [FakeMemory] {
        entries.values.filter { userID == nil || $0.memory.userID == userID }
            .sorted { $0.sequence > $1.sequence }.map(\.memory)
    }

    /// Stores a memory as given (replacing one with the same id), as a change behind the client's
    /// back: webhooks hear of it.
    func insertFromControl(_ memory: FakeMemory) {
        let existed = entries[memory.id.lowercased()] != nil
        insert(memory)
        announce(existed ? .update : .add, entries[memory.id.lowercased()]!.memory)
    }

    /// Stores a memory as given (replacing one with the same id).
    func insert(_ memory: FakeMemory) {
        var memory = memory
        memory.id = memory.id.lowercased()
        let sequence = entries[memory.id]?.sequence ?? nextSequence
        nextSequence += 1
        entries[memory.id] = Entry(sequence: sequence, memory: memory)
    }

    /// Changes a stored memory in place; nil if it does not exist.
    func edit(id: String, _ change: @Sendable (inout FakeMemory) -> Void) -> FakeMemory? {
        guard var entry = entries[id.lowercased()] else { return nil }
        let previous = entry.memory.memory
        change(&entry.memory)
        entry.memory.id = id.lowercased()
        entries[entry.memory.id] = entry
        announce(.update, entry.memory, previous: previous)
        return entry.memory
    }

    /// Removes every memory.
    func deleteAllMemories() { entries.removeAll() }

    /// Changes the settings in one step, so concurrent changes do not overwrite each other.
    @discardableResult
    func updateSettings(_ change: @Sendable (inout FakeMem0Settings) throws -> Void) rethrows -> FakeMem0Settings {
        var newSettings = settings
        try change(&newSettings)
        setSettings(newSettings)
        return newSettings
    }

    /// Replaces the stored settings.
    func setSettings(_ newSettings: FakeMem0Settings) {
        if newSettings.randomSeed != settings.randomSeed, let seed = newSettings.randomSeed {
            random = SplitMix64(seed: seed)
        }
        settings = newSettings
    }

    func addFault(_ fault: FakeMem0Fault) { faults.append(fault) }
    func clearFaults() { faults.removeAll() }
    func queueAddOutcomes(_ outcomes: [FakeMem0AddOutcome]) { queuedAddOutcomes.append(contentsOf: outcomes) }
    func clearAddOutcomes() { queuedAddOutcomes.removeAll() }

    /// Counts used by the control API's state view.
    var counts: (memories: Int, events: Int, requests: Int) {
        (entries.count, events.count, requestLog.count)
    }

    /// Back to the state right after start: no memories, events, faults or log; initial settings.
    func reset() {
        entries.removeAll()
        webhooks.removeAll()
        histories.removeAll()
        events.removeAll()
        faults.removeAll()
        queuedAddOutcomes.removeAll()
        log.removeAll()
        settings = initialSettings
        random = SplitMix64(seed: initialSettings.randomSeed ?? UInt64.random(in: .min ... .max))
    }

    // MARK: - Faults and log

    /// The action of the first fault that fires for a request to `route`, consuming one of its count.
    func takeFault(for route: FakeMem0Route) -> FakeMem0Fault.Action? {
        for index in faults.indices where faults[index].matches(route) {
            if let rate = faults[index].rate, Double.random(in: 0..<1, using: &random) >= rate { continue }
            let action = faults[index].action
            if let count = faults[index].count {
                if count <= 1 { faults.remove(at: index) } else { faults[index].count = count - 1 }
            }
            return action
        }
        return nil
    }

    /// Appends to the request log. Trimming happens in batches so appends stay cheap.
    func record(_ entry: FakeMem0RequestLogEntry) {
        log.append(entry)
        let limit = max(1, settings.requestLogLimit)
        if log.count >= 2 * limit { log.removeFirst(log.count - limit) }
    }

    /// The newest entries, at most the configured limit, oldest first.
    var requestLog: [FakeMem0RequestLogEntry] {
        Array(log.suffix(max(1, settings.requestLogLimit)))
    }

    func clearRequestLog() { log.removeAll() }
}

/// A parsed add request.
struct FakeAddRequest: Sendable {
    /// One memory per non-system message, stored verbatim.
    var texts: [String]
    var userID: String?
    var agentID: String?
    var appID: String?
    var runID: String?
    var metadata: [String: FakeJSON]?
    /// `infer` as sent; the Platform defaults it to true.
    var infer: Bool
    /// The body, echoed in the event's `payload`.
    var payload: FakeJSON
}
