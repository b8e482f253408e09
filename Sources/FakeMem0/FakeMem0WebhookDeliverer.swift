import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// One webhook delivery the fake made (or dropped).
public struct FakeWebhookDeliveryRecord: Sendable, Hashable {
    public var webhookID: String
    public var event: FakeWebhookEvent
    /// `delivered`, `dropped`, or `failed: REASON`.
    public var outcome: String
    /// The receiver's status, when it answered.
    public var status: Int?
}

/// Posts every memory change to the webhooks whose event types include it, with the delivery
/// faults of the current settings. Mem0 documents no retries, and neither does the fake.
actor FakeMem0WebhookDeliverer {
    private let store: FakeMem0Store
    private let logger: Logger
    private var log: [FakeWebhookDeliveryRecord] = []

    init(store: FakeMem0Store, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    func records() -> [FakeWebhookDeliveryRecord] { log }

    private var buffer: [FakeWebhookEvent] = []
    private var ended = false
    private var waiter: CheckedContinuation<Void, Never>?

    /// Delivers until the store's change stream ends or the task is cancelled. One task moves
    /// changes into the buffer in order; this one delivers what the buffer holds.
    func run() async {
        let pump = Task { [store] in
            for await event in store.changes { self.enqueue(event) }
            self.end()
        }
        defer { pump.cancel() }
        while !Task.isCancelled {
            if buffer.isEmpty {
                guard !ended else { return }
                await withTaskCancellationHandler {
                    await withCheckedContinuation { waiter = $0 }
                } onCancel: {
                    Task { await self.end() }
                }
                continue
            }
            let settings = await store.settings.webhookDelivery
            var batch: [FakeWebhookEvent]
            if let window = settings.reorderWindow {
                // What arrives within the window goes out newest first.
                try? await Task.sleep(for: window)
                batch = buffer.reversed()
            } else {
                batch = buffer
            }
            buffer.removeAll()
            for event in batch { await deliver(event, settings: settings) }
        }
    }

    private func enqueue(_ event: FakeWebhookEvent) {
        buffer.append(event)
        waiter?.resume()
        waiter = nil
    }

    private func end() {
        ended = true
        waiter?.resume()
        waiter = nil
    }

    private func deliver(_ event: FakeWebhookEvent, settings: FakeWebhookDelivery) async {
        let targets = await store.webhooks.values.filter { $0.isActive && $0.eventTypes.contains(event.kind.eventType) }
        for webhook in targets.sorted(by: { $0.createdAt < $1.createdAt }) {
            if await store.draw() < settings.dropRate {
                log.append(FakeWebhookDeliveryRecord(webhookID: webhook.id, event: event, outcome: "dropped"))
                continue
            }
            if settings.delay > .zero { try? await Task.sleep(for: settings.delay) }
            let copies = await store.draw() < settings.duplicateRate ? 2 : 1
            for _ in 0..<copies { await post(event, to: webhook) }
        }
    }

    private func post(_ event: FakeWebhookEvent, to webhook: FakeWebhook) async {
        var request = HTTPClientRequest(url: webhook.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: event.payload.serialized()))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 1 << 20)
            let status = Int(response.status.code)
            log.append(FakeWebhookDeliveryRecord(
                webhookID: webhook.id, event: event, outcome: (200..<300).contains(status) ? "delivered" : "failed: HTTP \(status)",
                status: status))
        } catch {
            logger.debug("webhook delivery failed", metadata: ["fake-mem0.webhook": "\(webhook.id)", "fake-mem0.error": "\(error)"])
            log.append(FakeWebhookDeliveryRecord(webhookID: webhook.id, event: event, outcome: "failed: \(error)"))
        }
    }
}
