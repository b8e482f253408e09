import Foundation

/// Direct control of the fake for in-process tests: the same operations as `/_control/`.
extension FakeMem0Server {
    /// The current behaviour settings.
    public func settings() async -> FakeMem0Settings {
        await store.settings
    }

    /// Changes behaviour settings in place.
    public func updateSettings(_ change: @Sendable (inout FakeMem0Settings) -> Void) async {
        await store.updateSettings(change)
    }

    /// Sets the fixed latency added to every Platform request.
    public func setLatency(_ latency: Duration) async {
        await updateSettings { $0.latency = latency }
    }

    /// Sets how add answers and, optionally, how many polls an async event stays pending.
    public func setAddMode(_ mode: FakeMem0AddMode, pendingPolls: Int? = nil) async {
        await updateSettings { settings in
            settings.addMode = mode
            if let pendingPolls { settings.pendingPolls = pendingPolls }
        }
    }

    /// Adds a fault after the existing ones.
    public func injectFault(_ fault: FakeMem0Fault) async {
        await store.addFault(fault)
    }

    /// Removes every fault.
    public func clearFaults() async {
        await store.clearFaults()
    }

    /// The faults still armed, with their remaining counts.
    public func faults() async -> [FakeMem0Fault] {
        await store.faults
    }

    /// Decides the outcome of the next adds, one per add, in order.
    public func queueAddOutcomes(_ outcomes: [FakeMem0AddOutcome]) async {
        await store.queueAddOutcomes(outcomes)
    }

    /// Every stored memory (optionally of one user), newest first.
    public func memories(userID: String? = nil) async -> [FakeMemory] {
        await store.allMemories(userID: userID)
    }

    /// One stored memory, or nil.
    public func memory(id: String) async -> FakeMemory? {
        await store.memory(id: id)
    }

    /// Stores a memory directly, as if another client had added it (orphans, duplicates).
    @discardableResult
    public func insertMemory(_ memory: FakeMemory) async -> FakeMemory {
        await store.insertFromControl(memory)
        return await store.memory(id: memory.id) ?? memory
    }

    /// Edits a memory behind the client's back; `updatedAt` moves to now unless `change` sets it.
    /// - Returns: The edited memory, or nil if there is none with that id.
    @discardableResult
    public func editMemory(id: String, _ change: @escaping @Sendable (inout FakeMemory) -> Void) async -> FakeMemory? {
        await store.edit(id: id) { memory in
            memory.updatedAt = Date()
            change(&memory)
        }
    }

    /// Deletes a memory behind the client's back; false if there was none.
    @discardableResult
    public func deleteMemory(id: String) async -> Bool {
        await store.delete(id: id)
    }

    /// The registered webhooks.
    public func webhooks() async -> [FakeWebhook] {
        await store.webhooks.values.sorted { $0.createdAt < $1.createdAt }
    }

    /// Changes how webhook events are delivered (drop, delay, duplicate, reorder).
    public func setWebhookDelivery(_ delivery: FakeWebhookDelivery) async {
        await store.updateSettings { $0.webhookDelivery = delivery }
    }

    /// Webhook deliveries made so far, oldest first: what was posted where, and how it ended.
    public func webhookDeliveries() async -> [FakeWebhookDeliveryRecord] {
        await deliverer.records()
    }

    /// The request log of Platform routes, oldest first.
    public func requestLog() async -> [FakeMem0RequestLogEntry] {
        await store.requestLog
    }

    /// How many logged requests went to `route`.
    public func requestCount(_ route: FakeMem0Route) async -> Int {
        await store.requestLog.count { $0.route == route }
    }

    /// Empties the request log.
    public func clearRequestLog() async {
        await store.clearRequestLog()
    }

    /// Back to the state right after start: no memories, events, faults or log; initial settings.
    public func reset() async {
        await store.reset()
    }
}
