import BrainCore
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Repairs drift between the brain tables and Mem0, on an interval and on demand, one run at a
/// time. Every run leaves a report in `reconcile_runs`.
public final class Reconciler: Service, ReconcileControl {
    let database: any ReconcileStore & PushQueueStore & MemoryStore
    let client: any Mem0Client
    let gate: Mem0Gate
    let settings: ReconcileSettings
    let logger: Logger
    /// Repairs that push a row go through the push path's exactly-once rules.
    let pusher: RowPusher
    private let wake = WakeSignal()
    private let state = Mutex(State())

    private struct State {
        /// The run in progress, with live counts.
        var current: ReconcileReport?
        /// A run asked for on demand, waiting for the service loop.
        var requested: ReconcileReport?
    }

    /// - Parameters:
    ///   - gate: the push worker's gate, so a 429 slows both.
    ///   - pusher: the push worker's, so repairs report to the same health; by default one of its own.
    public init(
        database: any ReconcileStore & PushQueueStore & MemoryStore, client: any Mem0Client, gate: Mem0Gate, settings: ReconcileSettings = ReconcileSettings(),
        pusher: RowPusher? = nil, logger: Logger = Logger(label: "braind.reconcile")
    ) {
        self.database = database
        self.client = client
        self.gate = gate
        self.settings = settings
        self.pusher = pusher ?? RowPusher(client: client, gate: gate)
        self.logger = logger
    }

    // MARK: - ReconcileControl

    public func start(_ options: ReconcileOptions) async throws -> ReconcileReport {
        let report = ReconcileReport(
            runID: UUID().uuidString.lowercased(), options: options, policy: settings.policy, startedAt: Timestamp.now())
        let existing = state.withLock { state -> ReconcileReport? in
            if let running = state.current ?? state.requested { return running }
            state.requested = report
            return nil
        }
        if let existing { return existing }
        // Another daemon on the same database may be running one: answer with that run.
        let other: ReconcileReport?
        do {
            other = try await claimSlotOrOtherRun(report)
        } catch {
            state.withLock { $0.requested = nil }
            throw error
        }
        if let other {
            state.withLock { $0.requested = nil }
            return other
        }
        try await database.saveReconcileRun(report)
        wake.signal()
        return report
    }

    /// Takes the store's reconcile slot for `report`'s run; nil when taken, else the report of
    /// the run another daemon holds it for (as stored, or a placeholder if it is not stored yet).
    private func claimSlotOrOtherRun(_ report: ReconcileReport) async throws -> ReconcileReport? {
        guard let holder = try await database.claimReconcileSlot(runID: report.runID) else { return nil }
        logger.info("another daemon on this database is reconciling; not starting a second run", metadata: ["braind.reconcile.run": "\(holder)"])
        if let stored = try await database.reconcileRun(id: holder) { return stored }
        return ReconcileReport(runID: holder, options: report.options, policy: settings.policy, startedAt: report.startedAt)
    }

    public func current() async -> ReconcileReport? {
        state.withLock { $0.current ?? $0.requested }
    }

    // MARK: - Service

    public func run() async throws {
        try await database.markInterruptedRuns()
        await cancelWhenGracefulShutdown {
            var nextScheduled = self.settings.interval.map { ContinuousClock.now + $0 }
            while !Task.isCancelled {
                let sleep = nextScheduled.map { max(.zero, $0 - .now) } ?? .seconds(3600)
                await self.wake.wait(timeout: sleep)
                guard !Task.isCancelled else { break }
                let requested = self.state.withLock { state -> ReconcileReport? in
                    defer { state.requested = nil }
                    return state.requested
                }
                if let requested {
                    await self.execute(requested)
                } else if let scheduled = nextScheduled, scheduled <= .now {
                    // Once per interval for everyone sharing the database, not once per daemon.
                    let mine = (try? await self.database.claimScheduledReconcile(interval: self.settings.interval ?? .zero)) ?? false
                    if mine { _ = await self.runOnce(ReconcileOptions()) }
                    nextScheduled = self.settings.interval.map { ContinuousClock.now + $0 }
                }
            }
        }
    }

