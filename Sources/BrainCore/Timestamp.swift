import Foundation

/// Timestamps are stored as ISO-8601 UTC text with milliseconds, which sorts correctly as text and
/// reads the same in SQLite, JSON and logs.
public enum Timestamp {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// The current time as stored text.
    public static func now() -> String { string(from: Date()) }

    /// A date as stored text.
    public static func string(from date: Date) -> String { style.format(date) }

    /// Parses stored text back into a date.
    public static func date(from text: String) -> Date? { try? style.parse(text) }
}
