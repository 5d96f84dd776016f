import ExamCore
import Foundation

/// CSV in the table layout of `TableFormat`: UTF-8 (a BOM is fine), `,` `;` or tab between fields (the one in
/// the header row), quotes as RFC 4180, fields over several lines allowed. Places are `file.csv:LINE (Column)`.
public enum CSVFormat {
    public static func read(_ data: Data, context: ImportContext) throws -> ImportedBank {
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        guard let text = String(data: bytes, encoding: .utf8) else {
            throw BankFormatError(.unreadable, place: context.fileName, "tệp không phải UTF-8; lưu lại bằng \"CSV UTF-8\" / not UTF-8: save as \"CSV UTF-8\"")
        }
        let firstLine = text.prefix { $0 != "\n" && $0 != "\r\n" }
        // The delimiter is whichever of , ; tab the header row uses most (Excel in some locales writes ;).
        let delimiter: Character = [",", ";", "\t"].max { a, b in firstLine.filter { $0 == a }.count < firstLine.filter { $0 == b }.count } ?? ","
        let (rows, lines) = try parse(text, delimiter: delimiter, fileName: context.fileName)
        let headers = rows.first ?? []
        return TableFormat.read(rows: rows, rowNumbers: lines, context: context) { line, column in
            "\(context.fileName):\(line)" + (column < headers.count ? " (\(headers[column]))" : "")
        }
    }

