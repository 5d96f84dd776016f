import ExamCore
import Foundation
internal import GRDB
import Synchronization

/// The exam-day read model: the candidates of an exam (số báo danh → access-code hash, name, class, room,
/// session, paper, attempt and its state), loaded in one query on first use and kept in memory, so that
/// login, `me`, the state poll and the proctors' monitor read no database.
///
/// It is only an optimisation. Every write that changes it goes through the store, which applies the change
/// here after its commit, in commit order. Writes made elsewhere (the command line, another node) are found
/// by the exam's `version`, which every such write increments: at most once a `freshness` interval per
/// exam, one small read compares it and reloads the exam when it moved. Decisions that guard data (device,
/// deadline, state) are taken again inside the writing transaction; a refusal that rests on this model is
/// confirmed from the database before it is given (`refreshCandidate`).
final class ExamDay: Sendable {
    struct Candidate: Sendable {
        var id: Int64
        var examId: Int64
        var sbd: String
        var studentID: String
        var fullName: String
        var className: String?
        var dateOfBirth: String?
        var room: String?
        var session: String?
        var timing: SessionTiming?
        var paperId: Int64?
        var paperCode: String?
        var accessCodeHash: String?
        var attempt: AttemptState?
    }

    /// An attempt as the model holds it.
    struct AttemptState: Sendable {
        var id: Int64
        var attempt: Attempt
        var deviceToken: String
        var scoreHundredths: Int?
    }

    struct Exam: Sendable {
        var id: Int64
        var name: String
        var subject: String
        var resultsPolicy: String
        var resultsReleasedAt: Date?
        var version: Int
        var candidates: [String: Candidate]
        /// Candidates by their row id, to apply changes known by id.
        var sbdByCandidate: [Int64: String]
    }

    private struct Entry {
        var exam: Exam
        var checkedAt: ContinuousClock.Instant
        /// A version check or reload is running: others use what is here meanwhile.
        var checking = false
    }

    private let database: AppDatabase
    private let entries = Mutex<[String: Entry]>([:])
    /// Loads in flight, so that a storm of first logins loads an exam once.
    private let loads = Mutex<[String: Task<Exam, Error>]>([:])
    /// How long an exam is trusted before its version is compared again.
    let freshness: Duration

    init(database: AppDatabase, freshness: Duration = .seconds(1)) {
        self.database = database
        self.freshness = freshness
    }

    // MARK: reading

    /// The exam, loaded on first use and compared with the database's version when it is older than `freshness`.
    func exam(_ name: String) async throws -> Exam {
        let clock = ContinuousClock()
        let now = clock.now
        enum Next { case use(Exam), check(Exam), load }
        let next: Next = entries.withLock { entries in
            guard var entry = entries[name] else { return .load }
            if entry.checking || now - entry.checkedAt < freshness { return .use(entry.exam) }
            entry.checking = true
            entries[name] = entry
            return .check(entry.exam)
        }
        switch next {
        case let .use(exam): return exam
        case .load: return try await load(name)
        case let .check(exam):
            let stored: Int?
            do {
                stored = try await database.writer.read { db in try Int.fetchOne(db, sql: "SELECT version FROM exam WHERE id = ?", arguments: [exam.id]) }
            } catch {
                entries.withLock { $0[name]?.checking = false }
                throw error
            }
            if stored == exam.version {
                entries.withLock { entries in
                    entries[name]?.checking = false
                    entries[name]?.checkedAt = clock.now
                }
                return entries.withLock { $0[name]?.exam } ?? exam
            }
            entries.withLock { $0[name] = nil }
            return try await load(name)
        }
    }

    /// One candidate of an exam; `notFound` when the exam or the candidate does not exist.
    func candidate(exam name: String, sbd: String) async throws -> Candidate {
        let exam = try await exam(name)
        guard let candidate = exam.candidates[sbd] else {
            throw StoreError(.notFound, "không có thí sinh \(sbd) trong kỳ thi / no candidate \(sbd) in this exam", field: "sbd")
        }
        return candidate
    }

    /// The candidate as the database has them now (before a refusal that rests on what memory holds).
    func refreshCandidate(exam name: String, sbd: String) async throws -> Candidate {
        let exam = try await exam(name)
        guard let id = exam.candidates[sbd]?.id else {
            throw StoreError(.notFound, "không có thí sinh \(sbd) trong kỳ thi / no candidate \(sbd) in this exam", field: "sbd")
        }
        let fresh = try await database.writer.read { db in try Self.fetchCandidates(db, where: "c.id = ?", arguments: [id]).first }
        guard let fresh else { throw StoreError(.notFound, "không có thí sinh \(sbd) / no candidate \(sbd)", field: "sbd") }
        entries.withLock { $0[name]?.exam.candidates[sbd] = fresh }
        return fresh
    }

    private func load(_ name: String) async throws -> Exam {
        let task: Task<Exam, Error> = loads.withLock { loads in
            if let running = loads[name] { return running }
            let database = self.database
            let task = Task { try await database.writer.read { db in try Self.fetchExam(db, name: name) } }
            loads[name] = task
            return task
        }
        defer { loads.withLock { if $0[name] == task { $0[name] = nil } } }
        let exam = try await task.value
        entries.withLock { entries in
            // A newer version may have been applied meanwhile (a commit after this load's read).
            if let kept = entries[name], kept.exam.version > exam.version { return }
            entries[name] = Entry(exam: exam, checkedAt: ContinuousClock().now)
        }
        return exam
    }

