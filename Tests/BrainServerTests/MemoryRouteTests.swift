import BrainCore
import BrainServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

struct MemoryRouteTests {
    private let companyPath = "/v1/companies/12.345.678-5/memories"

    @Test("POST saves: created, then unchanged, with the seed's result shape")
    func saveCreatedThenUnchanged() async throws {
        try await withTestApp { client, _, sync in
            let first = try await client.execute(uri: companyPath, method: .post, body: jsonBody(taxRegimeBody))
            #expect(first.status == .ok)
            let created = try first.json(SaveBatchResult.self)
            #expect(created.savedCount == 1)
            #expect(created.items.map(\.status) == [.created])
            let raw = try JSONSerialization.jsonObject(with: Data(buffer: first.body)) as? [String: Any]
            #expect(Set(raw?.keys.map { $0 } ?? []) == ["success", "saved_count", "failed_count", "errors", "items"])

            let second = try await client.execute(uri: companyPath, method: .post, body: jsonBody(taxRegimeBody))
            #expect(try second.json(SaveBatchResult.self).items.map(\.status) == [.unchanged])
            #expect(sync.kickCount == 1, "only a real change wakes the push worker")
        }
    }

    @Test("POST with some invalid items answers 200 with per-item failures")
    func savePartial() async throws {
        try await withTestApp { client, _, _ in
            let body = #"{"memories":[{"slug":"ok","content":"x"},{"slug":"NO","content":"y"}]}"#
            let response = try await client.execute(uri: "/v1/users/11.111.111-1/memories", method: .post, body: jsonBody(body))
            #expect(response.status == .ok)
            let result = try response.json(SaveBatchResult.self)
            #expect((result.success, result.savedCount, result.failedCount) == (false, 1, 1))
            #expect(result.items[1].error?.contains("memories[1].slug") == true)
        }
    }

    @Test(
        "POST rejects bad input with the right code",
        arguments: [
            ("/v1/companies/12.345.678-5/memories", "{bad json", HTTPResponse.Status.badRequest, "malformed_json"),
            ("/v1/companies/12.345.678-5/memories", "", .badRequest, "malformed_json"),
            ("/v1/companies/12.345.678-5/memories", "{\"memories\":[{\"slug\":\"a\",\"content\":\"\u{FFFD}\"}", .badRequest, "malformed_json"),
            ("/v1/companies/12.345.678-5/memories", "{\"memories\":[]}", .unprocessableContent, "validation_failed"),
            ("/v1/companies/12.345.678-5/memories", "{\"items\":[]}", .unprocessableContent, "validation_failed"),
            ("/v1/companies/12.345.678-5/memories", "[1,2]", .unprocessableContent, "validation_failed"),
            ("/v1/companies/12.345.678-K/memories", taxRegimeBody, .unprocessableContent, "validation_failed"),
            ("/v1/companies/garbage/memories", taxRegimeBody, .unprocessableContent, "validation_failed"),
            ("/v1/companies/2b9f2c1e-3a4b-4c5d-8e6f-7a8b9c0d1e2f/memories", taxRegimeBody, .notFound, "owner_not_found"),
        ])
    func saveRejects(path: String, body: String, status: HTTPResponse.Status, code: String) async throws {
        try await withTestApp { client, database, _ in
            let response = try await client.execute(uri: path, method: .post, body: jsonBody(body))
            try response.expectError(status, code: code)
            #expect(try await database.counts(.company).live == 0, "a refused request stores nothing")
        }
    }

