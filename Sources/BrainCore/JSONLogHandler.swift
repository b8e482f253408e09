import Foundation
import Logging

/// Log lines as JSON (`--log-format json`), one object per line on stderr, for journald and log
/// shippers: `{"timestamp","level","label","message","metadata":{...}}`. swift-log ships only
/// the text `StreamLogHandler`, and no JSON handler is in the package mirror.
///
/// braind never puts a secret in log metadata; as a second fence, values under keys that name
/// one (`...key`, `...secret`, `...token`, `...password`, `authorization`) are written as `<redacted>`.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let output: @Sendable ([UInt8]) -> Void

    /// - Parameters:
    ///   - label: the logger's label.
    ///   - output: receives each line with its newline; stderr by default.
    public init(label: String, output: @escaping @Sendable ([UInt8]) -> Void = JSONLogHandler.standardError) {
        self.label = label
        self.output = output
    }

    /// Writes a line to stderr in one `write`, so concurrent lines do not interleave.
    public static let standardError: @Sendable ([UInt8]) -> Void = { bytes in
        FileHandle.standardError.write(Data(bytes))
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        bytes.append(contentsOf: #"{"timestamp":"#.utf8)
        JSONText.quote(Timestamp.now(), into: &bytes)
        bytes.append(contentsOf: #","level":"#.utf8)
        JSONText.quote(event.level.rawValue, into: &bytes)
        bytes.append(contentsOf: #","label":"#.utf8)
        JSONText.quote(label, into: &bytes)
        bytes.append(contentsOf: #","message":"#.utf8)
        JSONText.quote(event.message.description, into: &bytes)
        if !merged.isEmpty {
            bytes.append(contentsOf: #","metadata":"#.utf8)
            Self.write(.dictionary(merged), redacting: false, into: &bytes)
        }
        bytes.append(contentsOf: "}\n".utf8)
        output(bytes)
    }

    private static let secretSuffixes = ["key", "secret", "token", "password", "authorization"]

    static func isSecret(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return secretSuffixes.contains { lowered.hasSuffix($0) }
    }

    private static func write(_ value: Logger.Metadata.Value, redacting: Bool, into bytes: inout [UInt8]) {
        if redacting {
            JSONText.quote("<redacted>", into: &bytes)
            return
        }
        switch value {
        case .string(let text): JSONText.quote(text, into: &bytes)
        case .stringConvertible(let convertible): JSONText.quote(convertible.description, into: &bytes)
        case .array(let values):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in values.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(element, redacting: false, into: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .dictionary(let entries):
            bytes.append(UInt8(ascii: "{"))
            for (index, key) in entries.keys.sorted().enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                JSONText.quote(key, into: &bytes)
                bytes.append(UInt8(ascii: ":"))
                write(entries[key]!, redacting: isSecret(key), into: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }
}

/// How braind writes its logs.
public enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}
