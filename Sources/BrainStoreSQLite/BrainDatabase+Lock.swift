import BrainCore
extension BrainDatabase {
    /// Takes the database's lock (`PATH.lock`, holding the pid) for the process's lifetime.
    ///
    /// SQLite lets two processes share a file, but two daemons on one database do not mix: the
    /// second puts the first one's in-flight pushes back in the queue at start, and Mem0 gets each
    /// of them twice. Take this before opening the database (which migrates it) and before any
    /// push recovery.
    public static func lock(path: String) throws(DatabaseOpenError) -> LockFile {
        do {
            return try LockFile.acquire(path: path + ".lock")
        } catch .held(_, let pid) {
            throw .inUse(path: path, pid: pid)
        } catch {
            throw .lockFile(error)
        }
    }
}
