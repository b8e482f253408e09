import BrainCore
import Foundation
import Hummingbird
import Metrics
import Prometheus

/// `GET /metrics`: Prometheus text. Counters and histograms are recorded through swift-metrics as
/// things happen; gauges that describe the store (pending, failed, oldest pending age, database
/// and WAL size) are read at scrape time, so they are never stale.
struct MetricsController<Context: BrainContext> {
    let database: any StatusStore
    let registry: PrometheusCollectorRegistry

    /// The gauges read from the database: on a database several daemons share, every daemon
    /// reports the same values, so they carry no `daemon` label (`DaemonMetricsFactory`).
    static var databaseWide: Set<String> {
        ["braind_rows_pending", "braind_rows_failed", "braind_rows_live", "braind_oldest_pending_seconds",
         "braind_database_bytes", "braind_wal_bytes", "braind_daemons_live"]
    }

    func addRoutes(to router: Router<Context>) {
        router.get("metrics", use: scrape)
    }

    @Sendable func scrape(_ request: Request, context: Context) async throws -> Response {
        try Authorization.requireFull(context.principal)
        for brain in BrainKind.allCases {
            let counts = try await database.counts(brain)
            let dimensions = [("brain", brain.rawValue)]
            Gauge(label: "braind_rows_pending", dimensions: dimensions).record(counts.pending + counts.inFlight)
            Gauge(label: "braind_rows_failed", dimensions: dimensions).record(counts.failed)
            Gauge(label: "braind_rows_live", dimensions: dimensions).record(counts.live)
            let age = counts.oldestPendingSince.flatMap(Timestamp.date(from:)).map { Date().timeIntervalSince($0) } ?? 0
            Gauge(label: "braind_oldest_pending_seconds", dimensions: dimensions).record(age)
        }
        for (part, bytes) in try await database.storageBytes() {
            Gauge(label: "braind_\(part)_bytes").record(bytes)
        }
        if let daemons = try await database.liveDaemons() {
            Gauge(label: "braind_daemons_live").record(daemons.count)
        }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: registry.emitToString())))
    }
}

/// Counters the API records.
enum APIMetrics {
    /// One count per saved item, by outcome (`created`, `updated`, `unchanged`, `failed`).
    static func recordSave(_ result: SaveBatchResult, brain: BrainKind) {
        var byStatus: [SaveStatus: Int] = [:]
        for item in result.items { byStatus[item.status, default: 0] += 1 }
        for (status, count) in byStatus {
            Counter(label: "braind_saves_total", dimensions: [("brain", brain.rawValue), ("outcome", status.rawValue)]).increment(by: count)
        }
    }
}
