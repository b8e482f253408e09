import BrainCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Pushes local changes to Mem0: a ServiceLifecycle service woken by local writes (debounced)
/// and by a timer, with bounded concurrency. Every outcome is recorded on the row, so a crash at
/// any point leaves a state the next start can finish from.
public final class PushWorker: Service, SyncControl {
    let database: BrainDatabase
    let client: any Mem0Client
    let settings: PushSettings
    let gate: Mem0Gate
    let logger: Logger
    let wake = WakeSignal()
    let health = Mutex(Health())

    /// What status reports about Mem0.
    struct Health {
        var state = "starting"
        var lastPushAt: String?
        var lastError: String?
    }

    /// - Parameters:
    ///   - gate: shared with the reconciler so that one 429 slows both.
    public init(
        database: BrainDatabase, client: any Mem0Client, settings: PushSettings = PushSettings(),
        gate: Mem0Gate? = nil, logger: Logger = Logger(label: "braind.push")
    ) {
        self.database = database
        self.client = client
        self.settings = settings
        self.gate = gate ?? Mem0Gate(policy: settings.backoff)
        self.logger = logger
    }

    // MARK: - SyncControl

    public func localChangesCommitted() { wake.signal() }

    public func syncStatus() async -> SyncStatus {
        health.withLock { SyncStatus(state: $0.state, lastPushAt: $0.lastPushAt, lastError: $0.lastError) }
    }

    // MARK: - Service

    public func run() async throws {
        let recovered = try await database.recoverInFlightPushes()
        if recovered > 0 {
            logger.notice("rows left in flight by the last run go back to pending", metadata: ["braind.push.recovered": "\(recovered)"])
        }
        // Cancelling on shutdown is safe: a call cut short leaves its row in flight, and the next
        // start treats it as an add of unknown outcome.
        await cancelWhenGracefulShutdown {
            await self.checkConnection()
            var tick = 0
            while !Task.isCancelled {
                tick += 1
                var tickLogger = self.logger
                tickLogger[metadataKey: "braind.push.tick"] = "\(tick)"
                let pushed = await self.pushPending(logger: tickLogger)
                if pushed > 0 { tickLogger.debug("push pass done", metadata: ["braind.push.rows": "\(pushed)"]) }
                await self.wake.wait(timeout: await self.sleepTime())
                guard !Task.isCancelled else { break }
                try? await Task.sleep(for: self.settings.debounce)
            }
        }
    }

    /// How long to sleep when nothing wakes the worker: until the next row falls due, at most the
    /// interval, and at least the shared gate's pause.
    private func sleepTime() async -> Duration {
        // Paused on a refused key: wake when the gate's backoff allows the next ping.
        if isPaused { return min(settings.interval, max(gate.remainingPause, .milliseconds(1))) }
        var sleep = settings.interval
        if let due = try? await database.nextPushDue() {
            sleep = min(sleep, .seconds(max(0, due.timeIntervalSinceNow)))
        }
        return max(sleep, gate.remainingPause, .milliseconds(1))
    }

    // MARK: - One pass

    /// Pushes every row that is due now, `settings.concurrency` calls at a time, and returns how
    /// many rows it handled. Tests call this directly instead of running the service.
    @discardableResult
    public func pushPending(logger: Logger? = nil) async -> Int {
        let logger = logger ?? self.logger
        guard await ensureAuthorized() else { return 0 }
        var handled = 0
        // Outcomes are recorded a few at a time: one commit (one fsync) covers several rows, so
        // the database does not cap the push rate at high concurrency.
        let flushSize = max(1, settings.concurrency / 2)
        await withTaskGroup(of: (PushTask, PushOutcome).self) { group in
            var queue: [PushTask] = []
            var finished: [(PushTask, PushOutcome)] = []
            var inFlight = 0
            var exhausted = false
            func flush() async {
                do {
                    try await database.completePushes(finished)
                } catch is CancellationError {
                    // Shutting down: the rows stay in flight and the next start looks them up.
                    logger.notice("push outcomes left to the next start", metadata: ["braind.push.rows": "\(finished.count)"])
                } catch {
                    logger.error("cannot record push outcomes", metadata: ["braind.error": "\(error)"])
                }
                finished.removeAll(keepingCapacity: true)
            }
            while true {
                while inFlight < settings.concurrency, !Task.isCancelled, !isPaused {
                    if queue.isEmpty, !exhausted {
                        do {
                            queue = try await database.claimPushTasks(limit: settings.concurrency * 4)
                        } catch {
                            logger.error("cannot claim rows to push", metadata: ["braind.error": "\(error)"])
                            queue = []
                        }
                        exhausted = queue.isEmpty
                    }
                    guard !queue.isEmpty else { break }
                    let task = queue.removeFirst()
                    inFlight += 1
                    group.addTask { (task, await self.push(task, logger: logger)) }
                }
                guard inFlight > 0 else { break }
                guard let result = await group.next() else { break }
                finished.append(result)
                inFlight -= 1
                handled += 1
                if finished.count >= flushSize || inFlight == 0 { await flush() }
            }
            await flush()
            // Claimed but not started (paused or shutting down): hand them back.
            for task in queue { try? await database.completePush(task, outcome: .paused) }
        }
        return handled
    }

    private var isPaused: Bool { health.withLock { $0.state == "auth_failed" } }
}
