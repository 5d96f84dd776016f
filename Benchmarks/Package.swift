// swift-tools-version:6.1
import PackageDescription

// Benchmarks live in their own package so `swift test` at the root never builds package-benchmark.
// Run: cd Benchmarks && swift package benchmark   (see BENCHMARKS.md)
let package = Package(
    name: "khaothi-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "khaothi", path: ".."),
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "ExamCoreBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "ExamCore", package: "khaothi"),
                .product(name: "BankFormats", package: "khaothi"),
                .product(name: "ExamStore", package: "khaothi"),
            ],
            path: "Benchmarks/ExamCoreBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
    ]
)
