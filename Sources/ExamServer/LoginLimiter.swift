import ExamStore
import Foundation
import Synchronization

/// Slows down whoever guesses access codes or passwords, without letting anyone lock out the right owner.
///
/// - Wrong tries are counted per account *and address*: after `freeFailures` wrong tries from one address,
///   that address must wait before trying that account again, a wait that doubles with every further wrong
///   try (up to `maximumDelay`). The right code from an address that has not failed is always accepted, so
///   one person cannot lock a whole room by typing wrong codes for every SBD.
/// - A slot is taken *before* the (slow) check, so a hundred parallel wrong passwords get `freeFailures`
///   checks, not a hundred.
/// - Per address, only failures count: past `failuresPerAddress` in a minute its wrong tries are answered
///   429 rather than 401, but a right login is never refused for the address's sake (60 lab PCs share one
///   NAT address).
/// - Candidates and staff are different accounts even when the names collide.
/// - A proctor can unlock a candidate (`unlock`); a new access code unlocks too.
/// - With a `shared` store, wrong tries are also counted in the database and read back at most once a
///   `syncInterval` before a try, so they hold across every node (and across restarts); the per-address 429
///   count stays per node.
public final class LoginLimiter: Sendable {
    public struct Limits: Sendable {
        /// Wrong tries from one address for one account before it must wait.
        public var freeFailures: Int
        /// The first wait; it doubles with every further wrong try.
        public var firstDelay: TimeInterval
        public var maximumDelay: TimeInterval
        /// Failures are forgotten after this long without another.
        public var forgetAfter: TimeInterval
        /// Wrong tries from one address (any account) in a minute before they are answered 429.
        public var failuresPerAddress: Int

        public init(freeFailures: Int = 5, firstDelay: TimeInterval = 30, maximumDelay: TimeInterval = 15 * 60, forgetAfter: TimeInterval = 15 * 60,
                    failuresPerAddress: Int = 600) {
            self.freeFailures = freeFailures; self.firstDelay = firstDelay; self.maximumDelay = maximumDelay; self.forgetAfter = forgetAfter
            self.failuresPerAddress = failuresPerAddress
        }
    }

    /// Whose login it is: a candidate of an exam, or a member of staff. Never confused with each other.
    public enum Account: Hashable, Sendable {
        case candidate(exam: String, sbd: String)
        case staff(username: String)
        case student(id: String)
    }

    /// A try that may go ahead; hand it back with `succeeded` or `failed`.
    public struct Ticket: Sendable {
        let key: Key
        /// The address has failed too often this minute: a wrong try is answered 429.
        public let addressOverLimit: Bool
    }

    public enum Decision: Sendable {
        case proceed(Ticket)
        /// Too many wrong tries from this address for this account: not even checked until then.
        case wait(until: Date)
    }

    struct Key: Hashable, Sendable {
        let account: Account
        let address: String
    }

    private struct Record {
        var failures = 0
        var inFlight = 0
        var lastFailure = Date.distantPast
        /// When the shared count was last taken in (a read older than this is not applied).
        var changedAt = Date.distantPast
    }

    private struct State {
        var records: [Key: Record] = [:]
        /// Failures per address in the current and the previous minute.
        var addressFailures: [String: (minute: Int, current: Int, previous: Int)] = [:]
        var operations = 0
        /// The shared counts: read up to this time (of this node's clock), at this instant, one reader at a time.
        var syncedUpTo: Date?
        var syncedAt: ContinuousClock.Instant?
        var syncing = false
    }

    public let limits: Limits
    private let state = Mutex(State())
    private let shared: (any SessionRepository)?
    private let syncInterval: Duration

    public init(limits: Limits = Limits(), shared: (any SessionRepository)? = nil, syncInterval: Duration = .seconds(1)) {
        self.limits = limits
        self.shared = shared
        self.syncInterval = syncInterval
    }

