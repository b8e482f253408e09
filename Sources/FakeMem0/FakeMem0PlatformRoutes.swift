import Foundation
import Hummingbird

/// The Mem0 Platform routes, wrapped in latency, fault injection, the key check and the request log.
struct FakeMem0PlatformRoutes: Sendable {
    let store: FakeMem0Store
    let sleeps: FakeMem0Sleeps

    /// A Platform handler after the common wrapping.
    typealias Handler = @Sendable (Request, FakeMem0Context) async throws -> Response

    func register(on router: Router<FakeMem0Context>) {
        if store.api == .oss { return registerOSS(on: router) }
        router.get("/v1/ping/", use: serve(.ping, ping))
        router.post("/v3/memories/add/", use: serve(.add, add))
        router.get("/v1/event/:id/", use: serve(.event, event))
        router.get("/v1/memories/:id/", use: serve(.get, get))
        router.put("/v1/memories/:id/", use: serve(.update, update))
        router.delete("/v1/memories/:id/", use: serve(.delete, delete))
        router.post("/v3/memories/", use: serve(.list, list))
        router.post("/v3/memories/search/", use: serve(.search, search))
        router.get("/v1/entities/", use: serve(.entities, entities))
        registerWebhooks(on: router)
        registerHistoryAndBatch(on: router)
    }

    /// Wraps a handler: latency, then faults, then the key check, then the handler; logs the outcome.
    ///
    /// The latency is the time to answer. A read does its work inside it and answers at arrival
    /// plus latency, as a remote server's latency includes its own work (otherwise the fake's CPU
    /// time would count against the client in benchmarks). A write is applied only after the
    /// latency, so a client that gives up first leaves nothing written.
    func serve(_ route: FakeMem0Route, _ handler: @escaping Handler) -> Handler {
        { request, context in
            let receivedAt = Date()
            let started = ContinuousClock.now
            let settings = await store.settings
            var entry = FakeMem0RequestLogEntry(
                method: request.method.rawValue, path: request.uri.path, query: request.uri.query, route: route,
                status: nil, fault: nil, receivedAt: receivedAt, duration: .zero
            )
            var answerAt = started + settings.latency
            func waitForAnswerTime() async throws {
                if answerAt > .now { try await sleeps.sleep(until: answerAt) }
            }
            let answersAhead = !route.isWrite
            if !answersAhead { try await waitForAnswerTime() }

            let fault = await store.takeFault(for: route)
            var response: Response
            switch fault {
            case .status(let code, let retryAfter, let body, let contentType, let extra):
                entry.fault = "status \(code)"
                var headers: HTTPFields = [:]
                if let retryAfter { headers[.retryAfter] = retryAfter }
                for (name, value) in extra {
                    if let name = HTTPFields.Element.Name(name) { headers[name] = value }
                }
                let status = HTTPResponse.Status(code: code)
                response = body.map { FakeMem0HTTP.raw($0, status: status, contentType: contentType, headers: headers) }
                    ?? FakeMem0HTTP.json(FakeMem0HTTP.defaultFaultBody(status: code, retryAfter: retryAfter), status: status, headers: headers)
            case .resetConnection:
                entry.fault = "reset"
                try await waitForAnswerTime()
                entry.duration = ContinuousClock.now - started
                await store.record(entry)
                context.closeConnection()
                throw ConnectionDropped()
            case .delay(let extra):
                entry.fault = "delay"
                if answersAhead {
                    answerAt = answerAt + extra
                } else {
                    try await sleeps.sleep(for: extra)
                }
                response = try await serveAuthorized(request, context, settings: settings, handler)
            case .storeThenTimeout, nil:
                response = try await serveAuthorized(request, context, settings: settings, handler)
            case .storeThenReset:
                response = try await serveAuthorized(request, context, settings: settings, handler)
                entry.status = response.status.code
                entry.fault = "store_then_reset"
                entry.duration = ContinuousClock.now - started
                await store.record(entry)
                context.closeConnection()
                throw ConnectionDropped()
            }
            if answersAhead { try await waitForAnswerTime() }
            entry.status = response.status.code
            if case .storeThenTimeout(let delay) = fault {
                // Logged before the wait, so a test sees the write while the client is still waiting.
                entry.fault = "store_then_timeout"
                entry.duration = ContinuousClock.now - started
                await store.record(entry)
                try await sleeps.sleep(for: delay ?? .seconds(24 * 3600))
                return response
            }
            entry.duration = ContinuousClock.now - started
            await store.record(entry)
            return response
        }
    }

    /// Thrown after a deliberate connection drop, so nothing is written to the closed channel.
    struct ConnectionDropped: Error {}

    /// The handler's answer, or 401 when the key is missing or wrong.
    private func serveAuthorized(
        _ request: Request, _ context: FakeMem0Context, settings: FakeMem0Settings, _ handler: Handler
    ) async throws -> Response {
        if let refusal = authorized(request, settings: settings) { return refusal }
        return try await handler(request, context)
    }

