import BrainCore
import Foundation

/// The human-readable text of each tool's answer: short, complete sentences a model can quote, with
/// the slugs it needs for a follow-up call. The full JSON goes alongside as structured content.
enum ResultText {
    /// Content longer than this is cut in lists, where the point is to find slugs.
    static let listContentLimit = 300

    static func search(_ response: SearchResponse, request: SearchRequest) -> String {
        var source = response.source == "local" ? "local search" : "Mem0 search"
        if let reason = response.fallbackReason { source += "; Mem0 was not used: \(reason)" }
        let place = "the \(request.brain.rawValue) brain of \(request.owner)"
        guard !response.results.isEmpty else {
            return "No memories match \"\(request.q)\" in \(place) (\(source))."
        }
        var lines = ["\(count(response.results.count, "memory", "memories")) found for \"\(request.q)\" in \(place) (\(source)):"]
        for (index, hit) in response.results.enumerated() {
            let score = (hit.score * 1000).rounded() / 1000
            lines.append("\(index + 1). \(hit.memory.slug)\(categoryTag(hit.memory.category)) score \(score)")
            lines.append("   \(hit.memory.content)")
        }
        return lines.joined(separator: "\n")
    }

    static func save(_ result: SaveBatchResult, brain: BrainKind, owner: String) -> String {
        let total = result.items.count
        var lines = ["Saved \(result.savedCount) of \(count(total, "memory", "memories")) in the \(brain.rawValue) brain of \(owner):"]
        for item in result.items {
            var line = "- \(item.slug ?? "(no slug)"): \(item.status.rawValue)"
            if let sync = item.syncState { line += " (Mem0 sync \(sync.rawValue))" }
            if let error = item.error { line += ": \(error)" }
            lines.append(line)
        }
        if result.failedCount > 0 {
            lines.append("Fix the failed memories and save them again; the others are stored.")
        }
        return lines.joined(separator: "\n")
    }

    static func memory(_ memory: Memory) -> String {
        var lines = [
            "\(memory.slug)\(categoryTag(memory.category)) in the \(memory.brain.rawValue) brain of \(memory.ownerRUT):",
            memory.content,
        ]
        if !memory.metadata.isEmpty, let json = try? CanonicalJSON.encode(memory.metadata) {
            lines.append("metadata: \(json)")
        }
        lines.append("version \(memory.version), Mem0 sync \(memory.syncState.rawValue), updated \(memory.updatedAt)")
        return lines.joined(separator: "\n")
    }

    static func list(_ page: MemoryPage, brain: BrainKind, owner: String, category: String?) -> String {
        let place = "the \(brain.rawValue) brain of \(owner)" + (category.map { " (category \($0))" } ?? "")
        guard !page.memories.isEmpty else { return "No memories in \(place)." }
        var lines = ["\(count(page.memories.count, "memory", "memories")) in \(place):"]
        for memory in page.memories {
            lines.append("- \(memory.slug)\(categoryTag(memory.category)): \(shortened(memory.content))")
        }
        if let next = page.nextCursor {
            lines.append("More memories follow: call list_memories again with cursor \"\(next)\".")
        }
        return lines.joined(separator: "\n")
    }

    static func delete(_ result: DeleteResult, brain: BrainKind, owner: String) -> String {
        let detail =
            switch result.status {
            case "tombstoned": "braind will delete it from Mem0 too"
            case "purged": "it had not reached Mem0"
            default: result.status
            }
        return "Deleted \(result.slug) from the \(brain.rawValue) brain of \(owner) (\(detail))."
    }

    // MARK: - Pieces

    private static func categoryTag(_ category: String?) -> String {
        category.map { " [\($0)]" } ?? ""
    }

    private static func count(_ number: Int, _ singular: String, _ plural: String) -> String {
        "\(number) \(number == 1 ? singular : plural)"
    }

    private static func shortened(_ content: String) -> String {
        let flat = content.replacingOccurrences(of: "\n", with: " ")
        return flat.count <= listContentLimit ? flat : String(flat.prefix(listContentLimit - 1)) + "…"
    }
}
