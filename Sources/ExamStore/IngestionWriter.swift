import Foundation
internal import GRDB
import Metrics
import ServiceLifecycle
import Synchronization

/// The states of the writer and what it must do on each event, with no threads, locks or clocks: the
/// writer below holds one behind a lock and does what it says (STYLE.md, habit 2).
///
/// idle → (a job arrives) → committing: one group is being committed while new jobs collect for the next →
/// (the commit is done and jobs collected) committing again, or (nothing collected) idle. A shutdown moves
/// to draining: jobs still arriving are taken and committed, and once nothing is left the writer is stopped
/// and refuses new work.
struct WriterStateMachine<Job> {
    enum Phase: Equatable { case idle, committing, draining, stopped }

    private(set) var phase: Phase = .idle
    /// Jobs collected for the next group.
    private(set) var collected: [Job] = []
    /// Whether a group is being committed (in `draining` too).
    private(set) var busy = false
    private var drainWaiters = 0

    /// The number of jobs waiting for the next group.
    var collecting: Int { collected.count }

    enum SubmitAction: Equatable {
        /// Start committing: run `takeGroup` and commit what it gives.
        case startCommitting
        /// A commit is running; the job goes with the next group.
        case collected
        /// The writer has stopped: refuse the job.
        case refuse
    }

    mutating func submit(_ job: Job) -> SubmitAction {
        switch phase {
        case .stopped: return .refuse
        case .idle:
            collected.append(job)
            phase = .committing
            busy = true
            return .startCommitting
        case .committing, .draining:
            collected.append(job)
            if busy { return .collected }
            busy = true
            return .startCommitting
        }
    }

    /// The next group to commit; empty when nothing is left, and then the writer goes idle (or stops, when
    /// draining; `waitersToResume` says how many drain calls to wake).
    enum NextAction {
        case commit([Job])
        case done(waitersToResume: Int)
    }

    mutating func takeGroup() -> NextAction {
        if !collected.isEmpty {
            let group = collected
            collected = []
            busy = true
            return .commit(group)
        }
        busy = false
        let waiters = drainWaiters
        drainWaiters = 0
        switch phase {
        case .committing: phase = .idle
        case .draining: phase = .stopped
        case .idle, .stopped: break
        }
        return .done(waitersToResume: waiters)
    }

    enum DrainAction: Equatable {
        /// Nothing is waiting or running: done now.
        case resumeNow
        /// Wait until the running and collected groups are committed.
        case wait
    }

    /// Someone waits for everything handed in so far to be committed. With `stopping`, the writer then stops.
    mutating func drain(stopping: Bool) -> DrainAction {
        if stopping, phase != .stopped { phase = busy || !collected.isEmpty ? .draining : .stopped }
        if !busy && collected.isEmpty { return .resumeNow }
        drainWaiters += 1
        return .wait
    }
}

/// The one writer of answers and of the other small writes of a running exam (starts, submits, added time,
/// pauses). Handlers hand it work and wait; it commits everything waiting in one transaction (group commit),
/// as soon as the previous commit is done, with no timer, and only then answers: an acknowledged answer is
/// on disk (WAL, `synchronous=FULL`). Each job runs in a savepoint of its own, so one that fails fails alone;
/// answer batches skip it (they almost never fail) and, if one does, the group is run again with every job
/// isolated. After the commit, each job's `afterCommit` runs on the writer's queue in commit order (the
/// read model is updated there), then its caller resumes.
///
/// Runs on its own serial DispatchQueue fed under a lock (measured faster than an actor here). As a
/// `Service` it commits everything it accepted before the process exits.
public final class IngestionWriter: Service, Sendable {
    /// One piece of work: any writing closure, or a batch of answers (the hot path: consecutive batches of a
    /// group are checked with one query and stored with multi-row inserts).
    enum Job: Sendable {
        case work(Work)
        case answers(AnswerBatch)
    }

    struct Work: Sendable {
        let isolated: Bool
        let run: @Sendable (SQLConnection, _ isolated: Bool) throws -> Void
        let finish: @Sendable (Error?) -> Void
    }

