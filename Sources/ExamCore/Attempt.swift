import Foundation

/// When a session (ca thi) opens and how long it lasts. Times are absolute; the server's clock decides.
public struct SessionTiming: Codable, Hashable, Sendable {
    /// How the deadline of an attempt is counted.
    public enum DeadlinePolicy: String, Codable, Sendable {
        /// Everyone ends at opening + duration: a late candidate gets no extra time (the usual rule in a lab).
        case fixedEnd = "fixed-end"
        /// Each candidate gets the full duration from their own start.
        case fromStart = "from-start"
    }

    public var opensAt: Date
    public var durationSeconds: Int
    /// How long after opening a candidate may still start.
    public var lateEntrySeconds: Int
    /// How long after the deadline answers sent before it are still taken (network, a slow lab PC).
    public var graceSeconds: Int
    public var policy: DeadlinePolicy
    /// The latest any attempt may end (an assignment's window), whatever its own time limit; added time and
    /// pauses move it back like the deadline. nil: no such cap (a lab session).
    public var endsBy: Date?

    public init(opensAt: Date, durationSeconds: Int, lateEntrySeconds: Int = 15 * 60, graceSeconds: Int = 30, policy: DeadlinePolicy = .fixedEnd,
                endsBy: Date? = nil) {
        self.opensAt = opensAt; self.durationSeconds = durationSeconds; self.lateEntrySeconds = lateEntrySeconds
        self.graceSeconds = graceSeconds; self.policy = policy; self.endsBy = endsBy
    }
}

/// Why an attempt refused something, in words a candidate or a proctor can act on.
public struct AttemptRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    fileprivate enum Base: String, Hashable, Sendable { case notOpenYet, lateEntryClosed, notStarted, timeUp, alreadySubmitted, staleSequence, paused, notPaused, sessionOver, notSubmitted }
    public struct Code: Error, Hashable, Sendable, CustomStringConvertible {
        fileprivate let base: Base
        public static let notOpenYet = Code(base: .notOpenYet)
        public static let lateEntryClosed = Code(base: .lateEntryClosed)
        public static let notStarted = Code(base: .notStarted)
        public static let timeUp = Code(base: .timeUp)
        public static let alreadySubmitted = Code(base: .alreadySubmitted)
        /// A sequence number that is not positive.
        public static let staleSequence = Code(base: .staleSequence)
        /// A proctor has paused the attempt: the clock stands still and nothing is taken until they resume it.
        public static let paused = Code(base: .paused)
        /// Resuming an attempt that is not paused.
        public static let notPaused = Code(base: .notPaused)
        /// Reopening a submitted attempt after its time (and grace) is over.
        public static let sessionOver = Code(base: .sessionOver)
        /// Reopening an attempt that is not submitted.
        public static let notSubmitted = Code(base: .notSubmitted)
        public var description: String { base.rawValue }
    }
    public let code: Code
    public let message: String

    static let notOpenYet = AttemptRefusal(code: .notOpenYet, message: "Ca thi chưa mở / the session is not open yet")
    static let lateEntryClosed = AttemptRefusal(code: .lateEntryClosed, message: "Đã hết thời gian vào phòng thi / too late to start")
    static let notStarted = AttemptRefusal(code: .notStarted, message: "Bài thi chưa bắt đầu / the attempt has not started")
    static let timeUp = AttemptRefusal(code: .timeUp, message: "Đã hết giờ làm bài / time is up")
    static let alreadySubmitted = AttemptRefusal(code: .alreadySubmitted, message: "Bài thi đã nộp / already submitted")
    static let badSequence = AttemptRefusal(code: .staleSequence, message: "Số thứ tự sự kiện phải dương / event sequence must be positive")
    static let paused = AttemptRefusal(code: .paused, message: "Giám thị đang tạm dừng bài thi / a proctor has paused the attempt")
    static let notPaused = AttemptRefusal(code: .notPaused, message: "Bài thi không bị tạm dừng / the attempt is not paused")
    static let notSubmitted = AttemptRefusal(code: .notSubmitted, message: "Bài thi chưa nộp / the attempt is not submitted")
    static let sessionOver = AttemptRefusal(code: .sessionOver, message: "Đã hết giờ làm bài, không mở lại được / time is over; it cannot be reopened")

    public var description: String { message }
}

/// One candidate's attempt as a state machine: it never reads a clock, it is told the time, and returns what
/// happened, so deadlines, grace and auto-submit are tested without sleeping.
public struct Attempt: Codable, Hashable, Sendable {
    public enum State: String, Codable, Sendable { case notStarted = "not-started", inProgress = "in-progress", submitted }

    public let timing: SessionTiming
    public private(set) var state: State = .notStarted
    public private(set) var startedAt: Date?
    public private(set) var submittedAt: Date?
    /// Whether the server submitted it at the deadline.
    public private(set) var autoSubmitted = false
    /// Time a proctor added (may be several additions).
    public private(set) var extraSeconds = 0
    /// While a proctor has paused the attempt: since when. The clock stands still meanwhile.
    public private(set) var pausedAt: Date?
    /// Seconds spent paused before the current pause: they move the deadline back.
    public private(set) var pausedSeconds = 0

    public init(timing: SessionTiming) { self.timing = timing }

    /// Restores an attempt from what the store kept.
    public init(timing: SessionTiming, state: State, startedAt: Date?, submittedAt: Date?, autoSubmitted: Bool, extraSeconds: Int,
                pausedAt: Date? = nil, pausedSeconds: Int = 0) {
        self.timing = timing; self.state = state; self.startedAt = startedAt; self.submittedAt = submittedAt
        self.autoSubmitted = autoSubmitted; self.extraSeconds = extraSeconds; self.pausedAt = pausedAt; self.pausedSeconds = pausedSeconds
    }