    /// Takes a slot for one try of `account` from `address`, or says how long to wait.
    public func begin(_ account: Account, address: String, now: Date) -> Decision {
        let key = Key(account: account, address: address)
        return state.withLock { state in
            state.operations += 1
            if state.operations % 4096 == 0 { forgetOld(&state, now: now) }
            var record = state.records[key] ?? Record()
            if now.timeIntervalSince(record.lastFailure) > limits.forgetAfter { record.failures = 0 }
            if let until = lockedUntil(record), now < until { return .wait(until: until) }
            // Tries running now count as failures until they are known: parallel guesses get no more checks.
            if record.failures + record.inFlight >= max(limits.freeFailures, record.failures + 1) {
                return .wait(until: now.addingTimeInterval(1))
            }
            record.inFlight += 1
            state.records[key] = record
            return .proceed(Ticket(key: key, addressOverLimit: addressFailures(state, address, now: now) >= limits.failuresPerAddress))
        }
    }

    /// The right code or password: the account's failures from this address are forgotten. True when there
    /// were some (to forget in the shared count too).
    @discardableResult
    public func succeeded(_ ticket: Ticket) -> Bool {
        state.withLock { state in state.records.removeValue(forKey: ticket.key).map { $0.failures > 0 } ?? false }
    }

    /// A wrong code or password.
    public func failed(_ ticket: Ticket, now: Date) {
        state.withLock { state in
            var record = state.records[ticket.key] ?? Record()
            record.inFlight = max(0, record.inFlight - 1)
            record.failures += 1
            record.lastFailure = now
            state.records[ticket.key] = record
            let minute = Int(now.timeIntervalSince1970 / 60)
            var counts = state.addressFailures[ticket.key.address] ?? (minute, 0, 0)
            if counts.minute != minute { counts = (minute, 0, counts.minute == minute - 1 ? counts.current : 0) }
            counts.current += 1
            state.addressFailures[ticket.key.address] = counts
        }
    }

    /// The check could not be made (the store failed): the slot is given back, nothing counted.
    public func abandoned(_ ticket: Ticket) {
        state.withLock { state in
            guard var record = state.records[ticket.key] else { return }
            record.inFlight = max(0, record.inFlight - 1)
            state.records[ticket.key] = record
        }
    }

    /// A proctor unlocks an account (or a new access code was issued): every address may try again.
    public func unlock(_ account: Account) {
        state.withLock { state in state.records = state.records.filter { $0.key.account != account } }
    }

    /// Reads the wrong tries other nodes counted since the last read, when that is older than `syncInterval`
    /// (one reader at a time). A failing database leaves the counts as they are.
    public func sync(now: Date) async {
        guard let shared else { return }
        let clock = ContinuousClock.now
        let since: Date? = state.withLock { state in
            if state.syncing { return nil }
            if let at = state.syncedAt, clock - at < syncInterval { return nil }
            state.syncing = true
            // Overlapping reads: nodes' clocks differ by a little.
            return state.syncedUpTo.map { $0.addingTimeInterval(-5) } ?? now.addingTimeInterval(-(limits.forgetAfter + limits.maximumDelay))
        }
        guard let since else { return }
        let rows = try? await shared.loginFailures(changedSince: since)
        state.withLock { state in
            state.syncing = false
            state.syncedAt = ContinuousClock.now
            guard let rows else { return }
            state.syncedUpTo = now
            for row in rows {
                guard let account = Account(stored: row.account) else { continue }
                take(row, for: Key(account: account, address: row.address), into: &state)
            }
        }
    }

    private func take(_ row: LoginFailures, for key: Key, into state: inout State) {
        var record = state.records[key] ?? Record()
        guard row.changedAt >= record.changedAt else { return }
        record.failures = row.failures
        record.lastFailure = row.failures == 0 ? .distantPast : row.lastFailure
        record.changedAt = row.changedAt
        state.records[key] = record
    }

    /// Counts a wrong try in the shared store too (when there is one), and takes in its count from every node.
    func share(failure ticket: Ticket, now: Date) async {
        guard let shared,
              let row = try? await shared.recordLoginFailure(account: ticket.key.account.stored, address: ticket.key.address, at: now,
                                                             forgetBefore: now.addingTimeInterval(-limits.forgetAfter))
        else { return }
        state.withLock { state in take(row, for: ticket.key, into: &state) }
    }

    /// A proctor unlocks an account (or a new access code was issued) on every node.
    public func unlockEverywhere(_ account: Account, now: Date) async {
        unlock(account)
        try? await shared?.clearLoginFailures(account: account.stored, address: nil, at: now)
    }

