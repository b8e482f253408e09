import BrainCore
import Foundation
import Testing

struct ConfigurationTests {
    private static let example = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("config/braind.toml").path

    @Test("config/braind.toml parses and documents exactly the defaults")
    func exampleIsTheDefaults() throws {
        #expect(try BrainConfiguration.load(path: Self.example) == BrainConfiguration())
    }

    @Test func parsesValues() throws {
        let configuration = try BrainConfiguration.parse(toml: """
            [server]
            socket = "/tmp/x.sock"
            log_level = "debug"
            [storage]
            synchronous = "normal"
            [identity]
            verify_rut_check_digit = false
            [mem0]
            timeout_seconds = 5
            """)
        #expect(configuration.socketPath == "/tmp/x.sock")
        #expect(configuration.logLevel == "debug")
        #expect(configuration.synchronous == .normal)
        #expect(configuration.verifyRUTCheckDigit == false)
        #expect(configuration.mem0TimeoutSeconds == 5)
    }

    @Test(
        "Unknown keys and bad values are errors naming the key",
        arguments: [
            ("[server]\nsockett = \"/x\"", "server.sockett"),
            ("[storage]\nsynchronous = \"fast\"", "storage.synchronous"),
            ("[server]\nmax_body_bytes = \"big\"", "server.max_body_bytes"),
            ("[server]\nmax_body_bytes = 10", "server.max_body_bytes"),
            ("[identity]\nverify_rut_check_digit = \"yes\"", "identity.verify_rut_check_digit"),
            ("[mem0]\nbase_url = \"ftp://x\"", "mem0.base_url"),
            ("[nosuch]\nkey = 1", "nosuch.key"),
            ("log_level = \"info\"", "log_level"),
        ])
    func rejects(toml: String, key: String) {
        do {
            _ = try BrainConfiguration.parse(toml: toml, source: "test.toml")
            Issue.record("accepted \(toml)")
        } catch {
            #expect(error.key == key)
            #expect(error.description.hasPrefix("test.toml: \(key): "))
        }
    }

    @Test func invalidTOML() {
        #expect(throws: ConfigurationError.self) { try BrainConfiguration.parse(toml: "[server\n") }
    }

    @Test("Socket and database: flag, then environment, then config, then XDG defaults")
    func pathPrecedence() {
        var configuration = BrainConfiguration()
        configuration.socketPath = "~/from-config.sock"
        let full = RuntimePaths(environment: ["HOME": "/home/u", "BRAIND_SOCKET": "/env.sock", "XDG_RUNTIME_DIR": "/run/user/1"])
        #expect(full.socket(flag: "/flag.sock", configuration: configuration) == "/flag.sock")
        #expect(full.socket(flag: nil, configuration: configuration) == "/env.sock")
        let noEnv = RuntimePaths(environment: ["HOME": "/home/u", "XDG_RUNTIME_DIR": "/run/user/1"])
        #expect(noEnv.socket(flag: nil, configuration: configuration) == "/home/u/from-config.sock")
        #expect(noEnv.socket(flag: nil, configuration: nil) == "/run/user/1/braind/braind.sock")
        let bare = RuntimePaths(environment: ["HOME": "/home/u"])
        #expect(bare.socket(flag: nil, configuration: nil) == "/tmp/braind-\(getuid())/braind.sock")
        #expect(bare.database(flag: nil, configuration: nil) == "/home/u/.local/share/braind/brain.sqlite")
        #expect(RuntimePaths(environment: ["HOME": "/h", "XDG_DATA_HOME": "/data"]).database(flag: nil, configuration: nil) == "/data/braind/brain.sqlite")
        #expect(RuntimePaths(environment: ["BRAIND_DB": "/env.db"]).database(flag: "/flag.db", configuration: nil) == "/flag.db")
    }
}
