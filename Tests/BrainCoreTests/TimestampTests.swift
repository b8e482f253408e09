import BrainCore
import Foundation
import Testing

struct TimestampTests {
    @Test("Text to date to text is the same text, for every millisecond of a second")
    func roundTripsEveryMillisecond() throws {
        for millis in 0..<1_000 {
            let text = "2026-11-29T06:10:47." + String(format: "%03d", millis) + "Z"
            let date = try #require(Timestamp.date(from: text))
            #expect(Timestamp.string(from: date) == text)
            // A store keeping microseconds may hand the time back a hair off; it still prints the same.
            #expect(Timestamp.string(from: date.addingTimeInterval(-0.000_001)) == text)
            #expect(Timestamp.string(from: date.addingTimeInterval(0.000_4)) == text)
        }
    }

    @Test("Times before 1970 and whole seconds print three digits of milliseconds")
    func shape() {
        #expect(Timestamp.string(from: Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.string(from: Date(timeIntervalSince1970: -0.25)) == "1969-12-31T23:59:59.750Z")
    }

    @Test("Every time from year 1 to 9999 prints as Foundation's ISO 8601 style prints it (Julian before 1582)")
    func sameTextAsFoundation() {
        var generator = SystemRandomNumberGenerator()
        let first = -62_135_596_800.0, last = 253_402_300_799.0  // 0001-01-01 and 9999-12-31T23:59:59
        let seconds = [first, last, 0, 951_782_400, 4_107_542_399] + (0..<5_000).map { _ in
            Double(Int64.random(in: Int64(first)...Int64(last), using: &generator))
        }
        for second in seconds {
            let millis = Int.random(in: 0..<1_000, using: &generator)
            let whole = Date.ISO8601FormatStyle().format(Date(timeIntervalSince1970: second))
            let expected = whole.dropLast() + "." + String(format: "%03d", millis) + "Z"
            #expect(Timestamp.string(from: Date(timeIntervalSince1970: second + Double(millis) / 1_000)) == expected)
        }
    }
}