    /// Runs one reconcile to completion and returns its report. Tests call this directly.
    public func runOnce(_ options: ReconcileOptions) async -> ReconcileReport {
        let report = ReconcileReport(
            runID: UUID().uuidString.lowercased(), options: options, policy: settings.policy, startedAt: Timestamp.now())
        let claimed = state.withLock { state -> Bool in
            guard state.current == nil else { return false }
            state.current = report
            return true
        }
        guard claimed else { return state.withLock { $0.current! } }
        do {
            if let other = try await claimSlotOrOtherRun(report) {
                state.withLock { $0.current = nil }
                return other
            }
        } catch {
            state.withLock { $0.current = nil }
            var failed = report
            failed.status = "failed"
            failed.errors.append("run not started: \(error)")
            return failed
        }
        try? await database.saveReconcileRun(report)
        return await execute(report, claimed: true)
    }

    @discardableResult
    private func execute(_ initial: ReconcileReport, claimed: Bool = false) async -> ReconcileReport {
        if !claimed { state.withLock { $0.current = initial } }
        var logger = self.logger
        logger[metadataKey: "braind.reconcile.run"] = "\(initial.runID)"
        logger.info("reconcile run started", metadata: ["braind.reconcile.dry_run": "\(initial.options.dryRun)"])
        var report = initial
        do {
            if let recorded = pusher.health.withLock({ $0.state == "target_changed" ? $0.recordedTarget : nil }) {
                throw Mem0Error.invalidArgument(
                    "the configured Mem0 is not \(recorded), which braind's memory ids belong to: run `brain retarget` first")
            }
            try await scan(logger: logger)
            report = state.withLock { $0.current! }
            report.status = Self.status(of: report)
        } catch {
            report = state.withLock { $0.current! }
            report.status = Task.isCancelled ? "interrupted" : "failed"
            report.errors.append("run stopped: \(error)")
        }
        report.finishedAt = Timestamp.now()
        if let started = Timestamp.date(from: report.startedAt) {
            Timer(label: "braind_reconcile_duration_seconds", dimensions: [("status", report.status)])
                .recordSeconds(Date().timeIntervalSince(started))
        }
        Counter(label: "braind_reconcile_runs_total", dimensions: [("status", report.status)]).increment()
        for (kind, count) in report.drift {
            Counter(label: "braind_reconcile_drift_total", dimensions: [("class", kind), ("stage", "found")]).increment(by: count.found)
            Counter(label: "braind_reconcile_drift_total", dimensions: [("class", kind), ("stage", "repaired")]).increment(by: count.repaired)
        }
        do {
            try await database.saveReconcileRun(report)
        } catch {
            logger.error("cannot store the reconcile report", metadata: ["braind.error": "\(error)"])
        }
        state.withLock { $0.current = nil }
        do {
            try await database.releaseReconcileSlot(runID: report.runID)
        } catch {
            // The slot frees itself when this daemon's heartbeat stops; until then others wait.
            logger.warning("cannot free the reconcile slot", metadata: ["braind.error": "\(error)"])
        }
        logger.info(
            "reconcile run finished",
            metadata: [
                "braind.reconcile.status": "\(report.status)", "braind.reconcile.entities": "\(report.entitiesScanned)",
                "braind.reconcile.drift": "\(report.driftFound)", "braind.reconcile.writes": "\(report.writeCalls)",
            ])
        return report
    }

    /// A run that could not see Mem0 did not succeed: `failed` when no entity could be listed,
    /// `partial` when some could not.
    static func status(of report: ReconcileReport) -> String {
        guard report.listingFailures > 0 else { return "succeeded" }
        return report.listingFailures >= report.entitiesScanned ? "failed" : "partial"
    }

