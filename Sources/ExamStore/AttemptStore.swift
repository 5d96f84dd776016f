import Crypto
import ExamCore
import Foundation
import GRDB
import Synchronization

/// One answer as the page sends it: per attempt, sequence numbers grow with every change the candidate makes.
public struct ResponseEvent: Codable, Sendable, Hashable {
    public var sequence: Int
    /// The item key on the paper ("I.3").
    public var item: String
    public var value: ResponseValue
    /// When the page recorded it (for disputes; the server's time decides).
    public var clientTime: Date?

    public init(sequence: Int, item: String, value: ResponseValue, clientTime: Date? = nil) {
        self.sequence = sequence; self.item = item; self.value = value; self.clientTime = clientTime
    }
}

/// What a candidate's page needs to run or resume a test.
public struct AttemptView: Codable, Sendable, Hashable {
    public var attemptID: Int64
    public var deviceToken: String
    public var state: Attempt.State
    public var deadline: Date?
    public var remainingSeconds: Int
    public var lastSequence: Int
    /// The latest acknowledged answer per item.
    public var responses: [String: ResponseValue]
    public var paperCode: String
}

/// Papers decoded once per code and shared: ten thousand attempts on 24 codes hold 24 papers, not ten
/// thousand (the server keeps every open attempt in memory). Papers never change once stored.
public final class PaperCache: Sendable {
    public struct Entry: Sendable {
        public let paper: Paper
        /// The kind of each item, by key.
        public let kinds: [String: QuestionKind]
        /// Images: item key → (name in its text → SHA-256).
        public let media: [String: [String: String]]
    }

    private let entries = Mutex<[Int64: Entry]>([:])

    public init() {}

    public func paper(_ id: Int64, database: AppDatabase) throws -> Entry {
        if let known = entries.withLock({ $0[id] }) { return known }
        return try database.writer.read { db in try paper(id, db: db) }
    }

