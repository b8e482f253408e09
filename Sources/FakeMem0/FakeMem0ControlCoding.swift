import Foundation

/// JSON forms of the control API's values (snake_case, like the Platform).
enum FakeMem0ControlCoding {
    /// A control request that could not be understood; the text goes into the 400 body.
    struct Invalid: Error {
        var message: String
    }

    static func milliseconds(_ duration: Duration) -> FakeJSON {
        .double(Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)
    }

    static func duration(_ json: FakeJSON?, key: String) throws(Invalid) -> Duration? {
        guard let json, json != .null else { return nil }
        guard let ms = json.doubleValue, ms >= 0 else { throw Invalid(message: "\(key) must be a number of milliseconds") }
        return .microseconds(Int64(ms * 1000))
    }

    // MARK: Settings

    static func json(_ settings: FakeMem0Settings) -> FakeJSON {
        [
            "api_key": settings.apiKey.json, "latency_ms": milliseconds(settings.latency),
            "add_mode": .string(settings.addMode.rawValue), "pending_polls": .int(Int64(settings.pendingPolls)),
            "update_metadata": .string(settings.updateMetadata.rawValue),
            "request_log_limit": .int(Int64(settings.requestLogLimit)),
            "random_seed": settings.randomSeed.map { FakeJSON.string(String($0)) } ?? .null,
            "webhook_drop_rate": .double(settings.webhookDelivery.dropRate),
            "webhook_delay_ms": milliseconds(settings.webhookDelivery.delay),
            "webhook_duplicate_rate": .double(settings.webhookDelivery.duplicateRate),
            "webhook_reorder_ms": settings.webhookDelivery.reorderWindow.map(milliseconds) ?? .null,
        ]
    }

    /// Applies the keys present in `object` to `settings`.
    static func apply(_ object: [String: FakeJSON], to settings: inout FakeMem0Settings) throws(Invalid) {
        for (key, value) in object {
            switch key {
            case "api_key": settings.apiKey = value.stringValue
            case "latency_ms": settings.latency = try duration(value, key: key) ?? .zero
            case "add_mode":
                guard let mode = value.stringValue.flatMap(FakeMem0AddMode.init(rawValue:)) else {
                    throw Invalid(message: "add_mode must be infer, sync or async")
                }
                settings.addMode = mode
            case "pending_polls":
                guard let polls = value.intValue, polls >= 0 else { throw Invalid(message: "pending_polls must be >= 0") }
                settings.pendingPolls = polls
            case "update_metadata":
                guard let mode = value.stringValue.flatMap(FakeMem0MetadataUpdate.init(rawValue:)) else {
                    throw Invalid(message: "update_metadata must be replace or merge")
                }
                settings.updateMetadata = mode
            case "request_log_limit":
                guard let limit = value.intValue, limit >= 1 else { throw Invalid(message: "request_log_limit must be >= 1") }
                settings.requestLogLimit = limit
            case "random_seed":
                settings.randomSeed = value.stringValue.flatMap { UInt64($0) } ?? value.intValue.map { UInt64(truncatingIfNeeded: $0) }
            case "webhook_drop_rate", "webhook_duplicate_rate":
                guard let rate = value.doubleValue, (0...1).contains(rate) else { throw Invalid(message: "\(key) must be between 0 and 1") }
                if key == "webhook_drop_rate" { settings.webhookDelivery.dropRate = rate } else { settings.webhookDelivery.duplicateRate = rate }
            case "webhook_delay_ms": settings.webhookDelivery.delay = try duration(value, key: key) ?? .zero
            case "webhook_reorder_ms": settings.webhookDelivery.reorderWindow = try duration(value, key: key)
            default:
                throw Invalid(message: "unknown setting \(key)")
            }
        }
    }

    // MARK: Faults

