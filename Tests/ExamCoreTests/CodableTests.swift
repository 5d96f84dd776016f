import Foundation
import Testing
@testable import ExamCore

@Suite("JSON form of questions, banks and papers")
struct CodableTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func allKinds() throws -> QuestionBank {
        try JSONDecoder().decode(QuestionBank.self, from: Data(contentsOf: fixtures.appendingPathComponent("all-kinds.json")))
    }

    @Test("a bank with every kind decodes, with defaults filled in, and validates")
    func decodesAllKinds() throws {
        let bank = try Self.allKinds()
        #expect(Set(bank.questions.map(\.kind)) == Set(QuestionKind.allCases))
        try bank.validate()
        let mc = bank.questions[0]
        #expect(mc.level == .recognition)
        #expect(mc.points == Points(hundredths: 25))
        #expect(mc.revision == 1)
        guard case let .singleChoice(body) = mc.body else { Issue.record("kind"); return }
        #expect(body.options[3].locked)
        #expect(bank.questions.first { $0.id == "num-2" }.map { if case let .numeric(n) = $0.body { n.answer } else { "" } } == "9.8")
        #expect(bank.questions.first { $0.id == "essay-1" }?.points == 2)
        #expect(bank.questions.first { $0.id == "num-1" }?.points == Points(hundredths: 50))
    }

    @Test("every kind survives encode → decode unchanged")
    func roundTrip() throws {
        let bank = try Self.allKinds()
        let data = try JSONEncoder().encode(bank)
        let again = try JSONDecoder().decode(QuestionBank.self, from: data)
        #expect(again.questions == bank.questions)
        #expect(again.groups == bank.groups)
    }

    @Test("decoding errors say which field is wrong")
    func errors() throws {
        let badLevel = #"{"name":"x","questions":[{"id":"q","subject":"Toán","topic":"t","level":"rất khó","kind":"essay","stem":"s"}]}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(QuestionBank.self, from: Data(badLevel.utf8)) }
        let badKind = #"{"name":"x","questions":[{"id":"q","subject":"Toán","topic":"t","level":"biet","kind":"poem","stem":"s"}]}"#
        do {
            _ = try JSONDecoder().decode(QuestionBank.self, from: Data(badKind.utf8))
            Issue.record("should fail")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.debugDescription.contains("unknown kind \"poem\""))
        }
    }

    @Test("bank validation lists every broken question with its id")
    func validation() throws {
        var bank = try Self.allKinds()
        bank.questions.append(bank.questions[0])
        if case var .singleChoice(body) = bank.questions[0].body {
            body.answer = "z"
            body.options = Array(body.options.prefix(1))
            bank.questions[0].body = .singleChoice(body)
        }
        if case var .numeric(body) = bank.questions[4].body {
            body.answer = "12,345"
            bank.questions[4].body = .numeric(body)
        }
        bank.questions[6].groupID = "missing"
        let error = try #require(throws: ExamCoreError.self) { try bank.validate() }
        let text = error.problems.joined(separator: "\n")
        #expect(text.contains("mc-1: mã câu hỏi lặp lại"))
        #expect(text.contains("mc-1: cần 2–8 phương án, có 1"))
        #expect(text.contains("mc-1: đáp án \"z\" không phải một phương án"))
        #expect(text.contains("num-1: đáp án \"12,345\" không ghi được vào ô"))
        #expect(text.contains("txt-1: nhóm \"missing\" không có"))
    }

    @Test("every kind scores full marks with its own key, and the key text is in paper labels")
    func keysScoreFull() throws {
        let bank = try Self.allKinds()
        var rng = SeededGenerator(seed: 11)
        for question in bank.questions where question.kind != .essay {
            let shown = PaperGenerator.present(question, rng: &rng)
            let response: ResponseValue
            switch shown.body {
            case let .matching(body):
                response = .map(Dictionary(uniqueKeysWithValues: body.premises.enumerated().map { index, premise in
                    let choice = body.pairs.first { $0.premise == premise.id }!.choice
                    return (Labels.premise(index), Labels.option(body.choices.firstIndex { $0.id == choice }!))
                }))
            case let .cloze(body):
                response = .map(Dictionary(uniqueKeysWithValues: body.gaps.map { gap in
                    switch gap.answer {
                    case let .choice(options, answer): (gap.id, Labels.option(options.firstIndex { $0.id == answer }!))
                    case let .numeric(numeric): (gap.id, numeric.answer)
                    case let .text(text): (gap.id, text.answers[0])
                    }
                }))
            default:
                response = .text(shown.keyText)
            }
            #expect(Scoring.score(shown, points: question.points, response: response).awarded == question.points, "\(question.id): \(shown.keyText)")
        }
    }
}
