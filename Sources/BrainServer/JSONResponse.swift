import BrainCore
import Foundation
import Hummingbird
import NIOCore

/// JSON bodies in and out of the API, in one place so every route encodes and decodes alike.
enum JSONResponse {
    /// One encoder for every response: making and configuring one per request showed in profiles.
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Encodes a value as a JSON response. Keys are sorted so answers are stable for scripts.
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        var data = (try? encoder.encode(value)) ?? Data(#"{"error":{"code":"internal","message":"encoding failed"}}"#.utf8)
        data.append(0x0A)
        return make(line: ByteBuffer(bytes: data), status: status)
    }

    /// A JSON response from a body already encoded, ending in a newline like every other.
    static func make(line: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: ResponseBody(byteBuffer: line))
    }

    /// One line of a JSON-lines stream.
    static func line(_ value: some Encodable) -> ByteBuffer {
        var data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        data.append(0x0A)
        return ByteBuffer(bytes: data)
    }

    /// Reads and decodes a JSON body, mapping every failure to a precise 4xx.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int) async throws -> T {
        try decode(T.self, from: try await collect(request, limit: limit))
    }

    /// Reads a request body up to a limit, mapping an oversized body to 413.
    static func collect(_ request: Request, limit: Int) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge(limit: limit)
        }
    }

    /// Decodes a JSON body already read.
    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        if let plain = T.self as? any PlainJSONBody.Type,
            let value = buffer.withUnsafeReadableBytes({ plain.init(plainJSON: $0) }) as? T {
            return value
        }
        guard buffer.readableBytes > 0 else { throw APIError.malformedJSON("the body is empty") }
        let data = Data(buffer: buffer)
        // JSON text must be UTF-8; checking first gives a precise message instead of a type error
        // from deep inside the decoder.
        guard String(validating: data, as: UTF8.self) != nil else { throw APIError.malformedJSON("the body is not valid UTF-8") }
        try checkNesting(data)
        if let strict = T.self as? any StrictBody.Type { try rejectUnknownFields(data, allowed: strict.fields) }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as BrainError {
            throw APIError(error)
        } catch DecodingError.dataCorrupted(let context) {
            let underlying = (context.underlyingError as NSError?)?.localizedDescription ?? context.debugDescription
            throw APIError.malformedJSON(underlying)
        } catch let error as DecodingError {
            throw APIError(BrainError.invalid(field: error.fieldPath, reason: error.reason))
        }
    }
}

/// Bodies whose unknown fields are refused by name: a misspelled field silently ignored is an
/// option silently not applied.
protocol StrictBody {
    static var fields: Set<String> { get }
}

/// Bodies with a reader for their common shape that needs no `JSONDecoder`; it answers nil for
/// anything else, which `decode` then reads in full, with its precise errors.
protocol PlainJSONBody {
    init?(plainJSON bytes: UnsafeRawBufferPointer)
}

/// Deepest JSON nesting accepted in a body.
let maxJSONDepth = 32

extension JSONResponse {
    /// Refuses deeply nested JSON before decoding it (cheap: one pass over the bytes).
    static func checkNesting(_ data: Data) throws {
        try data.withUnsafeBytes { try checkNesting($0) }
    }

    private static func checkNesting(_ bytes: UnsafeRawBufferPointer) throws {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maxJSONDepth {
                    throw APIError(BrainError.invalid(field: "body", reason: "JSON nested deeper than \(maxJSONDepth) levels"))
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
    }

    static func rejectUnknownFields(_ data: Data, allowed: Set<String>) throws {
        guard let object = try? JSONDecoder().decode([String: JSONValue].self, from: data) else { return }
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIError(BrainError.invalid(
                field: unknown, reason: "unknown field; expected one of \(allowed.sorted().joined(separator: ", "))"))
        }
    }
}

extension SaveBatchRequest: PlainJSONBody {}

extension SearchRequest: StrictBody {
    static var fields: Set<String> { ["q", "owner", "brain", "limit", "mode"] }
}
