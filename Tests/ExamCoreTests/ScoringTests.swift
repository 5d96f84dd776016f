import Foundation
import Testing
@testable import ExamCore

@Suite("Scoring every kind")
struct ScoringTests {
    static let quarter = Points(hundredths: 25)

    @Test("single choice: labels, case, duplicates, garbage", arguments: [
        (ResponseValue.text("C"), 25, ItemScore.Status.correct),
        (.text("c"), 25, .correct),
        (.text(" C. "), 25, .correct),
        (.list(["C", "C"]), 25, .correct),
        (.text("A"), 0, .incorrect),
        (.text(""), 0, .unanswered),
        (.list([]), 0, .unanswered),
        (.text("E"), 0, .invalid),
        (.text("AC"), 0, .invalid),
        (.list(["A", "C"]), 0, .invalid),
        (.map(["x": "C"]), 0, .invalid),
        (.malformed, 0, .invalid),
        (.text("Ç"), 0, .invalid),
    ])
    func singleChoice(response: ResponseValue, hundredths: Int, status: ItemScore.Status) {
        let score = Scoring.score(Fixtures.singleChoice, points: Self.quarter, response: response)
        #expect(score.awarded == Points(hundredths: hundredths))
        #expect(score.status == status)
        #expect(score.maximum == Self.quarter)
    }

    @Test("no response at all is unanswered")
    func missing() {
        #expect(Scoring.score(Fixtures.singleChoice, points: Self.quarter, response: nil).status == .unanswered)
    }

    /// All 16 ways to mark four statements against the key Đ S Đ Đ: points by how many are right.
    static let allMarkings: [[Bool]] = (0..<16).map { mask in (0..<4).map { mask & (1 << (3 - $0)) != 0 } }

    @Test("true/false: all 16 markings follow the 2025 table", arguments: allMarkings)
    func trueFalseTable(marks: [Bool]) {
        let key = [true, false, true, true]
        let right = zip(marks, key).filter { $0 == $1 }.count
        let expected = [0, 10, 25, 50, 100][right]
        let text = marks.map { $0 ? "Đ" : "S" }.joined()
        let score = Scoring.score(Fixtures.trueFalse(key), points: 1, response: .text(text))
        #expect(score.awarded == Points(hundredths: expected), "\(text): \(right) right")
        let asMap = Dictionary(uniqueKeysWithValues: marks.enumerated().map { (Labels.statement($0.offset), $0.element ? "Đúng" : "Sai") })
        #expect(Scoring.score(Fixtures.trueFalse(key), points: 1, response: .map(asMap)).awarded == Points(hundredths: expected))
        let asList = marks.map { $0 ? "true" : "false" }
        #expect(Scoring.score(Fixtures.trueFalse(key), points: 1, response: .list(asList)).awarded == Points(hundredths: expected))
    }

    @Test("true/false: unmarked statements count as wrong", arguments: [
        (ResponseValue.map(["a": "Đ"]), 10),
        (.map(["a": "Đ", "c": "Đ", "d": "Đ"]), 50),
        (.map(["a": "Đ", "b": "?", "c": "Đ", "d": "Đ"]), 50),
        (.text("ĐS"), 25),
        (.map(["a": "Đ", "b": "S", "c": "Đ", "d": "Đ", "e": "Đ"]), 100),
        (.text("D S D D"), 100),
        (.text("TFTT"), 100),
        (.map([:]), 0),
    ])
    func trueFalsePartial(response: ResponseValue, hundredths: Int) {
        #expect(Scoring.score(Fixtures.trueFalse(), points: 1, response: response).awarded == Points(hundredths: hundredths))
    }

    @Test("true/false given as a list with nulls: the nulls are unmarked statements, not an unreadable answer")
    func trueFalseListWithNulls() throws {
        let value = try JSONDecoder().decode(ResponseValue.self, from: Data("[true, null, null, null]".utf8))
        #expect(value == .list(["true", "", "", ""]))
        #expect(value.isWellFormed(for: .trueFalse))
        // Key Đ S Đ Đ: only a) is marked, and right.
        #expect(Scoring.score(Fixtures.trueFalse(), points: 1, response: value).awarded == Points(hundredths: 10))
    }

    @Test("true/false with n statements and an explicit table; scaled to other points")
    func trueFalseOtherTables() {
        let three = Fixtures.trueFalse([true, true, false], table: [0, Points(hundredths: 20), Points(hundredths: 50), 1])
        #expect(Scoring.score(three, points: 1, response: .text("ĐĐS")).awarded == 1)
        #expect(Scoring.score(three, points: 1, response: .text("ĐĐĐ")).awarded == Points(hundredths: 50))
        #expect(Scoring.score(three, points: 1, response: .text("SSĐ")).awarded == 0)
        // Worth 0.6 on a paper: 0.25 × 0.6 = 0.15.
        #expect(Scoring.score(Fixtures.trueFalse(), points: Points(hundredths: 60), response: .text("ĐSSS")).awarded == Points(hundredths: 15))
        #expect(Scoring.score(Fixtures.trueFalse(), points: Points(hundredths: 60), response: .text("ĐĐSS")).awarded == Points(hundredths: 6))
        // 2 statements without a table cannot be scored and must say so rather than crash.
        let broken = Fixtures.trueFalse([true, false])
        #expect(Scoring.score(broken, points: 1, response: .text("ĐS")).status == .invalid)
        #expect(!broken.problems().isEmpty)
    }

