import ExamCore
import Foundation
import GRDB

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
}

/// A candidate's own result, as their result page shows it.
public struct CandidateResult: Codable, Sendable, Hashable {
    public var state: Attempt.State
    public var submittedAt: Date?
    public var autoSubmitted: Bool
    /// False while the exam keeps results for later and they are not released.
    public var released: Bool
    public var score: Points?
    public var parts: [PaperScore.PartTotal]?
    /// Per item: awarded and maximum points (no keys, no explanations).
    public var items: [ItemResult]?
    public var pendingEssays: Int?

    public struct ItemResult: Codable, Sendable, Hashable {
        public var key: String
        /// nil while an essay waits for a grader.
        public var awarded: Points?
        public var maximum: Points
        public var answered: Bool
    }
}

extension AppDatabase {
    // MARK: staff

    /// Adds a member of staff, or replaces the name, role and password of one with the same username.
    /// `passwordHash` is a bcrypt hash made by the caller.
    public func saveStaff(username: String, fullName: String, role: StaffRole, passwordHash: String) throws {
        guard !username.trimmingCharacters(in: .whitespaces).isEmpty, username.count <= 64, !username.contains(where: \.isWhitespace) else {
            throw StoreError(.invalidRequest, "tên đăng nhập không hợp lệ (1–64 ký tự, không dấu cách) / invalid username")
        }
        try writer.write { db in
            try db.execute(sql: """
                INSERT INTO staff(username, fullName, role, passwordHash, createdAt) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(username) DO UPDATE SET fullName = excluded.fullName, role = excluded.role, passwordHash = excluded.passwordHash
                """, arguments: [username, fullName, role.rawValue, passwordHash, Date()])
        }
    }

