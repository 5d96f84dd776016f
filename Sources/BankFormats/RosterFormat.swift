import ExamCore
import Foundation

/// Class lists from CSV or XLSX: columns `Mã học sinh`, `Họ và tên` (or `Họ và tên đệm` + `Tên`),
/// `Ngày sinh` (dd/mm/yyyy, yyyy-mm-dd or an Excel date), `Lớp`; found by header in any order.
/// Every bad row is reported with its place; good rows are returned.
public enum RosterFormat {
    public static func read(_ url: URL) throws -> (entries: [RosterEntry], problems: [BankProblem]) {
        let data = try Data(contentsOf: url)
        guard data.count <= ImportLimits.maximumFileBytes else {
            throw BankFormatError(.tooLarge, place: url.lastPathComponent, "tệp quá lớn / file too large")
        }
        let name = url.lastPathComponent
        switch url.pathExtension.lowercased() {
        case "xlsx":
            let (sheet, rows, numbers) = try XLSXFormat.readFirstSheet(data, place: name)
            return read(rows: rows, rowNumbers: numbers) { row, column in "\(sheet)!\(XLSXFormat.columnName(column))\(row)" }
        case "csv", "txt":
            var bytes = data
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
            guard let text = String(data: bytes, encoding: .utf8) else {
                throw BankFormatError(.unreadable, place: name, "tệp không phải UTF-8; lưu lại bằng \"CSV UTF-8\" / not UTF-8")
            }
            let firstLine = text.prefix { $0 != "\n" }
            let delimiter: Character = [",", ";", "\t"].max { a, b in firstLine.filter { $0 == a }.count < firstLine.filter { $0 == b }.count } ?? ","
            let (rows, lines) = try CSVFormat.parse(text, delimiter: delimiter, fileName: name)
            let headers = rows.first ?? []
            return read(rows: rows, rowNumbers: lines) { line, column in "\(name):\(line)" + (column < headers.count ? " (\(headers[column]))" : "") }
        default:
            throw BankFormatError(.unsupported, place: name, "danh sách cần tệp .csv hoặc .xlsx / a class list must be .csv or .xlsx")
        }
    }

    /// One candidate typed in a form, checked by the same rules as a row of a class list; the problems name the
    /// field ("Ngày sinh: …").
    public static func entry(studentID: String, fullName: String, dateOfBirth: String?, className: String?) -> (RosterEntry?, [BankProblem]) {
        let headers = ["Mã học sinh", "Họ và tên", "Ngày sinh", "Lớp"]
        let (entries, problems) = read(rows: [headers, [studentID, fullName, dateOfBirth ?? "", className ?? ""]], rowNumbers: [1, 2]) { _, column in
            column < headers.count ? headers[column] : "?"
        }
        return (entries.first, problems)
    }

    enum Column: Hashable { case id, fullName, family, given, birth, className }

    static func column(_ header: String) -> Column? {
        switch TextFolding.fold(header).replacingOccurrences(of: " ", with: "") {
        case "mahocsinh", "mahs", "mahs.", "studentid", "id", "madinhdanh": return .id
        case "hovaten", "hoten", "fullname", "name": return .fullName
        case "hovatendem", "ho", "hodem", "familyname": return .family
        case "ten", "givenname": return .given
        case "ngaysinh", "dateofbirth", "birthday", "dob": return .birth
        case "lop", "class", "classname": return .className
        default: return nil
        }
    }

    static func read(rows: [[String]], rowNumbers: [Int], place: (Int, Int) -> String) -> ([RosterEntry], [BankProblem]) {
        guard let header = rows.first else { return ([], [BankProblem(place: place(1, 0), "danh sách trống / the list is empty")]) }
        var columns: [Column: Int] = [:]
        for (index, title) in header.enumerated() { if let column = column(title), columns[column] == nil { columns[column] = index } }
        var problems: [BankProblem] = []
        guard columns[.id] != nil, columns[.fullName] != nil || columns[.given] != nil else {
            return ([], [BankProblem(place: place(rowNumbers[0], 0), "dòng tiêu đề cần cột \"Mã học sinh\" và \"Họ và tên\" / the header needs \"Mã học sinh\" and \"Họ và tên\"")])
        }
        var entries: [RosterEntry] = []
        var seen: [String: Int] = [:]
        for (offset, row) in rows.enumerated().dropFirst() {
            let number = rowNumbers[offset]
            func value(_ column: Column) -> String? {
                guard let index = columns[column], index < row.count else { return nil }
                let text = TextFolding.collapseSpaces(row[index]).precomposedStringWithCanonicalMapping
                return text.isEmpty ? nil : text
            }
            if row.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            var rowProblems: [BankProblem] = []
            let id = value(.id)
            if id == nil { rowProblems.append(BankProblem(place: place(number, columns[.id]!), "thiếu mã học sinh / no student id")) }
            let name = value(.fullName) ?? [value(.family), value(.given)].compactMap { $0 }.joined(separator: " ")
            if name.isEmpty { rowProblems.append(BankProblem(place: place(number, columns[.fullName] ?? columns[.given]!), "thiếu họ và tên / no name")) }
            var birth: String?
            if let text = value(.birth) {
                if let iso = isoDate(text) { birth = iso } else {
                    rowProblems.append(BankProblem(place: place(number, columns[.birth]!), "ngày sinh \"\(text)\" không hợp lệ; ghi dd/mm/yyyy / date of birth must be dd/mm/yyyy"))
                }
            }
            if let id, let first = seen[id] {
                rowProblems.append(BankProblem(place: place(number, columns[.id]!), "mã học sinh \"\(id)\" trùng với dòng \(first) / student id repeats row \(first)"))
            }
            guard rowProblems.isEmpty, let id else { problems += rowProblems; continue }
            seen[id] = number
            entries.append(RosterEntry(studentID: id, fullName: name, dateOfBirth: birth, className: value(.className)))
        }
        return (entries, problems)
    }

    /// "05/09/2008", "5-9-2008", "2008-09-05", or an Excel serial day number → "2008-09-05"; nil if invalid.
    public static func isoDate(_ text: String) -> String? {
        let parts: [Int]
        var dayFirst = true
        if let serial = Double(text), !text.contains("/"), !text.contains("-"), serial > 10_000, serial < 80_000 {
            // Excel counts days from 1899-12-30.
            let date = Date(timeIntervalSince1970: (serial.rounded(.down) - 25_569) * 86_400)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let c = calendar.dateComponents([.year, .month, .day], from: date)
            parts = [c.day!, c.month!, c.year!]
        } else {
            let numbers = text.split(whereSeparator: { $0 == "/" || $0 == "-" || $0 == "." }).compactMap { Int($0) }
            guard numbers.count == 3 else { return nil }
            if numbers[0] > 31 { dayFirst = false }
            parts = dayFirst ? numbers : [numbers[2], numbers[1], numbers[0]]
        }
        let (day, month, year) = (parts[0], parts[1], parts[2])
        guard (1900...2100).contains(year), (1...12).contains(month) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: day)),
              calendar.component(.day, from: date) == day else { return nil }
        return String(format: "%04d-%02d-%02d", year, month, day)
    }
}
