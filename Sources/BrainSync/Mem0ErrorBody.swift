import BrainCore
import Foundation

/// Turns a Mem0 error response body into one readable line.
///
/// The Platform's error bodies are not uniform (`detail`, `error`, `message`,
/// `details.message`, DRF field errors, bare arrays, HTML from proxies, nothing at all),
/// so every shape degrades to some text rather than failing.
public enum Mem0ErrorBody {
    /// Longest message kept; proxies answer with whole HTML pages.
    static let maxLength = 500

    /// The message for a response body.
    /// - Parameters:
    ///   - data: The raw body.
    ///   - status: Used for the fallback text when the body says nothing.
    public static func message(from data: Data, status: Int) -> String {
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return "HTTP \(status) with an empty body" }
        if let json = try? JSONDecoder().decode(JSONValue.self, from: data),
            let message = message(fromJSON: json), !message.isEmpty
        {
            return truncated(message)
        }
        return truncated(text)
    }

    /// The message inside an already parsed JSON value, or nil if there is no text in it.
    public static func message(fromJSON json: JSONValue) -> String? {
        switch json {
        case .null: return nil
        case .bool(let value): return String(value)
        case .int(let value): return String(value)
        case .double(let value): return String(value)
        case .string(let value): return value.isEmpty ? nil : value
        case .array(let values):
            let parts = values.compactMap(message(fromJSON:))
            return parts.isEmpty ? nil : parts.joined(separator: "; ")
        case .object(let members):
            return message(fromObject: members)
        }
    }

    /// Known keys first, in the order the Platform uses them; then DRF-style field errors.
    private static func message(fromObject members: [String: JSONValue]) -> String? {
        var parts: [String] = []
        for key in ["detail", "error", "message", "details"] {
            guard let value = members[key], let part = message(fromJSON: value), !parts.contains(part) else { continue }
            parts.append(part)
        }
        if !parts.isEmpty { return parts.joined(separator: ": ") }
        // `{"name": ["This field is required."]}`: name each field, in a stable order.
        let fields = members.keys.sorted().compactMap { key in
            members[key].flatMap(message(fromJSON:)).map { "\(key): \($0)" }
        }
        return fields.isEmpty ? nil : fields.joined(separator: "; ")
    }

    private static func truncated(_ text: String) -> String {
        text.count <= maxLength ? text : String(text.prefix(maxLength)) + "…"
    }
}

/// Parses the `Retry-After` header.
public enum Mem0RetryAfter {
    /// The delay a `Retry-After` value asks for.
    ///
    /// Accepts delta-seconds (`"120"`, also `"1.5"` which some proxies send) and an HTTP-date
    /// (`"Wed, 21 Oct 2015 07:28:00 GMT"`), which is converted to a delay from `now`;
    /// a date in the past gives zero. Anything else gives nil. A value past ``longest`` is read as
    /// ``longest``: the header comes from the network, and `1e20` once overflowed the conversion
    /// and crashed the daemon (callers cap it further, at the backoff cap).
    public static func parse(_ value: String, now: Date = Date()) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), !seconds.isNaN {
            return milliseconds(seconds)
        }
        for format in httpDateFormats {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: trimmed) {
                return milliseconds(date.timeIntervalSince(now))
            }
        }
        return nil
    }

    /// The longest delay a `Retry-After` is taken to ask for.
    public static let longest = Duration.seconds(86_400)

    private static func milliseconds(_ seconds: Double) -> Duration {
        let clamped = min(max(0, seconds), longest.seconds)
        return .milliseconds(Int64((clamped * 1000).rounded()))
    }

    /// IMF-fixdate, then the obsolete RFC 850 and asctime forms RFC 9110 still asks recipients to accept.
    private static let httpDateFormats = [
        "EEE, dd MMM yyyy HH:mm:ss zzz",
        "EEEE, dd-MMM-yy HH:mm:ss zzz",
        "EEE MMM d HH:mm:ss yyyy",
    ]
}
