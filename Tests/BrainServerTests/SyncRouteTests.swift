import BrainCore
import BrainServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

struct SyncRouteTests {
    private struct FailedPage: Decodable { var memories: [Memory] }
    private struct Retried: Decodable { var retried: Int }

    @Test("GET /v1/failed lists refused rows; POST /v1/retry queues them again and wakes the worker")
    func failedAndRetry() async throws {
        try await withTestApp { client, database, sync in
            _ = try await client.execute(uri: "/v1/companies/12.345.678-5/memories", method: .post, body: jsonBody(taxRegimeBody))
            let tasks = try await database.claimPushTasks(limit: 10)
            #expect(tasks.count == 1)
            try await database.completePush(tasks[0], outcome: .failed(error: "Mem0 said no"))

            let failed = try await client.execute(uri: "/v1/failed", method: .get).json(FailedPage.self)
            #expect(failed.memories.map(\.slug) == ["company_tax_regime"])
            #expect(failed.memories.first?.lastError == "Mem0 said no")
            #expect(try await client.execute(uri: "/v1/failed?brain=user", method: .get).json(FailedPage.self).memories.isEmpty)

            let kicksBefore = sync.kickCount
            let retried = try await client.execute(uri: "/v1/retry", method: .post).json(Retried.self)
            #expect(retried.retried == 1)
            #expect(sync.kickCount == kicksBefore + 1)
            #expect(try await client.execute(uri: "/v1/failed", method: .get).json(FailedPage.self).memories.isEmpty)
            #expect(try await database.counts(.company).pending == 1)
        }
    }

    @Test("Bad brain or limit on the sync routes is a 422", arguments: ["/v1/failed?brain=team", "/v1/failed?limit=0", "/v1/retry?brain=x"])
    func badQuery(uri: String) async throws {
        try await withTestApp { client, _, _ in
            let method: HTTPRequest.Method = uri.hasPrefix("/v1/retry") ? .post : .get
            try await client.execute(uri: uri, method: method).expectError(.unprocessableContent, code: "validation_failed")
        }
    }
}
