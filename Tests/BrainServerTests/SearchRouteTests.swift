import BrainCore
import BrainServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

struct SearchRouteTests {
    @Test("GET and POST /v1/search answer from the local index when offline, and say so")
    func offlineAuto() async throws {
        try await withTestApp { client, _, _ in
            _ = try await client.execute(uri: "/v1/companies/12.345.678-5/memories", method: .post, body: jsonBody(taxRegimeBody))
            let get = try await client.execute(uri: "/v1/search?q=regimen%20propyme&owner=12.345.678-5&brain=company", method: .get)
            #expect(get.status == .ok)
            let response = try get.json(SearchResponse.self)
            #expect(response.source == "local")
            #expect(response.mode == .auto)
            #expect(response.fallbackReason == "offline: no MEM0_API_KEY")
            #expect(response.results.map(\.memory.slug) == ["company_tax_regime"])

            let post = try await client.execute(
                uri: "/v1/search", method: .post,
                body: jsonBody(#"{"q":"propyme","owner":"123456785","brain":"company","mode":"local","limit":5}"#))
            let local = try post.json(SearchResponse.self)
            #expect(local.source == "local")
            #expect(local.fallbackReason == nil)
            #expect(local.results.count == 1)
        }
    }

    @Test(
        "Search errors",
        arguments: [
            ("/v1/search?owner=123456785&brain=company", HTTPResponse.Status.unprocessableContent, "validation_failed"),
            ("/v1/search?q=x&owner=123456785&brain=team", .unprocessableContent, "validation_failed"),
            ("/v1/search?q=x&owner=123456785&brain=company&mode=psychic", .unprocessableContent, "validation_failed"),
            ("/v1/search?q=x&owner=123456785&brain=company&limit=1000", .unprocessableContent, "validation_failed"),
            ("/v1/search?q=x&owner=12.345.678-K&brain=company", .unprocessableContent, "validation_failed"),
            ("/v1/search?q=x&owner=11.111.111-1&brain=company", .notFound, "owner_not_found"),
            ("/v1/search?q=x&owner=123456785&brain=company&mode=remote", .conflict, "mem0_not_configured"),
        ])
    func errors(uri: String, status: HTTPResponse.Status, code: String) async throws {
        try await withTestApp { client, _, _ in
            _ = try await client.execute(uri: "/v1/companies/12.345.678-5/memories", method: .post, body: jsonBody(taxRegimeBody))
            try await client.execute(uri: uri, method: .get).expectError(status, code: code)
        }
    }
}
