import BrainCore
import BrainTestSupport
import BrainServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// Counts the push kicks the API gives, so tests can prove writes (and only writes) wake the worker.
final class RecordingSync: SyncControl {
    private let kicks = Atomic<Int>(0)
    var kickCount: Int { kicks.load(ordering: .relaxed) }
    func localChangesCommitted() { kicks.add(1, ordering: .relaxed) }
    func syncStatus() async -> SyncStatus { .offline }
}

/// Runs a test against the real router with a fresh in-memory database.
func withTestApp<Value>(
    settings: APISettings = APISettings(socketPath: "/test.sock"),
    _ body: @Sendable (any TestClientProtocol, any BrainStore, RecordingSync) async throws -> Value
) async throws -> Value {
    let database = try await TestStores.make().store
    let sync = RecordingSync()
    let app = Application(router: buildRouter(database: database, sync: sync, settings: settings))
    return try await app.test(.router) { client in try await body(client, database, sync) }
}

extension TestResponse {
    /// Decodes the JSON body.
    func json<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(buffer: body))
    }

    /// Asserts the status and that the body is `{"error":{"code","message"}}` with this code.
    func expectError(_ status: HTTPResponse.Status, code: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(self.status == status, sourceLocation: sourceLocation)
        let error = try json(ErrorBody.self)
        #expect(error.error.code == code, sourceLocation: sourceLocation)
        #expect(!error.error.message.isEmpty, sourceLocation: sourceLocation)
    }
}

func jsonBody(_ text: String) -> ByteBuffer {
    ByteBuffer(string: text)
}

let taxRegimeBody = #"{"memories":[{"slug":"company_tax_regime","category":"company_tax","content":"Régimen tributario: ProPyme General"}]}"#
