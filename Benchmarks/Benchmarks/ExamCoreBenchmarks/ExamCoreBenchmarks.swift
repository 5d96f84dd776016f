import Benchmark
import ExamCore

/// The exam core's hot paths: paper generation and grading, on a synthetic 20,000-question bank.
/// Goals (BENCHMARKS.md): 10,000 unique 40-item papers in ≤ 1 s on one core; ≥ 5 M item gradings per second.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 1,
        scalingFactor: .one,
        maxDuration: .seconds(20),
        maxIterations: 10
    )

    let bank = SyntheticBank.bank(multiplier: 500)
    let blueprint = SyntheticBank.blueprint()
    importBenchmarks()

    Benchmark("Index a 20,000-question bank for a blueprint") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try PaperGenerator(blueprint: blueprint, bank: bank))
        }
    }

    Benchmark("Generate 10,000 unique 40-item papers (20,000-question bank)") { benchmark in
        let generator = try PaperGenerator(blueprint: blueprint, bank: bank)
        benchmark.startMeasurement()
        var items = 0
        try generator.generate(PaperRequest(mode: .candidates(10_000), seed: 2025)) { paper in
            items += paper.parts.reduce(0) { $0 + $1.items.count }
        }
        benchmark.stopMeasurement()
        precondition(items == 400_000)
    }

    Benchmark("Generate 48 codes with an overlap cap of 8") { benchmark in
        let generator = try PaperGenerator(blueprint: blueprint, bank: bank)
        for _ in benchmark.scaledIterations {
            blackHole(try generator.generate(PaperRequest(mode: .codes(PaperRequest.numberedCodes(48)), seed: 7, overlapCap: 8)))
        }
    }

    // Papers and realistic answers shared by the grading benchmarks: the key for about 70 % of items, a
    // wrong or foreign answer for 20 %, blank for 10 %.
    let gradingGenerator = try! PaperGenerator(blueprint: blueprint, bank: bank)
    let gradingPapers = try! gradingGenerator.generate(PaperRequest(mode: .candidates(10_000), seed: 11))
    var rng = SeededGenerator(seed: 3)
    let positional: [[ResponseValue?]] = gradingPapers.map { paper in
        paper.items.map { item in
            switch rng.below(10) {
            case 0...6: .text(item.question.keyText)
            case 7, 8: .text(["A", "B", "C", "D", "ĐSĐS", "12"][rng.below(6)])
            default: .text("")
            }
        }
    }
    let keyed: [[String: ResponseValue]] = zip(gradingPapers, positional).map { paper, answers in
        Dictionary(uniqueKeysWithValues: zip(paper.items.map(\.key), answers).compactMap { key, answer in answer.map { (key, $0) } })
    }

    Benchmark("Grade 10,000 × 40 responses in paper order (400,000 item gradings)") { benchmark in
        for _ in benchmark.scaledIterations {
            var total = 0
            for (paper, answers) in zip(gradingPapers, positional) {
                total &+= paper.grade(positional: answers).total.hundredths
            }
            blackHole(total)
        }
    }

    Benchmark("Grade 10,000 × 40 responses keyed by item (response files)") { benchmark in
        for _ in benchmark.scaledIterations {
            var total = 0
            for (paper, answers) in zip(gradingPapers, keyed) {
                total &+= paper.grade(answers).total.hundredths
            }
            blackHole(total)
        }
    }
}
