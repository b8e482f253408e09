import BrainCore
import BrainServer
import BrainTestSupport
import FakeMem0
import Foundation
import Testing

extension Proofs {
    /// Fuzz: generated and mutated requests over the raw socket. braind must never crash, never
    /// answer 5xx, and still answer `ping` afterwards.
    @Suite(.timeLimit(.minutes(3)))
    struct FuzzTests {
        static let requests = 10_000
        static let seed: UInt64 = 0xF022_B4A1_5EED
        static let workers = 4

        @Test("10,000 generated and mutated requests: 0 crashes, 0 answers with status 5xx, ping still answers")
        func fuzz() async throws {
            let daemon = try await DaemonProcess()
            defer { daemon.removeDirectory() }
            // A few rows, so reads, deletes and searches also meet existing data.
            _ = try await daemon.client.save(.company, owner: "12.345.678-5", memories: [
                MemoryInput(slug: "company_tax_regime", category: "company_tax", content: "Régimen tributario: ProPyme General"),
                MemoryInput(slug: "company_activity", content: "Actividad: Comercio"),
            ])
            let started = ContinuousClock.now
            let outcome = await Self.run(socketPath: daemon.socketPath, pid: daemon.pid)
            let elapsed = ContinuousClock.now - started

            // The daemon must still be there and answer.
            let alive = daemon.process.isRunning
            let ping = await RawUnixSocket.exchangeOffPool(path: daemon.socketPath, request: RawUnixSocket.request("GET", "/v1/ping"))
            let clientPing = try? await daemon.client.ping()
            let crashes = alive ? 0 : 1
            let classes = outcome.byClass.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            print("[fuzz] requests=\(outcome.sent) seed=0x\(String(Self.seed, radix: 16)) in \(elapsed) crashes=\(crashes) 5xx=\(outcome.serverErrors.count) by status class: \(classes)")
            for kind in outcome.byKind.keys.sorted() {
                let counts = outcome.byKind[kind]!.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                let time = outcome.timeByKind[kind].map { String(format: "%.1f s", Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18) } ?? "?"
                print("[fuzz]   \(kind): \(counts) (time \(time))")
            }
            let targets = outcome.serverErrorTargets.sorted { $0.value > $1.value }.map { "\($0.key)=\($0.value)" }
            if !targets.isEmpty { print("[fuzz]   5xx by request: \(targets.joined(separator: ", "))") }
            for example in outcome.serverErrors.prefix(4) { print("[fuzz]   5xx example: \(example)") }
            if let unreachable = outcome.unreachable { print("[fuzz]   daemon unreachable after: \(unreachable)") }
            let unhandled = daemon.readStderr().split(separator: "\n").filter { $0.contains("unhandled error") }
            print("[fuzz] after: process running=\(alive) raw ping=\(ping.status.map(String.init) ?? "none") client ping ok=\(clientPing?.ok == true) 'unhandled error' log lines=\(unhandled.count)")
            let reasons = Dictionary(grouping: unhandled) { line -> String in
                guard let start = line.range(of: "braind.error=")?.upperBound, let end = line.range(of: " braind.path=")?.lowerBound else { return String(line) }
                return String(line[start..<end])
            }
            for (reason, lines) in reasons.sorted(by: { $0.key < $1.key }) { print("[fuzz]   log 'unhandled error' braind.error=\(reason): \(lines.count) lines") }

            // What one small, deeply nested body costs braind (it is refused or stored, never a 5xx).
            var costs: [String] = []
            for depth in [128, 256, 384, 511] {
                let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
                let request = RawUnixSocket.request("POST", "/v1/companies/123456785/memories", body: Array(nested.utf8))
                let sentAt = ContinuousClock.now
                let answer = await RawUnixSocket.exchangeOffPool(path: daemon.socketPath, request: request, halfClose: true, timeout: .seconds(30))
                let took = ContinuousClock.now - sentAt
                costs.append("depth \(depth) (\(request.count) bytes) -> \(answer.status ?? -1) in \(took.formatted(.units(allowed: [.milliseconds], width: .narrow)))")
            }
            print("[fuzz] nesting cost: \(costs.joined(separator: "; "))")

            #expect(outcome.sent == Self.requests)
            #expect(crashes == 0)
            #expect(outcome.unreachable == nil)
            #expect(outcome.serverErrors.isEmpty, "braind answered \(outcome.serverErrors.count) requests with a 5xx")
            #expect(ping.status == 200)
            #expect(clientPing?.ok == true)
            try await daemon.stop()
        }

