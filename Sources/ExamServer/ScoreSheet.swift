import BankFormats
import ExamCore
import ExamStore
import Foundation

/// Score sheets as schools open them (the staff page's download and `khaothi exam results`).
public enum ScoreSheet {
    /// The results as Excel opens them: CSV in UTF-8 with a BOM, decimal comma.
    public static func csv(_ rows: [ResultRow]) -> Data {
        let header = ["SBD", "Mã học sinh", "Họ và tên", "Lớp", "Phòng", "Mã đề", "Điểm"]
        return CSVFormat.write(rows: [header] + rows.map {
            [$0.sbd ?? "", $0.studentID, $0.fullName, $0.className ?? "", $0.room ?? "", $0.paperCode ?? "", $0.score?.formatted(decimalMark: ",") ?? ""]
        })
    }

    /// "diem-Thi-thu.csv": the exam's name in ASCII letters and digits, for a download.
    public static func fileName(exam: String, extension ext: String) -> String {
        "diem-\(exam.unicodeScalars.map { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) ? String($0) : "-" }.joined()).\(ext)"
    }
}
