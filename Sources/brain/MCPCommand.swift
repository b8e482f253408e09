import ArgumentParser
import BrainMCP
import Foundation
import Logging

/// `brain mcp`: braind's memories as MCP tools for AI agents, on stdin and stdout.
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve braind's memories as MCP tools on stdin/stdout (started by an MCP client).",
        discussion: """
            An MCP client starts this command and talks JSON-RPC to it over stdin and stdout; it runs until \
            the client closes stdin. It reaches braind through its socket, found like every other command \
            (--socket, BRAIND_SOCKET, the config file, the default); name it explicitly in the client's \
            configuration, since clients may not pass XDG_RUNTIME_DIR. Logs go to stderr.

            Tools: search_user_memory, search_company_memory, save_user_memory, save_company_memory, \
            get_memory, list_memories, delete_memory.

            Example client configuration:
              {"mcpServers": {"braind": {"command": "/path/to/brain", "args": ["mcp", "--socket", "/path/to/braind.sock"]}}}
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Log level on stderr: trace, debug, info, notice, warning, error or critical.")
    var logLevel = "notice"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() async throws {
        // stdout carries the protocol, and swift-log's default handler writes to stdout: route every
        // logger to stderr before anything (the SDK, the socket client) creates one.
        let level = Logger.Level(rawValue: logLevel) ?? .notice
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        try await runReportingErrors {
            // The SDK's stdio transport puts stdin in non-blocking mode, which would leak into the
            // user's shell; a person who runs this by hand wants the hint, not a silent wait.
            guard isatty(STDIN_FILENO) != 1 else {
                throw CLIError(
                    message: "brain mcp talks MCP over stdin and stdout; an MCP client starts it, not a terminal",
                    hint: "register `brain mcp` in your MCP client (README, \"Agents over MCP\"), or pipe JSON-RPC into it")
            }
            let client = try global.client()
            let logger = Logger(label: "braind.mcp")
            if (try? await client.ping()) == nil {
                logger.warning("braind is not answering on \(client.socketPath); tool calls will say so until it does")
            }
            try await BrainMCPServer(client: client, logger: logger).run()
        }
    }
}
