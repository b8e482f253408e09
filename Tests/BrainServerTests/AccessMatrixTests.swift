import BrainCore
import BrainTestSupport
import BrainServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Every route family × every kind of caller → the expected status.
struct AccessMatrixTests {
    enum Caller: String, CaseIterable {
        case owner, userWithSession, userWithoutSession, company, readOnly, noTokenRequired
    }

    static let user = "11.111.111-1"
    static let otherUser = "22.222.222-2"
    static let company = "12.345.678-5"
    static let otherCompany = "76.086.428-5"

    struct Route {
        var name: String
        var method: HTTPRequest.Method
        var uri: String
        var body: String?
        /// Expected status per caller; callers not listed expect 403.
        var allowed: [Caller: HTTPResponse.Status]
    }

    static let save = #"{"memories":[{"slug":"note","content":"Prefiere correo"}]}"#
    static let routes: [Route] = [
        Route(name: "ping", method: .get, uri: "/v1/ping", allowed: Dictionary(uniqueKeysWithValues: Caller.allCases.map { ($0, .ok) })),
        Route(name: "save own user brain", method: .post, uri: "/v1/users/\(user)/memories", body: save,
              allowed: [.owner: .ok, .userWithSession: .ok, .noTokenRequired: .unauthorized]),
        Route(name: "read own user brain", method: .get, uri: "/v1/users/\(user)/memories",
              allowed: [.owner: .ok, .userWithSession: .ok, .readOnly: .ok, .noTokenRequired: .unauthorized]),
        Route(name: "read another user's brain", method: .get, uri: "/v1/users/\(otherUser)/memories",
              allowed: [.owner: .ok, .userWithoutSession: .ok, .noTokenRequired: .unauthorized]),
        Route(name: "save company with session", method: .post, uri: "/v1/companies/\(company)/memories", body: save,
              allowed: [.owner: .ok, .userWithSession: .ok, .company: .ok, .noTokenRequired: .unauthorized]),
        Route(name: "read company with session", method: .get, uri: "/v1/companies/\(company)/memories",
              allowed: [.owner: .ok, .userWithSession: .ok, .company: .ok, .readOnly: .ok, .noTokenRequired: .unauthorized]),
        Route(name: "read company without session", method: .get, uri: "/v1/companies/\(otherCompany)/memories",
              allowed: [.owner: .ok, .noTokenRequired: .unauthorized]),
        Route(name: "get one own memory", method: .get, uri: "/v1/users/\(user)/memories/seeded",
              allowed: [.owner: .ok, .userWithSession: .ok, .readOnly: .ok, .noTokenRequired: .unauthorized]),
        Route(name: "search own user brain", method: .get, uri: "/v1/search?q=seed&owner=\(user)&brain=user&mode=local",
              allowed: [.owner: .ok, .userWithSession: .ok, .readOnly: .ok, .noTokenRequired: .unauthorized]),
        Route(name: "search company", method: .get, uri: "/v1/search?q=seed&owner=\(company)&brain=company&mode=local",
              allowed: [.owner: .ok, .userWithSession: .ok, .company: .ok, .readOnly: .ok, .noTokenRequired: .unauthorized]),
        Route(name: "load one company", method: .post, uri: "/v1/load/companies/\(company)",
              allowed: [.owner: .ok, .userWithSession: .ok, .company: .ok, .noTokenRequired: .unauthorized]),
        Route(name: "status", method: .get, uri: "/v1/status", allowed: [.owner: .ok, .noTokenRequired: .unauthorized]),
        Route(name: "failed rows", method: .get, uri: "/v1/failed", allowed: [.owner: .ok, .noTokenRequired: .unauthorized]),
        Route(name: "retry", method: .post, uri: "/v1/retry", allowed: [.owner: .ok, .noTokenRequired: .unauthorized]),
        Route(name: "reconcile runs", method: .get, uri: "/v1/reconcile/runs", allowed: [.owner: .ok, .noTokenRequired: .unauthorized]),
        Route(name: "load all", method: .post, uri: "/v1/load/users", allowed: [.owner: .ok, .noTokenRequired: .unauthorized]),
        Route(name: "import", method: .post, uri: "/v1/users", body: "rut,full_name\n33.333.333-3,Ana\n",
              allowed: [.owner: .ok, .noTokenRequired: .unauthorized]),
        Route(name: "list tokens", method: .get, uri: "/v1/tokens", allowed: [.owner: .ok, .noTokenRequired: .unauthorized]),
        Route(name: "delete own memory", method: .delete, uri: "/v1/users/\(user)/memories/seeded",
              allowed: [.owner: .ok, .userWithSession: .ok, .noTokenRequired: .unauthorized]),
    ]

