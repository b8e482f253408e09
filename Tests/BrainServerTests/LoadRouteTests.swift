import BrainCore
import BrainServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

struct LoadRouteTests {
    private let companies = """
        rut,business_name,tax_regime,sii_activity_name,sii_activity_code
        12.345.678-5,Comercial Andes SpA,ProPyme General,Comercio al por menor,471000
        12.345.678-K,Mala SpA,ProPyme General,,
        """

    @Test("Import reports bad rows by line and imports the good ones; load builds memories once")
    func importAndLoad() async throws {
        try await withTestApp { client, database, sync in
            let imported = try await client.execute(uri: "/v1/companies", method: .post, body: jsonBody(companies))
            #expect(imported.status == .ok)
            let result = try imported.json(ImportResult.self)
            #expect(result.imported == 1)
            #expect(result.failed == 1)
            #expect(result.errors.first?.line == 3)

            let load = try await client.execute(uri: "/v1/load/companies/12.345.678-5", method: .post)
            #expect(load.status == .ok)
            let loaded = try load.json(LoadResult.self)
            #expect(loaded.items.compactMap(\.slug).sorted() == ["company_activity", "company_tax_regime"])
            #expect(sync.kickCount == 1)

            let all = try await client.execute(uri: "/v1/load/companies", method: .post)
            let summary = try all.json(LoadAllCompaniesResult.self)
            #expect(summary.totalCompanies == 1)
            #expect(summary.totalMemoriesCreated == 0, "loading unchanged data again changes nothing")
            #expect(try await database.counts(.company).live == 2)
        }
    }

    @Test("A streamed load sends progress lines, then the result")
    func streamedLoad() async throws {
        try await withTestApp { client, _, _ in
            _ = try await client.execute(uri: "/v1/companies", method: .post, body: jsonBody(companies))
            let response = try await client.execute(uri: "/v1/load/companies?stream=true", method: .post)
            #expect(response.headers[.contentType] == "application/x-ndjson")
            let lines = String(buffer: response.body).split(separator: "\n")
            #expect(lines.first?.hasPrefix(#"{"progress":"#) == true)
            #expect(lines.last?.hasPrefix(#"{"result":"#) == true)
            #expect(lines.last?.contains(#""total_memories_created":2"#) == true)
        }
    }

    @Test(
        "Import and load errors",
        arguments: [
            ("/v1/companies?format=xml", HTTPRequest.Method.post, "rut\n1-9\n", HTTPResponse.Status.unprocessableContent, "validation_failed"),
            ("/v1/companies", .post, "rut,colour\n1-9,red\n", .unprocessableContent, "validation_failed"),
            ("/v1/load/companies/11.111.111-1", .post, "", .notFound, "owner_not_found"),
            ("/v1/load/users/garbage", .post, "", .unprocessableContent, "validation_failed"),
        ])
    func errors(uri: String, method: HTTPRequest.Method, body: String, status: HTTPResponse.Status, code: String) async throws {
        try await withTestApp { client, _, _ in
            try await client.execute(uri: uri, method: method, body: jsonBody(body)).expectError(status, code: code)
        }
    }

    @Test("stream is true or false; any other value is a 422, not a silent non-streamed answer", arguments: ["yes", "TRUE", "1", ""])
    func streamFlag(value: String) async throws {
        try await withTestApp { client, _, _ in
            try await client.execute(uri: "/v1/load/users?stream=\(value)", method: .post)
                .expectError(.unprocessableContent, code: "validation_failed")
            let plain = try await client.execute(uri: "/v1/load/users?stream=false", method: .post)
            #expect(plain.status == .ok)
            #expect(plain.headers[.contentType] == "application/json; charset=utf-8")
        }
    }
}
