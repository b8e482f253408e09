import BrainServer
import MCP

/// A tool call that failed, as an `isError` tool result. MCP reserves protocol errors for calls the
/// server cannot understand at all; a failed tool call must come back as a result, with a message
/// the model can read and act on (fix an argument, start braind, list slugs).
struct ToolFailure: Error, Sendable {
    /// Stable and machine-readable: `invalid_arguments`, `unknown_tool`, `daemon_not_running`, or
    /// braind's own error code (`validation_failed`, `memory_not_found`, ...).
    var code: String
    var message: String
    /// braind's HTTP status, when braind answered.
    var status: Int?

    /// Maps any error a handler throws.
    init(_ error: any Error) {
        switch error {
        case let error as ToolFailure:
            self = error
        case let error as ToolArgumentError:
            self.init(code: "invalid_arguments", message: "Invalid arguments: \(error.message).")
        case DaemonClientError.notRunning(let socket):
            self.init(
                code: "daemon_not_running",
                message: """
                    braind is not running on \(socket). Start braind, or point `brain mcp --socket` \
                    (or BRAIND_SOCKET) at a running daemon, then call the tool again.
                    """)
        case DaemonClientError.socketPathTooLong, DaemonClientError.permissionDenied:
            self.init(
                code: "daemon_unreachable",
                message: "Cannot reach braind: \(error). Point `brain mcp --socket` (or BRAIND_SOCKET) at a socket this user may use.")
        case DaemonClientError.api(let status, let code, let message):
            let hint = Self.hint(forCode: code).map { " \($0)" } ?? ""
            self.init(code: code, message: "braind refused the call: \(message) (HTTP \(status), \(code)).\(hint)", status: status)
        case DaemonClientError.transport(let detail):
            self.init(code: "transport_error", message: "Cannot talk to braind: \(detail).")
        case DaemonClientError.unexpectedAnswer(let detail):
            self.init(code: "unexpected_answer", message: "Unexpected answer from braind: \(detail).")
        default:
            self.init(code: "internal_error", message: "The tool failed: \(error).")
        }
    }

    init(code: String, message: String, status: Int? = nil) {
        self.code = code
        self.message = message
        self.status = status
    }

    static func unknownTool(_ name: String) -> ToolFailure {
        let names = BrainTools.all.map(\.name).joined(separator: ", ")
        return ToolFailure(code: "unknown_tool", message: "Unknown tool '\(name)'. The tools are: \(names).")
    }

    /// The text for the model, and `{"error": {code, message, status?}}` for programs.
    var result: CallTool.Result {
        var error: [String: Value] = ["code": .string(code), "message": .string(message)]
        if let status { error["status"] = .int(status) }
        return CallTool.Result(
            content: [.text(text: message, annotations: nil, _meta: nil)],
            structuredContent: ["error": .object(error)], isError: true)
    }

    /// What to do next, for braind's error codes an agent can act on.
    private static func hint(forCode code: String) -> String? {
        switch code {
        case "validation_failed":
            "Fix the field named in the message: owners are RUTs such as 12.345.678-5, slugs are snake_case."
        case "owner_not_found":
            "braind knows nothing about this owner yet (an owner is created by its first save); check the RUT."
        case "memory_not_found":
            "Call list_memories or search for this owner to see which slugs exist."
        case "storage_unavailable":
            "braind cannot write right now (disk full or read-only database); reads still work."
        case "route_not_found":
            "This braind does not offer that operation; it is probably older than this brain binary."
        default: nil
        }
    }
}
