import Foundation

extension FakeMem0Filter {
    /// Parses a `filters` object; requires an entity id somewhere, as list and search do.
    static func parseScoped(_ json: FakeJSON?) throws(Invalid) -> FakeMem0Filter {
        guard let json, let object = json.objectValue, !object.isEmpty else {
            throw Invalid(message: "One of the filters: app_id, user_id, agent_id, run_id is required!")
        }
        let filter = try parse(object)
        guard !filter.mentionedEntities.isEmpty else {
            throw Invalid(message: "One of the filters: app_id, user_id, agent_id, run_id is required!")
        }
        return filter
    }

    /// Parses one filter object; several keys in one object are ANDed.
    static func parse(_ object: [String: FakeJSON]) throws(Invalid) -> FakeMem0Filter {
        var parts: [FakeMem0Filter] = []
        for key in object.keys.sorted() {
            let value = object[key]!
            switch key {
            case "AND": parts.append(.all(try children(of: value, key: key)))
            case "OR": parts.append(.any(try children(of: value, key: key)))
            case "NOT": parts.append(.not(.all(try children(of: value, key: key))))
            default: parts.append(try condition(key: key, value: value))
            }
        }
        return parts.count == 1 ? parts[0] : .all(parts)
    }

    private static func children(of value: FakeJSON, key: String) throws(Invalid) -> [FakeMem0Filter] {
        if let object = value.objectValue { return [try parse(object)] }
        guard let array = value.arrayValue else { throw Invalid(message: "\(key) must hold a list of conditions") }
        var result: [FakeMem0Filter] = []
        for element in array {
            guard let object = element.objectValue else { throw Invalid(message: "\(key) conditions must be objects") }
            result.append(try parse(object))
        }
        return result
    }

    private static func condition(key: String, value: FakeJSON) throws(Invalid) -> FakeMem0Filter {
        if let field = EntityField(rawValue: key) {
            return .entity(field, try entityCondition(value, key: key))
        }
        switch key {
        case "metadata":
            guard let object = value.objectValue else { throw Invalid(message: "metadata filter must be an object") }
            return .metadata(object)
        case "memory_ids":
            guard let ids = value.arrayValue?.compactMap(\.stringValue) else {
                throw Invalid(message: "memory_ids must be a list of ids")
            }
            return .memoryIDs(Set(ids))
        case "categories":
            if let wanted = value["in"]?.arrayValue { return .categoriesIn(Set(wanted.compactMap(\.stringValue))) }
            if let part = value["contains"]?.stringValue { return .categoriesContain(part) }
            throw Invalid(message: "categories supports in and contains")
        case "keywords":
            if let part = value["contains"]?.stringValue { return .keywords(part, caseSensitive: true) }
            if let part = value["icontains"]?.stringValue { return .keywords(part, caseSensitive: false) }
            throw Invalid(message: "keywords supports contains and icontains")
        case "created_at", "updated_at":
            return try dateCondition(field: DateField(rawValue: key)!, value: value)
        default:
            throw Invalid(message: "Invalid filter key: \(key)")
        }
    }

    private static func entityCondition(_ value: FakeJSON, key: String) throws(Invalid) -> EntityCondition {
        if let string = value.stringValue { return string == "*" ? .present : .equals(string) }
        if let equal = value["eq"]?.stringValue { return equal == "*" ? .present : .equals(equal) }
        if let unequal = value["ne"]?.stringValue { return .notEquals(unequal) }
        if let allowed = value["in"]?.arrayValue { return .oneOf(Set(allowed.compactMap(\.stringValue))) }
        throw Invalid(message: "Invalid condition for \(key)")
    }

    private static func dateCondition(field: DateField, value: FakeJSON) throws(Invalid) -> FakeMem0Filter {
        guard let object = value.objectValue, !object.isEmpty else {
            throw Invalid(message: "\(field.rawValue) needs an operator such as gte")
        }
        var parts: [FakeMem0Filter] = []
        for (name, bound) in object {
            guard let comparison = Comparison(rawValue: name), let text = bound.stringValue,
                let date = FakeTimestamp.date(text) ?? dayDate(text)
            else { throw Invalid(message: "Invalid condition for \(field.rawValue)") }
            parts.append(.date(field, comparison, date))
        }
        return parts.count == 1 ? parts[0] : .all(parts)
    }

    /// `2024-01-01` as midnight UTC.
    private static func dayDate(_ text: String) -> Date? {
        try? Date.ISO8601FormatStyle().year().month().day().parse(text)
    }
}
