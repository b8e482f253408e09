import BrainCore
import Foundation
import Testing

@Suite("PostgreSQL URLs in libpq's URI form")
struct PostgresURLTests {
    /// No PG* variables of the machine running the tests leak into the cases.
    let clean: [String: String] = [:]

    @Test func fullTCPForm() throws {
        let url = try PostgresURL("postgresql://braind:s3cr%40t@db.example.com:6543/brains?sslmode=verify-full", environment: clean)
        #expect(url.host == "db.example.com")
        #expect(url.port == 6543)
        #expect(url.user == "braind")
        #expect(url.password?.value == "s3cr@t")
        #expect(url.database == "brains")
        #expect(url.sslMode == .verifyFull)
        #expect(!url.isUnixSocket)
        #expect(url.socketPath == nil)
    }

    @Test func defaultsFollowLibpq() throws {
        let url = try PostgresURL("postgres://alice@localhost", environment: clean)
        #expect(url.port == 5432)
        #expect(url.database == "alice")
        #expect(url.sslMode == .prefer)
        #expect(url.password == nil)
    }

    @Test func unixSocketDirectoryBecomesTheSocketFile() throws {
        let url = try PostgresURL("postgresql://braind_service@/braind?host=/tmp/pg/sock&port=54329", environment: clean)
        #expect(url.isUnixSocket)
        #expect(url.host == "/tmp/pg/sock")
        #expect(url.socketPath == "/tmp/pg/sock/.s.PGSQL.54329")
        #expect(url.database == "braind")
        let encoded = try PostgresURL("postgresql://u@%2Fvar%2Frun%2Fpostgresql/db", environment: clean)
        #expect(encoded.socketPath == "/var/run/postgresql/.s.PGSQL.5432")
    }

    @Test(arguments: PostgresURL.SSLMode.allCases)
    func everySSLMode(_ mode: PostgresURL.SSLMode) throws {
        #expect(try PostgresURL("postgresql://u@h/d?sslmode=\(mode.rawValue)", environment: clean).sslMode == mode)
    }

    @Test func ipv6Host() throws {
        let url = try PostgresURL("postgresql://u@[::1]:5433/d", environment: clean)
        #expect(url.host == "::1")
        #expect(url.port == 5433)
        #expect(url.redacted.contains("[::1]:5433"))
    }

    @Test func passwordFromURLThenEnvironmentThenFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pgpass-\(UUID().uuidString)")
        try "from-file\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let environment = ["PGPASSWORD": "from-env"]
        #expect(try PostgresURL("postgresql://u:from-url@h/d", environment: environment, passwordFile: file.path).password?.value == "from-url")
        #expect(try PostgresURL("postgresql://u@h/d", environment: environment, passwordFile: file.path).password?.value == "from-env")
        #expect(try PostgresURL("postgresql://u@h/d", environment: clean, passwordFile: file.path).password?.value == "from-file")
        #expect(try PostgresURL("postgresql://u@h/d?password=from-query", environment: environment).password?.value == "from-query")
    }

    @Test func redactedNeverShowsThePassword() throws {
        let url = try PostgresURL("postgresql://braind:hunter2@db:5432/brains?sslmode=require", environment: clean)
        #expect(url.redacted == "postgresql://braind:<redacted>@db:5432/brains?sslmode=require")
        #expect("\(url)" == url.redacted)
        #expect(!String(reflecting: url).contains("hunter2"))
        #expect(url.location == "host db, port 5432, database brains")
    }

    @Test func redactedSocketFormRoundTrips() throws {
        let url = try PostgresURL("postgresql://svc@/braind?host=/tmp/s&port=54329", environment: clean)
        #expect(url.redacted == "postgresql://svc@/braind?host=/tmp/s&port=54329")
        #expect(try PostgresURL(url.redacted, environment: clean) == url)
    }

    @Test func recognisesOnlyPostgresSchemes() {
        #expect(PostgresURL.isPostgresURL("postgres://x"))
        #expect(PostgresURL.isPostgresURL("POSTGRESQL://x"))
        #expect(!PostgresURL.isPostgresURL("/var/lib/braind/brain.sqlite"))
        #expect(!PostgresURL.isPostgresURL("mysql://x"))
    }

    @Test(arguments: [
        "mysql://u@h/d",
        "postgresql://u@h:notaport/d",
        "postgresql://u@h:70000/d",
        "postgresql://u@h1,h2/d",
        "postgresql://u@h/d?sslmode=sometimes",
        "postgresql://u@h/d?frobnicate=1",
    ])
    func refusesMalformedURLs(_ text: String) {
        #expect(throws: BrainError.self) { try PostgresURL(text, environment: clean) }
    }

    @Test func errorsNeverQuoteThePassword() {
        do {
            _ = try PostgresURL("postgresql://u:hunter2%zz@h/d", environment: clean)
            Issue.record("a malformed password was accepted")
        } catch {
            #expect(!error.description.contains("hunter2"))
        }
        do {
            _ = try PostgresURL("postgresql://u:hunter2@h:99999/d", environment: clean)
            Issue.record("a bad port was accepted")
        } catch {
            #expect(!error.description.contains("hunter2"))
        }
    }
}
