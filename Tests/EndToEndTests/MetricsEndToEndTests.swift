import BrainTestSupport
import BrainCore
import BrainServer
import Foundation
import Testing

@Suite(.timeLimit(.minutes(2)))
struct MetricsEndToEndTests {
    /// Parses Prometheus text exposition: `name{label="v",...} value` lines; comments skipped.
    static func parse(_ text: String) throws -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
            guard let space = line.lastIndex(of: " ") else { throw ParseError(line: String(line)) }
            // On a shared database (the PostgreSQL pass) a daemon labels its own work with its id.
            let key = String(line[..<space]).replacing(/,daemon="[^"]*"/, with: "")
            guard let value = Double(line[line.index(after: space)...]) else { throw ParseError(line: String(line)) }
            samples[key] = value
        }
        return samples
    }

    struct ParseError: Error { var line: String }

    @Test("GET /metrics is Prometheus text and its counters move with traffic")
    func countersMove() async throws {
        let daemon = try await DaemonProcess()
        defer { daemon.removeDirectory() }
        let client = daemon.client
        _ = try await client.save(.company, owner: "12.345.678-5", memories: [MemoryInput(slug: "a", content: "x")])
        let first = try Self.parse(String(decoding: try await client.raw(.GET, "/metrics").body, as: UTF8.self))
        let created = #"braind_saves_total{brain="company",outcome="created"}"#
        #expect(first[created] == 1)
        #expect(first[#"braind_rows_pending{brain="company"}"#] == 1)
        #expect(first["braind_database_bytes"].map { $0 > 0 } == true)
        if TestStoreKind.current == .sqlite {
            #expect(first["braind_search_index_bytes"].map { $0 > 0 } == true, "the search index's file, beside the database")
        }
        #expect(first.keys.contains { $0.hasPrefix("hb_requests") }, "requests by route come from Hummingbird's MetricsMiddleware")

        _ = try await client.save(.company, owner: "12.345.678-5", memories: [MemoryInput(slug: "b", content: "y"), MemoryInput(slug: "a", content: "x")])
        let second = try Self.parse(String(decoding: try await client.raw(.GET, "/metrics").body, as: UTF8.self))
        #expect(second[created] == 2)
        #expect(second[#"braind_saves_total{brain="company",outcome="unchanged"}"#] == 1)
        #expect(second[#"braind_rows_pending{brain="company"}"#] == 2)
        let requests = { (samples: [String: Double]) in samples.filter { $0.key.hasPrefix("hb_requests{") }.values.reduce(0, +) }
        #expect(requests(second) > requests(first))
        try await daemon.stop()
    }
}