    @Test("numeric short answer", arguments: [
        ("0,5", "0.50", true), ("0,5", "0,5", true), ("-0", "0", true), ("3", "+3", true), ("3", " 3 ", true),
        ("1,5", "1.5", true), ("12", "12,3", false), ("1234", "12345", false), ("1,5", "1,5,0", false), ("-2", "-2", true),
    ])
    func numeric(key: String, input: String, right: Bool) {
        let score = Scoring.score(Fixtures.numeric(key), points: Points(hundredths: 50), response: .text(input))
        #expect(score.awarded == (right ? Points(hundredths: 50) : .zero))
    }

    @Test("numeric: five characters and two commas are invalid, not wrong")
    func numericInvalid() {
        #expect(Scoring.score(Fixtures.numeric("1"), points: 1, response: .text("12,345")).status == .invalid)
        #expect(Scoring.score(Fixtures.numeric("1"), points: 1, response: .text("1,2,")).status == .invalid)
        #expect(Scoring.score(Fixtures.numeric("1"), points: 1, response: .list(["1"])).status == .invalid)
        #expect(Scoring.score(Fixtures.numeric("1"), points: 1, response: .text("  ")).status == .unanswered)
    }

    @Test("multiple response: all-or-nothing and partial", arguments: [
        (PartialScoring.allOrNothing, ResponseValue.list(["A", "C"]), 100),
        (.allOrNothing, .text("A,C"), 100),
        (.allOrNothing, .text("CA"), 100),
        (.allOrNothing, .list(["A", "C", "C"]), 100),
        (.allOrNothing, .list(["A"]), 0),
        (.allOrNothing, .list(["A", "B", "C"]), 0),
        (.partial, .list(["A"]), 50),
        (.partial, .list(["A", "C"]), 100),
        (.partial, .list(["A", "B"]), 0),
        (.partial, .list(["A", "B", "C"]), 50),
        (.partial, .list(["B", "D"]), 0),
        (.partial, .list(["A", "Z"]), 0),
    ])
    func multiple(scoring: PartialScoring, response: ResponseValue, hundredths: Int) {
        let question = Fixtures.question(.multipleResponse(MultipleResponse(options: Fixtures.options, answers: ["a", "c"], scoring: scoring)))
        #expect(Scoring.score(question, points: 1, response: response).awarded == Points(hundredths: hundredths))
    }

    @Test("short text: NFC, case, spaces, alternatives, pattern")
    func shortText() {
        let question = Fixtures.question(.shortText(ShortText(answers: ["Hà Nội", "Ha Noi"], pattern: "thủ đô\\s+hà nội")))
        let decomposed = "Ha\u{300} Nô\u{323}i"  // "Hà Nội" written with combining marks
        for (input, right) in [("Hà Nội", true), ("  hà   nội ", true), (decomposed, true), ("HA NOI", true), ("Thủ đô  Hà Nội", true),
                               ("Hà Nam", false), ("Hà Nội đẹp", false)] {
            #expect(Scoring.score(question, points: 1, response: .text(input)).awarded == (right ? 1 : 0), "\(input)")
        }
        let strict = Fixtures.question(.shortText(ShortText(answers: ["pH"], caseSensitive: true)))
        #expect(Scoring.score(strict, points: 1, response: .text("pH")).awarded == 1)
        #expect(Scoring.score(strict, points: 1, response: .text("PH")).awarded == 0)
    }

    static let matching = Fixtures.question(.matching(Matching(
        premises: [Item(id: "p1", text: "Hà Nội"), Item(id: "p2", text: "Huế"), Item(id: "p3", text: "Sài Gòn")],
        choices: [Item(id: "c1", text: "Thủ đô"), Item(id: "c2", text: "Cố đô"), Item(id: "c3", text: "Thành phố Hồ Chí Minh"), Item(id: "c4", text: "Đà Lạt")],
        pairs: [Pair(premise: "p1", choice: "c1"), Pair(premise: "p2", choice: "c2"), Pair(premise: "p3", choice: "c3")])))

