import BrainCore
import BrainServer
import BrainTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

struct SystemRouteTests {
    @Test("GET /v1/ping answers with the API version in the body and a header")
    func ping() async throws {
        try await withTestApp { client, _, _ in
            let response = try await client.execute(uri: "/v1/ping", method: .get)
            #expect(response.status == .ok)
            #expect(try response.json(PingReply.self) == PingReply(ok: true, apiVersion: "1", version: BrainVersion.daemon))
            #expect(response.headers[APISettings.versionHeader] == "1")
        }
    }

    @Test("GET /v1/status counts records by brain and sync state")
    func status() async throws {
        try await withTestApp { client, _, _ in
            _ = try await client.execute(uri: "/v1/companies/12.345.678-5/memories", method: .post, body: jsonBody(taxRegimeBody))
            let response = try await client.execute(uri: "/v1/status", method: .get)
            #expect(response.status == .ok)
            let status = try response.json(StatusReport.self)
            #expect(status.brains["company"]?.live == 1)
            #expect(status.brains["company"]?.pending == 1)
            #expect(status.brains["user"]?.live == 0)
            #expect(status.mem0 == .init(configured: false, sync: .offline))
            #expect(status.store?.kind == TestStoreKind.current.rawValue)
            #expect(status.database == status.store?.location)
            #expect(status.socket == "/test.sock")
            #expect(status.version == BrainVersion.daemon)
            #expect(status.uptimeSeconds >= 0)
        }
    }

    @Test("Unknown routes and methods get a JSON error, never an empty body", arguments: [
        ("/v1/nope", HTTPRequest.Method.get),
        ("/v2/ping", .get),
        ("/v1/companies/12.345.678-5/memories", .put),
        ("/v1/teams/12.345.678-5/memories", .get),
    ])
    func unknownRoutes(path: String, method: HTTPRequest.Method) async throws {
        try await withTestApp { client, _, _ in
            let response = try await client.execute(uri: path, method: method)
            #expect((400..<500).contains(response.status.code))
            let error = try response.json(ErrorBody.self)
            #expect(!error.error.code.isEmpty)
        }
    }
}