        @Test("Minimal reproduction: a body that ends early or has a bad chunk size is answered 4xx, never 500")
        func malformedBodyFraming() async throws {
            let daemon = try await DaemonProcess()
            defer { daemon.removeDirectory() }
            let body = #"{"memories":[{"slug":"company_activity","content":"Actividad: Comercio"}]}"#
            let cases: [(String, [UInt8])] = [
                // The client promises 200 bytes, sends fewer, and closes its side (a client killed mid-upload).
                ("body shorter than Content-Length", Array(
                    "POST /v1/companies/123456785/memories HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n\(body)".utf8)),
                ("chunk size that is not hex", Array(
                    "POST /v1/companies/123456785/memories HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nabc\r\n0\r\n\r\n".utf8)),
                ("search body shorter than Content-Length", Array(
                    "POST /v1/search HTTP/1.1\r\nHost: localhost\r\nContent-Length: 500\r\n\r\n{\"q\":\"x\"".utf8)),
            ]
            var statuses: [String] = []
            for (name, request) in cases {
                let answer = await RawUnixSocket.exchangeOffPool(path: daemon.socketPath, request: request, halfClose: true)
                statuses.append("\(name) -> \(answer.status.map(String.init) ?? "no answer")")
                #expect((answer.status ?? 400) < 500, "\(name): \(String(decoding: answer.body, as: UTF8.self))")
            }
            let unhandled = daemon.readStderr().split(separator: "\n").filter { $0.contains("unhandled error") }
            print("[fuzz/repro] \(statuses.joined(separator: "; ")); 'unhandled error' log lines=\(unhandled.count)")
            for line in unhandled { print("[fuzz/repro]   \(line.prefix(260))") }
            try await daemon.stop()
        }

        // MARK: - Running

        struct Outcome: Sendable {
            var sent = 0
            var byClass: [String: Int] = [:]
            var byKind: [String: [String: Int]] = [:]
            var timeByKind: [String: Duration] = [:]
            var serverErrors: [String] = []
            /// 5xx answers by request line (method and path without the query).
            var serverErrorTargets: [String: Int] = [:]
            var unreachable: String?

            mutating func merge(_ other: Outcome) {
                sent += other.sent
                byClass.merge(other.byClass, uniquingKeysWith: +)
                byKind.merge(other.byKind) { $0.merging($1, uniquingKeysWith: +) }
                timeByKind.merge(other.timeByKind, uniquingKeysWith: +)
                serverErrors += other.serverErrors
                serverErrorTargets.merge(other.serverErrorTargets, uniquingKeysWith: +)
                unreachable = unreachable ?? other.unreachable
            }
        }

