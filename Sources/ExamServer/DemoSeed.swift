import BankFormats
import ExamCore
import ExamStore
import Foundation

/// The demo (`khaothi demo`): a database built from QuestionBanks/, two exams open now with the 40 students of
/// the sample class list, and staff for every role, ready to try in a browser.
public enum DemoSeed {
    public struct Logins: Codable, Sendable {
        public struct Staff: Codable, Sendable { public var username: String; public var role: String; public var password: String }
        public struct Exam: Codable, Sendable { public var name: String; public var candidates: [LoginSlip] }
        public var url: String
        /// Where the printable login slips are.
        public var slips: String
        public var staff: [Staff]
        public var exams: [Exam]
        /// Students' own accounts (classwork from home at /hoc): the class, its join code, temporary passwords.
        public struct Classwork: Codable, Sendable {
            public var className: String
            public var joinCode: String
            public var assignment: String
            public var students: [StudentSlip]
        }
        public var classwork: Classwork?
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static let practiceExam = "Demo — Làm quen (mọi dạng câu hỏi)"
    public static let mathExam = "Demo — Toán 12 (mẫu 2025)"

    /// The staff of the demo: one login for each role that runs exams, and a teacher.
    static let staff: [(username: String, role: StaffRole, fullName: String)] = [
        ("admin", .admin, "Quản trị"), ("dieuphoi", .coordinator, "Cán bộ điều phối"), ("giamthi", .proctor, "Giám thị P101"),
        ("giaovien", .teacher, "Giáo viên Toán"),
    ]
    /// The demo's banks and blueprints are this teacher's (shared with the whole school).
    static let teacher = "giaovien"

    /// Finds QuestionBanks/: `explicit`, else beside `Web/`, else in the working directory.
    public static func locateBanks(explicit: String?, web: WebAssets?) throws -> String {
        var tried: [String] = []
        for candidate in [explicit, web.map { URL(fileURLWithPath: $0.directory).deletingLastPathComponent().appendingPathComponent("QuestionBanks").path },
                          FileManager.default.currentDirectoryPath + "/QuestionBanks"].compactMap({ $0 }) {
            tried.append(candidate)
            if FileManager.default.fileExists(atPath: candidate + "/samples/danh-sach-12A.csv") { return candidate }
        }
        throw Failure(description: "không tìm thấy QuestionBanks/ (cần samples/danh-sach-12A.csv) / cannot find QuestionBanks/. Tried: \(tried.joined(separator: ", "))")
    }

