import PostgresTesting
import BankFormats
import ExamCore
import Foundation
import GRDB
import Testing
@testable import ExamStore

@Suite("Answer ingestion: attempts, the group-commit writer, grading")
struct IngestionTests {
    static let opens = Date(timeIntervalSince1970: 1_800_000_000)
    static func at(_ seconds: Int) -> Date { opens.addingTimeInterval(TimeInterval(seconds)) }

    /// A prepared exam in a file database (real WAL, synchronous=FULL): 40 candidates, 4 codes, 50 minutes.
    /// On the engine under test unless `location` names a database.
    static func prepared(at location: String? = nil) throws -> (AppDatabase, String, [LoginSlip], String) {
        let path = try location ?? TestEngine.location(file: BankStoreTests.temporaryPath())
        let db = try AppDatabase.open(path)
        _ = try db.importBank(try BankReaders.read(ExamStoreTests.banks.appendingPathComponent("vat-li-12/vat-li-12.yaml")))
        let blueprint = try JSONDecoder().decode(Blueprint.self, from: Data(contentsOf: ExamStoreTests.banks.appendingPathComponent("vat-li-12/blueprint.json")))
        try db.createExam(ExamDefinition(name: "Thi thử", bank: "Vật lí 12", blueprint: blueprint, codeCount: 4, seed: 3,
                                         sessions: [.init(name: "Ca 1", timing: SessionTiming(opensAt: opens, durationSeconds: 3000, graceSeconds: 30))],
                                         rooms: ["P101"]))
        let roster = try RosterFormat.read(ExamStoreTests.banks.appendingPathComponent("samples/danh-sach-12A.csv"))
        _ = try db.importCandidates(exam: "Thi thử", entries: roster.entries)
        return (db, "Thi thử", try db.prepareExam("Thi thử"), path)
    }

