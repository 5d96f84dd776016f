import Foundation
import Testing
@testable import BankFormats
import ExamCore

@Suite("Moodle GIFT")
struct GIFTFormatTests {
    static let defaults = QuestionDefaults(subject: "Địa lí", grade: 10, topic: "Việt Nam", level: .recognition)

    static func read(_ text: String, defaults: QuestionDefaults = defaults) throws -> ImportedBank {
        try GIFTFormat.read(Data(text.utf8), context: Support.context("bank.gift", defaults: defaults))
    }

    @Test("every kind GIFT has")
    func kinds() throws {
        let read = try Self.read("""
        // comment
        ::q1:: Thủ đô của Việt Nam là? {=Hà Nội ~Huế ~Đà Nẵng ~TP. Hồ Chí Minh}

        ::q2:: Chọn các số nguyên tố {~%50%2 ~%50%3 ~%-100%4}

        ::q3:: Mặt Trời mọc ở hướng đông. {T}

        ::q4:: Trái Đất phẳng. {FALSE#Sai rồi}

        ::q5:: Sông dài nhất Việt Nam? {=sông Mê Kông =Mê Kông}

        ::q6:: Số pi (2 chữ số thập phân)? {#3.14:0.005}

        ::q7:: Một số từ 1 đến 5 {#1..5}

        ::q8:: Ghép {=Hà Nội -> Thủ đô =Huế -> Cố đô =Sài Gòn -> Thành phố lớn nhất}

        ::q9:: Viết đoạn văn về quê hương. {}

        ::q10:: Việt Nam có {=63 ~64 ~62} tỉnh thành (trước 2025).

        ::q11:: Dấu \\= và \\{ngoặc\\} và \\~ và \\#: giữ nguyên {=đúng ~sai ####Giải thích: escape \\: rõ}
        """)
        #expect(read.problems.isEmpty, "\(read.problems)")
        let kinds = read.bank.questions.map(\.kind)
        #expect(kinds == [.singleChoice, .multipleResponse, .trueFalse, .trueFalse, .shortText, .numeric, .numeric, .matching, .essay, .cloze, .singleChoice])
        let q = Dictionary(uniqueKeysWithValues: read.bank.questions.map { ($0.id, $0) })
        if case let .singleChoice(body) = q["q1"]?.body { #expect(body.options[body.options.firstIndex { $0.id == body.answer }!].text == "Hà Nội") }
        if case let .multipleResponse(body) = q["q2"]?.body { #expect(body.answers == ["a", "b"]) }
        if case let .trueFalse(body) = q["q4"]?.body { #expect(body.statements[0].isTrue == false) }
        if case let .numeric(body) = q["q6"]?.body { #expect(body.answer == "3.14" && body.tolerance == Decimal(string: "0.005")) }
        if case let .numeric(body) = q["q7"]?.body { #expect(body.answer == "3" && body.tolerance == 2) }
        if case let .matching(body) = q["q8"]?.body { #expect(body.premises.count == 3 && body.pairs.count == 3) }
        if case let .cloze(body) = q["q10"]?.body { #expect(body.text.contains("{{1}}")) }
        #expect(q["q11"]?.stem == "Dấu = và {ngoặc} và ~ và #: giữ nguyên")
        #expect(q["q11"]?.explanation == "Giải thích: escape : rõ")
        #expect(read.bank.questions.allSatisfy { $0.subject == "Địa lí" && $0.topic == "Việt Nam" })
    }

    @Test("categories set subject and topic; ids without titles are stable")
    func categories() throws {
        let text = """
        $CATEGORY: $course$/Toán/Hàm số

        Câu không tiêu đề {=a ~b}

        $CATEGORY: Toán/Tích phân/Nguyên hàm

        Câu khác {=a ~b}
        """
        let read = try Self.read(text, defaults: QuestionDefaults(level: .comprehension))
        #expect(read.problems.isEmpty, "\(read.problems)")
        #expect(read.bank.questions.map(\.topic) == ["Hàm số", "Tích phân"])
        #expect(read.bank.questions.map(\.subject) == ["Toán", "Toán"])
        #expect(read.bank.questions[1].lesson == "Nguyên hàm")
        #expect(try Self.read(text, defaults: QuestionDefaults(level: .comprehension)).bank.questions.map(\.id) == read.bank.questions.map(\.id))
        // Ids come from the content, never from the file's name: the same questions in another file get the same ids.
        #expect(read.bank.questions[0].id.hasPrefix("q-"))
        let renamed = try GIFTFormat.read(Data(text.utf8), context: Support.context("another-name.gift", defaults: QuestionDefaults(level: .comprehension)))
        #expect(renamed.bank.questions.map(\.id) == read.bank.questions.map(\.id))
    }

    @Test("mistakes give file:line and the rest is read", arguments: [
        ("::a:: no answers here\n", "bank.gift:1: thiếu khối đáp án"),
        ("\n\n::a:: open {=x ~y\n", "bank.gift:3: khối đáp án chưa đóng"),
        ("::a:: all wrong {~x ~y}\n", "bank.gift:1: không có đáp án đúng"),
        ("::a:: bad number {#abc}\n", "bank.gift:1: số \"abc\" không đọc được"),
        ("::a:: range {#5..1}\n", "bank.gift:1: khoảng số"),
    ])
    func mistakes(text: String, expected: String) throws {
        let read = try Self.read(text + "\n::ok:: fine {=a ~b}\n")
        #expect(read.problems.map(\.description).contains { $0.hasPrefix(expected) }, "\(read.problems)")
        #expect(read.bank.questions.map(\.id) == ["ok"])
    }

    @Test("without a level, subject or topic the questions are kept, marked unclassified under placeholders")
    func missingMetadata() throws {
        let read = try Self.read("::a:: x {=a ~b}\n$CATEGORY: Toán/Hàm số\n::b:: y {=a ~b}\n", defaults: QuestionDefaults())
        #expect(read.problems.isEmpty, "\(read.problems)")
        #expect(read.bank.questions.map(\.unclassified) == [true, true])
        #expect(read.bank.questions[0].topic == Question.unclassifiedTopic && read.bank.questions[0].subject == Question.unclassifiedTopic)
        #expect(read.bank.questions[1].topic == "Hàm số", "what the file says is kept")
        let leveled = try Self.read("$CATEGORY: Toán/Hàm số\n::b:: y {=a ~b}\n", defaults: QuestionDefaults(level: .application))
        #expect(leveled.bank.questions.map(\.unclassified) == [false])
    }

    @Test("native → GIFT → read gives the same questions for every kind GIFT holds")
    func roundTrip() throws {
        let bank = try Support.allKinds()
        let (text, skipped) = GIFTFormat.write(bank)
        #expect(skipped == ["tf-1", "tf-3", "txt-1", "order-1", "cloze-1"])
        let read = try GIFTFormat.read(Data(text.utf8), context: Support.context("x.gift", defaults: QuestionDefaults()))
        #expect(read.problems.isEmpty, "\(read.problems)\n\(text)")
        let original = Dictionary(uniqueKeysWithValues: bank.questions.map { ($0.id, Normalise.ids($0)) })
        for question in read.bank.questions {
            var expected = original[question.id]!
            expected.groupID = question.groupID
            #expect(Normalise.ids(question) == expected, "\(question.id)")
        }
        #expect(read.bank.questions.count + skipped.count == bank.questions.count)
    }
}

/// Formats without option ids give positional ones; compare questions with ids made positional.
enum Normalise {
    static func ids(_ question: Question) -> Question {
        var copy = question
        func options(_ options: [ChoiceOption]) -> ([ChoiceOption], [String: String]) {
            var map: [String: String] = [:]
            let renamed = options.enumerated().map { index, option -> ChoiceOption in
                map[option.id] = Labels.statement(index)
                return ChoiceOption(id: Labels.statement(index), text: option.text, locked: option.locked)
            }
            return (renamed, map)
        }
        switch question.body {
        case let .singleChoice(body):
            let (renamed, map) = options(body.options)
            copy.body = .singleChoice(SingleChoice(options: renamed, answer: map[body.answer] ?? body.answer))
        case let .multipleResponse(body):
            let (renamed, map) = options(body.options)
            copy.body = .multipleResponse(MultipleResponse(options: renamed, answers: body.answers.compactMap { map[$0] }.sorted(), scoring: body.scoring))
        case let .matching(body):
            let premises = body.premises.enumerated().map { Item(id: Labels.premise($0.offset), text: $0.element.text) }
            let choices = body.choices.enumerated().map { Item(id: Labels.statement($0.offset), text: $0.element.text) }
            let premiseMap = Dictionary(uniqueKeysWithValues: zip(body.premises.map(\.id), premises.map(\.id)))
            let choiceMap = Dictionary(uniqueKeysWithValues: zip(body.choices.map(\.id), choices.map(\.id)))
            copy.body = .matching(Matching(premises: premises, choices: choices, pairs: body.pairs.map { Pair(premise: premiseMap[$0.premise]!, choice: choiceMap[$0.choice]!) }, scoring: body.scoring))
        case let .ordering(body):
            let map = Dictionary(uniqueKeysWithValues: body.items.enumerated().map { ($0.element.id, Labels.premise($0.offset)) })
            copy.body = .ordering(Ordering(items: body.items.enumerated().map { Item(id: Labels.premise($0.offset), text: $0.element.text) }, order: body.order.map { map[$0]! }, scoring: body.scoring))
        case let .cloze(body):
            copy.body = .cloze(Cloze(text: body.text, gaps: body.gaps.map { gap in
                var gap = gap
                if case let .choice(gapOptions, answer) = gap.answer {
                    let (renamed, map) = options(gapOptions)
                    gap.answer = .choice(options: renamed, answer: map[answer] ?? answer)
                }
                return gap
            }))
        case let .trueFalse(body):
            copy.body = .trueFalse(TrueFalseCluster(statements: body.statements.enumerated().map { Statement(id: Labels.statement($0.offset), text: $0.element.text, isTrue: $0.element.isTrue) }, table: body.table, shuffleStatements: body.shuffleStatements))
        default: break
        }
        return copy
    }
}
