import ExamCore
import Foundation
internal import GRDB

/// A bank (ngân hàng câu hỏi).
struct BankRecord: IdentifiedRecord {
    static let databaseTableName = "bank"
    var id: Int64?
    var name: String
    var subject: String?
    var createdAt: Date
    var updatedAt: Date
    /// The teacher it belongs to; nil for the school's banks (edited by admins).
    var ownerUsername: String?
    /// "private" (the owner and whom it is shared with) or "school" (every member of staff reads it).
    var visibility: String = "school"
}

/// A passage's stable identity in a bank; its text lives in revisions.
struct PassageRecord: IdentifiedRecord {
    static let databaseTableName = "passage"
    var id: Int64?
    var bankId: Int64
    var externalId: String
    var currentRevision: Int
}

/// One immutable revision of a passage.
struct PassageRevisionRecord: IdentifiedRecord {
    static let databaseTableName = "passageRevision"
    var id: Int64?
    var passageId: Int64
    var revision: Int
    var text: String
    var shuffleQuestions: Bool
    var contentHash: String
    var createdAt: Date
}

/// A question's stable identity in a bank; its content lives in revisions.
struct QuestionRecord: IdentifiedRecord {
    static let databaseTableName = "question"
    var id: Int64?
    var bankId: Int64
    var externalId: String
    var currentRevision: Int
    /// Deleted from the bank but kept: a paper used it.
    var retired: Bool = false
}

/// One immutable revision of a question: the filter columns, and the whole question as JSON.
/// Papers point at these rows, so a taken paper never changes.
struct QuestionRevisionRecord: IdentifiedRecord {
    static let databaseTableName = "questionRevision"
    var id: Int64?
    var questionId: Int64
    var revision: Int
    var kind: String
    var subject: String
    var grade: Int?
    var topic: String
    var lesson: String?
    var requirement: String?
    var level: String
    var pointsHundredths: Int
    var passageExternalId: String?
    var content: String
    var contentHash: String
    var createdAt: Date
    var unclassified: Bool = false
    var createdBy: String?
    var identityHash: String?
}

struct QuestionTagRecord: StoredRecord {
    static let databaseTableName = "questionTag"
    var questionRevisionId: Int64
    var tag: String
}

/// An image, stored once by its SHA-256.
struct MediaRecord: StoredRecord {
    static func exists(_ db: SQLConnection, sha256: String) throws -> Bool {
        try Int.fetchOne(db, sql: "SELECT 1 FROM media WHERE sha256 = ?", arguments: [sha256]) != nil
    }

    static let databaseTableName = "media"
    var sha256: String
    var mimeType: String
    var byteCount: Int
    var data: Data
}

/// The name a revision's text uses for an image.
struct QuestionRevisionMediaRecord: StoredRecord {
    static let databaseTableName = "questionRevisionMedia"
    var questionRevisionId: Int64
    var name: String
    var mediaSha256: String
}

struct BlueprintRecord: IdentifiedRecord {
    static let databaseTableName = "blueprint"
    var id: Int64?
    var name: String
    var subject: String
    var content: String
    var createdAt: Date
    var updatedAt: Date
    var ownerUsername: String?
    var updatedBy: String?
}

/// A secret the server keeps (signing keys, the key of access-code hashes).
struct SettingRecord: StoredRecord {
    static let databaseTableName = "setting"
    var key: String
    var value: Data
}

/// An exam (kỳ thi). `version` grows with every change to its candidates and attempts, so a process that
/// keeps them in memory can tell it has missed a change made elsewhere (another process, another node).
struct ExamRecord: IdentifiedRecord {
    static let databaseTableName = "exam"
    var id: Int64?
    var name: String
    var subject: String
    var bankName: String
    var blueprint: String
    var paperMode: String
    var codeCount: Int?
    var firstCode: Int
    var seed: Int64
    var resultsPolicy: String
    var state: String
    var createdAt: Date
    var preparedAt: Date?
    var resultsReleasedAt: Date?
    var version: Int
}

/// A session (ca thi) of an exam.
struct ExamSessionRecord: IdentifiedRecord {
    static let databaseTableName = "examSession"
    var id: Int64?
    var examId: Int64
    var name: String
    var opensAt: Date
    var durationSeconds: Int
    var lateEntrySeconds: Int
    var graceSeconds: Int
    var policy: String
    var endsBy: Date? = nil

    var timing: SessionTiming {
        SessionTiming(opensAt: opensAt, durationSeconds: durationSeconds, lateEntrySeconds: lateEntrySeconds, graceSeconds: graceSeconds,
                      policy: SessionTiming.DeadlinePolicy(rawValue: policy) ?? .fixedEnd, endsBy: endsBy)
    }
}

struct RoomRecord: IdentifiedRecord {
    static let databaseTableName = "room"
    var id: Int64?
    var examId: Int64
    var name: String
}

/// A paper (one exam code, or one candidate's own) with its key, as JSON.
struct PaperRecord: IdentifiedRecord {
    static let databaseTableName = "paper"
    var id: Int64?
    var examId: Int64
    var code: String
    var content: String
}

/// The question revision behind one item of a paper.
struct PaperItemRecord: StoredRecord {
    static let databaseTableName = "paperItem"
    var paperId: Int64
    var position: Int
    var key: String
    var questionRevisionId: Int64
    var pointsHundredths: Int
}

