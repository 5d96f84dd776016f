import PostgresTesting
import BankFormats
import ExamCore
import Foundation
import GRDB
import Testing
@testable import ExamStore

@Suite("Bank storage")
struct BankStoreTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func sampleBank() throws -> QuestionBank {
        try JSONDecoder().decode(QuestionBank.self, from: Data(contentsOf: root.appendingPathComponent("QuestionBanks/samples/toan12.json")))
    }

    static func allKinds() throws -> ImportedBank {
        try BankReaders.read(root.appendingPathComponent("Tests/Fixtures/all-kinds.json"))
    }

    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("khaothi-store-\(UUID().uuidString)/db.sqlite").path
    }

    @Test("the file database is WAL with synchronous=FULL and foreign keys on")
    func pragmas() throws {
        let path = Self.temporaryPath()
        let db = try AppDatabase.open(at: path)
        let (synchronous, journal, foreignKeys) = try db.writer.sqlite!.writeWithoutTransaction { db in
            (try Int.fetchOne(db, sql: "PRAGMA synchronous"), try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA foreign_keys"))
        }
        #expect(synchronous == 2)
        #expect(journal == "wal")
        #expect(foreignKeys == 1)
    }

    @Test("import, re-import unchanged, then a changed question gets a new revision and the old one stays")
    func revisions() throws {
        let db = try TestEngine.database()
        var bank = try Self.sampleBank()
        let first = try db.importBank(ImportedBank(bank: bank))
        #expect(first.added == 44 && first.revised == 0 && first.unchanged == 0)
        let again = try db.importBank(ImportedBank(bank: bank))
        #expect(again.added == 0 && again.revised == 0 && again.unchanged == 44)

        bank.questions[0].stem += " (sửa)"
        let changed = try db.importBank(ImportedBank(bank: bank))
        #expect(changed.revised == 1 && changed.unchanged == 43)
        let stored = try db.question(id: bank.questions[0].id)
        #expect(stored.currentRevision == 2)
        #expect(stored.question.stem.hasSuffix("(sửa)"))
        #expect(stored.revisions.map(\.revision) == [1, 2])
        let old = try db.question(id: bank.questions[0].id, revision: 1)
        #expect(!old.question.stem.hasSuffix("(sửa)"))
        #expect(try db.banks().first?.revisions == 45)
    }

    @Test("a bank loads back equal to what went in (current revisions)")
    func loadBack() throws {
        let db = try TestEngine.database()
        let imported = try Self.allKinds()
        #expect(imported.problems.isEmpty)
        _ = try db.importBank(imported)
        let loaded = try db.loadBank(named: imported.bank.name)
        #expect(loaded.questions == imported.bank.questions)
        #expect(loaded.groups == imported.bank.groups)
    }

    @Test("search finds words with or without diacritics, and filters", arguments: [
        ("ham so", 9), ("hàm số", 9), ("HAM SO", 9), ("tich phan", 8), ("xac suat dieu kien", 5), ("đạo hàm", 4), ("zzz", 0),
    ])
    func search(text: String, atLeast: Int) throws {
        let db = try TestEngine.database()
        _ = try db.importBank(ImportedBank(bank: try Self.sampleBank()))
        let hits = try db.search(QuestionQuery(text: text, limit: 100))
        if atLeast == 0 { #expect(hits.isEmpty) } else { #expect(hits.count >= atLeast, "\(text): \(hits.count)") }
    }

    @Test("filters by kind, level, topic, tag combine")
    func filters() throws {
        let db = try TestEngine.database()
        _ = try db.importBank(ImportedBank(bank: try Self.sampleBank()))
        #expect(try db.search(QuestionQuery(kind: .trueFalse, limit: 100)).count == 8)
        #expect(try db.search(QuestionQuery(kind: .numeric, limit: 100)).count == 12)
        #expect(try db.search(QuestionQuery(topic: "Nguyên hàm và tích phân", level: .recognition, limit: 100)).count == 4)
        #expect(try db.search(QuestionQuery(text: "ham so", kind: .singleChoice, limit: 100)).allSatisfy { $0.kind == .singleChoice })
        _ = try db.importBank(try Self.allKinds())
        #expect(try db.search(QuestionQuery(tag: "tự luận")).map(\.id) == ["essay-1"])
        #expect(try db.search(QuestionQuery(text: "\" OR 1=1 --", limit: 5)).isEmpty)
    }

    @Test("a file with problems is refused whole and the database is unchanged; --partial takes the good ones")
    func refusal() throws {
        let db = try TestEngine.database()
        _ = try db.importBank(ImportedBank(bank: try Self.sampleBank()))
        let before = try db.banks()
        var bad = try Self.allKinds()
        bad.problems = [BankProblem(place: "x.yaml:3", "lỗi / broken")]
        bad.skipped = 1
        let error = try #require(throws: StoreError.self) { try db.importBank(bad) }
        #expect(error.code == .importRefused)
        #expect(error.problems == ["x.yaml:3: lỗi / broken"])
        #expect(try db.banks() == before)
        let summary = try db.importBank(bad, partial: true)
        #expect(summary.added == bad.bank.questions.count && summary.skipped == 1)
    }

    @Test("the schema refuses what the checks forbid, whatever the code does")
    func constraints() throws {
        let db = try TestEngine.database()
        #expect(throws: (any Error).self) {
            try db.writer.write { try $0.execute(sql: "INSERT INTO bank(name, createdAt, updatedAt) VALUES ('  ', '2026-01-01', '2026-01-01')") }
        }
        _ = try db.importBank(ImportedBank(bank: try Self.sampleBank()))
        #expect(throws: (any Error).self) {
            try db.writer.write { try $0.execute(sql: "UPDATE questionRevision SET level = 'rat-kho' WHERE id = 1") }
        }
        #expect(throws: (any Error).self) {
            try db.writer.write { try $0.execute(sql: "DELETE FROM question WHERE id = 1") }
        }
    }

    @Test("images are stored once by content and exported with the bank")
    func media() throws {
        let db = try TestEngine.database()
        let image = MediaFile(name: "images/cube.svg", data: Data("<svg/>".utf8))
        var bank = try Self.sampleBank()
        bank.questions[0].stem += " ![Hình](images/cube.svg)"
        bank.questions[1].stem += " ![Hình](images/cube.svg)"
        let summary = try db.importBank(ImportedBank(bank: bank, media: [image]))
        #expect(summary.mediaAdded == 1)
        #expect(try db.media(forBank: bank.name).map(\.name) == ["images/cube.svg"])
        #expect(try db.question(id: bank.questions[0].id).media == ["images/cube.svg": image.sha256])
        #expect(try db.mediaFile(sha256: image.sha256)?.mimeType == "image/svg+xml")
        #expect(try db.importBank(ImportedBank(bank: bank, media: [image])).mediaAdded == 0)
    }

    @Test("backup while open, check, restore into another file")
    func backupRestore() throws {
        let path = Self.temporaryPath()
        let db = try AppDatabase.open(at: path)
        _ = try db.importBank(ImportedBank(bank: try Self.sampleBank()))
        let backup = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("backup.sqlite").path
        try db.backup(to: backup)
        #expect(throws: StoreError.self) { try db.backup(to: backup) }
        #expect(try db.check().isEmpty)
        let restoredPath = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("restored.sqlite").path
        try AppDatabase.restore(from: backup, to: restoredPath)
        let restored = try AppDatabase.open(at: restoredPath)
        #expect(try restored.banks().map(\.questions) == [44])
        #expect(try restored.search(QuestionQuery(text: "ham so")).count > 0)

        let garbage = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("garbage.sqlite")
        try Data("not a database".utf8).write(to: garbage)
        #expect(throws: StoreError.self) { try AppDatabase.restore(from: garbage.path, to: restoredPath) }
        #expect(try AppDatabase.open(at: restoredPath).banks().map(\.questions) == [44], "a failed restore leaves the database as it was")
    }

    @Test("blueprints are checked, saved and read back")
    func blueprints() throws {
        let db = try TestEngine.database()
        let blueprint = try JSONDecoder().decode(Blueprint.self, from: Data(contentsOf: Self.root.appendingPathComponent("QuestionBanks/samples/toan12-blueprint.json")))
        try db.saveBlueprint(blueprint)
        try db.saveBlueprint(blueprint)
        #expect(try db.blueprint(named: blueprint.name) == blueprint)
        #expect(try db.blueprintNames() == [blueprint.name])
        var broken = blueprint
        broken.parts.removeLast()
        #expect(throws: ExamCoreError.self) { try db.saveBlueprint(broken) }
    }
}