    /// Answer events of one attempt from one device, checked again in the transaction before they are stored.
    struct AnswerBatch: Sendable {
        let attemptID: Int64
        let deviceToken: String
        let events: [ResponseEvent]
        let receivedAt: Date
        let finish: @Sendable (Error?) -> Void
    }

    private struct Locked {
        var machine = WriterStateMachine<Job>()
        var drainWaiters: [CheckedContinuation<Void, Never>] = []
        var transactions = 0
        var batches = 0
    }

    /// Figures for `/metrics` (swift-metrics: nothing is recorded until the server sets up a backend, and
    /// then once per group, not per answer).
    private struct Figures: Sendable {
        let groups = Counter(label: "khaothi_ingestion_groups_total")
        let jobs = Counter(label: "khaothi_ingestion_jobs_total")
        let refused = Counter(label: "khaothi_ingestion_refused_total")
        let failed = Counter(label: "khaothi_ingestion_failed_groups_total")
        let groupJobs = Recorder(label: "khaothi_ingestion_group_jobs")
        let commit = Metrics.Timer(label: "khaothi_ingestion_commit_seconds")
    }

    private let database: AppDatabase
    private let figures = Figures()
    private let state = Mutex(Locked())
    private let queue = DispatchQueue(label: "khaothi.ingestion-writer")
    /// The clock answers are stamped with (`receivedAt`); tests inject their own.
    let now: @Sendable () -> Date

    /// How many transactions and jobs have been committed (for tests and metrics).
    public var transactions: Int { state.withLock { $0.transactions } }
    public var batches: Int { state.withLock { $0.batches } }
    /// Jobs collected for the next group.
    public var waiting: Int { state.withLock { $0.machine.collecting } }
    /// Whether the writer still takes work (false once stopped for shutdown).
    public var running: Bool { state.withLock { $0.machine.phase != .stopped } }

    init(database: AppDatabase, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
    }

