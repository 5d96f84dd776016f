// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "khaothi",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "khaothi", targets: ["khaothi"]),
        .library(name: "ExamCore", targets: ["ExamCore"]),
        .library(name: "BankFormats", targets: ["BankFormats"]),
        .library(name: "ExamStore", targets: ["ExamStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        /// The domain, pure: questions, scoring, blueprints, paper generation, Thông tư 22 records.
        /// Foundation only.
        .target(name: "ExamCore"),
        /// Readers and writers of bank files (native YAML, GIFT, Aiken, Azota text and Word, Moodle XML,
        /// QTI 2.1, CSV, XLSX) to and from ExamCore values.
        .target(
            name: "BankFormats",
            dependencies: [
                "ExamCore",
                .product(name: "Yams", package: "Yams"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        /// Storage behind repository protocols (`Store`): the SQLite implementation through GRDB (kept
        /// internal: no GRDB type crosses the module's API), migrations, the exam-day read model, the
        /// group-commit answer writer, staff passwords; PostgreSQL's schema and migrations (postgres-nio) and
        /// `db copy` between the two engines.
        .target(
            name: "ExamStore",
            dependencies: [
                "ExamCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        /// Hummingbird: buildApplication, authentication middleware, the JSON APIs, pages and print views,
        /// errors mapped to HTTP, score sheets, the demo's seeding.
        .target(
            name: "ExamServer",
            dependencies: [
                "ExamCore",
                "BankFormats",
                "ExamStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        /// The command line.
        .executableTarget(
            name: "khaothi",
            dependencies: [
                "ExamCore",
                "BankFormats",
                "ExamStore",
                "ExamServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        /// Tests only: a PostgreSQL cluster of Debian's `postgresql`, started once per test process; the engine the
        /// store's and the server's suites run on (`KHAOTHI_TEST_ENGINE`); a held local port.
        .target(name: "PostgresTesting", dependencies: ["ExamStore"]),
        .testTarget(name: "ExamCoreTests", dependencies: ["ExamCore"]),
        .testTarget(name: "BankFormatsTests", dependencies: ["BankFormats", "ExamCore"]),
        .testTarget(name: "ExamStoreTests", dependencies: ["ExamStore", "BankFormats", "ExamCore", "PostgresTesting", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(
            name: "ExamServerTests",
            dependencies: [
                "ExamServer", "ExamStore", "BankFormats", "ExamCore", "PostgresTesting",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "khaothiTests", dependencies: ["khaothi", "PostgresTesting"]),
    ],
    swiftLanguageModes: [.v6]
)
