import PostgresTesting
import BankFormats
import ExamCore
import Foundation
import GRDB
import Testing
@testable import ExamStore

@Suite("Authoring: owners and shares, identity, the editor, bulk changes, blueprints, print sets, audit")
struct AuthoringTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let lan = Actor(username: "lan", isAdmin: false)
    static let minh = Actor(username: "minh", isAdmin: false)
    static let admin = Actor(username: "admin", isAdmin: true)

    /// A database with three staff and the 44-question sample bank imported by `lan` as "Toán".
    static func setUp() async throws -> (AppDatabase, Store) {
        let db = try TestEngine.database()
        for (name, role) in [("lan", StaffRole.teacher), ("minh", .teacher), ("admin", .admin)] {
            try db.saveStaff(username: name, fullName: name, role: role, password: "mật-khẩu-\(name)", now: now)
        }
        let store = db.makeStore(now: { now })
        _ = try await store.banks.importBank(ImportedBank(bank: try BankStoreTests.sampleBank()), bank: "Toán", partial: false, by: lan, now: now, progress: nil)
        return (db, store)
    }

    static func aiken(_ text: String, file: String) throws -> ImportedBank {
        try AikenFormat.read(Data(text.utf8), context: ImportContext(fileName: file, defaults: QuestionDefaults(subject: "Toán")))
    }

    @Test("a new bank is its importer's and private; others do not see it until it is shared; read-only shares cannot edit; admins can")
    func access() async throws {
        let (_, store) = try await Self.setUp()
        #expect(try await store.banks.banks(for: Self.lan).map(\.name) == ["Toán"])
        #expect(try await store.banks.banks(for: Self.lan)[0].access == .owner)
        #expect(try await store.banks.banks(for: Self.minh).isEmpty)
        #expect(try await store.banks.banks(for: Self.admin)[0].access == .owner)
        let hidden = await #expect(throws: StoreError.self) { _ = try await store.banks.browse(BrowseQuery(bank: "Toán"), by: Self.minh) }
        #expect(hidden?.code == .notFound, "a private bank is not even named to others")
        let notOwner = await #expect(throws: StoreError.self) {
            _ = try await store.banks.updateBank(name: "Toán", visibility: .school, shares: nil, by: Self.minh, now: Self.now)
        }
        #expect(notOwner?.code == .notFound)

        _ = try await store.banks.updateBank(name: "Toán", visibility: nil, shares: [BankShare(username: "minh", access: .read)], by: Self.lan, now: Self.now)
        #expect(try await store.banks.browse(BrowseQuery(bank: "Toán"), by: Self.minh).total == 44)
        let page = try await store.banks.browse(BrowseQuery(bank: "Toán", pageSize: 1), by: Self.minh)
        let question = page.rows[0].question
        let readOnly = await #expect(throws: StoreError.self) {
            _ = try await store.banks.save(question: question, bank: "Toán", baseRevision: 1, media: [:], by: Self.minh, now: Self.now)
        }
        #expect(readOnly?.code == .forbidden)

        _ = try await store.banks.updateBank(name: "Toán", visibility: nil, shares: [BankShare(username: "minh", access: .edit)], by: Self.lan, now: Self.now)
        var edited = question
        edited.stem += " (minh)"
        #expect(try await store.banks.save(question: edited, bank: "Toán", baseRevision: 1, media: [:], by: Self.minh, now: Self.now).revision == 2)

        let unknown = await #expect(throws: StoreError.self) {
            _ = try await store.banks.updateBank(name: "Toán", visibility: nil, shares: [BankShare(username: "ai-đó", access: .read)], by: Self.lan, now: Self.now)
        }
        #expect(unknown?.field == "shares")
        _ = try await store.banks.updateBank(name: "Toán", visibility: .school, shares: [], by: Self.lan, now: Self.now)
        #expect(try await store.banks.banks(for: Self.minh)[0].access == .read, "the school reads it; the edit share is gone")
    }

    @Test("the same questions under another file name, or from an older export with other ids, add nothing; a plain file keeps the bank's classification")
    func identity() async throws {
        let (db, store) = try await Self.setUp()
        let text = "Câu hỏi về đạo hàm?\nA. 1\nB. 2\nANSWER: B\n\nCâu hỏi khác?\nA. x\nB. y\nANSWER: A\n"
        let first = try await store.banks.importBank(try Self.aiken(text, file: "de-1.txt"), bank: "Toán", partial: false, by: Self.lan, now: Self.now, progress: nil)
        #expect(first.added == 2)
        let renamed = try await store.banks.importBank(try Self.aiken(text, file: "ban-sao (2).txt"), bank: "Toán", partial: false, by: Self.lan, now: Self.now, progress: nil)
        #expect(renamed.added == 0 && renamed.unchanged == 2)

        // Classify one, then import the plain file again: the classification stays.
        let id = try Self.aiken(text, file: "x.txt").bank.questions[0].id
        let result = try await store.banks.bulk(bank: "Toán", ids: [id], action: .classify(subject: nil, topic: "Đạo hàm", lesson: nil, level: .comprehension),
                                                by: Self.lan, now: Self.now)
        #expect(result.changed == 1 && result.stillUnclassified == 0)
        let again = try await store.banks.importBank(try Self.aiken(text, file: "de-1.txt"), bank: "Toán", partial: false, by: Self.lan, now: Self.now, progress: nil)
        #expect(again.unchanged == 2 && again.revised == 0)
        let detail = try await store.banks.detail(bank: "Toán", id: id, by: Self.lan)
        #expect(detail.question.topic == "Đạo hàm" && !detail.question.unclassified && detail.question.level == .comprehension)

        // A question stored under an id from an older export (file-name prefix) is found by its content.
        try await db.writer.write { db in try db.execute(sql: "UPDATE question SET externalId = 'de-1-abc' WHERE externalId = ?", arguments: [id]) }
        let legacy = try await store.banks.importBank(try Self.aiken(text, file: "de-1.txt"), bank: "Toán", partial: false, by: Self.lan, now: Self.now, progress: nil)
        #expect(legacy.added == 0, "matched by content identity")

        // The same question from a format that numbers its options otherwise (o1, o2) is not an edit.
        let renumbered = Question(id: "khac", subject: "Toán", topic: "Đạo hàm", level: .comprehension, points: Points(hundredths: 25), stem: "Câu hỏi về đạo hàm?",
                                  body: .singleChoice(SingleChoice(options: [.init(id: "o1", text: "1"), .init(id: "o2", text: "2")], answer: "o2")))
        let same = try await store.banks.importBank(ImportedBank(bank: QuestionBank(name: "Toán", questions: [renumbered])), bank: "Toán", partial: false,
                                                    by: Self.lan, now: Self.now, progress: nil)
        #expect(same.unchanged == 1 && same.revised == 0 && same.added == 0)

        // A fixed key in the file revises the question instead of adding a second copy.
        let fixed = try await store.banks.importBank(try Self.aiken(text.replacingOccurrences(of: "ANSWER: B", with: "ANSWER: A"), file: "de-2.txt"),
                                                     bank: "Toán", partial: false, by: Self.lan, now: Self.now, progress: nil)
        #expect(fixed.added == 0 && fixed.revised == 1)
        let audit = try await store.audit.entries(AuditQuery(action: "question.import"))
        #expect(audit.first?.subject == "question:Toán/de-1-abc")
        #expect(audit.first?.details?.contains("\"key\"") == true, "the key change is named")
    }

    @Test("a dry run tells new, changed and unchanged and writes nothing")
    func plan() async throws {
        let (_, store) = try await Self.setUp()
        var bank = try BankStoreTests.sampleBank()
        bank.questions[0].stem += " (sửa)"
        bank.questions.append(Question(id: "moi-1", subject: "Toán", topic: "Mới", level: .recognition, points: Points(hundredths: 25), stem: "Câu mới",
                                       body: .singleChoice(SingleChoice(options: [.init(id: "a", text: "1"), .init(id: "b", text: "2")], answer: "a"))))
        let plan = try await store.banks.planImport(ImportedBank(bank: bank), bank: "Toán", by: Self.lan)
        #expect(plan.added == 1 && plan.revised == 1 && plan.unchanged == 43 && plan.bankExists)
        #expect(plan.entries.first { $0.status == .changed }?.changes.map(\.field) == ["stem"])
        #expect(try await store.banks.browse(BrowseQuery(bank: "Toán"), by: Self.lan).total == 44)
        let refused = await #expect(throws: StoreError.self) { _ = try await store.banks.planImport(ImportedBank(bank: bank), bank: "Toán", by: Self.minh) }
        #expect(refused?.code == .notFound)
    }

    @Test("the editor: a new question gets a content id; a stale base revision is refused; unchanged saves make no revision; restore makes a new one; all audited")
    func editor() async throws {
        let (_, store) = try await Self.setUp()
        let draft = Question(id: "", subject: "Toán", topic: "Hàm số", level: .comprehension, points: Points(hundredths: 25), stem: "$f(x) = x^2$, $f'(1)$ bằng",
                             body: .singleChoice(SingleChoice(options: [.init(id: "a", text: "1"), .init(id: "b", text: "2")], answer: "b")))
        let created = try await store.banks.save(question: draft, bank: "Toán", baseRevision: nil, media: [:], by: Self.lan, now: Self.now)
        #expect(created.id.hasPrefix("q-") && created.revision == 1)
        let duplicate = await #expect(throws: StoreError.self) {
            _ = try await store.banks.save(question: draft, bank: "Toán", baseRevision: nil, media: [:], by: Self.lan, now: Self.now)
        }
        #expect(duplicate?.code == .exists)

        var edited = draft
        edited.id = created.id
        edited.stem = "$f(x) = x^3$, $f'(1)$ bằng"
        edited.body = .singleChoice(SingleChoice(options: [.init(id: "a", text: "3"), .init(id: "b", text: "2")], answer: "a"))
        let second = try await store.banks.save(question: edited, bank: "Toán", baseRevision: 1, media: [:], by: Self.lan, now: Self.now)
        #expect(second.revision == 2 && Set(second.changes.map(\.field)).isSuperset(of: ["stem", "option A", "key"]))
        let stale = await #expect(throws: StoreError.self) {
            _ = try await store.banks.save(question: edited, bank: "Toán", baseRevision: 1, media: [:], by: Self.lan, now: Self.now)
        }
        #expect(stale?.code == .staleRevision)
        #expect(try await store.banks.save(question: edited, bank: "Toán", baseRevision: 2, media: [:], by: Self.lan, now: Self.now).changed == false)

        var broken = edited
        broken.body = .singleChoice(SingleChoice(options: [.init(id: "a", text: "3")], answer: "a"))
        let invalid = await #expect(throws: StoreError.self) {
            _ = try await store.banks.save(question: broken, bank: "Toán", baseRevision: 2, media: [:], by: Self.lan, now: Self.now)
        }
        #expect(invalid?.code == .invalid && invalid?.problems.isEmpty == false)

        let restored = try await store.banks.restore(bank: "Toán", id: created.id, revision: 1, baseRevision: 2, by: Self.lan, now: Self.now)
        #expect(restored.revision == 3)
        let detail = try await store.banks.detail(bank: "Toán", id: created.id, by: Self.lan)
        #expect(detail.question.stem == draft.stem && detail.currentRevision == 3)
        #expect(detail.revisions.map(\.createdBy) == ["lan", "lan", "lan"])
        #expect(detail.revisions[1].changes.contains { $0.field == "key" && $0.before == "B" && $0.after == "A" })

        let audit = try await store.audit.entries(AuditQuery(subject: "question:Toán/\(created.id)"))
        #expect(audit.map(\.action) == ["question.restore", "question.edit", "question.create"])
        #expect(audit[1].details?.contains("\"from\":1") == true && audit[1].details?.contains("\"to\":2") == true)
        #expect(audit[1].details?.contains("\"keyPointsOrText\":true") == true)
    }

    @Test("images: stored once by SHA-256, only real images, and a question may only name stored ones")
    func images() async throws {
        let (_, store) = try await Self.setUp()
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0, count: 32))
        let (sha, type) = try await store.banks.storeImage(png)
        #expect(type == "image/png" && sha.count == 64)
        #expect(try await store.banks.storeImage(png).sha256 == sha)
        await #expect(throws: StoreError.self) { _ = try await store.banks.storeImage(Data("<svg onload=alert(1)>".utf8)) }
        var question = Question(id: "", subject: "Toán", topic: "Hình", level: .recognition, points: Points(hundredths: 25), stem: "Hình bên ![hình](h1.png) là",
                                body: .singleChoice(SingleChoice(options: [.init(id: "a", text: "tròn"), .init(id: "b", text: "vuông")], answer: "a")))
        let saved = try await store.banks.save(question: question, bank: "Toán", baseRevision: nil, media: ["h1.png": sha], by: Self.lan, now: Self.now)
        #expect(try await store.banks.detail(bank: "Toán", id: saved.id, by: Self.lan).media == ["h1.png": sha])
        question.stem += " (2)"
        let missing = await #expect(throws: StoreError.self) {
            _ = try await store.banks.save(question: question, bank: "Toán", baseRevision: nil, media: ["h1.png": String(repeating: "0", count: 64)], by: Self.lan, now: Self.now)
        }
        #expect(missing?.field == "media")
    }

    @Test("the browser: filters, search without diacritics, pages and totals, unclassified and used filters, facets")
    func browse() async throws {
        let (_, store) = try await Self.setUp()
        let all = try await store.banks.browse(BrowseQuery(bank: "Toán", pageSize: 10), by: Self.lan)
        #expect(all.total == 44 && all.rows.count == 10)
        let last = try await store.banks.browse(BrowseQuery(bank: "Toán", page: 5, pageSize: 10), by: Self.lan)
        #expect(last.rows.count == 4)
        let facets = try await store.banks.facets(bank: "Toán", by: Self.lan)
        let topic = try #require(facets.topics.first)
        #expect(try await store.banks.browse(BrowseQuery(bank: "Toán", topic: topic.value), by: Self.lan).total == topic.count)
        let level = try #require(facets.levels.first)
        #expect(try await store.banks.browse(BrowseQuery(bank: "Toán", level: Level(rawValue: level.value)), by: Self.lan).total == level.count)
        let stem = all.rows[0].question.stem
        let word = TextFolding.fold(stem).split(separator: " ").first { $0.count > 4 && $0.allSatisfy(\.isLetter) }.map(String.init) ?? "ham"
        #expect(try await store.banks.browse(BrowseQuery(bank: "Toán", text: word), by: Self.lan).total >= 1)
        _ = try await store.banks.importBank(try Self.aiken("Chưa phân loại?\nA. 1\nB. 2\nANSWER: A\n", file: "x.txt"), bank: "Toán", partial: false, by: Self.lan, now: Self.now, progress: nil)
        #expect(try await store.banks.browse(BrowseQuery(bank: "Toán", unclassified: true), by: Self.lan).total == 1)
        #expect(try await store.banks.facets(bank: "Toán", by: Self.lan).unclassified == 1)
        #expect(try await store.banks.browse(BrowseQuery(bank: "Toán", used: true), by: Self.lan).total == 0)
        let tooBig = await #expect(throws: StoreError.self) { _ = try await store.banks.browse(BrowseQuery(bank: "Toán", pageSize: 5000), by: Self.lan) }
        #expect(tooBig?.field == "pageSize")
    }

    @Test("the browser's filters follow the current revision: an edit, a restore, a bulk classify and a tag")
    func browseFollowsRevisions() async throws {
        let (_, store) = try await Self.setUp()
        func count(topic: String? = nil, level: Level? = nil, unclassified: Bool? = nil, tag: String? = nil) async throws -> Int {
            try await store.banks.browse(BrowseQuery(bank: "Toán", topic: topic, level: level, tag: tag, unclassified: unclassified), by: Self.lan).total
        }
        let draft = Question(id: "", subject: "Toán", topic: "Chủ đề mới", level: .comprehension, points: Points(hundredths: 25), stem: "Câu để lọc",
                             body: .singleChoice(SingleChoice(options: [.init(id: "a", text: "1"), .init(id: "b", text: "2")], answer: "b")))
        let created = try await store.banks.save(question: draft, bank: "Toán", baseRevision: nil, media: [:], by: Self.lan, now: Self.now)
        #expect(try await count(topic: "Chủ đề mới") == 1)
        var moved = draft
        moved.id = created.id
        moved.topic = "Chủ đề khác"
        _ = try await store.banks.save(question: moved, bank: "Toán", baseRevision: 1, media: [:], by: Self.lan, now: Self.now)
        #expect(try await count(topic: "Chủ đề mới") == 0)
        #expect(try await count(topic: "Chủ đề khác") == 1)
        _ = try await store.banks.restore(bank: "Toán", id: created.id, revision: 1, baseRevision: 2, by: Self.lan, now: Self.now)
        #expect(try await count(topic: "Chủ đề mới") == 1)
        #expect(try await count(topic: "Chủ đề khác") == 0)

        _ = try await store.banks.importBank(try Self.aiken("Chưa phân loại?\nA. 1\nB. 2\nANSWER: A\n", file: "x.txt"), bank: "Toán", partial: false, by: Self.lan, now: Self.now, progress: nil)
        let plain = try #require(try await store.banks.browse(BrowseQuery(bank: "Toán", unclassified: true), by: Self.lan).rows.first).question.id
        let before = try await count(level: .application)
        _ = try await store.banks.bulk(bank: "Toán", ids: [plain], action: .classify(subject: nil, topic: "Chủ đề mới", lesson: nil, level: .application), by: Self.lan, now: Self.now)
        #expect(try await count(unclassified: true) == 0)
        #expect(try await count(topic: "Chủ đề mới") == 2)
        #expect(try await count(level: .application) == before + 1)
        _ = try await store.banks.bulk(bank: "Toán", ids: [plain, created.id], action: .addTags(["ôn-tập"]), by: Self.lan, now: Self.now)
        #expect(try await count(tag: "ôn-tập") == 2)
        #expect(try await store.banks.facets(bank: "Toán", by: Self.lan).topics.first { $0.value == "Chủ đề mới" }?.count == 2)
    }

    @Test("a blueprint is checked cell by cell against a bank; unclassified questions never count; a print set uses questions, which then retire instead of going")
    func blueprintsAndPrint() async throws {
        let (_, store) = try await Self.setUp()
        var blueprint = try JSONDecoder().decode(Blueprint.self, from: Data(contentsOf: BankStoreTests.root.appendingPathComponent("QuestionBanks/samples/toan12-blueprint.json")))
        blueprint.name = "Ma trận Toán"
        #expect(try await store.blueprints.saveBlueprint(blueprint, originalName: nil, by: Self.lan, now: Self.now).isEmpty)
        let taken = await #expect(throws: StoreError.self) { _ = try await store.blueprints.saveBlueprint(blueprint, originalName: nil, by: Self.minh, now: Self.now) }
        #expect(taken?.code == .exists)
        let notYours = await #expect(throws: StoreError.self) {
            _ = try await store.blueprints.saveBlueprint(blueprint, originalName: "Ma trận Toán", by: Self.minh, now: Self.now)
        }
        #expect(notYours?.code == .forbidden)
        #expect(try await store.blueprints.blueprints(for: Self.minh).map(\.canEdit) == [false])

        let check = try await store.blueprints.check(blueprint, bank: "Toán", by: Self.lan)
        #expect(check.ready, "\(check.shortfalls) \(check.problems)")
        #expect(check.cells.allSatisfy { $0.available >= $0.wanted })
        var greedy = blueprint
        greedy.parts[0].rows[0].cells[0].count += 100
        let short = try await store.blueprints.check(greedy, bank: "Toán", by: Self.lan)
        #expect(!short.ready && short.shortfalls.count == 1 && short.problems.contains { $0.contains("tổng điểm") })

        let (paper, _) = try await store.blueprints.preview(blueprint, bank: "Toán", seed: 1, by: Self.lan)
        #expect(paper.items.count == blueprint.questionCount)

        let set = try await store.printSets.createPrintSet(PrintRequest(name: "Giữa kỳ", blueprint: "Ma trận Toán", bank: "Toán",
                                                                        mode: .codes(["101", "102", "103", "104"]), seed: 5, school: "THPT Chu Văn An"),
                                                           by: Self.lan, now: Self.now, progress: nil)
        #expect(set.papers == 4)
        let full = try await store.printSets.printSet(id: set.id, for: Self.lan, coordinator: false)
        #expect(full.papers.map(\.code) == ["101", "102", "103", "104"])
        let hidden = await #expect(throws: StoreError.self) { _ = try await store.printSets.printSet(id: set.id, for: Self.minh, coordinator: false) }
        #expect(hidden?.code == .notFound, "a print set holds keys: its maker's")
        #expect(try await store.printSets.printSet(id: set.id, for: Self.minh, coordinator: true).papers.count == 4)

        let used = full.papers[0].items[0].question.id
        let unused = try await store.banks.browse(BrowseQuery(bank: "Toán", used: false, pageSize: 1), by: Self.lan).rows[0].question.id
        let result = try await store.banks.bulk(bank: "Toán", ids: [used, unused], action: .delete, by: Self.lan, now: Self.now)
        #expect(result.retired == 1 && result.deleted == 1)
        #expect(try await store.banks.browse(BrowseQuery(bank: "Toán", retired: true), by: Self.lan).rows.map(\.question.id) == [used])
        #expect(try await store.banks.detail(bank: "Toán", id: used, by: Self.lan).uses >= 1)
        _ = try await store.banks.bulk(bank: "Toán", ids: [used], action: .restore, by: Self.lan, now: Self.now)
        #expect(try await store.banks.browse(BrowseQuery(bank: "Toán"), by: Self.lan).total == 43)
    }

    @Test("move and copy between banks: both must be editable; the same question twice is skipped")
    func moveAndCopy() async throws {
        let (_, store) = try await Self.setUp()
        _ = try await store.banks.createBank(name: "Ôn tập", subject: "Toán", visibility: .private, by: Self.lan, now: Self.now)
        let ids = try await store.banks.browse(BrowseQuery(bank: "Toán", pageSize: 3), by: Self.lan).rows.map(\.question.id)
        let copied = try await store.banks.bulk(bank: "Toán", ids: ids, action: .copy(toBank: "Ôn tập"), by: Self.lan, now: Self.now)
        #expect(copied.copied == 3)
        let again = try await store.banks.bulk(bank: "Toán", ids: ids, action: .copy(toBank: "Ôn tập"), by: Self.lan, now: Self.now)
        #expect(again.copied == 0 && again.skipped.count == 3)
        let moved = try await store.banks.bulk(bank: "Toán", ids: [ids[0]], action: .move(toBank: "Ôn tập"), by: Self.lan, now: Self.now)
        #expect(moved.moved == 0 && moved.skipped.count == 1, "its copy is there already")
        _ = try await store.banks.createBank(name: "Của Minh", subject: "Toán", visibility: .school, by: Self.minh, now: Self.now)
        let refused = await #expect(throws: StoreError.self) {
            _ = try await store.banks.bulk(bank: "Toán", ids: ids, action: .move(toBank: "Của Minh"), by: Self.lan, now: Self.now)
        }
        #expect(refused?.code == .forbidden, "lan reads Minh's school bank but may not add to it")
    }
}
