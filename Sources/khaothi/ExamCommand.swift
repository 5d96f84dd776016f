import ArgumentParser
import BankFormats
import ExamCore
import ExamServer
import ExamStore
import Foundation

struct ExamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exam",
        abstract: "Exams (kỳ thi): create, import candidates, prepare papers and access codes, print slips, status, results.",
        subcommands: [Create.self, Candidates.self, Prepare.self, Slips.self, Status.self, Results.self, Stats.self, Regrade.self, List.self]
    )

    /// "Ca 1=2026-12-01 07:30" (local time of this machine) or "Ca 1=2026-12-01T07:30:00+07:00".
    static func session(_ text: String, duration: Int, lateEntry: Int, grace: Int, policy: SessionTiming.DeadlinePolicy) throws -> ExamDefinition.Session {
        guard let equals = text.firstIndex(of: "=") else { throw UserError("--session \"\(text)\": ghi TÊN=yyyy-mm-dd hh:mm / expected NAME=yyyy-mm-dd hh:mm") }
        let name = text[..<equals].trimmingCharacters(in: .whitespaces)
        let when = text[text.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        guard let date = parseDate(when) else { throw UserError("--session \"\(text)\": không đọc được thời gian \"\(when)\" / cannot read the time") }
        return ExamDefinition.Session(name: name, timing: SessionTiming(opensAt: date, durationSeconds: duration * 60, lateEntrySeconds: lateEntry * 60,
                                                                       graceSeconds: grace, policy: policy))
    }

    static func parseDate(_ text: String) -> Date? {
        if let iso = ISO8601DateFormatter().date(from: text) { return iso }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = .current
        for format in ["yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm", "dd/MM/yyyy HH:mm"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

}

extension ExamCommand {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an exam from a bank and a blueprint in the database; checks the bank can fill it.",
            discussion: "Example: khaothi exam create \"Giữa kỳ I – Vật lí 12\" --bank \"Vật lí 12\" --blueprint \"Vật lí 12 — đề theo mẫu 2025\" --codes 24 --session \"Ca 1=2026-12-01 07:30\" --duration 50 --room P101 --room P102"
        )
        @Argument(help: "The exam's name.") var name: String
        @Option(help: "The bank's name in the database.") var bank: String
        @Option(help: "The blueprint: a name in the database or a JSON file.") var blueprint: String
        @Option(help: "Number of exam codes (mã đề).") var codes: Int?
        @Flag(help: "One unique paper per candidate instead of codes.") var paperPerCandidate = false
        @Option(help: "First code number.") var firstCode = 101
        @Option(help: "Random seed (default: from the clock).") var seed: UInt64?
        @Option(help: "A session: NAME=yyyy-mm-dd hh:mm (repeat).") var session: [String] = []
        @Option(help: "Minutes.") var duration: Int?
        @Option(help: "Minutes after opening a candidate may still start.") var lateEntry = 15
        @Option(help: "Seconds after the deadline answers are still taken.") var grace = 30
        @Option(help: "fixed-end (everyone ends together) or from-start.") var policy = "fixed-end"
        @Option(help: "A room, or ROOM:SEATS for its capacity per session (repeat).") var room: [String] = []
        @Option(help: "immediate or later: whether candidates see their score at once.") var results = "immediate"
        @Option(help: "What candidates review once results show: none, score, answers (their own, marked) or key (also the key and lời giải).")
        var review = "score"
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            try reportingErrors {
                guard let reviewPolicy = ExamDefinition.ReviewPolicy(rawValue: review) else { throw UserError("--review: none, score, answers hoặc key") }
                let db = try database.open()
                let blueprintValue = try Inputs.blueprint(blueprint, database: database.path)
                guard let policy = SessionTiming.DeadlinePolicy(rawValue: policy) else { throw UserError("--policy: fixed-end hoặc from-start") }
                guard let resultsPolicy = ExamDefinition.ResultsPolicy(rawValue: results) else { throw UserError("--results: immediate hoặc later") }
                let minutes = duration ?? blueprintValue.durationMinutes ?? 45
                guard minutes > 0, lateEntry >= 0, grace >= 0 else { throw UserError("thời gian phải dương / times must be positive") }
                let sessions = try session.map { try ExamCommand.session($0, duration: minutes, lateEntry: lateEntry, grace: grace, policy: policy) }
                var definition = ExamDefinition(
                    name: name, bank: bank, blueprint: blueprintValue, paperMode: paperPerCandidate ? .candidates : .codes,
                    codeCount: codes ?? 24, firstCode: firstCode, seed: seed ?? UInt64(Date().timeIntervalSince1970 * 1000),
                    sessions: sessions, rooms: room.map { String($0.split(separator: ":").first ?? "") }, results: resultsPolicy)
                definition.review = reviewPolicy
                for entry in room where entry.contains(":") {
                    let parts = entry.split(separator: ":", maxSplits: 1)
                    guard parts.count == 2, let seats = Int(parts[1]) else { throw UserError("--room \(entry): PHÒNG:SỐ_CHỖ, ví dụ P101:40 / ROOM:SEATS") }
                    definition.capacities[String(parts[0])] = seats
                }
                try db.createExam(definition)
                if json { return try printJSON(try db.examStatus(name)) }
                print("Đã tạo kỳ thi \"\(name)\": \(sessions.count) ca, \(room.count) phòng, \(minutes) phút / exam created")
            }
        }
    }

    struct Candidates: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Candidates of an exam.", subcommands: [Import.self])

        struct Import: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Import a class list (.csv or .xlsx: Mã học sinh, Họ và tên, Ngày sinh, Lớp); every bad row is reported.",
                discussion: "All or nothing unless --partial. Importing again updates students by their id.")
            @Argument(help: "The exam's name.") var exam: String
            @Argument(help: "The class list.") var file: String
            @Flag(help: "Import the good rows even if some are bad.") var partial = false
            @OptionGroup var database: DatabaseOptions
            @Flag(help: "Print JSON.") var json = false
            func run() throws {
                try reportingErrors {
                    let (entries, problems) = try RosterFormat.read(URL(fileURLWithPath: file))
                    if !json { for problem in problems { FileHandle.standardError.write(Data("  \(problem)\n".utf8)) } }
                    if !problems.isEmpty && !partial {
                        if json { try printJSON(CandidateReport(added: 0, updated: 0, problems: problems)) }
                        throw UserError("\(file): \(problems.count) dòng lỗi, không nhập; sửa rồi nhập lại hoặc dùng --partial / nothing imported")
                    }
                    let (added, updated) = try database.open().importCandidates(exam: exam, entries: entries)
                    if json { return try printJSON(CandidateReport(added: added, updated: updated, problems: problems)) }
                    print("\(file) → \(exam): \(added) thí sinh mới / new, \(updated) cập nhật / updated\(problems.isEmpty ? "" : ", \(problems.count) dòng bỏ qua / rows skipped")")
                }
            }
        }
    }

    struct Prepare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate the papers, number the candidates, share them over rooms, issue access codes and write the login slips.",
            discussion: "Access codes are stored only as keyed hashes: the slips written here are the only copy. Reprint with exam slips --reset-codes.")
        @Argument(help: "The exam's name.") var exam: String
        @Option(help: "Directory for the printable login slips (one HTML page per room).") var slips: String
        @Option(help: "Also write the slips (with the access codes) as JSON to this file, e.g. for a mail merge.") var slipsJson: String?
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print JSON (the slip files; the codes stay in the slips).") var json = false
        func run() throws {
            try reportingErrors {
                let issued = try database.open().prepareExam(exam)
                let files = try LoginSlips.write(issued, exam: exam, to: slips, json: slipsJson)
                if json { return try printJSON(["candidates": String(issued.count), "slips": files.joined(separator: "\n")]) }
                print("Đã chuẩn bị \"\(exam)\": \(issued.count) thí sinh, phiếu đăng nhập / login slips:")
                files.forEach { print("  \($0)") }
            }
        }
    }

    struct Slips: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reprint login slips with new access codes (the old codes stop working).")
        @Argument(help: "The exam's name.") var exam: String
        @Option(help: "Only this room.") var room: String?
        @Option(help: "Only this candidate (a lost slip).") var sbd: String?
        @Option(help: "Directory for the slips.") var out: String
        @Option(help: "Also write the slips (with the access codes) as JSON to this file.") var slipsJson: String?
        @Flag(help: "Confirm that new codes replace the old ones.") var resetCodes = false
        @OptionGroup var database: DatabaseOptions
        func run() throws {
            try reportingErrors {
                guard resetCodes else {
                    throw UserError("mã truy cập chỉ lưu dạng băm nên phải cấp mã mới: thêm --reset-codes / codes are stored hashed; add --reset-codes to issue new ones")
                }
                let issued = try database.open().resetAccessCodes(exam: exam, room: room, sbd: sbd)
                for file in try LoginSlips.write(issued, exam: exam, to: out, json: slipsJson) { print(file) }
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An exam at a glance: state, papers, candidates per session and room.")
        @Argument(help: "The exam's name.") var exam: String
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print JSON.") var json = false
        func run() throws {
            try reportingErrors {
                let status = try database.open().examStatus(exam)
                if json { return try printJSON(status) }
                print("\(status.name) — \(status.subject) — \(status.state == "prepared" ? "đã chuẩn bị / prepared" : "bản nháp / draft")")
                print("Đề / papers: \(status.papers) (\(status.paperMode)); thí sinh / candidates: \(status.candidates)")
                for slot in status.slots { print("  \(slot.session) · \(slot.room): \(slot.candidates)") }
            }
        }
    }

    struct Results: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The results: per candidate the part scores, the total and its state (absent, not started, pending: provisional, final).",
            discussion: "Formats: table (on screen), csv (UTF-8 with BOM, for Excel), xlsx, json. Filter with --room, --session, --class.")
        @Argument(help: "The exam's name.") var exam: String
        @Option(help: "table, csv, xlsx or json.") var format = "csv"
        @Option(help: "The CSV separator: , or ; (Vietnamese-locale Excel expects ;).") var separator = ","
        @Option(help: "Only this room.") var room: String?
        @Option(help: "Only this session (ca thi).") var session: String?
        @Option(name: .customLong("class"), help: "Only this class.") var className: String?
        @Option(help: "Write to this file instead of standard output.") var out: String?
        @OptionGroup var database: DatabaseOptions
        func run() throws {
            try reportingErrors {
                guard separator == "," || separator == ";" else { throw UserError("--separator: , hoặc ;") }
                let rows = try database.open().examResults(exam).filter {
                    (room == nil || $0.room == room) && (session == nil || $0.session == session) && (className == nil || $0.className == className)
                }
                let data: Data
                switch format {
                case "json": data = try JSONFiles.encoder.encode(rows)
                case "csv": data = ScoreSheet.csv(rows, separator: separator.first!)
                case "xlsx": data = try ScoreSheet.xlsx(rows, exam: exam)
                case "table":
                    let table = ScoreSheet.table(rows).rows
                    let widths = table[0].indices.map { column in table.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
                    data = Data(table.map { row in
                        row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                    }.joined(separator: "\n").appending("\n").utf8)
                default: throw UserError("--format: table, csv, xlsx hoặc json")
                }
                if let out { try data.write(to: URL(fileURLWithPath: out), options: .atomic) } else { FileHandle.standardOutput.write(data) }
            }
        }
    }

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Item analysis of an exam's final attempts: facility, discrimination, alpha, the score distribution, options picked.",
            discussion: "Definitions as Moodle's quiz statistics. Attempts with essays still to grade are left out (and counted).")
        @Argument(help: "The exam's name.") var exam: String
        @Flag(help: "Print JSON.") var json = false
        @Flag(help: "Keep each question's observed facility and discrimination for the bank browser (audited).") var store = false
        @OptionGroup var database: DatabaseOptions
        func run() throws {
            try reportingErrors {
                let db = try database.open()
                let statistics = try db.examStatistics(exam)
                if store { _ = try db.storeStatistics(exam, by: "khaothi exam stats") }
                if json { return try printJSON(statistics) }
                let t = statistics.test
                func n(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "–" }
                print("\(exam): \(t.count) bài / attempts (\(statistics.pendingLeftOut) chờ chấm, không tính / pending, left out)")
                print("TB / mean \(n(t.mean))  trung vị / median \(n(t.median))  yếu vị / mode \(n(t.mode))  ĐLC / SD \(n(t.standardDeviation))")
                print("alpha \(n(t.alpha))  tỉ số sai số / error ratio \(n(t.errorRatio))  sai số chuẩn / SEM \(n(t.standardError))")
                print("Câu        độ khó  ĐLC    phân biệt  hiệu quả  cảnh báo")
                for q in statistics.questions {
                    let s = q.statistics
                    print("\(q.keys.joined(separator: ",").padding(toLength: 10, withPad: " ", startingAt: 0)) \(n(s.facility))   \(n(s.standardDeviation))  \(n(s.discrimination))      \(n(s.discriminativeEfficiency))     \(q.flags.joined(separator: "; "))")
                }
                if store { print("Đã lưu độ khó, độ phân biệt vào ngân hàng / stored for the bank browser") }
            }
        }
    }

    struct Regrade: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Regrade an exam after a key or points change: each question's current bank revision (a fixed key), or as given.",
            discussion: """
            Without --dry-run the regrade is stored (refused while a session runs) and audited; running it again changes nothing.
            Example: khaothi exam regrade "Giữa kỳ I" --dry-run   ·   --revision vl-12-3=2   ·   --points vl-12-7=0.5
            """)
        @Argument(help: "The exam's name.") var exam: String
        @Flag(help: "Only list what would change.") var dryRun = false
        @Option(help: "QUESTION=REVISION: use that revision of a question for this exam (repeat).") var revision: [String] = []
        @Option(help: "QUESTION=POINTS: give a question new points on every paper (repeat).") var points: [String] = []
        @Flag(help: "Regrade although a session is still running (needs --reason; audited as forced).") var force = false
        @Option(help: "Why (kept in the audit log).") var reason = ""
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var database: DatabaseOptions
        func run() throws {
            try reportingErrors {
                var plan = RegradePlan()
                for entry in revision {
                    let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
                    guard parts.count == 2, let number = Int(parts[1]), number > 0 else { throw UserError("--revision \(entry): cần CÂU=SỐ / needs QUESTION=NUMBER") }
                    plan.revisions[parts[0]] = number
                }
                for entry in points {
                    let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
                    guard parts.count == 2, let value = Points(parsing: parts[1]) else { throw UserError("--points \(entry): cần CÂU=ĐIỂM / needs QUESTION=POINTS") }
                    plan.points[parts[0]] = value
                }
                let report = try database.open().regrade(exam: exam, plan: plan, commit: !dryRun, force: force, reason: reason, by: "khaothi exam regrade")
                if json { return try printJSON(report) }
                for q in report.questions {
                    print("\(q.questionID) (\(q.keys.joined(separator: ", "))): r\(q.fromRevision) → r\(q.toRevision), đáp án / key \(q.keyBefore) → \(q.keyAfter), "
                          + "điểm / points \(q.pointsBefore.formatted(decimalMark: ",")) → \(q.pointsAfter.formatted(decimalMark: ","))")
                }
                for id in report.refused { print("\(id): không chấm lại được (phương án đã thêm/bớt hoặc đổi dạng) / cannot be regraded (options added or removed)") }
                for c in report.candidates {
                    let items = c.items.map { "\($0.key) \($0.before.formatted(decimalMark: ",")) → \($0.after.formatted(decimalMark: ","))" }.joined(separator: "; ")
                    print("SBD \(c.sbd) \(c.fullName): \(c.before.formatted(decimalMark: ",")) → \(c.after.formatted(decimalMark: ","))\(c.pending ? " (tạm tính / provisional)" : "")  [\(items)]")
                }
                let means = report.meanBefore.map { before in " · TB / mean \(before.formatted(decimalMark: ",")) → \(report.meanAfter!.formatted(decimalMark: ","))" } ?? ""
                print("\(report.candidates.count)/\(report.attempts) bài đổi điểm / attempts change (\(report.raised) tăng / up, \(report.lowered) giảm / down)\(means)")
                print(report.committed ? "Đã lưu / committed" : "Chạy thử, chưa lưu gì / dry run, nothing stored")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the exams.")
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print JSON.") var json = false
        func run() throws {
            try reportingErrors {
                let names = try database.open().examNames()
                if json { return try printJSON(names) }
                names.forEach { print($0) }
            }
        }
    }
}

struct CandidateReport: Encodable {
    var added: Int
    var updated: Int
    var problems: [BankProblem]
}
