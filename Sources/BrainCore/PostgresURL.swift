import Foundation

/// Where a PostgreSQL store lives, parsed from libpq's URI form:
/// `postgresql://[user[:password]@][host][:port][/database][?param=value&…]`.
///
/// `host` (in the authority or as `?host=`) that starts with `/` is a Unix socket directory, as in
/// libpq; ``socketPath`` is the socket file inside it, which is what PostgresNIO wants. The
/// password comes from the URL, else `PGPASSWORD`, else a password file, and lives in a `Secret`
/// so that neither ``description`` nor an error ever shows it.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    /// libpq's `sslmode`. `allow` and `prefer` try TLS where the server offers it and fall back to
    /// plain text; `verify-ca` and `verify-full` check the certificate (full also the host name).
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// The server's host name or address; for a Unix socket, the socket directory.
    public var host: String
    public var port: Int
    public var user: String
    public var password: Secret?
    public var database: String
    public var sslMode: SSLMode
    /// libpq's `connect_timeout`, in seconds, if the URL gives one.
    public var connectTimeout: Int?
    /// libpq's `application_name`, shown in `pg_stat_activity`.
    public var applicationName: String?

    /// Whether `host` names a Unix socket directory rather than a network host.
    public var isUnixSocket: Bool { host.hasPrefix("/") }

    /// The socket file PostgreSQL creates in the directory: `DIR/.s.PGSQL.PORT`.
    public var socketPath: String? {
        guard isUnixSocket else { return nil }
        return (host.hasSuffix("/") ? String(host.dropLast()) : host) + "/.s.PGSQL.\(port)"
    }

    /// Host, port and database in one phrase for messages: never the password.
    public var location: String {
        isUnixSocket
            ? "socket \(socketPath ?? host) (port \(port)), database \(database)"
            : "host \(host), port \(port), database \(database)"
    }

    /// The URL in libpq's form with the password replaced by `<redacted>`.
    public var redacted: String {
        var text = "postgresql://" + Self.encode(user)
        if password != nil { text += ":<redacted>" }
        text += "@"
        var query: [String] = []
        if isUnixSocket {
            query.append("host=" + Self.encode(host, keeping: "/"))
            query.append("port=\(port)")
        } else {
            text += (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
        }
        text += "/" + Self.encode(database)
        if !isUnixSocket { query.append("sslmode=\(sslMode.rawValue)") }
        if let connectTimeout { query.append("connect_timeout=\(connectTimeout)") }
        if let applicationName { query.append("application_name=" + Self.encode(applicationName)) }
        return query.isEmpty ? text : text + "?" + query.joined(separator: "&")
    }

    public var description: String { redacted }

    /// Whether a `--db` value names PostgreSQL rather than an SQLite file.
    public static func isPostgresURL(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://")
    }

    /// Parses a URL.
    /// - Parameters:
    ///   - text: the URL.
    ///   - environment: where `PGPASSWORD` (and libpq's `PGHOST`, `PGPORT`, `PGUSER`,
    ///     `PGDATABASE`, `PGSSLMODE` for parts the URL leaves out) are read.
    ///   - passwordFile: `storage.password_file`, read when neither the URL nor `PGPASSWORD` gives
    ///     a password; one line, a trailing newline is dropped.
    /// - Throws: `BrainError.invalid` for field `storage.database`, naming what is wrong but never
    ///   the password.
    public init(
        _ text: String, environment: [String: String] = ProcessInfo.processInfo.environment, passwordFile: String? = nil
    ) throws(BrainError) {
        func invalid(_ reason: String) -> BrainError { .invalid(field: "storage.database", reason: reason) }
        guard let schemeEnd = text.range(of: "://"), Self.isPostgresURL(text) else {
            throw invalid("must start with postgres:// or postgresql://")
        }
        var rest = Substring(text[schemeEnd.upperBound...])
        var parameters: [String: String] = [:]
        if let mark = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: mark)...].split(separator: "&", omittingEmptySubsequences: true) {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2, let key = Self.decode(parts[0]), let value = Self.decode(parts[1]) else {
                    throw invalid("query parameter '\(parts.first.map(String.init) ?? "")' must be name=value")
                }
                guard Self.knownParameters.contains(key) else {
                    throw invalid("unknown query parameter '\(key)' (known: \(Self.knownParameters.sorted().joined(separator: ", ")))")
                }
                parameters[key] = value
            }
            rest = rest[..<mark]
        }
        var authority = rest
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        }
        var urlUser: String?
        var urlPassword: String?
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                urlUser = Self.decode(userInfo[..<colon])
                // Never echoed: a malformed password is reported without its text.
                guard let decoded = Self.decode(userInfo[userInfo.index(after: colon)...]) else {
                    throw invalid("the password is not valid percent-encoding")
                }
                urlPassword = decoded
            } else {
                urlUser = Self.decode(userInfo)
            }
            guard urlUser != nil else { throw invalid("the user name is not valid percent-encoding") }
        }
        guard !authority.contains(",") else { throw invalid("several hosts are not supported; give one") }
        var urlHost: String?
        var urlPort: String?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw invalid("an IPv6 host must end with ']'") }
            urlHost = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { urlPort = String(after.dropFirst()) } else if !after.isEmpty {
                throw invalid("unexpected '\(after)' after the IPv6 host")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            urlHost = Self.decode(authority[..<colon])
            urlPort = String(authority[authority.index(after: colon)...])
        } else if !authority.isEmpty {
            urlHost = Self.decode(authority)
        }
        if urlHost?.isEmpty == true { urlHost = nil }
        if urlPort?.isEmpty == true { urlPort = nil }

        let hostText = parameters["host"] ?? urlHost ?? environment["PGHOST"] ?? Self.defaultSocketDirectory
        guard !hostText.isEmpty, !hostText.contains(",") else { throw invalid("host must name one host or socket directory") }
        host = hostText
        let portText = parameters["port"] ?? urlPort ?? environment["PGPORT"] ?? "5432"
        guard let port = Int(portText), (1...65_535).contains(port) else {
            throw invalid("port '\(portText)' must be a number from 1 to 65535")
        }
        self.port = port
        guard let user = parameters["user"] ?? urlUser ?? environment["PGUSER"] ?? environment["USER"], !user.isEmpty else {
            throw invalid("names no user (give postgresql://USER@…)")
        }
        self.user = user
        guard let decodedPath = Self.decode(path) else { throw invalid("the database name is not valid percent-encoding") }
        database = parameters["dbname"] ?? (decodedPath.isEmpty ? nil : decodedPath) ?? environment["PGDATABASE"] ?? user
        let modeText = parameters["sslmode"] ?? environment["PGSSLMODE"] ?? SSLMode.prefer.rawValue
        guard let sslMode = SSLMode(rawValue: modeText) else {
            throw invalid("sslmode '\(modeText)' must be one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.sslMode = sslMode
        if let timeout = parameters["connect_timeout"] {
            guard let seconds = Int(timeout), seconds >= 0 else { throw invalid("connect_timeout must be whole seconds") }
            connectTimeout = seconds
        }
        applicationName = parameters["application_name"]

        if let given = parameters["password"] ?? urlPassword {
            password = Secret(given)
        } else if let given = environment["PGPASSWORD"] {
            password = Secret(given)
        } else if let passwordFile {
            guard let contents = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                throw .invalid(field: "storage.password_file", reason: "cannot read \(passwordFile)")
            }
            var line = contents
            while line.hasSuffix("\n") || line.hasSuffix("\r") { line.removeLast() }
            password = line.isEmpty ? nil : Secret(line)
        }
    }

    /// Where libpq on Debian looks when no host is given.
    static let defaultSocketDirectory = "/var/run/postgresql"

    static let knownParameters: Set<String> = [
        "host", "port", "user", "password", "dbname", "sslmode", "connect_timeout", "application_name",
    ]

    private static func decode(_ text: some StringProtocol) -> String? {
        String(text).removingPercentEncoding
    }

    private static func encode(_ text: String, keeping extra: String = "") -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~" + extra)
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
