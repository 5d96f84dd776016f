import PostgresTesting
import BankFormats
import ExamCore
import Foundation
import GRDB
import Testing
@testable import ExamStore

@Suite("Exams: creation, candidates, preparation, access codes")
struct ExamStoreTests {
    static let banks = BankStoreTests.root.appendingPathComponent("QuestionBanks")

    static func setUp(mode: ExamDefinition.PaperMode = .codes, codes: Int = 4, rooms: [String] = ["P101", "P102"]) throws -> (AppDatabase, ExamDefinition) {
        let db = try TestEngine.database()
        _ = try db.importBank(try BankReaders.read(banks.appendingPathComponent("vat-li-12/vat-li-12.yaml")))
        let blueprint = try JSONDecoder().decode(Blueprint.self, from: Data(contentsOf: banks.appendingPathComponent("vat-li-12/blueprint.json")))
        let opens = Date(timeIntervalSince1970: 1_800_000_000)
        let definition = ExamDefinition(name: "Giữa kỳ I", bank: "Vật lí 12", blueprint: blueprint, paperMode: mode, codeCount: codes, seed: 7,
                                        sessions: [.init(name: "Ca 1", timing: SessionTiming(opensAt: opens, durationSeconds: 3000))], rooms: rooms)
        try db.createExam(definition)
        let roster = try RosterFormat.read(banks.appendingPathComponent("samples/danh-sach-12A.csv"))
        #expect(roster.problems.isEmpty)
        _ = try db.importCandidates(exam: definition.name, entries: roster.entries)
        return (db, definition)
    }

    @Test("an exam whose bank cannot fill its blueprint is refused with every short cell")
    func infeasible() throws {
        let db = try TestEngine.database()
        _ = try db.importBank(try BankReaders.read(Self.banks.appendingPathComponent("vat-li-12/vat-li-12.yaml")))
        var blueprint = try JSONDecoder().decode(Blueprint.self, from: Data(contentsOf: Self.banks.appendingPathComponent("vat-li-12/blueprint.json")))
        blueprint.parts[0].rows[0].cells[0].count = 30
        blueprint.template = nil
        blueprint.maxScore = blueprint.totalPoints
        let error = try #require(throws: ExamCoreError.self) {
            try db.createExam(ExamDefinition(name: "x", bank: "Vật lí 12", blueprint: blueprint, seed: 1,
                                             sessions: [.init(name: "Ca 1", timing: SessionTiming(opensAt: Date(), durationSeconds: 60))], rooms: ["P1"]))
        }
        #expect(error.code == .infeasible)
        #expect(try db.examNames().isEmpty)
    }

    @Test("prepare: numbers, rooms, codes that differ between neighbours, papers pointing at revisions")
    func prepare() throws {
        let (db, definition) = try Self.setUp()
        let slips = try db.prepareExam(definition.name)
        #expect(slips.count == 40)
        #expect(slips.map(\.sbd) == (1...40).map { String(format: "%04d", $0) })
        #expect(Dictionary(grouping: slips, by: \.room).mapValues(\.count) == ["P101": 20, "P102": 20])
        for room in ["P101", "P102"] {
            let seats = slips.filter { $0.room == room }
            for (a, b) in zip(seats, seats.dropFirst()) { #expect(a.paperCode != b.paperCode, "neighbours \(a.sbd) and \(b.sbd)") }
        }
        #expect(Set(slips.map(\.accessCode)).count == 40)
        #expect(slips.allSatisfy { $0.accessCode.count == 8 && !$0.accessCode.contains("0") && !$0.accessCode.contains("O") })
        // Within a class, by given name then family name.
        let class12A1 = slips.filter { $0.className == "12A1" }.map(\.fullName)
        #expect(class12A1 == VietnameseCollation.sortedNames(class12A1))
        let status = try db.examStatus(definition.name)
        #expect(status.state == "prepared" && status.papers == 4 && status.candidates == 40)
        // Every paper item points at the revision it used.
        let items = try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM paperItem")! }
        #expect(items == 4 * 28)
        #expect(throws: StoreError.self) { try db.prepareExam(definition.name) }
        #expect(throws: StoreError.self) { try db.importCandidates(exam: definition.name, entries: [RosterEntry(studentID: "X", fullName: "Y")]) }
    }

    @Test("access codes: only a keyed hash is stored; the right code works, wrong or old ones do not")
    func accessCodes() throws {
        let (db, definition) = try Self.setUp()
        let slips = try db.prepareExam(definition.name)
        let first = slips[0]
        #expect(try db.verifyAccessCode(exam: definition.name, sbd: first.sbd, code: first.accessCode))
        #expect(try db.verifyAccessCode(exam: definition.name, sbd: first.sbd, code: first.accessCode.lowercased()))
        #expect(try !db.verifyAccessCode(exam: definition.name, sbd: first.sbd, code: slips[1].accessCode))
        #expect(try !db.verifyAccessCode(exam: definition.name, sbd: "9999", code: first.accessCode))
        let stored = try db.writer.read { try String.fetchAll($0, sql: "SELECT accessCodeHash FROM candidate") }
        #expect(stored.allSatisfy { $0.count == 64 } && !stored.contains(first.accessCode))
        let reissued = try db.resetAccessCodes(exam: definition.name, room: "P101")
        #expect(reissued.count == 20)
        #expect(try !db.verifyAccessCode(exam: definition.name, sbd: first.sbd, code: first.accessCode), "the old code stops working")
        #expect(try db.verifyAccessCode(exam: definition.name, sbd: first.sbd, code: reissued[0].accessCode))
    }

    @Test("a paper keeps its questions when the bank is edited later")
    func papersDoNotChange() throws {
        let (db, definition) = try Self.setUp()
        let slips = try db.prepareExam(definition.name)
        let paper = try db.paper(exam: definition.name, code: slips[0].paperCode)
        var bank = try db.loadBank(named: "Vật lí 12")
        for index in bank.questions.indices { bank.questions[index].stem += " (sửa)" }
        #expect(try db.importBank(ImportedBank(bank: bank)).revised == bank.questions.count)
        #expect(try db.paper(exam: definition.name, code: slips[0].paperCode) == paper)
        let revisions = try db.writer.read { db in
            try Int.fetchAll(db, sql: "SELECT r.revision FROM paperItem i JOIN questionRevision r ON r.id = i.questionRevisionId")
        }
        #expect(revisions.allSatisfy { $0 == 1 }, "paper items still point at revision 1")
    }

    @Test("one paper per candidate, and the results sheet in SBD order")
    func paperPerCandidate() throws {
        let (db, definition) = try Self.setUp(mode: .candidates)
        let slips = try db.prepareExam(definition.name)
        #expect(Set(slips.map(\.paperCode)).count == 40)
        let results = try db.examResults(definition.name)
        #expect(results.map(\.sbd) == slips.map(\.sbd))
        #expect(results.allSatisfy { $0.score == nil && $0.paperCode != nil })
    }

    @Test("importing the class list again updates by student id")
    func reimport() throws {
        let (db, definition) = try Self.setUp()
        let roster = try RosterFormat.read(Self.banks.appendingPathComponent("samples/danh-sach-12A.csv"))
        let again = try db.importCandidates(exam: definition.name, entries: roster.entries)
        #expect(again.added == 0 && again.updated == 40)
    }
}

