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
    }

    private struct State {
        var records: [Key: Record] = [:]
        /// Failures per address in the current and the previous minute.
        var addressFailures: [String: (minute: Int, current: Int, previous: Int)] = [:]
        var operations = 0
    }

    public let limits: Limits
    private let state = Mutex(State())

    public init(limits: Limits = Limits()) { self.limits = limits }

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

    /// The right code or password: the account's failures from this address are forgotten.
    public func succeeded(_ ticket: Ticket) {
        state.withLock { state in state.records[ticket.key] = nil }
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
            if ticket.addressOverLimit { throw APIError.tooManyAttempts(retryAfter: 60) }
            throw wrong
        }
        succeeded(ticket)
        return value
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