    /// The member and their bcrypt hash, for checking a password.
    public func staffCredentials(username: String) throws -> (member: StaffMember, passwordHash: String)? {
        try writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM staff WHERE username = ?", arguments: [username]).map { row in
                (StaffMember(username: row["username"], fullName: row["fullName"], role: StaffRole(rawValue: row["role"]) ?? .teacher), row["passwordHash"])
            }
        }
    }

    public func staffMembers() throws -> [StaffMember] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM staff ORDER BY role, username").map {
                StaffMember(username: $0["username"], fullName: $0["fullName"], role: StaffRole(rawValue: $0["role"]) ?? .teacher)
            }
        }
    }

    // MARK: running an exam

    /// Prepared exams, for the login page and the staff pages.
    public func preparedExams() throws -> [ExamStatus] {
        let names = try writer.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM exam WHERE state = 'prepared' ORDER BY createdAt DESC, id DESC")
        }
        return try names.map(examStatus)
    }

    /// Every candidate of an exam with the state of their attempt, by số báo danh.
    public func examMonitor(_ name: String, now: Date) throws -> [MonitorRow] {
        try writer.read { db in
            let examId: Int64 = try examRow(db, name)["id"]
            let rows = try Row.fetchAll(db, sql: """
                SELECT c.sbd, c.fullName, c.className, r.name AS room, s.name AS session, p.code, p.id AS paperId,
                       s.opensAt, s.durationSeconds, s.lateEntrySeconds, s.graceSeconds, s.policy,
                       a.id AS attemptId, a.state, a.startedAt, a.submittedAt, a.autoSubmitted, a.extraSeconds, a.scoreHundredths,
                       (SELECT count(*) FROM response x WHERE x.attemptId = a.id AND x.value NOT IN ('""', '[]', '{}')) AS answered,
                       (SELECT count(*) FROM paperItem i WHERE i.paperId = p.id) AS items,
                       (SELECT max(x.receivedAt) FROM response x WHERE x.attemptId = a.id) AS lastSavedAt
                FROM candidate c LEFT JOIN room r ON r.id = c.roomId LEFT JOIN examSession s ON s.id = c.examSessionId
                LEFT JOIN paper p ON p.id = c.paperId LEFT JOIN attempt a ON a.candidateId = c.id
                WHERE c.examId = ? AND c.sbd IS NOT NULL ORDER BY c.sbd
                """, arguments: [examId])
            return rows.map { row in
                var line = MonitorRow(sbd: row["sbd"], fullName: row["fullName"], className: row["className"], room: row["room"], session: row["session"],
                                      paperCode: row["code"], state: Attempt.State.notStarted.rawValue, answered: row["answered"] ?? 0, items: row["items"] ?? 0,
                                      startedAt: nil, deadline: nil, remainingSeconds: nil, extraSeconds: 0, autoSubmitted: false,
                                      score: (row["scoreHundredths"] as Int?).map(Points.init(hundredths:)), lastSavedAt: row["lastSavedAt"])
                if row["attemptId"] as Int64? != nil, row["opensAt"] as Date? != nil {
                    let attempt = Self.attempt(row, timing: Self.timing(row))
                    line.state = attempt.state.rawValue
                    line.startedAt = attempt.startedAt
                    line.deadline = attempt.deadline
                    line.remainingSeconds = attempt.state == .inProgress ? attempt.remainingSeconds(at: now) : nil
                    line.extraSeconds = attempt.extraSeconds
                    line.autoSubmitted = attempt.autoSubmitted
                }
                return line
            }
        }
    }

    /// A proctor gives a candidate more time (a power cut, a broken PC): recorded with who and why.
    /// Returns the new deadline.
    @discardableResult
    public func addTime(exam: String, sbd: String, seconds: Int, by staff: String, reason: String, now: Date) throws -> Date {
        guard (1...(4 * 3600)).contains(seconds) else { throw StoreError(.invalidRequest, "thêm từ 1 giây đến 4 giờ / add between 1 second and 4 hours") }
        return try writer.write { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT a.*, s.opensAt, s.durationSeconds, s.lateEntrySeconds, s.graceSeconds, s.policy FROM attempt a
                JOIN candidate c ON c.id = a.candidateId JOIN exam e ON e.id = c.examId JOIN examSession s ON s.id = c.examSessionId
                WHERE e.name = ? AND c.sbd = ?
                """, arguments: [exam, sbd]) else {
                throw StoreError(.conflict, "thí sinh \(sbd) chưa bắt đầu làm bài / candidate \(sbd) has not started")
            }
            var attempt = Self.attempt(row, timing: Self.timing(row))
            // Time can be added while the attempt is open, grace included, but not to a submitted one.
            if attempt.tick(at: now) || attempt.state == .submitted {
                throw StoreError(.conflict, "bài của thí sinh \(sbd) đã nộp / the attempt is already submitted")
            }
            do { try attempt.addTime(seconds: seconds) } catch let refusal as AttemptRefusal { throw StoreError(.conflict, refusal.message) }
            let attemptId: Int64 = row["id"]
            try db.execute(sql: "UPDATE attempt SET extraSeconds = ? WHERE id = ?", arguments: [attempt.extraSeconds, attemptId])
            try db.execute(sql: "INSERT INTO timeAddition(attemptId, seconds, staffUsername, reason, addedAt) VALUES (?, ?, ?, ?, ?)",
                           arguments: [attemptId, seconds, staff, reason, now])
            return attempt.deadline!
        }
    }

    /// Candidates of a "later" exam see their scores from now on.
    public func releaseResults(exam: String, now: Date) throws {
        try writer.write { db in
            _ = try examRow(db, exam)
            try db.execute(sql: "UPDATE exam SET resultsReleasedAt = coalesce(resultsReleasedAt, ?) WHERE name = ?", arguments: [now, exam])
        }
    }

    /// A candidate's result: the score and breakdown once submitted and released.
    public func candidateResult(exam: String, sbd: String) throws -> CandidateResult {
        try writer.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT a.state, a.submittedAt, a.autoSubmitted, a.scoreHundredths, a.pendingItems, a.breakdown,
                       e.resultsPolicy = 'immediate' OR e.resultsReleasedAt IS NOT NULL AS released
                FROM attempt a JOIN candidate c ON c.id = a.candidateId JOIN exam e ON e.id = c.examId WHERE e.name = ? AND c.sbd = ?
                """, arguments: [exam, sbd]) else { throw StoreError(.conflict, "Bài thi chưa bắt đầu / the attempt has not started") }
            let state: Attempt.State = (row["state"] as String) == "submitted" ? .submitted : .inProgress
            var result = CandidateResult(state: state, submittedAt: row["submittedAt"], autoSubmitted: row["autoSubmitted"], released: row["released"],
                                         score: nil, parts: nil, items: nil, pendingEssays: nil)
            guard state == .submitted, result.released, let breakdown = row["breakdown"] as String? else { return result }
            let score = try JSONDecoder().decode(PaperScore.self, from: Data(breakdown.utf8))
            result.score = score.total
            result.parts = score.parts
            result.pendingEssays = score.pending
            result.items = score.items.map { item in
                .init(key: item.key, awarded: item.score.status == .pending ? nil : item.score.awarded, maximum: item.score.maximum,
                      answered: item.score.status != .unanswered)
            }
            return result
        }
    }
}

extension AppDatabase {
    /// An image of a candidate's own paper, or nil if it is not on it.
    public func paperMediaFile(exam: String, sbd: String, sha256: String) throws -> (data: Data, mimeType: String)? {
        let onPaper = try writer.read { db in
            try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM candidate c JOIN exam e ON e.id = c.examId JOIN paperItem i ON i.paperId = c.paperId
                JOIN questionRevisionMedia m ON m.questionRevisionId = i.questionRevisionId WHERE e.name = ? AND c.sbd = ? AND m.mediaSha256 = ?)
                """, arguments: [exam, sbd, sha256]) ?? false
        }
        return onPaper ? try mediaFile(sha256: sha256) : nil
    }
}
