import ExamCore
import Foundation
internal import GRDB
import HummingbirdBcrypt

/// What a member of staff may do. Proctors watch rooms and add time; coordinators also release results and
/// export scores; admins everything; teachers work on banks and blueprints.
public enum StaffRole: String, Codable, Sendable, CaseIterable {
    case admin, coordinator, proctor, teacher

    /// Whether this role may run exam sessions (watch rooms, add time).
    public var proctors: Bool { self != .teacher }
    /// Whether this role may release results and export score sheets.
    public var coordinates: Bool { self == .admin || self == .coordinator }
}

public struct StaffMember: Codable, Sendable, Hashable {
    public var username: String
    public var fullName: String
    public var role: StaffRole
}

/// One candidate as a proctor's room view shows them.
public struct MonitorRow: Codable, Sendable, Hashable {
    public var sbd: String
    public var fullName: String
    public var className: String?
    public var room: String?
    public var session: String?
    public var paperCode: String?
    /// not-started, in-progress or submitted.
    public var state: String
    public var answered: Int
    public var items: Int
    public var startedAt: Date?
    public var deadline: Date?
    public var remainingSeconds: Int?
    public var extraSeconds: Int
    public var autoSubmitted: Bool
    public var score: Points?
    /// When the server last stored an answer of theirs: a PC that went quiet shows here.
    public var lastSavedAt: Date?
    /// A proctor has paused the attempt.
    public var paused: Bool
    /// A proctor marked the candidate absent (vắng): not started, and not expected to.
    public var absent: Bool = false
    /// Items waiting for a grader: the score is provisional while above zero.
    public var pendingItems: Int = 0
    /// Until when the candidate must wait after wrong access codes from some computer (the server fills it).
    public var lockedUntil: Date?
}

/// A candidate's own result, as their result page shows it: as much as the exam's review policy allows, once
/// results are shown.
public struct CandidateResult: Codable, Sendable, Hashable {
    public var state: Attempt.State
    /// For staff: every answer event of the attempt in order (the dispute trail), by item key.
    public var events: [String: [LoggedEvent]]? = nil
    public struct LoggedEvent: Codable, Sendable, Hashable {
        public var sequence: Int
        public var value: ResponseValue
        public var clientTime: Date?
        public var receivedAt: Date
    }
    public var submittedAt: Date?
    public var autoSubmitted: Bool
    /// False while the exam keeps results for later and they are not released.
    public var released: Bool
    /// none, score, answers or key: what the candidate may see once released.
    public var review: ExamDefinition.ReviewPolicy = .score
    public var score: Points?
    public var parts: [PaperScore.PartTotal]?
    /// Per item: awarded and maximum points; with the answers policy the candidate's answer, with the key
    /// policy also the key and the explanation.
    public var items: [ItemResult]?
    public var pendingEssays: Int?
    /// The paper the items are on (the page draws them from it), when answers are shown.
    public var paperId: Int64?

    public struct ItemResult: Codable, Sendable, Hashable {
        public var key: String
        /// nil while an essay waits for a grader.
        public var awarded: Points?
        public var maximum: Points
        public var answered: Bool
        public var status: ItemScore.Status?
        public var answer: ResponseValue?
        public var keyText: String?
        public var explanation: String?
        /// A grader's comment on an essay.
        public var comment: String?
        /// Who graded it by hand, round by round (staff only: candidates never see graders' names).
        public var gradedBy: String?
    }
}

/// Staff passwords: bcrypt, hashed and checked off the event loops (a check takes a few hundred
/// milliseconds by design).
public enum StaffPasswords {
    public static let cost: UInt8 = 11
    public static let minimumLength = 8

    /// A bcrypt hash of `password`; refused when it is too short.
    public static func hash(_ password: String) throws -> String {
        guard password.count >= minimumLength else {
            throw StoreError.invalid("password", "mật khẩu cần ít nhất \(minimumLength) ký tự / a password needs at least \(minimumLength) characters")
        }
        return Bcrypt.hash(password, cost: cost)
    }

    /// Checks a password off the caller's thread (see `slowWork`).
    static func verify(_ password: String, hash: String) async -> Bool {
        await slowWork { Bcrypt.verify(password, hash: hash) }
    }

    /// bcrypt runs here: on all but one core at most, so that a class signing in at once (tens of checks of
    /// 60–250 ms each) leaves a core to the answers being saved meanwhile.
    static let slowQueue: OperationQueue = {
        let queue = OperationQueue()
        queue.name = "khaothi.bcrypt"
        queue.maxConcurrentOperationCount = max(1, ProcessInfo.processInfo.activeProcessorCount - 1)
        return queue
    }()

    static func slowWork<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            slowQueue.addOperation { continuation.resume(returning: work()) }
        }
    }

    /// A new password: 12 characters from an alphabet without look-alikes (about 70 bits).
    public static func newPassword() -> String {
        AppDatabase.randomCode(length: 12, alphabet: Array("23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ"))
    }

    /// A hash no password matches in practice, checked when the username does not exist.
    static let decoyHash = Bcrypt.hash("khaothi-decoy-password", cost: cost)
}

extension AppDatabase {
    // MARK: staff