/// A candidate of an exam: from the class list, then numbered, seated and given a paper and an access code.
struct CandidateRecord: IdentifiedRecord {
    static let databaseTableName = "candidate"
    var id: Int64?
    var examId: Int64
    var studentId: String
    var fullName: String
    var dateOfBirth: String?
    var className: String?
    var sbd: String?
    var examSessionId: Int64?
    var roomId: Int64?
    var paperId: Int64?
    var accessCodeHash: String?
    var sessionsValidAfter: Date?
}

/// The latest answer to one item (the highest sequence wins).
struct ResponseRecord: StoredRecord {
    static let databaseTableName = "response"
    var attemptId: Int64
    var itemKey: String
    var value: String
    var sequence: Int
    var receivedAt: Date
}

/// One answer event as it arrived; never changed.
struct ResponseEventRecord: IdentifiedRecord {
    static let databaseTableName = "responseEvent"
    var id: Int64?
    var attemptId: Int64
    var sequence: Int
    var itemKey: String
    var value: String
    var clientTime: Date?
    var receivedAt: Date
}

/// A member of staff with their bcrypt hash.
struct StaffRecord: IdentifiedRecord {
    static let databaseTableName = "staff"
    var id: Int64?
    var username: String
    var fullName: String
    var role: String
    var passwordHash: String
    var createdAt: Date
    var sessionsValidAfter: Date?
    var disabled: Bool

    var member: StaffMember { StaffMember(username: username, fullName: fullName, role: StaffRole(rawValue: role) ?? .teacher) }
}

/// An attempt with the timing of its session and where it belongs (candidate, exam, paper): the one read
/// every decision about an attempt starts from, written once.
struct AttemptRow: Sendable {
    var id: Int64
    var candidateId: Int64
    var examId: Int64
    var paperId: Int64
    var deviceToken: String
    var attempt: Attempt
    var scoreHundredths: Int?
    var breakdown: String?
    /// When the session holding the attempt began.
    var sessionIssuedAt: Date?
    /// Items waiting for a grader.
    var pendingItems: Int = 0

    static let selection = """
        SELECT a.id, a.candidateId, c.examId, c.paperId, a.deviceToken, a.state, a.startedAt, a.submittedAt, a.autoSubmitted,
               a.extraSeconds, a.pausedAt, a.pausedSeconds, a.scoreHundredths, a.breakdown,
               s.opensAt, s.durationSeconds, s.lateEntrySeconds, s.graceSeconds, s.policy, a.sessionIssuedAt, a.pendingItems, s.endsBy
        FROM attempt a JOIN candidate c ON c.id = a.candidateId JOIN examSession s ON s.id = c.examSessionId
        """

    init(id: Int64, candidateId: Int64, examId: Int64, paperId: Int64, deviceToken: String, attempt: Attempt, scoreHundredths: Int?,
         breakdown: String?, sessionIssuedAt: Date?) {
        self.id = id; self.candidateId = candidateId; self.examId = examId; self.paperId = paperId; self.deviceToken = deviceToken
        self.attempt = attempt; self.scoreHundredths = scoreHundredths; self.breakdown = breakdown; self.sessionIssuedAt = sessionIssuedAt
    }

    init(row: SQLRow) {
        id = row[0]; candidateId = row[1]; examId = row[2]; paperId = row[3]; deviceToken = row[4]
        let timing = SessionTiming(opensAt: row[14], durationSeconds: row[15], lateEntrySeconds: row[16], graceSeconds: row[17],
                                   policy: SessionTiming.DeadlinePolicy(rawValue: row[18]) ?? .fixedEnd, endsBy: row[21])
        attempt = Attempt(timing: timing, state: (row[5] as String) == "submitted" ? .submitted : .inProgress, startedAt: row[6],
                          submittedAt: row[7], autoSubmitted: row[8], extraSeconds: row[9], pausedAt: row[10], pausedSeconds: row[11])
        scoreHundredths = row[12]; breakdown = row[13]; sessionIssuedAt = row[19]; pendingItems = row[20] ?? 0
    }

    static func fetch(_ db: SQLConnection, id: Int64) throws -> AttemptRow? {
        try SQLRow.fetchOne(try db.cachedStatement(sql: selection + " WHERE a.id = ?"), arguments: [id]).map(AttemptRow.init(row:))
    }

    static func fetch(_ db: SQLConnection, candidateId: Int64) throws -> AttemptRow? {
        try SQLRow.fetchOne(try db.cachedStatement(sql: selection + " WHERE a.candidateId = ?"), arguments: [candidateId]).map(AttemptRow.init(row:))
    }

    /// Every attempt still in progress (for the deadline watcher).
    static func inProgress(_ db: SQLConnection) throws -> [AttemptRow] {
        try SQLRow.fetchAll(db, sql: selection + " WHERE a.state = 'in-progress'").map(AttemptRow.init(row:))
    }

    /// Writes back what the state machine changed (state, times, pauses).
    func save(_ db: SQLConnection) throws {
        try db.execute(sql: """
            UPDATE attempt SET state = ?, submittedAt = ?, autoSubmitted = ?, extraSeconds = ?, pausedAt = ?, pausedSeconds = ? WHERE id = ?
            """, arguments: [attempt.state == .submitted ? "submitted" : "in-progress", attempt.submittedAt, attempt.autoSubmitted,
                             attempt.extraSeconds, attempt.pausedAt, attempt.pausedSeconds, id])
    }
}

/// One entry of the audit log: who changed what, on which exam, candidate or object, when and why.
struct AuditRecord: IdentifiedRecord {
    static let databaseTableName = "audit"
    var id: Int64?
    var at: Date
    var actor: String
    var action: String
    var examId: Int64?
    var sbd: String?
    var subject: String?
    var reason: String
    var details: String?
}