    public func paper(_ id: Int64, db: Database) throws -> Entry {
        if let known = entries.withLock({ $0[id] }) { return known }
        guard let content = try String.fetchOne(db, sql: "SELECT content FROM paper WHERE id = ?", arguments: [id]) else {
            throw StoreError(.notFound, "không có đề \(id) / no paper \(id)")
        }
        let paper = try JSONDecoder().decode(Paper.self, from: Data(content.utf8))
        var media: [String: [String: String]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT i.key, m.name, m.mediaSha256 FROM paperItem i JOIN questionRevisionMedia m ON m.questionRevisionId = i.questionRevisionId
            WHERE i.paperId = ?
            """, arguments: [id]) {
            media[row["key"], default: [:]][row["name"]] = row["mediaSha256"]
        }
        let entry = Entry(paper: paper, kinds: Dictionary(paper.items.map { ($0.key, $0.question.kind) }, uniquingKeysWith: { first, _ in first }), media: media)
        entries.withLock { $0[id] = entry }
        return entry
    }
}

/// Everything the server checks an event against, loaded once per attempt and kept in memory.
public struct AttemptContext: Sendable {
    public var attemptID: Int64
    public var attempt: Attempt
    public var deviceToken: String
    public var paperID: Int64
    public var paper: Paper
    /// The kind of each item, by key.
    public var kinds: [String: QuestionKind]
}

extension AttemptContext {
    /// Checks an event before it is handed to the writer: the device holds the attempt, the attempt takes
    /// answers now (in progress, before the deadline plus grace), the item is on this paper, the value fits
    /// its kind. Throws a refusal a page can show.
    public func check(_ event: ResponseEvent, deviceToken: String, now: Date) throws {
        guard deviceToken == self.deviceToken else {
            throw StoreError(.conflict, "Bài thi đang được làm trên máy khác / the attempt was taken over by another device")
        }
        do { try attempt.accepts(sequence: event.sequence, at: now) } catch let refusal {
            throw StoreError(.conflict, refusal.message)
        }
        guard let kind = kinds[event.item] else {
            throw StoreError(.invalidRequest, "câu \(event.item) không có trên đề / item \(event.item) is not on this paper")
        }
        guard event.value.isWellFormed(for: kind) else {
            throw StoreError(.invalidRequest, "câu trả lời cho \(event.item) không đúng dạng \(kind.rawValue) / the answer does not fit the question")
        }
    }
}

extension AppDatabase {
    static func timing(_ row: Row) -> SessionTiming {
        SessionTiming(opensAt: row["opensAt"], durationSeconds: row["durationSeconds"], lateEntrySeconds: row["lateEntrySeconds"],
                      graceSeconds: row["graceSeconds"], policy: SessionTiming.DeadlinePolicy(rawValue: row["policy"]) ?? .fixedEnd)
    }

    static func attempt(_ row: Row, timing: SessionTiming) -> Attempt {
        Attempt(timing: timing, state: (row["state"] as String) == "submitted" ? .submitted : .inProgress, startedAt: row["startedAt"],
                submittedAt: row["submittedAt"], autoSubmitted: row["autoSubmitted"], extraSeconds: row["extraSeconds"])
    }

    /// Starts or resumes the attempt of candidate `sbd` at `now` from a device, which becomes the one device
    /// allowed to write (a new login takes over). Returns the acknowledged answers and the time left.
    public func startAttempt(exam: String, sbd: String, now: Date) throws -> AttemptView {
        try writer.write { db in try Self.startAttempt(db, exam: exam, sbd: sbd, now: now) }
    }

    /// Starts or resumes `attempt`, a refusal becoming a conflict the page can show.
    static func start(_ attempt: inout Attempt, at now: Date) throws {
        do { _ = try attempt.start(at: now) } catch { throw StoreError(.conflict, error.message) }
    }

    /// `startAttempt` inside the caller's transaction (the server runs it through the group-commit writer).
    public static func startAttempt(_ db: Database, exam: String, sbd: String, now: Date) throws -> AttemptView {
        guard let candidate = try Row.fetchOne(db, sql: """
            SELECT c.id, p.code, s.opensAt, s.durationSeconds, s.lateEntrySeconds, s.graceSeconds, s.policy
            FROM candidate c JOIN exam e ON e.id = c.examId JOIN examSession s ON s.id = c.examSessionId JOIN paper p ON p.id = c.paperId
            WHERE e.name = ? AND c.sbd = ?
            """, arguments: [exam, sbd]) else {
            throw StoreError(.notFound, "không có thí sinh \(sbd) trong kỳ thi / no candidate \(sbd)")
        }
        let timing = Self.timing(candidate)
        let candidateId: Int64 = candidate["id"]
        let token = UUID().uuidString
        var attempt: Attempt
        let attemptId: Int64
        if let row = try Row.fetchOne(db, sql: "SELECT * FROM attempt WHERE candidateId = ?", arguments: [candidateId]) {
            attempt = Self.attempt(row, timing: timing)
            attemptId = row["id"]
            if attempt.state == .inProgress {
                try Self.start(&attempt, at: now)
            }
            try db.execute(sql: "UPDATE attempt SET deviceToken = ? WHERE id = ?", arguments: [token, attemptId])
        } else {
            attempt = Attempt(timing: timing)
            try Self.start(&attempt, at: now)
            try db.execute(sql: "INSERT INTO attempt(candidateId, state, startedAt, deviceToken) VALUES (?, 'in-progress', ?, ?)",
                           arguments: [candidateId, attempt.startedAt, token])
            attemptId = db.lastInsertedRowID
        }
        let responses = try Row.fetchAll(db, sql: "SELECT itemKey, value FROM response WHERE attemptId = ?", arguments: [attemptId])
        var values: [String: ResponseValue] = [:]
        for response in responses {
            values[response["itemKey"]] = try JSONDecoder().decode(ResponseValue.self, from: Data((response["value"] as String).utf8))
        }
        // The highest sequence the server holds (from the log's unique index): the page continues above it.
        let lastSequence = try Int.fetchOne(db, sql: "SELECT max(sequence) FROM responseEvent WHERE attemptId = ?", arguments: [attemptId]) ?? 0
        return AttemptView(attemptID: attemptId, deviceToken: token, state: attempt.state, deadline: attempt.deadline,
                           remainingSeconds: attempt.remainingSeconds(at: now), lastSequence: lastSequence, responses: values,
                           paperCode: candidate["code"])
    }

    /// The attempt with its paper and timing, for checking events in memory. Papers come from `papers`
    /// when it holds them (a code's paper is decoded once, and shared by every attempt on it).
    public func attemptContext(_ attemptID: Int64, papers: PaperCache = PaperCache()) throws -> AttemptContext {
        try writer.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT a.*, c.paperId, s.opensAt, s.durationSeconds, s.lateEntrySeconds, s.graceSeconds, s.policy
                FROM attempt a JOIN candidate c ON c.id = a.candidateId JOIN examSession s ON s.id = c.examSessionId
                WHERE a.id = ?
                """, arguments: [attemptID]) else { throw StoreError(.notFound, "không có bài thi \(attemptID) / no attempt \(attemptID)") }
            let paper = try papers.paper(row["paperId"], db: db)
            return AttemptContext(attemptID: attemptID, attempt: Self.attempt(row, timing: Self.timing(row)), deviceToken: row["deviceToken"],
                                  paperID: row["paperId"], paper: paper.paper, kinds: paper.kinds)
        }
    }

    /// Submits (by the candidate, or at the deadline by the server) and grades the attempt with ExamCore's
    /// scoring: the score on the paper's scale and the per-item breakdown are stored; essays stay pending.
    public func submitAttempt(_ attemptID: Int64, now: Date, automatic: Bool = false, papers: PaperCache = PaperCache()) throws -> PaperScore {
        try writer.write { db in try Self.submit(db, attemptID: attemptID, now: now, automatic: automatic, papers: papers) }
    }

    /// `submitAttempt` inside the caller's transaction.
    public static func submit(_ db: Database, attemptID: Int64, now: Date, automatic: Bool, papers: PaperCache) throws -> PaperScore {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT a.*, c.paperId, s.opensAt, s.durationSeconds, s.lateEntrySeconds, s.graceSeconds, s.policy
            FROM attempt a JOIN candidate c ON c.id = a.candidateId JOIN examSession s ON s.id = c.examSessionId
            WHERE a.id = ?
            """, arguments: [attemptID]) else { throw StoreError(.notFound, "không có bài thi / no attempt \(attemptID)") }
        var attempt = Self.attempt(row, timing: Self.timing(row))
        if automatic {
            guard attempt.tick(at: now) else { throw StoreError(.conflict, "chưa hết giờ / not past the deadline") }
        } else {
            do { try attempt.submit(at: now) } catch let refusal { throw StoreError(.conflict, refusal.message) }
        }
        let paper = try papers.paper(row["paperId"], db: db).paper
        var responses: [String: ResponseValue] = [:]
        for response in try Row.fetchAll(db, sql: "SELECT itemKey, value FROM response WHERE attemptId = ?", arguments: [attemptID]) {
            responses[response["itemKey"]] = try JSONDecoder().decode(ResponseValue.self, from: Data((response["value"] as String).utf8))
        }
        let score = paper.grade(responses)
        try db.execute(sql: """
            UPDATE attempt SET state = 'submitted', submittedAt = ?, autoSubmitted = ?, scoreHundredths = ?, pendingItems = ?, breakdown = ? WHERE id = ?
            """, arguments: [attempt.submittedAt, attempt.autoSubmitted, score.total.hundredths, score.pending,
                             String(decoding: try Canonical.encoder.encode(score), as: UTF8.self), attemptID])
        return score
    }

    /// Submits every attempt whose deadline and grace have passed; returns how many.
    public func autoSubmitExpired(now: Date, papers: PaperCache = PaperCache()) throws -> Int {
        try writer.write { db in
            let open = try Row.fetchAll(db, sql: """
                SELECT a.*, s.opensAt, s.durationSeconds, s.lateEntrySeconds, s.graceSeconds, s.policy FROM attempt a
                JOIN candidate c ON c.id = a.candidateId JOIN examSession s ON s.id = c.examSessionId WHERE a.state = 'in-progress'
                """)
            var count = 0
            for row in open {
                var attempt = Self.attempt(row, timing: Self.timing(row))
                guard attempt.tick(at: now) else { continue }
                _ = try Self.submit(db, attemptID: row["id"], now: now, automatic: true, papers: papers)
                count += 1
            }
            return count
        }
    }

    /// Writes a batch of checked events in the caller's transaction: every event goes to the append-only log
    /// (a replay is ignored there), and the latest answer per item moves only to a higher sequence.
    static func store(_ events: [ResponseEvent], attemptID: Int64, receivedAt: Date, db: Database) throws {
        // Checked again here, in the writer's order: a batch that was checked before a submit but reaches the
        // writer after it must not be acknowledged as an answer that was never graded.
        let state = try db.cachedStatement(sql: "SELECT state FROM attempt WHERE id = ?")
        guard try String.fetchOne(state, arguments: [attemptID]) == "in-progress" else {
            throw StoreError(.conflict, "Bài đã nộp / the attempt is already submitted")
        }
        let log = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO responseEvent(attemptId, sequence, itemKey, value, clientTime, receivedAt) VALUES (?, ?, ?, ?, ?, ?)
            """)
        let latest = try db.cachedStatement(sql: """
            INSERT INTO response(attemptId, itemKey, value, sequence, receivedAt) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(attemptId, itemKey) DO UPDATE SET value = excluded.value, sequence = excluded.sequence, receivedAt = excluded.receivedAt
            WHERE excluded.sequence > response.sequence
            """)
        for event in events {
            let value = event.value.canonicalJSON
            try log.execute(arguments: [attemptID, event.sequence, event.item, value, event.clientTime, receivedAt])
            try latest.execute(arguments: [attemptID, event.item, value, event.sequence, receivedAt])
        }
    }
}

