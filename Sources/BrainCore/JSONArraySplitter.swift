/// Splits a top-level JSON array into the byte ranges of its elements, with the line each element
/// starts on, without parsing the elements.
///
/// Decoding the whole array at once would lose both things the import reports need: where each
/// element is, and the chance to reject one malformed element while keeping the others. So only
/// the array's outline is scanned here (strings, escapes, bracket depth); each element is then
/// decoded on its own.
enum JSONArraySplitter {
    /// One element: its bytes and the 1-based line its first byte is on. An empty range marks a
    /// stray comma (`[{...},]`), which the caller reports like any bad element.
    struct Element: Sendable, Equatable {
        var range: Range<Int>
        var line: Int
    }

    /// The elements of the array `bytes` holds, in order.
    /// - Throws: `BrainError.invalid` naming the line when the outline itself is broken (no opening
    ///   bracket, never closed, text after the closing bracket).
    static func elements(of bytes: [UInt8]) throws(BrainError) -> [Element] {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\"), lf = UInt8(ascii: "\n")
        var line = 1
        var index = 0
        func skipWhitespace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) {
                if bytes[index] == lf { line += 1 }
                index += 1
            }
        }
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else {
            throw .invalid(field: "line \(line)", reason: "expected a JSON array starting with '['")
        }
        let openedOn = line
        index += 1

        var elements: [Element] = []
        var depth = 1
        var inString = false
        var escaped = false
        var start: Int?
        var startLine = line
        var sawComma = false
        func finishElement(at end: Int) {
            if let start {
                elements.append(Element(range: start..<end, line: startLine))
            } else {
                elements.append(Element(range: end..<end, line: line))
            }
            start = nil
        }
        func markStart() {
            if start == nil {
                start = index
                startLine = line
            }
        }

        scan: while index < bytes.count {
            let byte = bytes[index]
            if byte == lf { line += 1 }
            if inString {
                if escaped {
                    escaped = false
                } else if byte == backslash {
                    escaped = true
                } else if byte == quote {
                    inString = false
                }
                index += 1
                continue
            }
            switch byte {
            case quote:
                markStart()
                inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                markStart()
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth == 1 {
                    guard byte == UInt8(ascii: "]") else {
                        throw .invalid(field: "line \(line)", reason: "unexpected '}' where the JSON array should continue")
                    }
                    if start != nil || sawComma { finishElement(at: index) }
                    depth = 0
                    index += 1
                    break scan
                }
                depth -= 1
            case UInt8(ascii: ",") where depth == 1:
                finishElement(at: index)
                sawComma = true
            case 0x20, 0x09, 0x0A, 0x0D:
                break
            default:
                markStart()
            }
            index += 1
        }
        guard depth == 0 else {
            throw .invalid(field: "line \(openedOn)", reason: "the JSON array opened on this line is never closed")
        }
        skipWhitespace()
        guard index == bytes.count else {
            throw .invalid(field: "line \(line)", reason: "unexpected text after the end of the JSON array")
        }
        return elements
    }
}