    /// Adds a member of staff, or replaces the name, role and password of one with the same username.
    public func saveStaff(username: String, fullName: String, role: StaffRole, password: String, now: Date = Date()) throws {
        guard !username.trimmingCharacters(in: .whitespaces).isEmpty, username.count <= 64, !username.contains(where: \.isWhitespace) else {
            throw StoreError.invalid("username", "tên đăng nhập không hợp lệ (1–64 ký tự, không dấu cách) / invalid username")
        }
        let hash = try StaffPasswords.hash(password)
        try writer.write { db in
            // A new password ends the member's sessions.
            try db.execute(sql: """
                INSERT INTO staff(username, fullName, role, passwordHash, createdAt) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(username) DO UPDATE SET fullName = excluded.fullName, role = excluded.role, passwordHash = excluded.passwordHash,
                  sessionsValidAfter = excluded.createdAt
                """, arguments: [username, fullName, role.rawValue, hash, now])
        }
    }

    /// Disables (or enables again) a member of staff: a disabled member cannot sign in, and their sessions end.
    public func setStaffDisabled(username: String, _ disabled: Bool, now: Date = Date()) throws {
        try writer.write { db in
            try db.execute(sql: "UPDATE staff SET disabled = ?, sessionsValidAfter = ? WHERE username = ?", arguments: [disabled, now, username])
            guard db.changesCount == 1 else { throw StoreError(.notFound, "không có cán bộ \(username) / no staff member \(username)", field: "username") }
        }
    }

    public func staffMembers() throws -> [StaffMember] {
        try writer.read { db in try Self.staffMembers(db) }
    }

    static func staffMembers(_ db: SQLConnection) throws -> [StaffMember] {
        try StaffRecord.fetchAll(db, sql: "SELECT * FROM staff ORDER BY role, username").map(\.member)
    }

    /// A candidate's result: the score and breakdown once submitted and released, and as much more as the
    /// exam's review policy allows.
    /// `staff`: everything (the key, unreleased results), for a coordinator looking into a dispute.
    /// Results released for a moment still to come (an assignment's review after its window) show from then on.
    static func candidateResult(_ db: SQLConnection, candidateId: Int64, papers: PaperCache, staff: Bool = false, now: Date = Date()) throws -> CandidateResult {
        guard let row = try SQLRow.fetchOne(db, sql: """
            SELECT a.id, c.paperId, a.state, a.submittedAt, a.autoSubmitted, a.scoreHundredths, a.pendingItems, a.breakdown, e.reviewPolicy,
                   CASE WHEN e.resultsPolicy = 'immediate' OR e.resultsReleasedAt <= ? THEN 1 ELSE 0 END AS released
            FROM attempt a JOIN candidate c ON c.id = a.candidateId JOIN exam e ON e.id = c.examId WHERE c.id = ?
            """, arguments: [now, candidateId]) else { throw DatabaseStore.notStarted }
        let state: Attempt.State = (row["state"] as String) == "submitted" ? .submitted : .inProgress
        let review = staff ? .key : ExamDefinition.ReviewPolicy(rawValue: row["reviewPolicy"]) ?? .score
        var result = CandidateResult(state: state, submittedAt: row["submittedAt"], autoSubmitted: row["autoSubmitted"], released: staff || row["released"],
                                     review: review, score: nil, parts: nil, items: nil, pendingEssays: nil)
        guard state == .submitted, result.released, review > .none, let breakdown = row["breakdown"] as String? else { return result }
        let score = try PaperScore(stored: breakdown)
        result.score = score.total
        result.parts = score.parts
        result.pendingEssays = score.pending
        result.items = score.items.map { item in
            .init(key: item.key, awarded: item.score.status == .pending ? nil : item.score.awarded, maximum: item.score.maximum,
                  answered: item.score.status != .unanswered)
        }
        guard review >= .answers else { return result }
        let attemptId: Int64 = row["id"]
        let paper = try papers.paper(row["paperId"], db: db).paper
        result.paperId = row["paperId"]
        let answers = try DatabaseStore.responses(db, attemptId: attemptId)
        let comments = try Dictionary(SQLRow.fetchAll(db, sql: """
            SELECT itemKey, comment FROM manualGrade WHERE attemptId = ? AND comment <> '' ORDER BY round
            """, arguments: [attemptId]).map { ($0["itemKey"] as String, $0["comment"] as String) }, uniquingKeysWith: { _, later in later })
        var graders: [String: String] = [:]
        if staff {
            for row in try SQLRow.fetchAll(db, sql: "SELECT itemKey, round, grader, pointsHundredths FROM manualGrade WHERE attemptId = ? ORDER BY round",
                                        arguments: [attemptId]) {
                let entry = "vòng \(row["round"] as Int): \(row["grader"] as String) (\(Points(hundredths: row["pointsHundredths"]).formatted(decimalMark: ",")))"
                graders[row["itemKey"], default: ""] += (graders[row["itemKey"]] == nil ? "" : "; ") + entry
            }
        }
        let questions = Dictionary(paper.items.map { ($0.key, $0.question) }, uniquingKeysWith: { first, _ in first })
        for index in result.items!.indices {
            let key = result.items![index].key
            result.items![index].status = score.items[index].score.status
            result.items![index].answer = answers[key]
            result.items![index].comment = comments[key]
            result.items![index].gradedBy = graders[key]
            if review == .key, let question = questions[key] {
                if case let .essay(body) = question.body { result.items![index].keyText = body.rubric } else { result.items![index].keyText = question.keyText }
                result.items![index].explanation = question.explanation
            }
        }
        return result
    }
}
