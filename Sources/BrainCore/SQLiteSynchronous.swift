/// How hard SQLite works to make a commit survive power loss.
public enum SQLiteSynchronous: String, Sendable, CaseIterable {
    /// One fsync of the WAL per commit: an acknowledged save survives power loss. The default.
    case full
    /// No fsync at commit: survives a process crash, may lose the last commits on power loss.
    case normal

}
