@testable import BankFormats
import ExamCore
import Foundation
import Testing

@Suite("Formula-safe CSV and XLSX")
struct FormulaGuardTests {
    @Test("cells a spreadsheet would run are neutralised; numbers keep their sign", arguments: [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"), ("=HYPERLINK(\"http://x\",\"bấm\")", "'=HYPERLINK(\"http://x\",\"bấm\")"), ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("-12", "-12"), ("-0,5", "-0,5"), ("+3", "+3"),
        ("2.75", "2.75"), ("Nguyễn Văn An", "Nguyễn Văn An"), ("", ""), ("-", "'-"),
    ])
    func guarded(_ text: String, _ written: String) {
        #expect(FormulaGuard.guarded(text) == written)
        #expect(FormulaGuard.unguard(written) == text, "our own files read back as written")
    }

    @Test("CSV: a hostile cell is written neutralised and reads back as it was; the XLSX body style keeps text as text")
    func roundTrip() throws {
        let rows = [["Họ và tên", "Điểm"], ["=cmd|' /C calc'!A0", "-0,5"], ["@SUM(1,2)", "7,25"]]
        let data = CSVFormat.write(rows: rows)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("'=cmd|' /C calc'!A0") && text.contains("\"'@SUM(1,2)\"") && text.contains(",\"-0,5\""))
        let (read, _) = try CSVFormat.parse(String(text.dropFirst()), delimiter: ",", fileName: "x.csv")
        #expect(read == rows)
        let semicolons = String(decoding: CSVFormat.write(rows: rows, separator: ";"), as: UTF8.self)
        #expect(semicolons.contains("Họ và tên;Điểm"))
        let xlsx = try XLSXFormat.write(rows: rows)
        let zip = try SafeZip(data: xlsx, place: "x.xlsx")
        #expect(String(decoding: try zip.data("xl/styles.xml") ?? Data(), as: UTF8.self).contains("quotePrefix=\"1\""))
    }
}