    @Test("Invalid UTF-8 in the body is a 400, never a 500")
    func invalidUTF8() async throws {
        try await withTestApp { client, _, _ in
            var buffer = ByteBuffer(string: #"{"memories":[{"slug":"a","content":""#)
            buffer.writeBytes([0xC3, 0x28, 0xFF])
            buffer.writeString(#""}]}"#)
            let response = try await client.execute(uri: companyPath, method: .post, body: buffer)
            try response.expectError(.badRequest, code: "malformed_json")
        }
    }

    @Test("A body over the limit is a 413")
    func bodyTooLarge() async throws {
        try await withTestApp(settings: APISettings(maxBodyBytes: 2_048)) { client, _, _ in
            let big = #"{"memories":[{"slug":"a","content":""# + String(repeating: "x", count: 4_096) + #""}]}"#
            let response = try await client.execute(uri: companyPath, method: .post, body: jsonBody(big))
            try response.expectError(.contentTooLarge, code: "body_too_large")
        }
    }

    @Test("The default body limit is 1 MiB")
    func defaultBodyLimit() async throws {
        try await withTestApp { client, _, _ in
            let big = #"{"memories":[{"slug":"a","content":""# + String(repeating: "x", count: 1_100_000) + #""}]}"#
            let response = try await client.execute(uri: companyPath, method: .post, body: jsonBody(big))
            try response.expectError(.contentTooLarge, code: "body_too_large")
        }
    }

    @Test("GET one memory, by RUT in any spelling and by owner UUID")
    func getOne() async throws {
        try await withTestApp { client, _, _ in
            _ = try await client.execute(uri: companyPath, method: .post, body: jsonBody(taxRegimeBody))
            let response = try await client.execute(uri: "/v1/companies/123456785/memories/company_tax_regime", method: .get)
            #expect(response.status == .ok)
            let memory = try response.json(Memory.self)
            #expect(memory.content == "Régimen tributario: ProPyme General")
            #expect(memory.category == "company_tax")
            #expect(memory.memoryID == nil)
            let byID = try await client.execute(uri: "/v1/companies/\(memory.ownerID)/memories/company_tax_regime", method: .get)
            #expect(try byID.json(Memory.self) == memory)
        }
    }

    @Test(
        "GET one memory errors",
        arguments: [
            ("/v1/companies/123456785/memories/nope", HTTPResponse.Status.notFound, "memory_not_found"),
            ("/v1/companies/123456785/memories/Bad-Slug", .unprocessableContent, "validation_failed"),
            ("/v1/users/123456785/memories/company_tax_regime", .notFound, "owner_not_found"),
            ("/v1/companies/1.234.567-8/memories/company_tax_regime", .unprocessableContent, "validation_failed"),
        ])
    func getErrors(path: String, status: HTTPResponse.Status, code: String) async throws {
        try await withTestApp { client, _, _ in
            _ = try await client.execute(uri: companyPath, method: .post, body: jsonBody(taxRegimeBody))
            try await client.execute(uri: path, method: .get).expectError(status, code: code)
        }
    }

    @Test("GET list with category filter, limit and cursor")
    func list() async throws {
        try await withTestApp { client, _, _ in
            let body = #"{"memories":[{"slug":"a","category":"x","content":"1"},{"slug":"b","category":"y","content":"2"},{"slug":"c","category":"x","content":"3"}]}"#
            _ = try await client.execute(uri: companyPath, method: .post, body: jsonBody(body))
            let all = try await client.execute(uri: companyPath, method: .get).json(MemoryPage.self)
            #expect(all.memories.map(\.slug) == ["a", "b", "c"])
            let x = try await client.execute(uri: companyPath + "?category=x", method: .get).json(MemoryPage.self)
            #expect(x.memories.map(\.slug) == ["a", "c"])
            let first = try await client.execute(uri: companyPath + "?limit=2", method: .get).json(MemoryPage.self)
            #expect(first.memories.map(\.slug) == ["a", "b"])
            #expect(first.nextCursor == "b")
            let rest = try await client.execute(uri: companyPath + "?limit=2&cursor=b", method: .get).json(MemoryPage.self)
            #expect(rest.memories.map(\.slug) == ["c"])
            #expect(rest.nextCursor == nil)
            try await client.execute(uri: companyPath + "?limit=abc", method: .get).expectError(.unprocessableContent, code: "validation_failed")
            try await client.execute(uri: companyPath + "?limit=0", method: .get).expectError(.unprocessableContent, code: "validation_failed")
            try await client.execute(uri: "/v1/users/11.111.111-1/memories", method: .get).expectError(.notFound, code: "owner_not_found")
        }
    }

    @Test("DELETE removes the memory from reads; a second DELETE is a 404")
    func delete() async throws {
        try await withTestApp { client, _, _ in
            _ = try await client.execute(uri: companyPath, method: .post, body: jsonBody(taxRegimeBody))
            let path = companyPath + "/company_tax_regime"
            let response = try await client.execute(uri: path, method: .delete)
            #expect(response.status == .ok)
            #expect(try response.json(DeleteResult.self) == DeleteResult(slug: "company_tax_regime", status: "purged"))
            try await client.execute(uri: path, method: .get).expectError(.notFound, code: "memory_not_found")
            try await client.execute(uri: path, method: .delete).expectError(.notFound, code: "memory_not_found")
        }
    }

    @Test("A 422 names a percent-encoded slug decoded, as it does the owner", arguments: [HTTPRequest.Method.get, .delete])
    func slugMessageDecoded(method: HTTPRequest.Method) async throws {
        try await withTestApp { client, _, _ in
            _ = try await client.execute(uri: "/v1/companies/12.345.678-5/memories", method: .post, body: jsonBody(taxRegimeBody))
            let response = try await client.execute(uri: "/v1/companies/12.345.678-5/memories/K%C3%B4", method: method)
            try response.expectError(.unprocessableContent, code: "validation_failed")
            let message = try response.json(ErrorBody.self).error.message
            #expect(message.contains("'Kô'"), "\(message)")
        }
    }

    @Test("A + in the query string is a space, as form-encoding clients write it; %2B is a plus")
    func plusInQuery() async throws {
        try await withTestApp { client, _, _ in
            let body = #"{"memories":[{"slug":"a","category":"company tax","content":"x"},{"slug":"b","category":"c+d","content":"y"}]}"#
            _ = try await client.execute(uri: "/v1/companies/12.345.678-5/memories", method: .post, body: jsonBody(body))
            let spaced = try await client.execute(uri: "/v1/companies/12.345.678-5/memories?category=company+tax", method: .get)
            #expect(try spaced.json(MemoryPage.self).memories.map(\.slug) == ["a"])
            let plus = try await client.execute(uri: "/v1/companies/12.345.678-5/memories?category=c%2Bd", method: .get)
            #expect(try plus.json(MemoryPage.self).memories.map(\.slug) == ["b"])
            let search = try await client.execute(uri: "/v1/search?q=x&owner=+12.345.678-5&brain=company&mode=local", method: .get)
            #expect(search.status == .ok)
        }
    }
}
