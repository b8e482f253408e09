import BrainCore
import Foundation
import Logging
import Synchronization
import Testing

struct JSONLogHandlerTests {
    @Test("A log line is one JSON object with its metadata, and values under secret-like keys are redacted")
    func lineShapeAndRedaction() throws {
        let lines = Mutex<[String]>([])
        var handler = JSONLogHandler(label: "braind.test") { bytes in lines.withLock { $0.append(String(decoding: bytes, as: UTF8.self)) } }
        handler.logLevel = .trace
        var logger = Logger(label: "braind.test") { _ in handler }
        logger[metadataKey: "braind.pid"] = "42"

        logger.notice("saved \"a\"\nnext", metadata: [
            "braind.mem0.api_key": "m0-secret", "braind.webhooks.secret": "s3cret", "braind.count": .stringConvertible(3),
            "braind.slugs": .array(["a", "b"]),
        ])

        let text = try #require(lines.withLock { $0.first })
        #expect(text.hasSuffix("}\n"))
        #expect(!text.dropLast().contains("\n"))
        #expect(!text.contains("m0-secret") && !text.contains("s3cret"))
        let object = try JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8))
        #expect(object["level"] == .string("notice"))
        #expect(object["label"] == .string("braind.test"))
        #expect(object["message"] == .string("saved \"a\"\nnext"))
        let metadata = try #require(object["metadata"]?.objectValue)
        #expect(metadata["braind.pid"] == .string("42"))
        #expect(metadata["braind.count"] == .string("3"))
        #expect(metadata["braind.slugs"] == .array([.string("a"), .string("b")]))
        #expect(metadata["braind.mem0.api_key"] == .string("<redacted>"))
        #expect(metadata["braind.webhooks.secret"] == .string("<redacted>"))
    }
}
