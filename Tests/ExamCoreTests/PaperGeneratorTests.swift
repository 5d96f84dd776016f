import Foundation
import Testing
@testable import ExamCore

@Suite("Paper generation")
struct PaperGeneratorTests {
    /// Checks everything a paper must satisfy against its blueprint and bank.
    static func checkPaper(_ paper: Paper, blueprint: Blueprint, bank: QuestionBank) {
        let byID = Dictionary(uniqueKeysWithValues: bank.questions.map { ($0.id, $0) })
        #expect(paper.parts.map(\.id) == blueprint.parts.map(\.id), "parts keep blueprint order")
        #expect(paper.totalPoints == blueprint.maxScore)
        let ids = paper.items.map(\.question.id)
        #expect(Set(ids).count == ids.count, "no question twice on paper \(paper.code)")
        for (part, blueprintPart) in zip(paper.parts, blueprint.parts) {
            #expect(part.items.map(\.number) == Array(1...max(1, part.items.count)).prefix(part.items.count).map { $0 })
            for row in blueprintPart.rows {
                for cell in row.cells {
                    let filling = part.items.filter {
                        TextFolding.fold($0.question.topic) == TextFolding.fold(row.topic)
                            && $0.question.level.on(blueprint.levelScale) == cell.level
                            && blueprintPart.kinds.contains($0.question.kind)
                    }
                    #expect(filling.count == cell.count, "paper \(paper.code) Phần \(part.id) \(row.topic) \(cell.level)")
                    #expect(filling.allSatisfy { $0.points == cell.points(in: blueprintPart) })
                }
            }
            #expect(part.items.count == blueprintPart.questionCount)
        }
        for item in paper.items {
            guard let original = byID[item.question.id] else { Issue.record("unknown question \(item.question.id)"); continue }
            checkPresentation(shown: item.question, original: original)
        }
        // The key in the paper's own labels earns full marks.
        let responses = Dictionary(uniqueKeysWithValues: paper.items.compactMap { item -> (String, ResponseValue)? in
            switch item.question.body {
            case .matching, .cloze, .essay: return nil
            default: return (item.key, .text(item.question.keyText))
            }
        })
        let score = paper.grade(responses)
        #expect(score.total == blueprint.maxScore, "key of \(paper.code) scores \(score.total)")
    }

