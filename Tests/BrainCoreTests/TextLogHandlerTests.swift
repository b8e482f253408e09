import BrainCore
import Logging
import Synchronization
import Testing

struct TextLogHandlerTests {
    /// Collects what the handler writes.
    final class Lines: TextOutputStream, Sendable {
        let text = Mutex("")
        func write(_ string: String) { text.withLock { $0 += string } }
    }

    @Test("Text lines carry the logger's metadata as set when the line is written, merged with the line's own")
    func metadataAtWriteTime() {
        let lines = Lines()
        var handler = TextLogHandler(label: "braind.test", stream: lines)
        handler.logLevel = .info
        var logger = Logger(label: "braind.test") { _ in handler }
        logger[metadataKey: "hb.request.id"] = "7"
        logger.debug("below the level")
        logger.info("first", metadata: ["braind.count": "3"])
        logger[metadataKey: "hb.request.id"] = "8"
        logger[metadataKey: "braind.owner"] = "123456785"
        logger.warning("second")

        let written = lines.text.withLock { $0 }.split(separator: "\n").map(String.init)
        #expect(written.count == 2)
        #expect(written[0].contains("info braind.test: braind.count=3 hb.request.id=7 ["), "\(written[0])")
        #expect(written[0].hasSuffix("first"))
        #expect(written[1].contains("warning braind.test: braind.owner=123456785 hb.request.id=8 ["), "\(written[1])")
        #expect(written[1].hasSuffix("second"))
    }
}
