import ExamCore
import Foundation
import ServiceLifecycle

// What the exam server needs of storage, as protocols over plain values (hummingbird-examples'
// todos-postgres-tutorial is the pattern): the SQLite implementation is `DatabaseStore`; which one runs is
// chosen where the application is built. Every call is async: none blocks an event-loop thread.

/// The candidates' side of a running exam: the hot path.
public protocol AttemptRepository: Sendable {
    /// The candidate as the pages show them before the test.
    func candidate(exam: String, sbd: String) async throws -> CandidateInfo
    /// Whether a session begun at `session` still counts for this candidate (not ended by a new access code,
    /// not older than the session holding the attempt).
    func sessionStanding(exam: String, sbd: String, session: Date) async throws -> SessionStanding
    /// Whether `code` is the candidate's access code (compared in constant time).
    func verifyAccessCode(exam: String, sbd: String, code: String) async throws -> Bool
    /// Starts or resumes the attempt from a new device, which becomes the only one allowed to write (a start
    /// from a newer session takes the attempt over). Refused with `notOpenYet`, `lateEntryClosed`, `timeUp`,
    /// and `takenOver` for a session older than the one holding the attempt.
    func start(exam: String, sbd: String, session: Date, now: Date) async throws -> StartedAttempt
    /// Stores checked answer events; returns once they are committed. The device, the state, the deadline
    /// with its grace and pauses are checked by the transaction that writes them.
    func record(exam: String, sbd: String, deviceToken: String, events: [ResponseEvent], now: Date) async throws -> AttemptStatus
    /// The candidate submits; the attempt is graded in the same transaction.
    func submit(exam: String, sbd: String, deviceToken: String, now: Date) async throws -> SubmittedAttempt
    /// Where the attempt stands (polled by the page: added time, pauses, a takeover show up here).
    func status(exam: String, sbd: String, now: Date) async throws -> AttemptStatus
    /// The candidate's own result, once submitted (and released).
    func result(exam: String, sbd: String, now: Date) async throws -> CandidateResult
    /// An image of the candidate's own paper, or nil if it is not on it.
    func mediaFile(exam: String, sbd: String, sha256: String) async throws -> MediaData?
    /// A paper as stored at preparation, decoded once and shared.
    func paper(id: Int64) async throws -> PaperCache.Entry
    /// Submits every attempt whose time and grace are over; returns how many.
    func submitExpired(now: Date) async throws -> Int
}

/// The proctors' and coordinators' side of a running exam.
public protocol ExamRepository: Sendable {
    /// Prepared exams, newest first (the login page, the staff page).
    func preparedExams() async throws -> [ExamStatus]
    /// Every candidate of an exam with the state of their attempt, by số báo danh.
    func monitor(exam: String, now: Date) async throws -> [MonitorRow]
    /// A proctor gives a candidate more time; recorded with who and why. Returns the new deadline.
    func addTime(exam: String, sbd: String, seconds: Int, by staff: String, reason: String, now: Date) async throws -> Date
    /// A proctor stops a candidate's clock (recorded with who and why); nothing is taken until `resume`.
    func pause(exam: String, sbd: String, by staff: String, reason: String, now: Date) async throws -> AttemptStatus
    /// The clock runs again, the paused time given back.
    func resume(exam: String, sbd: String, by staff: String, reason: String, now: Date) async throws -> AttemptStatus
    /// A proctor ends a candidate's attempt now (graded as a submit), with a reason; audited. Returns the score.
    func forceSubmit(exam: String, sbd: String, by staff: String, reason: String, now: Date) async throws -> Points
    /// A proctor reopens an attempt submitted by mistake while its time is not over; its grade is cleared.
    func reopen(exam: String, sbd: String, by staff: String, reason: String, now: Date) async throws -> AttemptStatus
    /// Lets a candidate's attempt move to another computer within `minutes` (for exams whose policy asks for it);
    /// audited. Returns until when.
    func allowMove(exam: String, sbd: String, minutes: Int, by staff: String, reason: String, now: Date) async throws -> Date
    /// A biên bản: a proctor's note on a candidate or on a room, kept in the append-only audit log.
    func recordIncident(exam: String, room: String?, sbd: String?, note: String, by staff: String, now: Date) async throws
    /// Marks a candidate who has not started absent (vắng), or present again; audited with who and why.
    func markAbsent(exam: String, sbd: String, absent: Bool, by staff: String, reason: String, now: Date) async throws
    /// A new access code for one candidate (a lost slip); the old one stops working and their sessions end.
    func resetAccessCode(exam: String, sbd: String, now: Date) async throws -> LoginSlip
    /// One row per candidate, by số báo danh.
    func results(exam: String) async throws -> [ResultRow]
}

/// Staff accounts.
public protocol StaffRepository: Sendable {
    /// The member if the password is theirs (bcrypt, checked off the event loops); a missing user costs a
    /// check too, so timing does not tell which usernames exist.
    func verify(username: String, password: String) async throws -> StaffMember?
    /// The account as stored now (their role may have changed since they signed in; a new password or a
    /// disabled account ends their sessions).
    func account(username: String) async throws -> StaffAccount?
    func members() async throws -> [StaffMember]
}

