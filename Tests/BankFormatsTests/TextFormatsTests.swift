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

    @Test("Azota text as teachers write it: table variants, per-part tables, Đ/S strings, solutions after the table, headings run into a line")
    func azotaTeachersGrammar() throws {
        let text = """
        SỞ GD&ĐT HÀ NỘI
        ĐỀ KIỂM TRA GIỮA KỲ I
        PHẦN I. Trắc nghiệm nhiều lựa chọn
        Câu 1. Một
        A. x  B. y  C. z  D. t
        Câu 2. Hai
        A. x  B. y  C. z  D. t
        Câu 3. Ba
        A. x  B. y  C. z  D. t
        Câu 4. Bốn
        A. x  B. y  C. z  D. t PHẦN II. Đúng sai
        Câu 1. Cụm một
        a) p
        b) q
        c) r
        d) s
        Câu 2. Cụm hai
        a) p
        b) q
        c) r
        d) s
        Phần III. Trả lời ngắn
        Câu 1. Số
        ĐÁP ÁN
        Phần I: 1-C 2.B
        3: A   Câu 4: D
        PHẦN II
        1-ĐĐSĐ  Câu 2: SSĐĐ
        Phần III: 1-0,5
        đây không phải đáp án
        LỜI GIẢI
        Phần I
        Câu 1. Vì z đúng.
        Câu 3. Vì x.
        Phần II
        Câu 2. Xét từng ý.
        Dòng hai của lời giải.
        Câu 9. Câu không có.
        """
        let read = try AzotaFormat.read(Data(text.utf8), context: Support.context("de.txt", defaults: QuestionDefaults(subject: "Toán", topic: "T", level: .recognition)))
        let q = read.bank.questions
        #expect(q.map(\.keyText) == ["C", "B", "A", "D", "ĐĐSĐ", "SSĐĐ", "0,5"], "\(read.problems)")
        #expect(q[0].explanation == "Vì z đúng.")
        #expect(q[1].explanation == nil)
        #expect(q[2].explanation == "Vì x.")
        #expect(q[5].explanation == "Xét từng ý.\nDòng hai của lời giải.")
        if case let .singleChoice(body) = q[3].body { #expect(body.options.map(\.text) == ["x", "y", "z", "t"], "the heading is cut off the option") }
        let problems = read.problems.map(\.description)
        #expect(problems.contains { $0.hasPrefix("de.txt:30: không đọc được dòng trong bảng đáp án") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("de.txt:38: lời giải của câu 9") }, "\(problems)")
        #expect(read.warnings.map(\.description).contains { $0.hasPrefix("de.txt:1: dòng 1–2 trước câu hỏi đầu tiên") }, "\(read.warnings)")
    }

    @Test("key table lines", arguments: [
        ("1-A 2-B", [1, 2]), ("1.A 2.B", [1, 2]), ("1: A 2 : B", [1, 2]), ("Câu 1: A Câu 2: B", [1, 2]), ("1-A, 2-B", [1, 2]),
        ("2a-Đ 2b-S", [2, 2]), ("1-ĐĐSĐ 2-SSĐĐ", [1, 2]), ("13-0,5 14. -1,2", [13, 14]),
    ])
    func keyTable(line: String, numbers: [Int]) {
        #expect(AzotaFormat.Patterns.tableEntries(line, inTable: false)?.map(\.number) == numbers)
    }

    @Test("prose is not a key table", arguments: ["1. Cho hàm số", "2-3", "Câu 1: A", "Năm 2024: tăng"])
    func notKeyTable(line: String) {
        #expect(AzotaFormat.Patterns.tableEntries(line, inTable: false) == nil)
    }

    @Test("a file without levels or topics imports, unclassified")
    func azotaUnclassified() throws {
        let read = try AzotaFormat.read(Data("Câu 1. x\n*A. a\nB. b\nCâu 2 [VD]. y\n*A. a\nB. b\n".utf8), context: Support.context("de.txt", defaults: QuestionDefaults(subject: "Toán")))
        #expect(read.problems.isEmpty)
        #expect(read.bank.questions.map(\.unclassified) == [true, true])
        #expect(read.bank.questions.map(\.topic) == [Question.unclassifiedTopic, Question.unclassifiedTopic])
        #expect(read.bank.questions[1].level == .application, "a level the file gives is kept")
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
