import BrainCore
import BrainServer
import Logging
import MCP

/// The MCP server behind `brain mcp`: braind's memories as tools for AI agents.
///
/// It holds no state of its own and reaches braind only through `DaemonClient`, so it starts even
/// when braind is down and every tool call reports that in its result until braind is back.
public struct BrainMCPServer: Sendable {
    public let client: DaemonClient
    public let logger: Logger

    /// - Parameters:
    ///   - client: the socket client of the braind to serve.
    ///   - logger: where the server logs; it must not write to stdout, the protocol channel.
    public init(client: DaemonClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Told to the client at `initialize`; clients may show it to the model.
    static let instructions = """
        braind keeps facts ("memories") about companies and people, one per slug, in a company brain and \
        a user brain. Owners are named by their Chilean RUT (e.g. 12.345.678-5). Search before answering \
        questions about an owner, save durable facts as you learn them, and correct a fact by saving its \
        slug again.
        """

    /// Serves MCP on stdin and stdout until the client closes stdin.
    public func run() async throws {
        try await run(transport: StdioTransport(logger: logger))
    }

    /// Serves MCP on `transport` until its input ends, then answers the requests still running.
    public func run(transport: any Transport) async throws {
        let server = await makeServer()
        let draining = DrainingTransport(transport, logger: logger)
        try await server.start(transport: draining)
        await server.waitUntilCompleted()
        // A call can take up to the socket client's deadline; its answer is still wanted.
        await draining.drain(timeout: client.timeout + .seconds(5))
        await server.stop()
        logger.debug("MCP input ended; stopping")
    }

    /// A configured SDK server, not yet started.
    public func makeServer() async -> Server {
        let server = Server(
            name: "braind", version: BrainVersion.daemon, title: "braind memories", instructions: Self.instructions,
            capabilities: .init(tools: .init(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { _ in
            ListTools.Result(tools: BrainTools.all.map(\.definition))
        }
        await server.withMethodHandler(CallTool.self) { [self] parameters in
            await call(parameters)
        }
        return server
    }

    /// Runs one tool call. It never throws: every failure becomes an `isError` result.
    func call(_ parameters: CallTool.Parameters) async -> CallTool.Result {
        let started = ContinuousClock.now
        let result: CallTool.Result
        if let tool = BrainTools.named(parameters.name) {
            do {
                result = try await tool.handler(ToolArguments(parameters.arguments), client).result
            } catch {
                result = ToolFailure(error).result
            }
        } else {
            result = ToolFailure.unknownTool(parameters.name).result
        }
        logger.debug(
            "tool call",
            metadata: [
                "braind.mcp.tool": "\(parameters.name)", "braind.mcp.is_error": "\(result.isError ?? false)",
                "braind.mcp.elapsed": "\(ContinuousClock.now - started)",
            ])
        return result
    }
}
