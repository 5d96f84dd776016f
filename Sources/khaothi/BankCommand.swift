import ArgumentParser
import BankFormats
import ExamCore
import ExamStore
import Foundation

/// `--db PATH|URL`, shared by every command that opens the database: a SQLite file, or a PostgreSQL database as
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`. Without it, `KHAOTHI_DATABASE` (which keeps a password off
/// the command line, where `ps` shows it), else `data/khaothi.sqlite`.
struct DatabaseOptions: ParsableArguments {
    @Option(name: [.customLong("db"), .customLong("database")],
            help: "The database: a SQLite file, or postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (default: $KHAOTHI_DATABASE, else data/khaothi.sqlite).")
    var path: String = ProcessInfo.processInfo.environment["KHAOTHI_DATABASE"].flatMap { $0.isEmpty ? nil : $0 } ?? AppDatabase.defaultPath

    /// The location as it may be printed (a PostgreSQL password hidden).
    var shown: String { Self.shown(path) }
    static func shown(_ path: String) -> String { (try? DatabaseAddress(path))?.description ?? path }

    /// The SQLite file, for commands only SQLite has; a PostgreSQL URL is refused naming what to use instead.
    func sqlitePath(_ instead: String) throws -> String {
        guard case .sqlite(let file)? = try? DatabaseAddress(path) else {
            throw UserError("\(shown): cơ sở dữ liệu PostgreSQL / a PostgreSQL database: \(instead)")
        }
        return file
    }

    func open() throws -> AppDatabase { try Self.open(path) }

    static func open(_ path: String) throws -> AppDatabase {
        do { return try AppDatabase.open(path) } catch let error as StoreError where error.field == "database" {
            throw UserError(error.message)
        } catch {
            throw UserError("\(shown(path)): không mở được cơ sở dữ liệu / cannot open the database (\(error))")
        }
    }
}

/// Metadata for formats that carry none (GIFT, Aiken, Azota text, CSV without those columns).
struct DefaultsOptions: ParsableArguments {
    @Option(help: "Subject (môn) for questions that do not say.") var subject: String?
    @Option(help: "Grade (lớp) for questions that do not say.") var grade: Int?
    @Option(help: "Topic (chủ đề) for questions that do not say.") var topic: String?
    @Option(help: "Lesson (bài) for questions that do not say.") var lesson: String?
    @Option(help: "Level for questions that do not say: Nhận biết, Thông hiểu, Vận dụng, Vận dụng cao.") var level: String?

    func defaults(bankName: String?) throws -> QuestionDefaults {
        var level: Level?
        if let text = self.level {
            guard let parsed = Level(parsing: text) else { throw UserError("--level \"\(text)\": dùng Nhận biết, Thông hiểu, Vận dụng, Vận dụng cao") }
            level = parsed
        }
        return QuestionDefaults(bankName: bankName, subject: subject, grade: grade, topic: topic, lesson: lesson, level: level)
    }
}

struct BankCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bank",
        abstract: "Question banks: import, validate, list, show, search, export.",
        subcommands: [Import.self, Validate.self, List.self, Show.self, Search.self, Export.self, Template.self, Owner.self]
    )

    static func format(_ text: String) throws -> BankFormat? {
        if text == "auto" { return nil }
        guard let format = BankFormat(rawValue: text) else {
            throw UserError("--format \(text): dùng auto, \(BankFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return format
    }

    static func read(_ path: String, format: BankFormat?, defaults: QuestionDefaults, partial: Bool = false) throws -> ImportedBank {
        do {
            return try BankReaders.read(URL(fileURLWithPath: path), format: format, defaults: defaults, partial: partial)
        } catch let error as BankFormatError {
            throw UserError(error.description)
        }
    }
}

extension BankCommand {
    /// The files named, a directory standing for every bank file under it (sorted, hidden files left out).
    /// Inside a directory, files that are clearly not banks (a blueprint or a response file in JSON, a class list
    /// in CSV) are skipped and named on standard error.
    static func files(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw UserError("\(path): không có tệp này / no such file") }
            guard isDirectory.boolValue else { files.append(path); continue }
            guard let walker = FileManager.default.enumerator(at: URL(fileURLWithPath: path), includingPropertiesForKeys: [.isRegularFileKey],
                                                             options: [.skipsHiddenFiles]) else { continue }
            var found: [String] = []
            for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                guard let data = try? Data(contentsOf: url, options: .mappedIfSafe), let format = BankFormat.detect(fileName: url.lastPathComponent, data: data) else { continue }
                let head = String(decoding: data.prefix(4096), as: UTF8.self)
                let notBank = (format == .json && !head.contains("\"questions\"")) || (format == .csv && !TextFolding.fold(head).contains("noi dung") && !head.lowercased().contains("stem"))
                if notBank {
                    FileHandle.standardError.write(Data("\(url.path): bỏ qua, không phải ngân hàng câu hỏi / skipped, not a question bank\n".utf8))
                    continue
                }
                found.append(url.path)
            }
            guard !found.isEmpty else { throw UserError("\(path): không có tệp ngân hàng nào / no bank file in this folder") }
            files += found.sorted()
        }
        return files
    }
}

/// One file's outcome, for --json.
struct FileReport: Encodable {
    var file: String
    var questions: Int
    var problems: [BankProblem]
    /// Read, but not quite as written (kept as it is, or simplified with --partial).
    var warnings: [BankProblem] = []
    var summary: ImportSummary?
}

extension BankCommand {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import bank files: all or nothing per file (unless --partial); re-importing is idempotent.",
            discussion: "Unchanged questions stay; changed ones get a new revision; papers keep the revisions they used."
        )
        @Argument(help: "Bank files, or folders (every bank file under them).") var files: [String]
        @Option(help: "auto, native, json, gift, aiken, azota, docx, moodlexml, qti, csv, xlsx.") var format = "auto"
        @Option(help: "Import into this bank (default: the name in the file, or the file name).") var bank: String?
        @Flag(help: "Import the good questions and list the bad ones, instead of refusing the file.") var partial = false
        @Option(help: "The teacher (staff username) the bank belongs to; without it the bank is the school's (admins edit it).") var owner: String?
        @Option(help: "With --owner: private (the owner and whom they share with) or school (every member of staff reads it).") var visibility = "school"
        @OptionGroup var defaults: DefaultsOptions
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print a JSON report.") var json = false

        func run() throws {
            try reportingErrors {
                guard let visibility = BankVisibility(rawValue: visibility) else { throw UserError("--visibility: private hoặc school / private or school") }
                let format = try BankCommand.format(self.format)
                let defaults = try self.defaults.defaults(bankName: bank)
                let db = try database.open()
                var reports: [FileReport] = []
                var failed = false
                for file in try BankCommand.files(files) {
                    var report = FileReport(file: file, questions: 0, problems: [])
                    do {
                        let imported = try BankCommand.read(file, format: format, defaults: defaults, partial: partial)
                        report.questions = imported.bank.questions.count
                        report.problems = imported.problems
                        report.warnings = imported.warnings
                        let bar = ProgressBar(label: file, enabled: !json && imported.bank.questions.count > 300)
                        let summary = try db.importBank(imported, bankName: bank, partial: partial) { done, total in bar.update(done, of: total) }
                        bar.finish()
                        if let owner { try db.setBankOwner(bank: summary.bank, owner: owner, visibility: visibility, by: "khaothi bank import") }
                        report.summary = summary
                        if !json {
                            print("\(file) → \(summary.bank): \(summary.added) mới / new, \(summary.revised) sửa / revised, \(summary.unchanged) giữ nguyên / unchanged\(summary.skipped > 0 ? ", \(summary.skipped) bỏ qua / skipped" : "")\(summary.mediaAdded > 0 ? ", \(summary.mediaAdded) ảnh / images" : "")")
                            for problem in imported.problems { FileHandle.standardError.write(Data("  \(problem)\n".utf8)) }
                            for warning in imported.warnings { FileHandle.standardError.write(Data("  cảnh báo / warning: \(warning)\n".utf8)) }
                        }
                    } catch let error as StoreError {
                        failed = true
                        if !json { FileHandle.standardError.write(Data("\(file): \(error.description)\n".utf8)) }
                        report.problems = error.problems.map { BankProblem(place: file, $0) }
                    } catch let error as UserError {
                        failed = true
                        if !json { FileHandle.standardError.write(Data("\(error.description)\n".utf8)) }
                        report.problems = [BankProblem(place: file, error.description)]
                    }
                    reports.append(report)
                }
                if json { try printJSON(reports) }
                if failed { throw ExitCode(1) }
            }
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check bank files without writing anything; exit 1 if any has a problem.")
        @Argument(help: "Bank files, or folders (every bank file under them).") var files: [String]
        @Option(help: "auto or a format name.") var format = "auto"
        @OptionGroup var defaults: DefaultsOptions
        @Flag(help: "Print a JSON report.") var json = false

        func run() throws {
            try reportingErrors {
                let format = try BankCommand.format(self.format)
                let defaults = try self.defaults.defaults(bankName: nil)
                var reports: [FileReport] = []
                var failed = false
                for file in try BankCommand.files(files) {
                    do {
                        let imported = try BankCommand.read(file, format: format, defaults: defaults)
                        reports.append(FileReport(file: file, questions: imported.bank.questions.count, problems: imported.problems, warnings: imported.warnings))
                        if !imported.problems.isEmpty { failed = true }
                        if !json {
                            print("\(file): \(imported.bank.questions.count) câu hợp lệ / valid questions, \(imported.problems.count) lỗi / problems"
                                  + (imported.warnings.isEmpty ? "" : ", \(imported.warnings.count) cảnh báo / warnings"))
                            for problem in imported.problems { print("  \(problem)") }
                            for warning in imported.warnings { print("  cảnh báo / warning: \(warning)") }
                        }
                    } catch let error as UserError {
                        failed = true
                        reports.append(FileReport(file: file, questions: 0, problems: [BankProblem(place: file, error.description)]))
                        if !json { print(error.description) }
                    }
                }
                if json { try printJSON(reports) }
                if failed { throw ExitCode(1) }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the banks in the database.")
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print JSON.") var json = false
        func run() throws {
            try reportingErrors {
                let banks = try database.open().banks()
                if json { return try printJSON(banks) }
                if banks.isEmpty { print("Chưa có ngân hàng nào / no banks yet: khaothi bank import FILE") }
                for bank in banks {
                    print("\(bank.name)\t\(bank.subject ?? "")\t\(bank.questions) câu / questions\t\(bank.revisions) phiên bản / revisions\t\(bank.passages) bài đọc / passages")
                }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a question (native YAML, or JSON) and its revisions.")
        @Argument(help: "The question id.") var id: String
        @Option(help: "The bank, when the id is in several.") var bank: String?
        @Option(help: "A revision (default: the current one).") var revision: Int?
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print JSON.") var json = false
        func run() throws {
            try reportingErrors {
                let stored = try database.open().question(id: id, bank: bank, revision: revision)
                if json { return try printJSON(stored) }
                print("# \(stored.bank) — phiên bản \(stored.question.revision) / \(stored.currentRevision) (revisions: \(stored.revisions.map { String($0.revision) }.joined(separator: ", ")))")
                let yaml = try NativeFormat.write(QuestionBank(name: stored.bank, questions: [stored.question]))
                print(yaml, terminator: "")
            }
        }
    }

    struct Search: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Search stems and options (diacritics optional) with filters.")
        @Argument(help: "Words to find, e.g. \"ham so\".") var text: String?
        @Option(help: "Bank name.") var bank: String?
        @Option(help: "Subject.") var subject: String?
        @Option(help: "Grade.") var grade: Int?
        @Option(help: "Topic.") var topic: String?
        @Option(help: "Level.") var level: String?
        @Option(help: "Kind: single-choice, true-false, numeric, …") var kind: String?
        @Option(help: "Tag.") var tag: String?
        @Option(help: "Most results.") var limit = 50
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print JSON.") var json = false
        func run() throws {
            try reportingErrors {
                var query = QuestionQuery(text: text, bank: bank, subject: subject, grade: grade, topic: topic, tag: tag, limit: limit)
                if let level {
                    guard let parsed = Level(parsing: level) else { throw UserError("--level \"\(level)\" không có / unknown level") }
                    query.level = parsed
                }
                if let kind {
                    guard let parsed = QuestionKind(rawValue: kind) else { throw UserError("--kind \"\(kind)\": dùng \(QuestionKind.allCases.map(\.rawValue).joined(separator: ", "))") }
                    query.kind = parsed
                }
                let hits = try database.open().search(query)
                if json { return try printJSON(hits) }
                for hit in hits {
                    let stem = hit.stem.replacingOccurrences(of: "\n", with: " ")
                    print("\(hit.id)\t[\(hit.bank)] \(hit.subject) \(hit.grade.map(String.init) ?? "") · \(hit.topic) · \(hit.level.name()) · \(hit.kind.rawValue)\n    \(stem.prefix(120))")
                }
                if !json { print("\(hits.count) câu / questions") }
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export a bank: native (YAML), json, qti (zip package), gift, csv, xlsx; images are written beside it.",
            discussion: "Formats that cannot hold a kind (GIFT has no true/false clusters, tables have no matching) leave those questions out and name them."
        )
        @Option(help: "The bank name.") var bank: String
        @Option(help: "native, json, qti, gift, csv, xlsx.") var format = "native"
        @Option(help: "The file to write.") var out: String
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print a JSON summary.") var json = false
        func run() throws {
            try reportingErrors {
                let db = try database.open()
                let questionBank = try db.loadBank(named: bank)
                guard let format = BankFormat(rawValue: format) else { throw UserError("--format \(self.format) không có / unknown format") }
                let url = URL(fileURLWithPath: out)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                let data: Data
                var skipped: [String] = []
                var media = try db.media(forBank: bank)
                switch format {
                case .native: data = Data(try NativeFormat.write(questionBank).utf8)
                case .json: data = try JSONBankFormat.write(questionBank)
                case .gift:
                    let written = GIFTFormat.write(questionBank)
                    data = Data(written.text.utf8)
                    skipped = written.skipped
                case .csv, .xlsx:
                    let table = TableFormat.rows(questionBank)
                    data = format == .csv ? CSVFormat.write(rows: table.rows) : try XLSXFormat.write(rows: table.rows)
                    skipped = table.skipped
                case .qti:
                    let written = try QTIFormat.writePackage(questionBank, media: media)
                    data = written.data
                    skipped = written.skipped
                    media = []  // inside the package
                default: throw UserError("không xuất được định dạng \(format.rawValue); dùng native, json, qti, gift, csv, xlsx / cannot export \(format.rawValue)")
                }
                for id in skipped { FileHandle.standardError.write(Data("bỏ qua / left out: \(id) (\(format.rawValue) không ghi được dạng này / the format cannot hold its kind)\n".utf8)) }
                try data.write(to: url, options: .atomic)
                for file in media {
                    let target = url.deletingLastPathComponent().appendingPathComponent(file.name)
                    try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try file.data.write(to: target, options: .atomic)
                }
                if json {
                    try printJSON(ExportReport(file: out, format: format.rawValue, questions: questionBank.questions.count - skipped.count, skipped: skipped, images: media.count))
                } else {
                    print("Đã xuất \(questionBank.questions.count - skipped.count) câu vào \(out)\(media.isEmpty ? "" : " và \(media.count) ảnh")\(skipped.isEmpty ? "" : ", bỏ qua \(skipped.count)") / exported")
                }
            }
        }
    }
}

struct ExportReport: Encodable {
    var file: String
    var format: String
    var questions: Int
    var skipped: [String]
    var images: Int
}

extension BankCommand {
    struct Template: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write the spreadsheet template (the column layout, with example rows).")
        @Option(help: "xlsx or csv.") var format = "xlsx"
        @Option(help: "The file to write.") var out: String
        func run() throws {
            try reportingErrors {
                let rows = TableFormat.templateRows()
                let data: Data
                switch format {
                case "xlsx": data = try XLSXFormat.write(rows: rows)
                case "csv": data = CSVFormat.write(rows: rows)
                default: throw UserError("--format \(format): dùng xlsx hoặc csv / use xlsx or csv")
                }
                try data.write(to: URL(fileURLWithPath: out), options: .atomic)
                print("Đã ghi mẫu \(out) / template written")
            }
        }
    }
}

extension BankCommand {
    struct Owner: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a bank to a teacher (or back to the school) and say who sees it.",
                                                        discussion: "Recorded in the audit log. A teacher's bank is theirs to edit and share in the browser.")
        @Argument(help: "The bank.") var bank: String
        @Option(help: "The teacher's staff username.") var owner: String?
        @Flag(help: "Make it the school's (no owner; admins edit it).") var school = false
        @Option(help: "private or school.") var visibility = "school"
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try reportingErrors {
                guard let visibility = BankVisibility(rawValue: visibility) else { throw UserError("--visibility: private hoặc school / private or school") }
                guard (owner == nil) == school else { throw UserError("dùng --owner TÊN hoặc --school, một trong hai / give --owner NAME or --school, one of them") }
                try database.open().setBankOwner(bank: bank, owner: owner, visibility: visibility)
                print("\(bank): \(owner ?? "của trường / the school's"), \(visibility.rawValue)")
            }
        }
    }
}

func printJSON<T: Encodable>(_ value: T) throws {
    print(String(decoding: try JSONFiles.encoder.encode(value), as: UTF8.self))
}

/// A one-line progress bar on standard error, for long imports.
final class ProgressBar: @unchecked Sendable {
    let label: String
    let enabled: Bool
    private var last = -1

    init(label: String, enabled: Bool) { self.label = label; self.enabled = enabled }

    func update(_ done: Int, of total: Int) {
        guard enabled, total > 0 else { return }
        let percent = done * 100 / total
        guard percent != last else { return }
        last = percent
        let filled = percent * 30 / 100
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: 30 - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(percent)% (\(done)/\(total))".utf8))
    }

    func finish() {
        if enabled && last >= 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
