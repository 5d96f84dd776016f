import Crypto
import ExamCore
import Foundation
internal import GRDB
import Logging
import ServiceLifecycle
import Synchronization

/// The repositories over one database (SQLite or PostgreSQL): the exam-day read model in memory, papers decoded once, and
/// every write of a running exam through the one group-commit writer.
public final class DatabaseStore: Sendable {
    let database: AppDatabase
    let writer: IngestionWriter
    let examDay: ExamDay
    let papers = PaperCache()
    private let accessKey = Mutex<Data?>(nil)
    /// Sessions ended by a logout, here or on another node: read again at most once a `freshness` interval
    /// (one reader at a time; the others use the set read last), so a logout holds everywhere within it.
    let revocations: Revocations
    /// Who holds a lease (the deadline watcher's) when this process does: one per store.
    let leaseHolder = UUID().uuidString
    private let deadlineInterval: Duration
    private let now: @Sendable () -> Date
    private let logger: Logger

    /// - Parameters:
    ///   - now: the clock (tests inject their own).
    ///   - deadlineInterval: how often attempts past their time are submitted.
    ///   - freshness: how long the read model trusts an exam before comparing its version with the database.
    public init(database: AppDatabase, now: @escaping @Sendable () -> Date = { Date() }, deadlineInterval: Duration = .seconds(5),
                freshness: Duration = .seconds(1), logger: Logger = Logger(label: "khaothi.store")) {
        self.database = database
        self.writer = IngestionWriter(database: database, now: now)
        self.examDay = ExamDay(database: database, writer: writer, freshness: freshness)
        self.revocations = Revocations(freshness: freshness)
        self.deadlineInterval = deadlineInterval
        self.now = now
        self.logger = logger
    }

    /// The repositories and the services to run with the application (the writer, the deadline watcher).
    public var store: Store {
        Store(attempts: self, exams: self, staff: self, media: self, banks: self, blueprints: self, printSets: self, audit: self, secrets: self, sessions: self,
              setup: self, staffAdmin: self, grading: self, statistics: self, regrade: self, gradebook: self, classwork: self, operations: self, services: [writer, DeadlineWatcher(store: self, interval: deadlineInterval, now: now, logger: logger)])
    }

    /// The writer, for tests and figures (transactions, batches).
    public var ingestion: IngestionWriter { writer }

    func accessCodeKey() async throws -> SymmetricKey {
        if let known = accessKey.withLock({ $0 }) { return SymmetricKey(data: known) }
        let data = try await secret(named: "accessCodeKey")
        accessKey.withLock { $0 = data }
        return SymmetricKey(data: data)
    }
}

extension AppDatabase {
    /// The repositories over this database (see `DatabaseStore`).
    public func makeStore(now: @escaping @Sendable () -> Date = { Date() }, deadlineInterval: Duration = .seconds(5),
                          freshness: Duration = .seconds(1), logger: Logger = Logger(label: "khaothi.store")) -> Store {
        DatabaseStore(database: self, now: now, deadlineInterval: deadlineInterval, freshness: freshness, logger: logger).store
    }
}

/// Submits attempts whose time (and grace) is over, every `interval`, through the writer, until shutdown; and
/// forgets expired logouts and old wrong logins. On several nodes over one database only the node holding the
/// "deadline" lease does it (a node that dies loses it after three intervals, and another takes it over).
struct DeadlineWatcher: Service {
    let store: DatabaseStore
    let interval: Duration
    let now: @Sendable () -> Date
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                if try await store.holdLease("deadline", for: interval * 3, now: now()) {
                    let count = try await store.submitExpired(now: now())
                    if count > 0 { logger.info("auto-submitted \(count) attempts") }
                    try await store.forgetExpired(now: now())
                }
            } catch {
                logger.error("auto-submit failed: \(error)")
            }
            // Wakes at once on shutdown instead of finishing the sleep.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
        // A node stopping on purpose hands the work over at once (a killed one after the lease expires).
        try? await store.releaseLease("deadline")
    }
}

// MARK: - attempts

extension DatabaseStore: AttemptRepository {
    public func candidate(exam name: String, sbd: String) async throws -> CandidateInfo {
        let (exam, candidate) = try await examDay.candidate(exam: name, sbd: sbd)
        return CandidateInfo(exam: exam.name, sbd: sbd, subject: exam.subject, fullName: candidate.fullName, className: candidate.className,
                             dateOfBirth: candidate.dateOfBirth, room: candidate.room, session: candidate.session, opensAt: candidate.timing?.opensAt,
                             durationSeconds: candidate.timing?.durationSeconds, attemptState: candidate.attempt?.attempt.state ?? .notStarted)
    }

    public func sessionStanding(exam: String, sbd: String, session: Date) async throws -> SessionStanding {
        let candidate: ExamDay.Candidate
        do {
            if let known = try examDay.knownCandidate(exam: exam, sbd: sbd) { candidate = known.1 } else { (_, candidate) = try await examDay.candidate(exam: exam, sbd: sbd) }
        } catch let error as StoreError where error.code == .notFound { return .ended }
        if let after = candidate.sessionsValidAfter, session.milliseconds < after.milliseconds { return .ended }
        if let holder = candidate.attempt?.sessionIssuedAt, session.milliseconds < holder.milliseconds { return .takenOver }
        return .valid
    }

    public func verifyAccessCode(exam: String, sbd: String, code: String) async throws -> Bool {
        let key = try await accessCodeKey()
        let given = AppDatabase.hash(code.uppercased().trimmingCharacters(in: .whitespaces), key: key)
        let candidate: ExamDay.Candidate
        do { (_, candidate) = try await examDay.candidate(exam: exam, sbd: sbd) } catch let error as StoreError where error.code == .notFound { return false }
        if Self.sameHash(given, candidate.accessCodeHash) { return true }
        // A code issued elsewhere (the command line, another node) since the exam was loaded.
        return Self.sameHash(given, try await examDay.refreshCandidate(exam: exam, sbd: sbd).accessCodeHash)
    }

