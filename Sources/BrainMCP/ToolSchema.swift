import BrainCore
import MCP

/// JSON Schema pieces shared by the tools' input schemas. The descriptions are written for the
/// model that fills the arguments: what the value is, in which spelling, with an example.
enum ToolSchema {
    /// An object schema that refuses unknown fields.
    static func object(_ properties: [String: Value], required: [String]) -> Value {
        [
            "type": "object",
            "properties": .object(properties),
            "required": .array(required.map(Value.string)),
            "additionalProperties": false,
        ]
    }

    static let owner: Value = [
        "type": "string",
        "description": """
            Who the memories are about: the owner's Chilean RUT (Rol Único Tributario, the national tax id) \
            in any usual spelling, e.g. "12.345.678-5", "12345678-5" or "123456785" (check digit 0-9 or K, \
            verified), or the UUID of the owner's company/profile row. A company and a person may share \
            a RUT (sole proprietors); the company and user brains never mix.
            """,
        "pattern": #"^\s*([0-9][0-9.]*-?[0-9kK]|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\s*$"#,
    ]

    static let slug: Value = [
        "type": "string",
        "description": """
            The memory's stable key: one fact about the owner in snake_case, e.g. "company_tax_regime" or \
            "user_full_name" (lowercase letters, digits and underscores, starting with a letter or digit). \
            An owner has at most one memory per slug: saving a slug again replaces its content.
            """,
        "pattern": "^[a-z0-9][a-z0-9_]*$",
        "maxLength": .int(MemoryLimits.slugMaxLength),
    ]

    static let brain: Value = [
        "type": "string",
        "enum": .array(BrainKind.allCases.map { .string($0.rawValue) }),
        "description": """
            Which brain: "company" for facts about a company (tax regime, activity, address), "user" for \
            facts about a person (name, role, preferences).
            """,
    ]

    static let content: Value = [
        "type": "string",
        "minLength": 1,
        "description": """
            The fact itself as a short, self-contained sentence, e.g. "Régimen tributario: ProPyme General" \
            (at most \(MemoryLimits.contentMaxBytes / 1024) KiB of UTF-8).
            """,
    ]

    static let category: Value = [
        "type": "string",
        "maxLength": .int(MemoryLimits.categoryMaxLength),
        "description": #"Optional grouping label, e.g. "company_tax" or "user_profile"; list_memories can filter by it."#,
    ]

    static let metadata: Value = [
        "type": "object",
        "description": """
            Optional extra JSON object kept with the memory, e.g. {"source": "onboarding"} (at most \
            \(MemoryLimits.metadataMaxBytes / 1024) KiB; the keys brain, slug, category and record_id are reserved).
            """,
    ]

    static let query: Value = [
        "type": "string",
        "minLength": 1,
        "description": #"What to look for, in words, e.g. "regimen tributario" or "preferred language"."#,
    ]

    static let mode: Value = [
        "type": "string",
        "enum": .array(SearchMode.allCases.map { .string($0.rawValue) }),
        "description": """
            Where to search. "auto" (default): Mem0's semantic search, falling back to braind's local \
            full-text index when Mem0 is offline, slow or failing. "local": the local index only (works \
            offline). "remote": Mem0 only, an error if Mem0 cannot answer.
            """,
    ]

    static func limit(max: Int, description: String) -> Value {
        ["type": "integer", "minimum": 1, "maximum": .int(max), "description": .string(description)]
    }

    static let cursor: Value = [
        "type": "string",
        "description": "Continue a listing: the next_cursor of the previous page.",
    ]

    /// One item of a save batch.
    static let memoryItem: Value = object(
        ["slug": slug, "content": content, "category": category, "metadata": metadata],
        required: ["slug", "content"])
}