    // MARK: applying the store's own writes

    /// Applies a change committed by this process. `version` is the exam's version after that commit: when
    /// it is not the next one, a change made elsewhere was missed and the exam is compared again at once.
    func apply(examId: Int64, version: Int, _ change: (inout Exam) -> Void) {
        entries.withLock { entries in
            guard let name = entries.first(where: { $0.value.exam.id == examId })?.key, var entry = entries[name] else { return }
            change(&entry.exam)
            if version == entry.exam.version + 1 {
                entry.exam.version = version
            } else if version > entry.exam.version {
                entry.exam.version = version
                entry.checkedAt = ContinuousClock().now - freshness - .seconds(1)
            }
            entries[name] = entry
        }
    }

    /// Applies a change to one candidate (by row id) committed by this process.
    func apply(examId: Int64, candidateId: Int64, version: Int, _ change: @escaping (inout Candidate) -> Void) {
        apply(examId: examId, version: version) { exam in
            guard let sbd = exam.sbdByCandidate[candidateId] else { return }
            exam.candidates[sbd].map { var candidate = $0; change(&candidate); exam.candidates[sbd] = candidate }
        }
    }

    /// Forgets an exam (its definition or candidates changed wholesale); the next use loads it again.
    func forget(exam name: String) { entries.withLock { $0[name] = nil } }

    func forget(examId: Int64) { entries.withLock { entries in entries = entries.filter { $0.value.exam.id != examId } } }

    // MARK: queries

    static let candidateSelection = """
        SELECT c.id, c.examId, c.sbd, c.studentId, c.fullName, c.className, c.dateOfBirth, c.paperId, c.accessCodeHash,
               r.name AS room, s.name AS session, s.opensAt, s.durationSeconds, s.lateEntrySeconds, s.graceSeconds, s.policy, p.code,
               a.id AS attemptId, a.deviceToken, a.state, a.startedAt, a.submittedAt, a.autoSubmitted, a.extraSeconds, a.pausedAt,
               a.pausedSeconds, a.scoreHundredths
        FROM candidate c LEFT JOIN room r ON r.id = c.roomId LEFT JOIN examSession s ON s.id = c.examSessionId
        LEFT JOIN paper p ON p.id = c.paperId LEFT JOIN attempt a ON a.candidateId = c.id
        """

    static func fetchCandidates(_ db: Database, where condition: String, arguments: StatementArguments) throws -> [Candidate] {
        try Row.fetchAll(db, sql: candidateSelection + " WHERE c.sbd IS NOT NULL AND " + condition, arguments: arguments).map { row in
            var timing: SessionTiming?
            if let opensAt = row["opensAt"] as Date? {
                timing = SessionTiming(opensAt: opensAt, durationSeconds: row["durationSeconds"], lateEntrySeconds: row["lateEntrySeconds"],
                                       graceSeconds: row["graceSeconds"], policy: SessionTiming.DeadlinePolicy(rawValue: row["policy"]) ?? .fixedEnd)
            }
            var attempt: AttemptState?
            if let attemptId = row["attemptId"] as Int64?, let timing {
                attempt = AttemptState(
                    id: attemptId,
                    attempt: Attempt(timing: timing, state: (row["state"] as String) == "submitted" ? .submitted : .inProgress, startedAt: row["startedAt"],
                                     submittedAt: row["submittedAt"], autoSubmitted: row["autoSubmitted"], extraSeconds: row["extraSeconds"],
                                     pausedAt: row["pausedAt"], pausedSeconds: row["pausedSeconds"]),
                    deviceToken: row["deviceToken"], scoreHundredths: row["scoreHundredths"])
            }
            return Candidate(id: row["id"], examId: row["examId"], sbd: row["sbd"], studentID: row["studentId"], fullName: row["fullName"],
                             className: row["className"], dateOfBirth: row["dateOfBirth"], room: row["room"], session: row["session"], timing: timing,
                             paperId: row["paperId"], paperCode: row["code"], accessCodeHash: row["accessCodeHash"], attempt: attempt)
        }
    }

    static func fetchExam(_ db: Database, name: String) throws -> Exam {
        guard let record = try ExamRecord.filter(ExamRecord.Columns.name == name).fetchOne(db) else {
            throw StoreError(.notFound, "không có kỳ thi \"\(name)\" / no exam named \"\(name)\"", field: "exam")
        }
        let candidates = try fetchCandidates(db, where: "c.examId = ?", arguments: [record.id!])
        return Exam(id: record.id!, name: record.name, subject: record.subject, resultsPolicy: record.resultsPolicy,
                    resultsReleasedAt: record.resultsReleasedAt, version: record.version,
                    candidates: Dictionary(candidates.map { ($0.sbd, $0) }, uniquingKeysWith: { first, _ in first }),
                    sbdByCandidate: Dictionary(candidates.map { ($0.id, $0.sbd) }, uniquingKeysWith: { first, _ in first }))
    }

    /// Increments an exam's version inside the writing transaction; returns the new one.
    static func bumpVersion(_ db: Database, examId: Int64) throws -> Int {
        try Int.fetchOne(try db.cachedStatement(sql: "UPDATE exam SET version = version + 1 WHERE id = ? RETURNING version"), arguments: [examId]) ?? 0
    }
}