    /// The 401 answer when the key is missing or wrong; nil when the request may proceed.
    private func authorized(_ request: Request, settings: FakeMem0Settings) -> Response? {
        if settings.api == .oss { return Self.authorizedOSS(request, settings: settings) }
        let header = request.headers[.authorization] ?? ""
        // DRF's TokenAuthentication compares the keyword case-insensitively.
        guard header.lowercased().hasPrefix("token "), case let token = header.dropFirst(6).trimmingCharacters(in: .whitespaces),
            !token.isEmpty
        else {
            return FakeMem0HTTP.json(["detail": "Authentication credentials were not provided."], status: .unauthorized)
        }
        if let key = settings.apiKey, token != key {
            return FakeMem0HTTP.json(
                ["detail": "Invalid API key. You can find your API key on https://app.mem0.ai/dashboard/api-keys."],
                status: .unauthorized
            )
        }
        return nil
    }

    // MARK: - Handlers

    private func ping(_ request: Request, _ context: FakeMem0Context) async throws -> Response {
        FakeMem0HTTP.json(["status": "ok", "org_id": "org_fake", "project_id": "proj_fake", "user_email": "fake@mem0.local"])
    }

    private func add(_ request: Request, _ context: FakeMem0Context) async throws -> Response {
        guard case .success(let body?) = try await FakeMem0HTTP.body(of: request), let object = body.objectValue else {
            return FakeMem0HTTP.addValidation("Invalid input data. Please refer to the memory creation documentation.")
        }
        let texts: [String]
        if let single = object["messages"]?.stringValue {
            texts = [single]
        } else {
            texts = (object["messages"]?.arrayValue ?? []).compactMap { message in
                message["role"]?.stringValue == "system" ? nil : message["content"]?.stringValue
            }
        }
        guard !texts.isEmpty, texts.allSatisfy({ !$0.isEmpty }) else {
            return FakeMem0HTTP.addValidation("Invalid input data. messages must contain at least one message with content.")
        }
        let ids = ["user_id", "agent_id", "app_id", "run_id"].map { object[$0]?.stringValue }
        guard ids.contains(where: { $0 != nil }) else {
            return FakeMem0HTTP.addValidation("Invalid input data. At least one of user_id, agent_id, app_id or run_id is required.")
        }
        if let metadata = object["metadata"], metadata != .null, metadata.objectValue == nil {
            return FakeMem0HTTP.addValidation("Invalid input data. metadata must be an object.")
        }
        let parsed = FakeAddRequest(
            texts: texts, userID: ids[0], agentID: ids[1], appID: ids[2], runID: ids[3],
            metadata: object["metadata"]?.objectValue, infer: object["infer"] != .bool(false), payload: body
        )
        return FakeMem0HTTP.json(await store.add(parsed))
    }

    private func event(_ request: Request, _ context: FakeMem0Context) async throws -> Response {
        guard let id = context.parameters.get("id"), let event = await store.pollEvent(id: id) else {
            return FakeMem0HTTP.json(["error": "Event not found or you don't have permission to access it."], status: .notFound)
        }
        return FakeMem0HTTP.json(event)
    }

    private func get(_ request: Request, _ context: FakeMem0Context) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard FakeMem0HTTP.isUUID(id) else { return FakeMem0HTTP.invalidUUID }
        guard let memory = await store.memory(id: id) else { return FakeMem0HTTP.memoryNotFound }
        return FakeMem0HTTP.json(memory.platformJSON)
    }

    private func update(_ request: Request, _ context: FakeMem0Context) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard FakeMem0HTTP.isUUID(id) else { return FakeMem0HTTP.invalidUUID }
        guard case .success(let body?) = try await FakeMem0HTTP.body(of: request), let object = body.objectValue,
            !Set(object.keys).isDisjoint(with: ["text", "metadata", "expiration_date", "timestamp"])
        else {
            return FakeMem0HTTP.json(["error": "At least one of text, metadata, expiration_date or timestamp is required"], status: .badRequest)
        }
        if let text = object["text"], text.stringValue?.isEmpty != false {
            return FakeMem0HTTP.json(["error": "text must be a non-empty string"], status: .badRequest)
        }
        let metadata: [String: FakeJSON]?? = object["metadata"].map { $0.objectValue }
        if let sent = object["metadata"], sent != .null, sent.objectValue == nil {
            return FakeMem0HTTP.json(["error": "metadata must be an object"], status: .badRequest)
        }
        guard let memory = await store.update(id: id, text: object["text"]?.stringValue, metadata: metadata) else {
            return FakeMem0HTTP.memoryNotFound
        }
        return FakeMem0HTTP.json(memory.platformJSON)
    }

    private func delete(_ request: Request, _ context: FakeMem0Context) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard FakeMem0HTTP.isUUID(id) else { return FakeMem0HTTP.invalidUUID }
        guard await store.delete(id: id) else { return FakeMem0HTTP.memoryNotFound }
        return FakeMem0HTTP.json(["message": "Memory deleted successfully!"])
    }
}