    /// Accounts waiting now because of wrong tries from some address, with the end of the longest wait.
    public func locked(now: Date) -> [Account: Date] {
        state.withLock { state in
            var locked: [Account: Date] = [:]
            for (key, record) in state.records {
                guard let until = lockedUntil(record), until > now else { continue }
                locked[key.account] = max(locked[key.account] ?? until, until)
            }
            return locked
        }
    }

    private func lockedUntil(_ record: Record) -> Date? {
        guard record.failures >= limits.freeFailures else { return nil }
        let doublings = min(record.failures - limits.freeFailures, 20)
        return record.lastFailure.addingTimeInterval(min(limits.maximumDelay, limits.firstDelay * pow(2, Double(doublings))))
    }

    /// Failures from `address` in the last minute or so (this minute, and the last one weighted by what is left of it).
    private func addressFailures(_ state: State, _ address: String, now: Date) -> Int {
        guard let counts = state.addressFailures[address] else { return 0 }
        let minute = Int(now.timeIntervalSince1970 / 60)
        if counts.minute == minute {
            let left = 1 - (now.timeIntervalSince1970 / 60 - Double(minute))
            return counts.current + Int(Double(counts.previous) * left)
        }
        return counts.minute == minute - 1 ? counts.current : 0
    }

    private func forgetOld(_ state: inout State, now: Date) {
        state.records = state.records.filter { $0.value.inFlight > 0 || now.timeIntervalSince($0.value.lastFailure) <= limits.forgetAfter + limits.maximumDelay }
        let minute = Int(now.timeIntervalSince1970 / 60)
        state.addressFailures = state.addressFailures.filter { $0.value.minute >= minute - 1 }
    }
}

extension LoginLimiter {
    /// Runs `check` (the code or password) in a slot for `account` from `address`: 429 while the account must
    /// wait at this address, 401 (`wrong`) when the check fails (429 when the address has failed too often
    /// this minute); the check's value when it passes.
    func attempt<T>(_ account: Account, address: String, now: Date, wrong: APIError, _ check: () async throws -> T?) async throws -> T {
        await sync(now: now)
        let ticket: Ticket
        switch begin(account, address: address, now: now) {
        case let .wait(until): throw APIError.tooManyAttempts(retryAfter: until.timeIntervalSince(now))
        case let .proceed(granted): ticket = granted
        }
        let value: T?
        do { value = try await check() } catch {
            abandoned(ticket)
            throw error
        }
        guard let value else {
            failed(ticket, now: now)
            await share(failure: ticket, now: now)
            if ticket.addressOverLimit { throw APIError.tooManyAttempts(retryAfter: 60) }
            throw wrong
        }
        if succeeded(ticket) { try? await shared?.clearLoginFailures(account: account.stored, address: address, at: now) }
        return value
    }
}

extension LoginLimiter.Account {
    private static let separator: Character = "\u{1F}"

    /// The account as the shared store keeps it: kind and names joined by a control character no name holds.
    var stored: String {
        switch self {
        case let .candidate(exam, sbd): ["candidate", exam, sbd].joined(separator: String(Self.separator))
        case let .staff(username): ["staff", username].joined(separator: String(Self.separator))
        case let .student(id): ["student", id].joined(separator: String(Self.separator))
        }
    }

    init?(stored: String) {
        let parts = stored.split(separator: Self.separator, omittingEmptySubsequences: false).map(String.init)
        switch (parts.first, parts.count) {
        case ("candidate", 3): self = .candidate(exam: parts[1], sbd: parts[2])
        case ("staff", 2): self = .staff(username: parts[1])
        case ("student", 2): self = .student(id: parts[1])
        default: return nil
        }
    }
}

extension APIError {
    static func tooManyAttempts(retryAfter seconds: TimeInterval) -> APIError {
        let wait = max(1, Int(seconds.rounded(.up)))
        return APIError(.tooManyRequests, code: "tooManyAttempts",
                        "sai quá nhiều lần; thử lại sau \(wait) giây hoặc gọi giám thị / too many wrong tries; try again in \(wait) s or call the proctor",
                        headers: [.retryAfter: String(wait)])
    }
}
