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
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
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
        /// Plays N candidates through the real API (start storm, steady autosave, submit storm), optionally
        /// killing the server with SIGKILL along the way, then checks every acknowledged answer in the database.
        .executableTarget(
            name: "loadgen",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ExamCore", package: "khaothi"),
                .product(name: "BankFormats", package: "khaothi"),
                .product(name: "ExamStore", package: "khaothi"),
            ],
            path: "LoadGenerator"
        ),
        /// The teachers' pages against a 20,000-question bank through the real server: the bank browser's pages
        /// and the dry run of a 2,000-question upload (BENCHMARKS.md).
        .executableTarget(
            name: "authoring-bench",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ExamCore", package: "khaothi"),
                .product(name: "BankFormats", package: "khaothi"),
            ],
            path: "AuthoringBench"
        ),
        /// After the test: statistics and regrade of 10,000 attempts × 40 items (BENCHMARKS.md).
        .executableTarget(
            name: "results-bench",
            dependencies: [
                .product(name: "ExamCore", package: "khaothi"),
                .product(name: "ExamStore", package: "khaothi"),
            ],
            path: "ResultsBench"
        ),
        /// Hummingbird with nothing of khaothi: the ceiling Benchmarks/load/routes.sh compares every route with.
        .executableTarget(
            name: "bare-server",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            path: "BareServer"
        ),
    ]
)
