import ExamCore
import ExamStore
import Foundation

public enum FileNames {
    /// A file-name-safe, diacritic-free version of a label ("Ca 1 – P101" → "ca-1-p101").
    public static func safe(_ text: String) -> String {
        TextFolding.fold(text).map { $0.isLetter || $0.isNumber ? $0 : "-" }.reduce(into: "") { out, c in
            if c == "-" && (out.isEmpty || out.hasSuffix("-")) { return }
            out.append(c)
        }.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }
}

/// Login slips (phiếu đăng nhập) to print: an A4 page per room of an exam, two columns, with cut lines.
/// Everything shown is escaped.
public enum LoginSlips {
    /// Writes one page per session and room into `directory`, named after the exam, the session and the room so
    /// that two exams never overwrite each other's slips; with `json`, every slip (with its access code) too.
    /// Returns the pages written.
    public static func write(_ slips: [LoginSlip], exam: String, to directory: String, json: String? = nil) throws -> [String] {
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            let url = URL(fileURLWithPath: json)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try encoder.encode(slips.sorted { $0.sbd < $1.sbd }).write(to: url, options: .atomic)
        }
        let url = URL(fileURLWithPath: directory, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        var written: [String] = []
        let byRoom = Dictionary(grouping: slips, by: { "\($0.session) – \($0.room)" })
        for key in byRoom.keys.sorted() {
            let roomSlips = byRoom[key]!.sorted { $0.sbd < $1.sbd }
            let file = url.appendingPathComponent("phieu-\(FileNames.safe(exam))-\(FileNames.safe(key)).html")
            try Data(html(exam: exam, title: key, slips: roomSlips).utf8).write(to: file, options: .atomic)
            written.append(file.path)
        }
        return written
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// One page of slips.
    public static func html(exam: String, title: String, slips: [LoginSlip]) -> String {
        let time = DateFormatter()
        time.locale = Locale(identifier: "vi_VN")
        time.dateFormat = "HH:mm 'ngày' dd/MM/yyyy"
        let cards = slips.map { slip in
            """
            <section class="slip">
              <h2>\(escape(exam))</h2>
              <p class="who"><b>\(escape(slip.fullName))</b>\(slip.className.map { " · Lớp \(escape($0))" } ?? "")\(slip.dateOfBirth.map { " · \(escape($0))" } ?? "")</p>
              <table>
                <tr><th>Số báo danh</th><td class="big">\(escape(slip.sbd))</td></tr>
                <tr><th>Mã truy cập</th><td class="big code">\(escape(slip.accessCode))</td></tr>
                <tr><th>Phòng · Ca</th><td>\(escape(slip.room)) · \(escape(slip.session)), \(escape(time.string(from: slip.opensAt)))</td></tr>
                <tr><th>Mã học sinh</th><td>\(escape(slip.studentID))</td></tr>
              </table>
              <p class="note">Không cho người khác xem mã truy cập. / Keep your access code private.</p>
            </section>
            """
        }.joined(separator: "\n")
        return """
        <!doctype html>
        <html lang="vi"><head><meta charset="utf-8"><title>Phiếu đăng nhập — \(escape(title))</title>
        <style>
        @page { size: A4; margin: 10mm; }
        body { font-family: "Times New Roman", serif; margin: 0; }
        h1 { font-size: 14pt; margin: 0 0 4mm; }
        .sheet { display: grid; grid-template-columns: 1fr 1fr; gap: 0; }
        .slip { border: 1px dashed #777; padding: 4mm; break-inside: avoid; }
        .slip h2 { font-size: 11pt; margin: 0 0 2mm; }
        .slip table { border-collapse: collapse; width: 100%; }
        .slip th { text-align: left; font-weight: normal; width: 32mm; padding: 1mm 0; }
        .big { font-size: 15pt; font-weight: bold; letter-spacing: 1px; }
        .code { font-family: "DejaVu Sans Mono", monospace; }
        .note { font-size: 8pt; margin: 2mm 0 0; }
        </style></head>
        <body><h1>Phiếu đăng nhập — \(escape(title)) (\(slips.count) thí sinh)</h1>
        <div class="sheet">
        \(cards)
        </div></body></html>

        """
    }
}
