import BrainTestSupport
import Foundation
import Testing

@Suite(.timeLimit(.minutes(2)))
struct PipedInputTests {
    @Test("Requests piped in with stdin closed at once all get answers, and stdout carries only JSON-RPC")
    func pipedRequests() async throws {
        let daemon = try await DaemonProcess()
        defer { daemon.removeDirectory() }
        let requests = [
            #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"pipe","version":"1"}}}"#,
            #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"save_user_memory","arguments":{"owner":"11.111.111-1","slug":"user_full_name","content":"Nombre completo: Juan Pérez"}}}"#,
            #"{"jsonrpc":"2.0","id":3,"method":"tools/list"}"#,
            #"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"get_memory","arguments":{"brain":"user"}}}"#,
        ]
        // Debug logging on: every log line must still go to stderr, never into the protocol.
        let run = try await runBrainMCP(
            ["mcp", "--socket", daemon.socketPath, "--log-level", "debug"], directory: daemon.directory,
            stdin: requests.joined(separator: "\n") + "\n")
        #expect(run.status == 0)
        let lines = run.stdout.split(separator: "\n")
        let messages = try lines.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON-RPC: \(line)")
        }
        #expect(Set(messages.compactMap { $0["id"] as? Int }) == [1, 2, 3, 4])
        #expect(run.stderr.contains("tool call"))
        #expect(try await daemon.client.memory(.user, owner: "111111111", slug: "user_full_name").content == "Nombre completo: Juan Pérez")
    }
}

/// Runs `brain` with `stdin` written and closed at once; returns its exit status and outputs.
func runBrainMCP(_ arguments: [String], directory: String, stdin: String) async throws -> (status: Int32, stdout: String, stderr: String) {
    try await runCommand(Binaries.url("brain"), arguments, exactEnvironment: isolatedEnvironment(directory: directory), stdin: stdin)
}
