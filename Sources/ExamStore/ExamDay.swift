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
        /// Sessions begun before this no longer count (a new access code).
        var sessionsValidAfter: Date?
        var attempt: AttemptState?
    }

    /// An attempt as the model holds it.
    struct AttemptState: Sendable {
        var id: Int64
        var attempt: Attempt
        var deviceToken: String
        var scoreHundredths: Int?
        /// Items waiting for a grader: the score is provisional while above zero.
        var pendingItems: Int = 0
        /// When the session that holds the attempt began.
        var sessionIssuedAt: Date?
    }

    /// What an exam is, without its candidates.
    struct Header: Sendable {
        var id: Int64
        var name: String
        var subject: String
        var resultsPolicy: String
        var resultsReleasedAt: Date?
        var version: Int

        /// Candidates must still wait for their score.
        func resultsLater(at now: Date) -> Bool { resultsPolicy == "later" && !(resultsReleasedAt.map { $0 <= now } ?? false) }
    }

    /// An exam with its candidates. Kept inside the lock and changed in place: callers get a header or a
    /// candidate, never the whole dictionary (which a change would then have to copy).
    struct Exam: Sendable {
        var header: Header
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
    /// The store's writer: version checks go through it (see `sameVersion`).
    private let writer: IngestionWriter
    private let entries = Mutex<[String: Entry]>([:])
    /// Exam id → name, to apply changes known by id without scanning.
    private let names = Mutex<[Int64: String]>([:])
    /// Loads in flight, so that a storm of first logins loads an exam once.
    private let loads = Mutex<[String: Task<Exam, Error>]>([:])
    /// How long an exam is trusted before its version is compared again.
    let freshness: Duration
    /// Exams loaded or reloaded from the database (tests: a storm of this process's own writes reloads nothing).
    let loadsDone = Atomic<Int>(0)

    init(database: AppDatabase, writer: IngestionWriter, freshness: Duration = .seconds(1)) {
        self.database = database
        self.writer = writer
        self.freshness = freshness
    }

    // MARK: reading

    func entriesSummary() -> (exams: Int, candidates: Int) {
        entries.withLock { entries in (entries.count, entries.values.reduce(0) { $0 + $1.exam.candidates.count }) }
    }

    /// The exam's header.
    func header(_ name: String) async throws -> Header {
        try await fresh(name)
        return try read(name) { $0.header }
    }

    /// One candidate of an exam, with the exam's header; `notFound` when either does not exist.
    func candidate(exam name: String, sbd: String) async throws -> (Header, Candidate) {
        try await fresh(name)
        return try read(name) { try Self.candidate(sbd, of: $0) }
    }

    /// The same as `candidate(exam:sbd:)` when memory may answer at once (the exam loaded and compared with the
    /// database within `freshness`, or being compared now); nil when a database read is due. The hot routes
    /// try this first: no async call, no task switch.
    func knownCandidate(exam name: String, sbd: String) throws -> (Header, Candidate)? {
        let now = ContinuousClock.now
        return try entries.withLock { entries in
            guard let entry = entries[name], entry.checking || now - entry.checkedAt < freshness else { return nil }
            return try Self.candidate(sbd, of: entry.exam)
        }
    }

    private static func candidate(_ sbd: String, of exam: Exam) throws -> (Header, Candidate) {
        guard let candidate = exam.candidates[sbd] else {
            throw StoreError(.notFound, "không có thí sinh \(sbd) trong kỳ thi / no candidate \(sbd) in this exam", field: "sbd")
        }
        return (exam.header, candidate)
    }

    /// Every candidate of an exam (a copy, for the proctors' monitor).
    func candidates(exam name: String) async throws -> (Header, [Candidate]) {
        try await fresh(name)
        return try read(name) { ($0.header, Array($0.candidates.values)) }
    }

    /// Reads from the exam in place, under the lock.
    private func read<T>(_ name: String, _ body: (Exam) throws -> T) throws -> T {
        try entries.withLock { entries in
            guard let entry = entries[name] else { throw StoreError(.notFound, "không có kỳ thi \"\(name)\" / no exam named \"\(name)\"", field: "exam") }
            return try body(entry.exam)
        }
    }

    /// Makes sure the exam is loaded, and compared with the database's version when it is older than `freshness`.
    private func fresh(_ name: String) async throws {
        let clock = ContinuousClock()
        let now = clock.now
        enum Next { case use, check(id: Int64, version: Int), load }
        let next: Next = entries.withLock { entries in
            guard let entry = entries[name] else { return .load }
            if entry.checking || now - entry.checkedAt < freshness { return .use }
            entries[name]!.checking = true
            return .check(id: entry.exam.header.id, version: entry.exam.header.version)
        }
        switch next {
        case .use: return
        case .load: try await load(name)
        case let .check(id, version):
            let same: Bool
            do {
                same = try await sameVersion(name, id: id, version: version)
            } catch {
                entries.withLock { $0[name]?.checking = false }
                throw error
            }
            if same { return }
            // Reloaded in place: requests meanwhile read the entry as it is, never a missing exam.
            do { try await load(name) } catch {
                entries.withLock { $0[name]?.checking = false }
                throw error
            }
        }
    }

    /// Whether memory holds the exam's version in the database; when it does, the entry is fresh again.
    ///
    /// Through the writer: the version is read in its transaction and compared after the
    /// commit, in commit order, when this process's own earlier writes have all been applied here. A read
    /// beside the writer (as before) saw, during a start storm, a start committed but not yet applied, took
    /// that for a change made elsewhere and reloaded the whole exam about once a second.
    private func sameVersion(_ name: String, id: Int64, version: Int) async throws -> Bool {
        let read: @Sendable (SQLConnection) throws -> Int? = { db in
            try Int.fetchOne(try db.cachedStatement(sql: "SELECT version FROM exam WHERE id = ?"), arguments: [id])
        }
        let markFresh: @Sendable (Int?) -> Bool = { stored in
            self.entries.withLock { entries in
                guard let entry = entries[name], stored == entry.exam.header.version else { return false }
                entries[name]!.checking = false
                entries[name]!.checkedAt = ContinuousClock().now
                return true
            }
        }
        let answer = Answer()
        _ = try await writer.perform(isolated: false, read, afterCommit: { answer.same = markFresh($0) })
        return answer.same
    }

    /// Set on the writer's queue by `afterCommit`, read once `perform` has returned.
    private final class Answer: @unchecked Sendable { var same = false }

    /// The candidate as the database has them now (before a refusal that rests on what memory holds).
    func refreshCandidate(exam name: String, sbd: String) async throws -> Candidate {
        let (_, known) = try await candidate(exam: name, sbd: sbd)
        let id = known.id
        let fresh = try await database.writer.read { db in try Self.fetchCandidates(db, where: "c.id = ?", arguments: [id]).first }
        guard let fresh else { throw StoreError(.notFound, "không có thí sinh \(sbd) / no candidate \(sbd)", field: "sbd") }
        entries.withLock { $0[name]?.exam.candidates[sbd] = fresh }
        return fresh
    }

    private func load(_ name: String) async throws {
        let task: Task<Exam, Error> = loads.withLock { loads in
            if let running = loads[name] { return running }
            let database = self.database
            let task = Task { try await database.writer.read { db in try Self.fetchExam(db, name: name) } }
            loads[name] = task
            return task
        }
        defer { loads.withLock { if $0[name] == task { $0[name] = nil } } }
        let exam = try await task.value
        loadsDone.add(1, ordering: .relaxed)
        entries.withLock { entries in
            // A newer version may have been applied meanwhile (a commit after this load's read).
            if let kept = entries[name], kept.exam.header.version > exam.header.version {
                entries[name]?.checking = false
                return
            }
            entries[name] = Entry(exam: exam, checkedAt: ContinuousClock().now)
        }
        names.withLock { $0[exam.header.id] = name }
    }

    // MARK: applying the store's own writes

    /// Applies a change committed by this process. `version` is the exam's version after that commit: when
    /// it is not the next one, a change made elsewhere was missed and the exam is compared again at once.
    func apply(examId: Int64, version: Int, _ change: (inout Exam) -> Void) {
        guard let name = names.withLock({ $0[examId] }) else { return }
        entries.withLock { entries in
            guard entries[name]?.exam.header.id == examId else { return }
            // In place: the candidates of a large exam are not copied for one change.
            change(&entries[name]!.exam)
            let known = entries[name]!.exam.header.version
            if version == known + 1 {
                entries[name]!.exam.header.version = version
            } else if version > known {
                // A change made elsewhere came in between: the version stays where memory is whole, so that the
                // check at the next use finds the database ahead and reloads (moving it here would hide the gap).
                entries[name]!.checkedAt = ContinuousClock().now - freshness - .seconds(1)
            }
        }
    }

    /// Applies a change to one candidate (by row id) committed by this process.
    func apply(examId: Int64, candidateId: Int64, version: Int, _ change: @escaping (inout Candidate) -> Void) {
        apply(examId: examId, version: version) { exam in
            guard let sbd = exam.sbdByCandidate[candidateId], exam.candidates[sbd] != nil else { return }
            change(&exam.candidates[sbd]!)
        }
    }

    /// Marks an exam to be compared with the database on its next use (it changed in ways not applied here);
    /// it is reloaded in place then, never dropped while requests need it.
    func markStale(exam name: String) {
        entries.withLock { $0[name]?.checkedAt = ContinuousClock().now - freshness - .seconds(1) }
    }

    // MARK: queries

    static let candidateSelection = """
        SELECT c.id, c.examId, c.sbd, c.studentId, c.fullName, c.className, c.dateOfBirth, c.paperId, c.accessCodeHash, c.sessionsValidAfter,
               r.name AS room, s.name AS session, s.opensAt, s.durationSeconds, s.lateEntrySeconds, s.graceSeconds, s.policy, s.endsBy, p.code,
               a.id AS attemptId, a.deviceToken, a.state, a.startedAt, a.submittedAt, a.autoSubmitted, a.extraSeconds, a.pausedAt,
               a.pausedSeconds, a.scoreHundredths, a.sessionIssuedAt, a.pendingItems
        FROM candidate c LEFT JOIN room r ON r.id = c.roomId LEFT JOIN examSession s ON s.id = c.examSessionId
        LEFT JOIN paper p ON p.id = c.paperId LEFT JOIN attempt a ON a.candidateId = c.id
        """

    /// The columns of `candidateSelection` by position: a start storm loads 10,000 candidates at once, and
    /// GRDB's look-up by name lower-cases each name for every value read (2 % of a storm's CPU in `perf`).
    private enum Column: Int {
        case id, examId, sbd, studentId, fullName, className, dateOfBirth, paperId, accessCodeHash, sessionsValidAfter
        case room, session, opensAt, durationSeconds, lateEntrySeconds, graceSeconds, policy, endsBy, code
        case attemptId, deviceToken, state, startedAt, submittedAt, autoSubmitted, extraSeconds, pausedAt
        case pausedSeconds, scoreHundredths, sessionIssuedAt, pendingItems
    }

    static func fetchCandidates(_ db: SQLConnection, where condition: String, arguments: SQLArguments) throws -> [Candidate] {
        try SQLRow.fetchAll(db, sql: candidateSelection + " WHERE c.sbd IS NOT NULL AND " + condition, arguments: arguments).map { row in
            func value<T: DatabaseValueConvertible>(_ column: Column) -> T { row[column.rawValue] }
            var timing: SessionTiming?
            if let opensAt = value(.opensAt) as Date? {
                timing = SessionTiming(opensAt: opensAt, durationSeconds: value(.durationSeconds), lateEntrySeconds: value(.lateEntrySeconds),
                                       graceSeconds: value(.graceSeconds), policy: SessionTiming.DeadlinePolicy(rawValue: value(.policy)) ?? .fixedEnd,
                                       endsBy: value(.endsBy))
            }
            var attempt: AttemptState?
            if let attemptId = value(.attemptId) as Int64?, let timing {
                attempt = AttemptState(
                    id: attemptId,
                    attempt: Attempt(timing: timing, state: (value(.state) as String) == "submitted" ? .submitted : .inProgress, startedAt: value(.startedAt),
                                     submittedAt: value(.submittedAt), autoSubmitted: value(.autoSubmitted), extraSeconds: value(.extraSeconds),
                                     pausedAt: value(.pausedAt), pausedSeconds: value(.pausedSeconds)),
                    deviceToken: value(.deviceToken), scoreHundredths: value(.scoreHundredths), pendingItems: (value(.pendingItems) as Int?) ?? 0,
                    sessionIssuedAt: value(.sessionIssuedAt))
            }
            return Candidate(id: value(.id), examId: value(.examId), sbd: value(.sbd), studentID: value(.studentId), fullName: value(.fullName),
                             className: value(.className), dateOfBirth: value(.dateOfBirth), room: value(.room), session: value(.session), timing: timing,
                             paperId: value(.paperId), paperCode: value(.code), accessCodeHash: value(.accessCodeHash),
                             sessionsValidAfter: value(.sessionsValidAfter), attempt: attempt)
        }
    }

    static func fetchExam(_ db: SQLConnection, name: String) throws -> Exam {
        guard let record = try ExamRecord.fetchOne(db, where: "name = ?", arguments: [name]) else {
            throw StoreError(.notFound, "không có kỳ thi \"\(name)\" / no exam named \"\(name)\"", field: "exam")
        }
        let candidates = try fetchCandidates(db, where: "c.examId = ?", arguments: [record.id!])
        return Exam(header: Header(id: record.id!, name: record.name, subject: record.subject, resultsPolicy: record.resultsPolicy,
                                   resultsReleasedAt: record.resultsReleasedAt, version: record.version),
                    candidates: Dictionary(candidates.map { ($0.sbd, $0) }, uniquingKeysWith: { first, _ in first }),
                    sbdByCandidate: Dictionary(candidates.map { ($0.id, $0.sbd) }, uniquingKeysWith: { first, _ in first }))
    }

    /// Increments an exam's version inside the writing transaction; returns the new one.
    static func bumpVersion(_ db: SQLConnection, examId: Int64) throws -> Int {
        try Int.fetchOne(try db.cachedStatement(sql: "UPDATE exam SET version = version + 1 WHERE id = ? RETURNING version"), arguments: [examId]) ?? 0
    }
}
