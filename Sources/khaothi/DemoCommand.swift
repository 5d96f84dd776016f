import ArgumentParser
import BankFormats
import ExamCore
import ExamServer
import ExamStore
import Foundation

/// `khaothi demo`: a database built from QuestionBanks/, two exams open now with the 40 students of the
/// sample class list, staff logins, and the server, ready to try in a browser.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build a demo database from QuestionBanks/ (every sample bank, two exams open now, 40 candidates, staff), start the server and print the URL and the logins.",
        discussion: "The demo database (--db, default data/demo.sqlite) is rebuilt at every start; your own database is never touched.")

    @OptionGroup var server: ServerOptions
    @OptionGroup var webOptions: WebOptions
    @Option(name: .customLong("db"), help: "The demo database file (replaced).") var path = "data/demo.sqlite"
    @Option(help: "The QuestionBanks/ directory. Default: next to Web/, or ./QuestionBanks.") var banks: String?
    @Option(help: "Also write every login (staff and candidates) as JSON to this file.") var loginsOut: String?
    @Flag(help: "Build the database and print the logins, but do not start the server.") var noServe = false

    struct Logins: Codable {
        struct Staff: Codable { var username: String; var role: String; var password: String }
        struct Exam: Codable { var name: String; var candidates: [LoginSlip] }
        var url: String
        /// Where the printable login slips are.
        var slips: String
        var staff: [Staff]
        var exams: [Exam]
    }

    static let practiceExam = "Demo — Làm quen (mọi dạng câu hỏi)"
    static let mathExam = "Demo — Toán 12 (mẫu 2025)"

    func run() async throws {
        let logger = ServerOptions.logger()
        try await exitOnUserError {
            let web = try await webOptions.load(logger: logger)
            let banksDirectory = try locateBanks(web: web)
            let (db, logins) = try build(banksDirectory: banksDirectory)
            if let loginsOut { try JSONFiles.write(logins, to: URL(fileURLWithPath: loginsOut)) }
            let summary = Self.summary(logins)
            guard !noServe else { return print(summary) }
            try await server.run(database: db, web: web, logger: logger) { FileHandle.standardOutput.write(Data((summary + "\n").utf8)) }
        }
    }

    func locateBanks(web: WebAssets?) throws -> String {
        var tried: [String] = []
        for candidate in [banks, web.map { URL(fileURLWithPath: $0.directory).deletingLastPathComponent().appendingPathComponent("QuestionBanks").path },
                          FileManager.default.currentDirectoryPath + "/QuestionBanks"].compactMap({ $0 }) {
            tried.append(candidate)
            if FileManager.default.fileExists(atPath: candidate + "/samples/danh-sach-12A.csv") { return candidate }
        }
        throw UserError("không tìm thấy QuestionBanks/ (cần samples/danh-sach-12A.csv); dùng --banks / cannot find QuestionBanks/. Tried: \(tried.joined(separator: ", "))")
    }

    func build(banksDirectory: String) throws -> (AppDatabase, Logins) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let db: AppDatabase
        do { db = try AppDatabase.open(at: path) } catch { throw UserError("\(path): không tạo được cơ sở dữ liệu / cannot create the database (\(error))") }

        // Every bank folder: its YAML files and its blueprint.
        let root = URL(fileURLWithPath: banksDirectory)
        let folders = try FileManager.default.contentsOfDirectory(at: root, includingPropertiesForKeys: nil).filter(\.hasDirectoryPath).sorted { $0.path < $1.path }
        var blueprints: [String: Blueprint] = [:]
        for bankFolder in folders {
            let files = try FileManager.default.contentsOfDirectory(at: bankFolder, includingPropertiesForKeys: nil)
            for file in files.filter({ $0.pathExtension == "yaml" }).sorted(by: { $0.path < $1.path }) {
                let imported = try BankCommand.read(file.path, format: nil, defaults: QuestionDefaults())
                _ = try db.importBank(imported, bankName: nil, partial: false)
            }
            if let blueprintFile = files.first(where: { $0.lastPathComponent == "blueprint.json" }) {
                let blueprint = try JSONFiles.read(Blueprint.self, from: blueprintFile.path, what: "ma trận / blueprint")
                try db.saveBlueprint(blueprint)
                blueprints[bankFolder.lastPathComponent] = blueprint
            }
        }
        guard let practice = blueprints["lam-quen"], let math = blueprints["toan-12"] else {
            throw UserError("\(banksDirectory): thiếu lam-quen/blueprint.json hoặc toan-12/blueprint.json / missing sample blueprints")
        }
        let (roster, problems) = try RosterFormat.read(root.appendingPathComponent("samples/danh-sach-12A.csv"))
        guard problems.isEmpty else { throw UserError(problems.map(\.description).joined(separator: "\n")) }

        // Both exams opened a minute ago; each candidate has the full time from their own start and may
        // start any time today.
        let opens = Date().addingTimeInterval(-60)
        var exams: [Logins.Exam] = []
        for (name, bank, blueprint, results) in [(Self.practiceExam, "Làm quen — các dạng câu hỏi", practice, ExamDefinition.ResultsPolicy.immediate),
                                                 (Self.mathExam, "Toán 12", math, .later)] {
            let timing = SessionTiming(opensAt: opens, durationSeconds: (blueprint.durationMinutes ?? 45) * 60, lateEntrySeconds: 12 * 3600,
                                       graceSeconds: 30, policy: .fromStart)
            try db.createExam(ExamDefinition(name: name, bank: bank, blueprint: blueprint, codeCount: 4, seed: UInt64(opens.timeIntervalSince1970),
                                             sessions: [.init(name: "Ca demo", timing: timing)], rooms: ["P101", "P102"], results: results))
            _ = try db.importCandidates(exam: name, entries: roster)
            let slips = try db.prepareExam(name).sorted { $0.sbd < $1.sbd }
            exams.append(.init(name: name, candidates: slips))
            _ = try ExamCommand.writeSlips(slips, exam: name, to: folder.appendingPathComponent("demo-slips").path)
        }
        var staff: [Logins.Staff] = []
        for (username, role, fullName) in [("admin", StaffRole.admin, "Quản trị"), ("dieuphoi", .coordinator, "Cán bộ điều phối"), ("giamthi", .proctor, "Giám thị P101")] {
            let password = StaffCommand.newPassword()
            try db.saveStaff(username: username, fullName: fullName, role: role, passwordHash: try StaffPasswords.hash(password))
            staff.append(.init(username: username, role: role.rawValue, password: password))
        }
        let shownHost = server.host == "0.0.0.0" ? "127.0.0.1" : server.host
        return (db, Logins(url: "http://\(shownHost):\(server.port)/", slips: folder.appendingPathComponent("demo-slips").path, staff: staff, exams: exams))
    }

    static func summary(_ logins: Logins) -> String {
        var lines = ["", "khaothi demo: \(logins.url)", ""]
        for exam in logins.exams {
            lines.append("Kỳ thi / exam: \(exam.name)")
            for slip in exam.candidates.prefix(5) {
                lines.append("  SBD \(slip.sbd)  mã / code \(slip.accessCode)  \(slip.fullName) (\(slip.room))")
            }
            lines.append("  … \(exam.candidates.count) thí sinh; phiếu đăng nhập / login slips: \(logins.slips)/")
        }
        lines.append("")
        lines.append("Cán bộ / staff: \(logins.url)staff")
        for member in logins.staff { lines.append("  \(member.username) / \(member.password)  (\(member.role))") }
        lines.append("")
        lines.append("Ctrl-C dừng máy chủ / stops the server.")
        return lines.joined(separator: "\n")
    }
}
