// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "khaothi",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "khaothi", targets: ["khaothi"]),
        .library(name: "ExamCore", targets: ["ExamCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        /// The domain, pure: questions, scoring, blueprints, paper generation, Thông tư 22 records.
        /// Foundation only.
        .target(name: "ExamCore"),
        /// The command line.
        .executableTarget(
            name: "khaothi",
            dependencies: [
                "ExamCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ExamCoreTests", dependencies: ["ExamCore"]),
        .testTarget(name: "khaothiTests", dependencies: ["khaothi"]),
    ],
    swiftLanguageModes: [.v6]
)
