import BrainTestSupport
import MCP
import Testing

@Suite(.timeLimit(.minutes(2)))
struct ToolErrorTests {
    /// A call with bad arguments and what its error message must say.
    struct BadCall: Sendable, CustomStringConvertible {
        var tool: String
        var arguments: [String: Value]
        var message: String

        var description: String { "\(tool): \(message)" }
    }

    static let owner: Value = "12.345.678-5"
    static let badCalls: [BadCall] = [
        BadCall(tool: "get_memory", arguments: ["brain": "company", "owner": owner], message: "'slug' is required"),
        BadCall(tool: "get_memory", arguments: ["brain": "team", "owner": owner, "slug": "a"], message: #"'brain' must be "company" or "user", not "team""#),
        BadCall(tool: "get_memory", arguments: ["brain": 1, "owner": owner, "slug": "a"], message: "'brain' must be a string, not a number"),
        BadCall(tool: "list_memories", arguments: ["brain": "user", "owner": owner, "limit": "ten"], message: "'limit' must be an integer, not a string"),
        BadCall(tool: "list_memories", arguments: ["brain": "user", "owner": owner, "limit": 0], message: "'limit' must be between 1 and 1000, not 0"),
        BadCall(tool: "list_memories", arguments: ["brain": "user", "owner": owner, "limit": 2.5], message: "'limit' must be an integer, not 2.5"),
        BadCall(tool: "search_user_memory", arguments: ["owner": owner], message: "'query' is required"),
        BadCall(tool: "search_user_memory", arguments: ["owner": owner, "query": 42], message: "'query' must be a string, not a number"),
        BadCall(tool: "search_user_memory", arguments: ["owner": owner, "query": "x", "mode": "fast"], message: #"'mode' must be one of "auto", "local", "remote""#),
        BadCall(tool: "save_user_memory", arguments: ["owner": owner], message: "give 'slug' and 'content' for one memory, or 'memories' for a batch"),
        BadCall(tool: "save_user_memory", arguments: ["owner": owner, "slug": "a"], message: "'content' is required"),
        BadCall(
            tool: "save_user_memory", arguments: ["owner": owner, "slug": "a", "content": "b", "memories": [["slug": "c", "content": "d"]]],
            message: "give either 'memories' or 'slug'"),
        BadCall(tool: "save_user_memory", arguments: ["owner": owner, "memories": [["slug": "x"]]], message: "memories[0]: 'content' is required"),
        BadCall(tool: "save_user_memory", arguments: ["owner": owner, "memories": []], message: "'memories' must hold at least one memory"),
        BadCall(tool: "save_user_memory", arguments: ["owner": owner, "memories": ["x"]], message: "'memories[0]' must be an object"),
        BadCall(
            tool: "save_company_memory", arguments: ["owner": owner, "slug": "a", "content": "b", "metadata": "x"],
            message: "'metadata' must be a JSON object, not a string"),
        BadCall(tool: "delete_memory", arguments: ["brain": "user", "owner": owner, "sulg": "a"], message: "unknown argument 'sulg'"),
    ]

    @Test("Bad arguments and unknown tools come back as isError results that say what is wrong")
    func badArguments() async throws {
        try await withBrainMCP { session, _ in
            for call in Self.badCalls {
                let result = try await session.call(call.tool, call.arguments)
                #expect(result.isError == true, "\(call)")
                #expect(result.errorCode == "invalid_arguments", "\(call)")
                #expect(result.text.contains(call.message), "\(call) → \(result.text)")
            }
            let unknown = try await session.call("forget_everything", [:])
            #expect(unknown.isError == true)
            #expect(unknown.errorCode == "unknown_tool")
            #expect(unknown.text.contains("Unknown tool 'forget_everything'. The tools are: search_user_memory"))
            // The server is still serving after all of that.
            #expect(try await session.client.listTools().tools.count == 7)
        }
    }

    @Test("braind's refusals come back as isError results with its code and message")
    func apiErrors() async throws {
        try await withBrainMCP { session, _ in
            let wrongCheckDigit = try await session.call(
                "get_memory", ["brain": "company", "owner": "12.345.678-K", "slug": "company_tax_regime"])
            #expect(wrongCheckDigit.isError == true)
            #expect(wrongCheckDigit.errorCode == "validation_failed")
            #expect(wrongCheckDigit.text.contains("check digit 'k' but its body requires '5'"))
            #expect(wrongCheckDigit.text.contains("HTTP 422, validation_failed"))

            let unknownOwner = try await session.call("list_memories", ["brain": "user", "owner": "11.111.111-1"])
            #expect(unknownOwner.isError == true)
            #expect(unknownOwner.errorCode == "owner_not_found")

            // A batch with one invalid slug: the valid memory is saved, the call reports the failure.
            let partial = try await session.call(
                "save_company_memory",
                ["owner": Self.owner, "memories": [["slug": "company_activity", "content": "Comercio"], ["slug": "Bad Slug", "content": "x"]]])
            #expect(partial.isError == true)
            #expect(partial.text.hasPrefix("Saved 1 of 2 memories"))
            #expect(partial.text.contains("Bad Slug: failed"))
            #expect(partial.text.contains("must match ^[a-z0-9][a-z0-9_]*$"))
            #expect(partial.structuredContent?.objectValue?["failed_count"] == 1)
        }
    }

    @Test("With braind stopped, tools answer isError naming the socket, and brain mcp keeps serving")
    func daemonStopped() async throws {
        try await withBrainMCP { session, daemon in
            try await daemon.stop()
            let result = try await session.call("list_memories", ["brain": "company", "owner": Self.owner])
            #expect(result.isError == true)
            #expect(result.errorCode == "daemon_not_running")
            #expect(result.text.contains("braind is not running on \(daemon.socketPath)"))
            let search = try await session.call("search_company_memory", ["owner": Self.owner, "query": "x"])
            #expect(search.errorCode == "daemon_not_running")
            #expect(try await session.client.listTools().tools.count == 7)
        }
    }
}
