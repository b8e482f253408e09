/// Who wrote a brain row last: the column `source` of both brain tables (migration 0005).
///
/// A load may delete a builder memory whose field became empty only when the loader wrote the row;
/// an agent's memory under a builder slug is the agent's to delete. Nothing else depends on it.
public enum MemorySource: String, Sendable {
    /// An agent's save (API, CLI, MCP) or a row adopted by a reconcile.
    case save
    /// A load from owner data.
    case loader
}
