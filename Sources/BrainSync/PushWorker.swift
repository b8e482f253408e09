import BrainCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Pushes local changes to Mem0: a ServiceLifecycle service woken by local writes (debounced)
/// and by a timer, with bounded concurrency. Every outcome is recorded on the row, so a crash at
/// any point leaves a state the next start can finish from.
public final class PushWorker: Service, SyncControl {
    let database: any PushQueueStore & StatusStore
    let client: any Mem0Client
    let settings: PushSettings
    let gate: Mem0Gate
    let logger: Logger
    let wake = WakeSignal()
    /// The exactly-once row push, shared with the reconciler's repairs.
    public let pusher: RowPusher
    var health: PushHealth { pusher.health }

    /// - Parameters:
    ///   - gate: shared with the reconciler so that one 429 slows both.
    public init(
        database: any PushQueueStore & StatusStore, client: any Mem0Client, settings: PushSettings = PushSettings(),
        gate: Mem0Gate? = nil, logger: Logger = Logger(label: "braind.push")
    ) {
        self.database = database
        self.client = client
        self.settings = settings
        let gate = gate ?? Mem0Gate(policy: settings.backoff)
        self.gate = gate
        self.logger = logger
        self.pusher = RowPusher(client: client, gate: gate, backoff: settings.backoff)
    }

    // MARK: - SyncControl

    public func localChangesCommitted() { wake.signal() }

    public func syncStatus() async -> SyncStatus {
        let pause = gate.remainingPause
        let pausedUntil = pause > .zero ? Timestamp.string(from: Date().addingTimeInterval(pause.seconds)) : nil
        return health.withLock {
            var status = SyncStatus(state: $0.state, lastPushAt: $0.lastPushAt, lastError: $0.lastError, pausedUntil: pausedUntil)
            status.target = $0.target?.description
            status.recordedTarget = $0.recordedTarget?.description
            return status
        }
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
        // Paused on a change of target: only `brain retarget` (which wakes the worker) resumes it.
        if health.withLock({ $0.state == "target_changed" }) { return settings.interval }
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
    ///
    /// Three things overlap so that no slot waits on the database: the calls themselves, the
    /// claim of the next rows (started while the queue still holds a round of work), and the
    /// recording of outcomes (``PushOutcomeRecorder``, one commit for all that finished meanwhile).
    @discardableResult
    public func pushPending(logger: Logger? = nil) async -> Int {
        let logger = logger ?? self.logger
        guard await ensureAuthorized(), await ensureTarget() else { return 0 }
        let recorder = PushOutcomeRecorder()
        async let recording: Void = recorder.run { batch in await self.record(batch, logger: logger) }
        let handled = await withTaskGroup(of: PushStep.self) { group in
            var queue: [PushTask] = []
            var inFlight = 0
            var claiming = false
            var exhausted = false
            var handled = 0
            while true {
                let dispatching = !Task.isCancelled && !isPaused
                if dispatching, !claiming, !exhausted, queue.count < settings.concurrency {
                    claiming = true
                    let limit = settings.concurrency * 4
                    group.addTask {
                        do {
                            return .claimed(.success(try await self.database.claimPushTasks(limit: limit)))
                        } catch {
                            return .claimed(.failure(error))
                        }
                    }
                }
                while dispatching, inFlight < settings.concurrency, !queue.isEmpty {
                    let task = queue.removeFirst()
                    inFlight += 1
                    group.addTask { .pushed(task, await self.pusher.push(task, logger: logger)) }
                }
                guard inFlight > 0 || claiming, let step = await group.next() else { break }
                switch step {
                case .pushed(let task, let outcome):
                    inFlight -= 1
                    handled += 1
                    recorder.record(task, outcome)
                case .claimed(.success(let tasks)):
                    claiming = false
                    queue += tasks
                    exhausted = tasks.isEmpty
                case .claimed(.failure(let error)):
                    claiming = false
                    exhausted = true
                    // A claim cut short by shutdown is no error; the rows wait for the next start.
                    if !(error is CancellationError) {
                        logger.error("cannot claim rows to push", metadata: ["braind.error": "\(error)"])
                    }
                }
            }
            // Claimed but not started (paused or shutting down): hand them back.
            for task in queue { recorder.record(task, .paused) }
            return handled
        }
        recorder.finish()
        await recording
        return handled
    }

    /// What one child of a push pass produced.
    private enum PushStep: Sendable {
        case pushed(PushTask, PushOutcome)
        case claimed(Result<[PushTask], any Error>)
    }

    /// Writes a batch of outcomes in one transaction. The outcomes are facts about what Mem0 now
    /// holds: a store that fails for a while (PostgreSQL restarting, a full disk) is tried again
    /// until it takes them, or the rows would stay in flight, unpushed, until the next start.
    private func record(_ batch: [PushOutcomeRecorder.Outcome], logger: Logger) async {
        var delay: Duration = .milliseconds(50)
        var logged = false
        while true {
            do {
                try await database.completePushes(batch.map { ($0.task, $0.outcome) })
                if logged { logger.notice("push outcomes recorded after a storage failure", metadata: ["braind.push.rows": "\(batch.count)"]) }
                return
            } catch is CancellationError {
                // Shutting down: the rows stay in flight and the next start looks them up.
                logger.notice("push outcomes left to the next start", metadata: ["braind.push.rows": "\(batch.count)"])
                return
            } catch {
                if !logged {
                    logger.error("cannot record push outcomes; retrying", metadata: ["braind.error": "\(error)", "braind.push.rows": "\(batch.count)"])
                    logged = true
                }
            }
            do { try await Task.sleep(for: delay) } catch {
                logger.notice("push outcomes left to the next start", metadata: ["braind.push.rows": "\(batch.count)"])
                return
            }
            delay = min(delay * 2, .seconds(5))
        }
    }

    private var isPaused: Bool { health.withLock { $0.state == "auth_failed" || $0.state == "target_changed" } }
}
