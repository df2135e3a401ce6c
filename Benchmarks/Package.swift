// swift-tools-version:6.1
// Codec decode/encode benchmarks, kept out of the main build (see SWIFT-NOTES.md).
// Run: cd Benchmarks && swift package --scratch-path .build benchmark --filter ".*"
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder, so the main package's identity is the
// name of whatever folder the repository was cloned into.
let mainPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "StrataBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "CodecBenchmarks",
            dependencies: [
                .product(name: "StrataCore", package: mainPackage),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/CodecBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