/// Images, by their SHA-256.
public protocol MediaRepository: Sendable {
    func file(sha256: String) async throws -> MediaData?
}

/// Question banks: what teachers author. Every call that names a member checks what they may do with the
/// bank (read, edit, own) where the data is read or written.
public protocol BankRepository: Sendable {
    func banks() async throws -> [BankSummary]
    func search(_ query: QuestionQuery) async throws -> [SearchHit]
    func question(id: String, bank: String?, revision: Int?) async throws -> StoredQuestion
    func blueprintNames() async throws -> [String]
    /// The current revision of every live question of a bank, with its passages (for export).
    func exportBank(named name: String) async throws -> QuestionBank

    /// The banks this member may read, with what they may do.
    func banks(for actor: Actor) async throws -> [BankInfo]
    /// A new bank, owned by the member.
    func createBank(name: String, subject: String?, visibility: BankVisibility, by actor: Actor, now: Date) async throws -> BankInfo
    /// Who sees the bank: its visibility and the teachers it is shared with (its owner or an admin).
    func updateBank(name: String, visibility: BankVisibility?, shares: [BankShare]?, by actor: Actor, now: Date) async throws -> BankInfo
    /// One page of the bank browser.
    func browse(_ query: BrowseQuery, by actor: Actor) async throws -> BrowsePage
    func facets(bank: String, by actor: Actor) async throws -> BankFacets
    /// A question with its history, for the editor.
    func detail(bank: String, id: String, by actor: Actor) async throws -> QuestionDetail
    /// Saves from the editor: a new question (`baseRevision` nil) or a new revision; `media` names → SHA-256.
    func save(question: Question, bank: String, baseRevision: Int?, media: [String: String], by actor: Actor, now: Date) async throws -> SavedQuestion
    /// An earlier revision saved again as the newest.
    func restore(bank: String, id: String, revision: Int, baseRevision: Int, by actor: Actor, now: Date) async throws -> SavedQuestion
    func bulk(bank: String, ids: [String], action: BulkAction, by actor: Actor, now: Date) async throws -> BulkResult
    /// Stores an image once by its SHA-256 (PNG, JPEG, GIF, WebP).
    func storeImage(_ data: Data) async throws -> (sha256: String, mimeType: String)
    /// What importing would do (new / changed / unchanged per question), without doing it.
    func planImport(_ imported: ImportedBank, bank: String?, by actor: Actor) async throws -> ImportPlan
    /// Imports into the member's bank (a new one is theirs): all or nothing unless `partial`.
    func importBank(_ imported: ImportedBank, bank: String?, partial: Bool, by actor: Actor, now: Date,
                    progress: (@Sendable (Int, Int) -> Void)?) async throws -> ImportSummary
}

/// Blueprints (ma trận đề): every author reads them; their owner or an admin changes them.
public protocol BlueprintRepository: Sendable {
    func blueprints(for actor: Actor) async throws -> [BlueprintSummary]
    func blueprint(named name: String, for actor: Actor) async throws -> (blueprint: Blueprint, canEdit: Bool)
    /// Saves a new blueprint (`originalName` nil) or the one opened as `originalName`; returns its problems
    /// (a blueprint may be saved unfinished).
    func saveBlueprint(_ blueprint: Blueprint, originalName: String?, by actor: Actor, now: Date) async throws -> [String]
    func deleteBlueprint(named name: String, by actor: Actor, now: Date) async throws
    /// Per cell: wanted and what the bank holds; totals; problems and shortfalls.
    func check(_ blueprint: Blueprint, bank: String, by actor: Actor) async throws -> BlueprintCheck
    /// One paper drawn now, with the images of its items (item key → name → SHA-256).
    func preview(_ blueprint: Blueprint, bank: String, seed: UInt64, by actor: Actor) async throws -> (paper: Paper, media: [String: [String: String]])
}

/// Papers generated for printing, with their keys. Seen by their maker, coordinators and admins.
public protocol PrintSetRepository: Sendable {
    func printSets(for actor: Actor, coordinator: Bool) async throws -> [PrintSetSummary]
    func createPrintSet(_ request: PrintRequest, by actor: Actor, now: Date, progress: (@Sendable (Int, Int) -> Void)?) async throws -> PrintSetSummary
    func printSet(id: Int64, for actor: Actor, coordinator: Bool) async throws -> PrintSet
    func deletePrintSet(id: Int64, by actor: Actor, now: Date) async throws
}

/// The audit log, read back.
public protocol AuditRepository: Sendable {
    func entries(_ query: AuditQuery) async throws -> [AuditEntry]
}

/// Sessions ended before their time (a logout).
public protocol SessionRepository: Sendable {
    /// Ends a session everywhere, until it would have expired anyway.
    func revoke(session: String, expiresAt: Date) async throws
    func isRevoked(session: String) async throws -> Bool

    /// Counts a wrong login of `account` from `address` for every node: the count starts again when the last
    /// one is older than `forgetBefore`.
    func recordLoginFailure(account: String, address: String, at: Date, forgetBefore: Date) async throws -> LoginFailures
    /// Forgets an account's wrong logins from `address` (every address when nil).
    func clearLoginFailures(account: String, address: String?, at: Date) async throws
    /// Wrong logins counted or cleared since `changedSince` (by any node).
    func loginFailures(changedSince: Date) async throws -> [LoginFailures]
}

