import BrainCore
import BrainServer
import BrainTestSupport
import FakeMem0
import Foundation
import Testing

extension Proofs {
    /// Log scan: with a recognisable Mem0 key, braind at trace level and every CLI command never
    /// print the key, even when Mem0 echoes it back in an error body.
    @Suite(.timeLimit(.minutes(2)))
    struct SecretScanTests {
        static let key = "m0-PROOFKEY-7c1e9a4b2d6f80355e17b9a0c3d2f6e1"
        /// A distinctive part of the key, to catch a truncated or re-wrapped leak too.
        static let keyFragment = "7c1e9a4b2d6f80355e17"

        @Test("MEM0_API_KEY appears 0 times in braind's trace log, CLI output, status JSON and error answers")
        func keyNeverLeaks() async throws {
            let fake = FakeMem0Server(configuration: .init(settings: FakeMem0Settings(apiKey: Self.key)))
            try await fake.start()
            let directory = try makeShortTemporaryDirectory()
            let config = try writeConfiguration(
                """
                [mem0]
                timeout_seconds = 2

                [sync]
                backoff_cap_seconds = 2
                """, in: directory)
            let environment = ["MEM0_API_KEY": Self.key, "MEM0_BASE_URL": fake.baseURL.absoluteString]
            let daemon = try await DaemonProcess(
                directory: directory, logLevel: "trace", extraArguments: ["--config", config], environment: environment)
            defer { daemon.removeDirectory() }
            var transcript = Transcript()
            // The user's shell exports the key, so the CLI sees it too.
            let cliEnvironment = ["BRAIND_SOCKET": daemon.socketPath, "MEM0_API_KEY": Self.key, "XDG_CONFIG_HOME": directory + "/no-config"]
            func brain(_ arguments: [String], stdin: String? = nil) async throws -> Int32 {
                let run = try await runCommand(Binaries.url("brain"), arguments, environment: cliEnvironment, stdin: stdin)
                transcript.add("brain \(arguments.joined(separator: " "))", run.stdout + run.stderr)
                return run.status
            }
            func counts() async throws -> BrainCounts { try await daemon.client.status().brains["company"] ?? BrainCounts() }

            // Saves and pushes (an add, then an update of the same row).
            #expect(try await brain(["save", "company", "12.345.678-5", "company_tax_regime", "Régimen tributario: ProPyme General", "--category", "company_tax"]) == 0)
            #expect(try await brain(["save", "company", "12.345.678-5", "--file", "-", "--json"], stdin: #"{"memories":[{"slug":"company_activity","content":"Actividad: Comercio","metadata":{"source":"proof"}}]}"#) == 0)
            #expect(try await waitFor { try await counts().synced == 2 })
            #expect(try await brain(["save", "company", "12.345.678-5", "company_activity", "Actividad: Servicios"]) == 0)
            #expect(try await waitFor {
                let company = try await counts()
                return company.synced == 2 && company.pending == 0
            })

