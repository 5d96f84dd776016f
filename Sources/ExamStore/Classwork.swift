import Crypto
import ExamCore
import Foundation
internal import GRDB
import HummingbirdBcrypt

// Regular assessment from home (đánh giá thường xuyên trực tuyến): classes with their teachers, students'
// own accounts, assignments open within a window, and the teacher's view of a class. An assignment is an exam
// underneath (kind 'assignment'): one session whose window caps every attempt, one candidate row per attempt,
// so the answer path, autograding, manual grading, results and the review are the lab's own.

/// A class (lớp) of a school year, as a teacher sees it.
public struct SchoolClassInfo: Codable, Sendable, Hashable {
    public struct Teacher: Codable, Sendable, Hashable {
        public var username: String
        public var fullName: String
        public var subject: String
    }
    public var id: Int64
    public var year: String
    public var name: String
    public var students: Int
    public var teachers: [Teacher]
    /// The code students without a password use to set their first one; nil until a teacher makes one.
    public var joinCode: String?
}

/// A student of a class with the state of their account.
public struct ClassStudentLine: Codable, Sendable, Hashable {
    public var studentID: String
    public var fullName: String
    public var dateOfBirth: String?
    /// none (no password yet), temporary (a slip's or a reset's, to change on sign-in) or active.
    public var account: String
}

/// A student's first (or reset) password, printed on a slip: the only place it appears in clear.
public struct StudentSlip: Codable, Sendable, Hashable {
    public var studentID: String
    public var fullName: String
    public var className: String
    public var year: String
    public var password: String
}

/// What a teacher decides when giving a class a test to do from home.
public struct AssignmentDefinition: Codable, Sendable {
    public enum Counting: String, Codable, Sendable { case highest, last, average }
    public enum ReviewAfter: String, Codable, Sendable { case submit, close }
    public var title: String
    public var classIDs: [Int64]
    public var bank: String
    public var blueprint: Blueprint
    public var opensAt: Date
    public var closesAt: Date
    /// Late submissions are taken (and marked late) until then; nil: refused after `closesAt`.
    public var lateUntil: Date?
    /// Minutes per attempt from the student's start, capped by the window; nil: the window alone.
    public var timeLimitMinutes: Int?
    /// nil: unlimited.
    public var attemptsAllowed: Int?
    public var counting: Counting
    /// Each attempt its own paper drawn from the blueprint (questions and options shuffled), or one paper for all.
    public var ownPapers: Bool
    public var review: ExamDefinition.ReviewPolicy
    public var reviewAfter: ReviewAfter
    public var seed: UInt64
    /// A fixed set of the bank's questions (by id) instead of drawing from the blueprint: every paper holds exactly
    /// these, each at its own points, the total put on the 10-point scale; `blueprint` is then made from them.
    public var questionIDs: [String] = []

    public init(title: String, classIDs: [Int64], bank: String, blueprint: Blueprint, opensAt: Date, closesAt: Date, lateUntil: Date? = nil,
                timeLimitMinutes: Int? = nil, attemptsAllowed: Int? = 1, counting: Counting = .highest, ownPapers: Bool = true,
                review: ExamDefinition.ReviewPolicy = .key, reviewAfter: ReviewAfter = .submit, seed: UInt64 = UInt64.random(in: 1...UInt64(Int64.max))) {
        self.title = title; self.classIDs = classIDs; self.bank = bank; self.blueprint = blueprint; self.opensAt = opensAt; self.closesAt = closesAt
        self.lateUntil = lateUntil; self.timeLimitMinutes = timeLimitMinutes; self.attemptsAllowed = attemptsAllowed; self.counting = counting
        self.ownPapers = ownPapers; self.review = review; self.reviewAfter = reviewAfter; self.seed = seed
    }
}

/// An assignment at a glance.
public struct AssignmentSummary: Codable, Sendable, Hashable {
    public var id: Int64
    public var title: String
    /// The exam underneath (grading, results and statistics use its name).
    public var exam: String
    public var subject: String
    public var classes: [String]
    public var createdBy: String
    public var opensAt: Date
    public var closesAt: Date
    public var lateUntil: Date?
    public var timeLimitMinutes: Int?
    public var attemptsAllowed: Int?
    public var counting: AssignmentDefinition.Counting
    public var ownPapers: Bool
    public var review: ExamDefinition.ReviewPolicy
    public var reviewAfter: AssignmentDefinition.ReviewAfter
    public var questions: Int
    public var students: Int
    /// Students with at least one submitted attempt.
    public var submitted: Int
}

/// One attempt of a student at an assignment.
public struct AssignmentAttempt: Codable, Sendable, Hashable {
    public var number: Int
    /// The attempt's number in the exam underneath (the results and grading pages name it).
    public var sbd: String
    public var state: Attempt.State
    public var startedAt: Date?
    public var submittedAt: Date?
    public var score: Points?
    /// Essays still to grade: the score is provisional.
    public var pendingItems: Int
    public var late: Bool
}

/// A student's line in an assignment: their attempts and the score that counts.
public struct AssignmentLine: Codable, Sendable, Hashable {
    public var studentID: String
    public var fullName: String
    public var className: String
    /// not-started, in-progress, submitted or late (submitted after the window's end).
    public var state: String
    public var attempts: [AssignmentAttempt]
    /// By the assignment's rule (highest, last, average of submitted attempts); nil before any.
    public var counted: Points?
    /// An attempt that counts waits for a grader.
    public var provisional: Bool
}

/// The teacher's table of one assignment.
public struct AssignmentTable: Codable, Sendable, Hashable {
    /// Facility of each question over the submitted attempts (which the class got wrong).
    public struct Facility: Codable, Sendable, Hashable {
        public var questionID: String
        public var topic: String
        public var attempts: Int
        /// Mean share of the points, 0…1.
        public var facility: Double
    }
    public var assignment: AssignmentSummary
    public var lines: [AssignmentLine]
    public var facility: [Facility]
    public var counts: [String: Int]
}

/// An assignment as its student sees it on their home page.
public struct StudentAssignment: Codable, Sendable, Hashable {
    public var id: Int64
    public var title: String
    /// The exam underneath (its attempts sign the test page in).
    public var exam: String
    public var subject: String
    public var className: String
    public var opensAt: Date
    public var closesAt: Date
    public var lateUntil: Date?
    public var timeLimitMinutes: Int?
    public var attemptsAllowed: Int?
    public var counting: AssignmentDefinition.Counting
    /// upcoming, open, in-progress, done, missed.
    public var state: String
    public var attempts: [AssignmentAttempt]
    /// nil while the review waits for the window's end, or the policy shows no score.
    public var counted: Points?
    public var provisional: Bool
    public var canStart: Bool
    /// Starting now would be late (after the window's end, before the late limit).
    public var lateNow: Bool
}

/// A student's account, as sessions need it.
public struct StudentAccount: Codable, Sendable, Hashable {
    public var studentID: String
    public var fullName: String
    public var dateOfBirth: String?
    public var mustChangePassword: Bool
    public var sessionsValidAfter: Date?
    public var classes: [String]
}

/// A bank, or one topic of it, open to a class for practice.
public struct PracticeInfo: Codable, Sendable, Hashable {
    public var id: Int64
    public var className: String
    public var bank: String
    public var topic: String?
    public var questions: Int
    public var openedBy: String
    public var closed: Bool
}

/// A student's practice by topic: answered, points out of the maximum.
public struct PracticeProgress: Codable, Sendable, Hashable {
    public var topic: String
    public var answered: Int
    public var correct: Int
    public var awarded: Points
    public var maximum: Points
}

/// One question drawn for practice, and (after the answer) how it went.
public struct PracticeItem: Codable, Sendable, Hashable {
    public var question: Question
    public var points: Points
}

public struct PracticeOutcome: Codable, Sendable, Hashable {
    public var awarded: Points
    public var maximum: Points
    public var correct: Bool
    /// The question with its key and lời giải.
    public var question: Question
}

