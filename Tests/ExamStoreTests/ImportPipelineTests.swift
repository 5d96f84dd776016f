import PostgresTesting
import BankFormats
import ExamCore
import Foundation
import Testing
@testable import ExamStore

/// Whole import paths: file → reader → database → exporter → reader → database.
@Suite("Import and export through the database")
struct ImportPipelineTests {
    static let fixtures = BankStoreTests.root.appendingPathComponent("Tests/Fixtures")
    static let banks = BankStoreTests.root.appendingPathComponent("QuestionBanks")

    @Test("native → DB → QTI package → DB gives equal questions, with images", arguments: ["toan-12", "vat-li-12", "lich-su-12", "tieng-anh-12"])
    func qtiRoundTrip(subject: String) throws {
        let first = try TestEngine.database()
        let imported = try BankReaders.read(Self.banks.appendingPathComponent("\(subject)/\(subject).yaml"))
        #expect(imported.problems.isEmpty)
        _ = try first.importBank(imported)
        let stored = try first.loadBank(named: imported.bank.name)
        let (package, skipped) = try QTIFormat.writePackage(stored, media: try first.media(forBank: stored.name))
        #expect(skipped.isEmpty)
        let back = try QTIFormat.read(package, context: ImportContext(fileName: "\(subject).zip"))
        #expect(back.problems.isEmpty, "\(back.problems)")
        let second = try TestEngine.database()
        _ = try second.importBank(back, bankName: stored.name)
        let again = try second.loadBank(named: stored.name)
        #expect(again.questions == stored.questions)
        #expect(again.groups == stored.groups)
        #expect(try second.media(forBank: stored.name).map(\.sha256) == first.media(forBank: stored.name).map(\.sha256))
    }

    @Test("native → DB → GIFT → DB gives equal questions for what GIFT holds")
    func giftRoundTrip() throws {
        let first = try TestEngine.database()
        let imported = try BankReaders.read(Self.banks.appendingPathComponent("lich-su-12/lich-su-12.yaml"))
        _ = try first.importBank(imported)
        let stored = try first.loadBank(named: imported.bank.name)
        let (text, skipped) = GIFTFormat.write(stored)
        #expect(skipped.count == stored.questions.filter { $0.kind == .trueFalse }.count, "GIFT has no true/false clusters")
        let back = try GIFTFormat.read(Data(text.utf8), context: ImportContext(fileName: "ls.gift"))
        #expect(back.problems.isEmpty, "\(back.problems)")
        let second = try TestEngine.database()
        _ = try second.importBank(back, bankName: stored.name)
        let again = try second.loadBank(named: stored.name)
        #expect(again.questions == stored.questions.filter { $0.kind != .trueFalse })
    }

    @Test("every sample bank is valid and holds two papers of its blueprint with no question in common",
          arguments: ["toan-12", "vat-li-12", "lich-su-12", "tieng-anh-12"])
    func sampleBanks(subject: String) throws {
        let imported = try BankReaders.read(Self.banks.appendingPathComponent("\(subject)/\(subject).yaml"))
        #expect(imported.problems.isEmpty, "\(imported.problems)")
        let blueprint = try JSONDecoder().decode(Blueprint.self, from: Data(contentsOf: Self.banks.appendingPathComponent("\(subject)/blueprint.json")))
        try blueprint.validate()
        #expect(blueprint.template != nil)
        let papers = try PaperGenerator(blueprint: blueprint, bank: imported.bank).generate(PaperRequest(mode: .codes(["101", "102"]), seed: 1, overlapCap: 0))
        #expect(Set(papers[0].items.map(\.question.id)).isDisjoint(with: papers[1].items.map(\.question.id)))
        #expect(imported.bank.questions.allSatisfy { $0.explanation != nil || $0.groupID != nil }, "worked solutions")
    }

    @Test("the sample banks hold at least 300 questions, every level, and images")
    func sampleTotals() throws {
        var total = 0
        var levels = Set<Level>()
        var images = 0
        for subject in ["toan-12", "vat-li-12", "lich-su-12", "tieng-anh-12"] {
            let imported = try BankReaders.read(Self.banks.appendingPathComponent("\(subject)/\(subject).yaml"))
            total += imported.bank.questions.count
            levels.formUnion(imported.bank.questions.map { $0.level.on(.three) })
            images += imported.media.count
        }
        #expect(total >= 300)
        #expect(levels == [.recognition, .comprehension, .application])
        #expect(images >= 3)
    }

    @Test("small fixtures of every format import", arguments: [
        ("formats/dia-li.gift", 3), ("formats/aiken-lichsu.txt", 2), ("formats/hoa-hoc.csv", 3), ("formats/qti-item.xml", 1),
        ("formats/azota-toan.txt", 7), ("formats/azota-vatli.docx", 4), ("formats/lichsu-excel.xlsx", 2), ("formats/sinhhoc-moodle.xml", 5),
    ])
    func fixtures(path: String, questions: Int) throws {
        let defaults = QuestionDefaults(subject: "Tổng hợp", grade: 12, topic: "Chung", level: .recognition)
        let read = try BankReaders.read(Self.fixtures.appendingPathComponent(path), defaults: defaults)
        #expect(read.bank.questions.count == questions, "\(read.problems)")
        let db = try TestEngine.database()
        _ = try db.importBank(read, partial: true)
        #expect(try db.banks().first?.questions == questions)
    }

    @Test("every malformed fixture: a clear error with its place, and the database unchanged", arguments: [
        ("bad-level.yaml", "bad-level.yaml:6"), ("not-yaml.yaml", "not-yaml.yaml:"), ("unclosed.gift", "unclosed.gift:1"),
        ("no-answer.txt", "no-answer.txt:1"), ("bad-key.csv", "bad-key.csv:2 (Đáp án)"), ("entities.xml", "entities.xml"),
        ("azota-no-key.txt", "azota-no-key.txt:1"), ("bomb.docx", "bomb.docx"), ("escape.xlsx", "escape.xlsx"),
        ("points-combining-mark.yaml", "points-combining-mark.yaml:7"), ("azota-combining-mark.txt", "azota-combining-mark.txt:"),
    ])
    func malformed(file: String, place: String) throws {
        let db = try TestEngine.database()
        _ = try db.importBank(ImportedBank(bank: try BankStoreTests.sampleBank()))
        let before = try db.banks()
        let defaults = QuestionDefaults(subject: "Toán", topic: "T", level: .recognition)
        let url = Self.fixtures.appendingPathComponent("malformed/\(file)")
        do {
            let read = try BankReaders.read(url, format: file == "no-answer.txt" ? .aiken : file.hasPrefix("azota") ? .azota : nil, defaults: defaults)
            #expect(!read.problems.isEmpty)
            #expect(read.problems.contains { $0.place.hasPrefix(place) }, "\(read.problems)")
            #expect(throws: StoreError.self) { try db.importBank(read) }
        } catch let error as BankFormatError {
            #expect(error.place.hasPrefix(place), "\(error)")
        }
        #expect(try db.banks() == before)
        #expect(try db.check().isEmpty)
    }

    @Test("a file over the size limit is refused before it is read")
    func tooLarge() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("huge-\(UUID().uuidString).yaml")
        FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: UInt64(ImportLimits.maximumFileBytes + 1))
        try handle.close()
        defer { try? FileManager.default.removeItem(at: url) }
        let error = try #require(throws: BankFormatError.self) { try BankReaders.read(url) }
        #expect(error.code == .tooLarge)
    }
}
