import BankFormats
import Benchmark
import ExamCore
import ExamStore
import Foundation

/// Importing a synthetic 20,000-question bank into SQLite (goal ≥ 20,000 questions/s, release), and reading
/// the same bank from the native YAML format.
func importBenchmarks() {
    let bank = SyntheticBank.bank(multiplier: 500)
    let yaml = Data(try! NativeFormat.write(bank).utf8)

    Benchmark("Import 20,000 questions into a new SQLite file (WAL, synchronous=FULL)",
              configuration: .init(metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident], maxDuration: .seconds(30), maxIterations: 5)) { benchmark in
        for _ in benchmark.scaledIterations {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("khaothi-bench-\(UUID().uuidString)")
            let database = try AppDatabase.open(at: directory.appendingPathComponent("bank.sqlite").path)
            benchmark.startMeasurement()
            let summary = try database.importBank(ImportedBank(bank: bank))
            benchmark.stopMeasurement()
            precondition(summary.added == 20_000)
            try? FileManager.default.removeItem(at: directory)
        }
    }

    Benchmark("Read a 20,000-question bank from native YAML",
              configuration: .init(metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident], maxDuration: .seconds(30), maxIterations: 5)) { benchmark in
        for _ in benchmark.scaledIterations {
            let read = try NativeFormat.read(yaml, context: ImportContext(fileName: "synthetic.yaml"))
            precondition(read.bank.questions.count == 20_000)
        }
    }
}