/// Classes, student accounts, assignments and practice.
public protocol ClassworkRepository: Sendable {
    func classes(for actor: Actor, coordinator: Bool) async throws -> [SchoolClassInfo]
    /// Makes the class (or finds it) and adds or renames its students by Mã học sinh; a teacher making it teaches it.
    func saveClass(year: String, name: String, students: [RosterEntry], teacherSubject: String?, by actor: Actor, coordinator: Bool, now: Date) async throws -> SchoolClassInfo
    func classDetail(id: Int64, for actor: Actor, coordinator: Bool) async throws -> (info: SchoolClassInfo, students: [ClassStudentLine], assignments: [AssignmentSummary], practice: [PracticeInfo])
    func setTeachers(classID: Int64, teachers: [(username: String, subject: String)], by actor: Actor, now: Date) async throws -> SchoolClassInfo
    /// Temporary passwords for the students without one (or for all), to print; audited.
    func issueSlips(classID: Int64, all: Bool, for actor: Actor, coordinator: Bool, now: Date) async throws -> [StudentSlip]
    func resetPassword(classID: Int64, studentID: String, for actor: Actor, coordinator: Bool, now: Date) async throws -> StudentSlip
    func newJoinCode(classID: Int64, for actor: Actor, coordinator: Bool, now: Date) async throws -> String

    func verifyStudent(studentID: String, password: String) async throws -> StudentAccount?
    func studentAccount(studentID: String) async throws -> StudentAccount?
    /// Sets a first password with the class's join code and the student's date of birth (when the school has it).
    func joinClass(studentID: String, joinCode: String, dateOfBirth: String?, newPassword: String, now: Date) async throws -> StudentAccount
    func changePassword(studentID: String, current: String, new: String, now: Date) async throws -> StudentAccount
    func signOutEverywhere(studentID: String, now: Date) async throws

    func createAssignment(_ definition: AssignmentDefinition, by actor: Actor, coordinator: Bool, now: Date) async throws -> AssignmentSummary
    func assignmentTable(id: Int64, for actor: Actor, coordinator: Bool, now: Date) async throws -> AssignmentTable
    func studentHome(studentID: String, now: Date) async throws -> (assignments: [StudentAssignment], practice: [PracticeInfo], progress: [PracticeProgress])
    /// The attempt to work on (the one in progress, or a new one): the exam and number to sign the test page into.
    func openAttempt(assignment: Int64, studentID: String, now: Date) async throws -> (exam: String, sbd: String)
    func pushAssignment(id: Int64, subject: String, semester: Int, slot: GradeSlot, commit: Bool, overwrite: Set<String>, by actor: Actor, coordinator: Bool,
                        now: Date) async throws -> [GradePush]
    func studentReport(classID: Int64, studentID: String, for actor: Actor, coordinator: Bool, now: Date) async throws -> [AssignmentLine]

    func openPractice(classID: Int64, bank: String, topic: String?, by actor: Actor, coordinator: Bool, now: Date) async throws -> PracticeInfo
    func closePractice(id: Int64, by actor: Actor, coordinator: Bool, now: Date) async throws
    func drawPractice(id: Int64, studentID: String, count: Int) async throws -> [PracticeItem]
    func answerPractice(id: Int64, studentID: String, questionID: String, response: ResponseValue, now: Date) async throws -> PracticeOutcome
}

extension DatabaseStore: ClassworkRepository {
    // MARK: classes

    public func classes(for actor: Actor, coordinator: Bool) async throws -> [SchoolClassInfo] {
        try await database.writer.read { db in
            let ids = coordinator
                ? try Int64.fetchAll(db, sql: "SELECT id FROM schoolClass ORDER BY year DESC, name")
                : try Int64.fetchAll(db, sql: """
                    SELECT DISTINCT c.id, c.year, c.name FROM schoolClass c JOIN classTeacher t ON t.classId = c.id JOIN staff s ON s.id = t.staffId
                    WHERE s.username = ? ORDER BY c.year DESC, c.name
                    """, arguments: [actor.username])
            return try ids.map { try Self.classInfo(db, id: $0) }
        }
    }

    static func classInfo(_ db: SQLConnection, id: Int64) throws -> SchoolClassInfo {
        guard let row = try SQLRow.fetchOne(db, sql: "SELECT id, year, name, joinCode FROM schoolClass WHERE id = ?", arguments: [id]) else {
            throw StoreError(.notFound, "không có lớp \(id) / no class \(id)", field: "class")
        }
        let teachers = try SQLRow.fetchAll(db, sql: """
            SELECT s.username, s.fullName, t.subject FROM classTeacher t JOIN staff s ON s.id = t.staffId WHERE t.classId = ? ORDER BY s.fullName, t.subject
            """, arguments: [id]).map { SchoolClassInfo.Teacher(username: $0["username"], fullName: $0["fullName"], subject: $0["subject"]) }
        let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM classStudent WHERE classId = ?", arguments: [id]) ?? 0
        return SchoolClassInfo(id: id, year: row["year"], name: row["name"], students: count, teachers: teachers, joinCode: row["joinCode"])
    }

    /// 404 for a class that does not exist, 403 for a teacher who does not teach it.
    static func checkClass(_ db: SQLConnection, id: Int64, actor: Actor, coordinator: Bool) throws {
        guard try Int.fetchOne(db, sql: "SELECT count(*) FROM schoolClass WHERE id = ?", arguments: [id])! > 0 else {
            throw StoreError(.notFound, "không có lớp \(id) / no class \(id)", field: "class")
        }
        guard !coordinator else { return }
        guard try Int.fetchOne(db, sql: """
            SELECT count(*) FROM classTeacher t JOIN staff s ON s.id = t.staffId WHERE t.classId = ? AND s.username = ?
            """, arguments: [id, actor.username])! > 0 else {
            throw StoreError(.forbidden, "bạn không dạy lớp này / you do not teach this class")
        }
    }

    public func saveClass(year: String, name: String, students: [RosterEntry], teacherSubject: String?, by actor: Actor, coordinator: Bool,
                          now: Date) async throws -> SchoolClassInfo {
        let name = name.trimmingCharacters(in: .whitespaces)
        try AppDatabase.checkYear(year)
        guard !name.isEmpty, name.count <= 40 else { throw StoreError.invalid("name", "tên lớp 1–40 ký tự / a class name of 1–40 characters") }
        return try await database.writer.write { db in
            let existing = try Int64.fetchOne(db, sql: "SELECT id FROM schoolClass WHERE year = ? AND name = ?", arguments: [year, name])
            if let existing { try Self.checkClass(db, id: existing, actor: actor, coordinator: coordinator) }
            let classId = try AppDatabase.schoolClass(db, year: year, name: name, create: true)
            for entry in students {
                _ = try AppDatabase.student(db, studentID: entry.studentID, fullName: entry.fullName, dateOfBirth: entry.dateOfBirth, classId: classId)
            }
            if existing == nil, !coordinator || teacherSubject != nil, let staffId = try Int64.fetchOne(db, sql: "SELECT id FROM staff WHERE username = ?", arguments: [actor.username]) {
                try db.execute(sql: "INSERT INTO classTeacher(classId, staffId, subject) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", arguments: [classId, staffId, teacherSubject ?? ""])
            }
            try AppDatabase.audit(db, action: "class.students", subject: "class:\(year)/\(name)", actor: actor, now: now,
                                  details: ["students": String(students.count), "created": String(existing == nil)])
            return try Self.classInfo(db, id: classId)
        }
    }

