import BrainCore
import BrainSync
import FakeMem0
import Foundation
import Testing

/// How HTTP errors and transport failures reach the caller, through a real fake-mem0.
@Suite(.timeLimit(.minutes(1)))
struct Mem0ClientErrorTests {
    @Test func wrongKeyIsAnAuthFailure() async throws {
        try await withFakeMem0(configure: { $0.apiKey = "m0-wrong" }) { _, client in
            let error = await mem0Error { _ = try await client.ping() }
            #expect(error?.status == 401)
            #expect(error?.failureClass == .auth)
            #expect(error?.message.hasPrefix("Invalid API key.") == true)
        }
    }

    @Test(arguments: [401, 403])
    func forbiddenStatusesAreAuthFailures(status: Int) async throws {
        try await withFakeMem0 { server, client in
            await server.injectFault(FakeMem0Fault(.status(status), count: 1))
            let error = await mem0Error { _ = try await client.ping() }
            #expect(error?.failureClass == .auth)
        }
    }

    @Test func tooManyRequestsIsRetryableAfterTheHeaderSeconds() async throws {
        try await withFakeMem0 { server, client in
            await server.injectFault(FakeMem0Fault(.status(429, retryAfter: "7"), route: .add, count: 1))

            let error = await mem0Error { _ = try await client.add(text: "x", userID: "u1", metadata: [:]) }

            #expect(error?.status == 429)
            #expect(error?.retryAfter == .seconds(7))
            #expect(error?.failureClass == .retryable(retryAfter: .seconds(7)))
            #expect(error?.message == "Request was throttled. Expected available in 7 seconds.")
            #expect(await server.memories().isEmpty)
        }
    }

    @Test func retryAfterAsAnHTTPDateBecomesADelay() async throws {
        try await withFakeMem0 { server, client in
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            let date = formatter.string(from: Date().addingTimeInterval(120))
            await server.injectFault(FakeMem0Fault(.status(429, retryAfter: date), count: 1))

            let error = await mem0Error { _ = try await client.ping() }

            let delay = try #require(error?.retryAfter)
            #expect(delay > .seconds(110) && delay <= .seconds(121))
        }
    }

    @Test(arguments: [500, 502, 503, 504, 408])
    func serverErrorsAreRetryable(status: Int) async throws {
        try await withFakeMem0 { server, client in
            await server.injectFault(FakeMem0Fault(.status(status), count: 1))

            let error = await mem0Error { _ = try await client.ping() }

            #expect(error?.status == status)
            #expect(error?.failureClass == .retryable(retryAfter: nil))
            // The fault was for the next request only.
            let next = try await client.ping()
            #expect(next.status == "ok")
        }
    }

    @Test(arguments: [400, 409, 413, 422])
    func requestErrorsArePermanent(status: Int) async throws {
        try await withFakeMem0 { server, client in
            await server.injectFault(FakeMem0Fault(.status(status), count: 1))
            let error = await mem0Error { _ = try await client.ping() }
            #expect(error?.failureClass == .permanent)
        }
    }

