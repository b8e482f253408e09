import BrainCore
import BrainServer
import Foundation
import Histogram
import Synchronization

/// Operation weights of a bench run.
struct BenchMix {
    enum Operation: String, CaseIterable { case save, batch, get, list, search, ping }

    var weights: [(Operation, Int)]

    init(_ text: String) throws {
        weights = try text.split(separator: ",").map { part in
            let pair = part.split(separator: "=")
            guard pair.count == 2, let operation = Operation(rawValue: String(pair[0])), let weight = Int(pair[1]), weight > 0 else {
                throw CLIError(message: "bad --mix entry '\(part)'", hint: "use NAME=WEIGHT with NAME one of \(Operation.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return (operation, weight)
        }
        guard !weights.isEmpty else { throw CLIError(message: "--mix is empty", hint: "e.g. --mix save=50,get=50") }
    }

    func pick(_ roll: Int) -> Operation {
        var remaining = roll % weights.reduce(0) { $0 + $1.1 }
        for (operation, weight) in weights {
            if remaining < weight { return operation }
            remaining -= weight
        }
        return weights[0].0
    }
}

/// Runs the load: each connection loops until the deadline, recording latencies in microseconds.
struct BenchRun {
    let client: DaemonClient
    let mix: BenchMix
    let batchSize: Int
    let owners: Int

    struct Result {
        var histogram: Histogram<UInt64>
        var errors: Int
        var rows: Int
        var seconds: Double
    }

    /// Bench owners get one memory each, so reads have something to find from the first request.
    func prepare() async throws {
        for index in 0..<owners {
            _ = try await client.save(.company, owner: Self.rut(index), memories: [MemoryInput(slug: "fact_0", content: "Régimen tributario bench \(index)")])
        }
    }

    static func rut(_ index: Int) -> String {
        let body = String(60_000_000 + index)
        return body + String(RUT.checkDigit(forBody: body))
    }

    func run(connections: Int, seconds: Double) async throws -> Result {
        let deadline = ContinuousClock.now + .seconds(seconds)
        let started = ContinuousClock.now
        let counter = SequenceCounter()
        let partials = await withTaskGroup(of: (Histogram<UInt64>, Int, Int).self) { group in
            for connection in 0..<connections {
                group.addTask {
                    var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
                    var errors = 0
                    var rows = 0
                    var generator = SystemRandomNumberGenerator()
                    while ContinuousClock.now < deadline {
                        let operation = mix.pick(Int.random(in: 0..<1_000_000, using: &generator))
                        let owner = Self.rut(Int.random(in: 0..<owners, using: &generator))
                        let sequence = counter.next()
                        let begin = ContinuousClock.now
                        do {
                            rows += try await perform(operation, owner: owner, sequence: sequence, connection: connection)
                            _ = histogram.record(UInt64(max(1, (ContinuousClock.now - begin).seconds * 1_000_000)))
                        } catch {
                            errors += 1
                        }
                    }
                    return (histogram, errors, rows)
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
        for partial in partials { histogram.add(partial.0) }
        return Result(
            histogram: histogram, errors: partials.reduce(0) { $0 + $1.1 }, rows: partials.reduce(0) { $0 + $1.2 },
            seconds: (ContinuousClock.now - started).seconds)
    }

    /// One request; returns the rows it wrote.
    private func perform(_ operation: BenchMix.Operation, owner: String, sequence: Int, connection: Int) async throws -> Int {
        switch operation {
        case .save:
            _ = try await client.save(.company, owner: owner, memories: [MemoryInput(slug: "c\(connection)_\(sequence % 1_000)", content: "bench \(sequence)")])
            return 1
        case .batch:
            let items = (0..<batchSize).map { MemoryInput(slug: "b\(connection)_\($0)", content: "batch \(sequence) item \($0)") }
            _ = try await client.save(.company, owner: owner, memories: items)
            return batchSize
        case .get:
            _ = try await client.memory(.company, owner: owner, slug: "fact_0")
        case .list:
            _ = try await client.list(.company, owner: owner, limit: 20)
        case .search:
            _ = try await client.search(SearchRequest(q: "regimen bench", owner: owner, brain: .company, limit: 10, mode: .local))
        case .ping:
            _ = try await client.ping()
        }
        return 0
    }
}

/// What `brain bench` prints.
struct BenchReport {
    var mix: String
    var connections: Int
    var seconds: Double
    var requests: UInt64
    var errors: Int
    var rows: Int
    var histogram: Histogram<UInt64>
    var before: ProcessSample
    var after: ProcessSample

    var requestsPerSecond: Double { Double(requests) / seconds }
    var daemonCPUPercent: Double? {
        guard let start = before.cpuSeconds, let end = after.cpuSeconds else { return nil }
        return 100 * (end - start) / (after.at - before.at).seconds
    }
    func milliseconds(_ percentile: Double) -> Double { Double(histogram.valueAtPercentile(percentile)) / 1000 }

    var json: [String: JSONValue] {
        var object: [String: JSONValue] = [
            "mix": .string(mix), "connections": .int(Int64(connections)), "seconds": .double(seconds),
            "requests": .int(Int64(requests)), "errors": .int(Int64(errors)), "rows_written": .int(Int64(rows)),
            "requests_per_second": .double(requestsPerSecond), "rows_per_second": .double(Double(rows) / seconds),
            "p50_ms": .double(milliseconds(50)), "p99_ms": .double(milliseconds(99)), "p99_9_ms": .double(milliseconds(99.9)),
        ]
        if let cpu = daemonCPUPercent { object["daemon_cpu_percent"] = .double(cpu) }
        if let rss = after.rssBytes { object["daemon_rss_bytes"] = .int(Int64(rss)) }
        return object
    }

    func print() {
        Swift.print("mix \(mix), \(connections) connections, \(String(format: "%.1f", seconds)) s")
        Swift.print(String(format: "%.0f requests/s  (%llu requests, %d errors)", requestsPerSecond, requests, errors))
        if rows > 0 { Swift.print(String(format: "%.0f rows/s written", Double(rows) / seconds)) }
        Swift.print(String(format: "latency p50 %.3f ms  p99 %.3f ms  p99.9 %.3f ms", milliseconds(50), milliseconds(99), milliseconds(99.9)))
        if let cpu = daemonCPUPercent { Swift.print(String(format: "braind CPU %.0f%% of one core", cpu)) }
        if let rss = after.rssBytes { Swift.print(String(format: "braind RSS %.1f MB", Double(rss) / 1_048_576)) }
    }
}

/// Numbers requests across connections, so every save writes a distinct content.
final class SequenceCounter: Sendable {
    private let value = Atomic<Int>(0)
    func next() -> Int { value.add(1, ordering: .relaxed).newValue }
}
