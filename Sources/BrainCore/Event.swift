/// Kinds of entries in the append-only `events` journal.
public enum EventKind: String, Sendable, Codable {
    case created, updated, deleted, purged
    case pushed, repaired, failed
}