/// The one writer of answers (and of the other small writes of a running exam: starts, submits). Handlers
/// hand it work and wait; it runs everything waiting in one transaction (group commit), each piece in its
/// own savepoint so one that fails fails alone, as soon as the previous commit is done, with no timer, and
/// only then answers them: an acknowledged answer is on disk (WAL, synchronous=FULL). `drain()` waits for
/// everything accepted to be committed, for a clean shutdown.
public final class IngestionWriter: Sendable {
    /// One piece of work: runs inside the group's transaction (in a savepoint of its own when `isolated`;
    /// without one it may throw, and the group is run again with every job isolated), then learns whether
    /// the commit held.
    struct Job: Sendable {
        let isolated: Bool
        let run: @Sendable (Database, _ isolated: Bool) throws -> Void
        let finish: @Sendable (Error?) -> Void
    }

    struct State {
        var pending: [Job] = []
        var flushing = false
        var drainWaiters: [CheckedContinuation<Void, Never>] = []
        var transactions = 0
        var batches = 0
    }

    private let database: AppDatabase
    /// Handlers append under this lock; no actor hop on the way in.
    private let state = Mutex(State())
    /// The writer's own serial queue: it runs one group after another, synchronously.
    private let queue = DispatchQueue(label: "khaothi.ingestion-writer")