    static func json(_ fault: FakeMem0Fault) -> FakeJSON {
        var object: [String: FakeJSON] = [
            "route": fault.route.map { FakeJSON.string($0.rawValue) } ?? .null,
            "count": fault.count.map { FakeJSON.int(Int64($0)) } ?? .null,
            "rate": fault.rate.map(FakeJSON.double) ?? .null,
        ]
        switch fault.action {
        case .status(let code, let retryAfter, let body, let contentType, let headers):
            object["action"] = "status"
            object["status"] = .int(Int64(code))
            object["retry_after"] = retryAfter.json
            object["body"] = body.json
            object["content_type"] = .string(contentType)
            object["headers"] = .object(headers.mapValues(FakeJSON.string))
        case .resetConnection:
            object["action"] = "reset"
        case .delay(let delay):
            object["action"] = "delay"
            object["delay_ms"] = milliseconds(delay)
        case .storeThenTimeout(let delay):
            object["action"] = "store_then_timeout"
            object["delay_ms"] = delay.map(milliseconds) ?? .null
        case .storeThenReset:
            object["action"] = "store_then_reset"
        }
        return .object(object)
    }

    static func fault(_ object: [String: FakeJSON]) throws(Invalid) -> FakeMem0Fault {
        let action: FakeMem0Fault.Action
        switch object["action"]?.stringValue {
        case "status":
            guard let code = object["status"]?.intValue, (100...599).contains(code) else {
                throw Invalid(message: "status must be an HTTP status code")
            }
            action = .status(
                code, retryAfter: object["retry_after"]?.intValue.map(String.init) ?? object["retry_after"]?.stringValue,
                body: object["body"]?.stringValue,
                contentType: object["content_type"]?.stringValue ?? "application/json",
                headers: (object["headers"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
            )
        case "reset": action = .resetConnection
        case "delay":
            guard let delay = try duration(object["delay_ms"], key: "delay_ms") else { throw Invalid(message: "delay needs delay_ms") }
            action = .delay(delay)
        case "store_then_timeout": action = .storeThenTimeout(delay: try duration(object["delay_ms"], key: "delay_ms"))
        case "store_then_reset": action = .storeThenReset
        default: throw Invalid(message: "action must be status, reset, delay, store_then_timeout or store_then_reset")
        }
        var route: FakeMem0Route?
        if let name = object["route"]?.stringValue {
            guard let parsed = FakeMem0Route(rawValue: name) else { throw Invalid(message: "unknown route \(name)") }
            route = parsed
        }
        let count = object["count"]?.intValue
        let rate = object["rate"]?.doubleValue
        if let count, count < 1 { throw Invalid(message: "count must be >= 1") }
        if let rate, !(0...1).contains(rate) { throw Invalid(message: "rate must be within 0...1") }
        return FakeMem0Fault(action, route: route, count: count, rate: rate)
    }

    // MARK: Memories

    /// A memory from a control insert body; `memory` (or `text`) is required.
    static func memory(_ object: [String: FakeJSON]) throws(Invalid) -> FakeMemory {
        guard let text = object["memory"]?.stringValue ?? object["text"]?.stringValue else {
            throw Invalid(message: "memory is required")
        }
        let created = object["created_at"]?.stringValue.flatMap(FakeTimestamp.date) ?? Date()
        return FakeMemory(
            id: object["id"]?.stringValue ?? UUID().uuidString.lowercased(), memory: text,
            userID: object["user_id"]?.stringValue, agentID: object["agent_id"]?.stringValue,
            appID: object["app_id"]?.stringValue, runID: object["run_id"]?.stringValue,
            metadata: object["metadata"]?.objectValue,
            categories: object["categories"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            createdAt: created, updatedAt: object["updated_at"]?.stringValue.flatMap(FakeTimestamp.date)
        )
    }

    /// Applies a control edit body to a memory; the update time moves to now unless given.
    static func edit(_ memory: inout FakeMemory, with object: [String: FakeJSON]) {
        if let text = object["memory"]?.stringValue ?? object["text"]?.stringValue { memory.memory = text }
        if let metadata = object["metadata"] { memory.metadata = metadata.objectValue }
        if let userID = object["user_id"] { memory.userID = userID.stringValue }
        if let categories = object["categories"]?.arrayValue { memory.categories = categories.compactMap(\.stringValue) }
        memory.updatedAt = object["updated_at"]?.stringValue.flatMap(FakeTimestamp.date) ?? Date()
    }
}