    @Test(arguments: [
        (#"{"detail":"Invalid page."}"#, "application/json", "Invalid page."),
        (#"{"error":"Memory not found!"}"#, "application/json", "Memory not found!"),
        (#"{"message":"One of the filters is required!"}"#, "application/json", "One of the filters is required!"),
        (#"{"error":"400 Bad Request","details":{"message":"Invalid input data."}}"#, "application/json",
         "400 Bad Request: Invalid input data."),
        (#"["One of the filters: app_id, user_id is required!"]"#, "application/json",
         "One of the filters: app_id, user_id is required!"),
        (#"[{"error":"first"},{"detail":"second"}]"#, "application/json", "first; second"),
        (#"{"name":["This field is required."]}"#, "application/json", "name: This field is required."),
        ("<html><body>Bad Gateway</body></html>", "text/html", "<html><body>Bad Gateway</body></html>"),
        ("upstream connect error", "text/plain", "upstream connect error"),
        ("", "application/json", "HTTP 502 with an empty body"),
    ])
    func errorBodiesOfEveryShapeGiveAMessage(body: String, contentType: String, expected: String) async throws {
        try await withFakeMem0 { server, client in
            await server.injectFault(FakeMem0Fault(.status(502, body: body, contentType: contentType), count: 1))
            let error = await mem0Error { _ = try await client.ping() }
            #expect(error?.message == expected)
        }
    }

    @Test func aSlowServerTimesOutAsRetryable() async throws {
        try await withFakeMem0(configure: { $0.requestTimeout = .milliseconds(300) }) { server, client in
            await server.setLatency(.seconds(10))

            let started = ContinuousClock.now
            let error = await mem0Error { _ = try await client.ping() }

            #expect(error == .transport(.timeout, endpoint: "GET /v1/ping/"))
            #expect(error?.failureClass == .retryable(retryAfter: nil))
            // Behaviour, not speed: the client gave up before the server's answer (10 s) came; the
            // margin is wide because a loaded 2-core machine once took 3.4 s to end a 300 ms wait.
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }

    @Test func aResetConnectionIsRetryable() async throws {
        try await withFakeMem0 { server, client in
            // No count: an HTTP client may retry a request whose reused connection died, so
            // every attempt is reset and the failure must reach the caller.
            await server.injectFault(FakeMem0Fault(.resetConnection, route: .get))

            let id = UUID().uuidString.lowercased()
            let error = await mem0Error { _ = try await client.get(id: id) }

            #expect(error == .transport(.connectionReset, endpoint: "GET /v1/memories/\(id)/"))
            #expect(error?.failureClass == .retryable(retryAfter: nil))
        }
    }

    @Test func aRefusedConnectionIsRetryable() async throws {
        let server = FakeMem0Server()
        try await server.start()
        let url = server.baseURL
        await server.stop()
        let client = Mem0HTTPClient(settings: Mem0Settings(apiKey: "k", baseURL: url, requestTimeout: .seconds(5)))

        let error = await mem0Error { _ = try await client.ping() }

        #expect(error == .transport(.connectionRefused, endpoint: "GET /v1/ping/"))
        #expect(error?.failureClass == .retryable(retryAfter: nil))
    }

    @Test func storeThenTimeoutLeavesTheMemoryOnTheServer() async throws {
        // Generous timeout: on a loaded CI machine a 500 ms one could expire before the fake even
        // read the request, and then nothing is stored (a different, valid, outcome).
        try await withFakeMem0(configure: { $0.requestTimeout = .seconds(2) }) { server, client in
            await server.injectFault(FakeMem0Fault(.storeThenTimeout(delay: nil), count: 1))

            let error = await mem0Error {
                _ = try await client.add(text: "stored anyway", userID: "u1", metadata: sampleMetadata(recordID: "r-9"))
            }

            #expect(error == .transport(.timeout, endpoint: "POST /v3/memories/add/"))
            #expect(error?.failureClass.isRetryable == true)
            var held = await server.memories(userID: "u1")
            let deadline = ContinuousClock.now + .seconds(10)
            while held.isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                held = await server.memories(userID: "u1")
            }
            #expect(held.map(\.memory) == ["stored anyway"])
            #expect(held.first?.metadata?["record_id"] == "r-9")
            #expect(await server.requestLog().first?.fault == "store_then_timeout")
        }
    }

    @Test func storeThenResetStoresAndLeavesTheClientWithAReset() async throws {
        try await withFakeMem0 { server, client in
            await server.injectFault(FakeMem0Fault(.storeThenReset, route: .add, count: 1))
            let error = await mem0Error {
                _ = try await client.add(text: "stored, answer lost", userID: "u1", metadata: sampleMetadata(recordID: "r-10"))
            }
            #expect(error == .transport(.connectionReset, endpoint: "POST /v3/memories/add/"))
            #expect(await server.memories(userID: "u1").map(\.memory) == ["stored, answer lost"])
            #expect(await server.requestLog().first?.fault == "store_then_reset")
        }
    }

    @Test func redirectsAreRefusedSoTheKeyStaysHome() async throws {
        let elsewhere = FakeMem0Server(configuration: .init(settings: FakeMem0Settings(apiKey: nil)))
        try await elsewhere.start()
        try await withFakeMem0 { server, client in
            let location = elsewhere.baseURL.absoluteString + "/v1/ping/"
            await server.injectFault(FakeMem0Fault(.status(307, body: "", headers: ["Location": location]), count: 1))

            let error = await mem0Error { _ = try await client.ping() }

            #expect(error?.status == 307)
            #expect(error?.failureClass == .permanent)
            #expect(await elsewhere.requestLog().isEmpty)
        }
        await elsewhere.stop()
    }

    @Test func anUnreadableSuccessIsPermanent() async throws {
        try await withFakeMem0 { server, client in
            await server.injectFault(FakeMem0Fault(.status(200, body: "<html>portal</html>", contentType: "text/html"), count: 1))
            let error = await mem0Error { _ = try await client.ping() }
            guard case .invalidResponse? = error else {
                Issue.record("expected invalidResponse, got \(String(describing: error))")
                return
            }
            #expect(error?.failureClass == .permanent)
        }
    }

    @Test func theAPIKeyNeverAppearsInErrorsOrSettings() async throws {
        let key = "m0-very-secret-key-0123456789"
        try await withFakeMem0(settings: FakeMem0Settings(apiKey: key)) { server, client in
            // A server that echoes the key back must not make it leak either.
            let echo = #"{"detail":"Invalid API key \#(key)"}"#
            await server.injectFault(FakeMem0Fault(.status(401, body: echo), count: 1))
            await server.injectFault(FakeMem0Fault(.status(200, body: "not json \(key)", contentType: "text/plain"), count: 1))

            let errors = [
                await mem0Error { _ = try await client.ping() },
                await mem0Error { _ = try await client.ping() },
                await mem0Error { _ = try await client.get(id: "bad id") },
            ].compactMap { $0 }

            #expect(errors.count == 3)
            for error in errors {
                #expect(!String(describing: error).contains(key))
                #expect(!String(reflecting: error).contains(key))
                #expect(!error.message.contains(key))
            }
            var dumped = ""
            dump(client.settings, to: &dumped)
            #expect(!String(describing: client.settings).contains(key))
            #expect(!String(reflecting: client.settings).contains(key))
            #expect(!dumped.contains(key))
        }
    }
}