        /// Sends every case from `workers` threads (blocking sockets stay off the cooperative pool).
        static func run(socketPath: String, pid: Int32) async -> Outcome {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    let results = ResultBox(count: workers)
                    DispatchQueue.concurrentPerform(iterations: workers) { worker in
                        var outcome = Outcome()
                        for index in stride(from: worker, to: requests, by: workers) {
                            let fuzzCase = FuzzCase.make(index: index, seed: seed)
                            let sentAt = ContinuousClock.now
                            let exchange = RawUnixSocket.exchange(
                                path: socketPath, request: fuzzCase.bytes, halfClose: true, timeout: .seconds(5))
                            outcome.timeByKind[fuzzCase.kind, default: .zero] += ContinuousClock.now - sentAt
                            outcome.sent += 1
                            let statusClass: String
                            if exchange.connectError != nil {
                                statusClass = "connect_failed"
                                outcome.unreachable = outcome.unreachable ?? "case \(index) (\(fuzzCase.kind))"
                            } else if let status = exchange.status {
                                statusClass = "\(status / 100)xx"
                                if status >= 500 {
                                    let head = String(decoding: exchange.body.prefix(160), as: UTF8.self)
                                    let line = String(decoding: fuzzCase.bytes.prefix { $0 != 13 && $0 != 10 }.prefix(120), as: UTF8.self)
                                    let target = line.split(separator: " ").prefix(2).joined(separator: " ").split(separator: "?").first.map(String.init) ?? line
                                    outcome.serverErrorTargets[target, default: 0] += 1
                                    outcome.serverErrors.append(
                                        "case \(index) \(fuzzCase.kind) -> \(status) \(head) :: request \(FuzzCase.preview(fuzzCase.bytes))")
                                }
                            } else if exchange.timedOut {
                                statusClass = "timeout"
                            } else {
                                statusClass = "closed_without_answer"
                            }
                            outcome.byClass[statusClass, default: 0] += 1
                            outcome.byKind[fuzzCase.kind, default: [:]][statusClass, default: 0] += 1
                            if kill(pid, 0) != 0 || exchange.connectError != nil { break }
                        }
                        results.set(worker, outcome)
                    }
                    var total = Outcome()
                    for outcome in results.all { total.merge(outcome) }
                    continuation.resume(returning: total)
                }
            }
        }
    }
}

/// Per-worker results, each slot written by one worker before `concurrentPerform` returns.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Proofs.FuzzTests.Outcome]

    init(count: Int) { slots = Array(repeating: .init(), count: count) }

    func set(_ index: Int, _ outcome: Proofs.FuzzTests.Outcome) {
        lock.lock()
        slots[index] = outcome
        lock.unlock()
    }

    var all: [Proofs.FuzzTests.Outcome] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}

// MARK: - Generating cases

/// One fuzz request: its raw bytes and the generator that made it.
struct FuzzCase {
    var kind: String
    var bytes: [UInt8]

    /// Case `index` of the run seeded with `seed`: the same pair always gives the same bytes.
    static func make(index: Int, seed: UInt64) -> FuzzCase {
        var random = SplitMix64(seed: seed ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
        let generators: [(String, Int, (inout SplitMix64) -> [UInt8])] = [
            ("save_mutated_fields", 14, saveWithNastyFields),
            ("json_byte_mutation", 12, mutatedJSON),
            ("huge_fields", 4, hugeFields),
            ("bad_owner_or_slug_path", 10, badPath),
            ("random_bytes", 6, randomBytes),
            ("truncated_request", 8, truncatedRequest),
            ("wrong_method", 6, wrongMethod),
            ("odd_headers", 10, oddHeaders),
            ("invalid_utf8", 7, invalidUTF8),
            ("deep_nesting", 2, deepNesting),
            ("huge_numbers", 6, hugeNumbers),
            ("unknown_fields", 5, unknownFields),
            ("other_endpoints", 9, otherEndpoints),
        ]
        let totalWeight = generators.reduce(0) { $0 + $1.1 }
        var pick = Int.random(in: 0..<totalWeight, using: &random)
        for (kind, weight, generate) in generators {
            if pick < weight { return FuzzCase(kind: kind, bytes: generate(&random)) }
            pick -= weight
        }
        fatalError("unreachable")
    }

    /// The first bytes of a request, printable.
    static func preview(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.prefix(160), as: UTF8.self)
        return text.replacingOccurrences(of: "\r\n", with: "⏎").replacingOccurrences(of: "\n", with: "↵")
            + (bytes.count > 160 ? "… (\(bytes.count) bytes)" : "")
    }

    // MARK: Building blocks

    static let owners = [
        "12.345.678-5", "123456785", "12345678-5", "11.111.111-1", "12.345.678-K", "98765432k", "0", "-", "k", "K",
        "1-9", "00000000-0", "99.999.999-9", "1.2.3-4", "12345678901234567890-1", "12 345 678 5", "１２３４５６７８５",
        "12.345.678-5\u{0}", "abc", "", " ", "..", "%2e%2e", "%00", "%ZZ", "12.345.678-5;drop table", "'or'1'='1",
        "550e8400-e29b-41d4-a716-446655440000", "550E8400-E29B-41D4-A716-44665544000Z", String(repeating: "9", count: 300),
    ]

