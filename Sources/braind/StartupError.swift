import Foundation

/// Why braind cannot start, for people: what is wrong and what to do. Printed as
/// `braind: error: MESSAGE` and `Try: HINT`.
struct StartupError: Error, CustomStringConvertible {
    var message: String
    var hint: String

    var description: String { message }

    /// Longest socket path the kernel accepts: `sun_path` holds 108 bytes with the final NUL.
    static let maxSocketPathBytes = 107

    /// Refuses a socket path the kernel cannot bind, before anything is created for it.
    static func checkSocketPath(_ path: String) throws(StartupError) {
        let bytes = path.utf8.count
        guard bytes > maxSocketPathBytes else { return }
        throw StartupError(
            message: "the socket path \(path) is \(bytes) bytes; Unix sockets allow at most \(maxSocketPathBytes)",
            hint: "pass a shorter --socket (or BRAIND_SOCKET, server.socket), e.g. under $XDG_RUNTIME_DIR or /tmp")
    }

    /// The data directory could not be made.
    static func cannotCreateDirectory(_ path: String, error: any Error) -> StartupError {
        StartupError(
            message: "cannot create the data directory \(path): \(reason(error))",
            hint: "create it yourself with write permission for braind's user, or pass --db (or BRAIND_DB) with a path in a writable directory")
    }

    /// The database could not be opened or migrated.
    static func cannotOpenDatabase(_ path: String, error: any Error) -> StartupError {
        StartupError(
            message: "cannot open the database \(path): \(error)",
            hint: "check that \(path) is a SQLite file (not a directory) that braind's user can read and write, in a writable directory, or pass --db with another path")
    }

    /// The webhook listener is asked for without what makes it safe or useful.
    static func webhooks(missing what: String, hint: String) -> StartupError {
        StartupError(message: "webhooks.listen is set, but \(what)", hint: hint)
    }

    /// The POSIX reason inside a Foundation file error (`Permission denied`), not its dump.
    private static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
        if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
        return nsError.localizedDescription
    }
}
