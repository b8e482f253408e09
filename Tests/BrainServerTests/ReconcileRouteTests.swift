import BrainCore
import BrainTestSupport
import BrainServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// Records the options it is started with and answers a running report.
final class RecordingReconciler: ReconcileControl {
    let started = Mutex<[ReconcileOptions]>([])
    func start(_ options: ReconcileOptions) async throws -> ReconcileReport {
        started.withLock { $0.append(options) }
        return ReconcileReport(runID: "7f0c9a52-3b1e-4d7a-9c55-2f6e1b8d4a10", options: options, policy: ReconcilePolicy(), startedAt: Timestamp.now())
    }
    func current() async -> ReconcileReport? { nil }
}

struct ReconcileRouteTests {
    @Test("Without a Mem0 key, starting a run is a 409 and there is no last run")
    func offline() async throws {
        try await withTestApp { client, _, _ in
            try await client.execute(uri: "/v1/reconcile", method: .post).expectError(.conflict, code: "mem0_not_configured")
            try await client.execute(uri: "/v1/reconcile/runs/last", method: .get).expectError(.notFound, code: "run_not_found")
            try await client.execute(uri: "/v1/reconcile/runs/nope", method: .get).expectError(.notFound, code: "run_not_found")
            let runs = try await client.execute(uri: "/v1/reconcile/runs", method: .get)
            #expect(runs.status == .ok)
            #expect(try runs.json(ReconcileRuns.self).runs.isEmpty)
        }
    }

    @Test("POST /v1/reconcile passes normalized options and answers 202 with the run; stored runs are served")
    func startAndRead() async throws {
        let reconciler = RecordingReconciler()
        let database = try await TestStores.make().store
        let app = Application(router: buildRouter(database: database, sync: OfflineSync(), reconciler: reconciler, settings: APISettings()))
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/reconcile", method: .post, body: jsonBody(#"{"entity":"12.345.678-5","brain":"users","dry_run":true}"#))
            #expect(response.status == .accepted)
            #expect(try response.json(ReconcileReport.self).runID == "7f0c9a52-3b1e-4d7a-9c55-2f6e1b8d4a10")
            #expect(reconciler.started.withLock { $0 } == [ReconcileOptions(entity: "123456785", brain: .user, dryRun: true)])
            let empty = try await client.execute(uri: "/v1/reconcile", method: .post)
            #expect(empty.status == .accepted, "an empty body means every entity")

            try await client.execute(uri: "/v1/reconcile", method: .post, body: jsonBody(#"{"entity":"12.345.678-K"}"#))
                .expectError(.unprocessableContent, code: "validation_failed")
            try await client.execute(uri: "/v1/reconcile", method: .post, body: jsonBody(#"{"brain":"teams"}"#))
                .expectError(.unprocessableContent, code: "validation_failed")
            try await client.execute(uri: "/v1/reconcile", method: .post, body: jsonBody("{nope"))
                .expectError(.badRequest, code: "malformed_json")

            var report = ReconcileReport(runID: "3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", options: ReconcileOptions(), policy: ReconcilePolicy(), startedAt: Timestamp.now())
            report.status = "succeeded"
            try await database.saveReconcileRun(report)
            #expect(try await client.execute(uri: "/v1/reconcile/runs/last", method: .get).json(ReconcileReport.self) == report)
            #expect(try await client.execute(uri: "/v1/reconcile/runs/3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", method: .get).json(ReconcileReport.self) == report)
            #expect(try await client.execute(uri: "/v1/status", method: .get).json(StatusReport.self).lastReconcile == report)
        }
    }
}
