/// Why braind will not open a database file at start. Each message names the file, what was found
/// and what to do, because it is the one line an operator sees before braind exits.
public enum DatabaseOpenError: Error, Equatable, CustomStringConvertible {
    /// Another process (another braind) holds the database's lock file.
    case inUse(path: String, pid: Int32?)
    /// The lock file beside the database is a link, someone else's, or cannot be opened.
    case lockFile(LockFileError)
    /// The file is not a SQLite database.
    case notSQLite(path: String, detail: String)
    /// The file is another application's SQLite database.
    case foreign(path: String, found: String)
    /// The file is a braind database from a newer braind.
    case newerSchema(path: String, unknownMigrations: [String])

    public var description: String { "\(message); \(hint)" }

    /// What is wrong, in one line.
    public var message: String {
        switch self {
        case .inUse(let path, let pid):
            "database \(path) is in use by another braind (pid \(pid.map(String.init) ?? "unknown"))"
        case .lockFile(let error):
            "cannot lock database: \(error)"
        case .notSQLite(let path, let detail):
            "\(path) is not a SQLite database (\(detail)); braind left it untouched"
        case .foreign(let path, let found):
            "\(path) is not a braind database (found \(found)); braind left it untouched"
        case .newerSchema(let path, let unknown):
            "\(path) was written by a newer braind (migrations \(unknown.joined(separator: ", ")) are unknown to braind "
                + "\(BrainVersion.daemon)); braind left it untouched"
        }
    }

    /// What to do about it.
    public var hint: String {
        switch self {
        case .inUse: "stop that daemon first, or start this one with another --db"
        case .lockFile: "remove the lock file beside the database if it is not braind's, or fix its owner"
        case .notSQLite, .foreign: "point --db (or storage.database) at a braind database or at a new file"
        case .newerSchema: "run a braind at least as new, or use another --db"
        }
    }
}
