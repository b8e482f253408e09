import BrainCore
import MCP

extension JSONValue {
    /// braind's JSON from an MCP value. The SDK decodes any string that looks like a `data:` URL as
    /// `.data`; it goes back to the same string, so metadata round-trips as the agent wrote it.
    init(_ value: Value) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = .int(Int64(number))
        case .double(let number): self = .double(number)
        case .string(let text): self = .string(text)
        case .data(let mimeType, let data): self = .string(data.dataURLEncoded(mimeType: mimeType))
        case .array(let items): self = .array(items.map(JSONValue.init))
        case .object(let fields): self = .object(fields.mapValues(JSONValue.init))
        }
    }
}
