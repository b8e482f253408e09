import BrainCore
import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle

/// Owner data in (`POST /v1/companies`, `/v1/users`, `/v1/sessions`) and the seed's loader tasks
/// (`POST /v1/load/{companies|users}[/{owner}]`), which build memories through the normal save path.
/// On a database several daemons share, a load of every owner is a job they all work on.
struct LoadController<Context: BrainContext> {
    let database: any OwnerStore & MemoryStore
    let sync: any SyncControl
    /// On a store several daemons share, the load of every owner is theirs together.
    let sharedLoad: SharedLoad?
    let settings: APISettings

    init(database: any OwnerStore & MemoryStore, sync: any SyncControl, sharedLoad: SharedLoad?, settings: APISettings) {
        self.database = database
        self.sync = sync
        // A router built without the daemon's (tests) still shares loads on such a store.
        self.sharedLoad = sharedLoad ?? (database as? any LoadJobStore & LoaderStore).map { SharedLoad(store: $0, onChunk: { sync.localChangesCommitted() }) }
        self.settings = settings
    }

    /// Imports are files, not API calls: they may exceed the API body limit.
    private var importLimit: Int { max(settings.maxBodyBytes, 64 << 20) }

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("companies") { request, context in try await importOwners(request, kind: .companies, principal: context.principal) }
        group.post("users") { request, context in try await importOwners(request, kind: .users, principal: context.principal) }
        group.post("sessions") { request, context in try await importOwners(request, kind: .sessions, principal: context.principal) }
        group.post("load/companies") { request, context in try await loadAll(.company, request: request, principal: context.principal) }
        group.post("load/users") { request, context in try await loadAll(.user, request: request, principal: context.principal) }
        group.post("load/companies/:owner") { request, context in try await loadOne(.company, context: context) }
        group.post("load/users/:owner") { request, context in try await loadOne(.user, context: context) }
    }

    enum ImportKind { case companies, users, sessions }

    private func importOwners(_ request: Request, kind: ImportKind, principal: Principal) async throws -> Response {
        try Authorization.requireFull(principal)
        let buffer = try await JSONResponse.collect(request, limit: importLimit)
        var format: ImportFormat?
        if let name = request.uri.queryParameters.get("format") {
            guard let parsed = ImportFormat(name: name) else {
                throw BrainError.invalid(field: "format", reason: "'\(name)' is not one of csv, json, jsonl")
            }
            format = parsed
        }
        let data = Data(buffer: buffer)
        let verify = settings.verifyRUTCheckDigit
        let database = self.database
        let result = try await Self.stoppingAtShutdown { stop in
            switch kind {
            case .companies: try await database.importCompanies(data, format: format, verifyCheckDigit: verify, stop: stop)
            case .users: try await database.importUsers(data, format: format, verifyCheckDigit: verify, stop: stop)
            case .sessions: try await database.importSessions(data, format: format, verifyCheckDigit: verify, stop: stop)
            }
        }
        return JSONResponse.make(result)
    }

    private func loadOne(_ brain: BrainKind, context: Context) async throws -> Response {
        let text = try context.parameters.require("owner")
        let owner = try OwnerReference(text.percentDecoded, verifyCheckDigit: settings.verifyRUTCheckDigit)
        try await Authorization.require(context.principal, brain: brain, owner: owner, write: true, database: database)
        let result = try await database.load(brain, owner: owner)
        if result.changedLocally { sync.localChangesCommitted() }
        return JSONResponse.make(result)
    }

    /// Loads every owner. With `?stream=true` the answer is JSON lines: `{"progress":{"done","total"}}`
    /// as owners finish, then `{"result": ...}` (or `{"error": ...}`), so a CLI can draw progress.
    private func loadAll(_ brain: BrainKind, request: Request, principal: Principal) async throws -> Response {
        try Authorization.requireFull(principal)
        let sync = self.sync
        let database = self.database
        let sharedLoad = self.sharedLoad
        @Sendable func run(_ progress: LoadProgress?) async throws -> any Encodable & Sendable {
            if let sharedLoad {
                return try await Self.stoppingAtShutdown { stop in
                    let summary = try await sharedLoad.run(brain, progress: progress, stop: stop)
                    return switch brain {
                    case .company: LoadAllCompaniesResult(summary)
                    case .user: LoadAllUsersResult(summary)
                    } as any Encodable & Sendable
                }
            }
            let wake: LoadProgress = { done, total in
                progress?(done, total)
                // Wake the push worker as owners finish, not only at the end of a long load.
                if done > 0 && done % 100 == 0 { sync.localChangesCommitted() }
            }
            return try await Self.stoppingAtShutdown { stop in
                switch brain {
                case .company:
                    let result = try await database.loadAllCompanies(progress: wake, stop: stop)
                    if result.changedLocally { sync.localChangesCommitted() }
                    return result
                case .user:
                    let result = try await database.loadAllUsers(progress: wake, stop: stop)
                    if result.changedLocally { sync.localChangesCommitted() }
                    return result
                }
            }
        }
        guard try Self.wantsStream(request) else {
            return JSONResponse.make(AnyEncodable(try await run(nil)))
        }
        let body = ResponseBody { writer in
            let (progress, continuation) = AsyncStream<LoadProgressLine>.makeStream(bufferingPolicy: .bufferingNewest(1))
            async let outcome: Result<any Encodable & Sendable, any Error> = {
                defer { continuation.finish() }
                do {
                    return .success(try await run { done, total in continuation.yield(LoadProgressLine(done: done, total: total)) })
                } catch {
                    return .failure(error)
                }
            }()
            for await line in progress {
                try await writer.write(JSONResponse.line(["progress": line]))
            }
            switch await outcome {
            case .success(let result): try await writer.write(JSONResponse.line(["result": AnyEncodable(result)]))
            case .failure(let error):
                let api = switch error {
                case let error as BrainError: APIError(error)
                case let error as BulkWorkStopped: APIError(error)
                default: APIError(status: .internalServerError, code: "internal", message: "\(error)")
                }
                try await writer.write(JSONResponse.line(["error": ErrorBody.Detail(code: api.code, message: api.message)]))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: body)
    }

    /// Runs bulk work with a stop signal that the daemon's graceful shutdown sets. Hummingbird
    /// waits for requests in flight before it stops, so without this a SIGTERM waited for a
    /// whole load (24.5 s for 20,000 companies). The work is not cancelled: cancelling would
    /// interrupt a transaction shared with agents' saves; it stops after its current slice.
    private static func stoppingAtShutdown<T: Sendable>(_ work: (StopSignal) async throws -> T) async throws -> T {
        let stop = StopSignal()
        return try await withGracefulShutdownHandler {
            try await work(stop)
        } onGracefulShutdown: {
            stop.request()
        }
    }

    /// `?stream=true` or `false`; anything else is refused rather than read as false, since a
    /// misspelled option silently not applied is a wrong answer the client cannot see.
    private static func wantsStream(_ request: Request) throws -> Bool {
        switch request.uri.queryParameters.get("stream") {
        case nil, "false": false
        case "true": true
        case let text?: throw BrainError.invalid(field: "stream", reason: "'\(text)' is not true or false")
        }
    }
}

/// One progress line of a streamed load.
public struct LoadProgressLine: Codable, Sendable, Equatable {
    public var done: Int
    public var total: Int
}

/// Type erasure so one encoder call serves both load-all result types.
struct AnyEncodable: Encodable, Sendable {
    let value: any Encodable & Sendable
    init(_ value: any Encodable & Sendable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