    /// Rebuilds the database at `path` (its old content is removed) and returns it with every login. A PostgreSQL
    /// database (`postgres://…`) must be empty: the demo never removes data from a server's database.
    public static func build(path: String, banksDirectory: String, url: String) async throws -> (AppDatabase, Logins) {
        let db: AppDatabase
        // The printed slips go beside a SQLite file, or into data/ for a PostgreSQL database.
        var folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        if case .postgres(let address)? = try? DatabaseAddress(path) {
            folder = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("data")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            do { db = try AppDatabase.open(path) } catch { throw Failure(description: "\(address): không mở được cơ sở dữ liệu / cannot open the database (\(error))") }
            guard try db.staffMembers().isEmpty, try db.banks().isEmpty else {
                throw Failure(description: "\(address): bản demo cần một cơ sở dữ liệu trống (dropdb rồi createdb) / the demo needs an empty database (dropdb, then createdb)")
            }
        } else {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            do { db = try AppDatabase.open(at: path) } catch { throw Failure(description: "\(path): không tạo được cơ sở dữ liệu / cannot create the database (\(error))") }
        }

        var logins: [Logins.Staff] = []
        for member in staff {
            let password = StaffPasswords.newPassword()
            try db.saveStaff(username: member.username, fullName: member.fullName, role: member.role, password: password)
            logins.append(.init(username: member.username, role: member.role.rawValue, password: password))
        }

        // Every bank folder: its YAML files and its blueprint. The teacher owns them; the school reads them.
        let root = URL(fileURLWithPath: banksDirectory)
        let folders = try FileManager.default.contentsOfDirectory(at: root, includingPropertiesForKeys: nil).filter(\.hasDirectoryPath).sorted { $0.path < $1.path }
        var blueprints: [String: Blueprint] = [:]
        for bankFolder in folders {
            let files = try FileManager.default.contentsOfDirectory(at: bankFolder, includingPropertiesForKeys: nil)
            for file in files.filter({ $0.pathExtension == "yaml" }).sorted(by: { $0.path < $1.path }) {
                let summary = try db.importBank(try BankReaders.read(file), bankName: nil, partial: false)
                try db.setBankOwner(bank: summary.bank, owner: teacher, visibility: .school, by: "khaothi demo")
            }
            if let blueprintFile = files.first(where: { $0.lastPathComponent == "blueprint.json" }) {
                let blueprint = try JSONDecoder().decode(Blueprint.self, from: Data(contentsOf: blueprintFile))
                try db.saveBlueprint(blueprint, owner: teacher)
                blueprints[bankFolder.lastPathComponent] = blueprint
            }
        }
        guard let practice = blueprints["lam-quen"], let math = blueprints["toan-12"] else {
            throw Failure(description: "\(banksDirectory): thiếu lam-quen/blueprint.json hoặc toan-12/blueprint.json / missing sample blueprints")
        }
        let (roster, problems) = try RosterFormat.read(root.appendingPathComponent("samples/danh-sach-12A.csv"))
        guard problems.isEmpty else { throw Failure(description: problems.map(\.description).joined(separator: "\n")) }

        // Both exams opened a minute ago; each candidate has the full time from their own start and may
        // start any time today.
        let opens = Date().addingTimeInterval(-60)
        let slipsFolder = folder.appendingPathComponent("demo-slips").path
        var exams: [Logins.Exam] = []
        // The practice exam shows its key and lời giải at once; the mathematics one too, once a coordinator releases
        // its results.
        for (name, bank, blueprint, results, review) in [(practiceExam, "Làm quen — các dạng câu hỏi", practice, ExamDefinition.ResultsPolicy.immediate,
                                                          ExamDefinition.ReviewPolicy.key),
                                                         (mathExam, "Toán 12", math, .later, .key)] {
            let timing = SessionTiming(opensAt: opens, durationSeconds: (blueprint.durationMinutes ?? 45) * 60, lateEntrySeconds: 12 * 3600,
                                       graceSeconds: 30, policy: .fromStart)
            var definition = ExamDefinition(name: name, bank: bank, blueprint: blueprint, codeCount: 4, seed: UInt64(opens.timeIntervalSince1970),
                                            sessions: [.init(name: "Ca demo", timing: timing)], rooms: ["P101", "P102"], results: results)
            definition.review = review
            try db.createExam(definition)
            _ = try db.importCandidates(exam: name, entries: roster)
            let slips = try db.prepareExam(name).sorted { $0.sbd < $1.sbd }
            exams.append(.init(name: name, candidates: slips))
            _ = try LoginSlips.write(slips, exam: name, to: slipsFolder)
        }
        let classwork = try await seedClasswork(db, roster: roster, practice: practice)
        return (db, Logins(url: url, slips: slipsFolder, staff: logins, exams: exams, classwork: classwork))
    }

    static let demoClass = "12A"
    static let demoAssignment = "Bài tập về nhà — làm quen"

