import FakeMem0
import Foundation
import Testing

/// The Platform routes' documented shapes, as seen on the wire.
@Suite(.timeLimit(.minutes(1)))
struct FakeMem0PlatformTests {
    @Test func missingOrWrongKeyIs401() async throws {
        try await withHarness { http in
            let missing = try await http.call("GET", "/v1/ping/", key: nil)
            let wrong = try await http.call("GET", "/v1/ping/", key: "nope")
            #expect(missing.status == 401)
            #expect(wrong.status == 401)
            #expect(wrong.json?["detail"]?.stringValue?.hasPrefix("Invalid API key.") == true)
        }
    }

    @Test func anyKeyIsAcceptedWhenNoneIsConfigured() async throws {
        try await withHarness(settings: FakeMem0Settings(apiKey: nil)) { http in
            let answer = try await http.call("GET", "/v1/ping/", key: "whatever")
            #expect(answer.status == 200)
        }
    }

    @Test func addWithInferFollowsThePendingEventLifecycle() async throws {
        try await withHarness(settings: FakeMem0Settings(pendingPolls: 2)) { http in
            let body = #"{"messages":[{"role":"user","content":"I like tea"}],"user_id":"alice"}"#
            let add = try await http.call("POST", "/v3/memories/add/", body: body)
            #expect(add.json?["status"] == "PENDING")
            let eventID = try #require(add.json?["event_id"]?.stringValue)

            var statuses: [String] = []
            for _ in 0..<3 {
                statuses.append(try await http.call("GET", "/v1/event/\(eventID)/").json?["status"]?.stringValue ?? "?")
            }
            let done = try await http.call("GET", "/v1/event/\(eventID)/")

            #expect(statuses == ["PENDING", "RUNNING", "SUCCEEDED"])
            let result = try #require(done.json?["results"]?.arrayValue?.first)
            #expect(result["data"]?["memory"] == "I like tea")
            #expect(result["event"] == "ADD")
            #expect(try await http.call("GET", "/v1/event/\(UUID())/").status == 404)
        }
    }

    @Test func addWithoutInferAnswersSynchronously() async throws {
        try await withHarness { http in
            let body = #"{"messages":[{"role":"user","content":"x"}],"user_id":"u","metadata":{"n":1},"infer":false}"#
            let add = try await http.call("POST", "/v3/memories/add/", body: body)
            #expect(add.json?["status"] == "SUCCEEDED")
            let id = try #require(add.json?["results"]?.arrayValue?.first?["id"]?.stringValue)
            let get = try await http.call("GET", "/v1/memories/\(id)/")
            #expect(get.json?["metadata"] == ["n": 1])
            #expect(get.json?["session_id"] == .null)
        }
    }

    @Test(arguments: [
        #"{"messages":[],"user_id":"u"}"#,
        #"{"messages":[{"role":"user","content":"x"}]}"#,
        #"not json"#,
    ])
    func invalidAddsAre400WithDetails(body: String) async throws {
        try await withHarness { http in
            let answer = try await http.call("POST", "/v3/memories/add/", body: body)
            #expect(answer.status == 400)
            #expect(answer.json?["error"] == "400 Bad Request")
            #expect(answer.json?["details"]?["message"]?.stringValue != nil)
        }
    }

    @Test func listPagesWithAbsoluteLinks() async throws {
        try await withHarness { http in
            for index in 0..<5 { await http.server.insertMemory(FakeMemory(memory: "m\(index)", userID: "u")) }
            let body = #"{"filters":{"user_id":"u"}}"#
            let first = try await http.call("POST", "/v3/memories/?page=1&page_size=2", body: body)
            let last = try await http.call("POST", "/v3/memories/?page=3&page_size=2", body: body)
            let beyond = try await http.call("POST", "/v3/memories/?page=4&page_size=2", body: body)

            let base = http.server.baseURL.absoluteString
            #expect(first.json?["count"] == 5)
            #expect(first.json?["next"]?.stringValue == "\(base)/v3/memories/?page=2&page_size=2")
            #expect(first.json?["previous"] == .null)
            #expect(last.json?["results"]?.arrayValue?.count == 1)
            #expect(last.json?["next"] == .null)
            #expect(last.json?["previous"]?.stringValue == "\(base)/v3/memories/?page=2&page_size=2")
            #expect(beyond.status == 404)
            #expect(beyond.json?["detail"] == "Invalid page.")
        }
    }

    @Test func entitiesListsTheUsersHoldingMemories() async throws {
        try await withHarness { http in
            for user in ["b", "a", "c", "a"] { await http.server.insertMemory(FakeMemory(memory: "m", userID: user)) }
            await http.server.insertMemory(FakeMemory(memory: "agent only", userID: nil, agentID: "bot"))
            let first = try await http.call("GET", "/v1/entities/?page=1&page_size=2")
            let last = try await http.call("GET", "/v1/entities/?page=2&page_size=2")

            #expect(first.status == 200)
            #expect(first.json?["count"] == 3)
            #expect(first.json?["total_users"] == 3)
            #expect(first.json?["results"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["a", "b"])
            #expect(first.json?["results"]?.arrayValue?.first?["type"] == "user")
            #expect(first.json?["next"]?.stringValue == "\(http.server.baseURL.absoluteString)/v1/entities/?page=2&page_size=2")
            #expect(last.json?["results"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["c"])
            #expect(last.json?["next"] == .null)
            let again = try await http.call("GET", "/v1/entities/?page=1&page_size=2")
            #expect(again.json?["results"]?.arrayValue?.first?["id"] == first.json?["results"]?.arrayValue?.first?["id"], "ids are stable")
        }
    }