    /// How many transactions and jobs have been committed (for tests and metrics).
    public var transactions: Int { state.withLock { $0.transactions } }
    public var batches: Int { state.withLock { $0.batches } }

    public init(database: AppDatabase) { self.database = database }

    /// Runs `work` in the next group's transaction and returns its result once that transaction is
    /// committed. If `work` throws, its changes are rolled back and the error is thrown here; the rest of
    /// the group is not affected. If the commit fails, every job of the group fails. `isolated: false` skips
    /// the savepoint (two statements per job) for work that almost never fails, such as answer batches: if
    /// it does fail, the whole group is rolled back and run again with every job in its savepoint.
    public func perform<T: Sendable>(isolated: Bool = true, _ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            let outcome = Outcome(work)
            let job = Job(isolated: isolated, run: { try outcome.run($0, isolated: $1) }, finish: { outcome.finish(commitError: $0, continuation) })
            let start = state.withLock { state in
                state.pending.append(job)
                guard !state.flushing else { return false }
                state.flushing = true
                return true
            }
            if start { queue.async { self.flush() } }
        }
    }

    /// Stores checked events of one attempt; returns once they are committed. Throws if they could not be
    /// stored (then nothing of this batch is acknowledged).
    public func write(attemptID: Int64, events: [ResponseEvent]) async throws {
        guard !events.isEmpty else { return }
        let receivedAt = Date()
        try await perform(isolated: false) { db in try AppDatabase.store(events, attemptID: attemptID, receivedAt: receivedAt, db: db) }
    }

    /// Commits group after group until nothing waits; handlers keep appending to the next group meanwhile.
    private func flush() {
        while true {
            let group = state.withLock { state in
                let group = state.pending
                state.pending = []
                if group.isEmpty { state.flushing = false }
                return group
            }
            if group.isEmpty { break }
            do {
                do {
                    try database.writer.write { db in for job in group { try job.run(db, job.isolated) } }
                } catch {
                    // A job without a savepoint failed (or the commit did): again, each job on its own.
                    try database.writer.write { db in for job in group { try job.run(db, true) } }
                }
                state.withLock { state in
                    state.transactions += 1
                    state.batches += group.count
                }
                for job in group { job.finish(nil) }
            } catch {
                for job in group { job.finish(error) }
            }
        }
        let waiters = state.withLock { state in
            guard !state.flushing else { return [CheckedContinuation<Void, Never>]() }
            let waiters = state.drainWaiters
            state.drainWaiters = []
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until every job handed in so far is committed.
    public func drain() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state in
                if !state.flushing && state.pending.isEmpty { return true }
                state.drainWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }
}

