@testable import BrainCore
import BrainSync
import BrainTestSupport
import FakeMem0
import Foundation
import Logging

/// A fresh in-memory database, an in-process fake-mem0, and a push worker between them, with
/// fast retry pacing so tests measure behaviour, not waiting.
struct PushFixture {
    let database: any BrainStore
    let fake: FakeMem0Server
    let worker: PushWorker
    let client: any Mem0Client
    let gate: Mem0Gate

    /// A reconciler sharing the worker's client and gate.
    func reconciler(policy: ReconcilePolicy = ReconcilePolicy()) -> Reconciler {
        var settings = ReconcileSettings()
        settings.policy = policy
        settings.interval = nil
        settings.concurrency = 4
        return Reconciler(database: database, client: client, gate: gate, settings: settings, pusher: worker.pusher, logger: Logger(label: "test"))
    }

    static let rut = "76.086.428-5"
    static let entity = "760864285"

    static func with<R>(
        concurrency: Int = 4, requestTimeout: Duration = .seconds(5), backoff: BackoffPolicy = BackoffPolicy(base: .milliseconds(20), cap: .milliseconds(200)),
        database: (any BrainStore)? = nil, api: FakeMem0API = .platform,
        _ body: (PushFixture) async throws -> R
    ) async throws -> R {
        var fakeSettings = FakeMem0Settings()
        fakeSettings.api = api
        let fake = FakeMem0Server(configuration: .init(settings: fakeSettings))
        try await fake.start()
        let mem0 = Mem0Settings(
            apiKey: FakeMem0Settings.defaultAPIKey, baseURL: fake.baseURL, requestTimeout: requestTimeout,
            eventPollInterval: .milliseconds(10), eventPollMaxAttempts: 50, eventPollMaxDuration: .seconds(5))
        let client: any Mem0Client = api == .oss ? Mem0OSSClient(settings: mem0) : Mem0HTTPClient(settings: mem0)
        var settings = PushSettings()
        settings.concurrency = concurrency
        settings.debounce = .milliseconds(1)
        settings.interval = .milliseconds(50)
        settings.backoff = backoff
        let database = if let database { database } else { try await TestStores.make().store }
        let gate = Mem0Gate(policy: backoff)
        let fixture = PushFixture(
            database: database, fake: fake,
            worker: PushWorker(database: database, client: client, settings: settings, gate: gate, logger: Logger(label: "test")),
            client: client, gate: gate)
        do {
            let result = try await body(fixture)
            await fake.stop()
            return result
        } catch {
            await fake.stop()
            throw error
        }
    }

    /// Saves memories for the fixture's company.
    @discardableResult
    func save(_ items: [(String, String)], brain: BrainKind = .company) async throws -> SaveBatchResult {
        try await database.save(
            brain, owner: try OwnerReference(Self.rut),
            memories: items.map { MemoryInput(slug: $0.0, category: "test", content: $0.1) })
    }

    /// The raw row (sync columns included) as text.
    func row(_ slug: String, brain: BrainKind = .company) async throws -> SQLRow? {
        try await TestStores.probe(database).row(brain.table, slug: slug)
    }

    func events(_ kind: EventKind) async throws -> Int {
        try await TestStores.probe(database).int("SELECT count(*) FROM events WHERE kind = ?", [kind.rawValue])
    }

    /// Runs the worker as a service while `body` runs, then stops it.
    func running<R: Sendable>(_ body: @escaping @Sendable () async throws -> R) async throws -> R {
        try await withThrowingTaskGroup(of: R?.self) { group in
            group.addTask { try await self.worker.run(); return nil }
            group.addTask { try await body() }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw CancellationError()
        }
    }

    /// Polls until `condition` holds or the deadline passes; returns whether it held.
    func eventually(within: Duration = .seconds(20), _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + within
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }

    func allSynced() async throws -> Bool {
        try await TestStores.probe(database).int("SELECT count(*) FROM company_brain WHERE sync_state != 'synced'") == 0
    }
}
