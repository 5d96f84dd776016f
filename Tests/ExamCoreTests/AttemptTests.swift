import Foundation
import Testing
@testable import ExamCore

@Suite("The attempt state machine (clock injected)")
struct AttemptTests {
    static let opens = Date(timeIntervalSince1970: 1_800_000_000)
    static func at(_ seconds: Int) -> Date { opens.addingTimeInterval(TimeInterval(seconds)) }
    /// 50 minutes, late entry 15 minutes, grace 30 seconds.
    static let timing = SessionTiming(opensAt: opens, durationSeconds: 3000, lateEntrySeconds: 900, graceSeconds: 30)

    @Test("start: not before opening, not after the late-entry window; deadline by policy", arguments: [
        (-1, SessionTiming.DeadlinePolicy.fixedEnd, Int?.none, "notOpenYet"),
        (0, .fixedEnd, 3000, ""),
        (600, .fixedEnd, 3000, ""),
        (600, .fromStart, 3600, ""),
        (900, .fixedEnd, 3000, ""),
        (901, .fixedEnd, nil, "lateEntryClosed"),
    ] as [(Int, SessionTiming.DeadlinePolicy, Int?, String)])
    func start(offset: Int, policy: SessionTiming.DeadlinePolicy, deadline: Int?, refusal: String) {
        var timing = Self.timing
        timing.policy = policy
        var attempt = Attempt(timing: timing)
        do {
            let end = try attempt.start(at: Self.at(offset))
            #expect(end == Self.at(deadline!))
            #expect(attempt.state == .inProgress)
        } catch {
            #expect(error.code.description == refusal)
            #expect(attempt.state == .notStarted)
        }
    }

    @Test("answers are taken until the deadline plus grace, then refused; a later tick auto-submits at the deadline")
    func graceAndAutoSubmit() throws {
        var attempt = Attempt(timing: Self.timing)
        _ = try attempt.start(at: Self.at(10))
        try attempt.accepts(sequence: 1, at: Self.at(2999))
        try attempt.accepts(sequence: 2, at: Self.at(3030))
        #expect(throws: AttemptRefusal.self) { try attempt.accepts(sequence: 3, at: Self.at(3031)) }
        #expect(throws: AttemptRefusal.self) { try attempt.accepts(sequence: 0, at: Self.at(20)) }
        let inGrace = attempt.tick(at: Self.at(3030))
        let afterGrace = attempt.tick(at: Self.at(3031))
        #expect(inGrace == false)
        #expect(afterGrace == true)
        #expect(attempt.state == .submitted && attempt.autoSubmitted && attempt.submittedAt == Self.at(3000))
        let again = attempt.tick(at: Self.at(4000))
        #expect(again == false, "auto-submit happens once")
        #expect(throws: AttemptRefusal.self) { try attempt.submit(at: Self.at(4000)) }
    }

    @Test("submit: once, not before starting, within grace after the deadline")
    func submit() throws {
        var early = Attempt(timing: Self.timing)
        #expect(throws: AttemptRefusal.self) { try early.submit(at: Self.at(5)) }
        var attempt = Attempt(timing: Self.timing)
        _ = try attempt.start(at: Self.at(5))
        try attempt.submit(at: Self.at(3020))
        #expect(attempt.state == .submitted && !attempt.autoSubmitted && attempt.submittedAt == Self.at(3020))
        let second = #expect(throws: AttemptRefusal.self) { try attempt.submit(at: Self.at(3021)) }
        #expect(second?.code == .alreadySubmitted)
        var late = Attempt(timing: Self.timing)
        _ = try late.start(at: Self.at(5))
        let refused = #expect(throws: AttemptRefusal.self) { try late.submit(at: Self.at(3100)) }
        #expect(refused?.code == .timeUp)
        #expect(late.autoSubmitted, "a submit after the grace finds the attempt already auto-submitted")
    }

    @Test("resume: restarting keeps the first start and the remaining time")
    func resume() throws {
        var attempt = Attempt(timing: SessionTiming(opensAt: Self.opens, durationSeconds: 3000, policy: .fromStart))
        _ = try attempt.start(at: Self.at(100))
        #expect(attempt.remainingSeconds(at: Self.at(1100)) == 2000)
        let deadline = try attempt.start(at: Self.at(1100))
        #expect(deadline == Self.at(3100))
        #expect(attempt.startedAt == Self.at(100))
        #expect(throws: AttemptRefusal.self) { try attempt.start(at: Self.at(3101)) }
    }

    @Test("a proctor adds time: the deadline and the grace move; time is never taken away")
    func addTime() throws {
        var attempt = Attempt(timing: Self.timing)
        _ = try attempt.start(at: Self.at(0))
        try attempt.addTime(seconds: 300)
        try attempt.addTime(seconds: -100)
        #expect(attempt.deadline == Self.at(3300))
        #expect(attempt.remainingSeconds(at: Self.at(3000)) == 300)
        try attempt.accepts(sequence: 9, at: Self.at(3320))
        let ticked = attempt.tick(at: Self.at(3331))
        #expect(ticked)
        #expect(throws: AttemptRefusal.self) { try attempt.addTime(seconds: 60) }
    }

    @Test("the attempt survives a round trip through JSON (it is stored between requests)")
    func codable() throws {
        var attempt = Attempt(timing: Self.timing)
        _ = try attempt.start(at: Self.at(42))
        try attempt.addTime(seconds: 60)
        let again = try JSONDecoder().decode(Attempt.self, from: JSONEncoder().encode(attempt))
        #expect(again == attempt)
    }
}