            // A refused push (400) whose body echoes the key, then `brain list --failed` and `brain retry`.
            await fake.injectFault(FakeMem0Fault(
                .status(400, body: #"{"error":"Invalid request sent with Authorization: Token \#(Self.key)"}"#), route: .add, count: 1))
            #expect(try await brain(["save", "company", "12.345.678-5", "company_start_date", "Inicio de actividades: 2020-01-01"]) == 0)
            #expect(try await waitFor { try await counts().failed == 1 })
            _ = try await brain(["list", "company", "12.345.678-5", "--failed"])
            _ = try await brain(["list", "company", "12.345.678-5", "--failed", "--json"])
            _ = try await brain(["get", "company", "12.345.678-5", "company_start_date", "--json"])
            _ = try await brain(["status"])
            #expect(try await brain(["retry"]) == 0)
            #expect(try await waitFor { try await counts().synced == 3 })

            // A refused key (401, echoing it) pauses pushing; status shows auth_failed; it resumes.
            await fake.injectFault(FakeMem0Fault(.status(401, body: #"{"detail":"Invalid API key \#(Self.key)"}"#), count: 2))
            #expect(try await brain(["save", "company", "12.345.678-5", "company_legal_representative", "Representante legal: Ana Soto"]) == 0)
            let paused = try await waitFor(within: .seconds(10), every: .milliseconds(20)) {
                try await daemon.client.status().mem0.state == "auth_failed"
            }
            _ = try await brain(["status", "--json"])
            transcript.add("GET /v1/status (auth_failed)", await Self.raw(daemon, "GET", "/v1/status"))
            #expect(try await waitFor(within: .seconds(20)) { try await counts().synced == 4 })

            // Retryable failures whose bodies echo the key: 500 and 429.
            await fake.injectFault(FakeMem0Fault(.status(500, body: #"{"error":"boom for \#(Self.key)"}"#), count: 1))
            await fake.injectFault(FakeMem0Fault(.status(429, retryAfter: "1", body: #"{"detail":"slow down \#(Self.key)"}"#), count: 1))
            #expect(try await brain(["save", "company", "12.345.678-5", "company_accounting_start", "Inicio contabilidad: 2020-02-01"]) == 0)
            _ = try await brain(["status", "--json"])
            #expect(try await waitFor(within: .seconds(20)) { try await counts().synced == 5 })

            // Reconcile, search through Mem0, and the status as JSON.
            #expect(try await brain(["reconcile", "--json"]) == 0)
            _ = try await brain(["reconcile", "--last"])
            _ = try await brain(["search", "company", "12.345.678-5", "propyme", "--mode", "remote"])
            _ = try await brain(["search", "company", "12.345.678-5", "propyme", "--json"])
            _ = try await brain(["status", "--json"])
            _ = try await brain(["status"])
            _ = try await brain(["ping"])

            // Error answers: CLI errors and raw API errors.
            _ = try await brain(["get", "company", "12.345.678-5", "no_such_slug"])
            _ = try await brain(["save", "company", "12.345.678-K", "a_slug", "x"])
            _ = try await brain(["save", "company", "12.345.678-5", "Bad Slug", "x"])
            _ = try await brain(["save", "company", "12.345.678-5", "--file", "-"], stdin: "{not json")
            _ = try await brain(["list", "user", "99.999.999-9"])
            for (method, path, body) in [
                ("POST", "/v1/companies/123456785/memories", "{"), ("GET", "/v1/nowhere", ""),
                ("POST", "/v1/reconcile", #"{"entity":5}"#), ("GET", "/v1/reconcile/runs/nope", ""),
                ("POST", "/v1/search", #"{"q":"x","owner":"123456785","brain":"company","mode":"remote"}"#),
            ] {
                transcript.add("\(method) \(path)", await Self.raw(daemon, method, path, body: body))
            }
            #expect(try await daemon.stopReporting("secret-scan"))

            // braind refusing a configuration file that holds the key (a typo'd key name, bad TOML).
            for (name, text) in [
                ("typo.toml", "[mem0]\napikey = \"\(Self.key)\"\n"),
                ("unterminated.toml", "[mem0]\napi_key = \"\(Self.key)\n"),
                ("badtype.toml", "[mem0]\napi_key = \"\(Self.key)\"\ntimeout_seconds = \"\(Self.key)\"\n"),
                ("duplicate.toml", "[mem0]\napi_key = \"\(Self.key)\"\napi_key = \"\(Self.key)\"\n"),
            ] {
                let path = try writeConfiguration(text, in: directory, name: name)
                let run = try await runCommand(
                    Binaries.url("braind"), ["--config", path, "--socket", directory + "/run/bad.sock", "--db", directory + "/bad.sqlite"],
                    environment: ["XDG_CONFIG_HOME": directory + "/no-config"])
                transcript.add("braind --config \(name) (exit \(run.status))", run.stdout + run.stderr)
                let cli = try await runCommand(Binaries.url("brain"), ["status", "--config", path], environment: ["XDG_CONFIG_HOME": directory + "/no-config"])
                transcript.add("brain status --config \(name) (exit \(cli.status))", cli.stdout + cli.stderr)
            }

            let log = daemon.readStderr()
            transcript.add("braind stderr log (trace)", log)
            let logLines = log.split(separator: "\n")
            let mem0Lines = logLines.count { $0.contains("mem0 request") }
            let redacted = transcript.entries.reduce(0) { $0 + $1.text.components(separatedBy: "<redacted>").count - 1 }
            let leaks = transcript.entries.filter { $0.text.contains(Self.key) || $0.text.contains(Self.keyFragment) }
            print("[secret-scan] scanned \(transcript.bytes) bytes in \(transcript.entries.count) outputs (braind log \(log.utf8.count) bytes, \(logLines.count) lines, \(mem0Lines) 'mem0 request' trace lines); auth_failed seen=\(paused); '<redacted>' markers=\(redacted)")
            print("[secret-scan] occurrences of the key: \(leaks.reduce(0) { $0 + $1.text.components(separatedBy: Self.keyFragment).count - 1 })")
            for leak in leaks { print("[secret-scan]   LEAK in \(leak.label): \(Self.context(of: Self.keyFragment, in: leak.text))") }
            #expect(paused)
            #expect(mem0Lines > 0, "the trace log really covers Mem0 traffic")
            #expect(leaks.isEmpty)
            await fake.stop()
        }

        /// One raw request's whole answer (status line, headers and body) as text.
        private static func raw(_ daemon: DaemonProcess, _ method: String, _ path: String, body: String = "") async -> String {
            let request = RawUnixSocket.request(method, path, body: body.isEmpty ? nil : Array(body.utf8))
            return String(decoding: await RawUnixSocket.exchangeOffPool(path: daemon.socketPath, request: request).response, as: UTF8.self)
        }

        private static func context(of needle: String, in text: String) -> String {
            guard let range = text.range(of: needle) else { return "" }
            let start = text.index(range.lowerBound, offsetBy: -120, limitedBy: text.startIndex) ?? text.startIndex
            let end = text.index(range.upperBound, offsetBy: 80, limitedBy: text.endIndex) ?? text.endIndex
            return String(text[start..<end]).replacingOccurrences(of: "\n", with: "↵")
        }
    }
}

/// Everything a scan looks at, labelled by where it came from.
struct Transcript {
    struct Entry {
        var label: String
        var text: String
    }

    private(set) var entries: [Entry] = []

    mutating func add(_ label: String, _ text: String) { entries.append(Entry(label: label, text: text)) }

    var bytes: Int { entries.reduce(0) { $0 + $1.text.utf8.count } }
}