    /// Scans every entity in scope: at most `settings.concurrency` listings in flight, and as
    /// many entities being compared and repaired. A listing slot is free again as soon as Mem0
    /// has answered, so the comparison of one entity overlaps the listing of the next.
    ///
    /// Mem0's own entity list is fetched while the local entities are being scanned; the entities
    /// only Mem0 knows are scanned after them.
    private func scan(logger: Logger) async throws {
        guard let options = state.withLock({ $0.current?.options }) else { return }
        let brains = options.brain.map { [$0] } ?? BrainKind.allCases
        var entities = try await localEntitiesInScope(options).map { ($0, brains) }
        var known = Set(entities.map(\.0))
        state.withLock { $0.current?.entitiesTotal = entities.count }
        let limit = max(1, settings.concurrency)
        try await withThrowingTaskGroup(of: ScanStep.self) { group in
            var next = 0
            var listed: [EntityListing] = []
            var listing = 0
            var comparing = 0
            var awaitingRemoteEntities = options.entity == nil
            if awaitingRemoteEntities { group.addTask { .remoteEntities(await self.remoteEntities()) } }
            while true {
                while comparing < limit, !listed.isEmpty {
                    let next = listed.removeFirst()
                    comparing += 1
                    group.addTask { .compared(await self.reconcile(next, options: options, policy: self.settings.policy)) }
                }
                // Listing waits while compared entities pile up (repairs are slow), so a run with
                // a lot of drift does not list far ahead of what it repairs.
                while listing < limit, listed.count < limit, next < entities.count {
                    let (rut, brains) = entities[next]
                    next += 1
                    listing += 1
                    group.addTask { .listed(await self.list(entity: rut, brains: brains)) }
                }
                guard listing + comparing > 0 || awaitingRemoteEntities, let step = try await group.next() else { break }
                switch step {
                case .remoteEntities(let ruts):
                    awaitingRemoteEntities = false
                    for rut in ruts.sorted() where known.insert(rut).inserted { entities.append((rut, brains)) }
                    state.withLock { $0.current?.entitiesTotal = entities.count }
                case .listed(let entity):
                    listing -= 1
                    listed.append(entity)
                case .compared(let tally):
                    comparing -= 1
                    state.withLock { state in if state.current != nil { tally.merge(into: &state.current!) } }
                }
                try Task.checkCancellation()
            }
        }
    }

    /// What one child of a scan produced.
    private enum ScanStep: Sendable {
        case remoteEntities(Set<String>)
        case listed(EntityListing)
        case compared(EntityTally)
    }

    /// Entities with local owners in the brains in scope, or the one entity asked for.
    private func localEntitiesInScope(_ options: ReconcileOptions) async throws -> [String] {
        if let entity = options.entity { return [entity] }
        // Both brains of every entity are compared even when only one has an owner row: the
        // listing is paid for anyway, and it is how orphans of the other brain are found.
        return Set(try await database.reconcileEntities(brain: options.brain).map(\.rut)).sorted()
    }

    /// Entities Mem0 holds under a normalized RUT, the only ids braind writes: an entity with no
    /// local owner can still hold our memories (a lost database, another braind), and they are
    /// orphans. If the listing fails the run goes on with the local entities and says so.
    private func remoteEntities() async -> Set<String> {
        do {
            try await gate.wait()
            let entities = try await client.entities()
            gate.recordSuccess()
            state.withLock { $0.current?.apiCalls["entities", default: 0] += 1 }
            return Set(entities.compactMap { entity in
                guard entity.type == "user", let rut = try? RUT(entity.name, verifyCheckDigit: false) else { return nil }
                return rut.normalized == entity.name ? entity.name : nil
            })
        } catch {
            gate.recordFailure(of: error)
            state.withLock {
                $0.current?.apiCalls["entities", default: 0] += 1
                $0.current?.errors.append("listing Mem0's entities failed, so only entities with local rows were scanned: \(error)")
            }
            return []
        }
    }
}
