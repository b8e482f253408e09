extension SaveBatchRequest {
    /// The common save body read without Foundation's `JSONDecoder`: `{"memories": [...]}` whose
    /// items hold only `slug`, `category` and `content`, each once, as strings. Anything else
    /// (metadata, a null, an unknown or repeated field, a `\u` escape, invalid UTF-8, any syntax
    /// error) gives nil, and the caller decodes the body in full, with its precise errors.
    ///
    /// Why: decoding a one-memory body through `JSONDecoder` (a `Data` copy, its scanner, keyed
    /// containers, `AnyCodingKey`s) was a fifth of the cooperative pool's time on the save path at
    /// 64 connections, ~20 us of a save's 200. No JSON package in the mirror does this; what this
    /// accepts, it reads exactly as `JSONDecoder` does (`PlainSaveBodyTests` compares them).
    public init?(plainJSON bytes: UnsafeRawBufferPointer) {
        var reader = PlainJSONReader(bytes: bytes)
        guard reader.take(.openBrace), reader.string() == "memories", reader.take(.colon), reader.take(.openBracket) else {
            return nil
        }
        var memories: [MemoryInput] = []
        if !reader.take(.closeBracket) {
            repeat {
                guard let memory = reader.memory() else { return nil }
                memories.append(memory)
            } while reader.take(.comma)
            guard reader.take(.closeBracket) else { return nil }
        }
        guard reader.take(.closeBrace), reader.atEnd() else { return nil }
        self.init(memories: memories)
    }
}

/// Reads the subset of JSON `SaveBatchRequest(plainJSON:)` accepts; every method answers nil or
/// false at the first byte outside it.
private struct PlainJSONReader {
    let bytes: UnsafeRawBufferPointer
    var position = 0

    /// Skips JSON whitespace, then consumes `byte` if it comes next.
    mutating func take(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    mutating func atEnd() -> Bool {
        skipWhitespace()
        return position == bytes.count
    }

    /// An item with only `slug`, `category` and `content`, each a string given once.
    mutating func memory() -> MemoryInput? {
        guard take(.openBrace) else { return nil }
        var slug: String?
        var category: String?
        var content: String?
        repeat {
            guard let key = string(), take(.colon), let value = string() else { return nil }
            switch key {
            case "slug" where slug == nil: slug = value
            case "category" where category == nil: category = value
            case "content" where content == nil: content = value
            default: return nil
            }
        } while take(.comma)
        guard take(.closeBrace) else { return nil }
        return MemoryInput(slug: slug, category: category, content: content)
    }

    /// A string of valid UTF-8 with no control characters and no `\u` escape; the one-letter
    /// escapes are decoded.
    mutating func string() -> String? {
        guard take(.quote) else { return nil }
        let start = position
        while position < bytes.count {
            switch bytes[position] {
            case .quote:
                defer { position += 1 }
                return String(validating: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            case .backslash:
                return escapedString(from: start)
            case 0..<0x20:
                return nil
            default:
                position += 1
            }
        }
        return nil
    }

    /// The rest of a string that holds escapes, from its first byte at `start`.
    private mutating func escapedString(from start: Int) -> String? {
        var decoded = Array(bytes[start..<position])
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case .quote:
                return String(validating: decoded, as: UTF8.self)
            case .backslash:
                guard position < bytes.count, let unescaped = Self.unescaped(bytes[position]) else { return nil }
                decoded.append(unescaped)
                position += 1
            case 0..<0x20:
                return nil
            default:
                decoded.append(byte)
            }
        }
        return nil
    }

    /// The byte a one-letter escape stands for; nil for `\u` (left to the full decoder) and for
    /// letters JSON does not define.
    private static func unescaped(_ letter: UInt8) -> UInt8? {
        switch letter {
        case .quote, .backslash, UInt8(ascii: "/"): letter
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }
}

private extension UInt8 {
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let colon = UInt8(ascii: ":")
    static let comma = UInt8(ascii: ",")
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
}
