/// Why braind will not open a database file at start. Each message names the file, what was found
/// and what to do, because it is the one line an operator sees before braind exits.
public enum DatabaseOpenError: Error, Equatable, CustomStringConvertible {
    /// Another process (another braind) holds the database's lock file.
    case inUse(path: String, pid: Int32?)
    /// The lock file beside the database is a link, someone else's, or cannot be opened.
    case lockFile(LockFileError)

    public var description: String {
        switch self {
        case .inUse(let path, let pid):
            "database \(path) is in use by another braind (pid \(pid.map(String.init) ?? "unknown")); "
                + "stop that daemon first, or start this one with another --db"
        case .lockFile(let error):
            "cannot lock database: \(error)"
        }
    }
}
