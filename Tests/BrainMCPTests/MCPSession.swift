import BrainTestSupport
import Foundation
import MCP
import SystemPackage
import Testing

/// A spawned `brain mcp` process and the SDK's MCP client talking to it over the process's stdin
/// and stdout, as an agent's MCP client would.
final class MCPSession: @unchecked Sendable {
    let process: ChildProcess
    let client = Client(name: "braind-tests", version: "1.0.0")
    /// The server's answer to `initialize`.
    private(set) var initialized: Initialize.Result?
    /// brain mcp's stderr (its logs).
    let logPath: String
    private let toServer: CloseOnExecPipe
    private let fromServer: CloseOnExecPipe

    /// Starts `brain mcp --socket SOCKET` and completes the MCP handshake.
    init(socketPath: String, directory: String) async throws {
        logPath = directory + "/brain-mcp-\(UUID().uuidString.prefix(8)).log"
        toServer = try CloseOnExecPipe()
        fromServer = try CloseOnExecPipe()
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process = try ChildProcess(
            executable: Binaries.url("brain").path, arguments: ["mcp", "--socket", socketPath, "--log-level", "debug"],
            environment: isolatedEnvironment(directory: directory),
            stdin: .descriptor(toServer.read), stdout: .descriptor(fromServer.write), stderr: .descriptor(log.fileDescriptor))
        try log.close()
        // The server's ends live in the server now; ours would keep its stdin open and our reads from ending.
        toServer.closeRead()
        fromServer.closeWrite()
        // The client writes to the server's stdin and reads its stdout: the SDK's stdio transport
        // takes any pair of descriptors, so no custom transport is needed.
        let transport = StdioTransport(
            input: FileDescriptor(rawValue: fromServer.read),
            output: FileDescriptor(rawValue: toServer.write))
        initialized = try await client.connect(transport: transport)
    }

    /// Calls a tool and returns the whole result, structured content included (the SDK's
    /// `callTool` convenience drops it).
    func call(_ name: String, _ arguments: [String: Value] = [:]) async throws -> CallTool.Result {
        try await client.send(CallTool.request(.init(name: name, arguments: arguments))).value
    }

    /// Disconnects, closes the server's stdin and waits for it to exit; returns its exit status.
    func close() async throws -> Int32 {
        await client.disconnect()
        toServer.closeWrite()
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill(process.processIdentifier, SIGKILL)
                throw SessionError.didNotExitOnEOF
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return process.terminationStatus
    }

    /// Everything brain mcp logged so far.
    func readLog() -> String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    func killIfRunning() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }

    enum SessionError: Error {
        case didNotExitOnEOF
    }
}

/// Runs `body` with a fresh braind and a `brain mcp` connected to it, then checks that brain mcp
/// exits cleanly when its client closes stdin.
func withBrainMCP(_ body: (MCPSession, DaemonProcess) async throws -> Void) async throws {
    let daemon = try await DaemonProcess()
    defer { daemon.removeDirectory() }
    let session = try await MCPSession(socketPath: daemon.socketPath, directory: daemon.directory)
    do {
        try await body(session, daemon)
    } catch {
        session.killIfRunning()
        throw error
    }
    let status = try await session.close()
    #expect(status == 0, "brain mcp exits 0 on stdin EOF; its log:\n\(session.readLog())")
}

extension CallTool.Result {
    /// The text contents, joined.
    var text: String {
        content.compactMap { item in
            if case .text(let text, _, _) = item { return text }
            return nil
        }.joined(separator: "\n")
    }

    /// `structuredContent.error.code` of a failed call.
    var errorCode: String? {
        structuredContent?.objectValue?["error"]?.objectValue?["code"]?.stringValue
    }
}
