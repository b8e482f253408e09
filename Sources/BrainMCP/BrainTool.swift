import BrainServer
import MCP

/// One MCP tool: what `tools/list` shows, and the code `tools/call` runs.
struct BrainTool: Sendable {
    /// Runs a call against braind. Throws `ToolArgumentError` for bad arguments and
    /// `DaemonClientError` when braind cannot or will not answer; the server turns both into
    /// `isError` results.
    typealias Handler = @Sendable (ToolArguments, DaemonClient) async throws -> ToolOutput

    let definition: Tool
    let handler: Handler

    var name: String { definition.name }
}

/// A tool's answer: text for the model, and braind's JSON answer for programs.
struct ToolOutput: Sendable {
    var text: String
    var structured: Value?
    /// Set when braind answered but the operation did not fully succeed (a save with failed items).
    var isError = false

    /// Builds an answer whose structured content is braind's reply, encoded as braind sends it.
    init(text: String, reply: some Codable, isError: Bool = false) {
        self.text = text
        structured = try? Value(reply)
        self.isError = isError
    }

    var result: CallTool.Result {
        CallTool.Result(
            content: [.text(text: text, annotations: nil, _meta: nil)], structuredContent: structured, isError: isError)
    }
}
