import BankFormats
import ExamCore
import Foundation
import Testing

/// Questions with more options, pairs or statements than labels exist (A–Z): every reader refuses them with
/// a problem in its place, none crashes.
@Suite("27 or more options: a clear problem in every reader, never a crash")
struct LongListTests {
    static let count = 30
    static let numbers = Array(1...count)

    static let files: [(name: String, format: BankFormat, text: String)] = [
        ("many.yaml", .native, """
            name: Nhiều
            subject: Toán
            questions:
            - id: q1
              kind: single-choice
              topic: T
              level: nhan-biet
              stem: Chọn một
              options:
            \(numbers.map { "  - Phương án \($0)" }.joined(separator: "\n"))
              answer: A
            - id: q2
              kind: matching
              topic: T
              level: nhan-biet
              stem: Ghép
              premises: [\(numbers.map { "\"p\($0)\"" }.joined(separator: ", "))]
              choices: [\(numbers.map { "\"c\($0)\"" }.joined(separator: ", "))]
              pairs: {1: A}
            - id: q3
              kind: ordering
              topic: T
              level: nhan-biet
              stem: Xếp
              items: [\(numbers.map { "\"m\($0)\"" }.joined(separator: ", "))]
            """),
        ("many.json", .json, """
            {"name": "Nhiều", "questions": [{"id": "q1", "kind": "single-choice", "subject": "Toán", "topic": "T", "level": "nhan-biet", "points": 0.25,
             "stem": "Chọn", "options": [\(numbers.map { "{\"id\": \"o\($0)\", \"text\": \"x\($0)\"}" }.joined(separator: ", "))], "answer": "o1"}]}
            """),
        ("many.gift", .gift, """
            ::Q1:: Chọn một {=đúng \(numbers.dropFirst().map { "~sai \($0)" }.joined(separator: " "))}

            ::Q2:: Ghép {\(numbers.map { "=p\($0) -> c\($0)" }.joined(separator: " "))}

            ::Q3:: Chọn đúng {=a ~b ~c ~d ~e ~f ~g ~h ~i ~j}
            """),
        ("many.txt", .aiken, """
            Chọn một?
            \((0..<26).map { "\(Labels.option($0)). Phương án \($0)" }.joined(separator: "\n"))
            ANSWER: A
            """),
        ("many-azota.txt", .azota, """
            Câu 1. Chọn một?
            \((0..<26).map { "\(Labels.option($0)). Phương án \($0)" }.joined(separator: "\n"))
            Đáp án: 1-A
            """),
        ("many.xml", .moodlexml, """
            <?xml version="1.0" encoding="UTF-8"?>
            <quiz>
            <question type="multichoice"><name><text>Q1</text></name><questiontext format="html"><text>Chọn</text></questiontext>
            \(numbers.map { "<answer fraction=\"\($0 == 1 ? 100 : 0)\"><text>x\($0)</text></answer>" }.joined())
            </question>
            <question type="matching"><name><text>Q2</text></name><questiontext format="html"><text>Ghép</text></questiontext>
            \(numbers.map { "<subquestion><text>p\($0)</text><answer><text>c\($0)</text></answer></subquestion>" }.joined())
            </question>
            </quiz>
            """),
        ("many-qti.xml", .qti, """
            <?xml version="1.0" encoding="UTF-8"?>
            <assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="q1" title="Q1" adaptive="false" timeDependent="false">
            <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier"><correctResponse><value>C1</value></correctResponse></responseDeclaration>
            <itemBody><choiceInteraction responseIdentifier="RESPONSE" maxChoices="1"><prompt>Chọn</prompt>
            \(numbers.map { "<simpleChoice identifier=\"C\($0)\">x\($0)</simpleChoice>" }.joined())
            </choiceInteraction></itemBody></assessmentItem>
            """),
    ]

    @Test("each reader reports the question with its place and reads on", arguments: files.map(\.name))
    func refused(_ name: String) throws {
        let file = Self.files.first { $0.name == name }!
        let defaults = QuestionDefaults(subject: "Toán", topic: "T", level: .recognition)
        let read: ImportedBank
        do {
            read = try BankReaders.read(Data(file.text.utf8), format: file.format, context: ImportContext(fileName: name, defaults: defaults))
        } catch let error as BankFormatError {
            // A whole-file refusal is a clear error too.
            #expect(error.description.contains(name))
            return
        }
        let long = read.bank.questions.filter { question in
            switch question.body {
            case let .singleChoice(body): body.options.count > Labels.maximumOptions
            case let .multipleResponse(body): body.options.count > Labels.maximumOptions
            case let .matching(body): body.choices.count > Labels.limit || body.premises.count > Labels.limit
            case let .ordering(body): body.items.count > Labels.limit
            default: false
            }
        }
        #expect(long.isEmpty, "no question beyond the labels is accepted")
        #expect(!read.problems.isEmpty)
        #expect(read.problems.allSatisfy { $0.place.hasPrefix(name) }, "\(read.problems)")
    }

    @Test("labels past Z are never a crash")
    func labels() {
        #expect(Labels.option(25) == "Z" && Labels.statement(25) == "z")
        #expect(Labels.option(26) == "#27" && Labels.statement(40) == "#41" && Labels.option(-1) == "#0")
    }
}
