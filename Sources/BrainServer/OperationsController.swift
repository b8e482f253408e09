import BrainCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// Running braind for real: an online backup (`POST /v1/backup`) and the portable form of the
/// memories (`GET /v1/memories/export`, `POST /v1/memories/import`). Both directions stream, so
/// memory stays bounded whatever the number of memories.
struct OperationsController<Context: BrainContext> {
    let database: any MemoryStore & TransferStore
    let sync: any SyncControl
    let settings: APISettings

    /// Response header: the number of lines the export will hold (counted in its snapshot), so a
    /// client can draw progress and tell a complete export from a cut one.
    static var exportCountHeader: HTTPField.Name { HTTPField.Name("Braind-Export-Count")! }

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("backup") { request, context in try await backup(request, context: context) }
        group.get("memories/export") { request, context in try await export(request, context: context) }
        group.post("memories/import") { request, context in try await importMemories(request, context: context) }
    }

    struct BackupRequest: Decodable, StrictBody {
        var path: String
        var overwrite: Bool?
        static var fields: Set<String> { ["path", "overwrite"] }
    }

    private func backup(_ request: Request, context: Context) async throws -> Response {
        try Authorization.requireFull(context.principal)
        let body = try await JSONResponse.decode(BackupRequest.self, from: request, limit: settings.maxBodyBytes)
        do {
            return JSONResponse.make(try await database.backup(to: body.path, overwrite: body.overwrite ?? false))
        } catch let error as BrainError {
            throw APIError(error)
        }
    }

    private func export(_ request: Request, context: Context) async throws -> Response {
        try Authorization.requireFull(context.principal)
        let query = request.uri.queryParameters
        var brain: BrainKind?
        if let name = query.get("brain") {
            guard let kind = BrainKind(name: name) else { throw APIError(BrainError.invalid(field: "brain", reason: "'\(name)' is not company or user")) }
            brain = kind
        }
        var owner: OwnerReference?
        if let text = query.get("owner") { owner = try OwnerReference(text, verifyCheckDigit: settings.verifyRUTCheckDigit) }
        let exporter = try database.makeExporter(brain: brain, owner: owner)
        let count = try await exporter.count()
        let body = ResponseBody { writer in
            var bytes: [UInt8] = []
            do {
                while true {
                    let page = try await exporter.nextPage()
                    if page.isEmpty { break }
                    bytes.removeAll(keepingCapacity: true)
                    for line in page { line.write(into: &bytes) }
                    // Suspends while the client is not reading: memory stays at one page.
                    try await writer.write(ByteBuffer(bytes: bytes))
                }
            } catch {
                let api = (error as? BrainError).map(APIError.init) ?? APIError(status: .internalServerError, code: "internal", message: "\(error)")
                try await writer.write(JSONResponse.line(["error": ErrorBody.Detail(code: api.code, message: api.message)]))
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok, headers: [.contentType: "application/x-ndjson", Self.exportCountHeader: "\(count)"], body: body)
    }

    private func importMemories(_ request: Request, context: Context) async throws -> Response {
        try Authorization.requireFull(context.principal)
        let stop = StopSignal()
        let sync = self.sync
        let (database, verify) = (self.database, settings.verifyRUTCheckDigit)
        let result = try await withGracefulShutdownHandler {
            var importer = MemoryImporter(database: database, verifyCheckDigit: verify)
            var pending: [UInt8] = []
            var number = 0
            var skippingLongLine = false
            func take(_ line: ArraySlice<UInt8>) async throws {
                number += 1
                if skippingLongLine {
                    skippingLongLine = false
                    try await importer.add(line: Array(repeating: UInt8(ascii: "x"), count: MemoryImporter.maxLineBytes + 1), number: number)
                } else if try await importer.add(line: line, number: number) {
                    sync.localChangesCommitted()
                }
                if stop.isRequested {
                    // What was read is saved before answering, so "stopped after line N" is exact.
                    _ = try await importer.finish()
                    sync.localChangesCommitted()
                    throw Self.stopped(after: number)
                }
            }
            for try await chunk in request.body {
                pending.append(contentsOf: chunk.readableBytesView)
                var start = pending.startIndex
                while let newline = pending[start...].firstIndex(of: 0x0A) {
                    try await take(pending[start..<newline])
                    start = newline + 1
                }
                pending.removeSubrange(..<start)
                // A line with no end in sight is not buffered without bound: it is skipped and reported.
                if pending.count > MemoryImporter.maxLineBytes {
                    pending.removeAll(keepingCapacity: false)
                    skippingLongLine = true
                }
            }
            if !pending.isEmpty || skippingLongLine { try await take(pending[...]) }
            return try await importer.finish()
        } onGracefulShutdown: {
            stop.request()
        }
        sync.localChangesCommitted()
        return JSONResponse.make(result)
    }

    private static func stopped(after line: Int) -> APIError {
        APIError(
            status: .serviceUnavailable, code: "shutting_down",
            message: "braind is stopping: the import stopped after line \(line); what it saved is kept, and running the same import again completes it")
    }
}
