import BrainCore
import BrainServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

struct MethodNotAllowedTests {
    @Test(
        "A method a known path lacks answers 405 method_not_allowed with Allow listing the path's methods",
        arguments: [
            ("/v1/ping", HTTPRequest.Method.trace, "GET"),
            ("/v1/companies/12.345.678-5/memories", .put, "GET, POST"),
            ("/v1/users/unknown-owner/memories/some_slug", .post, "DELETE, GET"),
            ("/v1/reconcile/runs/last", .delete, "GET"),
            ("/v1/reconcile/runs/some-id", .post, "GET"),
            ("/v1/tokens", .delete, "GET, POST"),
            ("/v1/load/users", .get, "POST"),
        ])
    func methodNotAllowed(path: String, method: HTTPRequest.Method, allow: String) async throws {
        try await withTestApp { client, _, _ in
            let response = try await client.execute(uri: path, method: method)
            try response.expectError(.methodNotAllowed, code: "method_not_allowed")
            #expect(response.headers[.allow] == allow)
            #expect(response.headers[APISettings.versionHeader] == "1")
        }
    }

    @Test("A path no route has still answers 404 route_not_found", arguments: ["/v1/nope", "/v1/ping/extra", "/v2/ping"])
    func unknownPath(path: String) async throws {
        try await withTestApp { client, _, _ in
            let response = try await client.execute(uri: path, method: .get)
            try response.expectError(.notFound, code: "route_not_found")
            #expect(response.headers[.allow] == nil)
        }
    }
}
