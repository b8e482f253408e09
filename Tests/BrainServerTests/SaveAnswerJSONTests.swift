@testable import BrainCore
@testable import BrainServer
import Foundation
import NIOCore
import Testing

struct SaveAnswerJSONTests {
    /// Strings with every character class the writer treats apart: plain, quote, backslash, slash,
    /// each control character, DEL, non-ASCII and U+2028.
    static let pieces = ["a", "fact_1", "\"", "\\", "/", "\u{7F}", "é", "🦙", "\u{2028}", " "]
        + (0..<0x20).map { String(UnicodeScalar(UInt8($0))) }

    @Test("The save answer's bytes are exactly JSONEncoder's for the same result")
    func sameBytesAsEncoder() {
        var generator = SystemRandomNumberGenerator()
        func text() -> String {
            (0..<Int.random(in: 0...5, using: &generator)).map { _ in Self.pieces.randomElement(using: &generator)! }.joined()
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for round in 0..<500 {
            let items = (0..<(round % 7)).map { _ in
                SaveItemResult(
                    slug: Bool.random(using: &generator) ? text() : nil,
                    status: [SaveStatus.created, .updated, .unchanged, .failed].randomElement(using: &generator)!,
                    syncState: Bool.random(using: &generator) ? SyncState.allCases.randomElement(using: &generator)! : nil,
                    error: Bool.random(using: &generator) ? text() : nil)
            }
            let result = SaveBatchResult(items: items, brain: Bool.random(using: &generator) ? .company : .user)
            var expected = try! encoder.encode(result)
            expected.append(0x0A)
            let written = Data(buffer: result.jsonLine())
            #expect(written == expected, "\(String(decoding: written, as: UTF8.self)) vs \(String(decoding: expected, as: UTF8.self))")
        }
    }
}
