import ArgumentParser
import BankFormats
import ExamCore
import ExamServer
import ExamStore
import Foundation

/// Score sheets schools import, from the command line (the pages download the same files).
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Score sheets as files: an exam's results, its item analysis, a class's detailed score sheet (sổ điểm chi tiết).",
        subcommands: [Results.self, Stats.self, Gradebook.self]
    )

    /// XLSX (the default) or CSV in UTF-8 with a BOM and `,` or `;` between fields.
    struct Format: ParsableArguments {
        @Option(help: "xlsx or csv.") var format = "xlsx"
        @Option(help: "The CSV separator: , or ; (Vietnamese-locale Excel expects ;).") var separator = ","
        @Option(help: "The file to write.") var out: String

        func write(rows: [[String]], sheet: String, headerRow: Int = 0, numericColumns: Set<Int>) throws {
            let data: Data
            switch format {
            case "xlsx": data = try XLSXFormat.write(rows: rows, sheetName: sheet, headerRow: headerRow, numericColumns: numericColumns)
            case "csv":
                guard separator == "," || separator == ";" else { throw UserError("--separator: , hoặc ;") }
                data = CSVFormat.write(rows: rows, separator: separator.first!)
            default: throw UserError("--format: xlsx hoặc csv")
            }
            try data.write(to: URL(fileURLWithPath: out), options: .atomic)
            print("Đã ghi / wrote \(out) (\(rows.count) dòng / rows)")
        }
    }

    struct Results: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An exam's results: part scores, total and state per candidate (pending marked).")
        @Argument(help: "The exam's name.") var exam: String
        @OptionGroup var format: Format
        @OptionGroup var database: DatabaseOptions
        func run() throws {
            try reportingErrors {
                let (rows, numeric) = ScoreSheet.table(try database.open().examResults(exam))
                try format.write(rows: [["Kết quả: \(exam)"], []] + rows, sheet: "Kết quả", headerRow: 2, numericColumns: numeric)
            }
        }
    }

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An exam's item analysis, one question a row, then the test's figures.")
        @Argument(help: "The exam's name.") var exam: String
        @OptionGroup var format: Format
        @OptionGroup var database: DatabaseOptions
        func run() throws {
            try reportingErrors {
                let (rows, numeric) = ScoreSheet.itemAnalysis(try database.open().examStatistics(exam))
                try format.write(rows: rows, sheet: "Thống kê", numericColumns: numeric)
            }
        }
    }

    struct Gradebook: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A class's detailed score sheet for a subject and semester (title rows; STT, Mã học sinh, names; ĐĐGtx…, ĐĐGgk, ĐĐGck, ĐTBmhk).")
        @Option(help: "The school year, e.g. 2026-2027.") var year: String
        @Option(name: .customLong("class"), help: "The class, e.g. 12A1.") var className: String
        @Option(help: "The subject.") var subject: String
        @Option(help: "1 or 2.") var semester = 1
        @Option(help: "The school's name for the title.") var school = ""
        @Option(help: "The department (Sở GD&ĐT …) for the title.") var department = ""
        @OptionGroup var format: Format
        @OptionGroup var database: DatabaseOptions
        func run() throws {
            try reportingErrors {
                guard semester == 1 || semester == 2 else { throw UserError("--semester: 1 hoặc 2") }
                let sheet = try database.open().gradebookSheet(year: year, className: className, subject: subject)
                let table = ScoreSheet.detailed(sheet, semester: semester, school: school, department: department)
                try format.write(rows: table.rows, sheet: "Bảng điểm", headerRow: table.headerRow, numericColumns: table.numericColumns)
            }
        }
    }
}
