import BrainCore
import NIOSSL
import PostgresNIO

extension PostgresURL {
    /// The pool's configuration: endpoint, credentials, TLS by `sslmode`, and a server-side
    /// statement_timeout a little past the query deadline, so a statement whose caller gave up
    /// does not hold its connection and locks much longer.
    func clientConfiguration(options: PostgresStoreOptions) throws -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socketPath {
            configuration = .init(unixSocketPath: socketPath, username: user, password: password?.value, database: database)
        } else {
            configuration = .init(
                host: host, port: port, username: user, password: password?.value, database: database,
                tls: try clientTLS())
        }
        configuration.options.maximumConnections = options.maximumConnections
        configuration.options.connectionIdleTimeout = options.idleTimeout
        configuration.options.connectTimeout = options.probeDeadline
        configuration.options.additionalStartupParameters = startupParameters(options: options)
        return configuration
    }

    /// The probe's configuration: the same server, one connection. Public for tools that need a
    /// connection of their own beside a store (braind-bench creates and drops its databases).
    public func connectionConfiguration(options: PostgresStoreOptions) throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if let socketPath {
            configuration = .init(unixSocketPath: socketPath, username: user, password: password?.value, database: database)
        } else {
            let tls: PostgresConnection.Configuration.TLS = switch sslMode {
            case .disable: .disable
            case .allow, .prefer: .prefer(try NIOSSLContext(configuration: tlsConfiguration()))
            case .require, .verifyCA, .verifyFull: .require(try NIOSSLContext(configuration: tlsConfiguration()))
            }
            configuration = .init(host: host, port: port, username: user, password: password?.value, database: database, tls: tls)
        }
        configuration.options.connectTimeout = .nanoseconds(Int64(options.probeDeadline.components.seconds) * 1_000_000_000
            + options.probeDeadline.components.attoseconds / 1_000_000_000)
        configuration.options.additionalStartupParameters = startupParameters(options: options)
        return configuration
    }

    private func startupParameters(options: PostgresStoreOptions) -> [(String, String)] {
        let deadline = options.queryDeadline.components
        let milliseconds = deadline.seconds * 1_000 + deadline.attoseconds / 1_000_000_000_000_000 + 1_000
        return [("statement_timeout", "\(milliseconds)"), ("application_name", applicationName ?? "braind")]
    }

    private func clientTLS() throws -> PostgresClient.Configuration.TLS {
        switch sslMode {
        case .disable: .disable
        case .allow, .prefer: .prefer(tlsConfiguration())
        case .require, .verifyCA, .verifyFull: .require(tlsConfiguration())
        }
    }

    /// libpq's meaning of each mode: `require` encrypts without checking the certificate,
    /// `verify-ca` checks the chain, `verify-full` also the host name.
    private func tlsConfiguration() -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch sslMode {
        case .disable, .allow, .prefer, .require: tls.certificateVerification = .none
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        case .verifyFull: tls.certificateVerification = .fullVerification
        }
        return tls
    }
}
