import BrainCore
import Logging
import ServiceLifecycle

/// On a shared database, this daemon's part of every load job (`SharedLoad`): woken when a job
/// starts anywhere (the `braind_load` notification), and on a timer for chunks whose daemon
/// died and whose lease ran out, which nobody announces.
public final class LoadWorker: Service, Sendable {
    private let load: SharedLoad
    private let interval: Duration
    private let logger: Logger
    private let wakeSignal = WakeSignal()

    /// - Parameter interval: how often to look for chunks without being woken (a third of the lease).
    public init(load: SharedLoad, interval: Duration, logger: Logger) {
        self.load = load
        self.interval = interval
        self.logger = logger
    }

    /// There may be chunks to load.
    public func wake() {
        wakeSignal.signal()
    }

    public func run() async throws {
        let stop = StopSignal()
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !stop.isRequested {
                do {
                    let chunks = try await load.drain(stop: stop)
                    if chunks > 0 { logger.debug("loaded chunks of a shared load", metadata: ["braind.load.chunks": "\(chunks)"]) }
                } catch is BulkWorkStopped {
                    return
                } catch {
                    // The chunk went back (or its lease runs out); the next wake or tick retries.
                    logger.warning("a shared load chunk failed here", metadata: ["braind.error": "\(error)"])
                }
                await wakeSignal.wait(timeout: interval)
            }
        } onGracefulShutdown: { [wakeSignal] in
            stop.request()
            wakeSignal.signal()
        }
    }
}