    public func classDetail(id: Int64, for actor: Actor, coordinator: Bool) async throws
        -> (info: SchoolClassInfo, students: [ClassStudentLine], assignments: [AssignmentSummary], practice: [PracticeInfo]) {
        try await database.writer.read { db in
            try Self.checkClass(db, id: id, actor: actor, coordinator: coordinator)
            let info = try Self.classInfo(db, id: id)
            let students = try SQLRow.fetchAll(db, sql: """
                SELECT s.studentId, s.fullName, s.dateOfBirth, s.passwordHash IS NOT NULL AS hasPassword, s.mustChangePassword
                FROM student s JOIN classStudent cs ON cs.studentId = s.id WHERE cs.classId = ?
                """, arguments: [id]).map { row in
                ClassStudentLine(studentID: row["studentId"], fullName: row["fullName"], dateOfBirth: row["dateOfBirth"],
                                 account: !(row["hasPassword"] as Bool) ? "none" : (row["mustChangePassword"] as Bool) ? "temporary" : "active")
            }
            let assignments = try Int64.fetchAll(db, sql: """
                SELECT a.id FROM assignment a JOIN assignmentClass ac ON ac.assignmentId = a.id WHERE ac.classId = ? ORDER BY a.opensAt DESC, a.id DESC
                """, arguments: [id]).map { try Self.assignmentSummary(db, id: $0) }
            let practice = try Self.practiceList(db, where: "p.classId = ?", arguments: [id])
            return (info, Self.sortedByName(students, \.fullName, \.studentID), assignments, practice)
        }
    }

