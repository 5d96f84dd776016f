@testable import ExamCore

/// Small hand-made questions for scoring tests.
enum Fixtures {
    static func question(_ body: QuestionBody, id: String = "q", topic: String = "Hàm số", level: Level = .recognition, points: Points = Points(hundredths: 25)) -> Question {
        Question(id: id, subject: "Toán", grade: 12, topic: topic, level: level, points: points, stem: "Câu hỏi \(id)", body: body)
    }

    static let options = ["a", "b", "c", "d"].map { ChoiceOption(id: $0, text: "Phương án \($0)") }

    static let singleChoice = question(.singleChoice(SingleChoice(options: options, answer: "c")))

    static func trueFalse(_ truths: [Bool] = [true, false, true, true], table: [Points]? = nil) -> Question {
        question(.trueFalse(TrueFalseCluster(
            statements: truths.enumerated().map { Statement(id: "s\($0.offset)", text: "Mệnh đề \($0.offset)", isTrue: $0.element) },
            table: table)), points: 1)
    }

    static func numeric(_ answer: String, tolerance: String? = nil) -> Question {
        question(.numeric(NumericAnswer(answer: answer, tolerance: tolerance.flatMap { Decimal(string: $0) })), points: Points(hundredths: 50))
    }
}

import Foundation
