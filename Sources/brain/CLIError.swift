import ArgumentParser
import BrainServer
import Foundation

/// An error for people: what went wrong, and what to try.
struct CLIError: Error, CustomStringConvertible {
    var message: String
    var hint: String?

    var description: String { message }
}

/// Runs a command body, printing any failure as `Error: ...` and `Try: ...` and exiting non-zero.
func runReportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as CLIError {
        fail(error.message, hint: error.hint)
    } catch DaemonClientError.notRunning(let socket) {
        fail(
            "braind is not running on \(socket)",
            hint: "start it with `braind` (or `swift run braind`), or point --socket / BRAIND_SOCKET at a running daemon")
    } catch DaemonClientError.socketPathTooLong(let socket, let limit) {
        fail(
            "the socket path \(socket) is \(socket.utf8.count) bytes; Unix sockets allow at most \(limit)",
            hint: "use a shorter socket path, for braind and brain alike (--socket, BRAIND_SOCKET or server.socket)")
    } catch DaemonClientError.permissionDenied(let socket) {
        fail(
            "permission denied connecting to \(socket): braind's socket and its directory are private to the user who runs braind",
            hint: "run brain as that user, or have it add your uid to access.allowed_uids and open the socket's directory to you")
    } catch DaemonClientError.untrustedSocket(let socket, let owner) {
        fail(
            DaemonClientError.untrustedSocket(socket: socket, owner: owner).description,
            hint: "another user may have taken over the socket's directory: check it with `ls -ln`, remove it and "
                + "restart braind, or point --socket / BRAIND_SOCKET at your own daemon's socket")
    } catch DaemonClientError.api(let status, let code, let message) {
        fail("\(message) (HTTP \(status), \(code))", hint: hint(forCode: code))
    } catch let error as DaemonClientError {
        fail(error.description, hint: nil)
    }
}

private func fail(_ message: String, hint: String?) -> Never {
    var text = "Error: \(message)\n"
    if let hint { text += "Try: \(hint)\n" }
    FileHandle.standardError.write(Data(text.utf8))
    exit(1)
}

/// The subcommand being run (`list`, `search`), for hints that point at its help. Every
/// subcommand's options follow its name, so it is the first argument.
private var commandName: String {
    CommandLine.arguments.dropFirst().first { !$0.hasPrefix("-") } ?? "save"
}

private func hint(forCode code: String) -> String? {
    switch code {
    case "validation_failed": "check the value named above; `brain \(commandName) --help` shows what is accepted"
    case "body_too_large":
        "split the batch into smaller ones, or raise server.max_body_bytes in braind's configuration (1 MiB by default) and restart it"
    case "shutting_down": "start braind again and run the command again: the work already done is kept"
    case "owner_not_found": "owners are created by their first save; check the RUT or UUID"
    case "memory_not_found": "`brain list company|user OWNER` shows the slugs that exist"
    case "storage_unavailable": "free disk space or fix the database file's permissions; reads still work"
    case "invalid_token", "token_required": "pass a valid token with --token or BRAIN_TOKEN (`brain token create`)"
    case "forbidden": "this token or user does not reach that brain; ask the socket owner"
    default: nil
    }
}

