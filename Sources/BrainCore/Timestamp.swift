import Foundation

/// Timestamps are stored as ISO-8601 UTC text with milliseconds, which sorts correctly as text and
/// reads the same in SQLite, JSON and logs.
public enum Timestamp {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// The current time as stored text.
    public static func now() -> String { string(from: Date()) }

    /// A date as stored text, to the nearest millisecond. Rounded, not truncated: a time that went
    /// through a finer store (PostgreSQL keeps microseconds, and a Date is binary floating point)
    /// must print the same as the text it was read from, or an export and re-import would drift.
    /// The milliseconds are written from an integer: a Date of exactly .451 s is a double a hair
    /// below it, which a formatter that truncates would print as .450.
    public static func string(from date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1_000).rounded())
        let (seconds, fraction) = milliseconds.quotientAndRemainder(dividingBy: 1_000)
        let (wholeSeconds, millis) = fraction < 0 ? (seconds - 1, fraction + 1_000) : (seconds, fraction)
        if let text = civil(seconds: wholeSeconds, milliseconds: Int(millis)) { return text }
        let text = wholeStyle.format(Date(timeIntervalSince1970: TimeInterval(wholeSeconds)))
        return text.dropLast() + "." + String(repeating: "0", count: millis < 10 ? 2 : millis < 100 ? 1 : 0) + String(millis) + "Z"
    }

    /// The same text from the C library's calendar, for years 1600–9999: a save stamps two or
    /// three times, and the format style was 2 % of braind's samples on the save path. Earlier
    /// years go to Foundation, which switches to the Julian calendar before 1582 (gmtime does not).
    private static func civil(seconds: Int64, milliseconds: Int) -> String? {
        var time = time_t(seconds)
        var parts = tm()
        guard gmtime_r(&time, &parts) != nil, (1600...9999).contains(Int(parts.tm_year) + 1900) else { return nil }
        return String(unsafeUninitializedCapacity: 24) { buffer in
            var index = 0
            func field(_ value: Int, digits: Int, then separator: Character) {
                var rest = value
                for position in (index..<index + digits).reversed() {
                    buffer[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
                buffer[index + digits] = separator.asciiValue!
                index += digits + 1
            }
            field(Int(parts.tm_year) + 1900, digits: 4, then: "-")
            field(Int(parts.tm_mon) + 1, digits: 2, then: "-")
            field(Int(parts.tm_mday), digits: 2, then: "T")
            field(Int(parts.tm_hour), digits: 2, then: ":")
            field(Int(parts.tm_min), digits: 2, then: ":")
            field(Int(parts.tm_sec), digits: 2, then: ".")
            field(milliseconds, digits: 3, then: "Z")
            return index
        }
    }

    private static let wholeStyle = Date.ISO8601FormatStyle()

    /// Parses stored text back into a date.
    public static func date(from text: String) -> Date? { try? style.parse(text) }
}
