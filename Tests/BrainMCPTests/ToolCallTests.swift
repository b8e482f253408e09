import BrainTestSupport
import BrainCore
import BrainServer
import MCP
import Testing

@Suite(.timeLimit(.minutes(2)))
struct ToolCallTests {
    static let company = "12.345.678-5"
    static let person = "11.111.111-1"

    @Test("An agent saves, searches, gets, lists and deletes memories through brain mcp")
    func roundTrip() async throws {
        try await withBrainMCP { session, daemon in
            // Save one memory, then the same one again.
            let single: [String: Value] = [
                "owner": .string(Self.company), "slug": "company_tax_regime", "category": "company_tax",
                "content": "Régimen tributario: ProPyme General", "metadata": ["source": "onboarding"],
            ]
            let saved = try await session.call("save_company_memory", single)
            #expect(saved.isError == false)
            #expect(saved.text.contains("company_tax_regime: created"))
            #expect(saved.structuredContent?.objectValue?["saved_count"] == 1)
            let again = try await session.call("save_company_memory", single)
            #expect(again.text.contains("company_tax_regime: unchanged"))

            // A batch into the user brain.
            let batch = try await session.call(
                "save_user_memory",
                [
                    "owner": .string(Self.person),
                    "memories": [
                        ["slug": "user_full_name", "category": "user_profile", "content": "Nombre completo: Juan Pérez"],
                        ["slug": "user_language", "content": "Prefiere respuestas en español"],
                    ],
                ])
            #expect(batch.isError == false)
            #expect(batch.text.hasPrefix("Saved 2 of 2 memories in the user brain"))

            try await checkSearch(session, daemon)

            let got = try await session.call(
                "get_memory", ["brain": "company", "owner": "123456785", "slug": "company_tax_regime"])
            #expect(got.isError == false)
            #expect(got.text.contains("Régimen tributario: ProPyme General"))
            #expect(got.text.contains(#"metadata: {"source":"onboarding"}"#))
            #expect(got.structuredContent?.objectValue?["owner_rut"] == "123456785")

            // Pages of one, following the cursor.
            let first = try await session.call("list_memories", ["brain": "user", "owner": .string(Self.person), "limit": 1])
            #expect(first.text.contains("user_full_name"))
            let cursor = try #require(first.structuredContent?.objectValue?["next_cursor"]?.stringValue)
            #expect(first.text.contains("cursor \"\(cursor)\""))
            let second = try await session.call(
                "list_memories", ["brain": "user", "owner": "111111111", "limit": 1, "cursor": .string(cursor)])
            #expect(second.text.contains("user_language"))
            let byCategory = try await session.call(
                "list_memories", ["brain": "user", "owner": "111111111", "category": "user_profile"])
            #expect(byCategory.structuredContent?.objectValue?["memories"]?.arrayValue?.count == 1)

            let deleted = try await session.call(
                "delete_memory", ["brain": "company", "owner": .string(Self.company), "slug": "company_tax_regime"])
            #expect(deleted.isError == false)
            #expect(deleted.text.hasPrefix("Deleted company_tax_regime from the company brain"))
            let gone = try await session.call(
                "get_memory", ["brain": "company", "owner": .string(Self.company), "slug": "company_tax_regime"])
            #expect(gone.isError == true)
            #expect(gone.errorCode == "memory_not_found")
            #expect(gone.text.contains("list_memories"), "the message says what to do next")
            let empty = try await session.call("list_memories", ["brain": "company", "owner": .string(Self.company)])
            #expect(empty.text == "No memories in the company brain of \(Self.company).")

            #expect(session.readLog().contains("tool call"), "logs go to stderr, never into the protocol")
        }
    }

    /// Local search ignores accents and case. Until braind serves `/v1/search`, the tool must
    /// report braind's 404 as a tool error instead.
    private func checkSearch(_ session: MCPSession, _ daemon: DaemonProcess) async throws {
        let arguments: [String: Value] = ["owner": .string(Self.company), "query": "regimen propyme", "mode": "local"]
        let result = try await session.call("search_company_memory", arguments)
        var routeMissing = false
        do {
            _ = try await daemon.client.search(SearchRequest(q: "regimen", owner: Self.company, brain: .company, mode: .local))
        } catch DaemonClientError.api(404, "route_not_found", _) {
            routeMissing = true
        }
        if routeMissing {
            #expect(result.isError == true)
            #expect(result.errorCode == "route_not_found")
            #expect(result.text.contains("no route for POST /v1/search"))
            return
        }
        #expect(result.isError == false, "\(result.text)")
        #expect(result.text.contains("company_tax_regime"))
        #expect(result.text.contains("Régimen tributario: ProPyme General"))
        let hits = try #require(result.structuredContent?.objectValue?["results"]?.arrayValue)
        #expect(hits.first?.objectValue?["memory"]?.objectValue?["slug"] == "company_tax_regime")
        let other = try await session.call("search_user_memory", ["owner": .string(Self.person), "query": "nombre completo"])
        #expect(other.isError == false)
        #expect(!other.text.contains("company_tax_regime"), "the user brain never shows company memories")
    }
}
