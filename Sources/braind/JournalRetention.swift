import BrainCore
import Foundation
import Logging
import ServiceLifecycle

/// Keeps the `events` journal bounded: prunes entries past the retention at start and then hourly.
struct JournalRetention: Service {
    let database: any StatusStore
    let retention: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let removed = try await database.pruneEvents(olderThan: Date().addingTimeInterval(-retention.seconds))
                    if removed > 0 { logger.info("events journal pruned", metadata: ["braind.events.removed": "\(removed)"]) }
                } catch {
                    logger.warning("cannot prune the events journal", metadata: ["braind.error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(3600))
            }
        }
    }
}