    /// Compares two hashes in constant time.
    static func sameHash(_ given: String, _ stored: String?) -> Bool {
        guard let stored else { return false }
        let a = Array(given.utf8), b = Array(stored.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    public func start(exam: String, sbd: String, session: Date, now: Date) async throws -> StartedAttempt {
        let (_, candidate) = try await examDay.candidate(exam: exam, sbd: sbd)
        guard let paperId = candidate.paperId else { throw StoreError(.notPrepared, "kỳ thi chưa chuẩn bị / the exam is not prepared") }
        let token = UUID().uuidString
        let examDay = self.examDay
        let started = try await writer.perform({ db in try Self.start(db, candidateId: candidate.id, token: token, session: session, now: now) }, afterCommit: { started in
            examDay.apply(examId: started.row.examId, candidateId: started.row.candidateId, version: started.version) { candidate in
                candidate.attempt = .init(id: started.row.id, attempt: started.row.attempt, deviceToken: token, scoreHundredths: started.row.scoreHundredths,
                                          sessionIssuedAt: session)
            }
        })
        return StartedAttempt(attemptID: started.row.id, deviceToken: token, status: AttemptStatus(started.row.attempt, deviceToken: token, now: now),
                              lastSequence: started.lastSequence, responses: started.responses, paperID: paperId)
    }

    struct Started: Sendable {
        var row: AttemptRow
        var version: Int
        /// The answers already given (a resume), as canonical JSON, and the highest sequence number held.
        var responses: [String: String] = [:]
        var lastSequence = 0
    }

    /// Starts or resumes inside the writer's transaction: the decision (session open, late entry, time left,
    /// and which session may hold the attempt) is made on what the database holds, and the new device's token
    /// is written. A session older than the one holding the attempt (the computer taken over) is refused: it
    /// must sign in again with the access code.
    static func start(_ db: SQLConnection, candidateId: Int64, token: String, session: Date, now: Date) throws -> Started {
        if var row = try AttemptRow.fetch(db, candidateId: candidateId) {
            if let holder = row.sessionIssuedAt, session.milliseconds < holder.milliseconds {
                throw StoreError(.takenOver, "Máy khác đã đăng nhập vào bài thi này; đăng nhập lại bằng mã truy cập / another computer has signed in; sign in again with the access code")
            }
            // A newer sign-in takes an attempt in progress over: by the exam's policy, only within a proctor's
            // permission (used up here); every takeover goes into the room's log.
            if row.attempt.state == .inProgress, let holder = row.sessionIssuedAt, session.milliseconds > holder.milliseconds {
                let gate = try SQLRow.fetchOne(db, sql: """
                    SELECT e.takeoverPolicy, c.moveAllowedUntil, c.sbd FROM candidate c JOIN exam e ON e.id = c.examId WHERE c.id = ?
                    """, arguments: [candidateId])
                if gate?["takeoverPolicy"] as String? == "proctor" {
                    guard let until = gate?["moveAllowedUntil"] as Date?, now < until else {
                        throw StoreError(.moveNeedsProctor, "Bài thi đang làm trên máy khác; báo giám thị để được chuyển máy / the attempt is on another computer: ask the proctor to allow the move")
                    }
                    try db.execute(sql: "UPDATE candidate SET moveAllowedUntil = NULL WHERE id = ?", arguments: [candidateId])
                }
                var entry = AuditRecord(id: nil, at: now, actor: "thí sinh / candidate", action: "takeover", examId: row.examId, sbd: gate?["sbd"], subject: nil,
                                        reason: "", details: nil)
                try entry.insert(db)
            }
            if row.attempt.state == .inProgress {
                do { _ = try row.attempt.start(at: now) } catch { throw StoreError(error) }
            }
            try db.cachedStatement(sql: "UPDATE attempt SET deviceToken = ?, sessionIssuedAt = ? WHERE id = ?").execute(arguments: [token, session, row.id])
            row.deviceToken = token
            row.sessionIssuedAt = session
            // The answers given on the other device, read here (a few indexed rows): no second trip to a reader.
            var started = Started(row: row, version: try ExamDay.bumpVersion(db, examId: row.examId))
            for answer in try SQLRow.fetchAll(try db.cachedStatement(sql: "SELECT itemKey, value FROM response WHERE attemptId = ?"), arguments: [row.id]) {
                started.responses[answer[0]] = answer[1]
            }
            started.lastSequence = try Int.fetchOne(try db.cachedStatement(sql: "SELECT max(sequence) FROM responseEvent WHERE attemptId = ?"), arguments: [row.id]) ?? 0
            return started
        }
        guard let schedule = try SQLRow.fetchOne(try db.cachedStatement(sql: """
            SELECT s.opensAt, s.durationSeconds, s.lateEntrySeconds, s.graceSeconds, s.policy, c.examId, c.paperId, s.endsBy FROM candidate c
            JOIN examSession s ON s.id = c.examSessionId WHERE c.id = ? AND c.paperId IS NOT NULL
            """), arguments: [candidateId]) else {
            throw StoreError(.notPrepared, "thí sinh chưa có phòng, ca và đề / the candidate has no session or paper yet")
        }
        let timing = SessionTiming(opensAt: schedule[0], durationSeconds: schedule[1], lateEntrySeconds: schedule[2], graceSeconds: schedule[3],
                                   policy: SessionTiming.DeadlinePolicy(rawValue: schedule[4]) ?? .fixedEnd, endsBy: schedule[7])
        var attempt = Attempt(timing: timing)
        do { _ = try attempt.start(at: now) } catch { throw StoreError(error) }
        // By hand with a cached statement and dates as text made once: a start storm makes one of these per
        // candidate, and the record's Codable insert (a dictionary of every column, sorted) showed in its profile.
        guard let attemptId = try Int64.fetchOne(try db.cachedStatement(sql: Self.insertAttemptSQL),
                                                 arguments: [candidateId, UTCText.database(attempt.startedAt!), token, UTCText.database(session)]) else {
            throw StoreError(.invalid, "attempt: no id given")
        }
        let row = AttemptRow(id: attemptId, candidateId: candidateId, examId: schedule[5], paperId: schedule[6], deviceToken: token, attempt: attempt,
                             scoreHundredths: nil, breakdown: nil, sessionIssuedAt: session)
        return Started(row: row, version: try ExamDay.bumpVersion(db, examId: schedule[5]))
    }

    static let insertAttemptSQL = """
        INSERT INTO attempt(candidateId, state, startedAt, extraSeconds, autoSubmitted, deviceToken, pausedSeconds, sessionIssuedAt)
        VALUES (?, 'in-progress', ?, 0, 0, ?, 0, ?) RETURNING id
        """

    /// The largest sequence number taken: the largest integer a page's JavaScript holds exactly (2^53).
    public static let maximumSequence = 9_007_199_254_740_992

    public func record(exam: String, sbd: String, deviceToken: String, events: [ResponseEvent], now: Date) async throws -> AttemptStatus {
        // From memory without an async call when it is fresh (this route runs on every change a candidate makes).
        var candidate: ExamDay.Candidate
        if let known = try examDay.knownCandidate(exam: exam, sbd: sbd) { candidate = known.1 } else { (_, candidate) = try await examDay.candidate(exam: exam, sbd: sbd) }
        guard let paperId = candidate.paperId else { throw StoreError(.notPrepared, "kỳ thi chưa chuẩn bị / the exam is not prepared") }
        // What never changes: the item is on this paper, the value fits its kind, the sequence is in range.
        let kinds: [String: QuestionKind]
        if let known = papers.known(paperId) { kinds = known.kinds } else { kinds = try await paper(id: paperId).kinds }
        for (index, event) in events.enumerated() {
            guard (1...Self.maximumSequence).contains(event.sequence) else {
                throw StoreError.invalid("events[\(index)].sequence", "số thứ tự sự kiện phải từ 1 đến 2^53 / event sequence must be 1 to 2^53")
            }
            guard let kind = kinds[event.item] else {
                throw StoreError.invalid("events[\(index)].item", "câu \(event.item) không có trên đề / item \(event.item) is not on this paper")
            }
            guard event.value.isWellFormed(for: kind) else {
                throw StoreError.invalid("events[\(index)].value", "câu trả lời cho \(event.item) không đúng dạng \(kind.rawValue) / the answer does not fit the question")
            }
        }
        // What changes (device, state, time): from memory; a refusal is confirmed from the database first.
        if Self.refusal(candidate, deviceToken: deviceToken, events: events, now: now) != nil {
            candidate = try await examDay.refreshCandidate(exam: exam, sbd: sbd)
            if let refusal = Self.refusal(candidate, deviceToken: deviceToken, events: events, now: now) { throw refusal }
        }
        guard let held = candidate.attempt else { throw Self.notStarted }
        // Acknowledged only after the writer has committed them; decided again in its transaction.
        guard !events.isEmpty else { return AttemptStatus(held.attempt, deviceToken: held.deviceToken, now: now) }
        try await writer.record(attemptID: held.id, deviceToken: deviceToken, events: events, receivedAt: now)
        return AttemptStatus(held.attempt, deviceToken: held.deviceToken, now: now)
    }

    static let notStarted = StoreError(.notStarted, "Bài thi chưa bắt đầu / the attempt has not started")
    static let takenOver = StoreError(.takenOver, "Bài thi đang được làm trên máy khác / the attempt was taken over by another device")

    /// Why the attempt in `candidate` would refuse these events now, or nil.
    static func refusal(_ candidate: ExamDay.Candidate, deviceToken: String, events: [ResponseEvent], now: Date) -> StoreError? {
        guard let held = candidate.attempt else { return notStarted }
        guard held.deviceToken == deviceToken else { return takenOver }
        for event in events {
            do { try held.attempt.accepts(sequence: event.sequence, at: now) } catch { return StoreError(error) }
        }
        return nil
    }

    public func submit(exam: String, sbd: String, deviceToken: String, now: Date) async throws -> SubmittedAttempt {
        var (header, candidate) = try await examDay.candidate(exam: exam, sbd: sbd)
        if candidate.attempt == nil || candidate.attempt?.deviceToken != deviceToken {
            candidate = try await examDay.refreshCandidate(exam: exam, sbd: sbd)
        }
        guard let held = candidate.attempt else { throw Self.notStarted }
        let papers = self.papers, examDay = self.examDay
        let submitted = try await writer.perform({ db in
            try Self.submit(db, attemptID: held.id, deviceToken: deviceToken, now: now, papers: papers)
        }, afterCommit: { submitted in examDay.applySubmitted(submitted) })
        header = try await examDay.header(exam)
        return SubmittedAttempt(score: submitted.score, resultsLater: header.resultsLater(at: now))
    }

    struct Submitted: Sendable {
        var row: AttemptRow
        var score: PaperScore
        var version: Int
    }

    /// The candidate submits, inside the writer's transaction (after every answer handed to it before);
    /// graded with ExamCore's scoring: the score on the paper's scale and the breakdown are stored, essays
    /// stay pending.
    static func submit(_ db: SQLConnection, attemptID: Int64, deviceToken: String, now: Date, papers: PaperCache) throws -> Submitted {
        guard var row = try AttemptRow.fetch(db, id: attemptID) else { throw StoreError(.notFound, "không có bài thi / no attempt \(attemptID)") }
        guard row.deviceToken == deviceToken else { throw takenOver }
        do { try row.attempt.submit(at: now) } catch { throw StoreError(error) }
        return try grade(db, row: &row, papers: papers)
    }

    /// Submits at the deadline, inside the writer's transaction, if the attempt's time and grace are over
    /// by what the database holds (time may have been added since it was found); nil otherwise.
    static func submitIfExpired(_ db: SQLConnection, attemptID: Int64, now: Date, papers: PaperCache) throws -> Submitted? {
        guard var row = try AttemptRow.fetch(db, id: attemptID), row.attempt.tick(at: now) else { return nil }
        return try grade(db, row: &row, papers: papers)
    }

    static func grade(_ db: SQLConnection, row: inout AttemptRow, papers: PaperCache) throws -> Submitted {
        let paper = try papers.paper(row.paperId, db: db, exact: true).paper
        let score = paper.grade(try responses(db, attemptId: row.id))
        try row.save(db)
        try db.execute(sql: "UPDATE attempt SET scoreHundredths = ?, pendingItems = ?, breakdown = ? WHERE id = ?",
                       arguments: [score.total.hundredths, score.pending, score.stored, row.id])
        row.scoreHundredths = score.total.hundredths
        row.pendingItems = score.pending
        return Submitted(row: row, score: score, version: try ExamDay.bumpVersion(db, examId: row.examId))
    }

    /// An attempt's latest answers by item key.
    static func responses(_ db: SQLConnection, attemptId: Int64) throws -> [String: ResponseValue] {
        var responses: [String: ResponseValue] = [:]
        for response in try SQLRow.fetchAll(try db.cachedStatement(sql: "SELECT itemKey, value FROM response WHERE attemptId = ?"), arguments: [attemptId]) {
            responses[response[0]] = try ResponseValue(storedJSON: response[1])
        }
        return responses
    }

    public func submitExpired(now: Date) async throws -> Int {
        let due = try await database.writer.read { db in
            try AttemptRow.inProgress(db).filter { row in var attempt = row.attempt; return attempt.tick(at: now) }.map(\.id)
        }
        guard !due.isEmpty else { return 0 }
        let papers = self.papers, examDay = self.examDay, writer = self.writer
        // All at once: they share the writer's group commits.
        return try await withThrowingTaskGroup(of: Bool.self) { group in
            for id in due {
                group.addTask {
                    let submitted = try await writer.perform({ db in try Self.submitIfExpired(db, attemptID: id, now: now, papers: papers) },
                                                             afterCommit: { submitted in submitted.map(examDay.applySubmitted) })
                    return submitted != nil
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
    }

    public func status(exam: String, sbd: String, now: Date) async throws -> AttemptStatus {
        let (_, candidate) = try await examDay.candidate(exam: exam, sbd: sbd)
        guard let held = candidate.attempt else { throw Self.notStarted }
        return AttemptStatus(held.attempt, deviceToken: held.deviceToken, now: now)
    }

    public func result(exam: String, sbd: String, now: Date) async throws -> CandidateResult {
        let (_, candidate) = try await examDay.candidate(exam: exam, sbd: sbd)
        let papers = self.papers
        return try await database.writer.read { db in try AppDatabase.candidateResult(db, candidateId: candidate.id, papers: papers, now: now) }
    }

    public func mediaFile(exam: String, sbd: String, sha256: String) async throws -> MediaData? {
        let (_, candidate) = try await examDay.candidate(exam: exam, sbd: sbd)
        guard let paperId = candidate.paperId else { return nil }
        let onPaper = try await paper(id: paperId).media.values.contains { $0.values.contains(sha256) }
        return onPaper ? try await file(sha256: sha256) : nil
    }

    public func paper(id: Int64) async throws -> PaperCache.Entry {
        if let known = papers.known(id) { return known }
        let papers = self.papers
        return try await database.writer.read { db in try papers.paper(id, db: db) }
    }
}

extension ExamDay {
    /// A submit (by the candidate or at the deadline) committed by this process.
    func applySubmitted(_ submitted: DatabaseStore.Submitted) {
        apply(examId: submitted.row.examId, candidateId: submitted.row.candidateId, version: submitted.version) { candidate in
            candidate.attempt?.attempt = submitted.row.attempt
            candidate.attempt?.scoreHundredths = submitted.row.scoreHundredths
            candidate.attempt?.pendingItems = submitted.row.pendingItems
        }
    }

    /// A change to an attempt's timing or state (added time, pause, resume, reopen) committed by this process.
    func applyAttempt(_ row: AttemptRow, version: Int) {
        apply(examId: row.examId, candidateId: row.candidateId, version: version) { candidate in
            candidate.attempt?.attempt = row.attempt
            candidate.attempt?.deviceToken = row.deviceToken
            candidate.attempt?.scoreHundredths = row.scoreHundredths
            candidate.attempt?.pendingItems = row.pendingItems
        }
    }
}

extension Date {
    /// Whole milliseconds since 1970: how session times are compared (they go through the database as text with
    /// milliseconds, and through cookies as whole milliseconds).
    var milliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
}

/// Answer batches stored inside the writer's transaction, after checking there, in the writer's order, that the
/// device still holds each attempt and that it takes answers now (a batch checked before a submit, a takeover
/// or a pause but reaching the writer after it is refused, not acknowledged). Every event goes to the
/// append-only log (a replay is ignored there); the latest answer per item moves only to a higher sequence.
/// Consecutive batches share one check query and multi-row inserts.
enum AnswerStore {
    /// The most rows one insert statement carries (statements are prepared once per size up to this).
    static let rowsPerStatement = 64

    /// The statements' text for 1…`rowsPerStatement` rows (index = rows), made once instead of per group.
    private static func texts(_ make: (Int) -> String) -> [String] { [""] + (1...rowsPerStatement).map(make) }
    private static func rows(_ count: Int, columns: Int) -> String {
        repeatElement("(" + repeatElement("?", count: columns).joined(separator: ",") + ")", count: count).joined(separator: ",")
    }
    static let logSQL = texts { "INSERT INTO responseEvent(attemptId, sequence, itemKey, value, clientTime, receivedAt) VALUES \(rows($0, columns: 6)) ON CONFLICT DO NOTHING" }
    static let latestSQL = texts {
        """
        INSERT INTO response(attemptId, itemKey, value, sequence, receivedAt) VALUES \(rows($0, columns: 5))
        ON CONFLICT(attemptId, itemKey) DO UPDATE SET value = excluded.value, sequence = excluded.sequence, receivedAt = excluded.receivedAt
        WHERE excluded.sequence > response.sequence
        """
    }
    static let attemptsSQL = texts { AttemptRow.selection + " WHERE a.id IN (" + repeatElement("?", count: $0).joined(separator: ",") + ")" }

    /// Stores what passes its checks; returns the refusals by position in `batches`.
    static func store(_ batches: [IngestionWriter.AnswerBatch], db: SQLConnection) throws -> [Int: Error] {
        let attempts = try rows(Array(Set(batches.map { $0.attemptID })), db: db)
        var refusals: [Int: Error] = [:]
        // Values as DatabaseValue from the start, each converted once.
        var log: [DatabaseValue] = []
        log.reserveCapacity(batches.count * 6)
        // One row per item for the latest answers, the highest sequence of the group: a statement may not touch
        // a row twice on PostgreSQL (SQLite would apply them in turn to the same end).
        var latest: [(attemptID: Int64, item: String, value: String, sequence: Int, received: String)] = []
        var latestIndex: [ItemOfAttempt: Int] = [:]
        for (position, batch) in batches.enumerated() {
            if let refusal = refusal(batch, attempts[batch.attemptID]) { refusals[position] = refusal; continue }
            // Dates become text once per batch, as GRDB writes them but without its formatter.
            let received = UTCText.database(batch.receivedAt)
            for event in batch.events {
                let value = event.value.canonicalJSON
                log += [batch.attemptID.databaseValue, event.sequence.databaseValue, event.item.databaseValue, value.databaseValue,
                        event.clientTime.map(UTCText.database).databaseValue, received.databaseValue]
                let key = ItemOfAttempt(attemptID: batch.attemptID, item: event.item)
                if let index = latestIndex[key] {
                    if event.sequence > latest[index].sequence { latest[index] = (batch.attemptID, event.item, value, event.sequence, received) }
                } else {
                    latestIndex[key] = latest.count
                    latest.append((batch.attemptID, event.item, value, event.sequence, received))
                }
            }
        }
        try insert(log, columns: 6, db: db, sql: logSQL)
        var latestValues: [DatabaseValue] = []
        latestValues.reserveCapacity(latest.count * 5)
        for row in latest {
            latestValues += [row.attemptID.databaseValue, row.item.databaseValue, row.value.databaseValue, row.sequence.databaseValue, row.received.databaseValue]
        }
        try insert(latestValues, columns: 5, db: db, sql: latestSQL)
        return refusals
    }

    private struct ItemOfAttempt: Hashable {
        let attemptID: Int64
        let item: String
    }

    static func refusal(_ batch: IngestionWriter.AnswerBatch, _ row: AttemptRow?) -> StoreError? {
        guard let row else { return StoreError(.notFound, "không có bài thi \(batch.attemptID) / no attempt \(batch.attemptID)") }
        guard row.deviceToken == batch.deviceToken else { return DatabaseStore.takenOver }
        for event in batch.events {
            do { try row.attempt.accepts(sequence: event.sequence, at: batch.receivedAt) } catch { return StoreError(error) }
        }
        return nil
    }

    /// The attempts with their timing, read with one statement per `rowsPerStatement` of them.
    static func rows(_ ids: [Int64], db: SQLConnection) throws -> [Int64: AttemptRow] {
        var found: [Int64: AttemptRow] = [:]
        for start in stride(from: 0, to: ids.count, by: rowsPerStatement) {
            let chunk = Array(ids[start..<min(ids.count, start + rowsPerStatement)])
            let statement = try db.cachedStatement(sql: attemptsSQL[chunk.count])
            for row in try SQLRow.fetchAll(statement, arguments: SQLArguments(chunk)).map(AttemptRow.init(row:)) { found[row.id] = row }
        }
        return found
    }

    /// One multi-row insert per `rowsPerStatement` rows of `columns` values each.
    static func insert(_ values: [DatabaseValue], columns: Int, db: SQLConnection, sql: [String]) throws {
        let rowCount = values.count / columns
        for start in stride(from: 0, to: rowCount, by: rowsPerStatement) {
            let count = min(rowsPerStatement, rowCount - start)
            let statement = try db.cachedStatement(sql: sql[count])
            try statement.execute(arguments: SQLArguments(values: Array(values[(start * columns)..<((start + count) * columns)])))
        }
    }
}

// MARK: - running an exam (proctors, coordinators)

extension DatabaseStore: ExamRepository {
    public func preparedExams() async throws -> [ExamStatus] {
        try await database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM exam WHERE state = 'prepared' AND kind = 'exam' ORDER BY createdAt DESC, id DESC").map { try AppDatabase.examStatus(db, name: $0) }
        }
    }

    public func monitor(exam name: String, now: Date) async throws -> [MonitorRow] {
        let (exam, candidates) = try await examDay.candidates(exam: name)
        // What memory does not hold: how many items each attempt has answered, when it last saved, paper sizes.
        let (activity, sizes, absent) = try await database.writer.read { db in
            var activity: [Int64: (answered: Int, lastSavedAt: Date?)] = [:]
            for row in try SQLRow.fetchAll(db, sql: """
                SELECT x.attemptId, sum(CASE WHEN x.value NOT IN ('""', '[]', '{}') THEN 1 ELSE 0 END), max(x.receivedAt) FROM response x
                JOIN attempt a ON a.id = x.attemptId JOIN candidate c ON c.id = a.candidateId WHERE c.examId = ? GROUP BY x.attemptId
                """, arguments: [exam.id]) {
                activity[row[0]] = (row[1] ?? 0, row[2])
            }
            var sizes: [Int64: Int] = [:]
            for row in try SQLRow.fetchAll(db, sql: "SELECT i.paperId, count(*) FROM paperItem i JOIN paper p ON p.id = i.paperId WHERE p.examId = ? GROUP BY i.paperId",
                                        arguments: [exam.id]) {
                sizes[row[0]] = row[1]
            }
            let absent = Set(try String.fetchAll(db, sql: "SELECT sbd FROM candidate WHERE examId = ? AND absentAt IS NOT NULL AND sbd IS NOT NULL", arguments: [exam.id]))
            return (activity, sizes, absent)
        }
        return candidates.sorted { $0.sbd < $1.sbd }.map { candidate in
            var line = MonitorRow(sbd: candidate.sbd, fullName: candidate.fullName, className: candidate.className, room: candidate.room,
                                  session: candidate.session, paperCode: candidate.paperCode, state: Attempt.State.notStarted.rawValue, answered: 0,
                                  items: candidate.paperId.flatMap { sizes[$0] } ?? 0, startedAt: nil, deadline: nil, remainingSeconds: nil,
                                  extraSeconds: 0, autoSubmitted: false, score: nil, lastSavedAt: nil, paused: false)
            // Absent only while they have not started: one who turns up late and starts is simply working.
            line.absent = candidate.attempt == nil && absent.contains(candidate.sbd)
            if let held = candidate.attempt {
                var attempt = held.attempt
                attempt.tick(at: now)
                line.state = attempt.state.rawValue
                line.startedAt = attempt.startedAt
                line.deadline = attempt.deadline(at: now)
                line.remainingSeconds = attempt.state == .inProgress ? attempt.remainingSeconds(at: now) : nil
                line.extraSeconds = attempt.extraSeconds
                line.autoSubmitted = attempt.autoSubmitted
                line.paused = attempt.isPaused
                line.score = held.scoreHundredths.map(Points.init(hundredths:))
                line.pendingItems = held.pendingItems
                line.answered = activity[held.id]?.answered ?? 0
                line.lastSavedAt = activity[held.id]?.lastSavedAt
            }
            return line
        }
    }

    public func addTime(exam: String, sbd: String, seconds: Int, by staff: String, reason: String, now: Date) async throws -> Date {
        guard (1...(4 * 3600)).contains(seconds) else { throw StoreError.invalid("seconds", "thêm từ 1 giây đến 4 giờ / add between 1 second and 4 hours") }
        let status = try await changeAttempt(exam: exam, sbd: sbd, action: "addTime", by: staff, reason: reason, details: "{\"seconds\":\(seconds)}",
                                             now: now) { attempt in
            // Time can be added while the attempt is open, grace included, but not to a submitted one.
            if attempt.tick(at: now) { throw AttemptRefusal.Code.alreadySubmitted }
            try attempt.addTime(seconds: seconds)
        }
        return status.deadline ?? now
    }

    public func pause(exam: String, sbd: String, by staff: String, reason: String, now: Date) async throws -> AttemptStatus {
        try await changeAttempt(exam: exam, sbd: sbd, action: "pause", by: staff, reason: reason, now: now) { try $0.pause(at: now) }
    }

    public func resume(exam: String, sbd: String, by staff: String, reason: String, now: Date) async throws -> AttemptStatus {
        try await changeAttempt(exam: exam, sbd: sbd, action: "resume", by: staff, reason: reason, now: now) { try $0.resume(at: now) }
    }

    /// A proctor's action on one candidate's attempt, in the writer's transaction: the attempt's state
    /// machine decides on what the database holds; the change is recorded in the audit log with who and why.
    func changeAttempt(exam: String, sbd: String, action: String, by staff: String, reason: String, details: String? = nil, now: Date,
                       _ change: @escaping @Sendable (inout Attempt) throws -> Void) async throws -> AttemptStatus {
        let (_, candidate) = try await examDay.candidate(exam: exam, sbd: sbd)
        let examDay = self.examDay
        let (row, _) = try await writer.perform({ db -> (AttemptRow, Int) in
            guard var row = try AttemptRow.fetch(db, candidateId: candidate.id) else {
                throw StoreError(.notStarted, "thí sinh \(sbd) chưa bắt đầu làm bài / candidate \(sbd) has not started")
            }
            do { try change(&row.attempt) } catch let refusal as AttemptRefusal { throw StoreError(refusal) } catch let code as AttemptRefusal.Code {
                throw StoreError(StoreError.Code(code), "bài của thí sinh \(sbd) đã nộp / the attempt is already submitted")
            }
            try row.save(db)
            var entry = AuditRecord(id: nil, at: now, actor: staff, action: action, examId: row.examId, sbd: sbd, subject: nil, reason: reason, details: details)
            try entry.insert(db)
            return (row, try ExamDay.bumpVersion(db, examId: row.examId))
        }, afterCommit: { examDay.applyAttempt($0.0, version: $0.1) })
        return AttemptStatus(row.attempt, deviceToken: row.deviceToken, now: now)
    }

    public func recordIncident(exam: String, room: String?, sbd: String?, note: String, by staff: String, now: Date) async throws {
        try await writer.perform { db in
            let examId: Int64 = try AppDatabase.examRow(db, exam)["id"]
            var room = room
            if let sbd {
                guard let candidateRoom = try SQLRow.fetchOne(db, sql: """
                    SELECT r.name FROM candidate c LEFT JOIN room r ON r.id = c.roomId WHERE c.examId = ? AND c.sbd = ?
                    """, arguments: [examId, sbd]) else {
                    throw StoreError(.notFound, "không có thí sinh \(sbd) / no candidate \(sbd)", field: "sbd")
                }
                room = room ?? candidateRoom["name"]
            }
            if let room, try Int.fetchOne(db, sql: "SELECT count(*) FROM room WHERE examId = ? AND name = ?", arguments: [examId, room])! == 0 {
                throw StoreError(.notFound, "không có phòng \(room) / no room \(room)", field: "room")
            }
            var entry = AuditRecord(id: nil, at: now, actor: staff, action: "incident", examId: examId, sbd: sbd, subject: room.map { "room:" + $0 },
                                    reason: note, details: nil)
            try entry.insert(db)
        }
    }

    public func forceSubmit(exam: String, sbd: String, by staff: String, reason: String, now: Date) async throws -> Points {
        let (_, candidate) = try await examDay.candidate(exam: exam, sbd: sbd)
        let papers = self.papers, examDay = self.examDay
        let submitted = try await writer.perform({ db -> Submitted in
            guard var row = try AttemptRow.fetch(db, candidateId: candidate.id) else {
                throw StoreError(.notStarted, "thí sinh \(sbd) chưa bắt đầu làm bài / candidate \(sbd) has not started")
            }
            do throws(AttemptRefusal) {
                // A paused attempt is resumed at this moment, then submitted: the proctor ends it either way.
                if row.attempt.isPaused { try row.attempt.resume(at: now) }
                try row.attempt.submit(at: now)
            } catch { throw StoreError(error) }
            let graded = try Self.grade(db, row: &row, papers: papers)
            var entry = AuditRecord(id: nil, at: now, actor: staff, action: "forceSubmit", examId: row.examId, sbd: sbd, subject: nil, reason: reason, details: nil)
            try entry.insert(db)
            return graded
        }, afterCommit: { submitted in examDay.applySubmitted(submitted) })
        return submitted.score.total
    }

    public func reopen(exam: String, sbd: String, by staff: String, reason: String, now: Date) async throws -> AttemptStatus {
        let (_, candidate) = try await examDay.candidate(exam: exam, sbd: sbd)
        let examDay = self.examDay
        let (row, _) = try await writer.perform({ db -> (AttemptRow, Int) in
            guard var row = try AttemptRow.fetch(db, candidateId: candidate.id) else {
                throw StoreError(.notStarted, "thí sinh \(sbd) chưa bắt đầu làm bài / candidate \(sbd) has not started")
            }
            do throws(AttemptRefusal) { try row.attempt.reopen(at: now) } catch { throw StoreError(error) }
            try row.save(db)
            // The grade of the mistaken submit goes with it: the next submit grades again.
            try db.execute(sql: "UPDATE attempt SET scoreHundredths = NULL, pendingItems = 0, breakdown = NULL WHERE id = ?", arguments: [row.id])
            row.scoreHundredths = nil
            row.pendingItems = 0
            var entry = AuditRecord(id: nil, at: now, actor: staff, action: "reopen", examId: row.examId, sbd: sbd, subject: nil, reason: reason, details: nil)
            try entry.insert(db)
            return (row, try ExamDay.bumpVersion(db, examId: row.examId))
        }, afterCommit: { examDay.applyAttempt($0.0, version: $0.1) })
        return AttemptStatus(row.attempt, deviceToken: row.deviceToken, now: now)
    }

    public func allowMove(exam: String, sbd: String, minutes: Int, by staff: String, reason: String, now: Date) async throws -> Date {
        let (_, candidate) = try await examDay.candidate(exam: exam, sbd: sbd)
        let until = now.addingTimeInterval(TimeInterval(minutes * 60))
        try await writer.perform { db in
            try db.execute(sql: "UPDATE candidate SET moveAllowedUntil = ? WHERE id = ?", arguments: [until, candidate.id])
            let examId = try Int64.fetchOne(db, sql: "SELECT examId FROM candidate WHERE id = ?", arguments: [candidate.id])
            var entry = AuditRecord(id: nil, at: now, actor: staff, action: "allowMove", examId: examId, sbd: sbd, subject: nil, reason: reason, details: nil)
            try entry.insert(db)
        }
        return until
    }

    public func markAbsent(exam: String, sbd: String, absent: Bool, by staff: String, reason: String, now: Date) async throws {
        let (_, candidate) = try await examDay.candidate(exam: exam, sbd: sbd)
        try await writer.perform { db in
            if absent, try Int.fetchOne(db, sql: "SELECT count(*) FROM attempt WHERE candidateId = ?", arguments: [candidate.id])! > 0 {
                throw StoreError(.alreadyStarted, "thí sinh \(sbd) đã vào làm bài, không thể ghi vắng / candidate \(sbd) has started: not absent")
            }
            try db.execute(sql: "UPDATE candidate SET absentAt = ? WHERE id = ?", arguments: [absent ? now : nil, candidate.id])
            let examId = try Int64.fetchOne(db, sql: "SELECT examId FROM candidate WHERE id = ?", arguments: [candidate.id])
            var entry = AuditRecord(id: nil, at: now, actor: staff, action: absent ? "absent" : "present", examId: examId, sbd: sbd, subject: nil, reason: reason, details: nil)
            try entry.insert(db)
        }
    }

    public func resetAccessCode(exam: String, sbd: String, now: Date) async throws -> LoginSlip {
        let slips = try await writer.perform { db in try AppDatabase.resetAccessCodes(db, exam: exam, room: nil, sbd: sbd, now: now) }
        examDay.markStale(exam: exam)
        return slips[0]
    }

    public func results(exam: String) async throws -> [ResultRow] {
        try await database.writer.read { db in try AppDatabase.examResults(db, name: exam) }
    }
}

// MARK: - staff, media, banks, secrets

extension DatabaseStore: StaffRepository {
    public func verify(username: String, password: String) async throws -> StaffMember? {
        let stored = try await database.writer.read { db in try StaffRecord.fetchOne(db, where: "username = ?", arguments: [username]) }
        let valid = await StaffPasswords.verify(password, hash: stored?.passwordHash ?? StaffPasswords.decoyHash)
        guard valid, let stored, !stored.disabled else { return nil }
        return stored.member
    }

    public func account(username: String) async throws -> StaffAccount? {
        try await database.writer.read { db in
            try StaffRecord.fetchOne(db, where: "username = ?", arguments: [username]).map {
                StaffAccount(member: $0.member, sessionsValidAfter: $0.sessionsValidAfter, disabled: $0.disabled)
            }
        }
    }

    public func members() async throws -> [StaffMember] {
        try await database.writer.read { db in try AppDatabase.staffMembers(db) }
    }
}

extension DatabaseStore: MediaRepository {
    public func file(sha256: String) async throws -> MediaData? {
        try await database.writer.read { db in try MediaRecord.fetchOne(db, where: "sha256 = ?", arguments: [sha256]).map { MediaData(data: $0.data, mimeType: $0.mimeType) } }
    }
}

extension DatabaseStore: BankRepository {
    public func banks() async throws -> [BankSummary] { try await database.writer.read { db in try AppDatabase.banks(db) } }
    public func search(_ query: QuestionQuery) async throws -> [SearchHit] { try await database.writer.read { db in try AppDatabase.search(db, query) } }
    public func question(id: String, bank: String?, revision: Int?) async throws -> StoredQuestion {
        try await database.writer.read { db in try AppDatabase.question(db, id: id, bank: bank, revision: revision) }
    }
    public func blueprintNames() async throws -> [String] {
        try await database.writer.read { db in try String.fetchAll(db, sql: "SELECT name FROM blueprint ORDER BY name") }
    }
}

extension DatabaseStore: SessionRepository {
    public func revoke(session: String, expiresAt: Date) async throws {
        try await database.writer.write { db in
            try db.execute(sql: "INSERT INTO revokedSession(id, expiresAt) VALUES (?, ?) ON CONFLICT DO NOTHING", arguments: [session, expiresAt])
        }
        revocations.insert(session)
    }

    public func isRevoked(session: String) async throws -> Bool {
        if revocations.shouldRead() {
            let now = self.now()
            do {
                let ids = try await database.writer.read { db in
                    try String.fetchAll(db, sql: "SELECT id FROM revokedSession WHERE expiresAt >= ?", arguments: [now])
                }
                revocations.replace(with: Set(ids))
            } catch {
                revocations.readFailed()
                throw error
            }
        }
        return revocations.contains(session)
    }

    /// The lease holder's chores: expired logouts and wrong logins long forgotten are deleted.
    func forgetExpired(now: Date) async throws {
        try await database.writer.write { db in
            try db.execute(sql: "DELETE FROM revokedSession WHERE expiresAt < ?", arguments: [now])
            try db.execute(sql: "DELETE FROM loginFailure WHERE changedAt < ?", arguments: [now.addingTimeInterval(-LoginFailures.keptFor)])
        }
    }

    public func recordLoginFailure(account: String, address: String, at time: Date, forgetBefore: Date) async throws -> LoginFailures {
        try await database.writer.write { db in
            let row = try SQLRow.fetchOne(db, sql: """
                INSERT INTO loginFailure(account, address, failures, lastFailure, changedAt) VALUES (?, ?, 1, ?, ?)
                ON CONFLICT (account, address) DO UPDATE SET
                  failures = CASE WHEN loginFailure.lastFailure < ? THEN 1 ELSE loginFailure.failures + 1 END,
                  lastFailure = excluded.lastFailure, changedAt = excluded.changedAt
                RETURNING failures, lastFailure
                """, arguments: [account, address, time, time, forgetBefore])!
            return LoginFailures(account: account, address: address, failures: row[0], lastFailure: row[1], changedAt: time)
        }
    }

    public func clearLoginFailures(account: String, address: String?, at time: Date) async throws {
        try await database.writer.write { db in
            // Kept with no failures (not deleted), so that other nodes read the change.
            if let address {
                try db.execute(sql: "UPDATE loginFailure SET failures = 0, changedAt = ? WHERE account = ? AND address = ? AND failures > 0",
                               arguments: [time, account, address])
            } else {
                try db.execute(sql: "UPDATE loginFailure SET failures = 0, changedAt = ? WHERE account = ? AND failures > 0", arguments: [time, account])
            }
        }
    }

    public func loginFailures(changedSince: Date) async throws -> [LoginFailures] {
        try await database.writer.read { db in
            try SQLRow.fetchAll(db, sql: "SELECT account, address, failures, lastFailure, changedAt FROM loginFailure WHERE changedAt >= ?",
                                arguments: [changedSince]).map {
                LoginFailures(account: $0[0], address: $0[1], failures: $0[2], lastFailure: $0[3], changedAt: $0[4])
            }
        }
    }
}

/// The set of ended sessions a store keeps, and when it was last read.
final class Revocations: Sendable {
    private struct State {
        var ids: Set<String> = []
        var readAt: ContinuousClock.Instant?
        var reading = false
        /// Logouts made here lately: a read that began before one committed must not drop it.
        var recent: [String: ContinuousClock.Instant] = [:]
    }

    private let state = Mutex(State())
    private let freshness: Duration

    init(freshness: Duration) { self.freshness = freshness }

    /// True for the one caller that should read the set again now (never read, or older than `freshness`).
    func shouldRead() -> Bool {
        let now = ContinuousClock.now
        return state.withLock { state in
            if let readAt = state.readAt, now - readAt < freshness || state.reading { return false }
            // Never read: every caller reads (none has a set to answer with).
            if state.readAt != nil { state.reading = true }
            return true
        }
    }

    func replace(with ids: Set<String>) {
        let now = ContinuousClock.now
        state.withLock { state in
            state.recent = state.recent.filter { now - $0.value < .seconds(10) }
            state.ids = ids.union(state.recent.keys)
            state.readAt = now
            state.reading = false
        }
    }

    func readFailed() { state.withLock { $0.reading = false } }
    func insert(_ id: String) {
        let now = ContinuousClock.now
        state.withLock { state in
            state.ids.insert(id)
            state.recent[id] = now
        }
    }
    func contains(_ id: String) -> Bool { state.withLock { $0.ids.contains(id) } }
}

extension DatabaseStore: SecretRepository {
    public func secret(named name: String) async throws -> Data {
        try await database.writer.write { db in try AppDatabase.secretKey(db, named: name).withUnsafeBytes { Data($0) } }
    }
}