@Suite("Class lists")
struct RosterFormatTests {
    @Test("dates in the forms schools use", arguments: [
        ("05/09/2008", "2008-09-05"), ("5/9/2008", "2008-09-05"), ("2008-09-05", "2008-09-05"), ("05-09-2008", "2008-09-05"),
        ("39696", "2008-09-05"), ("31/02/2008", nil), ("12/13/2008", nil), ("hôm qua", nil),
    ] as [(String, String?)])
    func dates(text: String, iso: String?) {
        #expect(RosterFormat.isoDate(text) == iso)
    }

    @Test("every bad row is reported with its place; the good rows are kept")
    func problems() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ds-\(UUID().uuidString).csv")
        try Data("""
        Mã học sinh;Họ;Tên;Ngày sinh;Lớp
        HS1;Nguyễn Văn;An;01/01/2008;12A1
        ;Trần Thị;Bình;02/02/2008;12A1
        HS3;;;03/03/2008;12A1
        HS4;Lê;Chi;31/02/2008;12A1
        HS1;Phạm;Dũng;04/04/2008;12A1
        """.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let (entries, problems) = try RosterFormat.read(url)
        #expect(entries.map(\.fullName) == ["Nguyễn Văn An"])
        let text = problems.map(\.description)
        let name = url.lastPathComponent
        #expect(text.contains { $0.hasPrefix("\(name):3 (Mã học sinh): thiếu mã học sinh") })
        #expect(text.contains { $0.hasPrefix("\(name):4") && $0.contains("thiếu họ và tên") })
        #expect(text.contains { $0.hasPrefix("\(name):5 (Ngày sinh): ngày sinh \"31/02/2008\"") })
        #expect(text.contains { $0.hasPrefix("\(name):6 (Mã học sinh): mã học sinh \"HS1\" trùng với dòng 2") })
    }
}
