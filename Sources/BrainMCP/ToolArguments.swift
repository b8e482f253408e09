import BrainCore
import MCP

/// A tool call's arguments, read with the checks the input schema announces.
///
/// MCP clients are not required to validate arguments against a tool's schema (the Python client
/// does not), so every field is checked here again. Each problem is reported as one sentence that
/// names the field, which an agent can act on without reading the schema.
struct ToolArguments: Sendable {
    let values: [String: Value]

    init(_ values: [String: Value]?) {
        self.values = values ?? [:]
    }

    /// Refuses fields the tool does not know: a misspelt `limit` would otherwise be ignored silently.
    func rejectUnknown(allowed: [String]) throws(ToolArgumentError) {
        if let unknown = values.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw ToolArgumentError("unknown argument '\(unknown)'; this tool takes \(allowed.joined(separator: ", "))")
        }
    }

    /// A required, non-blank string.
    func string(_ name: String) throws(ToolArgumentError) -> String {
        guard let text = try optionalString(name) else { throw ToolArgumentError("'\(name)' is required (a non-empty string)") }
        return text
    }

    /// An optional string. JSON `null` and a blank string count as absent: agents often fill every
    /// optional field, with `""` meaning "no value".
    func optionalString(_ name: String) throws(ToolArgumentError) -> String? {
        switch values[name] {
        case nil, .null?: return nil
        case .string(let text)?: return text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : text
        case let other?: throw ToolArgumentError("'\(name)' must be a string, not \(other.kindName)")
        }
    }

    /// An optional integer within `range`. A float with no fractional part (`10.0`) is accepted
    /// because some clients send every JSON number as a float.
    func optionalInt(_ name: String, in range: ClosedRange<Int>) throws(ToolArgumentError) -> Int? {
        let number: Int?
        switch values[name] {
        case nil, .null?: return nil
        case .int(let value)?: number = value
        case .double(let value)?: number = Int(exactly: value)
        default: number = nil
        }
        guard let number else {
            let given = values[name].map { $0.doubleValue.map { "\($0)" } ?? $0.kindName } ?? "null"
            throw ToolArgumentError("'\(name)' must be an integer, not \(given)")
        }
        guard range.contains(number) else {
            throw ToolArgumentError("'\(name)' must be between \(range.lowerBound) and \(range.upperBound), not \(number)")
        }
        return number
    }

    /// `company` or `user`.
    func brain(_ name: String = "brain") throws(ToolArgumentError) -> BrainKind {
        let text = try string(name)
        guard let brain = BrainKind(rawValue: text) else {
            throw ToolArgumentError("'\(name)' must be \"company\" or \"user\", not \"\(text)\"")
        }
        return brain
    }

    /// `auto`, `local` or `remote`; absent means braind's default.
    func searchMode(_ name: String = "mode") throws(ToolArgumentError) -> SearchMode? {
        guard let text = try optionalString(name) else { return nil }
        guard let mode = SearchMode(rawValue: text) else {
            let names = SearchMode.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw ToolArgumentError("'\(name)' must be one of \(names), not \"\(text)\"")
        }
        return mode
    }

    /// An optional JSON object, converted to braind's JSON type.
    func optionalObject(_ name: String) throws(ToolArgumentError) -> JSONValue? {
        switch values[name] {
        case nil, .null?: return nil
        case let object? where object.objectValue != nil: return JSONValue(object)
        case let other?: throw ToolArgumentError("'\(name)' must be a JSON object, not \(other.kindName)")
        }
    }

    /// An optional array of objects, each read as its own `ToolArguments` (batch items).
    func optionalObjectArray(_ name: String) throws(ToolArgumentError) -> [ToolArguments]? {
        switch values[name] {
        case nil, .null?: return nil
        case .array(let items)?:
            return try items.enumerated().map { index, item throws(ToolArgumentError) in
                guard case .object(let fields) = item else {
                    throw ToolArgumentError("'\(name)[\(index)]' must be an object, not \(item.kindName)")
                }
                return ToolArguments(fields)
            }
        case let other?: throw ToolArgumentError("'\(name)' must be an array, not \(other.kindName)")
        }
    }

    /// Whether the caller gave a value for `name` (null and a blank string do not count).
    func has(_ name: String) -> Bool {
        switch values[name] {
        case nil, .null?: false
        case .string(let text)?: !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        default: true
        }
    }
}

/// A tool call whose arguments do not fit the tool's input schema.
struct ToolArgumentError: Error, Sendable, CustomStringConvertible {
    var message: String

    init(_ message: String) { self.message = message }

    var description: String { message }

    /// The same problem inside a batch item, prefixed with its path (`memories[2]: ...`).
    func inItem(_ path: String) -> ToolArgumentError { ToolArgumentError("\(path): \(message)") }
}

extension Value {
    /// The JSON type name, for error messages.
    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string, .data: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
