// khaothi results benchmark (issue 13): 10,000 attempts × 40 items of the synthetic bank, taken through the store
// as the server takes them (start, answers, submit), then timed: the exam's statistics (read from the database
// and computed), the item analysis alone on the same matrix, a regrade dry run and its commit with every
// item's points changed (all 400,000 item scores computed again), and a regrade of one fixed key.
//
//   swift build -c release --package-path Benchmarks --product results-bench
//   Benchmarks/.build/release/results-bench [--candidates 10000]
import ExamCore
import ExamStore
import Foundation

let arguments = CommandLine.arguments
let candidates = arguments.firstIndex(of: "--candidates").flatMap { Int(arguments[$0 + 1]) } ?? 10_000
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("khaothi-results-\(UUID().uuidString)").path
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
defer { if ProcessInfo.processInfo.environment["KHAOTHI_KEEP"] == nil { try? FileManager.default.removeItem(atPath: directory) } else { print("kept", directory) } }

func seconds(_ work: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock().now
    try work()
    let elapsed = ContinuousClock().now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

let db = try AppDatabase.open(at: directory + "/results.sqlite")
let bank = SyntheticBank.bank(multiplier: 2)
_ = try db.importBank(ImportedBank(bank: bank))
let exam = "Kết quả"
let opens = Date().addingTimeInterval(-3 * 3600)
try db.createExam(ExamDefinition(name: exam, bank: bank.name, blueprint: SyntheticBank.blueprint(), codeCount: 24, seed: 13,
                                 sessions: [.init(name: "Ca 1", timing: SessionTiming(opensAt: opens, durationSeconds: 3600, lateEntrySeconds: 3600,
                                                                                      graceSeconds: 60, policy: .fromStart))],
                                 rooms: ["P1"]))
_ = try db.importCandidates(exam: exam, entries: (0..<candidates).map {
    RosterEntry(studentID: String(format: "HS%06d", $0), fullName: "Thí sinh \($0)", dateOfBirth: "2008-01-01", className: "12A\($0 % 10 + 1)")
})
let slips = try db.prepareExam(exam)
let store = DatabaseStore(database: db)
print("khaothi results benchmark: \(candidates) attempts × 40 items")

// Every candidate answers as an ability makes likely (so items discriminate) and submits, during the session.
let sitting = opens.addingTimeInterval(600)
var papers: [String: Paper] = [:]
for code in Set(slips.map(\.paperCode)) { papers[code] = try db.paper(exam: exam, code: code) }
let taken = try seconds {
    let group = DispatchGroup()
    let failures = Failures()
    for chunk in stride(from: 0, to: slips.count, by: 500) {
        for slip in slips[chunk..<min(chunk + 500, slips.count)] {
            group.enter()
            let paper = papers[slip.paperCode]!
            // Detached: top-level code runs on the main actor, which group.wait() holds.
            Task.detached {
                defer { group.leave() }
                do {
                    var random = SeededGenerator(seed: UInt64(slip.sbd)! + 1)
                    let ability = Double.random(in: 0...1, using: &random)
                    let started = try await store.start(exam: exam, sbd: slip.sbd, session: sitting, now: sitting)
                    var events: [ResponseEvent] = []
                    for (index, item) in paper.items.enumerated() {
                        let right = Double.random(in: 0...1, using: &random) < ability
                        let value: ResponseValue
                        switch item.question.body {
                        case .trueFalse(let body): value = .map(Dictionary(uniqueKeysWithValues: body.statements.enumerated().map { i, s in
                            (Labels.statement(i), (Double.random(in: 0...1, using: &random) < ability) == s.isTrue ? "Đ" : "S") }))
                        default: value = right ? .text(item.question.keyText) : .text("A")
                        }
                        events.append(ResponseEvent(sequence: index + 1, item: item.key, value: value))
                    }
                    _ = try await store.record(exam: exam, sbd: slip.sbd, deviceToken: started.deviceToken, events: events, now: sitting)
                    _ = try await store.submit(exam: exam, sbd: slip.sbd, deviceToken: started.deviceToken, now: sitting.addingTimeInterval(60))
                } catch { failures.add("\(slip.sbd): \(error)") }
            }
        }
        group.wait()
    }
    if let first = failures.first { fatalError(first) }
}
print(String(format: "  set-up: %d attempts taken through the store in %.1f s", candidates, taken))

final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ text: String) { lock.lock(); items.append(text); lock.unlock() }
    var first: String? { lock.lock(); defer { lock.unlock() }; return items.first }
}

// Statistics: three runs, the best kept (the first warms SQLite's cache).
var statistics: ExamStatistics?
var best = Double.infinity
for _ in 0..<3 { best = min(best, try seconds { statistics = try db.examStatistics(exam) }) }
print(String(format: "  statistics (read + computed): %.3f s — goal ≤ 0.5 s; alpha %.3f, mean %.2f, %d questions", best,
             statistics!.test.alpha ?? .nan, statistics!.test.mean, statistics!.questions.count))

// The item analysis alone on a 10,000 × 40 matrix.
var random = SeededGenerator(seed: 7)
let matrix = (0..<candidates).map { _ in (0..<40).map { _ in Double(Int.random(in: 0...4, using: &random)) * 0.25 } }
let totals = matrix.map { $0.reduce(0, +) }
let pure = seconds {
    for column in 0..<40 { _ = ItemAnalysis.item(scores: matrix.map { $0[column] }, totals: totals, maximum: 1) }
    _ = ItemAnalysis.test(scores: totals, slots: matrix)
}
print(String(format: "  item analysis alone (40 items, alpha): %.3f s", pure))

// Regrade with every question's points changed: every item of every attempt scored again.
let allQuestions = Set(papers.values.flatMap { $0.items.map(\.question.id) })
let points = Dictionary(papers.values.flatMap { $0.items }.map { ($0.question.id, $0.points + Points(hundredths: 5)) }, uniquingKeysWith: { first, _ in first })
var report: RegradeReport?
let dry = try seconds { report = try db.regrade(exam: exam, plan: RegradePlan(points: points), commit: false, by: "bench") }
print(String(format: "  regrade dry run, %d questions' points changed: %.3f s (%d of %d attempts change)", allQuestions.count, dry,
             report!.candidates.count, report!.attempts))
let committed = try seconds { report = try db.regrade(exam: exam, plan: RegradePlan(points: points), commit: true, by: "bench") }
print(String(format: "  regrade committed (every item of every attempt): %.3f s — goal ≤ 2 s; %d attempts changed", committed, report!.candidates.count))
let again = try seconds { report = try db.regrade(exam: exam, plan: RegradePlan(points: points), commit: true, by: "bench") }
print(String(format: "  the same regrade again (idempotent): %.3f s, %d attempts changed", again, report!.candidates.count))
