import BrainCore
import MCP

/// The tool table: every tool `brain mcp` offers, with its description, input schema and handler.
/// Adding a tool means adding one entry here and its handler in `ToolHandlers`.
enum BrainTools {
    static let all: [BrainTool] = [
        search(.user), search(.company), save(.user), save(.company), getMemory, listMemories, deleteMemory,
    ]

    /// The tool called `name`, if there is one.
    static func named(_ name: String) -> BrainTool? {
        all.first { $0.name == name }
    }

    /// What every description says about owners, so that each tool stands on its own.
    private static let ownerNote = """
        The owner is a company or a person named by its Chilean RUT (tax id, e.g. 12.345.678-5) or the \
        UUID of its row; each memory has a slug, a snake_case key for one fact (e.g. company_tax_regime).
        """

    // MARK: - Search

    private static func search(_ brain: BrainKind) -> BrainTool {
        let subject = brain == .company ? "a company (tax regime, activity, address, ...)" : "a person (name, role, preferences, ...)"
        return BrainTool(
            definition: Tool(
                name: "search_\(brain.rawValue)_memory",
                title: "Search \(brain.rawValue) memory",
                description: """
                    Search what braind remembers about \(subject) for facts relevant to a question. Use it \
                    before answering anything that depends on what is known about this \(brain.rawValue), and to \
                    find the slug of a fact you want to update. Returns the best matches first, each with its \
                    slug, category, content and score. \(ownerNote)
                    """,
                inputSchema: ToolSchema.object(
                    [
                        "owner": ToolSchema.owner, "query": ToolSchema.query, "mode": ToolSchema.mode,
                        "limit": ToolSchema.limit(max: ToolHandlers.searchLimitMax, description: "At most this many results."),
                    ],
                    required: ["owner", "query"]),
                annotations: .init(readOnlyHint: true, openWorldHint: false)),
            handler: ToolHandlers.search(brain))
    }

    // MARK: - Save

    private static func save(_ brain: BrainKind) -> BrainTool {
        let examples = brain == .company ? "tax regime, business activity, address" : "full name, role, language preference"
        return BrainTool(
            definition: Tool(
                name: "save_\(brain.rawValue)_memory",
                title: "Save \(brain.rawValue) memory",
                description: """
                    Remember durable facts about a \(brain.rawValue) (\(examples)), one fact per slug. Give either one \
                    memory (slug, content, and optionally category and metadata) or several in `memories` (up to \
                    \(MemoryLimits.batchMaxItems)). Saving an existing slug replaces its content; saving the same \
                    content again is reported as "unchanged". Each memory is checked on its own: invalid ones fail \
                    and are reported, the valid ones are saved. A save is kept locally at once and sent to Mem0 in \
                    the background. The first save for an unknown RUT creates the owner. \(ownerNote)
                    """,
                inputSchema: ToolSchema.object(
                    [
                        "owner": ToolSchema.owner, "slug": ToolSchema.slug, "content": ToolSchema.content,
                        "category": ToolSchema.category, "metadata": ToolSchema.metadata,
                        "memories": [
                            "type": "array", "items": ToolSchema.memoryItem, "minItems": 1,
                            "maxItems": .int(MemoryLimits.batchMaxItems),
                            "description": "A batch of memories, instead of slug and content.",
                        ],
                    ],
                    required: ["owner"]),
                annotations: .init(readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false)),
            handler: ToolHandlers.save(brain))
    }

    // MARK: - Get, list, delete

    private static let getMemory = BrainTool(
        definition: Tool(
            name: "get_memory",
            title: "Get one memory",
            description: """
                Read one memory by slug from a company's or a person's brain: its full content, category, \
                metadata and sync state. Use it when you know the slug (from search or list_memories). \(ownerNote)
                """,
            inputSchema: ToolSchema.object(
                ["brain": ToolSchema.brain, "owner": ToolSchema.owner, "slug": ToolSchema.slug],
                required: ["brain", "owner", "slug"]),
            annotations: .init(readOnlyHint: true, openWorldHint: false)),
        handler: ToolHandlers.get)

    private static let listMemories = BrainTool(
        definition: Tool(
            name: "list_memories",
            title: "List memories",
            description: """
                List an owner's memories in slug order, optionally only one category. Use it to see everything \
                known about a company or a person, or to find slugs. Long lists come in pages: pass the \
                next_cursor of one page as cursor to get the next. \(ownerNote)
                """,
            inputSchema: ToolSchema.object(
                [
                    "brain": ToolSchema.brain, "owner": ToolSchema.owner, "category": ToolSchema.category,
                    "limit": ToolSchema.limit(max: ToolHandlers.listLimitMax, description: "Page size (default 100)."),
                    "cursor": ToolSchema.cursor,
                ],
                required: ["brain", "owner"]),
            annotations: .init(readOnlyHint: true, openWorldHint: false)),
        handler: ToolHandlers.list)

    private static let deleteMemory = BrainTool(
        definition: Tool(
            name: "delete_memory",
            title: "Delete a memory",
            description: """
                Forget one memory (by slug) of a company or a person. Use it when a fact is wrong or no longer \
                true and nothing should replace it; to correct a fact, save the slug again instead. Readers stop \
                seeing it at once; braind deletes it from Mem0 in the background. \(ownerNote)
                """,
            inputSchema: ToolSchema.object(
                ["brain": ToolSchema.brain, "owner": ToolSchema.owner, "slug": ToolSchema.slug],
                required: ["brain", "owner", "slug"]),
            annotations: .init(readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false)),
        handler: ToolHandlers.delete)
}
