/// How a decoding failure is named to API clients: the JSON path of the field and a short reason.
/// Both the HTTP layer and item decoding (`MemoryInput`) use it, so a field reads the same everywhere.
extension DecodingError {
    /// The path of the value that failed, from the top of the document.
    public var codingPath: [any CodingKey] {
        switch self {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            context.codingPath
        case .keyNotFound(let key, let context):
            context.codingPath + [key]
        @unknown default:
            []
        }
    }

    /// The JSON path of the failing field, e.g. `memories[1].slug`; `body` for the document itself.
    public var fieldPath: String {
        let text = Self.jsonPath(codingPath)
        return text.isEmpty ? "body" : text
    }

    public var reason: String {
        switch self {
        case .typeMismatch(let type, _): "expected \(type)"
        case .valueNotFound(let type, _): "expected \(type), found null"
        case .keyNotFound: "is required"
        case .dataCorrupted(let context): context.debugDescription
        @unknown default: "is invalid"
        }
    }

    /// Writes coding keys as a JSON path: members joined by dots, array indexes in brackets.
    public static func jsonPath(_ path: some Sequence<any CodingKey>) -> String {
        path.reduce(into: "") { text, key in
            if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
        }
    }
}