/// A job's work and result: run inside the group's transaction in a savepoint of its own, read after the
/// commit (both on the writer's serial path).
private final class Outcome<T: Sendable>: @unchecked Sendable {
    let work: @Sendable (Database) throws -> T
    var result: Result<T, Error> = .failure(CancellationError())

    init(_ work: @escaping @Sendable (Database) throws -> T) { self.work = work }

    /// Runs the work. Isolated, in a savepoint whose failure is kept as this job's result; otherwise
    /// directly, a failure thrown to the caller (which runs the group again isolated).
    func run(_ db: Database, isolated: Bool) throws {
        guard isolated else {
            result = .success(try work(db))
            return
        }
        do {
            var value: T?
            try db.inSavepoint {
                value = try work(db)
                return .commit
            }
            result = value.map { .success($0) } ?? .failure(CancellationError())
        } catch {
            result = .failure(error)
        }
    }

    func finish(commitError: Error?, _ continuation: CheckedContinuation<T, Error>) {
        if let commitError { continuation.resume(throwing: commitError) } else { continuation.resume(with: result) }
    }
}

/// What the pages show about a candidate before the test.
public struct CandidateInfo: Sendable, Hashable {
    public var subject: String
    public var fullName: String
    public var className: String?
    public var dateOfBirth: String?
    public var room: String?
    public var session: String?
    public var opensAt: Date?
    public var durationSeconds: Int?
    /// not-started, in-progress or submitted.
    public var attemptState: Attempt.State
}

extension AppDatabase {
    /// A 256-bit secret kept in the database under `name`, made on first use (session signing, code hashes).
    public func serverKey(named name: String) throws -> SymmetricKey {
        try writer.write { db in try Self.secretKey(db, named: name) }
    }

    public func candidateInfo(exam: String, sbd: String) throws -> CandidateInfo {
        try writer.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT e.subject, c.fullName, c.className, c.dateOfBirth, r.name AS room, s.name AS session, s.opensAt, s.durationSeconds, a.state
                FROM candidate c JOIN exam e ON e.id = c.examId LEFT JOIN room r ON r.id = c.roomId LEFT JOIN examSession s ON s.id = c.examSessionId
                LEFT JOIN attempt a ON a.candidateId = c.id
                WHERE e.name = ? AND c.sbd = ?
                """, arguments: [exam, sbd]) else { throw StoreError(.notFound, "không có thí sinh \(sbd) / no candidate \(sbd)") }
            return CandidateInfo(subject: row["subject"], fullName: row["fullName"], className: row["className"], dateOfBirth: row["dateOfBirth"],
                                 room: row["room"], session: row["session"], opensAt: row["opensAt"], durationSeconds: row["durationSeconds"],
                                 attemptState: (row["state"] as String?).flatMap(Attempt.State.init(rawValue:)) ?? .notStarted)
        }
    }

    /// The attempt of a candidate who has started.
    public func attemptID(exam: String, sbd: String) throws -> Int64 {
        try writer.read { db in
            guard let id = try Int64.fetchOne(db, sql: """
                SELECT a.id FROM attempt a JOIN candidate c ON c.id = a.candidateId JOIN exam e ON e.id = c.examId WHERE e.name = ? AND c.sbd = ?
                """, arguments: [exam, sbd]) else { throw StoreError(.conflict, "Bài thi chưa bắt đầu / the attempt has not started") }
            return id
        }
    }

    /// Whether candidates must still wait for their score: the exam publishes results later and a
    /// coordinator has not released them yet.
    public func resultsLater(exam: String) throws -> Bool {
        try writer.read { db in
            try Bool.fetchOne(db, sql: "SELECT resultsPolicy = 'later' AND resultsReleasedAt IS NULL FROM exam WHERE name = ?", arguments: [exam]) ?? false
        }
    }
}