    /// Vietnamese order of given names (tên), then family names; Mã học sinh breaks ties.
    static func sortedByName<T>(_ items: [T], _ name: KeyPath<T, String>, _ id: KeyPath<T, String>) -> [T] {
        let rank = Dictionary(VietnameseCollation.sortedNames(items.map { $0[keyPath: name] }).enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        return items.sorted { a, b in
            let x = rank[a[keyPath: name]]!, y = rank[b[keyPath: name]]!
            return x != y ? x < y : a[keyPath: id] < b[keyPath: id]
        }
    }

    public func setTeachers(classID: Int64, teachers: [(username: String, subject: String)], by actor: Actor, now: Date) async throws -> SchoolClassInfo {
        try await database.writer.write { db in
            try Self.checkClass(db, id: classID, actor: actor, coordinator: true)
            try db.execute(sql: "DELETE FROM classTeacher WHERE classId = ?", arguments: [classID])
            for teacher in teachers {
                guard let staffId = try Int64.fetchOne(db, sql: "SELECT id FROM staff WHERE username = ?", arguments: [teacher.username]) else {
                    throw StoreError(.notFound, "không có cán bộ \"\(teacher.username)\" / no member of staff \"\(teacher.username)\"", field: "teachers")
                }
                try db.execute(sql: "INSERT INTO classTeacher(classId, staffId, subject) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                               arguments: [classID, staffId, teacher.subject.trimmingCharacters(in: .whitespaces)])
            }
            let info = try Self.classInfo(db, id: classID)
            try AppDatabase.audit(db, action: "class.teachers", subject: "class:\(info.year)/\(info.name)", actor: actor, now: now,
                                  details: ["teachers": teachers.map { "\($0.username):\($0.subject)" }.joined(separator: ",")])
            return info
        }
    }

    // MARK: student accounts

    public func issueSlips(classID: Int64, all: Bool, for actor: Actor, coordinator: Bool, now: Date) async throws -> [StudentSlip] {
        // Hashed before the transaction: bcrypt is slow on purpose.
        let students = try await database.writer.read { db in
            try Self.checkClass(db, id: classID, actor: actor, coordinator: coordinator)
            return try SQLRow.fetchAll(db, sql: """
                SELECT s.id, s.studentId, s.fullName FROM student s JOIN classStudent cs ON cs.studentId = s.id
                WHERE cs.classId = ? AND (? <> 0 OR s.passwordHash IS NULL)
                """, arguments: [classID, all]).map { (id: $0["id"] as Int64, studentID: $0["studentId"] as String, fullName: $0["fullName"] as String) }
        }
        var made: [(Int64, StudentSlip, String)] = []
        for student in students {
            let password = StudentPasswords.newPassword()
            made.append((student.id, StudentSlip(studentID: student.studentID, fullName: student.fullName, className: "", year: "", password: password),
                         try await StudentPasswords.hash(password)))
        }
        let slips = made
        return try await database.writer.write { db in
            let info = try Self.classInfo(db, id: classID)
            for (id, _, hash) in slips {
                try db.execute(sql: "UPDATE student SET passwordHash = ?, mustChangePassword = 1, sessionsValidAfter = ? WHERE id = ?", arguments: [hash, now, id])
            }
            try AppDatabase.audit(db, action: "student.password", subject: "class:\(info.year)/\(info.name)", actor: actor, now: now,
                                  details: ["students": slips.map(\.1.studentID).joined(separator: ","), "all": String(all)])
            return Self.sortedByName(slips.map { var slip = $0.1; slip.className = info.name; slip.year = info.year; return slip }, \.fullName, \.studentID)
        }
    }

    public func resetPassword(classID: Int64, studentID: String, for actor: Actor, coordinator: Bool, now: Date) async throws -> StudentSlip {
        let password = StudentPasswords.newPassword()
        let hash = try await StudentPasswords.hash(password)
        return try await database.writer.write { db in
            try Self.checkClass(db, id: classID, actor: actor, coordinator: coordinator)
            guard let row = try SQLRow.fetchOne(db, sql: """
                SELECT s.id, s.fullName FROM student s JOIN classStudent cs ON cs.studentId = s.id WHERE cs.classId = ? AND s.studentId = ?
                """, arguments: [classID, studentID]) else {
                throw StoreError(.notFound, "lớp không có học sinh \(studentID) / no student \(studentID) in this class", field: "studentID")
            }
            try db.execute(sql: "UPDATE student SET passwordHash = ?, mustChangePassword = 1, sessionsValidAfter = ? WHERE id = ?", arguments: [hash, now, row["id"] as Int64])
            let info = try Self.classInfo(db, id: classID)
            try AppDatabase.audit(db, action: "student.password", subject: "student:\(studentID)", actor: actor, now: now, details: ["reset": "true"])
            return StudentSlip(studentID: studentID, fullName: row["fullName"], className: info.name, year: info.year, password: password)
        }
    }

    public func newJoinCode(classID: Int64, for actor: Actor, coordinator: Bool, now: Date) async throws -> String {
        let code = AppDatabase.randomCode(length: 8, alphabet: Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ"))
        return try await database.writer.write { db in
            try Self.checkClass(db, id: classID, actor: actor, coordinator: coordinator)
            try db.execute(sql: "UPDATE schoolClass SET joinCode = ? WHERE id = ?", arguments: [code, classID])
            try AppDatabase.audit(db, action: "class.joinCode", subject: "class:\(classID)", actor: actor, now: now)
            return code
        }
    }

    static func account(_ db: SQLConnection, studentID: String) throws -> (account: StudentAccount, hash: String?, id: Int64)? {
        guard let row = try SQLRow.fetchOne(db, sql: """
            SELECT id, studentId, fullName, dateOfBirth, passwordHash, mustChangePassword, sessionsValidAfter FROM student WHERE studentId = ?
            """, arguments: [studentID]) else { return nil }
        let classes = try String.fetchAll(db, sql: """
            SELECT c.name FROM schoolClass c JOIN classStudent cs ON cs.classId = c.id WHERE cs.studentId = ? ORDER BY c.year DESC, c.name
            """, arguments: [row["id"] as Int64])
        return (StudentAccount(studentID: row["studentId"], fullName: row["fullName"], dateOfBirth: row["dateOfBirth"], mustChangePassword: row["mustChangePassword"],
                               sessionsValidAfter: row["sessionsValidAfter"], classes: classes), row["passwordHash"], row["id"])
    }

    public func verifyStudent(studentID: String, password: String) async throws -> StudentAccount? {
        let found = try await database.writer.read { db in try Self.account(db, studentID: studentID) }
        // The same work whether or not the account exists.
        let matches = await StaffPasswords.verify(password, hash: found?.hash ?? StudentPasswords.decoyHash)
        guard matches, let found, found.hash != nil else { return nil }
        return found.account
    }

    public func studentAccount(studentID: String) async throws -> StudentAccount? {
        try await database.writer.read { db in try Self.account(db, studentID: studentID)?.account }
    }

    public func joinClass(studentID: String, joinCode: String, dateOfBirth: String?, newPassword: String, now: Date) async throws -> StudentAccount {
        let hash = try await StudentPasswords.hash(newPassword)
        let code = joinCode.uppercased().trimmingCharacters(in: .whitespaces)
        let refused = StoreError(.forbidden, "mã lớp, mã học sinh hoặc ngày sinh không đúng / wrong class code, student number or date of birth")
        return try await database.writer.write { db in
            guard let found = try Self.account(db, studentID: studentID), !code.isEmpty,
                  try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM schoolClass c JOIN classStudent cs ON cs.classId = c.id WHERE cs.studentId = ? AND c.joinCode = ?
                    """, arguments: [found.id, code])! > 0 else { throw refused }
            if let known = found.account.dateOfBirth, known != dateOfBirth { throw refused }
            guard found.hash == nil else {
                throw StoreError(.exists, "em đã có mật khẩu: hãy đăng nhập, hoặc nhờ thầy cô đặt lại / you have a password already: sign in, or ask your teacher to reset it")
            }
            try db.execute(sql: "UPDATE student SET passwordHash = ?, mustChangePassword = 0, sessionsValidAfter = ? WHERE id = ?", arguments: [hash, now, found.id])
            try AppDatabase.audit(db, action: "student.join", subject: "student:\(studentID)", actor: Actor(username: "student:\(studentID)", isAdmin: false), now: now)
            return try Self.account(db, studentID: studentID)!.account
        }
    }

    public func changePassword(studentID: String, current: String, new: String, now: Date) async throws -> StudentAccount {
        guard current != new else { throw StoreError.invalid("password", "mật khẩu mới phải khác mật khẩu cũ / the new password must differ") }
        guard try await verifyStudent(studentID: studentID, password: current) != nil else {
            throw StoreError(.forbidden, "mật khẩu hiện tại không đúng / the current password is wrong")
        }
        let hash = try await StudentPasswords.hash(new)
        return try await database.writer.write { db in
            try db.execute(sql: "UPDATE student SET passwordHash = ?, mustChangePassword = 0, sessionsValidAfter = ? WHERE studentId = ?", arguments: [hash, now, studentID])
            try AppDatabase.audit(db, action: "student.password", subject: "student:\(studentID)", actor: Actor(username: "student:\(studentID)", isAdmin: false), now: now)
            return try Self.account(db, studentID: studentID)!.account
        }
    }

    public func signOutEverywhere(studentID: String, now: Date) async throws {
        try await database.writer.write { db in
            try db.execute(sql: "UPDATE student SET sessionsValidAfter = ? WHERE studentId = ?", arguments: [now, studentID])
        }
    }

    // MARK: assignments

    public func createAssignment(_ definition: AssignmentDefinition, by actor: Actor, coordinator: Bool, now: Date) async throws -> AssignmentSummary {
        let title = definition.title.trimmingCharacters(in: .whitespaces)
        guard !title.isEmpty, title.count <= 200 else { throw StoreError.invalid("title", "tên bài 1–200 ký tự / a title of 1–200 characters") }
        guard !definition.classIDs.isEmpty else { throw StoreError.invalid("classes", "chọn ít nhất một lớp / choose at least one class") }
        guard definition.closesAt > definition.opensAt else { throw StoreError.invalid("closesAt", "hạn nộp phải sau lúc mở / the window must close after it opens") }
        if let late = definition.lateUntil, late <= definition.closesAt {
            throw StoreError.invalid("lateUntil", "hạn nộp muộn phải sau hạn nộp / late submissions must end after the window closes")
        }
        if let limit = definition.timeLimitMinutes, !(1...600).contains(limit) { throw StoreError.invalid("timeLimitMinutes", "thời gian làm bài 1–600 phút / 1 to 600 minutes") }
        if let attempts = definition.attemptsAllowed, !(1...20).contains(attempts) { throw StoreError.invalid("attemptsAllowed", "số lần làm 1–20, hoặc không giới hạn / 1 to 20 attempts, or unlimited") }
        return try await database.writer.write { db in
            for id in definition.classIDs { try Self.checkClass(db, id: id, actor: actor, coordinator: coordinator) }
            var definition = definition
            var fixed: QuestionBank?
            if !definition.questionIDs.isEmpty {
                (fixed, definition.blueprint) = try Self.fixedSet(db, bank: definition.bank, ids: definition.questionIDs, title: title)
            }
            let cap = definition.lateUntil ?? definition.closesAt
            let window = Int(cap.timeIntervalSince(definition.opensAt).rounded(.up))
            let exam = "\(title) · \(Self.shortDate(definition.opensAt)) · \(AppDatabase.randomCode(length: 4, alphabet: Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ")))"
            var examDefinition = ExamDefinition(
                name: exam, bank: definition.bank, blueprint: definition.blueprint, paperMode: .codes, codeCount: 1, firstCode: 1, seed: definition.seed,
                sessions: [.init(name: "Bài tập", timing: SessionTiming(opensAt: definition.opensAt, durationSeconds: definition.timeLimitMinutes.map { $0 * 60 } ?? window,
                                                                        lateEntrySeconds: window, graceSeconds: 30, policy: .fromStart, endsBy: cap))],
                rooms: ["—"], results: definition.reviewAfter == .submit ? .immediate : .later)
            examDefinition.review = definition.review
            examDefinition.takeover = .free
            try AppDatabase.createExam(db, examDefinition, now: now)
            let examId = try Int64.fetchOne(db, sql: "SELECT id FROM exam WHERE name = ?", arguments: [exam])!
            try db.execute(sql: "UPDATE exam SET kind = 'assignment', state = 'prepared', preparedAt = ?, resultsReleasedAt = ?, resultsReleasedBy = ? WHERE id = ?",
                           arguments: [now, definition.reviewAfter == .close ? cap : nil, definition.reviewAfter == .close ? actor.username : nil, examId])
            try db.execute(sql: "UPDATE examSession SET endsBy = ? WHERE examId = ?", arguments: [cap, examId])
            try db.execute(sql: "INSERT INTO examGrader(examId, username) VALUES (?, ?)", arguments: [examId, actor.username])
            // The papers: one for everyone, or a pool of own papers (one per student and attempt, up to three
            // attempts, and up to 200: a class never shares one; an assignment for a whole grade reuses the pool).
            let students = try Int.fetchOne(db, sql: "SELECT count(DISTINCT studentId) FROM classStudent WHERE classId IN (\(definition.classIDs.map { _ in "?" }.joined(separator: ",")))",
                                            arguments: SQLArguments(definition.classIDs))!
            let pool = definition.ownPapers ? min(max(1, students * min(definition.attemptsAllowed ?? 3, 3)), 200) : 1
            try Self.makePapers(db, examId: examId, bank: definition.bank, blueprint: definition.blueprint, seed: definition.seed, count: pool, only: fixed)
            let id = try db.insert(sql: """
                INSERT INTO assignment(examId, title, createdBy, opensAt, closesAt, lateUntil, timeLimitSeconds, attemptsAllowed, counting, ownPapers, reviewAfter, createdAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [examId, title, actor.username, definition.opensAt, definition.closesAt, definition.lateUntil, definition.timeLimitMinutes.map { $0 * 60 },
                                 definition.attemptsAllowed, definition.counting.rawValue, definition.ownPapers, definition.reviewAfter.rawValue, now])
            for classId in Set(definition.classIDs) {
                try db.execute(sql: "INSERT INTO assignmentClass(assignmentId, classId) VALUES (?, ?)", arguments: [id, classId])
            }
            try AppDatabase.audit(db, action: "assignment.create", subject: "assignment:\(id)", actor: actor, now: now, details: [
                "title": title, "exam": exam, "classes": definition.classIDs.map(String.init).joined(separator: ","),
                "opensAt": ISO8601DateFormatter().string(from: definition.opensAt), "closesAt": ISO8601DateFormatter().string(from: definition.closesAt),
                "attempts": definition.attemptsAllowed.map(String.init) ?? "unlimited", "counting": definition.counting.rawValue,
            ])
            return try Self.assignmentSummary(db, id: id)
        }
    }

    static func shortDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")
        formatter.dateFormat = "dd/MM/yyyy"
        return formatter.string(from: date)
    }

    /// The papers of an assignment; `only`: the fixed set's questions (every paper holds them all, scored on 10).
    static func makePapers(_ db: SQLConnection, examId: Int64, bank: String, blueprint: Blueprint, seed: UInt64, count: Int, only: QuestionBank? = nil) throws {
        guard let bankId = try Int64.fetchOne(db, sql: "SELECT id FROM bank WHERE name = ?", arguments: [bank]) else {
            throw StoreError(.notFound, "không có ngân hàng \"\(bank)\" / no bank named \"\(bank)\"", field: "bank")
        }
        let source = try AppDatabase.paperBank(db, bankId: bankId, name: bank)
        let generator = try PaperGenerator(blueprint: blueprint, bank: only ?? source.bank)
        try generator.generate(PaperRequest(mode: .codes(PaperRequest.numberedCodes(count, first: 1)), seed: seed)) { paper in
            var paper = paper
            if only != nil { paper.maxScore = 10 }
            _ = try AppDatabase.insertPaper(db, examId: examId, paper, revisionIDs: source.revisionIDs)
        }
    }

    /// The bank's questions named by `ids` (current revisions, not retired; a passage's questions only all together)
    /// as a bank of their own, and the blueprint only they fill.
    static func fixedSet(_ db: SQLConnection, bank: String, ids: [String], title: String) throws -> (QuestionBank, Blueprint) {
        guard let bankId = try Int64.fetchOne(db, sql: "SELECT id FROM bank WHERE name = ?", arguments: [bank]) else {
            throw StoreError(.notFound, "không có ngân hàng \"\(bank)\" / no bank named \"\(bank)\"", field: "bank")
        }
        guard Set(ids).count == ids.count, ids.count <= 200 else {
            throw StoreError.invalid("questions", "tối đa 200 câu, không lặp lại / at most 200 questions, none twice")
        }
        let source = try AppDatabase.paperBank(db, bankId: bankId, name: bank).bank
        let byID = Dictionary(source.questions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let unknown = ids.filter { byID[$0] == nil }
        guard unknown.isEmpty else {
            throw StoreError(.invalid, "ngân hàng \"\(bank)\" không có câu (hoặc câu đã ngừng dùng): \(unknown.joined(separator: ", ")) / not in the bank (or retired)",
                             field: "questions", problems: unknown)
        }
        let chosen = ids.map { byID[$0]! }
        let groups = Set(chosen.compactMap(\.groupID))
        let partial = groups.filter { group in source.questions.contains { $0.groupID == group && !ids.contains($0.id) } }
        guard partial.isEmpty else {
            throw StoreError(.invalid, "câu của một đoạn văn phải chọn cả đoạn: \(partial.sorted().joined(separator: ", ")) / a passage's questions go together",
                             field: "questions", problems: partial.sorted())
        }
        let restricted = QuestionBank(name: source.name, subject: source.subject, questions: chosen, groups: source.groups.filter { groups.contains($0.id) })
        return (restricted, try Blueprint.fixedSet(chosen, name: title, subject: source.subject ?? chosen[0].subject))
    }

    /// `counts`: the students and those who submitted (a scan of the attempts; a student's own view needs neither).
    static func assignmentSummary(_ db: SQLConnection, id: Int64, counts: Bool = true) throws -> AssignmentSummary {
        guard let row = try SQLRow.fetchOne(db, sql: """
            SELECT a.*, e.name AS exam, e.subject, e.reviewPolicy, e.blueprint FROM assignment a JOIN exam e ON e.id = a.examId WHERE a.id = ?
            """, arguments: [id]) else { throw StoreError(.notFound, "không có bài tập \(id) / no assignment \(id)", field: "assignment") }
        let classes = try String.fetchAll(db, sql: """
            SELECT c.name FROM schoolClass c JOIN assignmentClass ac ON ac.classId = c.id WHERE ac.assignmentId = ? ORDER BY c.name
            """, arguments: [id])
        let students = !counts ? 0 : try Int.fetchOne(db, sql: """
            SELECT count(DISTINCT cs.studentId) FROM classStudent cs JOIN assignmentClass ac ON ac.classId = cs.classId WHERE ac.assignmentId = ?
            """, arguments: [id]) ?? 0
        let submitted = !counts ? 0 : try Int.fetchOne(db, sql: """
            SELECT count(DISTINCT c.studentId) FROM candidate c JOIN attempt t ON t.candidateId = c.id WHERE c.examId = ? AND t.state = 'submitted'
            """, arguments: [row["examId"] as Int64]) ?? 0
        let questions = (try? JSONDecoder().decode(Blueprint.self, from: Data((row["blueprint"] as String).utf8)).questionCount) ?? 0
        return AssignmentSummary(id: id, title: row["title"], exam: row["exam"], subject: row["subject"], classes: classes, createdBy: row["createdBy"],
                                 opensAt: row["opensAt"], closesAt: row["closesAt"], lateUntil: row["lateUntil"],
                                 timeLimitMinutes: (row["timeLimitSeconds"] as Int?).map { $0 / 60 }, attemptsAllowed: row["attemptsAllowed"],
                                 counting: AssignmentDefinition.Counting(rawValue: row["counting"]) ?? .highest, ownPapers: row["ownPapers"],
                                 review: ExamDefinition.ReviewPolicy(rawValue: row["reviewPolicy"]) ?? .score,
                                 reviewAfter: AssignmentDefinition.ReviewAfter(rawValue: row["reviewAfter"]) ?? .submit,
                                 questions: questions, students: students, submitted: submitted)
    }

    /// 404 for no such assignment, 403 for a teacher who teaches none of its classes.
    static func checkAssignment(_ db: SQLConnection, id: Int64, actor: Actor, coordinator: Bool) throws {
        let classes = try Int64.fetchAll(db, sql: "SELECT classId FROM assignmentClass WHERE assignmentId = ?", arguments: [id])
        guard try Int.fetchOne(db, sql: "SELECT count(*) FROM assignment WHERE id = ?", arguments: [id])! > 0 else {
            throw StoreError(.notFound, "không có bài tập \(id) / no assignment \(id)", field: "assignment")
        }
        guard !coordinator else { return }
        let mine = try Int.fetchOne(db, sql: "SELECT count(*) FROM assignment WHERE id = ? AND createdBy = ?", arguments: [id, actor.username])! > 0
        if mine { return }
        for classId in classes {
            if (try? checkClass(db, id: classId, actor: actor, coordinator: false)) != nil { return }
        }
        throw StoreError(.forbidden, "bài tập này không thuộc lớp bạn dạy / this assignment is not for a class of yours")
    }

    /// Every student of the assignment's classes with their attempts, the counted score by the assignment's rule.
    static func assignmentLines(_ db: SQLConnection, id: Int64, onlyStudent: String? = nil) throws -> (AssignmentSummary, [AssignmentLine]) {
        let summary = try assignmentSummary(db, id: id, counts: onlyStudent == nil)
        let examId = try Int64.fetchOne(db, sql: "SELECT examId FROM assignment WHERE id = ?", arguments: [id])!
        var attempts: [String: [AssignmentAttempt]] = [:]
        for row in try SQLRow.fetchAll(db, sql: """
            SELECT c.studentId, c.attemptNumber, c.sbd, t.state, t.startedAt, t.submittedAt, t.scoreHundredths, t.pendingItems
            FROM candidate c LEFT JOIN attempt t ON t.candidateId = c.id WHERE c.examId = ? AND (CAST(? AS TEXT) IS NULL OR c.studentId = ?) ORDER BY c.attemptNumber
            """, arguments: [examId, onlyStudent, onlyStudent]) {
            let state: Attempt.State = switch row["state"] as String? { case nil: .notStarted; case "submitted"?: .submitted; default: .inProgress }
            let submittedAt: Date? = row["submittedAt"]
            attempts[row["studentId"], default: []].append(AssignmentAttempt(
                number: row["attemptNumber"], sbd: row["sbd"], state: state, startedAt: row["startedAt"], submittedAt: submittedAt,
                score: (row["scoreHundredths"] as Int?).map(Points.init(hundredths:)), pendingItems: row["pendingItems"] ?? 0,
                late: submittedAt.map { $0 > summary.closesAt } ?? false))
        }
        let students = try SQLRow.fetchAll(db, sql: """
            SELECT DISTINCT s.studentId, s.fullName, c.name AS className FROM student s JOIN classStudent cs ON cs.studentId = s.id
            JOIN schoolClass c ON c.id = cs.classId JOIN assignmentClass ac ON ac.classId = c.id WHERE ac.assignmentId = ? AND (CAST(? AS TEXT) IS NULL OR s.studentId = ?)
            """, arguments: [id, onlyStudent, onlyStudent])
        var lines = students.map { row -> AssignmentLine in
            let mine = attempts[row["studentId"]] ?? []
            let (counted, provisional) = counted(mine, rule: summary.counting)
            let submitted = mine.filter { $0.state == .submitted }
            let state = submitted.isEmpty ? (mine.contains { $0.state == .inProgress } ? "in-progress" : "not-started")
                : submitted.allSatisfy(\.late) ? "late" : "submitted"
            return AssignmentLine(studentID: row["studentId"], fullName: row["fullName"], className: row["className"], state: state, attempts: mine,
                                  counted: counted, provisional: provisional)
        }
        lines = sortedByName(lines, \.fullName, \.studentID).sorted { VietnameseCollation.precedes($0.className, $1.className) && $0.className != $1.className }
        return (summary, lines)
    }

    /// The score that counts: the highest, the last or the mean (half up to the hundredth) of the submitted attempts.
    static func counted(_ attempts: [AssignmentAttempt], rule: AssignmentDefinition.Counting) -> (Points?, Bool) {
        let submitted = attempts.filter { $0.state == .submitted && $0.score != nil }
        guard !submitted.isEmpty else { return (nil, false) }
        switch rule {
        case .highest:
            let best = submitted.max { $0.score! < $1.score! }!
            // A pending essay may still raise another attempt above it.
            return (best.score, submitted.contains { $0.pendingItems > 0 })
        case .last:
            let last = submitted.max { $0.number < $1.number }!
            return (last.score, last.pendingItems > 0)
        case .average:
            let total = submitted.reduce(0) { $0 + $1.score!.hundredths }
            return (Points(hundredths: Rounding.divideHalfUp(total, by: submitted.count)), submitted.contains { $0.pendingItems > 0 })
        }
    }

    public func assignmentTable(id: Int64, for actor: Actor, coordinator: Bool, now: Date) async throws -> AssignmentTable {
        try await database.writer.read { db in
            try Self.checkAssignment(db, id: id, actor: actor, coordinator: coordinator)
            let (summary, lines) = try Self.assignmentLines(db, id: id)
            var counts: [String: Int] = [:]
            for line in lines { counts[line.state, default: 0] += 1 }
            return AssignmentTable(assignment: summary, lines: lines, facility: try Self.facility(db, assignment: id), counts: counts)
        }
    }

    /// Per question over submitted attempts: the mean share of its points.
    static func facility(_ db: SQLConnection, assignment id: Int64) throws -> [AssignmentTable.Facility] {
        let examId = try Int64.fetchOne(db, sql: "SELECT examId FROM assignment WHERE id = ?", arguments: [id])!
        var questionAt: [Int64: [Int: (String, String)]] = [:]
        for row in try SQLRow.fetchAll(db, sql: """
            SELECT pi.paperId, pi.position, q.externalId, q.currentTopic AS topic FROM paperItem pi JOIN paper p ON p.id = pi.paperId
            JOIN questionRevision r ON r.id = pi.questionRevisionId JOIN question q ON q.id = r.questionId WHERE p.examId = ?
            """, arguments: [examId]) {
            questionAt[row["paperId"], default: [:]][row["position"]] = (row["externalId"], (row["topic"] as String?) ?? "")
        }
        var sums: [String: (topic: String, attempts: Int, share: Double)] = [:]
        for row in try SQLRow.fetchAll(db, sql: """
            SELECT c.paperId, t.breakdown FROM attempt t JOIN candidate c ON c.id = t.candidateId WHERE c.examId = ? AND t.state = 'submitted' AND t.breakdown IS NOT NULL
            """, arguments: [examId]) {
            guard let points = PaperScore.storedPoints(row["breakdown"]), let positions = questionAt[row["paperId"]] else { continue }
            for (index, item) in points.items.enumerated() where item.maximum > 0 {
                guard let (question, topic) = positions[index + 1] else { continue }
                var sum = sums[question] ?? (topic, 0, 0)
                sum.attempts += 1
                sum.share += Double(item.awarded) / Double(item.maximum)
                sums[question] = sum
            }
        }
        return sums.map { AssignmentTable.Facility(questionID: $0.key, topic: $0.value.topic, attempts: $0.value.attempts, facility: $0.value.share / Double($0.value.attempts)) }
            .sorted { $0.facility != $1.facility ? $0.facility < $1.facility : $0.questionID < $1.questionID }
    }

    public func studentHome(studentID: String, now: Date) async throws -> (assignments: [StudentAssignment], practice: [PracticeInfo], progress: [PracticeProgress]) {
        try await database.writer.read { db in
            let ids = try SQLRow.fetchAll(db, sql: """
                SELECT DISTINCT a.id, c.name AS className, a.closesAt FROM assignment a JOIN assignmentClass ac ON ac.assignmentId = a.id JOIN schoolClass c ON c.id = ac.classId
                JOIN classStudent cs ON cs.classId = c.id JOIN student s ON s.id = cs.studentId WHERE s.studentId = ? ORDER BY a.closesAt, a.id
                """, arguments: [studentID])
            var seen = Set<Int64>()
            var assignments: [StudentAssignment] = []
            for row in ids where seen.insert(row["id"]).inserted {
                let (summary, lines) = try Self.assignmentLines(db, id: row["id"], onlyStudent: studentID)
                guard let line = lines.first else { continue }
                assignments.append(Self.studentView(summary, line: line, className: row["className"], now: now))
            }
            let practice = try Self.practiceList(db, where: """
                p.closedAt IS NULL AND p.classId IN (SELECT cs.classId FROM classStudent cs JOIN student s ON s.id = cs.studentId WHERE s.studentId = ?)
                """, arguments: [studentID])
            let progress = try SQLRow.fetchAll(db, sql: """
                SELECT a.topic, count(*) AS answered, sum(CASE WHEN a.awardedHundredths = a.maximumHundredths THEN 1 ELSE 0 END) AS correct, sum(a.awardedHundredths) AS awarded,
                       sum(a.maximumHundredths) AS maximum FROM practiceAnswer a JOIN student s ON s.id = a.studentId WHERE s.studentId = ?
                GROUP BY a.topic ORDER BY a.topic
                """, arguments: [studentID]).map {
                PracticeProgress(topic: $0["topic"], answered: $0["answered"], correct: $0["correct"], awarded: Points(hundredths: $0["awarded"]),
                                 maximum: Points(hundredths: $0["maximum"]))
            }
            return (assignments, practice, progress)
        }
    }

    static func studentView(_ summary: AssignmentSummary, line: AssignmentLine, className: String, now: Date) -> StudentAssignment {
        let cap = summary.lateUntil ?? summary.closesAt
        let inProgress = line.attempts.contains { $0.state == .inProgress }
        let used = line.attempts.filter { $0.state != .notStarted }.count
        let attemptsLeft = summary.attemptsAllowed.map { used < $0 } ?? true
        let open = now >= summary.opensAt && now < cap
        let state = now < summary.opensAt ? "upcoming" : inProgress ? "in-progress"
            : line.attempts.contains { $0.state == .submitted } ? "done" : open ? "open" : "missed"
        // The score shows as the review policy says, and when it says.
        let shows = summary.review > .none && (summary.reviewAfter == .submit || now >= cap)
        var attempts = line.attempts
        if !shows { for index in attempts.indices { attempts[index].score = nil } }
        return StudentAssignment(id: summary.id, title: summary.title, exam: summary.exam, subject: summary.subject, className: className, opensAt: summary.opensAt,
                                 closesAt: summary.closesAt, lateUntil: summary.lateUntil, timeLimitMinutes: summary.timeLimitMinutes,
                                 attemptsAllowed: summary.attemptsAllowed, counting: summary.counting, state: state, attempts: attempts,
                                 counted: shows ? line.counted : nil, provisional: line.provisional, canStart: inProgress || (open && attemptsLeft),
                                 lateNow: now >= summary.closesAt && now < cap)
    }

    public func openAttempt(assignment id: Int64, studentID: String, now: Date) async throws -> (exam: String, sbd: String) {
        // Decided on a read (the window, the attempts left, the paper); the write is only the new attempt's row, so
        // the answer writer waits for it as little as possible.
        let decision = try await database.writer.read { db -> OpenDecision in
            guard let student = try SQLRow.fetchOne(db, sql: """
                SELECT s.id, s.fullName, s.dateOfBirth, c.name AS className FROM student s JOIN classStudent cs ON cs.studentId = s.id
                JOIN schoolClass c ON c.id = cs.classId JOIN assignmentClass ac ON ac.classId = c.id WHERE ac.assignmentId = ? AND s.studentId = ?
                """, arguments: [id, studentID]) else {
                // Not one of the student's: the same answer as no such assignment.
                throw StoreError(.notFound, "không có bài tập \(id) / no assignment \(id)", field: "assignment")
            }
            let (summary, lines) = try Self.assignmentLines(db, id: id, onlyStudent: studentID)
            let view = Self.studentView(summary, line: lines.first!, className: student["className"], now: now)
            if let current = view.attempts.first(where: { $0.state == .inProgress }) { return .existing(exam: summary.exam, sbd: current.sbd) }
            if let unstarted = view.attempts.first(where: { $0.state == .notStarted }), view.canStart { return .existing(exam: summary.exam, sbd: unstarted.sbd) }
            guard view.canStart else {
                if now < summary.opensAt { throw StoreError(.invalid, "bài chưa mở / the assignment is not open yet", field: "assignment") }
                if let allowed = summary.attemptsAllowed, view.attempts.count >= allowed, now < (summary.lateUntil ?? summary.closesAt) {
                    throw StoreError(.invalid, "em đã làm đủ \(allowed) lần / you have used all \(allowed) attempts", field: "assignment")
                }
                throw StoreError(.invalid, "đã hết hạn nộp bài / the assignment is closed", field: "assignment")
            }
            let examId: Int64 = try AppDatabase.examRow(db, summary.exam)["id"]
            let number = (view.attempts.map(\.number).max() ?? 0) + 1
            // The paper: the student's place in the assignment's classes spreads own papers over the pool.
            let papers = try Int64.fetchAll(db, sql: "SELECT id FROM paper WHERE examId = ? ORDER BY id", arguments: [examId])
            let rank = try Int.fetchOne(db, sql: """
                SELECT count(DISTINCT s.studentId) FROM student s JOIN classStudent cs ON cs.studentId = s.id JOIN assignmentClass ac ON ac.classId = cs.classId
                WHERE ac.assignmentId = ? AND s.studentId < ?
                """, arguments: [id, studentID]) ?? 0
            let sessionId = try Int64.fetchOne(db, sql: "SELECT id FROM examSession WHERE examId = ?", arguments: [examId])!
            return .new(NewAttempt(exam: summary.exam, examId: examId, number: number,
                                   paperId: papers[(rank * min(summary.attemptsAllowed ?? 3, 3) + number - 1) % papers.count], sessionId: sessionId,
                                   fullName: student["fullName"], dateOfBirth: student["dateOfBirth"], className: student["className"]))
        }
        guard case let .new(attempt) = decision else {
            if case let .existing(exam, sbd) = decision { return (exam, sbd) }
            fatalError("unreachable")
        }
        let examDay = self.examDay
        let sbd = "\(studentID)-\(attempt.number)"
        let inserted = try await database.writer.write { db -> (version: Int, candidate: ExamDay.Candidate)? in
            // Another request of the same student got here first (a double tap): theirs is the attempt.
            let latest = try Int.fetchOne(db, sql: "SELECT max(attemptNumber) FROM candidate WHERE examId = ? AND studentId = ?",
                                          arguments: [attempt.examId, studentID]) ?? 0
            guard latest < attempt.number else { return nil }
            let candidateId = try db.insert(sql: """
                INSERT INTO candidate(examId, studentId, fullName, dateOfBirth, className, sbd, examSessionId, paperId, attemptNumber) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [attempt.examId, studentID, attempt.fullName, attempt.dateOfBirth, attempt.className, sbd, attempt.sessionId,
                                 attempt.paperId, attempt.number])
            let version = try ExamDay.bumpVersion(db, examId: attempt.examId)
            return (version, try ExamDay.fetchCandidates(db, where: "c.id = ?", arguments: [candidateId]).first!)
        }
        guard let inserted else { return try await openAttempt(assignment: id, studentID: studentID, now: now) }
        examDay.apply(examId: attempt.examId, version: inserted.version) { exam in
            exam.candidates[inserted.candidate.sbd] = inserted.candidate
            exam.sbdByCandidate[inserted.candidate.id] = inserted.candidate.sbd
        }
        return (attempt.exam, sbd)
    }

    public func pushAssignment(id: Int64, subject: String, semester: Int, slot: GradeSlot, commit: Bool, overwrite: Set<String>, by actor: Actor,
                               coordinator: Bool, now: Date) async throws -> [GradePush] {
        let push: @Sendable (SQLConnection) throws -> [GradePush] = { db in
            try Self.checkAssignment(db, id: id, actor: actor, coordinator: coordinator)
            let (summary, lines) = try Self.assignmentLines(db, id: id)
            // One push per class year (an assignment's classes share a year in practice, but need not).
            var byYear: [String: [ResultRow]] = [:]
            for line in lines {
                let year = try String.fetchOne(db, sql: """
                    SELECT c.year FROM schoolClass c JOIN assignmentClass ac ON ac.classId = c.id WHERE ac.assignmentId = ? AND c.name = ?
                    """, arguments: [id, line.className]) ?? ""
                var row = ResultRow(studentID: line.studentID, fullName: line.fullName, className: line.className, score: line.counted)
                row.state = line.counted == nil ? (line.state == "in-progress" ? .inProgress : .notStarted) : line.provisional ? .pending : .final
                byYear[year, default: []].append(row)
            }
            return try byYear.keys.sorted().map { year in
                try AppDatabase.gradePush(db, exam: summary.exam, year: year, subject: subject, semester: semester, slot: slot, commit: commit,
                                          overwrite: overwrite, actor: actor, now: now, rows: byYear[year]!)
            }
        }
        return commit ? try await database.writer.write(push) : try await database.writer.read(push)
    }

    public func studentReport(classID: Int64, studentID: String, for actor: Actor, coordinator: Bool, now: Date) async throws -> [AssignmentLine] {
        try await database.writer.read { db in
            try Self.checkClass(db, id: classID, actor: actor, coordinator: coordinator)
            guard try Int.fetchOne(db, sql: """
                SELECT count(*) FROM classStudent cs JOIN student s ON s.id = cs.studentId WHERE cs.classId = ? AND s.studentId = ?
                """, arguments: [classID, studentID])! > 0 else {
                throw StoreError(.notFound, "lớp không có học sinh \(studentID) / no student \(studentID) in this class", field: "studentID")
            }
            return try Int64.fetchAll(db, sql: """
                SELECT a.id FROM assignment a JOIN assignmentClass ac ON ac.assignmentId = a.id WHERE ac.classId = ? ORDER BY a.opensAt
                """, arguments: [classID]).compactMap { id in
                let (summary, lines) = try Self.assignmentLines(db, id: id, onlyStudent: studentID)
                guard var line = lines.first else { return nil }
                line.className = summary.title
                return line
            }
        }
    }

    // MARK: practice

    static func practiceList(_ db: SQLConnection, where condition: String, arguments: SQLArguments) throws -> [PracticeInfo] {
        try SQLRow.fetchAll(db, sql: """
            SELECT p.id, c.name AS className, b.name AS bank, p.topic, p.openedBy, p.closedAt IS NOT NULL AS closed,
                   (SELECT count(*) FROM question q WHERE q.bankId = p.bankId AND q.retired = 0 AND (p.topic IS NULL OR q.currentTopic = p.topic)) AS questions
            FROM practice p JOIN schoolClass c ON c.id = p.classId JOIN bank b ON b.id = p.bankId WHERE \(condition) ORDER BY p.id DESC
            """, arguments: arguments).map {
            PracticeInfo(id: $0["id"], className: $0["className"], bank: $0["bank"], topic: $0["topic"], questions: $0["questions"], openedBy: $0["openedBy"],
                         closed: $0["closed"])
        }
    }

    public func openPractice(classID: Int64, bank: String, topic: String?, by actor: Actor, coordinator: Bool, now: Date) async throws -> PracticeInfo {
        let topic = topic?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        return try await database.writer.write { db in
            try Self.checkClass(db, id: classID, actor: actor, coordinator: coordinator)
            guard let bankId = try Int64.fetchOne(db, sql: "SELECT id FROM bank WHERE name = ?", arguments: [bank]) else {
                throw StoreError(.notFound, "không có ngân hàng \"\(bank)\" / no bank named \"\(bank)\"", field: "bank")
            }
            let questions = try Int.fetchOne(db, sql: "SELECT count(*) FROM question WHERE bankId = ? AND retired = 0 AND (CAST(? AS TEXT) IS NULL OR currentTopic = ?)",
                                             arguments: [bankId, topic, topic])!
            guard questions > 0 else { throw StoreError.invalid("topic", "chủ đề không có câu hỏi nào / no question on this topic") }
            let id = try db.insert(sql: "INSERT INTO practice(classId, bankId, topic, openedBy, openedAt) VALUES (?, ?, ?, ?, ?)",
                           arguments: [classID, bankId, topic, actor.username, now])
            try AppDatabase.audit(db, action: "practice.open", subject: "practice:\(id)", actor: actor, now: now, details: ["bank": bank, "topic": topic ?? ""])
            return try Self.practiceList(db, where: "p.id = ?", arguments: [id]).first!
        }
    }

    public func closePractice(id: Int64, by actor: Actor, coordinator: Bool, now: Date) async throws {
        try await database.writer.write { db in
            guard let classId = try Int64.fetchOne(db, sql: "SELECT classId FROM practice WHERE id = ?", arguments: [id]) else {
                throw StoreError(.notFound, "không có bài luyện tập \(id) / no practice \(id)", field: "practice")
            }
            try Self.checkClass(db, id: classId, actor: actor, coordinator: coordinator)
            try db.execute(sql: "UPDATE practice SET closedAt = ? WHERE id = ?", arguments: [now, id])
            try AppDatabase.audit(db, action: "practice.close", subject: "practice:\(id)", actor: actor, now: now)
        }
    }

    /// The practice's questions as the student may use them: 404 unless it is open to a class of theirs.
    static func practiceQuestions(_ db: SQLConnection, id: Int64, studentID: String) throws -> [(question: Question, topic: String)] {
        guard let row = try SQLRow.fetchOne(db, sql: """
            SELECT p.bankId, p.topic FROM practice p JOIN classStudent cs ON cs.classId = p.classId JOIN student s ON s.id = cs.studentId
            WHERE p.id = ? AND s.studentId = ? AND p.closedAt IS NULL
            """, arguments: [id, studentID]) else { throw StoreError(.notFound, "không có bài luyện tập \(id) / no practice \(id)", field: "practice") }
        let decoder = JSONDecoder()
        return try SQLRow.fetchAll(db, sql: """
            SELECT r.content, q.currentTopic AS topic FROM question q JOIN questionRevision r ON r.questionId = q.id AND r.revision = q.currentRevision
            WHERE q.bankId = ? AND q.retired = 0 AND (CAST(? AS TEXT) IS NULL OR q.currentTopic = ?) ORDER BY q.id
            """, arguments: [row["bankId"] as Int64, row["topic"] as String?, row["topic"] as String?]).compactMap { row in
            guard let question = try? decoder.decode(Question.self, from: Data((row["content"] as String).utf8)) else { return nil }
            return (question, (row["topic"] as String?) ?? question.topic)
        }
    }

    /// How a practice question appears to one student: options shuffled the same way every time (the answer is
    /// scored against what the student saw).
    static func presented(_ question: Question, practice: Int64, studentID: String) -> Question {
        var rng = SeededGenerator(seed: SHA256.hash(data: Data("\(practice)\n\(studentID)\n\(question.id)".utf8)).withUnsafeBytes { $0.load(as: UInt64.self) })
        return PaperGenerator.present(question, rng: &rng)
    }

    public func drawPractice(id: Int64, studentID: String, count: Int) async throws -> [PracticeItem] {
        guard (1...50).contains(count) else { throw StoreError.invalid("count", "rút 1–50 câu / draw 1 to 50 questions") }
        let questions = try await database.writer.read { db in try Self.practiceQuestions(db, id: id, studentID: studentID) }
        // Stand-alone questions scored by the machine: a passage needs its passage, an essay a grader.
        var pool = questions.filter { $0.question.groupID == nil && $0.question.kind != .essay }
        var rng = SeededGenerator(seed: UInt64.random(in: 1...UInt64(Int64.max)))
        rng.shuffle(&pool)
        return pool.prefix(count).map { PracticeItem(question: Self.presented($0.question, practice: id, studentID: studentID), points: Points(1)) }
    }

    public func answerPractice(id: Int64, studentID: String, questionID: String, response: ResponseValue, now: Date) async throws -> PracticeOutcome {
        try await database.writer.write { db in
            let questions = try Self.practiceQuestions(db, id: id, studentID: studentID)
            guard let entry = questions.first(where: { $0.question.id == questionID && $0.question.kind != .essay && $0.question.groupID == nil }) else {
                throw StoreError(.notFound, "bài luyện tập không có câu \(questionID) / no question \(questionID) in this practice", field: "questionID")
            }
            let shown = Self.presented(entry.question, practice: id, studentID: studentID)
            let score = Scoring.score(shown, points: Points(1), response: response)
            let studentId = try Int64.fetchOne(db, sql: "SELECT id FROM student WHERE studentId = ?", arguments: [studentID])!
            try db.execute(sql: """
                INSERT INTO practiceAnswer(practiceId, studentId, questionId, topic, awardedHundredths, maximumHundredths, answeredAt) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, studentId, questionID, entry.topic, score.awarded.hundredths, score.maximum.hundredths, now])
            return PracticeOutcome(awarded: score.awarded, maximum: score.maximum, correct: score.status == .correct, question: shown)
        }
    }
}

/// What opening an attempt found: the attempt to go on with, or the new one to make.
private enum OpenDecision: Sendable {
    case existing(exam: String, sbd: String)
    case new(NewAttempt)
}

private struct NewAttempt: Sendable {
    var exam: String
    var examId: Int64
    var number: Int
    var paperId: Int64
    var sessionId: Int64
    var fullName: String
    var dateOfBirth: String?
    var className: String
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}

/// Students' passwords: bcrypt like staff's, a little cheaper (a whole class signs in at once), 6 characters at least.
public enum StudentPasswords {
    public static let cost: UInt8 = 10
    public static let minimumLength = 6

    public static func hash(_ password: String) async throws -> String {
        guard password.count >= minimumLength, password.count <= 72 else {
            throw StoreError.invalid("password", "mật khẩu cần \(minimumLength)–72 ký tự / a password of \(minimumLength) to 72 characters")
        }
        return await StaffPasswords.slowWork { Bcrypt.hash(password, cost: cost) }
    }

    /// 8 characters, lower case and digits without look-alikes: easy to type on a phone.
    public static func newPassword() -> String {
        AppDatabase.randomCode(length: 8, alphabet: Array("23456789abcdefghjkmnpqrstuvwxyz"))
    }

    static let decoyHash = Bcrypt.hash("khaothi-decoy-student", cost: cost)
}
