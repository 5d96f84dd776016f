import BankFormats
import ExamCore
import ExamStore
import Foundation

/// Score sheets as schools open them (the staff page's download and `khaothi exam results`).
public enum ScoreSheet {
    /// The results as a table: one candidate a row, part scores, the total and its state (a pending total says
    /// so on its own row: "chờ chấm (điểm tạm tính)").
    public static func table(_ rows: [ResultRow]) -> (rows: [[String]], numericColumns: Set<Int>) {
        let parts = rows.lazy.compactMap(\.parts).first?.map(\.id) ?? []
        let header = ["SBD", "Mã học sinh", "Họ và tên", "Lớp", "Phòng", "Ca thi", "Mã đề"] + parts.map { "Phần \($0)" } + ["Điểm", "Trạng thái", "Người chấm"]
        let body = rows.map { row -> [String] in
            let partScores = parts.map { id in row.parts?.first { $0.id == id }?.awarded.formatted(decimalMark: ",") ?? "" }
            return [row.sbd ?? "", row.studentID, row.fullName, row.className ?? "", row.room ?? "", row.session ?? "", row.paperCode ?? ""] + partScores
                + [row.score?.formatted(decimalMark: ",") ?? "", row.state.vietnamese, row.graders.joined(separator: ", ")]
        }
        return ([header] + body, Set(7..<(8 + parts.count)))
    }

    /// The results as Excel opens them: CSV in UTF-8 with a BOM, decimal comma, `,` or `;` between fields.
    public static func csv(_ rows: [ResultRow], separator: Character = ",") -> Data {
        CSVFormat.write(rows: table(rows).rows, separator: separator)
    }

    /// The results as a workbook: scores are numbers with two decimals, text stays text.
    public static func xlsx(_ rows: [ResultRow], exam: String) throws -> Data {
        let (table, numeric) = table(rows)
        return try XLSXFormat.write(rows: [["Kết quả: \(exam)"], []] + table, sheetName: "Kết quả", headerRow: 2,
                                    numericColumns: numeric)
    }

    /// "diem-Thi-thu.csv": the exam's name in ASCII letters and digits, for a download.
    public static func fileName(exam: String, extension ext: String) -> String {
        "diem-\(exam.unicodeScalars.map { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) ? String($0) : "-" }.joined()).\(ext)"
    }
}
