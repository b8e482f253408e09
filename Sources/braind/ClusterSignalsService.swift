import BrainCore
import BrainStorePostgres
import BrainSync
import Logging
import ServiceLifecycle

/// On PostgreSQL, what the daemons sharing the database tell each other: a row due for a push
/// wakes the push worker at once (whoever wrote it), a Mem0 pause one daemon's gate starts
/// pauses every daemon's gate, and a load job started anywhere wakes the load worker.
struct ClusterSignalsService: Service {
    let store: PostgresStore
    /// The push worker and its gate; nil when braind runs without Mem0.
    let sync: (any SyncControl)?
    let gate: Mem0Gate?
    let loadWorker: LoadWorker

    func run() async throws {
        let (store, sync, gate, loadWorker) = (store, sync, gate, loadWorker)
        gate?.onPause { delay in Task { await store.announcePause(delay) } }
        await cancelWhenGracefulShutdown {
            await store.listen(ClusterSignals(
                wake: { sync?.localChangesCommitted() }, pause: { gate?.pause(for: $0) }, load: { loadWorker.wake() }))
        }
    }
}
