import BrainCore
import BrainStorePostgres
import BrainSync
import Logging
import ServiceLifecycle

/// On PostgreSQL, what the daemons sharing the database tell each other: a row due for a push
/// wakes the push worker at once (whoever wrote it), and a Mem0 pause one daemon's gate starts
/// pauses every daemon's gate.
struct ClusterSignalsService: Service {
    let store: PostgresStore
    let sync: any SyncControl
    let gate: Mem0Gate

    func run() async throws {
        let (store, sync, gate) = (store, sync, gate)
        gate.onPause { delay in Task { await store.announcePause(delay) } }
        await cancelWhenGracefulShutdown {
            await store.listen(ClusterSignals(wake: { sync.localChangesCommitted() }, pause: { gate.pause(for: $0) }))
        }
    }
}
