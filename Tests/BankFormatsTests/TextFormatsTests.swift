import Foundation
import Testing
@testable import BankFormats
import ExamCore

@Suite("Aiken and Azota text")
struct TextFormatsTests {
    static let math = QuestionDefaults(subject: "Toán", grade: 12, topic: "Hàm số")

    @Test("Aiken: questions, ANSWER lines, metadata from the command line")
    func aiken() throws {
        let text = """
        Thủ đô của Việt Nam là
        A. Huế
        B. Hà Nội
        C) Đà Nẵng
        ANSWER: B

        Sông nào dài nhất?
        A. Sông Hồng
        B. Sông Mê Kông
        ANSWER: B
        """
        let read = try AikenFormat.read(Data(text.utf8), context: Support.context("dia.txt", defaults: QuestionDefaults(subject: "Địa lí", topic: "Việt Nam", level: .recognition)))
        #expect(read.problems.isEmpty, "\(read.problems)")
        #expect(read.bank.questions.count == 2)
        guard case let .singleChoice(body) = read.bank.questions[0].body else { Issue.record("kind"); return }
        #expect(body.options.map(\.text) == ["Huế", "Hà Nội", "Đà Nẵng"])
        #expect(body.answer == "b")
    }

    @Test("Aiken: mistakes with their lines", arguments: [
        ("Q\nA. x\nB. y\n\nQ2\nA. a\nB. b\nANSWER: A\n", "a.txt:1: thiếu dòng ANSWER"),
        ("Q\nA. x\nB. y\nANSWER: E\n", "a.txt:4: ANSWER: E không phải"),
        ("Q\nA. x\nANSWER: A\n", "a.txt:1: cần ít nhất hai phương án"),
        ("Q\nA. x\nC. y\nB. z\nANSWER: A\n", "a.txt:3: phương án C không theo thứ tự"),
    ])
    func aikenMistakes(text: String, expected: String) throws {
        let read = try AikenFormat.read(Data(text.utf8), context: Support.context("a.txt", defaults: QuestionDefaults(subject: "x", topic: "y", level: .recognition)))
        #expect(read.problems.map(\.description).contains { $0.hasPrefix(expected) }, "\(read.problems)")
    }

    @Test("Azota text: parts, inline options, star keys, answer table by part, solutions, level tags")
    func azota() throws {
        let url = Support.fixtures.appendingPathComponent("formats/azota-toan.txt")
        let read = try BankReaders.read(url, defaults: Self.math)
        #expect(read.problems.isEmpty, "\(read.problems)")
        let q = read.bank.questions
        #expect(q.map(\.kind) == [.singleChoice, .singleChoice, .singleChoice, .trueFalse, .trueFalse, .numeric, .numeric])
        #expect(q.map(\.level) == [.recognition, .comprehension, .recognition, .comprehension, .application, .application, .application])
        #expect(q.map(\.keyText) == ["C", "B", "A", "ĐSĐS", "ĐĐSĐ", "8", "0,25"])
        guard case let .singleChoice(first) = q[0].body else { Issue.record("kind"); return }
        #expect(first.options.map(\.text) == ["0", "1", "2", "3"])
        #expect(q[0].explanation == "$y' = 3x^2 - 3$ có hai nghiệm đơn nên có 2 điểm cực trị.")
        #expect(q[3].explanation?.hasPrefix("$f'(x) = 2x - 2$") == true)
        #expect(q[5].points == Points(hundredths: 50), "Toán Part III is worth 0.5")
        // Stable ids: the same file gives the same ids.
        #expect(try BankReaders.read(url, defaults: Self.math).bank.questions.map(\.id) == q.map(\.id))
    }