    /// The shown question is the original with options permuted (locked ones in place) and the same key.
    static func checkPresentation(shown: Question, original: Question) {
        switch (shown.body, original.body) {
        case let (.singleChoice(s), .singleChoice(o)):
            #expect(s.answer == o.answer)
            #expect(Set(s.options) == Set(o.options) && s.options.count == o.options.count)
            for (index, option) in o.options.enumerated() where option.locked { #expect(s.options[index] == option) }
            if !original.shuffleOptions { #expect(s.options == o.options) }
        case let (.trueFalse(s), .trueFalse(o)):
            if !o.shuffleStatements { #expect(s.statements == o.statements, "statements stay a–d") }
        case let (.numeric(s), .numeric(o)):
            #expect(s == o)
        case let (.ordering(s), .ordering(o)):
            #expect(s.order == o.order)
            #expect(Set(s.items) == Set(o.items))
        default:
            #expect(shown.kind == original.kind)
        }
        var stripped = shown
        stripped.body = original.body
        #expect(stripped == original, "only the order of options changes")
    }

    @Test("papers satisfy the blueprint over many seeds (synthetic bank, candidates mode)", arguments: Array(UInt64(1)...12))
    func propertiesSynthetic(seed: UInt64) throws {
        let blueprint = SyntheticBank.blueprint()
        let bank = SyntheticBank.bank(multiplier: 3)
        let papers = try PaperGenerator(blueprint: blueprint, bank: bank).generate(PaperRequest(mode: .candidates(20), seed: seed))
        #expect(papers.count == 20)
        #expect(papers.first?.code == "0001")
        for paper in papers { Self.checkPaper(paper, blueprint: blueprint, bank: bank) }
    }

    @Test("48 codes 101…148 from the sample Toán bank satisfy its blueprint", arguments: [UInt64(2025), 7, 99])
    func propertiesSample(seed: UInt64) throws {
        let blueprint = try Samples.blueprint()
        let bank = try Samples.bank()
        let papers = try PaperGenerator(blueprint: blueprint, bank: bank)
            .generate(PaperRequest(mode: .codes(PaperRequest.numberedCodes(48)), seed: seed))
        #expect(papers.map(\.code) == (101...148).map(String.init))
        for paper in papers { Self.checkPaper(paper, blueprint: blueprint, bank: bank) }
        // Options really are shuffled: across 48 codes the first Part I key letters are not all the same.
        #expect(Set(papers.map { $0.parts[0].items[0].question.keyText }).count > 1)
    }

    @Test("same inputs and seed give byte-identical papers; another seed gives others")
    func determinism() throws {
        let generator = try PaperGenerator(blueprint: SyntheticBank.blueprint(), bank: SyntheticBank.bank(multiplier: 4))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func run(_ seed: UInt64) throws -> Data {
            try encoder.encode(generator.generate(PaperRequest(mode: .codes(PaperRequest.numberedCodes(24)), seed: seed)))
        }
        let first = try run(42)
        #expect(try run(42) == first)
        #expect(try run(43) != first)
        // A fixed fingerprint of seed 42: the generator must not drift between machines or Swift versions.
        let papers = try generator.generate(PaperRequest(mode: .codes(["101"]), seed: 42))
        let fingerprint = papers[0].items.map { "\($0.question.id.dropFirst(4)):\($0.question.keyText)" }.prefix(5).joined(separator: " ")
        #expect(fingerprint == Self.fingerprint42, "fingerprint: \(fingerprint)")
    }

    static let fingerprint42 = "I-2-van-dung-3:D I-6-nhan-biet-0:C I-4-van-dung-3:C I-10-nhan-biet-1:B I-9-nhan-biet-2:D"

    @Test("the seeded generator is fixed: xoshiro256** from SplitMix64")
    func seededGenerator() {
        var rng = SeededGenerator(seed: 0)
        let first = (0..<3).map { _ in rng.next() }
        var again = SeededGenerator(seed: 0)
        #expect((0..<3).map { _ in again.next() } == first)
        var bounded = SeededGenerator(seed: 1)
        let draws = (0..<10_000).map { _ in bounded.below(6) }
        #expect(draws.allSatisfy { (0..<6).contains($0) })
        #expect(Set(draws).count == 6)
        var a = [1, 2, 3, 4, 5, 6, 7, 8]
        var shuffler = SeededGenerator(seed: 5)
        shuffler.shuffle(&a)
        #expect(a.sorted() == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(a != [1, 2, 3, 4, 5, 6, 7, 8])
    }

    @Test("least-used first: use is spread evenly over the papers")
    func spread() throws {
        let bank = SyntheticBank.bank(multiplier: 3)
        let papers = try PaperGenerator(blueprint: SyntheticBank.blueprint(), bank: bank).generate(PaperRequest(mode: .candidates(50), seed: 9))
        var use: [String: Int] = [:]
        for paper in papers { for item in paper.items { use[item.question.id, default: 0] += 1 } }
        #expect(use.count == bank.questions.count, "every question is used")
        let counts = use.values
        #expect(counts.max()! - counts.min()! <= 1, "use ranges \(counts.min()!)…\(counts.max()!)")
    }

    @Test("the overlap cap holds between every two codes", arguments: [(12, 0), (12, 1), (12, 3), (6, 8), (6, 10)])
    func overlapCap(multiplier: Int, cap: Int) throws {
        let generator = try PaperGenerator(blueprint: SyntheticBank.blueprint(), bank: SyntheticBank.bank(multiplier: multiplier))
        let papers = try generator.generate(PaperRequest(mode: .codes(PaperRequest.numberedCodes(12)), seed: 3, overlapCap: cap))
        for i in papers.indices {
            for j in papers.indices where j > i {
                let shared = Set(papers[i].items.map(\.question.id)).intersection(papers[j].items.map(\.question.id)).count
                #expect(shared <= cap, "\(papers[i].code)–\(papers[j].code) share \(shared)")
            }
        }
    }

    /// With a bank of exactly 6 papers' worth, paper 7 takes its 40 questions from papers 1–6, so it shares at
    /// least 7 with one of them: a cap of 6 cannot hold, and with one paper's worth a cap of 0 cannot either.
    @Test("an unreachable overlap cap is a typed error", arguments: [(1, 0, 3), (6, 6, 7)])
    func overlapCapUnreachable(multiplier: Int, cap: Int, codes: Int) throws {
        let generator = try PaperGenerator(blueprint: SyntheticBank.blueprint(), bank: SyntheticBank.bank(multiplier: multiplier))
        let error = try #require(throws: ExamCoreError.self) {
            try generator.generate(PaperRequest(mode: .codes(PaperRequest.numberedCodes(codes)), seed: 1, overlapCap: cap))
        }
        #expect(error.code == .overlapCap)
    }

    @Test("an infeasible blueprint lists every short cell")
    func infeasible() throws {
        var bank = try Samples.bank()
        bank.questions.removeAll { $0.id.hasPrefix("toan12-hs-tl") && $0.id != "toan12-hs-tl-01" }
        bank.questions.removeAll { $0.id == "toan12-xs-ds-02" }
        let error = try #require(throws: ExamCoreError.self) { try PaperGenerator(blueprint: Samples.blueprint(), bank: bank) }
        #expect(error.code == .infeasible)
        #expect(error.problems.count == 2)
        #expect(error.problems.contains { $0.hasPrefix("Phần III / Ứng dụng đạo hàm để khảo sát hàm số / Vận dụng: cần 2, ngân hàng có 1") })
        #expect(error.problems.contains { $0.hasPrefix("Phần II / Xác suất và thống kê / Hiểu: cần 1, ngân hàng có 0") })
    }

    @Test("bad requests are refused with a reason")
    func badRequests() throws {
        let generator = try PaperGenerator(blueprint: SyntheticBank.blueprint(), bank: SyntheticBank.bank(multiplier: 2))
        #expect(throws: ExamCoreError.self) { try generator.generate(PaperRequest(mode: .codes([]), seed: 1)) }
        #expect(throws: ExamCoreError.self) { try generator.generate(PaperRequest(mode: .codes(["101", "101"]), seed: 1)) }
        #expect(throws: ExamCoreError.self) { try generator.generate(PaperRequest(mode: .candidates(0), seed: 1)) }
        #expect(throws: ExamCoreError.self) { try generator.generate(PaperRequest(mode: .codes(["1"]), seed: 1, overlapCap: -1)) }
    }

    /// A bank with reading passages (groups) and single grammar questions.
    static func passageBank() -> (QuestionBank, Blueprint) {
        var questions: [Question] = []
        var groups: [QuestionGroup] = []
        for g in 1...3 {
            groups.append(QuestionGroup(id: "p\(g)", passage: "Passage \(g): Hanoi is the capital of Vietnam…"))
            for n in 1...4 {
                var q = SyntheticBank.question(id: "p\(g)-q\(n)", kind: .singleChoice, topic: "Đọc hiểu", level: .comprehension, n: n)
                q.groupID = "p\(g)"
                q.subject = "Tiếng Anh"
                questions.append(q)
            }
        }
        for n in 1...12 {
            var q = SyntheticBank.question(id: "s\(n)", kind: .singleChoice, topic: n <= 6 ? "Đọc hiểu" : "Ngữ pháp", level: .comprehension, n: n)
            q.subject = "Tiếng Anh"
            questions.append(q)
        }
        let blueprint = Blueprint(name: "Đọc hiểu", subject: "Tiếng Anh", maxScore: 5, parts: [
            BlueprintPart(id: "I", points: Points(hundredths: 50), rows: [
                BlueprintRow(topic: "Đọc hiểu", cells: [BlueprintCell(level: .comprehension, count: 6)]),
                BlueprintRow(topic: "Ngữ pháp", cells: [BlueprintCell(level: .comprehension, count: 4)]),
            ]),
        ])
        return (QuestionBank(name: "Tiếng Anh", questions: questions, groups: groups), blueprint)
    }

    @Test("a passage keeps its questions together and in order, with the passage on the paper", arguments: Array(UInt64(1)...10))
    func passages(seed: UInt64) throws {
        let (bank, blueprint) = Self.passageBank()
        let papers = try PaperGenerator(blueprint: blueprint, bank: bank).generate(PaperRequest(mode: .codes(PaperRequest.numberedCodes(6)), seed: seed))
        for paper in papers {
            Self.checkPaper(paper, blueprint: blueprint, bank: bank)
            #expect(paper.passages.count == 1, "one passage of 4 fits the 6 reading questions")
            for passage in paper.passages {
                let items = paper.items
                let positions = passage.keys.compactMap { key in items.firstIndex { $0.key == key } }
                #expect(positions.count == 4)
                #expect(positions == Array(positions[0]..<(positions[0] + 4)), "contiguous")
                #expect(positions.map { items[$0].question.id } == (1...4).map { "\(passage.groupID)-q\($0)" }, "in order")
                #expect(positions.allSatisfy { items[$0].question.groupID == passage.groupID })
            }
        }
    }
}