    @Test func listCapsThePageSizeAt200() async throws {
        try await withHarness { http in
            for index in 0..<250 { await http.server.insertMemory(FakeMemory(memory: "m\(index)", userID: "u")) }
            let page = try await http.call("POST", "/v3/memories/?page=1&page_size=500", body: #"{"filters":{"user_id":"u"}}"#)
            #expect(page.json?["results"]?.arrayValue?.count == 200)
            #expect(page.json?["next"]?.stringValue?.hasSuffix("page=2&page_size=200") == true)
        }
    }

    @Test(arguments: [
        ("/v3/memories/", #"{}"#),
        ("/v3/memories/", #"{"filters":{"user_id":"u","colour":"red"}}"#),
        ("/v3/memories/", #"{"filters":{"metadata":{"a":1}}}"#),
        ("/v3/memories/search/", #"{"filters":{"user_id":"u"}}"#),
        ("/v3/memories/search/", #"{"query":"x","filters":{"user_id":"u"},"top_k":0}"#),
    ])
    func invalidFiltersAre400(path: String, body: String) async throws {
        try await withHarness { http in
            let answer = try await http.call("POST", path, body: body)
            #expect(answer.status == 400)
            #expect(answer.json?["message"]?.stringValue != nil)
        }
    }

    @Test func filtersSupportTheV2Language() async throws {
        try await withHarness { http in
            await http.server.insertMemory(FakeMemory(memory: "Budget for Q1", userID: "u", metadata: ["k": "v"]))
            await http.server.insertMemory(FakeMemory(memory: "Holiday plans", userID: "u", metadata: ["k": "w"]))
            await http.server.insertMemory(FakeMemory(memory: "Agent note", userID: "u", agentID: "a1"))

            func memories(_ filters: String) async throws -> [String] {
                let answer = try await http.call("POST", "/v3/memories/", body: #"{"filters":\#(filters)}"#)
                return (answer.json?["results"]?.arrayValue ?? []).compactMap { $0["memory"]?.stringValue }.sorted()
            }
            let plain = try await memories(#"{"user_id":"u"}"#)
            let anyAgent = try await memories(#"{"AND":[{"user_id":"u"},{"agent_id":"*"}]}"#)
            let byMetadata = try await memories(#"{"AND":[{"user_id":"u"},{"metadata":{"k":"w"}}]}"#)
            let flat = try await memories(#"{"user_id":"u","metadata":{"k":"v"}}"#)
            let keyword = try await memories(#"{"AND":[{"user_id":"u"},{"keywords":{"icontains":"budget"}}]}"#)
            let negated = try await memories(#"{"AND":[{"user_id":"u"},{"NOT":{"metadata":{"k":"v"}}}]}"#)

            // Implicit null-scoping: user_id alone excludes memories that have an agent_id.
            #expect(plain == ["Budget for Q1", "Holiday plans"])
            #expect(anyAgent == ["Agent note"])
            #expect(byMetadata == ["Holiday plans"])
            #expect(flat == ["Budget for Q1"])
            #expect(keyword == ["Budget for Q1"])
            #expect(negated == ["Holiday plans"])
        }
    }

    @Test(arguments: [(FakeMem0MetadataUpdate.replace, FakeJSON.object(["b": 2])), (.merge, .object(["a": 1, "b": 2]))])
    func updateTreatsMetadataPerSetting(mode: FakeMem0MetadataUpdate, expected: FakeJSON) async throws {
        try await withHarness(settings: FakeMem0Settings(updateMetadata: mode)) { http in
            let memory = await http.server.insertMemory(FakeMemory(memory: "m", userID: "u", metadata: ["a": 1]))
            let answer = try await http.call("PUT", "/v1/memories/\(memory.id)/", body: #"{"metadata":{"b":2}}"#)
            #expect(answer.status == 200)
            #expect(answer.json?["metadata"] == expected)
        }
    }

    @Test func memoryRoutesAnswerTheDocumentedErrors() async throws {
        try await withHarness { http in
            let missing = UUID().uuidString.lowercased()
            let invalidGet = try await http.call("GET", "/v1/memories/abc/")
            let invalidDelete = try await http.call("DELETE", "/v1/memories/abc/")
            let missingGet = try await http.call("GET", "/v1/memories/\(missing)/")
            let missingPut = try await http.call("PUT", "/v1/memories/\(missing)/", body: #"{"text":"t"}"#)
            let emptyPut = try await http.call("PUT", "/v1/memories/\(missing)/", body: #"{}"#)

            #expect(invalidGet.status == 400)
            #expect(invalidGet.json?["error"] == "memory_id should be a valid UUID")
            #expect(invalidDelete.status == 400)
            #expect(missingGet.status == 404)
            #expect(missingGet.json?["error"] == "Memory not found!")
            #expect(missingPut.status == 404)
            #expect(emptyPut.status == 400)
        }
    }
}
