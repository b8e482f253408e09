import FakeMem0
import Foundation
import Testing

/// The control API under `/_control/`, over HTTP.
@Suite(.timeLimit(.minutes(1)))
struct FakeMem0ControlTests {
    @Test func settingsCanBeReadAndPatched() async throws {
        try await withHarness { http in
            let patched = try await http.call("PATCH", "/_control/settings", body: #"{"latency_ms":5,"add_mode":"async"}"#, key: nil)
            let invalid = try await http.call("PATCH", "/_control/settings", body: #"{"add_mode":"later"}"#, key: nil)

            #expect(patched.json?["latency_ms"] == 5)
            #expect(patched.json?["add_mode"] == "async")
            #expect(invalid.status == 400)
            #expect(await http.server.settings().latency == .milliseconds(5))
        }
    }

    @Test func aStatusFaultHitsTheNextNRequestsOfItsRoute() async throws {
        try await withHarness { http in
            let fault = #"{"action":"status","status":503,"count":2,"route":"ping","retry_after":3}"#
            #expect(try await http.call("POST", "/_control/faults", body: fault, key: nil).status == 201)

            let first = try await http.call("GET", "/v1/ping/")
            let second = try await http.call("GET", "/v1/ping/")
            let third = try await http.call("GET", "/v1/ping/")

            let statuses: [Int] = [first.status, second.status, third.status]
            #expect(statuses == [503, 503, 200])
            #expect(first.headers["retry-after"] == "3")
            let log = try await http.call("GET", "/_control/requests", key: nil).json?.arrayValue ?? []
            #expect(log.map { $0["status"] } == [503, 503, 200])
            #expect(log.map { $0["fault"] ?? .null } == ["status 503", "status 503", .null])
            #expect(try await http.call("GET", "/_control/faults", key: nil).json == [])
        }
    }

    @Test func storeThenResetIsAControlFault() async throws {
        try await withHarness { http in
            let fault = #"{"action":"store_then_reset","count":1}"#
            #expect(try await http.call("POST", "/_control/faults", body: fault, key: nil).status == 201)
            let faults = try await http.call("GET", "/_control/faults", key: nil).json?.arrayValue ?? []
            #expect(faults.first?["action"] == "store_then_reset")
        }
    }

    @Test func faultRatesRepeatWithTheSameSeed() async throws {
        try await withHarness { http in
            func run() async throws -> [Int] {
                _ = try await http.call("PATCH", "/_control/settings", body: #"{"random_seed":42}"#, key: nil)
                _ = try await http.call("POST", "/_control/faults", body: #"{"action":"status","status":500,"rate":0.5}"#, key: nil)
                var statuses: [Int] = []
                for _ in 0..<20 { statuses.append(try await http.call("GET", "/v1/ping/").status) }
                _ = try await http.call("POST", "/_control/reset", key: nil)
                return statuses
            }
            let first = try await run()
            let second = try await run()
            #expect(first == second)
            #expect(first.contains(500) && first.contains(200))
        }
    }

    @Test func memoriesCanBeChangedBehindTheClientsBack() async throws {
        try await withHarness { http in
            let inserted = try await http.call(
                "POST", "/_control/memories", body: #"{"memory":"original","user_id":"u","metadata":{"record_id":"r1"}}"#, key: nil)
            let id = try #require(inserted.json?["id"]?.stringValue)
            #expect(inserted.status == 201)

            let edited = try await http.call("PATCH", "/_control/memories/\(id)", body: #"{"memory":"edited by Dream"}"#, key: nil)
            let seen = try await http.call("GET", "/v1/memories/\(id)/")
            let deleted = try await http.call("DELETE", "/_control/memories/\(id)", key: nil)
            let gone = try await http.call("GET", "/v1/memories/\(id)/")
            let all = try await http.call("GET", "/_control/memories", key: nil)

            #expect(edited.json?["memory"] == "edited by Dream")
            #expect(seen.json?["memory"] == "edited by Dream")
            #expect(seen.json?["metadata"] == ["record_id": "r1"])
            #expect(deleted.status == 204)
            #expect(gone.status == 404)
            #expect(all.json == [])
        }
    }

    @Test func queuedAddOutcomesApplyInOrder() async throws {
        try await withHarness { http in
            _ = try await http.call("POST", "/_control/add-outcomes", body: #"{"outcomes":["nothing_stored","failed"]}"#, key: nil)
            let body = #"{"messages":"x","user_id":"u","infer":false}"#
            let first = try await http.call("POST", "/v3/memories/add/", body: body)
            let second = try await http.call("POST", "/v3/memories/add/", body: body)
            let third = try await http.call("POST", "/v3/memories/add/", body: body)

            #expect(first.json?["status"] == "SUCCEEDED")
            #expect(first.json?["results"] == [])
            #expect(second.json?["status"] == "FAILED")
            #expect(third.json?["results"]?.arrayValue?.count == 1)
            #expect(await http.server.memories().count == 1)
        }
    }

    @Test func theRequestLogIsBoundedAndSkipsControlCalls() async throws {
        try await withHarness(settings: FakeMem0Settings(requestLogLimit: 5)) { http in
            for _ in 0..<12 { _ = try await http.call("GET", "/v1/ping/") }
            _ = try await http.call("GET", "/_control/state", key: nil)

            #expect(await http.server.requestLog().count == 5)
            _ = try await http.call("DELETE", "/_control/requests", key: nil)
            #expect(await http.server.requestLog().isEmpty)
        }
    }

    @Test func resetRestoresTheStartupState() async throws {
        try await withHarness { http in
            await http.server.insertMemory(FakeMemory(memory: "m", userID: "u"))
            await http.server.setLatency(.milliseconds(1))
            await http.server.injectFault(FakeMem0Fault(.resetConnection))

            let state = try await http.call("POST", "/_control/reset", key: nil)

            #expect(state.json?["memory_count"] == 0)
            #expect(state.json?["faults"] == [])
            #expect(state.json?["settings"]?["latency_ms"] == 0)
            #expect(try await http.call("GET", "/v1/ping/").status == 200)
        }
    }

    @Test func aSecondStartIsRejected() async throws {
        let server = FakeMem0Server()
        try await server.start()
        await #expect(throws: FakeMem0Server.ServerError.self) { try await server.start() }
        await server.stop()
    }

    @Test func aTakenPortFailsToStart() async throws {
        let first = FakeMem0Server()
        try await first.start()
        let second = FakeMem0Server(configuration: .init(port: first.port))
        await #expect(throws: (any Error).self) { try await second.start() }
        await first.stop()
    }
}
