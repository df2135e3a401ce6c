// swift-tools-version:6.1
import PackageDescription

// Dependencies point down only: strata → StrataServer → StrataQuery → StrataCore → CLZ4.
// StrataCore imports no networking module. See docs/architecture.md.
let package = Package(
    name: "strata",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "strata", targets: ["strata"]),
        .library(name: "StrataCore", targets: ["StrataCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        // Already in the graph through Hummingbird; declared because StrataServer imports them.
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .systemLibrary(name: "CLZ4", path: "Sources/CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .target(
            name: "StrataCore",
            dependencies: [
                "CLZ4",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .target(name: "StrataQuery", dependencies: ["StrataCore"]),
        .target(
            name: "StrataServer",
            dependencies: [
                "StrataQuery",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "strata",
            dependencies: [
                "StrataServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "StrataCoreTests", dependencies: ["StrataCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "StrataQueryTests", dependencies: ["StrataQuery", "StrataCore"]),
        .testTarget(
            name: "StrataServerTests",
            dependencies: [
                "StrataServer",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "strataTests", dependencies: ["strata", "StrataCore"]),
    ],
    swiftLanguageModes: [.v6]
)
