import Foundation
import Testing
@testable import ExamCore

@Suite("Short answer: normalisation and the 4-character rule")
struct NumericAnswerTests {
    @Test("values after normalisation", arguments: [
        ("0,5", "0,5"), ("0,50", "0,5"), ("0.5", "0,5"), (".5", "0,5"), ("-0", "0"), ("+3", "3"), (" 3 ", "3"),
        ("-1,5", "-1,5"), ("12", "12"), ("1234", "1234"), ("-123", "-123"), ("007", "7"), ("5,", "5"), ("-0,0", "0"),
        ("+0,5", "0,5"), ("0", "0"), ("\t2,25\n", "2,25"),
    ])
    func values(input: String, canonical: String) {
        guard case let .value(_, found) = NumericAnswer.normalise(input) else {
            Issue.record("\(input) should be a value")
            return
        }
        #expect(found == canonical)
    }

    @Test("refused inputs", arguments: [
        "12345", "1,2,3", "1.2.3", "1-2", "--1", "abc", "1e3", "1 2", "-", ",", "+", "-1,25", "1/2", "½", "+-1", "0,5%",
    ])
    func invalid(input: String) {
        guard case .invalid = NumericAnswer.normalise(input) else {
            Issue.record("\(input) should be refused")
            return
        }
    }

    @Test("empty and blank are unanswered", arguments: ["", " ", "\t", "\n"])
    func empty(input: String) {
        #expect(NumericAnswer.normalise(input) == .empty)
    }

    @Test("without the box rule, long numbers are values")
    func noBoxRule() {
        #expect(NumericAnswer.normalise("12345,678", boxRule: false).decimal == Decimal(string: "12345.678"))
        #expect(NumericAnswer.normalise("12345", boxRule: true) != NumericAnswer.normalise("12345", boxRule: false))
    }

    @Test("matching against key, alternatives and tolerance", arguments: [
        (NumericAnswer(answer: "0,5"), "0.50", true),
        (NumericAnswer(answer: "0,5"), "0,51", false),
        (NumericAnswer(answer: "-0"), "0", true),
        (NumericAnswer(answer: "0"), "-0", true),
        (NumericAnswer(answer: "3"), "+3", true),
        (NumericAnswer(answer: "1,33", tolerance: Decimal(string: "0.01")), "1,34", true),
        (NumericAnswer(answer: "1,33", tolerance: Decimal(string: "0.01")), "1,35", false),
        (NumericAnswer(answer: "1,33", tolerance: Decimal(string: "0.01")), "1,32", true),
        (NumericAnswer(answer: "0,25", alternatives: ["0,3"]), "0,3", true),
        (NumericAnswer(answer: "0,25", alternatives: ["0,3"]), "0,2", false),
        (NumericAnswer(answer: "12"), "12,0", true),
    ])
    func accepts(key: NumericAnswer, input: String, expected: Bool) {
        #expect(key.accepts(NumericAnswer.normalise(input, boxRule: key.boxRule)) == expected)
    }
}