    /// Whether a proctor has paused the attempt.
    public var isPaused: Bool { pausedAt != nil }

    /// The moment the candidate's time ends (nil before the start), counting added time and finished pauses.
    /// While paused this moment moves on with the clock: use `remainingSeconds`.
    public var deadline: Date? {
        guard let startedAt else { return nil }
        let base = timing.policy == .fixedEnd ? timing.opensAt : startedAt
        let end = base.addingTimeInterval(TimeInterval(timing.durationSeconds + extraSeconds + pausedSeconds))
        guard let endsBy = timing.endsBy else { return end }
        return min(end, endsBy.addingTimeInterval(TimeInterval(extraSeconds + pausedSeconds)))
    }

    /// The deadline as it stands at `now`: while paused, the time since the pause is added.
    public func deadline(at now: Date) -> Date? {
        guard let deadline else { return nil }
        guard let pausedAt else { return deadline }
        return deadline.addingTimeInterval(max(0, now.timeIntervalSince(pausedAt)))
    }

    /// Seconds left at `now` (0 when time is up; the full duration before the start; frozen while paused).
    public func remainingSeconds(at now: Date) -> Int {
        guard state != .submitted else { return 0 }
        guard let deadline else { return timing.durationSeconds + extraSeconds }
        return max(0, Int(deadline.timeIntervalSince(pausedAt ?? now).rounded(.down)))
    }

    /// Starts (or resumes) the attempt. Resuming an attempt in progress is allowed at any time before the deadline.
    public mutating func start(at now: Date) throws(AttemptRefusal) -> Date {
        switch state {
        case .submitted: throw .alreadySubmitted
        case .inProgress:
            guard let deadline, now <= deadline else { throw .timeUp }
            return deadline
        case .notStarted:
            guard now >= timing.opensAt else { throw .notOpenYet }
            guard now <= timing.opensAt.addingTimeInterval(TimeInterval(timing.lateEntrySeconds)) else { throw .lateEntryClosed }
            startedAt = now
            state = .inProgress
            guard let deadline, now <= deadline else {
                // Opened so late under a fixed end that no time is left.
                state = .notStarted
                startedAt = nil
                throw .timeUp
            }
            return deadline
        }
    }

    /// Whether an answer event may be stored: the attempt is in progress and the event arrives before the
    /// deadline plus grace. Which answer wins (highest sequence) is the store's job.
    public func accepts(sequence: Int, at now: Date) throws(AttemptRefusal) {
        guard sequence > 0 else { throw .badSequence }
        switch state {
        case .notStarted: throw .notStarted
        case .submitted: throw .alreadySubmitted
        case .inProgress:
            guard pausedAt == nil else { throw .paused }
            guard let deadline, now <= deadline.addingTimeInterval(TimeInterval(timing.graceSeconds)) else { throw .timeUp }
        }
    }

    /// The candidate submits. Allowed until the deadline plus grace; after that the server has submitted.
    public mutating func submit(at now: Date) throws(AttemptRefusal) {
        switch state {
        case .notStarted: throw .notStarted
        case .submitted: throw .alreadySubmitted
        case .inProgress:
            guard pausedAt == nil else { throw .paused }
            _ = tick(at: now)
            guard state == .inProgress else { throw .timeUp }
            state = .submitted
            submittedAt = now
        }
    }

    /// What the server's timer must do now: true when it has just auto-submitted this attempt.
    @discardableResult
    public mutating func tick(at now: Date) -> Bool {
        guard state == .inProgress, pausedAt == nil, let deadline, now > deadline.addingTimeInterval(TimeInterval(timing.graceSeconds)) else { return false }
        state = .submitted
        submittedAt = deadline
        autoSubmitted = true
        return true
    }

    /// A proctor adds time (a power cut, a broken PC). Negative amounts are ignored: time is never taken away.
    public mutating func addTime(seconds: Int) throws(AttemptRefusal) {
        guard state != .submitted else { throw .alreadySubmitted }
        extraSeconds += max(0, seconds)
    }

    /// A proctor stops the candidate's clock (a power cut, an incident): nothing is taken until `resume`.
    public mutating func pause(at now: Date) throws(AttemptRefusal) {
        switch state {
        case .notStarted: throw .notStarted
        case .submitted: throw .alreadySubmitted
        case .inProgress:
            guard pausedAt == nil else { throw .paused }
            guard !tick(at: now) else { throw .timeUp }
            // Past the deadline but within the grace: nothing left to pause.
            guard let deadline, now < deadline else { throw .timeUp }
            pausedAt = now
        }
    }

    /// The clock runs again; the time spent paused is given back.
    public mutating func resume(at now: Date) throws(AttemptRefusal) {
        guard state == .inProgress, let pausedAt else { throw state == .submitted ? .alreadySubmitted : .notPaused }
        pausedSeconds += max(0, Int(now.timeIntervalSince(pausedAt).rounded(.up)))
        self.pausedAt = nil
    }

    /// A proctor reopens an attempt the candidate submitted by mistake, while their time is not over.
    public mutating func reopen(at now: Date) throws(AttemptRefusal) {
        guard state == .submitted else { throw state == .notStarted ? .notStarted : .notSubmitted }
        guard !autoSubmitted, let deadline, now < deadline else { throw .sessionOver }
        state = .inProgress
        submittedAt = nil
    }
}
