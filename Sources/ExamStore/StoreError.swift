import ExamCore

/// Why the store refused or failed: a code the server and the CLI switch on, a message for people
/// ("Vietnamese / English", naming the field and the value to fix), the field concerned, and the cause.
///
/// Codes name what happened in the domain (`takenOver`, `timeUp`, `notFound`…), never an HTTP status: the
/// server maps them (ExamServer), the command line adds its own hints (the flag to use).
public struct StoreError: Error, Sendable, CustomStringConvertible, Equatable {
    fileprivate enum Base: String, Hashable, Sendable {
        case notFound, invalid, exists, importRefused, notPrepared, alreadyPrepared, inUse
        case takenOver, timeUp, alreadySubmitted, notOpenYet, lateEntryClosed, notStarted, paused, notPaused, sessionOver, notSubmitted
        case forbidden, shuttingDown, staleRevision, sessionRunning, alreadyStarted, moveNeedsProctor, alreadyDecided
        case unavailable
    }

    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let base: Base
        /// No such exam, candidate, bank, question, attempt…
        public static let notFound = Code(base: .notFound)
        /// A value is not acceptable; `field` names it.
        public static let invalid = Code(base: .invalid)
        /// Something with that name already exists.
        public static let exists = Code(base: .exists)
        /// The file had problems and nothing was imported.
        public static let importRefused = Code(base: .importRefused)
        /// The exam is not prepared yet (no papers, numbers, codes).
        public static let notPrepared = Code(base: .notPrepared)
        /// The exam is prepared: its candidates and papers can no longer change this way.
        public static let alreadyPrepared = Code(base: .alreadyPrepared)
        /// Still used (a question on a paper, a bank by an exam): it can be retired, not deleted.
        public static let inUse = Code(base: .inUse)
        /// Another device holds the attempt now.
        public static let takenOver = Code(base: .takenOver)
        /// The candidate's time (and grace) is over.
        public static let timeUp = Code(base: .timeUp)
        public static let alreadySubmitted = Code(base: .alreadySubmitted)
        /// The session opens later.
        public static let notOpenYet = Code(base: .notOpenYet)
        /// Too late to start this session.
        public static let lateEntryClosed = Code(base: .lateEntryClosed)
        /// The attempt has not been started.
        public static let notStarted = Code(base: .notStarted)
        /// A proctor has paused the attempt.
        public static let paused = Code(base: .paused)
        public static let notPaused = Code(base: .notPaused)
        /// Too late to reopen the attempt.
        public static let sessionOver = Code(base: .sessionOver)
        public static let notSubmitted = Code(base: .notSubmitted)
        /// The object exists but this person may not touch it (a bank that is not theirs or shared with them).
        public static let forbidden = Code(base: .forbidden)
        /// Someone saved a newer revision since this one was opened: nothing was overwritten.
        public static let staleRevision = Code(base: .staleRevision)
        /// The server is stopping and takes no new writes.
        public static let shuttingDown = Code(base: .shuttingDown)
        /// The database does not answer (PostgreSQL restarting, failing over, out of connections): try again.
        public static let unavailable = Code(base: .unavailable)
        /// A session of the exam is still running: results wait for its end (unless forced).
        public static let sessionRunning = Code(base: .sessionRunning)
        /// The candidate has started: they cannot be marked absent.
        public static let alreadyStarted = Code(base: .alreadyStarted)
        /// The exam lets an attempt move to another computer only after a proctor allows it.
        public static let moveNeedsProctor = Code(base: .moveNeedsProctor)
        /// A graded answer is decided (its rounds agree): only a coordinator changes it now.
        public static let alreadyDecided = Code(base: .alreadyDecided)

        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String
    /// The field or argument at fault, for `invalid` (e.g. "sessions", "minutes", "events[3].sequence").
    public let field: String?
    /// Further details, such as every problem of a refused file.
    public let problems: [String]
    /// What caused it, for logs (a refusal of the state machine, a database error).
    public let cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, field: String? = nil, problems: [String] = [], cause: (any Error & Sendable)? = nil) {
        self.code = code; self.message = message; self.field = field; self.problems = problems; self.cause = cause
    }

    /// A refusal of an attempt's state machine, with its code kept.
    public init(_ refusal: AttemptRefusal) {
        self.init(Code(refusal.code), refusal.message, field: refusal.code == .staleSequence ? "sequence" : nil, cause: refusal)
    }

    static func invalid(_ field: String, _ message: String) -> StoreError { StoreError(.invalid, message, field: field) }

    public var description: String { ([message] + problems.map { "  - " + $0 }).joined(separator: "\n") }

    public static func == (lhs: StoreError, rhs: StoreError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.field == rhs.field && lhs.problems == rhs.problems
    }
}

extension StoreError.Code {
    /// The refusals of an attempt's state machine, under the same names.
    init(_ refusal: AttemptRefusal.Code) {
        switch refusal {
        case .notOpenYet: self = .notOpenYet
        case .lateEntryClosed: self = .lateEntryClosed
        case .notStarted: self = .notStarted
        case .timeUp: self = .timeUp
        case .alreadySubmitted: self = .alreadySubmitted
        case .paused: self = .paused
        case .notPaused: self = .notPaused
        case .sessionOver: self = .sessionOver
        case .notSubmitted: self = .notSubmitted
        default: self = .invalid
        }
    }
}
