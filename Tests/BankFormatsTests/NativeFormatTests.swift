import Foundation
import Testing
@testable import BankFormats
import ExamCore

@Suite("Native YAML format")
struct NativeFormatTests {
    @Test("every field of every kind round-trips through YAML")
    func roundTrip() throws {
        let bank = try Support.allKinds()
        let yaml = try NativeFormat.write(bank)
        let read = try NativeFormat.read(Support.data(yaml), context: Support.context())
        #expect(read.problems.isEmpty, "\(read.problems)")
        #expect(read.bank.questions == bank.questions)
        #expect(read.bank.groups == bank.groups)
        #expect(read.bank.name == bank.name)
        // And writing again gives the same text (stable diffs).
        #expect(try NativeFormat.write(read.bank) == yaml)
    }

    @Test("tricky text survives: LaTeX backslashes, colons, quotes, leading spaces, null-like words, empty")
    func trickyText() throws {
        var bank = try Support.allKinds()
        let tricky = ["\\frac{1}{2}: $x$ # not a comment", "\"quoted\" and 'single'", "  leading", "null", "~", "yes", "- dash", "[x]", "{y}", "a\nb\n\n  c", "*star", "&amp", "%", "@", "`tick`", "Đúng: sai", "1,5"]
        for (index, text) in tricky.enumerated() {
            var question = bank.questions[0]
            question.id = "tricky-\(index)"
            question.stem = text
            question.explanation = text
            bank.questions.append(question)
        }
        let read = try NativeFormat.read(Support.data(try NativeFormat.write(bank)), context: Support.context())
        #expect(read.problems.isEmpty, "\(read.problems)")
        #expect(read.bank.questions == bank.questions)
    }

    @Test("a hand-written file: defaults, inferred kinds, labels as answers")
    func handWritten() throws {
        let yaml = """
        bank: Vật lí 12 — chương 1
        subject: Vật lí
        grade: 12
        questions:
          - id: vl-1
            topic: Vật lí nhiệt
            level: Nhận biết
            stem: Đơn vị của nhiệt dung riêng là
            options:
              - J/kg
              - J/(kg.K)
              - J.K
              - kg/J
            answer: B
          - id: vl-2
            topic: Vật lí nhiệt
            level: Thông hiểu
            stem: Xét tính đúng sai.
            statements:
              - text: Nước sôi ở 100 °C ở áp suất 1 atm.
                answer: Đ
              - text: Nhiệt độ tuyệt đối có thể âm.
                answer: S
              - text: 0 °C = 273 K.
                answer: Đúng
              - text: Nhiệt lượng đo bằng J.
                answer: Đ
          - id: vl-3
            kind: numeric
            topic: Vật lí nhiệt
            level: Vận dụng
            points: 0.25
            stem: Nhiệt lượng (kJ) cần để đun 1 kg nước tăng 10 °C ($c = 4200$ J/(kg.K)) là bao nhiêu?
            answer: "42"
        """
        let read = try NativeFormat.read(Support.data(yaml), context: Support.context())
        #expect(read.problems.isEmpty, "\(read.problems)")
        #expect(read.bank.questions.map(\.kind) == [.singleChoice, .trueFalse, .numeric])
        #expect(read.bank.questions.allSatisfy { $0.subject == "Vật lí" && $0.grade == 12 })
        guard case let .singleChoice(choice) = read.bank.questions[0].body else { Issue.record("kind"); return }
        #expect(choice.answer == "b")
        guard case let .trueFalse(tf) = read.bank.questions[1].body else { Issue.record("kind"); return }
        #expect(tf.statements.map(\.isTrue) == [true, false, true, true])
    }

    @Test("mistakes are reported as file:line with what to fix, and only the broken questions are left out")
    func mistakes() throws {
        let yaml = """
        bank: Lỗi
        subject: Toán
        questions:
          - id: ok-1
            topic: Hàm số
            level: biet
            stem: Đúng
            options: [a, b]
            answer: A
          - id: bad-level
            topic: Hàm số
            level: rất khó
            stem: x
            options: [a, b]
            answer: A
          - id: bad-answer
            topic: Hàm số
            level: biet
            stem: x
            options: [a, b]
            answer: E
          - id: bad-numeric
            kind: numeric
            topic: Hàm số
            level: biet
            stem: x
            answer: "12,345"
          - topic: Hàm số
            level: biet
            stem: no id
            options: [a, b]
            answer: A
          - id: ok-1
            topic: Hàm số
            level: biet
            stem: duplicate
            options: [a, b]
            answer: A
        """
        let read = try NativeFormat.read(Support.data(yaml), context: Support.context("loi.yaml"))
        #expect(read.bank.questions.map(\.id) == ["ok-1"])
        let text = read.problems.map(\.description).joined(separator: "\n")
        #expect(text.contains("loi.yaml:12: mức độ \"rất khó\" không có"))
        #expect(text.contains("loi.yaml:21: đáp án phải là nhãn A–B"))
        #expect(text.contains("loi.yaml:22: đáp án \"12,345\" không ghi được vào ô"))
        #expect(text.contains("loi.yaml:28: thiếu id"))
        #expect(text.contains("loi.yaml:33: mã câu hỏi \"ok-1\" lặp lại"))
        #expect(read.skipped == 5)
    }

    @Test("not YAML, not a bank, hostile: a clear error and nothing read", arguments: [
        ("questions: [a, b\n", "YAML không hợp lệ"),
        ("- just\n- a list\n", "cần một ngân hàng"),
        ("bank: x\n", "thiếu danh sách questions"),
        (NativeFormatTests.billionLaughs, "quá nhiều phần tử"),
        (String(repeating: "[", count: 200) + String(repeating: "]", count: 200), "lồng quá sâu"),
        ("khaothi: 99\nbank: x\nquestions: []\n", "phiên bản 99"),
    ])
    func refused(yaml: String, expected: String) {
        do {
            _ = try NativeFormat.read(Support.data(yaml), context: Support.context())
            Issue.record("should be refused")
        } catch let error as BankFormatError {
            #expect(error.message.contains(expected), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    /// Nine levels of ten aliases each: 10⁹ nodes if expanded.
    static let billionLaughs: String = {
        var lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
        for level in 1...9 { lines.append("l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ") + "]") }
        return lines.joined(separator: "\n") + "\nquestions: []\n"
    }()

    @Test("images beside the bank are read; missing and escaping ones are problems")
    func images() throws {
        let yaml = """
        bank: Ảnh
        subject: Toán
        questions:
          - id: img-1
            topic: Hình học
            level: biet
            stem: "Quan sát hình ![Hình lập phương](images/cube.svg)"
            options: [a, b]
            answer: A
          - id: img-2
            topic: Hình học
            level: biet
            stem: "![x](missing.png) và ![y](../etc/passwd)"
            options: [a, b]
            answer: A
        """
        let read = try NativeFormat.read(Support.data(yaml), context: Support.context())
        #expect(read.media.map(\.name) == ["images/cube.svg"])
        #expect(read.media.first?.mimeType == "image/svg+xml")
        #expect(read.media.first?.sha256.count == 64)
        let text = read.problems.map(\.description).joined(separator: "\n")
        #expect(text.contains("không tìm thấy ảnh \"missing.png\""))
        #expect(text.contains("phải nằm cạnh tệp ngân hàng"))
    }
}