    static let slugs = [
        "company_tax_regime", "a", "_a", "A", "a-b", "a b", "a.b", "ñandú", "", "0", "a/b", "a%2Fb", "..", "%00", "a\u{0}b",
        String(repeating: "a", count: 255), String(repeating: "a", count: 256), String(repeating: "b", count: 5_000),
        "user_full_name", "😀", "a\nb", "a\tb", "select", "null", "true",
    ]

    static let strings = [
        "", " ", "x", "Régimen tributario: ProPyme General", "\u{0}", "\u{FEFF}", "😀😀😀", "\u{202E}abc", "<script>",
        "a\\\"b", "\\u0000", "\\ud800", "\\udfff\\ud800", "%s%n%x", "${jndi:ldap://x}", "' OR 1=1 --", "\r\n\r\n",
        String(repeating: "é", count: 20_000), String(repeating: "z", count: 32 * 1024), String(repeating: "z", count: 32 * 1024 + 1),
    ]

    static let jsonValues = [
        "null", "true", "false", "0", "-0", "1e400", "-1e400", "123456789012345678901234567890", "1.5", "NaN", "Infinity",
        "[]", "{}", "[1,2,3]", #"{"a":1}"#, #""x""#, "\"\"", "0x10", "01", "1e", "-", "\"\\ud800\"", "\"\\u00\"",
    ]

    static func pick<T>(_ values: [T], _ random: inout SplitMix64) -> T {
        values[Int.random(in: 0..<values.count, using: &random)]
    }

    static func jsonString(_ text: String) -> String {
        let data = try? JSONEncoder().encode(text)
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }

    static func escapePath(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/", "?", "#", "%"])) ?? text
    }

    static func memoriesPath(_ random: inout SplitMix64, owner: String? = nil) -> String {
        let brain = Bool.random(using: &random) ? "companies" : "users"
        return "/v1/\(brain)/\(escapePath(owner ?? pick(owners, &random)))/memories"
    }

    static func request(_ method: String, _ path: String, body: [UInt8]? = nil, headers: [(String, String)] = []) -> [UInt8] {
        RawUnixSocket.request(method, path, headers: body == nil ? headers : [("Content-Type", "application/json")] + headers, body: body)
    }

