// swift-tools-version:6.0
import PackageDescription

// Fuzz targets, one per importer (libFuzzer), in their own package so `swift test` never builds them.
// Build and run: scripts/fuzz.sh (see FUZZING.md).
let targets = ["FuzzNative", "FuzzJSON", "FuzzGIFT", "FuzzAiken", "FuzzAzota", "FuzzDocx", "FuzzMoodleXML", "FuzzQTI", "FuzzCSV", "FuzzXLSX"]

let package = Package(
    name: "khaothi-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "khaothi", path: "..")],
    targets: [
        /// Reads one input in one format, as `khaothi bank import` would, and swallows its errors: only a crash counts.
        .target(name: "FuzzSupport", dependencies: [.product(name: "BankFormats", package: "khaothi"), .product(name: "ExamCore", package: "khaothi")]),
    ] + targets.map { .executableTarget(name: $0, dependencies: ["FuzzSupport"]) }
)
