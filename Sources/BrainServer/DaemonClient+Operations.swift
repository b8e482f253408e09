import AsyncHTTPClient
import BrainCore
import Foundation
import NIOCore
import NIOHTTP1

extension DaemonClient {
    /// Asks braind for an online backup into `path` (absolute; written by braind's user).
    public func backup(to path: String, overwrite: Bool = false) async throws -> BackupReport {
        var client = self
        // A large database takes as long as it takes; the deadline only guards a stuck daemon.
        client.timeout = .seconds(3_600)
        let body = try JSONEncoder().encode(BackupBody(path: path, overwrite: overwrite))
        return try await client.send(.POST, "/v1/backup", body: body, as: BackupReport.self)
    }

    private struct BackupBody: Encodable {
        var path: String
        var overwrite: Bool
    }

    /// Streams an export into `output` as JSON lines; returns the number of lines written.
    /// - Parameters:
    ///   - progress: lines written so far and the total braind announced.
    /// - Throws: `DaemonClientError.api` for an error answer or an error line mid-stream, and
    ///   `.unexpectedAnswer` if the stream ends short of the announced count.
    @discardableResult
    public func exportMemories(
        brain: BrainKind? = nil, owner: String? = nil, to output: FileHandle, progress: @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> Int {
        var query: [String] = []
        if let brain { query.append("brain=\(brain.rawValue)") }
        if let owner { query.append("owner=\(Self.escapeQuery(owner))") }
        let response = try await openStream(.GET, "/v1/memories/export" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")))
        let expected = response.headers.first(name: "Braind-Export-Count").flatMap(Int.init)
        var pending: [UInt8] = []
        var written = 0
        for try await chunk in response.body {
            pending.append(contentsOf: chunk.readableBytesView)
            guard let lastNewline = pending.lastIndex(of: 0x0A) else { continue }
            // Memory lines start with {"brain"; braind ends a failed export with an error line.
            var lineStart = pending.startIndex
            while lineStart <= lastNewline {
                if pending[lineStart...].starts(with: Self.errorLinePrefix) {
                    try output.write(contentsOf: Data(pending[..<lineStart]))
                    throw Self.streamError(Data(pending[lineStart...]))
                }
                lineStart = pending[lineStart...].firstIndex(of: 0x0A)! + 1
                written += 1
            }
            try output.write(contentsOf: Data(pending[...lastNewline]))
            pending.removeSubrange(...lastNewline)
            progress(written, expected ?? written)
        }
        guard pending.isEmpty, expected == nil || expected == written else {
            throw DaemonClientError.unexpectedAnswer("the export ended after \(written) of \(expected ?? written) memories")
        }
        return written
    }

    /// Sends JSON lines (an export) to braind's import, streamed: braind saves as it reads.
    /// - Parameters:
    ///   - input: the file, read in chunks as braind takes them.
    ///   - length: its size, if known (not for stdin).
    ///   - progress: bytes sent so far and `length`.
    public func importMemories(
        from input: FileHandle, length: Int64?, progress: @escaping @Sendable (Int64, Int64) -> Void = { _, _ in }
    ) async throws -> MemoryImportResult {
        var client = self
        client.timeout = .seconds(86_400)
        let chunks = FileChunks(handle: input, total: length ?? 0, progress: progress)
        let body: HTTPClientRequest.Body = .stream(chunks, length: length.map { .known($0) } ?? .unknown)
        let (status, data) = try await client.raw(.POST, "/v1/memories/import", streamedBody: body)
        guard (200..<300).contains(status) else { throw Self.apiError(status: status, body: data) }
        do {
            return try JSONDecoder().decode(MemoryImportResult.self, from: data)
        } catch {
            throw DaemonClientError.unexpectedAnswer("MemoryImportResult: \(error)")
        }
    }

    private static let errorLinePrefix = Array(#"{"error":"#.utf8)

    static func apiError(status: Int, body: Data) -> DaemonClientError {
        let error = try? JSONDecoder().decode(ErrorBody.self, from: body)
        return .api(
            status: status, code: error?.error.code ?? "http_\(status)", message: error?.error.message ?? String(decoding: body, as: UTF8.self))
    }

    private static func streamError(_ line: Data) -> DaemonClientError {
        let end = line.firstIndex(of: 0x0A) ?? line.endIndex
        let body = try? JSONDecoder().decode(ErrorBody.self, from: line[..<end])
        return .api(status: 500, code: body?.error.code ?? "internal", message: body?.error.message ?? "the export failed")
    }

    private static func escapeQuery(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}

/// A file read in chunks on demand: the request body pulls the next chunk only when braind has
/// taken the previous ones, so neither side holds the whole file.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let handle: FileHandle
    let total: Int64
    let progress: @Sendable (Int64, Int64) -> Void
    static let chunkBytes = 256 << 10

    struct AsyncIterator: AsyncIteratorProtocol {
        let chunks: FileChunks
        var sent: Int64 = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let data = try chunks.handle.read(upToCount: FileChunks.chunkBytes), !data.isEmpty else { return nil }
            sent += Int64(data.count)
            chunks.progress(sent, chunks.total)
            return ByteBuffer(bytes: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(chunks: self) }
}

extension DaemonClient {
    /// Starts a request whose answer is read as a stream; a non-2xx answer throws.
    func openStream(_ method: HTTPMethod, _ path: String) async throws -> HTTPClientResponse {
        try checkReachable()
        let response = try await http.execute(try makeRequest(method, path), timeout: .hours(24))
        guard (200..<300).contains(Int(response.status.code)) else {
            let body = try await response.body.collect(upTo: 1 << 20)
            throw Self.apiError(status: Int(response.status.code), body: Data(buffer: body))
        }
        return response
    }

    /// Sends a streamed request body and returns the status and the (small) answer.
    func raw(_ method: HTTPMethod, _ path: String, streamedBody: HTTPClientRequest.Body) async throws -> (status: Int, body: Data) {
        try checkReachable()
        var request = try makeRequest(method, path)
        request.headers.add(name: "Content-Type", value: "application/x-ndjson")
        request.body = streamedBody
        do {
            let response = try await http.execute(request, timeout: .init(timeout))
            let buffer = try await response.body.collect(upTo: 64 << 20)
            return (Int(response.status.code), Data(buffer: buffer))
        } catch let error as DaemonClientError {
            throw error
        } catch {
            try checkReachable()
            throw DaemonClientError.transport("\(error)")
        }
    }

    /// The request with its token; the socket's owner is checked first, as for every other request,
    /// so a token never goes to a socket another user planted.
    private func makeRequest(_ method: HTTPMethod, _ path: String) throws -> HTTPClientRequest {
        try checkSocketOwnerBeforeSendingToken()
        guard let url = URL(httpURLWithSocketPath: socketPath, uri: path) else {
            throw DaemonClientError.unexpectedAnswer("cannot build a URL for \(path)")
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        return request
    }
}