    @Test("Dates written by the answer writer are the text GRDB's own formatter writes, to the millisecond")
    func databaseDateText() {
        var generator = SystemRandomNumberGenerator()
        let samples = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_800_000_000.9999), Date(timeIntervalSince1970: 1_700_000_000.0005),
                       Self.opens.addingTimeInterval(0.001), Self.opens.addingTimeInterval(-0.001)]
            + (0..<20_000).map { _ in Date(timeIntervalSince1970: Double.random(in: 0...4_000_000_000, using: &generator)) }
        for date in samples {
            let grdb: String? = String.fromDatabaseValue(date.databaseValue)
            #expect(UTCText.database(date) == grdb, "\(date.timeIntervalSince1970)")
        }
        #expect(UTCText.iso8601(Date(timeIntervalSince1970: 1_800_000_000.75)) == "2027-01-15T08:00:00Z")
    }

    @Test("Dates are read back from that text as GRDB reads them, without its calendar; other text is left to GRDB")
    func databaseDateReading() {
        var generator = SystemRandomNumberGenerator()
        let texts = ["2001-07-14 04:20:16.000", "2004-02-29 23:59:59.999", "2024-02-29 12:00:00", "2100-03-01 00:00:00.001",
                     "2026-12-02T07:30:00.123", "9999-12-31 23:59:59.999"]
            + (0..<50_000).map { _ in UTCText.database(Date(timeIntervalSince1970: Double.random(in: 1_000_000_000...8_000_000_000, using: &generator))) }
        for text in texts {
            let grdb = Date.fromDatabaseValue(text.databaseValue)
            #expect(grdb != nil && UTCText.date(database: text) == grdb, "\(text)")
        }
        // Before mid-2001 Foundation's calendar is an ulp or two off the nearest double: left to GRDB.
        for text in ["1970-01-01 00:00:00.000", "2000-02-29 23:59:59.999", "2001-01-06 21:21:49.041", "2001-07-14 04:20:15.999"] {
            #expect(UTCText.date(database: text) == nil, "\(text)")
        }
        // Not the store's own text: nil here (GRDB reads what it can), never a wrong date.
        for text in ["2026-02-29 00:00:00", "2026-13-01 00:00:00", "2026-12-02 24:00:00", "2026-12-02 12:60:00", "2026-12-02 12:00:60",
                     "2026-12-02", "2026-12-02 12:00", "2026-12-02 12:00:00.1", "2026-12-02 12:00:00Z", "2026-12-02 12:00:00.12x",
                     "+026-12-02 12:00:00", "2026/12/02 12:00:00", "2026-12-02 12:00:00,000", "", "2026-12-02 1٢:00:00"] {
            #expect(UTCText.date(database: text) == nil, "\(text)")
        }
    }

    static func store(_ db: AppDatabase, freshness: Duration = .seconds(3600)) -> DatabaseStore {
        DatabaseStore(database: db, now: { at(0) }, freshness: freshness)
    }

    static func event(_ sequence: Int, _ item: String, _ value: String) -> ResponseEvent { ResponseEvent(sequence: sequence, item: item, value: .text(value)) }

    static func code(_ work: () async throws -> Void) async -> StoreError.Code? {
        do { try await work(); return nil } catch let error as StoreError { return error.code } catch { return nil }
    }

    @Test("start: refused before opening; resuming gives the same attempt, a new device and the saved answers")
    func startAndResume() async throws {
        let (db, exam, slips, _) = try Self.prepared()
        let store = Self.store(db)
        #expect(await Self.code { _ = try await store.start(exam: exam, sbd: slips[0].sbd, session: Self.at(-5), now: Self.at(-5)) } == .notOpenYet)
        let first = try await store.start(exam: exam, sbd: slips[0].sbd, session: Self.at(10), now: Self.at(10))
        #expect(first.status.remainingSeconds == 2990 && first.responses.isEmpty)
        _ = try await store.record(exam: exam, sbd: slips[0].sbd, deviceToken: first.deviceToken, events: [Self.event(1, "I.1", "B")], now: Self.at(20))
        let second = try await store.start(exam: exam, sbd: slips[0].sbd, session: Self.at(70), now: Self.at(70))
        #expect(second.attemptID == first.attemptID)
        #expect(second.deviceToken != first.deviceToken)
        #expect(second.responses == ["I.1": "\"B\""] && second.lastSequence == 1)
        #expect(second.status.remainingSeconds == 2930)
        #expect(await Self.code { _ = try await store.record(exam: exam, sbd: slips[0].sbd, deviceToken: first.deviceToken, events: [Self.event(2, "I.1", "C")], now: Self.at(80)) } == .takenOver)
        _ = try await store.record(exam: exam, sbd: slips[0].sbd, deviceToken: second.deviceToken, events: [Self.event(2, "I.1", "C")], now: Self.at(80))
    }

    @Test("a reload resumes with the same session even when its time has a fraction of a millisecond; an older session is refused")
    func sameSessionResumes() async throws {
        let (db, exam, slips, _) = try Self.prepared()
        let store = Self.store(db)
        let sbd = slips[12].sbd
        let session = Self.at(3).addingTimeInterval(0.1239999)
        _ = try await store.start(exam: exam, sbd: sbd, session: session, now: Self.at(3))
        // Another store reads the session time back from the database (its text has whole milliseconds).
        _ = try await Self.store(db).start(exam: exam, sbd: sbd, session: Date(timeIntervalSince1970: (session.timeIntervalSince1970 * 1000).rounded() / 1000), now: Self.at(4))
        _ = try await Self.store(db).start(exam: exam, sbd: sbd, session: session, now: Self.at(5))
        #expect(await Self.code { _ = try await store.start(exam: exam, sbd: sbd, session: Self.at(2), now: Self.at(6)) } == .takenOver)
    }

    @Test("checks: item on the paper, value fits its kind, sequence in range, time left with the grace")
    func checks() async throws {
        let (db, exam, slips, _) = try Self.prepared()
        let store = Self.store(db)
        let sbd = slips[1].sbd
        let view = try await store.start(exam: exam, sbd: sbd, session: Self.at(0), now: Self.at(0))
        let token = view.deviceToken
        func refusal(_ event: ResponseEvent, at seconds: Int) async -> (StoreError.Code?, String?) {
            do { _ = try await store.record(exam: exam, sbd: sbd, deviceToken: token, events: [event], now: Self.at(seconds)); return (nil, nil) }
            catch let error as StoreError { return (error.code, error.field) } catch { return (nil, nil) }
        }
        #expect(await refusal(Self.event(1, "IX.9", "A"), at: 1) == (.invalid, "events[0].item"))
        #expect(await refusal(ResponseEvent(sequence: 1, item: "I.1", value: .map(["a": "Đ"])), at: 1) == (.invalid, "events[0].value"))
        #expect(await refusal(ResponseEvent(sequence: 1, item: "I.1", value: .malformed), at: 1) == (.invalid, "events[0].value"))
        #expect(await refusal(Self.event(0, "I.1", "A"), at: 1) == (.invalid, "events[0].sequence"))
        #expect(await refusal(Self.event(DatabaseStore.maximumSequence + 1, "I.1", "A"), at: 1) == (.invalid, "events[0].sequence"))
        #expect(await refusal(Self.event(1, "I.1", "A"), at: 3031) == (.timeUp, nil))
        #expect(await refusal(ResponseEvent(sequence: 1, item: "II.1", value: .map(["a": "Đ"])), at: 3030) == (nil, nil))
    }

    @Test("replayed and out-of-order events never overwrite a newer answer; every event is in the append-only log")
    func ordering() async throws {
        let (db, exam, slips, _) = try Self.prepared()
        let store = Self.store(db)
        let sbd = slips[2].sbd
        let view = try await store.start(exam: exam, sbd: sbd, session: Self.at(0), now: Self.at(0))
        func send(_ events: [ResponseEvent]) async throws { _ = try await store.record(exam: exam, sbd: sbd, deviceToken: view.deviceToken, events: events, now: Self.at(5)) }
        try await send([Self.event(3, "I.1", "C")])
        try await send([Self.event(2, "I.1", "B")])
        try await send([Self.event(3, "I.1", "C"), Self.event(4, "I.2", "A")])
        let resumed = try await store.start(exam: exam, sbd: sbd, session: Self.at(60), now: Self.at(60))
        #expect(resumed.responses == ["I.1": "\"C\"", "I.2": "\"A\""])
        #expect(resumed.lastSequence == 4)
        let log = try await db.writer.read { try Int.fetchAll($0, sql: "SELECT sequence FROM responseEvent ORDER BY id") }
        #expect(log == [3, 2, 4], "a replay is not logged twice")
        #expect(throws: (any Error).self) { try db.writer.write { try $0.execute(sql: "UPDATE responseEvent SET value = 'x'") } }
        #expect(throws: (any Error).self) { try db.writer.write { try $0.execute(sql: "DELETE FROM responseEvent") } }
    }

    @Test("concurrent batches are committed together (group commit) and are on disk when acknowledged")
    func groupCommit() async throws {
        let (db, exam, slips, path) = try Self.prepared()
        let store = Self.store(db)
        var views: [(String, StartedAttempt)] = []
        for slip in slips.prefix(20) { views.append((slip.sbd, try await store.start(exam: exam, sbd: slip.sbd, session: Self.at(0), now: Self.at(0)))) }
        let before = store.ingestion.transactions
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, (sbd, view)) in views.enumerated() {
                for sequence in 1...25 {
                    group.addTask {
                        _ = try await store.record(exam: exam, sbd: sbd, deviceToken: view.deviceToken,
                                                   events: [Self.event(sequence, "I.\(1 + (sequence + index) % 18)", "A")], now: Self.at(1))
                    }
                }
            }
            try await group.waitForAll()
        }
        await store.ingestion.drain()
        let transactions = store.ingestion.transactions - before
        #expect(transactions < 500, "\(transactions) transactions for 500 batches")
        // A second, independent connection to the file sees every acknowledged event.
        let other = try AppDatabase.open(path)
        let stored = try await other.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM responseEvent")! }
        #expect(stored == 500)
    }

    @Test("a batch that cannot be stored fails alone, not the batches committed with it")
    func badBatchIsolated() async throws {
        let (db, exam, slips, _) = try Self.prepared()
        let store = Self.store(db)
        let good = try await store.start(exam: exam, sbd: slips[5].sbd, session: Self.at(0), now: Self.at(0))
        let writer = store.ingestion
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for sequence in 1...40 {
                group.addTask {
                    do {
                        // Attempt 999999 does not exist.
                        let attempt: Int64 = sequence % 10 == 0 ? 999_999 : good.attemptID
                        try await writer.record(attemptID: attempt, deviceToken: good.deviceToken, events: [Self.event(sequence, "I.1", "A")], receivedAt: Self.at(1))
                        return true
                    } catch {
                        return false
                    }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 36)
        #expect(outcomes.filter { !$0 }.count == 4)
        let stored = try await db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM responseEvent")! }
        #expect(stored == 36)
    }

    @Test("submit grades with ExamCore's scoring; a second submit is refused; expired attempts are auto-submitted")
    func submitAndGrade() async throws {
        let (db, exam, slips, _) = try Self.prepared()
        let store = Self.store(db)
        let view = try await store.start(exam: exam, sbd: slips[3].sbd, session: Self.at(0), now: Self.at(0))
        let paper = try db.paper(exam: exam, code: try #require(try db.examResults(exam).first { $0.sbd == slips[3].sbd }?.paperCode))
        // Right answers to the whole of Phần I, nothing else.
        let part1 = paper.parts[0].items
        _ = try await store.record(exam: exam, sbd: slips[3].sbd, deviceToken: view.deviceToken,
                                   events: part1.enumerated().map { ResponseEvent(sequence: $0.offset + 1, item: $0.element.key, value: .text($0.element.question.keyText)) },
                                   now: Self.at(10))
        let submitted = try await store.submit(exam: exam, sbd: slips[3].sbd, deviceToken: view.deviceToken, now: Self.at(1200))
        #expect(submitted.score.total == Points(hundredths: 25 * part1.count))
        #expect(await Self.code { _ = try await store.submit(exam: exam, sbd: slips[3].sbd, deviceToken: view.deviceToken, now: Self.at(1201)) } == .alreadySubmitted)
        let other = try await store.start(exam: exam, sbd: slips[4].sbd, session: Self.at(5), now: Self.at(5))
        #expect(try await store.submitExpired(now: Self.at(3030)) == 0)
        #expect(try await store.submitExpired(now: Self.at(3031)) == 1)
        let row = try await db.writer.read { try SQLRow.fetchOne($0, sql: "SELECT state, autoSubmitted, scoreHundredths FROM attempt WHERE id = ?", arguments: [other.attemptID])! }
        #expect(row["state"] as String == "submitted" && row["autoSubmitted"] as Bool && row["scoreHundredths"] as Int == 0)
        // The read model knows at once: the page's poll sees it submitted.
        #expect(try await store.status(exam: exam, sbd: slips[4].sbd, now: Self.at(3032)).state == .submitted)
    }

    @Test("a batch that reaches the writer after the submit is refused (not acknowledged, not stored); its group-mates are stored")
    func eventsAfterSubmit() async throws {
        let (db, exam, slips, _) = try Self.prepared()
        let store = Self.store(db)
        let done = try await store.start(exam: exam, sbd: slips[5].sbd, session: Self.at(0), now: Self.at(0))
        let open = try await store.start(exam: exam, sbd: slips[6].sbd, session: Self.at(0), now: Self.at(0))
        _ = try await store.submit(exam: exam, sbd: slips[5].sbd, deviceToken: done.deviceToken, now: Self.at(60))
        let writer = store.ingestion
        // Checked before the submit (straight to the writer here), committed after it.
        let late = Task { try await writer.record(attemptID: done.attemptID, deviceToken: done.deviceToken, events: [Self.event(1, "I.1", "A")], receivedAt: Self.at(61)) }
        let fine = Task { _ = try await store.record(exam: exam, sbd: slips[6].sbd, deviceToken: open.deviceToken, events: [Self.event(1, "I.1", "A")], now: Self.at(61)) }
        await #expect(throws: StoreError.self) { try await late.value }
        try await fine.value
        let stored = try await db.writer.read { try Int.fetchAll($0, sql: "SELECT attemptId FROM responseEvent").map(Int64.init) }
        #expect(stored == [open.attemptID])
    }

    @Test("batches stored together: the highest sequence wins inside one statement, a refused batch fails alone, a replay is logged once")
    func batchesTogether() async throws {
        let (db, exam, slips, _) = try Self.prepared()
        let store = Self.store(db)
        let a = try await store.start(exam: exam, sbd: slips[10].sbd, session: Self.at(0), now: Self.at(0))
        let b = try await store.start(exam: exam, sbd: slips[11].sbd, session: Self.at(0), now: Self.at(0))
        @Sendable func batch(_ view: StartedAttempt, token: String? = nil, _ events: [ResponseEvent]) -> IngestionWriter.AnswerBatch {
            IngestionWriter.AnswerBatch(attemptID: view.attemptID, deviceToken: token ?? view.deviceToken, events: events, receivedAt: Self.at(5), finish: { _ in })
        }
        let refusals = try await db.writer.write { db in
            try AnswerStore.store([batch(a, [Self.event(5, "I.1", "C")]), batch(a, [Self.event(3, "I.1", "B")]),
                                   batch(b, token: "someone-else", [Self.event(1, "I.1", "D")]),
                                   batch(b, [Self.event(2, "I.2", "A"), Self.event(4, "I.2", "B")]), batch(a, [Self.event(5, "I.1", "C")])], db: db)
        }
        #expect(refusals.keys.sorted() == [2])
        #expect((refusals[2] as? StoreError)?.code == .takenOver)
        let answers = try await db.writer.read { db in
            try SQLRow.fetchAll(db, sql: "SELECT attemptId, itemKey, value, sequence FROM response ORDER BY attemptId, itemKey").map { "\($0[0] as Int64 == a.attemptID ? "a" : "b") \($0[1] as String) \($0[2] as String) \($0[3] as Int)" }
        }
        #expect(answers == ["a I.1 \"C\" 5", "b I.2 \"B\" 4"])
        let logged = try await db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM responseEvent")! }
        #expect(logged == 4)
    }

    @Test("a takeover made elsewhere (another process or node): the stale device is refused by the transaction, the new one accepted although memory still holds the old device")
    func takeoverRaceAcrossStores() async throws {
        let (db, exam, slips, _) = try Self.prepared()
        // Two stores over one database, as two server processes: each keeps its own read model, trusted for
        // an hour so nothing refreshes it by itself.
        let here = Self.store(db), there = Self.store(db)
        let sbd = slips[7].sbd
        let first = try await here.start(exam: exam, sbd: sbd, session: Self.at(0), now: Self.at(0))
        _ = try await here.record(exam: exam, sbd: sbd, deviceToken: first.deviceToken, events: [Self.event(1, "I.1", "A")], now: Self.at(1))
        // Another computer takes the attempt over through the other process.
        let second = try await there.start(exam: exam, sbd: sbd, session: Self.at(2), now: Self.at(2))
        // Memory here still says the first device holds it: the writing transaction refuses it anyway.
        #expect(await Self.code { _ = try await here.record(exam: exam, sbd: sbd, deviceToken: first.deviceToken, events: [Self.event(2, "I.1", "B")], now: Self.at(3)) } == .takenOver)
        #expect(await Self.code { _ = try await here.submit(exam: exam, sbd: sbd, deviceToken: first.deviceToken, now: Self.at(3)) } == .takenOver)
        // The new device is accepted here although memory said otherwise: the refusal is checked against the database.
        _ = try await here.record(exam: exam, sbd: sbd, deviceToken: second.deviceToken, events: [Self.event(3, "I.1", "C")], now: Self.at(4))
        let answers = try await db.writer.read { try String.fetchAll($0, sql: "SELECT value FROM response WHERE attemptId = ?", arguments: [first.attemptID]) }
        #expect(answers == ["\"C\""])
    }

    @Test("time added elsewhere: memory says time is up, the database says not: the answer is taken")
    func addedTimeAcrossStores() async throws {
        let (db, exam, slips, _) = try Self.prepared()
        let here = Self.store(db), there = Self.store(db)
        let sbd = slips[8].sbd
        let view = try await here.start(exam: exam, sbd: sbd, session: Self.at(0), now: Self.at(0))
        _ = try await there.addTime(exam: exam, sbd: sbd, seconds: 600, by: "giamthi", reason: "mất điện", now: Self.at(100))
        // 3100 s: past the first deadline and its grace, within the new one.
        _ = try await here.record(exam: exam, sbd: sbd, deviceToken: view.deviceToken, events: [Self.event(1, "I.1", "A")], now: Self.at(3100))
        // Paused elsewhere: memory here still takes answers, the transaction does not.
        _ = try await there.pause(exam: exam, sbd: sbd, by: "giamthi", reason: "máy hỏng", now: Self.at(3110))
        #expect(await Self.code { _ = try await here.record(exam: exam, sbd: sbd, deviceToken: view.deviceToken, events: [Self.event(2, "I.1", "B")], now: Self.at(3111)) } == .paused)
    }

    @Test("the read model notices a change made elsewhere once its freshness has passed")
    func readModelVersion() async throws {
        let (db, exam, slips, _) = try Self.prepared()
        let here = Self.store(db, freshness: .zero)
        let sbd = slips[9].sbd
        #expect(try await here.candidate(exam: exam, sbd: sbd).attemptState == .notStarted)
        _ = try await Self.store(db).start(exam: exam, sbd: sbd, session: Self.at(0), now: Self.at(0))
        #expect(try await here.candidate(exam: exam, sbd: sbd).attemptState == .inProgress)
        // A code reset by the command line: the new code works at once, the old one no longer.
        let newSlip = try db.resetAccessCodes(exam: exam, sbd: sbd)[0]
        #expect(try await here.verifyAccessCode(exam: exam, sbd: sbd, code: newSlip.accessCode))
        #expect(try await !here.verifyAccessCode(exam: exam, sbd: sbd, code: slips[9].accessCode))
    }

    @Test("a change made elsewhere between two of this store's own writes is not hidden by them: the next read reloads the exam")
    func readModelGap() async throws {
        let (db, exam, slips, _) = try Self.prepared()
        let here = Self.store(db)  // trusted for an hour: only the gap makes it compare
        #expect(try await here.candidate(exam: exam, sbd: slips[11].sbd).attemptState == .notStarted)
        _ = try await Self.store(db).start(exam: exam, sbd: slips[11].sbd, session: Self.at(0), now: Self.at(0))  // elsewhere
        _ = try await here.start(exam: exam, sbd: slips[12].sbd, session: Self.at(0), now: Self.at(0))  // here, one version later
        #expect(try await here.candidate(exam: exam, sbd: slips[11].sbd).attemptState == .inProgress)
        #expect(try await here.candidate(exam: exam, sbd: slips[12].sbd).attemptState == .inProgress)
        #expect(here.examDay.loadsDone.load(ordering: .relaxed) == 2)
    }

    @Test("this store's own starts, with reads comparing the version all the while, never reload the exam")
    func readModelOwnWrites() async throws {
        let (db, exam, slips, _) = try Self.prepared()
        let here = Self.store(db, freshness: .zero)  // every read compares
        _ = try await here.candidate(exam: exam, sbd: slips[0].sbd)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for slip in slips.prefix(30) {
                group.addTask { _ = try await here.start(exam: exam, sbd: slip.sbd, session: Self.at(0), now: Self.at(0)) }
                group.addTask { _ = try await here.candidate(exam: exam, sbd: slip.sbd) }
            }
            try await group.waitForAll()
        }
        #expect(here.examDay.loadsDone.load(ordering: .relaxed) == 1)
        for slip in slips.prefix(30) { #expect(try await here.candidate(exam: exam, sbd: slip.sbd).attemptState == .inProgress) }
    }

    @Test("several nodes: a logout made on one store is refused by the other once its freshness has passed, and at once by its own")
    func revocationAcrossStores() async throws {
        let (db, _, _, _) = try Self.prepared()
        let here = Self.store(db, freshness: .zero), there = Self.store(db)
        #expect(try await !here.isRevoked(session: "phien-1"))
        #expect(try await !there.isRevoked(session: "phien-1"))
        try await there.revoke(session: "phien-1", expiresAt: Self.at(3600))
        #expect(try await there.isRevoked(session: "phien-1"))
        #expect(try await here.isRevoked(session: "phien-1"))
        // An expired logout is deleted by the lease holder's chores, and no store reads it again.
        try await there.revoke(session: "phien-2", expiresAt: Self.at(-1))
        try await there.forgetExpired(now: Self.at(0))
        #expect(try await !here.isRevoked(session: "phien-2"))
        #expect(try await db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM revokedSession") } == 1)
    }

    @Test("several nodes: a regrade committed by another store is what this store grades with, although it kept the paper")
    func regradeAcrossStores() async throws {
        let (db, exam, slips, _) = try Self.prepared()
        let here = Self.store(db), there = Self.store(db)
        let sbd = slips[10].sbd
        let view = try await here.start(exam: exam, sbd: sbd, session: Self.at(0), now: Self.at(0))
        let entry = try await here.paper(id: view.paperID)
        let first = entry.paper.items[0]
        _ = try await here.record(exam: exam, sbd: sbd, deviceToken: view.deviceToken,
                                  events: [ResponseEvent(sequence: 1, item: first.key, value: .text(first.question.keyText))], now: Self.at(10))
        // Another node doubles the first question's points (before this store's kept paper is a second old).
        let report = try await there.regrade(exam: exam, plan: RegradePlan(points: [first.question.id: Points(hundredths: first.points.hundredths * 2)]),
                                             commit: true, force: true, reason: "sai điểm", by: Actor(username: "admin", isAdmin: true), now: Self.at(20))
        #expect(report.committed && !report.questions.isEmpty)
        let submitted = try await here.submit(exam: exam, sbd: sbd, deviceToken: view.deviceToken, now: Self.at(30))
        // Graded with the doubled points (scaled to the exam's maximum as always), not the kept paper's.
        let regraded = try await there.paper(id: view.paperID).paper
        #expect(regraded.items[0].points == Points(hundredths: first.points.hundredths * 2))
        #expect(submitted.score.total == regraded.grade([first.key: .text(first.question.keyText)]).total)
        #expect(submitted.score.total != entry.paper.grade([first.key: .text(first.question.keyText)]).total)
        #expect(try await here.paper(id: view.paperID).revision == entry.revision + 1)
    }

    @Test("several nodes: the deadline lease is held by one store at a time, and taken over once its holder stops renewing it")
    func deadlineLease() async throws {
        let (db, _, _, _) = try Self.prepared()
        let here = Self.store(db), there = Self.store(db)
        let t = Date(timeIntervalSince1970: 1_900_000_000)
        #expect(try await here.holdLease("deadline", for: .seconds(15), now: t))
        #expect(try await !there.holdLease("deadline", for: .seconds(15), now: t.addingTimeInterval(1)))
        // Renewed by its holder: still not the other's.
        #expect(try await here.holdLease("deadline", for: .seconds(15), now: t.addingTimeInterval(10)))
        #expect(try await !there.holdLease("deadline", for: .seconds(15), now: t.addingTimeInterval(20)))
        // Its holder stopped (a killed node): taken over after it expires, and the old holder is refused.
        #expect(try await there.holdLease("deadline", for: .seconds(15), now: t.addingTimeInterval(26)))
        #expect(try await !here.holdLease("deadline", for: .seconds(15), now: t.addingTimeInterval(27)))
        // A holder stopping on purpose gives it up: taken at once.
        try await there.releaseLease("deadline")
        #expect(try await here.holdLease("deadline", for: .seconds(15), now: t.addingTimeInterval(28)))
        // Other leases are separate.
        #expect(try await there.holdLease("statistics", for: .seconds(15), now: t.addingTimeInterval(28)))
    }

    @Test("several nodes: wrong logins counted by one store are read by another; cleared ones read as cleared; old ones start again")
    func loginFailuresShared() async throws {
        let (db, _, _, _) = try Self.prepared()
        let here = Self.store(db), there = Self.store(db)
        let t = Date(timeIntervalSince1970: 1_900_000_000)
        for i in 1...3 {
            let row = try await here.recordLoginFailure(account: "candidate\u{1F}Thi thử\u{1F}0001", address: "10.0.0.5", at: t.addingTimeInterval(Double(i)),
                                                        forgetBefore: t.addingTimeInterval(Double(i) - 900))
            #expect(row.failures == i)
        }
        let seen = try await there.loginFailures(changedSince: t)
        #expect(seen.count == 1 && seen[0].failures == 3 && seen[0].address == "10.0.0.5" && seen[0].lastFailure == t.addingTimeInterval(3))
        try await there.clearLoginFailures(account: "candidate\u{1F}Thi thử\u{1F}0001", address: nil, at: t.addingTimeInterval(5))
        #expect(try await here.loginFailures(changedSince: t.addingTimeInterval(4)).map(\.failures) == [0])
        #expect(try await here.loginFailures(changedSince: t.addingTimeInterval(6)).isEmpty)
        // A failure long after the last one counts from one again.
        let late = try await there.recordLoginFailure(account: "candidate\u{1F}Thi thử\u{1F}0001", address: "10.0.0.5", at: t.addingTimeInterval(2000),
                                                      forgetBefore: t.addingTimeInterval(1100))
        #expect(late.failures == 1)
    }
}

@Suite("The writer's state machine (no threads)")
struct WriterStateMachineTests {
    typealias Machine = WriterStateMachine<Int>

    @Test("idle → committing on the first job; jobs during a commit are collected for the next group; idle when none is left")
    func groups() {
        var machine = Machine()
        #expect(machine.phase == .idle)
        #expect(machine.submit(1) == .startCommitting)
        #expect(machine.phase == .committing)
        guard case let .commit(first) = machine.takeGroup() else { Issue.record("no group"); return }
        #expect(first == [1])
        #expect(machine.submit(2) == .collected)
        #expect(machine.submit(3) == .collected)
        #expect(machine.collecting == 2)
        guard case let .commit(second) = machine.takeGroup() else { Issue.record("no group"); return }
        #expect(second == [2, 3])
        guard case let .done(waiters) = machine.takeGroup() else { Issue.record("not done"); return }
        #expect(waiters == 0 && machine.phase == .idle)
        #expect(machine.submit(4) == .startCommitting)
    }

    @Test("drain: at once when idle; otherwise after the running and collected groups")
    func drain() {
        var machine = Machine()
        #expect(machine.drain(stopping: false) == .resumeNow)
        _ = machine.submit(1)
        _ = machine.takeGroup()
        _ = machine.submit(2)
        #expect(machine.drain(stopping: false) == .wait)
        _ = machine.takeGroup()
        guard case let .done(waiters) = machine.takeGroup() else { Issue.record("not done"); return }
        #expect(waiters == 1 && machine.phase == .idle)
    }

    @Test("shutdown: draining still takes jobs in flight, then the writer stops and refuses new ones")
    func shutdown() {
        var machine = Machine()
        _ = machine.submit(1)
        _ = machine.takeGroup()
        #expect(machine.drain(stopping: true) == .wait)
        #expect(machine.phase == .draining)
        #expect(machine.submit(2) == .collected)
        guard case let .commit(group) = machine.takeGroup() else { Issue.record("no group"); return }
        #expect(group == [2])
        guard case let .done(waiters) = machine.takeGroup() else { Issue.record("not done"); return }
        #expect(waiters == 1 && machine.phase == .stopped)
        #expect(machine.submit(3) == .refuse)
        var idle = Machine()
        #expect(idle.drain(stopping: true) == .resumeNow)
        #expect(idle.phase == .stopped)
    }
}
