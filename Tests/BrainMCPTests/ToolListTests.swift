import BrainTestSupport
import MCP
import Testing

@Suite(.timeLimit(.minutes(2)))
struct ToolListTests {
    static let toolNames: Set<String> = [
        "search_user_memory", "search_company_memory", "save_user_memory", "save_company_memory",
        "get_memory", "list_memories", "delete_memory",
    ]

    @Test("brain mcp completes the handshake and lists its seven tools with input schemas")
    func listsTools() async throws {
        try await withBrainMCP { session, _ in
            let server = try #require(session.initialized)
            #expect(server.serverInfo.name == "braind")
            #expect(server.capabilities.tools != nil)

            let (tools, _) = try await session.client.listTools()
            #expect(Set(tools.map(\.name)) == Self.toolNames)
            for tool in tools {
                #expect((tool.description ?? "").contains("RUT"), "\(tool.name) explains owners")
                let schema = try #require(tool.inputSchema.objectValue, "\(tool.name)")
                #expect(schema["type"] == "object")
                #expect(schema["additionalProperties"] == false)
                let properties = try #require(schema["properties"]?.objectValue)
                #expect(properties.values.allSatisfy { $0.objectValue?["type"] != nil }, "\(tool.name): every field is typed")
                #expect(properties["owner"]?.objectValue?["pattern"] != nil)
                #expect(required(schema).contains("owner"))
            }

            let search = try #require(tools.first { $0.name == "search_company_memory" }?.inputSchema.objectValue)
            #expect(required(search) == ["owner", "query"])
            #expect(property(search, "mode")?["enum"] == ["auto", "local", "remote"])

            let get = try #require(tools.first { $0.name == "get_memory" }?.inputSchema.objectValue)
            #expect(required(get) == ["brain", "owner", "slug"])
            #expect(property(get, "brain")?["enum"] == ["company", "user"])
            #expect(property(get, "slug")?["pattern"] == "^[a-z0-9][a-z0-9_]*$")

            let save = try #require(tools.first { $0.name == "save_user_memory" }?.inputSchema.objectValue)
            #expect(required(save) == ["owner"])
            let items = try #require(property(save, "memories")?["items"]?.objectValue)
            #expect(required(items) == ["slug", "content"])

            let list = try #require(tools.first { $0.name == "list_memories" }?.inputSchema.objectValue)
            #expect(property(list, "limit")?["maximum"] == 1000)
            #expect(tools.first { $0.name == "list_memories" }?.annotations.readOnlyHint == true)
        }
    }

    private func required(_ schema: [String: Value]) -> [String] {
        schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    private func property(_ schema: [String: Value], _ name: String) -> [String: Value]? {
        schema["properties"]?.objectValue?[name]?.objectValue
    }
}
