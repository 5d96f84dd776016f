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
    static func prepared() throws -> (AppDatabase, String, [LoginSlip], String) {
        let path = BankStoreTests.temporaryPath()
        let db = try AppDatabase.open(at: path)
        _ = try db.importBank(try BankReaders.read(ExamStoreTests.banks.appendingPathComponent("vat-li-12/vat-li-12.yaml")))
        let blueprint = try JSONDecoder().decode(Blueprint.self, from: Data(contentsOf: ExamStoreTests.banks.appendingPathComponent("vat-li-12/blueprint.json")))
        try db.createExam(ExamDefinition(name: "Thi thử", bank: "Vật lí 12", blueprint: blueprint, codeCount: 4, seed: 3,
                                         sessions: [.init(name: "Ca 1", timing: SessionTiming(opensAt: opens, durationSeconds: 3000, graceSeconds: 30))],
                                         rooms: ["P101"]))
        let roster = try RosterFormat.read(ExamStoreTests.banks.appendingPathComponent("samples/danh-sach-12A.csv"))
        _ = try db.importCandidates(exam: "Thi thử", entries: roster.entries)
        return (db, "Thi thử", try db.prepareExam("Thi thử"), path)
    }

    @Test("start: refused before opening; resuming gives the same attempt, a new device and the saved answers")
    func startAndResume() async throws {
        let (db, exam, slips, _) = try Self.prepared()
        #expect(throws: StoreError.self) { try db.startAttempt(exam: exam, sbd: slips[0].sbd, now: Self.at(-5)) }
        let first = try db.startAttempt(exam: exam, sbd: slips[0].sbd, now: Self.at(10))
        #expect(first.remainingSeconds == 2990 && first.responses.isEmpty)
        let writer = IngestionWriter(database: db)
        try await writer.write(attemptID: first.attemptID, events: [ResponseEvent(sequence: 1, item: "I.1", value: .text("B"))])
        let second = try db.startAttempt(exam: exam, sbd: slips[0].sbd, now: Self.at(70))
        #expect(second.attemptID == first.attemptID)
        #expect(second.deviceToken != first.deviceToken)
        #expect(second.responses == ["I.1": .text("B")] && second.lastSequence == 1)
        #expect(second.remainingSeconds == 2930)
        let context = try db.attemptContext(first.attemptID)
        #expect(throws: StoreError.self) { try context.check(ResponseEvent(sequence: 2, item: "I.1", value: .text("C")), deviceToken: first.deviceToken, now: Self.at(80)) }
        try context.check(ResponseEvent(sequence: 2, item: "I.1", value: .text("C")), deviceToken: second.deviceToken, now: Self.at(80))
    }

    @Test("checks: item on the paper, value fits its kind, time left")
    func checks() throws {
        let (db, exam, slips, _) = try Self.prepared()
        let view = try db.startAttempt(exam: exam, sbd: slips[1].sbd, now: Self.at(0))
        let context = try db.attemptContext(view.attemptID)
        let token = view.deviceToken
        #expect(throws: StoreError.self) { try context.check(ResponseEvent(sequence: 1, item: "IX.9", value: .text("A")), deviceToken: token, now: Self.at(1)) }
        #expect(throws: StoreError.self) { try context.check(ResponseEvent(sequence: 1, item: "I.1", value: .map(["a": "Đ"])), deviceToken: token, now: Self.at(1)) }
        #expect(throws: StoreError.self) { try context.check(ResponseEvent(sequence: 1, item: "I.1", value: .malformed), deviceToken: token, now: Self.at(1)) }
        #expect(throws: StoreError.self) { try context.check(ResponseEvent(sequence: 0, item: "I.1", value: .text("A")), deviceToken: token, now: Self.at(1)) }
        #expect(throws: StoreError.self) { try context.check(ResponseEvent(sequence: 1, item: "I.1", value: .text("A")), deviceToken: token, now: Self.at(3031)) }
        try context.check(ResponseEvent(sequence: 1, item: "II.1", value: .map(["a": "Đ"])), deviceToken: token, now: Self.at(3030))
    }

    @Test("replayed and out-of-order events never overwrite a newer answer; every event is in the append-only log")
    func ordering() async throws {
        let (db, exam, slips, _) = try Self.prepared()
        let view = try db.startAttempt(exam: exam, sbd: slips[2].sbd, now: Self.at(0))
        let writer = IngestionWriter(database: db)
        try await writer.write(attemptID: view.attemptID, events: [ResponseEvent(sequence: 3, item: "I.1", value: .text("C"))])
        try await writer.write(attemptID: view.attemptID, events: [ResponseEvent(sequence: 2, item: "I.1", value: .text("B"))])
        try await writer.write(attemptID: view.attemptID, events: [ResponseEvent(sequence: 3, item: "I.1", value: .text("C")),
                                                                  ResponseEvent(sequence: 4, item: "I.2", value: .text("A"))])
        let resumed = try db.startAttempt(exam: exam, sbd: slips[2].sbd, now: Self.at(60))
        #expect(resumed.responses == ["I.1": .text("C"), "I.2": .text("A")])
        #expect(resumed.lastSequence == 4)
        let log = try await db.writer.read { try Int.fetchAll($0, sql: "SELECT sequence FROM responseEvent ORDER BY id") }
        #expect(log == [3, 2, 4], "a replay is not logged twice")
        #expect(throws: DatabaseError.self) { try db.writer.write { try $0.execute(sql: "UPDATE responseEvent SET value = 'x'") } }
        #expect(throws: DatabaseError.self) { try db.writer.write { try $0.execute(sql: "DELETE FROM responseEvent") } }
    }

    @Test("concurrent batches are committed together (group commit) and are on disk when acknowledged")
    func groupCommit() async throws {
        let (db, exam, slips, path) = try Self.prepared()
        let views = try slips.prefix(20).map { try db.startAttempt(exam: exam, sbd: $0.sbd, now: Self.at(0)) }
        let writer = IngestionWriter(database: db)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, view) in views.enumerated() {
                for sequence in 1...25 {
                    group.addTask {
                        try await writer.write(attemptID: view.attemptID, events: [ResponseEvent(sequence: sequence, item: "I.\(1 + (sequence + index) % 18)", value: .text("A"))])
                    }
                }
            }
            try await group.waitForAll()
        }
        await writer.drain()
        let batches = await writer.batches
        let transactions = await writer.transactions
        #expect(batches == 500)
        #expect(transactions < batches, "\(transactions) transactions for \(batches) batches")
        // A second, independent connection to the file sees every acknowledged event.
        let other = try AppDatabase.open(at: path)
        let stored = try await other.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM responseEvent")! }
        #expect(stored == 500)
    }

    @Test("a batch that cannot be stored fails alone, not the batches committed with it")
    func badBatchIsolated() async throws {
        let (db, exam, slips, _) = try Self.prepared()
        let good = try db.startAttempt(exam: exam, sbd: slips[5].sbd, now: Self.at(0))
        let writer = IngestionWriter(database: db)
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for sequence in 1...40 {
                group.addTask {
                    do {
                        // Attempt 999999 does not exist: its foreign key fails.
                        let attempt: Int64 = sequence % 10 == 0 ? 999_999 : good.attemptID
                        try await writer.write(attemptID: attempt, events: [ResponseEvent(sequence: sequence, item: "I.1", value: .text("A"))])
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
        let view = try db.startAttempt(exam: exam, sbd: slips[3].sbd, now: Self.at(0))
        let paper = try db.paper(exam: exam, code: view.paperCode)
        let writer = IngestionWriter(database: db)
        // Right answers to the whole of Phần I, nothing else.
        let part1 = paper.parts[0].items
        try await writer.write(attemptID: view.attemptID, events: part1.enumerated().map { ResponseEvent(sequence: $0.offset + 1, item: $0.element.key, value: .text($0.element.question.keyText)) })
        let score = try db.submitAttempt(view.attemptID, now: Self.at(1200))
        #expect(score.total == Points(hundredths: 25 * part1.count))
        #expect(throws: StoreError.self) { try db.submitAttempt(view.attemptID, now: Self.at(1201)) }
        let other = try db.startAttempt(exam: exam, sbd: slips[4].sbd, now: Self.at(5))
        #expect(try db.autoSubmitExpired(now: Self.at(3030)) == 0)
        #expect(try db.autoSubmitExpired(now: Self.at(3031)) == 1)
        let row = try await db.writer.read { try Row.fetchOne($0, sql: "SELECT state, autoSubmitted, scoreHundredths FROM attempt WHERE id = ?", arguments: [other.attemptID])! }
        #expect(row["state"] as String == "submitted" && row["autoSubmitted"] as Bool && row["scoreHundredths"] as Int == 0)
    }

    @Test("a batch that reaches the writer after the submit is refused (not acknowledged, not stored); its group-mates are stored")
    func eventsAfterSubmit() async throws {
        let (db, exam, slips, _) = try Self.prepared()
        let done = try db.startAttempt(exam: exam, sbd: slips[5].sbd, now: Self.at(0))
        let open = try db.startAttempt(exam: exam, sbd: slips[6].sbd, now: Self.at(0))
        let writer = IngestionWriter(database: db)
        let papers = PaperCache()
        _ = try await writer.perform { db in try AppDatabase.submit(db, attemptID: done.attemptID, now: Self.at(60), automatic: false, papers: papers) }
        let late = Task { try await writer.write(attemptID: done.attemptID, events: [ResponseEvent(sequence: 1, item: "I.1", value: .text("A"))]) }
        let fine = Task { try await writer.write(attemptID: open.attemptID, events: [ResponseEvent(sequence: 1, item: "I.1", value: .text("A"))]) }
        await #expect(throws: StoreError.self) { try await late.value }
        try await fine.value
        let stored = try await db.writer.read { try Int.fetchAll($0, sql: "SELECT attemptId FROM responseEvent").map(Int64.init) }
        #expect(stored == [open.attemptID])
    }
}
