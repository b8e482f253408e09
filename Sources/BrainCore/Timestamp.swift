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
        let text = wholeStyle.format(Date(timeIntervalSince1970: TimeInterval(wholeSeconds)))
        return text.dropLast() + "." + String(repeating: "0", count: millis < 10 ? 2 : millis < 100 ? 1 : 0) + String(millis) + "Z"
    }

    private static let wholeStyle = Date.ISO8601FormatStyle()

    /// Parses stored text back into a date.
    public static func date(from text: String) -> Date? { try? style.parse(text) }
}