    /// Runs `work` in the next group's transaction and returns its result once that transaction is
    /// committed (after `afterCommit` has run with it, on the writer's queue). If `work` throws, its
    /// changes are rolled back and the error is thrown here; the rest of the group is not affected.
    @discardableResult
    func perform<T: Sendable>(isolated: Bool = true, _ work: @escaping @Sendable (SQLConnection) throws -> T,
                              afterCommit: (@Sendable (T) -> Void)? = nil) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            let outcome = Outcome(work)
            submit(.work(Work(isolated: isolated, run: { try outcome.run($0, isolated: $1) },
                              finish: { outcome.finish(commitError: $0, afterCommit: afterCommit, continuation) }))) {
                continuation.resume(throwing: $0)
            }
        }
    }

    /// Stores answer events once the transaction that checks them (device, state, deadline with grace,
    /// pauses) and writes them is committed; throws the refusal otherwise.
    func record(attemptID: Int64, deviceToken: String, events: [ResponseEvent], receivedAt: Date) async throws {
        // Resumed exactly once: by the refusal below, or by `finish` (commitGroups calls it once per job, whether
        // the group commits or fails). Unchecked, to spare the hot path the checked continuation's allocation.
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, Error>) in
            submit(.answers(AnswerBatch(attemptID: attemptID, deviceToken: deviceToken, events: events, receivedAt: receivedAt, finish: { error in
                if let error { continuation.resume(throwing: error) } else { continuation.resume() }
            }))) { continuation.resume(throwing: $0) }
        }
    }

    private func submit(_ job: Job, refused: (StoreError) -> Void) {
        let action = state.withLock { $0.machine.submit(job) }
        switch action {
        case .startCommitting: queue.async { self.commitGroups() }
        case .collected: break
        case .refuse: refused(StoreError(.shuttingDown, "máy chủ đang dừng; thử lại sau / the server is stopping; try again"))
        }
    }

    /// Commits group after group until nothing waits; handlers keep adding to the next group meanwhile.
    private func commitGroups() {
        while true {
            let next = state.withLock { $0.machine.takeGroup() }
            guard case let .commit(group) = next else {
                if case let .done(count) = next, count > 0 {
                    let waiters = state.withLock { locked in
                        let waiters = Array(locked.drainWaiters.prefix(count))
                        locked.drainWaiters.removeFirst(min(count, locked.drainWaiters.count))
                        return waiters
                    }
                    for waiter in waiters { waiter.resume() }
                }
                return
            }
            var refusals: [Int: Error] = [:]
            let started = ContinuousClock.now
            do {
                do {
                    try database.writer.write { db in refusals = try run(group, db: db, isolated: false) }
                } catch {
                    // A job without a savepoint failed (or the commit did): again, each job on its own.
                    try database.writer.write { db in refusals = try run(group, db: db, isolated: true) }
                }
                state.withLock { locked in
                    locked.transactions += 1
                    locked.batches += group.count
                }
                figures.commit.recordNanoseconds(Int64((ContinuousClock.now - started) / .nanoseconds(1)))
                figures.groups.increment()
                figures.jobs.increment(by: group.count)
                figures.groupJobs.record(group.count)
                if !refusals.isEmpty { figures.refused.increment(by: refusals.count) }
                for (index, job) in group.enumerated() { finish(job, refusals[index]) }
            } catch {
                figures.failed.increment()
                for job in group { finish(job, error) }
            }
        }
    }

    private func finish(_ job: Job, _ error: Error?) {
        switch job {
        case let .work(work): work.finish(error)
        case let .answers(batch): batch.finish(error)
        }
    }

    /// Runs a group in the current transaction, in order. Consecutive answer batches are stored together;
    /// returns the batches refused by their checks (by index in the group). With `isolated`, every piece runs
    /// in a savepoint of its own, so one that fails cannot take the others with it.
    private func run(_ group: [Job], db: SQLConnection, isolated: Bool) throws -> [Int: Error] {
        var refusals: [Int: Error] = [:]
        var index = 0
        while index < group.count {
            switch group[index] {
            case let .work(work):
                try work.run(db, isolated || work.isolated)
                index += 1
            case .answers:
                var run: [(Int, AnswerBatch)] = []
                while index < group.count, case let .answers(batch) = group[index] {
                    run.append((index, batch))
                    index += 1
                    if isolated { break }
                }
                if isolated {
                    do { try db.inSavepoint { try AnswerStore.store(run.map { $0.1 }, db: db).forEach { refusals[run[$0.key].0] = $0.value }; return .commit } }
                    catch { refusals[run[0].0] = error }
                } else {
                    for (position, refusal) in try AnswerStore.store(run.map { $0.1 }, db: db) { refusals[run[position].0] = refusal }
                }
            }
        }
        return refusals
    }

    /// Waits until every job handed in so far is committed.
    public func drain() async { await drain(stopping: false) }

    private func drain(stopping: Bool) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let action = state.withLock { locked in
                let action = locked.machine.drain(stopping: stopping)
                if action == .wait { locked.drainWaiters.append(continuation) }
                return action
            }
            if action == .resumeNow { continuation.resume() }
        }
    }

    /// Runs until graceful shutdown, then commits everything accepted (the HTTP server has stopped first:
    /// Hummingbird shuts its services down in reverse order) and stops taking work.
    public func run() async throws {
        try? await gracefulShutdown()
        await drain(stopping: true)
    }
}

/// A job's work and result: run inside the group's transaction (in a savepoint of its own when isolated),
/// read after the commit, both on the writer's serial queue.
private final class Outcome<T: Sendable>: @unchecked Sendable {
    let work: @Sendable (SQLConnection) throws -> T
    var result: Result<T, Error> = .failure(CancellationError())

    init(_ work: @escaping @Sendable (SQLConnection) throws -> T) { self.work = work }

    func run(_ db: SQLConnection, isolated: Bool) throws {
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

    func finish(commitError: Error?, afterCommit: (@Sendable (T) -> Void)?, _ continuation: CheckedContinuation<T, Error>) {
        if let commitError { return continuation.resume(throwing: commitError) }
        if case let .success(value) = result { afterCommit?(value) }
        continuation.resume(with: result)
    }
}