    @Test("Azota text: every question without a key is named, with its line")
    func azotaMissingKeys() throws {
        let text = """
        Câu 1. Không có đáp án
        A. x
        B. y
        Câu 2. Mệnh đề thiếu khóa
        a) p
        b) q
        Câu 3. Trả lời ngắn thiếu đáp án
        Câu 4. Đáp án không phải phương án
        A. x
        B. y
        Đáp án: E
        Câu 5. Tốt
        *A. x
        B. y
        """
        let read = try AzotaFormat.read(Data(text.utf8), context: Support.context("de.txt", defaults: QuestionDefaults(subject: "Toán", topic: "T", level: .recognition)))
        let problems = read.problems.map(\.description)
        #expect(problems.contains { $0.hasPrefix("de.txt:1: Câu 1: chưa có đáp án") })
        #expect(problems.contains { $0.hasPrefix("de.txt:4: Câu 2: mệnh đề a chưa có Đ/S") })
        #expect(problems.contains { $0.hasPrefix("de.txt:7: Câu 3: câu trả lời ngắn chưa có") })
        #expect(problems.contains { $0.hasPrefix("de.txt:8: Câu 4: đáp án \"E\"") })
        #expect(read.bank.questions.count == 1)
    }

    @Test("format detection", arguments: [
        ("a.gift", "::q:: x {=a ~b}", BankFormat.gift),
        ("a.txt", "Q\nA. x\nB. y\nANSWER: A", .aiken),
        ("a.txt", "Câu 1. x\nA. y", .azota),
        ("a.yaml", "bank: x", .native),
        ("a.xml", "<?xml version='1.0'?><quiz>", .moodlexml),
        ("a.xml", "<assessmentItem xmlns='http://www.imsglobal.org/xsd/imsqti_v2p1'>", .qti),
        ("a.csv", "ID,Phần", .csv),
    ])
    func detection(name: String, text: String, format: BankFormat) {
        #expect(BankFormat.detect(fileName: name, data: Data(text.utf8)) == format)
    }
}

@Suite("Word (.docx) in the Azota layout")
struct DocxFormatTests {
    @Test("bold or underlined options are keys, bold statements are true, images become media, tables hold keys")
    func docx() throws {
        let url = Support.fixtures.appendingPathComponent("formats/azota-vatli.docx")
        let read = try BankReaders.read(url, defaults: QuestionDefaults(subject: "Vật lí", grade: 12, topic: "Vật lí nhiệt"))
        #expect(read.problems.isEmpty, "\(read.problems)")
        let q = read.bank.questions
        #expect(q.map(\.kind) == [.singleChoice, .singleChoice, .trueFalse, .numeric])
        #expect(q.map(\.keyText) == ["B", "B", "ĐSĐS", "84"])
        #expect(q[1].stem.contains("![](image1.png)"))
        #expect(read.media.map(\.name) == ["image1.png"])
        #expect(read.media.first?.mimeType == "image/png")
        #expect(q[1].explanation == "Hình vuông màu đỏ.")
    }

    @Test("a zip that is not Word, a zip bomb, and XML entities are refused with a reason")
    func hostile() throws {
        let notWord = try SafeZip.write([("hello.txt", Data("hi".utf8))])
        #expect(throws: BankFormatError.self) { try DocxFormat.read(notWord, context: Support.context("x.docx")) }
        let bomb = try SafeZip.write([("word/document.xml", Data(repeating: 0x20, count: 50_000_000))])
        do {
            _ = try DocxFormat.read(bomb, context: Support.context("bomb.docx"))
            Issue.record("a zip bomb must be refused")
        } catch let error as BankFormatError {
            #expect(error.code == .hostile)
        }
        let entities = Data("""
        <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><w:document><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>
        """.utf8)
        let withEntities = try SafeZip.write([("word/document.xml", entities)])
        do {
            _ = try DocxFormat.read(withEntities, context: Support.context("lol.docx"))
            Issue.record("entities must be refused")
        } catch let error as BankFormatError {
            #expect(error.code == .hostile)
        }
        #expect(throws: BankFormatError.self) { try DocxFormat.read(Data("not a zip".utf8), context: Support.context("x.docx")) }
    }
}
