import BrainCore
import NIOCore

/// The save answer written straight into the response buffer. Every agent's save is answered with
/// this shape, and Foundation's `JSONEncoder` (building a tree of containers, then sorting keys)
/// was 6 % of braind's samples at 64 connections. The bytes are exactly what `JSONResponse.make`
/// writes for the same value (sorted keys, nil fields left out, slashes unescaped): a test
/// compares the two on generated results, so the Codable conformance stays the definition.
extension SaveBatchResult {
    func jsonLine() -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(96 + items.count * 80)
        buffer.writeStaticString(#"{"errors":["#)
        for (index, error) in errors.enumerated() {
            if index > 0 { buffer.writeStaticString(",") }
            buffer.writeJSONString(error)
        }
        buffer.writeStaticString(#"],"failed_count":"#)
        buffer.writeString(String(failedCount))
        buffer.writeStaticString(#","items":["#)
        for (index, item) in items.enumerated() {
            buffer.writeStaticString(index > 0 ? ",{" : "{")
            var first = true
            func key(_ name: StaticString) {
                buffer.writeStaticString(first ? "\"" : ",\"")
                buffer.writeStaticString(name)
                buffer.writeStaticString("\":")
                first = false
            }
            if let error = item.error { key("error"); buffer.writeJSONString(error) }
            if let slug = item.slug { key("slug"); buffer.writeJSONString(slug) }
            key("status")
            buffer.writeJSONString(item.status.rawValue)
            if let state = item.syncState { key("sync_state"); buffer.writeJSONString(state.rawValue) }
            buffer.writeStaticString("}")
        }
        buffer.writeStaticString(#"],"saved_count":"#)
        buffer.writeString(String(savedCount))
        buffer.writeStaticString(success ? #","success":true}"# : #","success":false}"#)
        buffer.writeStaticString("\n")
        return buffer
    }
}

extension ByteBuffer {
    /// A JSON string literal, escaped as Foundation's encoder escapes it with
    /// `.withoutEscapingSlashes`: quote, backslash and control characters only.
    mutating func writeJSONString(_ text: String) {
        writeStaticString("\"")
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            writeString(text)
        } else {
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "\""): writeStaticString(#"\""#)
                case UInt8(ascii: "\\"): writeStaticString(#"\\"#)
                case 0x08: writeStaticString(#"\b"#)
                case 0x09: writeStaticString(#"\t"#)
                case 0x0A: writeStaticString(#"\n"#)
                case 0x0C: writeStaticString(#"\f"#)
                case 0x0D: writeStaticString(#"\r"#)
                case ..<0x20:
                    writeStaticString(#"\u00"#)
                    writeInteger(Self.hexDigits[Int(byte >> 4)])
                    writeInteger(Self.hexDigits[Int(byte & 0xF)])
                default: writeInteger(byte)
                }
            }
        }
        writeStaticString("\"")
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
