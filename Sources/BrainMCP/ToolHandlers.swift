import BrainCore
import BrainServer
import MCP

/// What each tool does: read its arguments, make one `DaemonClient` call, describe the answer.
enum ToolHandlers {
    /// Largest `limit` a search accepts here; braind may enforce its own.
    static let searchLimitMax = 100
    /// The list route's page-size bound.
    static let listLimitMax = 1_000

    static func search(_ brain: BrainKind) -> BrainTool.Handler {
        { arguments, client in
            try arguments.rejectUnknown(allowed: ["owner", "query", "limit", "mode"])
            let request = SearchRequest(
                q: try arguments.string("query"), owner: try arguments.string("owner"), brain: brain,
                limit: try arguments.optionalInt("limit", in: 1...searchLimitMax), mode: try arguments.searchMode())
            let response = try await client.search(request)
            return ToolOutput(text: ResultText.search(response, request: request), reply: response)
        }
    }

    static func save(_ brain: BrainKind) -> BrainTool.Handler {
        { arguments, client in
            try arguments.rejectUnknown(allowed: ["owner", "slug", "content", "category", "metadata", "memories"])
            let owner = try arguments.string("owner")
            let memories = try memoryInputs(arguments)
            let result = try await client.save(brain, owner: owner, memories: memories)
            return ToolOutput(
                text: ResultText.save(result, brain: brain, owner: owner), reply: result, isError: !result.success)
        }
    }

    static let get: BrainTool.Handler = { arguments, client in
        try arguments.rejectUnknown(allowed: ["brain", "owner", "slug"])
        let memory = try await client.memory(
            try arguments.brain(), owner: try arguments.string("owner"), slug: try arguments.string("slug"))
        return ToolOutput(text: ResultText.memory(memory), reply: memory)
    }

    static let list: BrainTool.Handler = { arguments, client in
        try arguments.rejectUnknown(allowed: ["brain", "owner", "category", "limit", "cursor"])
        let brain = try arguments.brain()
        let owner = try arguments.string("owner")
        let category = try arguments.optionalString("category")
        let page = try await client.list(
            brain, owner: owner, category: category,
            limit: try arguments.optionalInt("limit", in: 1...listLimitMax), cursor: try arguments.optionalString("cursor"))
        return ToolOutput(text: ResultText.list(page, brain: brain, owner: owner, category: category), reply: page)
    }

    static let delete: BrainTool.Handler = { arguments, client in
        try arguments.rejectUnknown(allowed: ["brain", "owner", "slug"])
        let brain = try arguments.brain()
        let owner = try arguments.string("owner")
        let result = try await client.delete(brain, owner: owner, slug: try arguments.string("slug"))
        return ToolOutput(text: ResultText.delete(result, brain: brain, owner: owner), reply: result)
    }

    // MARK: - Save arguments

    private static let itemFields = ["slug", "content", "category", "metadata"]

    /// One memory from `slug`/`content`/..., or a batch from `memories`; never both.
    private static func memoryInputs(_ arguments: ToolArguments) throws(ToolArgumentError) -> [MemoryInput] {
        guard let items = try arguments.optionalObjectArray("memories") else {
            guard arguments.has("slug") || arguments.has("content") else {
                throw ToolArgumentError("give 'slug' and 'content' for one memory, or 'memories' for a batch")
            }
            return [try memoryInput(arguments)]
        }
        if let single = itemFields.first(where: arguments.has) {
            throw ToolArgumentError("give either 'memories' or '\(single)' (with the other fields of one memory), not both")
        }
        guard !items.isEmpty else { throw ToolArgumentError("'memories' must hold at least one memory") }
        guard items.count <= MemoryLimits.batchMaxItems else {
            throw ToolArgumentError("'memories' holds \(items.count) memories; at most \(MemoryLimits.batchMaxItems) per call")
        }
        return try items.enumerated().map { index, item throws(ToolArgumentError) in
            do throws(ToolArgumentError) {
                try item.rejectUnknown(allowed: itemFields)
                return try memoryInput(item)
            } catch {
                throw error.inItem("memories[\(index)]")
            }
        }
    }

    /// The fields of one memory. Slug and category rules are braind's to check, so that a bad item
    /// fails alone with braind's own message instead of failing the whole call here.
    private static func memoryInput(_ fields: ToolArguments) throws(ToolArgumentError) -> MemoryInput {
        MemoryInput(
            slug: try fields.string("slug"), category: try fields.optionalString("category"),
            content: try fields.string("content"), metadata: try fields.optionalObject("metadata"))
    }
}
