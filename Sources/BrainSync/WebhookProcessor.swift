import BrainCore
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Turns Mem0's webhook deliveries into targeted repairs. A delivery is a hint: it names a memory,
/// and braind works out from its own rows (and, for a memory it does not know, one read of Mem0)
/// whether the change is drift; drift is repaired by reconciling that one entity, which reads Mem0
/// again before it changes anything. Deliveries caused by braind's own pushes are recognised and
/// cost nothing. Bursts coalesce per entity; past the queue's limit braind runs a full reconcile.
public final class WebhookProcessor: Service, WebhookSink {
    let database: any ReconcileStore & PushQueueStore
    let client: any Mem0Client
    let gate: Mem0Gate
    let reconciler: Reconciler
    let queueLimit: Int
    let logger: Logger
    private let wake = WakeSignal()
    private let state = Mutex(State())

    private struct State {
        var queue: [Delivery] = []
        var overflowed = false
    }

    private struct Delivery {
        var event: Mem0WebhookEvent
        var receivedAt: ContinuousClock.Instant
    }

    /// What a delivery came to.
    enum Verdict: Equatable {
        /// Drift in this entity: reconcile it.
        case repair(entity: String)
        /// Nothing to do; the label says why (`own`, `foreign`, `gone`, `unhandled`).
        case ignore(String)
    }

    public init(
        database: any ReconcileStore & PushQueueStore, client: any Mem0Client, gate: Mem0Gate, reconciler: Reconciler, queueLimit: Int = 10_000,
        logger: Logger = Logger(label: "braind.webhooks")
    ) {
        self.database = database
        self.client = client
        self.gate = gate
        self.reconciler = reconciler
        self.queueLimit = max(1, queueLimit)
        self.logger = logger
    }

    public func accept(_ event: Mem0WebhookEvent) -> Bool {
        let accepted = state.withLock { state -> Bool in
            guard state.queue.count < queueLimit else {
                state.overflowed = true
                return false
            }
            state.queue.append(Delivery(event: event, receivedAt: .now))
            return true
        }
        wake.signal()
        return accepted
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.wake.wait(timeout: .seconds(3600))
                guard !Task.isCancelled else { break }
                await self.drain()
            }
        }
    }

    /// Handles everything queued: each delivery is judged, the entities with drift are reconciled
    /// once each however many deliveries named them, and an overflow starts a full reconcile.
    func drain() async {
        let (deliveries, overflowed) = state.withLock { state in
            defer {
                state.queue.removeAll()
                state.overflowed = false
            }
            return (state.queue, state.overflowed)
        }
        if overflowed {
            logger.warning("webhook queue full; a full reconcile covers what was dropped", metadata: ["braind.webhooks.limit": "\(queueLimit)"])
            _ = try? await reconciler.start(ReconcileOptions())
        }
        var entities: [String: ContinuousClock.Instant] = [:]
        var order: [String] = []
        for delivery in deliveries {
            let verdict = await judge(delivery.event)
            switch verdict {
            case .repair(let entity):
                if entities[entity] == nil { order.append(entity) }
                entities[entity] = min(entities[entity] ?? delivery.receivedAt, delivery.receivedAt)
                count(delivery.event, "queued_repair")
            case .ignore(let reason):
                count(delivery.event, "ignored_\(reason)")
            }
        }
        for entity in order {
            let tally = await reconciler.repairEntity(entity)
            let repaired = tally.drift.values.reduce(0) { $0 + $1.repaired }
            if let since = entities[entity] {
                Timer(label: "braind_webhook_repair_seconds").recordSeconds((ContinuousClock.now - since).seconds)
            }
            Counter(label: "braind_webhook_repairs_total", dimensions: [("result", tally.errors.isEmpty ? "ok" : "error")]).increment()
            if repaired > 0 || !tally.errors.isEmpty {
                logger.info(
                    "webhook repair", metadata: ["braind.entity": "\(entity)", "braind.repaired": "\(repaired)", "braind.errors": "\(tally.errors.count)"])
            }
        }
    }

    /// Decides what one delivery means, from the rows and at most one read of Mem0.
    func judge(_ event: Mem0WebhookEvent) async -> Verdict {
        guard let memoryID = event.memoryID, !memoryID.isEmpty else { return .ignore("unhandled") }
        switch event.kind {
        case .add, .update, .delete: break
        case .categorize, .other: return .ignore("unhandled")
        }
        do {
            if let row = try await database.reconcileRow(memoryID: memoryID) {
                if row.task.deleted { return .ignore("own") }  // braind is deleting it
                if event.kind != .delete, event.text == row.task.content { return .ignore("own") }
                return .repair(entity: row.task.entityID)
            }
            // No row points at it: a delete of something not ours (or already purged) needs nothing.
            guard event.kind != .delete else { return .ignore("gone") }
            try await gate.wait()
            let memory: Mem0Memory
            do {
                memory = try await client.get(id: memoryID)
                gate.recordSuccess()
            } catch let error as Mem0Error where error.failureClass == .notFound {
                return .ignore("gone")
            }
            guard let brain = memory.metadata["brain"]?.stringValue.flatMap(BrainKind.init(rawValue:)),
                let entity = memory.userID, (try? RUT(entity, verifyCheckDigit: false))?.normalized == entity
            else { return .ignore("foreign") }
            if let recordID = memory.metadata["record_id"]?.stringValue,
                let row = try await database.reconcileRow(recordID: recordID, brain: brain),
                row.task.memoryID == nil || row.task.memoryID == memoryID || row.syncState != .synced
            {
                return .ignore("own")  // an add of braind's whose outcome is being recorded
            }
            return .repair(entity: entity)
        } catch {
            gate.recordFailure(of: error)
            // Unsure what it was: reconcile the entity if the rows name one, else leave it to the next run.
            logger.debug("webhook delivery could not be judged", metadata: ["braind.error": "\(error)"])
            return .ignore("unjudged")
        }
    }

    private func count(_ event: Mem0WebhookEvent, _ outcome: String) {
        Counter(label: "braind_webhook_deliveries_total", dimensions: [("event", event.kind.label), ("outcome", outcome)]).increment()
    }
}
