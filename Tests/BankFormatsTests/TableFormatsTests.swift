import Foundation
import Testing
@testable import BankFormats
import ExamCore

@Suite("CSV and XLSX")
struct TableFormatsTests {
    @Test("a workbook made by a spreadsheet program: shared strings, numbers, places as Sheet!C12")
    func excel() throws {
        let read = try BankReaders.read(Support.fixtures.appendingPathComponent("formats/lichsu-excel.xlsx"))
        #expect(read.bank.questions.map(\.id) == ["ls12-001", "ls12-002"])
        #expect(read.bank.questions.map(\.keyText) == ["B", "ĐSĐS"])
        #expect(read.bank.questions[0].points == Points(hundredths: 25))
        #expect(read.bank.questions[0].grade == 12)
        let problems = read.problems.map(\.description)
        #expect(problems.contains { $0.hasPrefix("Ngân hàng!H4: mức độ \"rất khó\" không có") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("Ngân hàng!D5: lớp \"lớp 13\" không hợp lệ") })
        #expect(problems.contains { $0.hasPrefix("Ngân hàng!N5: đáp án \"E\" không phải nhãn phương án") })
        #expect(read.skipped == 2)
    }

    @Test("native → XLSX → read and native → CSV → read keep every question the table can hold")
    func roundTrip() throws {
        let bank = try Support.allKinds()
        let (rows, skipped) = TableFormat.rows(bank)
        #expect(skipped == ["txt-1", "match-1", "order-1", "cloze-1"])
        for (format, data) in [(BankFormat.xlsx, try XLSXFormat.write(rows: rows)), (.csv, CSVFormat.write(rows: rows))] {
            let read = try BankReaders.read(data, format: format, context: Support.context("bank.\(format.rawValue)"))
            #expect(read.problems.isEmpty, "\(format): \(read.problems)")
            let original = Dictionary(uniqueKeysWithValues: bank.questions.map { ($0.id, Normalise.ids($0)) })
            for question in read.bank.questions {
                var expected = original[question.id]!
                // The table has no column for these; the table reader makes its own choices.
                expected.groupID = nil
                expected.shuffleOptions = question.shuffleOptions
                if case var .trueFalse(body) = expected.body { body.shuffleStatements = false; if body.statements.count != 4 { body.table = AzotaFormat.Parser.table(for: body.statements.count) }; expected.body = .trueFalse(body) }
                if case var .numeric(body) = expected.body { body.alternatives = []; body.tolerance = nil; expected.body = .numeric(body) }
                if case var .multipleResponse(body) = expected.body { body.scoring = .allOrNothing; expected.body = .multipleResponse(body) }
                if case let .singleChoice(body) = expected.body { expected.body = .singleChoice(SingleChoice(options: body.options.map { ChoiceOption(id: $0.id, text: $0.text) }, answer: body.answer)) }
                #expect(Normalise.ids(question) == expected, "\(format) \(question.id)")
            }
            #expect(read.bank.questions.count == bank.questions.count - skipped.count)
        }
    }

    @Test("the template reads back as three good questions")
    func template() throws {
        for (format, data) in [(BankFormat.xlsx, try XLSXFormat.write(rows: TableFormat.templateRows())), (.csv, CSVFormat.write(rows: TableFormat.templateRows()))] {
            let read = try BankReaders.read(data, format: format, context: Support.context("mau.\(format.rawValue)"))
            #expect(read.problems.isEmpty, "\(read.problems)")
            #expect(read.bank.questions.map(\.kind) == [.singleChoice, .trueFalse, .numeric])
        }
    }

    @Test("CSV: semicolons, quotes over several lines, BOM, and errors with line and column")
    func csv() throws {
        let text = "\u{FEFF}ID;Phần;Môn;Chủ đề;Mức độ;Nội dung;A;B;Đáp án\n" +
            "q1;I;Toán;Hàm số;Biết;\"Câu có\n\"\"ngoặc\"\" và ; chấm phẩy\";x;y;A\n" +
            "q2;I;Toán;Hàm số;;Thiếu mức độ;x;y;B\n" +
            "q3;III;Toán;Hàm số;VD;Số;;;12345\n"
        let read = try CSVFormat.read(Data(text.utf8), context: Support.context("bank.csv"))
        #expect(read.bank.questions.map(\.id) == ["q1", "q2", "q3"], "a number too long for the boxes is kept, without the box rule")
        #expect(read.bank.questions.map(\.unclassified) == [false, true, false], "a row without a level is kept, unclassified")
        #expect(read.bank.questions.first?.stem == "Câu có\n\"ngoặc\" và ; chấm phẩy")
        let problems = read.problems.map(\.description)
        #expect(problems.isEmpty, "\(problems)")
        #expect(throws: BankFormatError.self) { try CSVFormat.read(Data("ID,Nội dung\nq,\"never closed\n".utf8), context: Support.context("bad.csv")) }
        #expect(throws: BankFormatError.self) { try CSVFormat.read(Data([0xFF, 0xFE, 0x00]), context: Support.context("utf16.csv")) }
    }

    @Test("column letters", arguments: [(0, "A"), (25, "Z"), (26, "AA"), (27, "AB"), (701, "ZZ"), (702, "AAA")])
    func columns(index: Int, name: String) {
        #expect(XLSXFormat.columnName(index) == name)
        #expect(XLSXFormat.columnIndex(name + "12") == index)
    }
}
