import FakeMem0
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A raw HTTP view of a running fake, for testing the wire shapes and the control API.
struct FakeMem0HTTPHarness {
    /// One answer: status, parsed JSON body (nil if empty or not JSON), and the raw headers.
    struct Answer {
        var status: Int
        var json: FakeJSON?
        var headers: [String: String]
    }

    let server: FakeMem0Server
    let session = URLSession(configuration: .ephemeral)

    /// Sends a request; the Platform key is attached unless `key` says otherwise.
    func call(_ method: String, _ path: String, body: String? = nil, key: String? = FakeMem0Settings.defaultAPIKey) async throws -> Answer {
        var request = URLRequest(url: URL(string: server.baseURL.absoluteString + path)!)
        request.httpMethod = method
        if let key { request.setValue("Token \(key)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            headers[String(describing: name).lowercased()] = String(describing: value)
        }
        return Answer(status: http.statusCode, json: try? JSONDecoder().decode(FakeJSON.self, from: data), headers: headers)
    }
}

/// Starts a fake, runs `body` with an HTTP harness for it, stops the fake.
func withHarness<R>(
    settings: FakeMem0Settings = .init(), _ body: (FakeMem0HTTPHarness) async throws -> R
) async throws -> R {
    let server = FakeMem0Server(configuration: .init(settings: settings))
    try await server.start()
    do {
        let result = try await body(FakeMem0HTTPHarness(server: server))
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}
