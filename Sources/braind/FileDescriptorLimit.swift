import Foundation

/// braind's open-file limit. Every connection costs a descriptor; when accept() runs out the
/// event loop spins on the listening socket, so the connection cap must stay below this limit.
enum FileDescriptorLimit {
    /// Descriptors kept for everything but clients: the database (writer, readers, WAL, shared
    /// memory), the lock file, the listening socket, the event loops, logs.
    static let reserved = 64

    /// Raises the soft limit to the hard limit (a process may do so without privilege) and
    /// returns the soft limit in force afterwards. Systems often start services at a soft 1,024
    /// under a far higher hard limit.
    static func raiseSoftLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1_024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            // An unlimited hard limit (RLIM_INFINITY, all ones; Swift cannot import the macro)
            // cannot be the soft one: the kernel caps open files at fs.nr_open.
            raised.rlim_cur = limit.rlim_max == rlim_t.max ? max(limit.rlim_cur, 1 << 20) : limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return limit.rlim_cur >= rlim_t(Int.max) ? Int.max : Int(limit.rlim_cur)
    }

    /// The connection cap to use: the configured one, lowered so that clients plus `reserved`
    /// and the Mem0 client's connections fit in the limit.
    static func connectionCap(configured: Int, softLimit: Int, otherConnections: Int) -> Int {
        let room = softLimit - reserved - otherConnections
        return max(1, min(configured, room))
    }
}