    @Test("Access matrix: every route × every caller", arguments: routes.map(\.name))
    func matrix(routeName: String) async throws {
        let route = try #require(Self.routes.first { $0.name == routeName })
        for caller in Caller.allCases {
            let required = caller == .noTokenRequired
            try await withTestApp(settings: APISettings(access: AccessSettings(requireToken: required))) { client, database, _ in
                let tokens = try await Self.setUp(database)
                var headers: HTTPFields = [:]
                if let token = tokens[caller] { headers[.authorization] = "Bearer \(token)" }
                let response = try await client.execute(
                    uri: route.uri, method: route.method, headers: headers, body: route.body.map { ByteBuffer(string: $0) })
                let expected = route.allowed[caller] ?? .forbidden
                #expect(response.status == expected, "\(route.name) as \(caller.rawValue): \(String(buffer: response.body))")
            }
        }
    }

    @Test("A bad or revoked token is a 401, never a silent downgrade")
    func badTokens() async throws {
        try await withTestApp { client, database, _ in
            let tokens = try await Self.setUp(database)
            try await client.execute(uri: "/v1/status", method: .get, headers: [.authorization: "Bearer nope"])
                .expectError(.unauthorized, code: "invalid_token")
            try await client.execute(uri: "/v1/status", method: .get, headers: [.authorization: "Basic abc"])
                .expectError(.unauthorized, code: "invalid_token")
            let id = try #require(try await database.tokens().first { $0.readOnly }?.id)
            #expect(try await database.revokeToken(id: id))
            try await client.execute(uri: "/v1/ping", method: .get, headers: [.authorization: "Bearer \(tokens[.readOnly]!)"])
                .expectError(.unauthorized, code: "invalid_token")
        }
    }

    @Test("Tokens are created once, stored only as hashes, listed without secrets")
    func tokenLifecycle() async throws {
        try await withTestApp { client, database, _ in
            let created = try await client.execute(uri: "/v1/tokens", method: .post, body: jsonBody(#"{"user":"11.111.111-1","read_only":true}"#))
            #expect(created.status == .created)
            let token = try created.json(CreatedToken.self)
            #expect(token.token.hasPrefix("bt_"))
            #expect(token.details.rut == "111111111")
            let list = String(buffer: try await client.execute(uri: "/v1/tokens", method: .get).body)
            #expect(!list.contains(token.token))
            #expect(try await database.tokens().count == 1)
            try await client.execute(uri: "/v1/tokens", method: .post, body: jsonBody(#"{"user":"1-9","company":"1-9"}"#))
                .expectError(.unprocessableContent, code: "validation_failed")
            try await client.execute(uri: "/v1/tokens/nope", method: .delete).expectError(.notFound, code: "token_not_found")
        }
    }

    /// Owners, a session between `user` and `company`, a seeded memory, and one token per caller.
    static func setUp(_ database: any BrainStore) async throws -> [Caller: String] {
        _ = try await database.importUsers(Data("rut,full_name\n\(user),Juan Pérez\n\(otherUser),Ana Soto\n".utf8))
        _ = try await database.importCompanies(Data("rut,business_name,tax_regime\n\(company),Andes SpA,ProPyme General\n\(otherCompany),Sur Ltda,14 A\n".utf8))
        _ = try await database.importSessions(Data("user_rut,company_rut\n\(user),\(company)\n".utf8))
        _ = try await database.save(.user, owner: try OwnerReference(user), memories: [MemoryInput(slug: "seeded", content: "seed fact")])
        _ = try await database.save(.company, owner: try OwnerReference(company), memories: [MemoryInput(slug: "seeded", content: "seed fact")])
        var tokens: [Caller: String] = [:]
        func make(_ caller: Caller, _ brain: BrainKind, _ rut: String, readOnly: Bool = false) async throws {
            let secret = "bt_test_\(caller.rawValue)"
            _ = try await database.createToken(hash: AccessTokenHash.of(secret), brain: brain, rut: try RUT(rut).normalized, readOnly: readOnly)
            tokens[caller] = secret
        }
        try await make(.userWithSession, .user, user)
        try await make(.userWithoutSession, .user, otherUser)
        try await make(.company, .company, company)
        try await make(.readOnly, .user, user, readOnly: true)
        return tokens
    }
}
