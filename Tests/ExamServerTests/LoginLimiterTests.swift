@testable import ExamServer
import ExamStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresTesting
import Testing

@Suite("Login limits: a guesser is slowed, the right owner still gets in")
struct LoginLimiterTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let sbd = LoginLimiter.Account.candidate(exam: "Thi", sbd: "0001")

    func ticket(_ limiter: LoginLimiter, _ account: LoginLimiter.Account = sbd, from address: String, at seconds: Double) -> LoginLimiter.Ticket? {
        if case let .proceed(ticket) = limiter.begin(account, address: address, now: Self.t0.addingTimeInterval(seconds)) { return ticket }
        return nil
    }

    func fail(_ limiter: LoginLimiter, _ account: LoginLimiter.Account = sbd, from address: String, at seconds: Double) {
        guard let ticket = ticket(limiter, account, from: address, at: seconds) else { Issue.record("refused at \(seconds)"); return }
        limiter.failed(ticket, now: Self.t0.addingTimeInterval(seconds))
    }

    @Test("five wrong tries lock that account at that address only; another address gets in at once")
    func perAddress() {
        let limiter = LoginLimiter()
        for second in 0..<5 { fail(limiter, from: "10.0.0.66", at: Double(second)) }
        #expect(ticket(limiter, from: "10.0.0.66", at: 6) == nil)
        #expect(ticket(limiter, from: "10.0.0.7", at: 6) != nil, "the owner at their own PC is not locked out")
        #expect(limiter.locked(now: Self.t0.addingTimeInterval(6))[Self.sbd] != nil)
        // Another SBD from the guessing address is not locked either.
        #expect(ticket(limiter, .candidate(exam: "Thi", sbd: "0002"), from: "10.0.0.66", at: 6) != nil)
    }

    @Test("the wait doubles with every further wrong try, and is capped")
    func growingDelays() {
        let limiter = LoginLimiter(limits: .init(freeFailures: 2, firstDelay: 10, maximumDelay: 40))
        fail(limiter, from: "a", at: 0)
        fail(limiter, from: "a", at: 1)
        #expect(ticket(limiter, from: "a", at: 10.5) == nil)
        fail(limiter, from: "a", at: 11.5)   // waited 10 s; wrong again → 20 s
        #expect(ticket(limiter, from: "a", at: 30) == nil)
        fail(limiter, from: "a", at: 31.6)   // → 40 s (capped)
        #expect(ticket(limiter, from: "a", at: 71) == nil)
        #expect(ticket(limiter, from: "a", at: 72) != nil)
    }

    @Test("parallel tries take their slots before the check: a hundred at once get five checks")
    func concurrentSlots() {
        let limiter = LoginLimiter()
        let granted = (0..<100).compactMap { _ in ticket(limiter, .staff(username: "admin"), from: "x", at: 0) }
        #expect(granted.count == 5)
        for ticket in granted { limiter.failed(ticket, now: Self.t0) }
        #expect(self.ticket(limiter, .staff(username: "admin"), from: "x", at: 1) == nil)
    }

    @Test("per address only failures count: a NAT'd lab's logins always pass; its wrong tries are answered 429 past the limit")
    func addressFailuresOnly() {
        let limiter = LoginLimiter(limits: .init(failuresPerAddress: 50))
        for index in 0..<700 {
            // One PC tries 700 wrong codes over many SBDs from the shared address.
            fail(limiter, .candidate(exam: "Thi", sbd: String(format: "%04d", index % 140)), from: "nat", at: Double(index) * 0.05)
        }
        let right = ticket(limiter, .candidate(exam: "Thi", sbd: "9999"), from: "nat", at: 40)
        #expect(right != nil, "a right login is never refused for the address's sake")
        #expect(right?.addressOverLimit == true, "a wrong one from there would be answered 429")
        #expect(ticket(limiter, .candidate(exam: "Thi", sbd: "9999"), from: "nat", at: 200)?.addressOverLimit == false, "the minute passes")
    }

    @Test("a candidate named like a member of staff is another account; unlock clears every address")
    func namespacesAndUnlock() {
        let limiter = LoginLimiter()
        let lookalike = LoginLimiter.Account.candidate(exam: "staff", sbd: "giamthi")
        for second in 0..<5 { fail(limiter, lookalike, from: "a", at: Double(second)) }
        #expect(ticket(limiter, .staff(username: "giamthi"), from: "a", at: 6) != nil)
        #expect(ticket(limiter, lookalike, from: "a", at: 6) == nil)
        limiter.unlock(lookalike)
        #expect(ticket(limiter, lookalike, from: "a", at: 6) != nil)
    }

    @Test("over the API: a hundred parallel wrong staff passwords get at most five bcrypt checks (401), the rest 429")
    func staffConcurrency() async throws {
        let fixture = try Fixture()
        try fixture.addStaff("admin", role: .admin)
        try await fixture.app().test(.router) { client in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        try await client.execute(uri: "/api/staff/login", method: .post, headers: Fixture.headers(),
                                                 body: Fixture.json(["username": "admin", "password": "sai-mat-khau"])) { $0.status }
                    }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .unauthorized }.count <= 5)
            #expect(statuses.filter { $0 == .tooManyRequests }.count >= 95)
        }
    }

    @Test("several nodes: wrong tries on one node lock the account on another; a right login and an unlock on one clear it on the other")
    func acrossNodes() async throws {
        let database = try TestEngine.database()
        // Two nodes: two stores over one database, each with its own limiter, reading the shared counts at every try.
        let here = LoginLimiter(shared: database.makeStore().sessions, syncInterval: .zero)
        let there = LoginLimiter(shared: database.makeStore().sessions, syncInterval: .zero)
        let wrong = APIError(.unauthorized, code: "wrong", "sai / wrong")
        func tryOnce(_ limiter: LoginLimiter, _ right: Bool, at seconds: Double, from address: String = "10.0.0.66") async -> Int {
            do {
                _ = try await limiter.attempt(Self.sbd, address: address, now: Self.t0.addingTimeInterval(seconds), wrong: wrong) { right ? true : nil }
                return 200
            } catch let error as APIError { return Int(error.status.code) } catch { return 500 }
        }
        for second in 0..<3 { #expect(await tryOnce(here, false, at: Double(second)) == 401) }
        for second in 3..<5 { #expect(await tryOnce(there, false, at: Double(second)) == 401) }
        // Five wrong tries over two nodes: locked on both, even for the right code from that address.
        #expect(await tryOnce(here, true, at: 6) == 429)
        #expect(await tryOnce(there, true, at: 6) == 429)
        await there.sync(now: Self.t0.addingTimeInterval(6))
        #expect(there.locked(now: Self.t0.addingTimeInterval(6))[Self.sbd] != nil)
        // The owner at another PC is not locked out, on either node.
        #expect(await tryOnce(there, true, at: 7, from: "10.0.0.7") == 200)
        // A proctor unlocks on one node: the other lets the address try again.
        await here.unlockEverywhere(Self.sbd, now: Self.t0.addingTimeInterval(8))
        #expect(await tryOnce(there, false, at: 9) == 401)
        #expect(await tryOnce(there, true, at: 10) == 200)
        // The right login cleared the shared count: four wrong tries on the other node do not lock it.
        for second in 11..<15 { #expect(await tryOnce(here, false, at: Double(second)) == 401) }
        #expect(await tryOnce(here, true, at: 16) == 200)
    }
}
