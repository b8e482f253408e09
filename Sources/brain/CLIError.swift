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

private func hint(forCode code: String) -> String? {
    switch code {
    case "validation_failed": "check the field named above; `brain save --help` shows the expected shapes"
    case "owner_not_found": "owners are created by their first save; check the RUT or UUID"
    case "memory_not_found": "`brain list company|user OWNER` shows the slugs that exist"
    case "storage_unavailable": "free disk space or fix the database file's permissions; reads still work"
    case "invalid_token", "token_required": "pass a valid token with --token or BRAIN_TOKEN (`brain token create`)"
    case "forbidden": "this token or user does not reach that brain; ask the socket owner"
    default: nil
    }
}