    /// The sample class with the teacher, temporary passwords for every student, a join code, an assignment open
    /// for a week (two attempts, the highest counts, the key and lời giải at once), practice on the sample bank,
    /// and Toán in the gradebook (so its scores can be pushed).
    static func seedClasswork(_ db: AppDatabase, roster: [RosterEntry], practice: Blueprint) async throws -> Logins.Classwork {
        let store = db.makeStore()
        let teacherActor = Actor(username: teacher, isAdmin: false)
        let now = Date()
        let year = Calendar(identifier: .gregorian).component(.month, from: now) >= 8
            ? "\(Calendar(identifier: .gregorian).component(.year, from: now))-\(Calendar(identifier: .gregorian).component(.year, from: now) + 1)"
            : "\(Calendar(identifier: .gregorian).component(.year, from: now) - 1)-\(Calendar(identifier: .gregorian).component(.year, from: now))"
        let info = try await store.classwork.saveClass(year: year, name: demoClass, students: roster, teacherSubject: "Toán", by: teacherActor, coordinator: false, now: now)
        let joinCode = try await store.classwork.newJoinCode(classID: info.id, for: teacherActor, coordinator: false, now: now)
        let slips = try await store.classwork.issueSlips(classID: info.id, all: true, for: teacherActor, coordinator: false, now: now)
        _ = try await store.gradebook.saveSubject(GradebookSubject(name: "Toán", commentOnly: false, periodsPerYear: 105), by: teacherActor, now: now)
        _ = try await store.classwork.createAssignment(
            AssignmentDefinition(title: demoAssignment, classIDs: [info.id], bank: "Làm quen — các dạng câu hỏi", blueprint: practice,
                                 opensAt: now.addingTimeInterval(-60), closesAt: now.addingTimeInterval(7 * 86400), lateUntil: now.addingTimeInterval(8 * 86400),
                                 timeLimitMinutes: 30, attemptsAllowed: 2, counting: .highest, ownPapers: true, review: .key, reviewAfter: .submit,
                                 seed: UInt64(now.timeIntervalSince1970)),
            by: teacherActor, coordinator: false, now: now)
        _ = try await store.classwork.openPractice(classID: info.id, bank: "Toán 12", topic: nil, by: teacherActor, coordinator: false, now: now)
        return Logins.Classwork(className: demoClass, joinCode: joinCode, assignment: demoAssignment, students: slips)
    }

    /// What the demo prints: the address, a few candidates' logins, every staff login and what each role does.
    public static func summary(_ logins: Logins) -> String {
        var lines = ["", "khaothi demo: \(logins.url)", ""]
        for exam in logins.exams {
            lines.append("Kỳ thi / exam: \(exam.name)")
            for slip in exam.candidates.prefix(5) {
                lines.append("  SBD \(slip.sbd)  mã / code \(slip.accessCode)  \(slip.fullName) (\(slip.room))")
            }
            lines.append("  … \(exam.candidates.count) thí sinh; phiếu đăng nhập / login slips: \(logins.slips)/")
        }
        if let classwork = logins.classwork {
            lines.append("")
            lines.append("Học sinh làm bài ở nhà / students from home: \(logins.url)hoc — lớp / class \(classwork.className), mã lớp / join code \(classwork.joinCode)")
            for slip in classwork.students.prefix(3) {
                lines.append("  \(slip.studentID) / \(slip.password) (mật khẩu tạm / temporary)  \(slip.fullName)")
            }
            lines.append("  … \(classwork.students.count) học sinh; bài / assignment: \(classwork.assignment)")
        }
        lines.append("")
        lines.append("Cán bộ / staff: \(logins.url)staff")
        for member in logins.staff {
            let does = StaffRole(rawValue: member.role).map(Self.whatTheyDo) ?? ""
            lines.append("  \(member.username) / \(member.password)  (\(member.role)): \(does)")
        }
        lines.append("")
        lines.append("Ctrl-C dừng máy chủ / stops the server.")
        return lines.joined(separator: "\n")
    }

    static func whatTheyDo(_ role: StaffRole) -> String {
        switch role {
        case .admin: "mọi việc, mọi ngân hàng, tài khoản cán bộ, nhật ký thay đổi / everything, every bank, staff accounts, the audit log"
        case .coordinator: "tạo và sửa kỳ thi, danh sách thí sinh, phiếu dự thi, in đề dự phòng, phòng thi, chấm tự luận, công bố kết quả, kết quả và chấm lại, thống kê câu hỏi, sổ điểm; đọc ngân hàng, ma trận / create and edit exams, class lists, login slips, paper fallback, exam rooms, grading, results and regrades, item statistics, the gradebook; reads banks, blueprints"
        case .proctor: "theo dõi phòng thi, thêm giờ, cấp lại mã / watch rooms, add time, new access codes"
        case .teacher: "sở hữu các ngân hàng mẫu: soạn, nhập, phân loại câu hỏi, ma trận, in đề; chấm tự luận; lớp 12A: tài khoản học sinh, giao bài làm ở nhà, luyện tập, đưa điểm vào sổ / owns the sample banks: write, import, classify questions, blueprints, printed papers; grades essays; class 12A: student accounts, assignments from home, practice, scores into the gradebook"
        }
    }
}
