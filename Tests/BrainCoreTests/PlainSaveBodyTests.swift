import BrainCore
import Foundation
import Testing

/// `SaveBatchRequest(plainJSON:)` must read what it accepts exactly as `JSONDecoder` does, and
/// leave everything else to it.
struct PlainSaveBodyTests {
    @Test("Common bodies are read without JSONDecoder, and read as JSONDecoder reads them")
    func commonBodies() throws {
        let bodies = [
            #"{"memories":[{"slug":"regimen","category":"tax","content":"Pro PyME General"}]}"#,
            #"{"memories":[{"slug":"a","content":"uno"},{"content":"dos","slug":"b"}]}"#,
            "{ \"memories\" : [ {\n\t\"slug\" : \"note\", \"content\" : \"Dijo \\\"sí\\\"\\ny luego \\\\ / \\/ \\t \\b \\f \\r fin\" } ] }\n",
            #"{"memories":[{"slug":"ñandú","content":"🙂 — emoji y acentos"}]}"#,
            #"{"memories":[]}"#,
            #"{"memories":[{"slug":"Bad Slug","content":""}]}"#,
        ]
        for body in bodies {
            let plain = try #require(Self.plain(body), "not read by the plain path: \(body)")
            #expect(plain == (try Self.decoded(body)), "\(body)")
        }
    }

    @Test(
        "Anything else is left to JSONDecoder",
        arguments: [
            #"{"memories":[{"slug":"a","content":"x","metadata":{"k":1}}]}"#,
            #"{"memories":[{"slug":"a","category":null,"content":"x"}]}"#,
            #"{"memories":[{"slug":"a","slug":"b","content":"x"}]}"#,
            #"{"memories":[{"slug":"a","contents":"x"}]}"#,
            #"{"memories":[{"slug":"a","content":"caf\u00e9"}]}"#,
            #"{"memories":[{"slug":"a","content":42}]}"#,
            #"{"memories":[{"slug":"a","content":"x"},]}"#,
            #"{"memories":[{}]}"#,
            #"{"memories":[{"slug":"a","content":"x"}]} trailing"#,
            #"{"memories":[{"slug":"a","content":"x"}],"extra":1}"#,
            #"{"memories":[{"slug":"a","content":"bad \x escape"}]}"#,
            "{\"memories\":[{\"slug\":\"a\",\"content\":\"raw\u{01}control\"}]}",
            #"["memories"]"#,
            "",
        ])
    func declines(body: String) {
        #expect(Self.plain(body) == nil)
    }

    @Test("Invalid UTF-8 inside a string is left to JSONDecoder")
    func invalidUTF8() {
        var bytes = Array(#"{"memories":[{"slug":"a","content":"x"#.utf8)
        bytes += [0xC3, 0x28]
        bytes += Array(#""}]}"#.utf8)
        #expect(bytes.withUnsafeBytes { SaveBatchRequest(plainJSON: $0) } == nil)
    }

    @Test("On generated bodies, whatever the plain path reads equals JSONDecoder's reading")
    func generatedBodies() throws {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["a", "Z", "0", " ", "é", "ñ", "🙂", "—", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\r", "\\b", "\\f", "\\u00e9", "\\x", "\u{01}", "\u{7F}"]
        let keys = ["slug", "slug", "category", "content", "content", "metadata", "other"]
        let spaces = ["", "", " ", "\n", "\t ", "\r\n"]
        var read = 0
        var declined = 0
        for _ in 0..<3_000 {
            func space() -> String { spaces.randomElement(using: &generator)! }
            func value() -> String {
                switch Int.random(in: 0..<20, using: &generator) {
                case 0: return "null"
                case 1: return "7"
                case 2: return #"{"k":"v"}"#
                default:
                    let text = (0..<Int.random(in: 0...6, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
                    return "\"\(text)\""
                }
            }
            let items = (0..<Int.random(in: 0...3, using: &generator)).map { _ in
                let fields = (0..<Int.random(in: 1...4, using: &generator)).map { _ in
                    "\(space())\"\(keys.randomElement(using: &generator)!)\"\(space()):\(space())\(value())\(space())"
                }
                return "\(space()){" + fields.joined(separator: ",") + "}\(space())"
            }
            let body = "\(space()){\(space())\"memories\"\(space()):\(space())[" + items.joined(separator: ",") + "]\(space())}\(space())"
            let decoded = try? Self.decoded(body)
            if let plain = Self.plain(body) {
                read += 1
                #expect(plain == decoded, "\(body.debugDescription)")
            } else {
                declined += 1
            }
        }
        // Both paths exercised, or the comparison proves little.
        #expect(read > 300 && declined > 300, "read \(read), declined \(declined)")
    }

    private static func plain(_ body: String) -> SaveBatchRequest? {
        Array(body.utf8).withUnsafeBytes { SaveBatchRequest(plainJSON: $0) }
    }

    private static func decoded(_ body: String) throws -> SaveBatchRequest {
        try JSONDecoder().decode(SaveBatchRequest.self, from: Data(body.utf8))
    }
}
