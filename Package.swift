// swift-tools-version: 6.1
import PackageDescription

// Module dependencies point one way: SimpulDomain (no I/O) <- SimpulStore <- executables.
let package = Package(
    name: "simpul",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "simpul", targets: ["simpul"]),
        .library(name: "SimpulDomain", targets: ["SimpulDomain"]),
        .library(name: "SimpulStore", targets: ["SimpulStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .target(name: "SimpulDomain"),
        .target(
            name: "SimpulStore",
            dependencies: [
                "SimpulDomain",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "simpul",
            dependencies: [
                "SimpulDomain",
                "SimpulStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "SimpulDomainTests", dependencies: ["SimpulDomain"]),
        .testTarget(
            name: "SimpulStoreTests",
            dependencies: [
                "SimpulStore", "SimpulDomain", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "SimpulCLITests", dependencies: ["SimpulDomain"]),
    ],
    swiftLanguageModes: [.v6]
)