/// Whether a candidate's session still counts.
public enum SessionStanding: Sendable {
    case valid
    /// A new access code (or the candidate's removal) ended it.
    case ended
    /// Another computer has signed in and taken the attempt over since.
    case takenOver
}

/// A member of staff with what ends their sessions.
public struct StaffAccount: Sendable, Hashable {
    public var member: StaffMember
    public var sessionsValidAfter: Date?
    public var disabled: Bool
}

/// Secrets the server keeps in its database (signing keys), made on first use.
public protocol SecretRepository: Sendable {
    /// 32 random bytes kept under `name`.
    func secret(named name: String) async throws -> Data
}

/// The storage the server runs on: one object per concern, and the background work it needs (the answer
/// writer, the deadline watcher), to be run as services of the application.
public struct Store: Sendable {
    public let attempts: any AttemptRepository
    public let exams: any ExamRepository
    public let staff: any StaffRepository
    public let media: any MediaRepository
    public let banks: any BankRepository
    public let blueprints: any BlueprintRepository
    public let printSets: any PrintSetRepository
    public let audit: any AuditRepository
    public let secrets: any SecretRepository
    public let sessions: any SessionRepository
    public let setup: any ExamSetupRepository
    public let staffAdmin: any StaffAdminRepository
    public let grading: any GradingRepository
    public let statistics: any StatisticsRepository
    public let regrade: any RegradeRepository
    public let gradebook: any GradebookRepository
    public let classwork: any ClassworkRepository
    public let operations: any OperationsRepository
    public let services: [any Service]

    public init(attempts: any AttemptRepository, exams: any ExamRepository, staff: any StaffRepository, media: any MediaRepository,
                banks: any BankRepository, blueprints: any BlueprintRepository, printSets: any PrintSetRepository, audit: any AuditRepository,
                secrets: any SecretRepository, sessions: any SessionRepository, setup: any ExamSetupRepository, staffAdmin: any StaffAdminRepository,
                grading: any GradingRepository, statistics: any StatisticsRepository, regrade: any RegradeRepository,
                gradebook: any GradebookRepository, classwork: any ClassworkRepository, operations: any OperationsRepository, services: [any Service]) {
        self.attempts = attempts; self.exams = exams; self.staff = staff; self.media = media; self.banks = banks
        self.blueprints = blueprints; self.printSets = printSets; self.audit = audit
        self.secrets = secrets; self.sessions = sessions; self.setup = setup; self.staffAdmin = staffAdmin; self.grading = grading; self.statistics = statistics; self.regrade = regrade; self.gradebook = gradebook; self.classwork = classwork; self.operations = operations; self.services = services
    }
}

/// An image's bytes and type.
public struct MediaData: Sendable, Hashable {
    public var data: Data
    public var mimeType: String
}

/// What the pages show about a candidate before the test.
public struct CandidateInfo: Sendable, Hashable {
    public var exam: String
    public var sbd: String
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

/// An attempt just started or resumed on a device.
public struct StartedAttempt: Sendable, Hashable {
    public var attemptID: Int64
    /// The token of the device that now holds the attempt.
    public var deviceToken: String
    public var status: AttemptStatus
    /// The highest sequence number the server holds: the page continues above it.
    public var lastSequence: Int
    /// The latest acknowledged answer per item, as canonical JSON (spliced into the answer as it is).
    public var responses: [String: String]
    public var paperID: Int64

    public init(attemptID: Int64, deviceToken: String, status: AttemptStatus, lastSequence: Int, responses: [String: String], paperID: Int64) {
        self.attemptID = attemptID; self.deviceToken = deviceToken; self.status = status; self.lastSequence = lastSequence
        self.responses = responses; self.paperID = paperID
    }
}

/// Where an attempt stands at a moment.
public struct AttemptStatus: Sendable, Hashable {
    public var state: Attempt.State
    /// The moment time ends as it stands now (moving on while paused).
    public var deadline: Date?
    public var remainingSeconds: Int
    public var paused: Bool
    /// The device that holds the attempt.
    public var deviceToken: String?

    public init(state: Attempt.State, deadline: Date?, remainingSeconds: Int, paused: Bool, deviceToken: String?) {
        self.state = state; self.deadline = deadline; self.remainingSeconds = remainingSeconds; self.paused = paused; self.deviceToken = deviceToken
    }
}

/// A submitted attempt: its score, unless results are published later.
public struct SubmittedAttempt: Sendable, Hashable {
    public var score: PaperScore
    public var resultsLater: Bool
}

extension AttemptStatus {
    init(_ attempt: Attempt, deviceToken: String?, now: Date) {
        var attempt = attempt
        attempt.tick(at: now)
        self.init(state: attempt.state, deadline: attempt.deadline(at: now), remainingSeconds: attempt.remainingSeconds(at: now),
                  paused: attempt.isPaused, deviceToken: deviceToken)
    }
}
