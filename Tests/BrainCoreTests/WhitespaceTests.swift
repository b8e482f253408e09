@testable import BrainCore
import Foundation
import Testing

struct WhitespaceTests {
    /// Every White_Space scalar, a few that are not (zero-width space, BOM, a combining accent),
    /// and letters.
    static let pieces = [
        "\t", "\n", "\u{0B}", "\u{0C}", "\r", " ", "\u{85}", "\u{A0}", "\u{1680}", "\u{2000}", "\u{200A}",
        "\u{2028}", "\u{2029}", "\u{202F}", "\u{205F}", "\u{3000}", "\u{200B}", "\u{FEFF}", "\u{301}", "a", "é", "🦙",
    ]

    @Test("Trims exactly what Foundation's trimmingCharacters trims, with and without newlines")
    func sameAsFoundation() {
        var generator = SystemRandomNumberGenerator()
        var samples = Self.pieces + ["", "   ", "a b", " \u{301}x "]
        for _ in 0..<3_000 {
            samples.append((0..<Int.random(in: 1...6, using: &generator)).map { _ in Self.pieces.randomElement(using: &generator)! }.joined())
        }
        for text in samples {
            #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.unicodeScalars.map(\.value))")
            #expect(text.trimmingWhitespace(newlines: false) == text.trimmingCharacters(in: .whitespaces), "\(text.unicodeScalars.map(\.value))")
        }
    }

    @Test("Every Unicode scalar is blank or not exactly as Foundation's character sets say")
    func everyScalar() {
        var differing: [UInt32] = []
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = "a" + String(Character(scalar)) + "b"
            let alone = String(Character(scalar))
            if alone.trimmingWhitespace().isEmpty != CharacterSet.whitespacesAndNewlines.contains(scalar)
                || alone.trimmingWhitespace(newlines: false).isEmpty != CharacterSet.whitespaces.contains(scalar)
                || text.trimmingWhitespace() != text
            {
                differing.append(value)
            }
        }
        #expect(differing.isEmpty, "\(differing.map { String($0, radix: 16) })")
    }
}
