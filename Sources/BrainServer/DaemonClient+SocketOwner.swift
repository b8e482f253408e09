import Foundation

extension DaemonClient {
    /// Refuses to send a token to a socket owned by anyone but this user or root. Whoever owns the
    /// socket file bound it and reads every request: another local user who took over the socket's
    /// directory would collect the token and could replay it against the real daemon.
    func checkSocketOwnerBeforeSendingToken() throws(DaemonClientError) {
        guard token != nil else { return }
        var info = stat()
        // No socket at all is reported by the connection probe, as "not running".
        guard stat(socketPath, &info) == 0 else { return }
        guard info.st_uid == geteuid() || info.st_uid == 0 else {
            throw .untrustedSocket(socket: socketPath, owner: info.st_uid)
        }
    }
}
