import Hummingbird

/// The control API under `/_control/`: state, settings, faults, add outcomes, memories and the
/// request log. It needs no API key, sees no latency or faults, and is not logged.
struct FakeMem0ControlRoutes: Sendable {
    let store: FakeMem0Store

    func register(on router: Router<FakeMem0Context>) {
        let control = router.group("_control")
        control.get("state") { _, _ in await state() }
        control.post("reset") { _, _ in
            await store.reset()
            return await state()
        }
        control.get("settings") { _, _ in FakeMem0HTTP.json(FakeMem0ControlCoding.json(await store.settings)) }
        control.patch("settings") { request, _ in
            try await withObject(request) { object in
                let settings = try await store.updateSettings { try FakeMem0ControlCoding.apply(object, to: &$0) }
                return FakeMem0HTTP.json(FakeMem0ControlCoding.json(settings))
            }
        }
        control.get("faults") { _, _ in await faults() }
        control.post("faults") { request, _ in
            try await withObject(request) { object in
                await store.addFault(try FakeMem0ControlCoding.fault(object))
                return await faults(status: .created)
            }
        }
        control.delete("faults") { _, _ in
            await store.clearFaults()
            return await faults()
        }
        control.post("add-outcomes") { request, _ in
            try await withObject(request) { object in
                let names = object["outcomes"]?.arrayValue?.compactMap(\.stringValue) ?? []
                let outcomes = names.compactMap(FakeMem0AddOutcome.init(rawValue:))
                guard !outcomes.isEmpty, outcomes.count == names.count else {
                    throw FakeMem0ControlCoding.Invalid(message: "outcomes must list stored, nothing_stored or failed")
                }
                await store.queueAddOutcomes(outcomes)
                return await state()
            }
        }
        control.delete("add-outcomes") { _, _ in
            await store.clearAddOutcomes()
            return await state()
        }
        registerMemories(on: control)
        control.get("requests") { _, _ in FakeMem0HTTP.json(.array(await store.requestLog.map(\.json))) }
        control.delete("requests") { _, _ in
            await store.clearRequestLog()
            return FakeMem0HTTP.json([])
        }
    }

    private func registerMemories(on control: RouterGroup<FakeMem0Context>) {
        control.get("memories") { request, _ in
            let userID = request.uri.queryParameters.get("user_id")
            return FakeMem0HTTP.json(.array(await store.allMemories(userID: userID).map(\.platformJSON)))
        }
        control.post("memories") { request, _ in
            try await withObject(request) { object in
                let memory = try FakeMem0ControlCoding.memory(object)
                await store.insertFromControl(memory)
                return FakeMem0HTTP.json((await store.memory(id: memory.id) ?? memory).platformJSON, status: .created)
            }
        }
        control.delete("memories") { _, _ in
            await store.deleteAllMemories()
            return FakeMem0HTTP.json([])
        }
        control.patch("memories/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await withObject(request) { object in
                guard let memory = await store.edit(id: id, { FakeMem0ControlCoding.edit(&$0, with: object) }) else {
                    return FakeMem0HTTP.memoryNotFound
                }
                return FakeMem0HTTP.json(memory.platformJSON)
            }
        }
        control.delete("memories/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            return await store.delete(id: id) ? Response(status: .noContent) : FakeMem0HTTP.memoryNotFound
        }
    }

    private func state() async -> Response {
        let counts = await store.counts
        return FakeMem0HTTP.json([
            "settings": FakeMem0ControlCoding.json(await store.settings),
            "faults": .array(await store.faults.map(FakeMem0ControlCoding.json)),
            "queued_add_outcomes": .array(await store.queuedAddOutcomes.map { .string($0.rawValue) }),
            "memory_count": .int(Int64(counts.memories)), "event_count": .int(Int64(counts.events)),
            "request_count": .int(Int64(counts.requests)),
        ])
    }

    private func faults(status: HTTPResponse.Status = .ok) async -> Response {
        FakeMem0HTTP.json(.array(await store.faults.map(FakeMem0ControlCoding.json)), status: status)
    }

    /// Runs `body` with the request's JSON object, answering 400 for anything else or for `Invalid`.
    private func withObject(
        _ request: Request, _ body: ([String: FakeJSON]) async throws -> Response
    ) async throws -> Response {
        guard case .success(let json) = try await FakeMem0HTTP.body(of: request), let object = json?.objectValue ?? (json == nil ? [:] : nil)
        else {
            return FakeMem0HTTP.json(["error": "body must be a JSON object"], status: .badRequest)
        }
        do {
            return try await body(object)
        } catch let invalid as FakeMem0ControlCoding.Invalid {
            return FakeMem0HTTP.json(["error": .string(invalid.message)], status: .badRequest)
        }
    }
}
