// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "braind",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "braind", targets: ["braind"]),
        .executable(name: "brain", targets: ["brain"]),
        .executable(name: "fake-mem0", targets: ["fake-mem0"]),
        .library(name: "BrainCore", targets: ["BrainCore"]),
        .library(name: "BrainStoreSQLite", targets: ["BrainStoreSQLite"]),
        .library(name: "BrainServer", targets: ["BrainServer"]),
        .library(name: "BrainSync", targets: ["BrainSync"]),
        .library(name: "FakeMem0", targets: ["FakeMem0"]),
        .library(name: "BrainMCP", targets: ["BrainMCP"]),
        .library(name: "BrainStorePostgres", targets: ["BrainStorePostgres"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // Already a dependency of hummingbird; BrainServer names its HTTPResponsePart in a channel handler.
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        // Already a dependency of swift-sdk (same URL); the MCP tests name its FileDescriptor.
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // Domain, validation, configuration and the store protocols; no database driver.
        .target(
            name: "BrainCore",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: swiftSettings
        ),
        // The embedded default store: SQLite through GRDB. The only module that imports GRDB.
        .target(
            name: "BrainStoreSQLite",
            dependencies: [
                "BrainCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for the save path's statements (DirectStatement.swift).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                "CSQLiteSettings",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // sqlite3_config for the process (variadic in C, so not callable from Swift).
        .target(name: "CSQLiteSettings", linkerSettings: [.linkedLibrary("sqlite3")]),
        // Mem0 client (AsyncHTTPClient), push worker, reconciler.
        .target(
            name: "BrainSync",
            dependencies: [
                "BrainCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // HTTP API on the Unix socket, socket guard, and the one socket client (CLI, MCP, tests, bench).
        .target(
            name: "BrainServer",
            dependencies: [
                "BrainCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The PostgreSQL store (`--db postgres://…`): the same behaviour as the GRDB store, shared by several daemons.
        .target(
            name: "BrainStorePostgres",
            dependencies: [
                "BrainCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The MCP server (`brain mcp`): agent tools over stdio, talking to braind only through DaemonClient.
        .target(
            name: "BrainMCP",
            dependencies: [
                "BrainCore", "BrainServer",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // A local stand-in for the Mem0 Platform API with fault injection (tests, benchmarks, offline dev).
        .target(
            name: "FakeMem0",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "braind",
            dependencies: [
                "BrainCore", "BrainStoreSQLite", "BrainStorePostgres", "BrainSync", "BrainServer",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "brain",
            dependencies: [
                "BrainCore", "BrainServer", "BrainMCP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "fake-mem0",
            dependencies: [
                "FakeMem0",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Helpers shared by the test suites that start the real binaries (DaemonProcess, runCommand).
        .target(
            name: "BrainTestSupport",
            dependencies: [
                "BrainServer", "BrainCore", "BrainStoreSQLite", "BrainStorePostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/Support/BrainTestSupport",
            swiftSettings: swiftSettings
        ),
        // Benchmarks that print numbers (`swift run -c release braind-bench push`), on SQLite or
        // PostgreSQL (`--db postgresql://…`; PostgresNIO creates and drops scratch databases).
        .executableTarget(
            name: "braind-bench",
            dependencies: [
                "BrainCore", "BrainStoreSQLite", "BrainStorePostgres", "BrainSync", "BrainServer", "FakeMem0",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Benchmarks/braind-bench",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BrainCoreTests",
            dependencies: ["BrainCore", "BrainStoreSQLite", "BrainTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        // The store contract: the same suites on SQLite and, with BRAIND_TEST_STORE=postgresql, PostgreSQL.
        .testTarget(
            name: "StoreContractTests",
            dependencies: ["BrainCore", "BrainTestSupport"],
            swiftSettings: swiftSettings
        ),
        // What only the SQLite store has: migrations, group commit, file checks, backup and restore.
        .testTarget(
            name: "BrainStoreSQLiteTests",
            dependencies: ["BrainCore", "BrainStoreSQLite", "BrainTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BrainSyncTests",
            dependencies: ["BrainSync", "BrainCore", "BrainStoreSQLite", "BrainTestSupport", "FakeMem0"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BrainServerTests",
            dependencies: [
                "BrainServer", "BrainCore", "BrainStoreSQLite", "BrainTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // Runs against a real PostgreSQL named by BRAIND_TEST_POSTGRES_URL (`scripts/with-postgres`); skipped without it.
        .testTarget(
            name: "BrainStorePostgresTests",
            dependencies: [
                "BrainStorePostgres", "BrainCore", "BrainTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FakeMem0Tests",
            dependencies: ["FakeMem0"],
            swiftSettings: swiftSettings
        ),
        // Starts the real braind and brain binaries on temporary sockets.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "braind", "brain", "fake-mem0", "BrainServer", "BrainCore", "BrainStoreSQLite", "BrainStorePostgres", "FakeMem0",
                "BrainTestSupport",
                // The export round trip seeds 100,000 rows with one SQL statement.
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // Robustness proofs: kill -9 cycles, a fault soak, a fuzz over the socket, a secret scan (`scripts/proofs`).
        .testTarget(
            name: "ProofTests",
            dependencies: ["braind", "brain", "fake-mem0", "BrainServer", "BrainCore", "FakeMem0", "BrainTestSupport"],
            swiftSettings: swiftSettings
        ),
        // Runs `brain mcp` against a real braind through the SDK's MCP client.
        .testTarget(
            name: "BrainMCPTests",
            dependencies: [
                "BrainMCP", "BrainCore", "BrainServer", "braind", "brain", "BrainTestSupport",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
