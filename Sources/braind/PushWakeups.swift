import BrainCore
import BrainStorePostgres
import Logging
import ServiceLifecycle

/// On PostgreSQL: wakes the push worker as soon as any writer (this daemon, another daemon, or
/// another program) leaves a row due for a push, instead of at the next sync interval.
struct PushWakeups: Service {
    let store: PostgresStore
    let sync: any SyncControl

    func run() async throws {
        let sync = sync
        await cancelWhenGracefulShutdown {
            await store.listenForPushes { sync.localChangesCommitted() }
        }
    }
}
