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

    /// The item analysis as a sheet: the test's figures, then one question a row.
    public static func itemAnalysis(_ statistics: ExamStatistics) -> (rows: [[String]], numericColumns: Set<Int>) {
        func n(_ value: Double?, _ digits: Int = 4) -> String {
            value.map { String(format: "%.\(digits)f", $0).replacingOccurrences(of: ".", with: ",") } ?? ""
        }
        let t = statistics.test
        var rows: [[String]] = [
            ["Câu", "Mã câu hỏi", "Dạng", "Điểm tối đa", "Số bài", "Độ khó (facility)", "Độ lệch chuẩn", "Độ phân biệt", "Hiệu quả phân biệt", "Cảnh báo"],
        ]
        for question in statistics.questions {
            let s = question.statistics
            rows.append([question.keys.joined(separator: ", "), question.questionID, question.kind.rawValue, question.maximum.formatted(decimalMark: ","),
                         String(s.count), n(s.facility), n(s.standardDeviation), n(s.discrimination), n(s.discriminativeEfficiency),
                         question.flags.joined(separator: "; ")])
        }
        rows += [[], ["Số bài", String(t.count)], ["Bài chờ chấm (không tính)", String(statistics.pendingLeftOut)], ["Điểm trung bình", n(t.mean)],
                 ["Trung vị", n(t.median)], ["Yếu vị", n(t.mode)], ["Độ lệch chuẩn", n(t.standardDeviation)], ["Hệ số alpha", n(t.alpha)],
                 ["Tỉ số sai số", n(t.errorRatio)], ["Sai số chuẩn", n(t.standardError)]]
        return (rows, [1, 3, 4, 5, 6, 7, 8])
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
    public static func fileName(exam: String, extension ext: String, prefix: String = "diem") -> String {
        "\(prefix)-\(exam.unicodeScalars.map { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) ? String($0) : "-" }.joined()).\(ext)"
    }
}
