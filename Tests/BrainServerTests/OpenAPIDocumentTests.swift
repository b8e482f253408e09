import BrainCore
import BrainTestSupport
@testable import BrainServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Prometheus
import Testing

/// schema/openapi.yaml is the contract: braind serves it, and its paths are the router's.
struct OpenAPIDocumentTests {
    private static let yamlPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("schema/openapi.yaml").path

    /// The HTTP methods an OpenAPI path item may hold.
    private static let operationKeys: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    private static func embeddedDocument() throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(EmbeddedOpenAPI.json.utf8)) as? [String: Any])
    }

    @Test("The embedded JSON equals schema/openapi.yaml (run scripts/embed-openapi after editing)")
    func embeddedDocumentMatchesFile() async throws {
        // The same conversion scripts/embed-openapi makes; PyYAML ships with the machine's python3.
        let python = try await runCommand(URL(fileURLWithPath: "/usr/bin/env"), [
            "python3", "-c", "import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1], encoding='utf-8')), sys.stdout)",
            Self.yamlPath,
        ])
        try #require(python.status == 0, "python3 with PyYAML could not read schema/openapi.yaml: \(python.stderr)")
        let converted = Data(python.stdout.utf8)
        let file = try #require(JSONSerialization.jsonObject(with: converted) as? NSDictionary)
        #expect(file.isEqual(to: try Self.embeddedDocument()), "schema/openapi.yaml differs from EmbeddedOpenAPI.json")
    }

    @Test("Every route the router registers is in the document, and every documented operation has a route")
    func routesMatchDocument() async throws {
        let router = buildRouter(
            database: try await TestStores.make().store, sync: RecordingSync(), metrics: PrometheusCollectorRegistry(),
            settings: APISettings())
        let registered = Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
        let paths = try #require(try Self.embeddedDocument()["paths"] as? [String: [String: Any]])
        let documented = Set(paths.flatMap { path, item in
            item.keys.filter(Self.operationKeys.contains).map { "\($0.uppercased()) \(path)" }
        })
        #expect(registered.subtracting(documented).sorted() == [], "routes missing from schema/openapi.yaml")
        #expect(documented.subtracting(registered).sorted() == [], "documented operations braind has no route for")
        #expect(registered.contains("GET /metrics") && registered.contains("GET /v1/openapi.json"))
    }

    @Test("GET /v1/openapi.json serves the document as JSON")
    func served() async throws {
        try await withTestApp { client, _, _ in
            let response = try await client.execute(uri: "/v1/openapi.json", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            let served = try #require(JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? NSDictionary)
            #expect(served.isEqual(to: try Self.embeddedDocument()))
            #expect(served["openapi"] as? String == "3.1.0")
        }
    }
}
