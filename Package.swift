// swift-tools-version: 6.1
import PackageDescription

// Module dependencies point one way:
// SimpulDomain (no I/O) <- SimpulStore <- SimpulSync <- SimpulTransport / SimpulHubServer / SimpulWeb
// (<- SimpulCounterWeb, SimpulBackOfficeWeb) <- executables.
// SimpulConcurrency (the blocking pool) sits below them all; SimpulLinkSimulator (a bad satellite
// link on 127.0.0.1) serves the bench and the tests, never the product; SimpulHubLoad (many kecamatan
// syncing with a real hub process) serves the bench alone.
let package = Package(
    name: "simpul",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "simpul", targets: ["simpul"]),
        .executable(name: "simpul-hub", targets: ["simpul-hub"]),
        .executable(name: "simpul-bench", targets: ["simpul-bench"]),
        .library(name: "SimpulDomain", targets: ["SimpulDomain"]),
        .library(name: "SimpulStore", targets: ["SimpulStore"]),
        .library(name: "SimpulSync", targets: ["SimpulSync"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .target(name: "SimpulDomain"),
        .target(
            name: "SimpulConcurrency",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .target(name: "SimpulCompression", dependencies: ["CZstd", "SimpulDomain"]),
        // Letters as PDF bytes: a pure writer beside the domain, so the store can number and render a
        // letter inside one transaction without a browser at the counter.
        .target(name: "SimpulPaper", dependencies: ["SimpulDomain"]),
        .target(
            name: "SimpulStore",
            dependencies: [
                "SimpulDomain",
                "SimpulCompression",
                "SimpulPaper",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                // SHA-256 names and verifies the blobs the store keeps.
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "SimpulSync",
            dependencies: [
                "SimpulDomain",
                "SimpulStore",
                "SimpulCompression",
                "SimpulConcurrency",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        // The hub's storage on PostgreSQL (docs/postgres.md): a library with its tests, not yet reachable
        // from `simpul-hub`.
        .target(
            name: "SimpulHubPostgres",
            dependencies: [
                "SimpulDomain",
                "SimpulStore",
                "SimpulSync",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "SimpulTransport",
            dependencies: [
                "SimpulSync",
                "CCurl",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SimpulHubServer",
            dependencies: [
                "SimpulSync",
                "SimpulConcurrency",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .systemLibrary(name: "CQrencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        // The back office's XLSX export.
        .systemLibrary(name: "CXlsxwriter", pkgConfig: "xlsxwriter", providers: [.apt(["libxlsxwriter-dev"])]),
        // What both web front ends share: accounts' password hashing, sessions and CSRF, the page frame,
        // templates and assets compiled into the binary.
        .target(
            name: "SimpulWeb",
            dependencies: [
                "SimpulDomain",
                "SimpulStore",
                "SimpulSync",
                // The QR code on printed papers.
                "CQrencode",
                "SimpulConcurrency",
                // The TLS settings the hub serves with, for both front ends' servers.
                "SimpulHubServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The kecamatan counter served by `simpul serve --web` / `simpul web`.
        .target(
            name: "SimpulCounterWeb",
            dependencies: [
                "SimpulDomain",
                "SimpulStore",
                "SimpulSync",
                "SimpulWeb",
                "SimpulConsole",
                "SimpulConcurrency",
                // The TLS settings and the self-made certificate the hub also serves with.
                "SimpulHubServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The PTSP back office served by `simpul-hub serve --web`.
        .target(
            name: "SimpulBackOfficeWeb",
            dependencies: [
                "SimpulDomain",
                "SimpulStore",
                "SimpulSync",
                "SimpulWeb",
                "SimpulConsole",
                "SimpulConcurrency",
                "SimpulHubServer",
                // The forwarded-files queue as an XLSX workbook.
                "CXlsxwriter",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SimpulConsole",
            dependencies: [
                "SimpulDomain",
                "SimpulStore",
                "SimpulSync",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "simpul",
            dependencies: [
                "SimpulDomain",
                "SimpulConcurrency",
                "SimpulStore",
                "SimpulSync",
                "SimpulTransport",
                "SimpulConsole",
                "SimpulWeb",
                "SimpulCounterWeb",
                // TLS files and the self-made certificate of `simpul web-cert`.
                "SimpulHubServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "simpul-hub",
            dependencies: [
                "SimpulDomain",
                "SimpulStore",
                "SimpulSync",
                "SimpulHubServer",
                "SimpulHubPostgres",
                // The alerts' webhook: the same libcurl client as the agent's.
                "SimpulTransport",
                "SimpulConsole",
                // Staff accounts' passwords, and the back office served by `serve --web`.
                "SimpulWeb",
                "SimpulBackOfficeWeb",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "simpul-bench",
            dependencies: [
                "SimpulDomain",
                "SimpulCompression",
                "SimpulCounterWeb", "SimpulWeb", "CCurl",
                "SimpulBackOfficeWeb",
                "SimpulHubServer",
                "SimpulTransport",
                "SimpulLinkSimulator",
                "SimpulHubLoad",
                "SimpulConcurrency",
                "SimpulStore",
                "SimpulSync",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "SimpulLinkSimulator"),
        // `simpul-bench hub-load`: many simulated kecamatan syncing with a real `simpul-hub serve`.
        .target(
            name: "SimpulHubLoad",
            dependencies: [
                "SimpulDomain", "SimpulStore", "SimpulSync", "SimpulTransport", "SimpulHubPostgres",
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SimpulTestSupport",
            dependencies: [
                "SimpulDomain", "SimpulStore", "SimpulSync", "SimpulHubPostgres",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/SimpulTestSupport"
        ),
        .testTarget(name: "SimpulDomainTests", dependencies: ["SimpulDomain"]),
        .testTarget(
            name: "SimpulStoreTests",
            dependencies: [
                "SimpulStore", "SimpulDomain", "SimpulPaper", "SimpulTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"), .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "SimpulSyncTests",
            dependencies: [
                "SimpulSync", "SimpulStore", "SimpulDomain", "SimpulTestSupport", "SimpulConcurrency", "SimpulConsole",
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "SimpulHubPostgresTests",
            dependencies: [
                "SimpulHubPostgres", "SimpulSync", "SimpulStore", "SimpulDomain", "SimpulTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "SimpulTransportTests",
            dependencies: [
                "SimpulTransport", "SimpulHubServer", "SimpulSync", "SimpulCompression",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "SimpulIntegrationTests",
            dependencies: [
                "SimpulSync", "SimpulStore", "SimpulDomain", "SimpulTransport", "SimpulHubServer", "SimpulTestSupport",
                "SimpulLinkSimulator", .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "SimpulWebTests",
            dependencies: [
                "SimpulWeb", "SimpulCounterWeb", "SimpulBackOfficeWeb", "SimpulStore", "SimpulDomain", "SimpulSync",
                "SimpulTestSupport",
                .product(name: "Logging", package: "swift-log"),
                // Its live mode: the counter's routes served on 127.0.0.1 and asked over real HTTP.
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "SimpulCLITests",
            dependencies: [
                "SimpulDomain", "SimpulStore", "SimpulSync", "SimpulTestSupport", "SimpulLinkSimulator",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// Fuzz targets (Fuzz/README.md), only when SIMPUL_FUZZ is set, so that ordinary builds and tests never
// see them: `Fuzz/run` builds them with `--sanitize=fuzzer --sanitize=address` into .build-fuzz.
// Each defines only LLVMFuzzerTestOneInput: with the fuzzer sanitizer SwiftPM compiles an executable
// as a library and libFuzzer's own main drives it.
if Context.environment["SIMPUL_FUZZ"] != nil {
    let common: [Target.Dependency] = [
        "SimpulDomain", "SimpulStore", "SimpulSync",
        .product(name: "Crypto", package: "swift-crypto"),
    ]
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("fuzz-canonical-reader", []), ("fuzz-change-set", []), ("fuzz-sync-bodies", []), ("fuzz-bundle", []),
        ("fuzz-blob-headers", ["SimpulTestSupport"]),
    ]
    for target in fuzzTargets {
        package.targets.append(
            .executableTarget(
                name: target.name, dependencies: common + target.dependencies, path: "Fuzz/Targets/\(target.name)"))
    }
}