    /// Rows of fields, with the line each row starts on.
    static func parse(_ text: String, delimiter: Character, fileName: String) throws -> ([[String]], [Int]) {
        var rows: [[String]] = []
        var lines: [Int] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var rowStart = 1
        var iterator = Array(text.unicodeScalars.map(Character.init)).makeIterator()
        var pending: Character?
        func next() -> Character? {
            if let value = pending { pending = nil; return value }
            return iterator.next()
        }
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    if let following = next() {
                        if following == "\"" { field.append("\"") } else { inQuotes = false; pending = following }
                    } else { inQuotes = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty: inQuotes = true
            case delimiter: row.append(field); field = ""
            case "\r": continue
            case "\n":
                row.append(field); field = ""
                rows.append(row); lines.append(rowStart)
                row = []
                line += 1
                rowStart = line
            default: field.append(c)
            }
            if rows.count > ImportLimits.maximumQuestions + 1 {
                throw BankFormatError(.tooLarge, place: fileName, "quá \(ImportLimits.maximumQuestions) dòng / more than \(ImportLimits.maximumQuestions) rows")
            }
        }
        if inQuotes { throw BankFormatError(.unreadable, place: "\(fileName):\(rowStart)", "dấu ngoặc kép chưa đóng / a quoted field never ends") }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row); lines.append(rowStart) }
        return (rows.map { $0.map(FormulaGuard.unguard) }, lines)
    }

    /// CSV text (UTF-8 with BOM, CRLF) for rows.
    /// CSV in UTF-8 with a BOM (Excel shows Vietnamese), `,` or `;` between fields (Vietnamese-locale Excel
    /// expects `;`). Cells a spreadsheet would run as a formula are neutralised (`FormulaGuard`).
    public static func write(rows: [[String]], separator: Character = ",") -> Data {
        let text = rows.map { $0.map { field(FormulaGuard.guarded($0), separator: separator) }.joined(separator: String(separator)) }.joined(separator: "\r\n") + "\r\n"
        return Data(("\u{FEFF}" + text).utf8)
    }

    static func field(_ text: String, separator: Character = ",") -> String {
        guard text.contains(where: { $0 == separator || $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == ";" }) || text.hasPrefix(" ") else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Formula injection (OWASP's CSV injection): a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
/// return is run as a formula by a spreadsheet opening the file (`=HYPERLINK(…)`, `=cmd|' /C calc'!A0`).
/// Written cells that would be are prefixed with `'`, which spreadsheets show as text; numbers (`-0,5`,
/// `-12`) are left as they are. Reading our own files drops the prefix again, so they round-trip.
public enum FormulaGuard {
    static let risky: Set<Character> = ["=", "+", "-", "@", "\t", "\r"]

    public static func guarded(_ text: String) -> String {
        guard let first = text.first, risky.contains(first), !isNumber(text) else { return text }
        return "'" + text
    }

    static func unguard(_ text: String) -> String {
        guard text.hasPrefix("'"), let second = text.dropFirst().first, risky.contains(second), !isNumber(String(text.dropFirst())) else { return text }
        return String(text.dropFirst())
    }

    /// "-12", "+3", "-0,5", "2.75": a number, which is safe and must keep its sign.
    static func isNumber(_ text: String) -> Bool {
        var digits = 0, marks = 0
        for (index, character) in text.enumerated() {
            if character.isASCII && character.isNumber { digits += 1 } else if (character == "," || character == ".") && index > 0 { marks += 1 }
            else if (character == "-" || character == "+") && index == 0 { continue } else { return false }
        }
        return digits > 0 && marks <= 1
    }
}

/// XLSX (Office Open XML spreadsheet), read and written by hand over ZIPFoundation: the first sheet (or the
/// one named `--sheet`), shared and inline strings, numbers, booleans. Places are `Sheet1!C12`.
public enum XLSXFormat {
    public static func read(_ data: Data, context: ImportContext) throws -> ImportedBank {
        let (sheetName, rows, numbers) = try readFirstSheet(data, place: context.fileName)
        return TableFormat.read(rows: rows, rowNumbers: numbers, context: context) { row, column in "\(sheetName)!\(columnName(column))\(row)" }
    }

    /// "A" for 0, "Z" for 25, "AA" for 26.
    static func columnName(_ index: Int) -> String {
        var name = ""
        var n = index + 1
        while n > 0 {
            let remainder = (n - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + remainder))) + name
            n = (n - 1) / 26
        }
        return name
    }

    /// "C12" → column 2.
    static func columnIndex(_ reference: String) -> Int? {
        var index = 0
        var sawLetter = false
        for scalar in reference.unicodeScalars {
            guard ("A"..."Z").contains(scalar) else { break }
            index = index * 26 + Int(scalar.value - 64)
            sawLetter = true
        }
        return sawLetter ? index - 1 : nil
    }

    static func readFirstSheet(_ data: Data, place: String) throws -> (String, [[String]], [Int]) {
        let zip = try SafeZip(data: data, place: place)
        guard let workbookData = try zip.data("xl/workbook.xml") else {
            throw BankFormatError(.unreadable, place: place, "không phải tệp Excel (.xlsx): thiếu xl/workbook.xml / not an Excel workbook")
        }
        let workbook = try XMLNode.parse(workbookData, place: place)
        guard let sheet = workbook.descendants("sheet").first else { throw BankFormatError(.unreadable, place: place, "sổ tính không có trang nào / no sheet") }
        let sheetName = sheet.attribute("name") ?? "Sheet1"
        var sheetPath = "xl/worksheets/sheet1.xml"
        if let relID = sheet.attribute("id"), let relsData = try zip.data("xl/_rels/workbook.xml.rels") {
            let rels = try XMLNode.parse(relsData, place: place)
            if let target = rels.children("Relationship").first(where: { $0.attribute("Id") == relID })?.attribute("Target") {
                sheetPath = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
            }
        }
        var shared: [String] = []
        if let sharedData = try zip.data("xl/sharedStrings.xml") {
            let root = try XMLNode.parse(sharedData, place: place)
            shared = root.children("si").map { item in item.descendants("t").filter { $0.parent?.localName != "rPh" }.map(\.allText).joined() }
        }
        guard let sheetData = try zip.data(sheetPath) else { throw BankFormatError(.unreadable, place: place, "thiếu trang \(sheetName) / sheet \(sheetName) is missing") }
        let sheetRoot = try XMLNode.parse(sheetData, place: place)
        var rows: [[String]] = []
        var numbers: [Int] = []
        for row in sheetRoot.descendants("row") {
            let number = row.attribute("r").flatMap(Int.init) ?? (numbers.last ?? 0) + 1
            var values: [String] = []
            for cell in row.children("c") {
                let column = cell.attribute("r").flatMap(columnIndex) ?? values.count
                guard column < 1000 else { continue }
                while values.count < column { values.append("") }
                let raw = cell.child("v")?.allText ?? ""
                let value: String
                switch cell.attribute("t") {
                case "s": value = Int(raw).flatMap { shared.indices.contains($0) ? shared[$0] : nil } ?? ""
                case "inlineStr": value = cell.child("is")?.descendants("t").map(\.allText).joined() ?? ""
                case "b": value = raw == "1" ? "TRUE" : "FALSE"
                case "str", "e": value = raw
                default: value = raw
                }
                if values.count == column { values.append(value) } else { values[column] = value }
            }
            rows.append(values)
            numbers.append(number)
            if rows.count > ImportLimits.maximumQuestions + 1 {
                throw BankFormatError(.tooLarge, place: place, "quá \(ImportLimits.maximumQuestions) dòng / more than \(ImportLimits.maximumQuestions) rows")
            }
        }
        return (sheetName, rows, numbers)
    }

    /// "7,25" or "-0.5" as the XML number "7.25" / "-0.5"; nil for anything else (no exponents, no spaces).
    static func plainDecimal(_ text: String) -> String? {
        let normal = text.replacingOccurrences(of: ",", with: ".")
        guard normal.range(of: #"^-?[0-9]{1,12}(\.[0-9]{1,6})?$"#, options: .regularExpression) != nil else { return nil }
        return normal
    }

    /// A one-sheet workbook with a bold, frozen header row and sensible column widths. Strings are written
    /// inline; numbers stay text so "0,25" and "08" keep their form, except in `numericColumns` (below the
    /// header), where a decimal ("7,25" or "7.25") is a number shown with two decimals. Rows above `headerRow`
    /// are titles (bold, not frozen apart).
    public static func write(rows: [[String]], sheetName: String = "Câu hỏi", headerRow: Int = 0, numericColumns: Set<Int> = []) throws -> Data {
        let escape = RichTextXML.escape
        var sheet = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
        <sheetViews><sheetView workbookViewId="0"><pane ySplit="\(headerRow + 1)" topLeftCell="A\(headerRow + 2)" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>
        <cols>
        """
        let columnCount = rows.map(\.count).max() ?? 0
        for column in 0..<columnCount {
            let longest = rows.prefix(200).map { column < $0.count ? min($0[column].count, 60) : 0 }.max() ?? 8
            sheet += "<col min=\"\(column + 1)\" max=\"\(column + 1)\" width=\"\(max(6, longest + 2))\" customWidth=\"1\"/>"
        }
        sheet += "</cols><sheetData>"
        for (rowIndex, row) in rows.enumerated() {
            sheet += "<row r=\"\(rowIndex + 1)\">"
            for (column, value) in row.enumerated() where !value.isEmpty {
                let place = "\(columnName(column))\(rowIndex + 1)"
                if rowIndex > headerRow, numericColumns.contains(column), let number = plainDecimal(value) {
                    sheet += "<c r=\"\(place)\" s=\"3\"><v>\(number)</v></c>"
                    continue
                }
                let style = rowIndex <= headerRow ? " s=\"1\"" : " s=\"2\""
                sheet += "<c r=\"\(place)\" t=\"inlineStr\"\(style)><is><t xml:space=\"preserve\">\(escape(value))</t></is></c>"
            }
            sheet += "</row>"
        }
        sheet += "</sheetData></worksheet>"
        let contentTypes = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>
        """
        let rootRels = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
        """
        let workbook = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="\(escape(sheetName))" sheetId="1" r:id="rId1"/></sheets></workbook>
        """
        let workbookRels = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>
        """
        let styles = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyNumberFormat="1"/><xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1" quotePrefix="1"><alignment wrapText="1" vertical="top"/></xf><xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>
        """
        return try SafeZip.write([
            ("[Content_Types].xml", Data(contentTypes.utf8)),
            ("_rels/.rels", Data(rootRels.utf8)),
            ("xl/workbook.xml", Data(workbook.utf8)),
            ("xl/_rels/workbook.xml.rels", Data(workbookRels.utf8)),
            ("xl/styles.xml", Data(styles.utf8)),
            ("xl/worksheets/sheet1.xml", Data(sheet.utf8)),
        ])
    }
}