    static func item(_ random: inout SplitMix64) -> String {
        var fields: [String] = []
        if Int.random(in: 0..<10, using: &random) > 0 { fields.append(#""slug":"# + fieldValue(pick(slugs, &random), &random)) }
        if Bool.random(using: &random) { fields.append(#""category":"# + fieldValue(pick(strings, &random).prefix(80).description, &random)) }
        if Int.random(in: 0..<10, using: &random) > 0 { fields.append(#""content":"# + fieldValue(pick(strings, &random), &random)) }
        if Int.random(in: 0..<3, using: &random) == 0 {
            let keys = ["source", "brain", "slug", "category", "record_id", "", "n", "\u{0}", "ñ"]
            let members = (0..<Int.random(in: 0...3, using: &random)).map { _ in
                jsonString(pick(keys, &random)) + ":" + pick(jsonValues, &random)
            }
            fields.append(#""metadata":"# + (Int.random(in: 0..<4, using: &random) == 0 ? pick(jsonValues, &random) : "{" + members.joined(separator: ",") + "}"))
        }
        fields.shuffle(using: &random)
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// A JSON string most of the time, sometimes a value of another type.
    static func fieldValue(_ text: String, _ random: inout SplitMix64) -> String {
        Int.random(in: 0..<6, using: &random) == 0 ? pick(jsonValues, &random) : jsonString(text)
    }

    static func saveBody(_ random: inout SplitMix64, items: Int? = nil) -> String {
        let count = items ?? Int.random(in: 0...4, using: &random)
        return #"{"memories":["# + (0..<count).map { _ in item(&random) }.joined(separator: ",") + "]}"
    }

    // MARK: Generators

    static func saveWithNastyFields(_ random: inout SplitMix64) -> [UInt8] {
        request("POST", memoriesPath(&random), body: Array(saveBody(&random).utf8))
    }

    static func mutatedJSON(_ random: inout SplitMix64) -> [UInt8] {
        var body = Array(saveBody(&random, items: Int.random(in: 1...3, using: &random)).utf8)
        for _ in 0..<Int.random(in: 1...6, using: &random) where !body.isEmpty {
            let at = Int.random(in: 0..<body.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0: body[at] = UInt8.random(in: 0...255, using: &random)
            case 1: body.insert(pick(Array("{}[],:\"\\".utf8), &random), at: at)
            case 2: body.remove(at: at)
            case 3: body = Array(body[0..<at])
            case 4: body.insert(contentsOf: body[at..<min(body.count, at + 20)], at: at)
            default: body[at] ^= 0x80
            }
        }
        let path = Bool.random(using: &random) ? memoriesPath(&random, owner: "12.345.678-5") : "/v1/search"
        return request("POST", path, body: body)
    }

    static func hugeFields(_ random: inout SplitMix64) -> [UInt8] {
        let big = String(repeating: "x", count: Int.random(in: 32 * 1024...200 * 1024, using: &random))
        let body: String
        switch Int.random(in: 0..<7, using: &random) {
        case 0: body = #"{"memories":[{"slug":"big_content","content":"# + jsonString(big) + "}]}"
        case 1: body = #"{"memories":[{"slug":"# + jsonString(String(repeating: "a", count: 300)) + #","content":"x"}]}"#
        case 2: body = #"{"memories":[{"slug":"a","category":"# + jsonString(String(repeating: "c", count: 100)) + #","content":"x"}]}"#
        case 3: body = #"{"memories":[{"slug":"a","content":"x","metadata":{"blob":"# + jsonString(String(repeating: "m", count: 9 * 1024)) + "}}]}"
        case 4: body = #"{"memories":["# + (0..<1_001).map { #"{"slug":"s_\#($0)","content":"c"}"# }.joined(separator: ",") + "]}"
        case 5: body = #"{"memories":[{"slug":"a","content":"# + jsonString(String(repeating: "y", count: 1_100_000)) + "}]}"
        default: body = #"{"q":"# + jsonString(big) + #","owner":"12.345.678-5","brain":"company","mode":"local"}"#
        }
        let path = body.hasPrefix(#"{"q""#) ? "/v1/search" : memoriesPath(&random, owner: "12.345.678-5")
        return request("POST", path, body: Array(body.utf8))
    }

    static func badPath(_ random: inout SplitMix64) -> [UInt8] {
        let owner = pick(owners, &random)
        let slug = pick(slugs, &random)
        let brain = pick(["companies", "users", "company", "user", "COMPANIES", "", "..", "%00"], &random)
        let raw = Bool.random(using: &random)
        let ownerPart = raw ? owner.replacingOccurrences(of: " ", with: "%20") : escapePath(owner)
        let slugPart = raw ? slug.replacingOccurrences(of: " ", with: "%20") : escapePath(slug)
        let method = pick(["GET", "DELETE", "GET", "POST"], &random)
        let path = pick([
            "/v1/\(brain)/\(ownerPart)/memories/\(slugPart)",
            "/v1/\(brain)/\(ownerPart)/memories",
            "/v1/\(brain)/\(ownerPart)/memories/\(slugPart)/extra",
            "/v1/\(brain)/\(ownerPart)/memories?limit=\(Int.random(in: -5...2_000, using: &random))&cursor=\(slugPart)",
            "/v1/\(brain)/\(ownerPart)/memories?category=\(slugPart)",
            "/v1/load/\(brain)/\(ownerPart)",
            "//v1//\(brain)//\(ownerPart)",
            "/v1/\(brain)/\(ownerPart)/memories/\(slugPart)#frag",
        ], &random)
        return request(method, path, body: method == "POST" ? Array(saveBody(&random).utf8) : nil)
    }

    static func randomBytes(_ random: inout SplitMix64) -> [UInt8] {
        let count = Int.random(in: 1...2_048, using: &random)
        var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
        if Bool.random(using: &random) { bytes = Array("POST /v1/companies/123456785/memories HTTP/1.1\r\n".utf8) + bytes }
        return bytes
    }

    static func truncatedRequest(_ random: inout SplitMix64) -> [UInt8] {
        let full: [UInt8]
        switch Int.random(in: 0..<5, using: &random) {
        case 0, 1: full = request("POST", memoriesPath(&random, owner: "12.345.678-5"), body: Array(saveBody(&random, items: 2).utf8))
        case 2: full = request("POST", "/v1/search", body: Array(#"{"q":"propyme","owner":"12.345.678-5","brain":"company","mode":"local"}"#.utf8))
        case 3: full = request("POST", "/v1/companies?format=csv", body: Array("rut,name\n76.086.428-5,Empresa Uno\n".utf8))
        default: full = request("POST", "/v1/reconcile", body: Array(#"{"dry_run":true}"#.utf8))
        }
        return Array(full[0..<Int.random(in: 1..<full.count, using: &random)])
    }

    static func wrongMethod(_ random: inout SplitMix64) -> [UInt8] {
        let method = pick(["PUT", "PATCH", "OPTIONS", "HEAD", "TRACE", "CONNECT", "FOO", "get", "POST ", "DELETE", "PROPFIND", "M-SEARCH"], &random)
        let path = pick([
            "/v1/ping", "/v1/status", "/v1/companies/123456785/memories", "/v1/users/111111111/memories/user_full_name",
            "/v1/search", "/v1/reconcile", "/v1/reconcile/runs", "/v1/failed", "/v1/retry", "/v1/companies", "/v1/load/users", "/",
        ], &random)
        let body: [UInt8]? = Bool.random(using: &random) ? Array(saveBody(&random).utf8) : nil
        return request(method, path, body: body)
    }

    static func oddHeaders(_ random: inout SplitMix64) -> [UInt8] {
        let body = Array(saveBody(&random, items: 1).utf8)
        let path = memoriesPath(&random, owner: "12.345.678-5")
        let head = "POST \(path) HTTP/1.1\r\nHost: localhost\r\n"
        let chunked = String(body.count, radix: 16) + "\r\n" + String(decoding: body, as: UTF8.self) + "\r\n0\r\n\r\n"
        let variants: [String] = [
            head + "Content-Length: \(body.count)\r\nContent-Length: \(body.count + 5)\r\n\r\n",
            head + "Content-Length: -1\r\n\r\n",
            head + "Content-Length: 99999999999999999999\r\n\r\n",
            head + "Content-Length: abc\r\n\r\n",
            head + "Transfer-Encoding: chunked\r\nContent-Length: \(body.count)\r\n\r\n" + chunked,
            head + "Transfer-Encoding: chunked\r\n\r\n" + chunked,
            head + "Transfer-Encoding: chunked\r\n\r\nZZZ\r\nabc\r\n0\r\n\r\n",
            head + "Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\nabc\r\n",
            head + "Transfer-Encoding: gzip, chunked\r\n\r\n" + chunked,
            head + "Content-Type: text/plain\r\nContent-Length: \(body.count)\r\n\r\n",
            head + "Content-Type: application/json; charset=latin1\r\nContent-Length: \(body.count)\r\n\r\n",
            head + "Content-Encoding: gzip\r\nContent-Length: \(body.count)\r\n\r\n",
            head + "Expect: 100-continue\r\nContent-Length: \(body.count)\r\n\r\n",
            head + "NoColonHeader\r\nContent-Length: \(body.count)\r\n\r\n",
            head + "X-Folded: a\r\n b\r\nContent-Length: \(body.count)\r\n\r\n",
            head + "X-Nul: a\u{0}b\r\nContent-Length: \(body.count)\r\n\r\n",
            head + "X-Big: " + String(repeating: "h", count: Int.random(in: 1_000...120_000, using: &random)) + "\r\nContent-Length: \(body.count)\r\n\r\n",
            head + (0..<200).map { "X-H\($0): v\r\n" }.joined() + "Content-Length: \(body.count)\r\n\r\n",
            "POST \(path) HTTP/1.0\r\nContent-Length: \(body.count)\r\n\r\n",
            "POST \(path) HTTP/2.0\r\nContent-Length: \(body.count)\r\n\r\n",
            "POST \(path) HTTP/9.9\r\nContent-Length: \(body.count)\r\n\r\n",
            "POST http://localhost\(path) HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(body.count)\r\n\r\n",
            "GET * HTTP/1.1\r\nHost: localhost\r\n\r\n",
            "POST \(path) HTTP/1.1\r\nContent-Length: \(body.count)\r\n\r\n",
            "POST \(path)  HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(body.count)\r\n\r\n",
            "POST \(path) HTTP/1.1\nHost: localhost\nContent-Length: \(body.count)\n\n",
            head + "Content-Length: 0\r\n\r\n",
            head + "Connection: keep-alive, upgrade\r\nUpgrade: websocket\r\nContent-Length: \(body.count)\r\n\r\n",
            head + "Braind-API-Version: 999\r\nAccept: text/html\r\nContent-Length: \(body.count)\r\n\r\n",
        ]
        var text = pick(variants, &random)
        // Bodies follow the head unless the variant already carries a chunked body.
        if !text.contains("Transfer-Encoding: chunked"), !text.hasPrefix("GET") { text += String(decoding: body, as: UTF8.self) }
        var bytes = Array(text.utf8)
        if Bool.random(using: &random) {
            // A second request pipelined behind the first.
            bytes += request("GET", "/v1/ping")
        }
        return bytes
    }

    static func invalidUTF8(_ random: inout SplitMix64) -> [UInt8] {
        let bad: [[UInt8]] = [[0xC3, 0x28], [0xFF], [0xFE, 0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xE2, 0x82]]
        let sequence = pick(bad, &random)
        let prefix = Array(#"{"memories":[{"slug":"utf_test","content":"abc"#.utf8)
        let suffix = Array(#"def"}]}"#.utf8)
        switch Int.random(in: 0..<4, using: &random) {
        case 0:
            return request("POST", memoriesPath(&random, owner: "12.345.678-5"), body: prefix + sequence + suffix)
        case 1:
            let body = Array(#"{"memories":[{"slug":"ab"#.utf8) + sequence + Array(#"","content":"x"}]}"#.utf8)
            return request("POST", memoriesPath(&random, owner: "12.345.678-5"), body: body)
        case 2:
            return Array("GET /v1/companies/".utf8) + sequence + Array("/memories HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8)
        default:
            let body = Array(#"{"q":""#.utf8) + sequence + Array(#"","owner":"12.345.678-5","brain":"company","mode":"local"}"#.utf8)
            return request("POST", "/v1/search", body: body)
        }
    }

    static func deepNesting(_ random: inout SplitMix64) -> [UInt8] {
        // Depths up to 511 decode; 512 and deeper are refused by the JSON parser. Costly depths
        // (256 to 511) are measured once by `nestingCost` instead of at random here.
        let depth = pick([16, 64, 128, 512, 513, 1_000, 10_000, 100_000], &random)
        let nested: String
        if Bool.random(using: &random) {
            nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        } else {
            nested = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        }
        let body: String
        switch Int.random(in: 0..<4, using: &random) {
        case 0: body = #"{"memories":[{"slug":"deep","content":"x","metadata":{"n":"# + nested + "}}]}"
        case 1: body = nested
        case 2: body = #"{"memories":"# + nested + "}"
        default: body = #"{"q":"x","owner":"12.345.678-5","brain":"company","extra":"# + nested + "}"
        }
        let path = body.hasPrefix(#"{"q""#) ? "/v1/search" : memoriesPath(&random, owner: "12.345.678-5")
        return request("POST", path, body: Array(body.utf8))
    }

    static func hugeNumbers(_ random: inout SplitMix64) -> [UInt8] {
        let numbers = ["1e400", "-1e400", "123456789012345678901234567890", "-9223372036854775809", "9223372036854775808",
                       "1.7976931348623157e309", "0.0000000000000000000000000000001", "-0", "1e-400", "4294967296"]
        let number = pick(numbers, &random)
        switch Int.random(in: 0..<5, using: &random) {
        case 0: return request("GET", "/v1/companies/123456785/memories?limit=\(number)")
        case 1: return request("GET", "/v1/search?q=x&owner=123456785&brain=company&limit=\(number)")
        case 2:
            let body = #"{"q":"x","owner":"12.345.678-5","brain":"company","limit":"# + number + "}"
            return request("POST", "/v1/search", body: Array(body.utf8))
        case 3:
            let body = #"{"memories":[{"slug":"n","content":"x","metadata":{"n":"# + number + "}}]}"
            return request("POST", "/v1/companies/123456785/memories", body: Array(body.utf8))
        default: return request("GET", "/v1/reconcile/runs?limit=\(number)")
        }
    }

    static func unknownFields(_ random: inout SplitMix64) -> [UInt8] {
        let extra = #""unknown":"# + pick(jsonValues, &random) + #","__proto__":{"x":1},"memory_id":"abc""#
        let body: String
        switch Int.random(in: 0..<3, using: &random) {
        case 0: body = #"{"memories":[{"slug":"unk","content":"x","# + extra + "}]}"
        case 1: body = #"{"memories":[{"slug":"unk","content":"x"}],"# + extra + "}"
        default: body = #"{"q":"x","owner":"12.345.678-5","brain":"company","# + extra + "}"
        }
        let path = body.hasPrefix(#"{"q""#) ? "/v1/search" : memoriesPath(&random, owner: "12.345.678-5")
        return request("POST", path, body: Array(body.utf8))
    }

    static func otherEndpoints(_ random: inout SplitMix64) -> [UInt8] {
        let text = escapePath(pick(strings, &random).prefix(200).description)
        let owner = escapePath(pick(owners, &random))
        switch Int.random(in: 0..<11, using: &random) {
        case 0: return request("GET", "/v1/search?q=\(text)&owner=\(owner)&brain=\(pick(["company", "user", "x", ""], &random))&mode=\(pick(["local", "auto", "remote", "bad"], &random))")
        case 1:
            let body = #"{"q":"# + fieldValue(pick(strings, &random), &random) + #","owner":"# + fieldValue(pick(owners, &random), &random)
                + #","brain":"# + fieldValue(pick(["company", "user", "x"], &random), &random) + #","mode":"# + fieldValue("local", &random) + "}"
            return request("POST", "/v1/search", body: Array(body.utf8))
        case 2:
            let csv = "rut,name,tax_regime\n" + (0..<Int.random(in: 0...5, using: &random)).map { _ in
                "\(pick(owners, &random)),\"\(pick(strings, &random).prefix(40))\",x"
            }.joined(separator: "\n")
            return request("POST", "/v1/companies?format=\(pick(["csv", "json", "jsonl", "xml"], &random))", body: Array(csv.utf8))
        case 3:
            let json = "[" + (0..<Int.random(in: 0...3, using: &random)).map { _ in
                #"{"rut":"# + fieldValue(pick(owners, &random), &random) + #","full_name":"# + fieldValue(pick(strings, &random), &random) + "}"
            }.joined(separator: ",") + "]"
            return request("POST", pick(["/v1/users", "/v1/sessions", "/v1/companies"], &random), body: Array(json.utf8))
        case 4: return request("POST", "/v1/load/\(pick(["companies", "users", "x"], &random))/\(owner)")
        case 5: return request("GET", "/v1/failed?brain=\(pick(["company", "user", "x", ""], &random))&limit=\(pick(["1", "-1", "abc", "100000"], &random))")
        case 6: return request("POST", "/v1/retry?brain=\(pick(["company", "user", "x"], &random))")
        case 7:
            let body = #"{"entity":"# + fieldValue(pick(owners, &random), &random) + #","dry_run":"# + pick(jsonValues, &random) + "}"
            return request("POST", "/v1/reconcile", body: Array(body.utf8))
        case 8: return request("GET", "/v1/reconcile/runs/\(text)")
        case 9: return request("GET", pick(["/v1/status", "/v1/ping", "/v1/reconcile/runs/last", "/v2/ping", "/", "/v1", "/v1/"], &random))
        default: return request("DELETE", "/v1/\(pick(["companies", "users"], &random))/\(owner)/memories/\(escapePath(pick(slugs, &random)))")
        }
    }
}
