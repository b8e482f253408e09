/// Trimming without Foundation: `trimmingCharacters(in:)` goes through NSString on Linux, which
/// cost more than the rest of a save's validation (4 % of braind's samples on the save path).
extension String {
    /// The string without leading and trailing white space: Foundation's
    /// `.whitespacesAndNewlines` (the Unicode White_Space property, plus U+200B ZERO WIDTH SPACE,
    /// which Foundation on Linux still counts), or with `newlines: false` its `.whitespaces`
    /// (the same without line and paragraph breaks).
    public func trimmingWhitespace(newlines: Bool = true) -> String {
        let isBlank = { (scalar: Unicode.Scalar) -> Bool in
            (scalar.properties.isWhitespace || scalar.value == 0x200B) && (newlines || !Self.lineBreaks.contains(scalar.value))
        }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isBlank($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isBlank($0) })!
        if first == scalars.startIndex, last == scalars.index(before: scalars.endIndex) { return self }
        return String(scalars[first...last])
    }

    /// White space that Foundation counts as a newline, not in `.whitespaces`.
    private static let lineBreaks: Set<UInt32> = [0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029]
}