    @Test("matching: per pair, distractors, two premises on one choice", arguments: [
        (ResponseValue.map(["1": "A", "2": "B", "3": "C"]), 100),
        (.text("1-A, 2-B, 3-C"), 100),
        (.map(["1": "A", "2": "B"]), 67),
        (.map(["1": "A", "2": "A", "3": "A"]), 33),
        (.map(["1": "D", "2": "D", "3": "D"]), 0),
        (.map(["1": "A", "2": "B", "3": "C", "9": "A"]), 100),
        (.map(["1": "Z"]), 0),
        (.list(["A"]), 0),
    ])
    func matching(response: ResponseValue, hundredths: Int) {
        #expect(Scoring.score(Self.matching, points: 1, response: response).awarded == Points(hundredths: hundredths))
    }

    static func ordering(_ scoring: PartialScoring) -> Question {
        let items = ["w", "x", "y", "z"].map { Item(id: $0, text: "Bước \($0)") }
        // Shown as z, y, x, w (A=z, B=y, C=x, D=w); the right order is w, x, y, z = D, C, B, A.
        return Fixtures.question(.ordering(Ordering(items: Array(items.reversed()), order: ["w", "x", "y", "z"], scoring: scoring)))
    }

    @Test("ordering: all-or-nothing and per position", arguments: [
        (PartialScoring.allOrNothing, ResponseValue.list(["D", "C", "B", "A"]), 100),
        (.allOrNothing, .text("DCBA"), 100),
        (.allOrNothing, .text("D, C, B, A"), 100),
        (.allOrNothing, .list(["D", "C", "A", "B"]), 0),
        (.partial, .list(["D", "C", "A", "B"]), 50),
        (.partial, .list(["D"]), 25),
        (.partial, .list(["D", "D", "B", "A"]), 0),
        (.partial, .list(["D", "C", "B", "E"]), 0),
    ])
    func ordering(scoring: PartialScoring, response: ResponseValue, hundredths: Int) {
        #expect(Scoring.score(Self.ordering(scoring), points: 1, response: response).awarded == Points(hundredths: hundredths))
    }

    @Test("ordering: repeated items are invalid")
    func orderingRepeat() {
        #expect(Scoring.score(Self.ordering(.partial), points: 1, response: .list(["D", "D"])).status == .invalid)
    }

    @Test("cloze: each gap by its kind and weight")
    func cloze() {
        let question = Fixtures.question(.cloze(Cloze(
            text: "Thủ đô là {{1}}; $2 + 2 = $ {{2}}; màu của lá là {{3}}.",
            gaps: [
                Gap(id: "1", answer: .text(ShortText(answers: ["Hà Nội"]))),
                Gap(id: "2", weight: 2, answer: .numeric(NumericAnswer(answer: "4"))),
                Gap(id: "3", answer: .choice(options: [ChoiceOption(id: "r", text: "đỏ"), ChoiceOption(id: "g", text: "xanh")], answer: "g")),
            ])))
        #expect(Scoring.score(question, points: 1, response: .map(["1": "hà nội", "2": "4,0", "3": "B"])).awarded == 1)
        #expect(Scoring.score(question, points: 1, response: .map(["1": "Huế", "2": "4", "3": "A"])).awarded == Points(hundredths: 50))
        #expect(Scoring.score(question, points: 1, response: .map(["1": "Hà Nội"])).awarded == Points(hundredths: 25))
        #expect(Scoring.score(question, points: 1, response: .list(["Hà Nội", "4", "B"])).awarded == 1)
        #expect(Scoring.score(question, points: 1, response: .text("Hà Nội")).status == .invalid)
    }

    @Test("essay: pending until graded, unanswered when empty")
    func essay() {
        let question = Fixtures.question(.essay(Essay(rubric: "Nêu đủ ba ý")), points: 2)
        #expect(Scoring.score(question, points: 2, response: .text("Bài làm")).status == .pending)
        #expect(Scoring.score(question, points: 2, response: .text("Bài làm")).awarded == .zero)
        #expect(Scoring.score(question, points: 2, response: .text("")).status == .unanswered)
    }

    @Test("responses decode from every JSON shape; odd shapes become malformed, never an error")
    func responseDecoding() throws {
        let json = #"{"a":"B","b":0.5,"c":["A","C"],"d":{"a":"Đ","b":false},"e":null,"f":[["A"]],"g":{"x":{"y":1}},"h":true,"i":[1,2]}"#
        let decoded = try JSONDecoder().decode([String: ResponseValue].self, from: Data(json.utf8))
        #expect(decoded["a"] == .text("B"))
        #expect(decoded["b"] == .text("0.5"))
        #expect(decoded["c"] == .list(["A", "C"]))
        #expect(decoded["d"] == .map(["a": "Đ", "b": "false"]))
        #expect(decoded["e"] == .text(""))
        #expect(decoded["f"] == .malformed)
        #expect(decoded["g"] == .malformed)
        #expect(decoded["h"] == .text("true"))
        #expect(decoded["i"] == .list(["1", "2"]))
    }
}
