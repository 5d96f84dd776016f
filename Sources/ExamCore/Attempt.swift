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

    public init(opensAt: Date, durationSeconds: Int, lateEntrySeconds: Int = 15 * 60, graceSeconds: Int = 30, policy: DeadlinePolicy = .fixedEnd) {
        self.opensAt = opensAt; self.durationSeconds = durationSeconds; self.lateEntrySeconds = lateEntrySeconds
        self.graceSeconds = graceSeconds; self.policy = policy
    }
}

/// Why an attempt refused something, in words a candidate or a proctor can act on.
public struct AttemptRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    fileprivate enum Base: String, Hashable, Sendable { case notOpenYet, lateEntryClosed, notStarted, timeUp, alreadySubmitted, staleSequence }
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let base: Base
        public static let notOpenYet = Code(base: .notOpenYet)
        public static let lateEntryClosed = Code(base: .lateEntryClosed)
        public static let notStarted = Code(base: .notStarted)
        public static let timeUp = Code(base: .timeUp)
        public static let alreadySubmitted = Code(base: .alreadySubmitted)
        /// A sequence number that is not positive.
        public static let staleSequence = Code(base: .staleSequence)
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

    public init(timing: SessionTiming) { self.timing = timing }

    /// Restores an attempt from what the store kept.
    public init(timing: SessionTiming, state: State, startedAt: Date?, submittedAt: Date?, autoSubmitted: Bool, extraSeconds: Int) {
        self.timing = timing; self.state = state; self.startedAt = startedAt; self.submittedAt = submittedAt
        self.autoSubmitted = autoSubmitted; self.extraSeconds = extraSeconds
    }

    /// The moment the candidate's time ends (nil before the start).
    public var deadline: Date? {
        guard let startedAt else { return nil }
        let base = timing.policy == .fixedEnd ? timing.opensAt : startedAt
        return base.addingTimeInterval(TimeInterval(timing.durationSeconds + extraSeconds))
    }

    /// Seconds left at `now` (0 when time is up; the full duration before the start).
    public func remainingSeconds(at now: Date) -> Int {
        guard state != .submitted else { return 0 }
        guard let deadline else { return timing.durationSeconds + extraSeconds }
        return max(0, Int(deadline.timeIntervalSince(now).rounded(.down)))
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
            guard let deadline, now <= deadline.addingTimeInterval(TimeInterval(timing.graceSeconds)) else { throw .timeUp }
        }
    }

    /// The candidate submits. Allowed until the deadline plus grace; after that the server has submitted.
    public mutating func submit(at now: Date) throws(AttemptRefusal) {
        switch state {
        case .notStarted: throw .notStarted
        case .submitted: throw .alreadySubmitted
        case .inProgress:
            _ = tick(at: now)
            guard state == .inProgress else { throw .timeUp }
            state = .submitted
            submittedAt = now
        }
    }

    /// What the server's timer must do now: true when it has just auto-submitted this attempt.
    @discardableResult
    public mutating func tick(at now: Date) -> Bool {
        guard state == .inProgress, let deadline, now > deadline.addingTimeInterval(TimeInterval(timing.graceSeconds)) else { return false }
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
}
