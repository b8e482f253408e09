import BrainStorePostgres
import Foundation
import Logging
import ServiceLifecycle

/// On a shared PostgreSQL database: renews this daemon's push leases and its row in
/// `braind_daemons` every third of the lease, so the other daemons leave its rows alone while it
/// lives and take them over soon after it dies.
struct ClusterHeartbeat: Service {
    let store: PostgresStore
    let logger: Logger

    func run() async throws {
        let interval = store.leaseDuration / 3
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await store.heartbeat()
                } catch {
                    // The next beat retries; leases last three beats.
                    logger.warning("cannot renew this daemon's push leases", metadata: ["braind.error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
