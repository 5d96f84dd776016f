import ExamCore
import Foundation
internal import GRDB

// Blueprints kept in the database (with their owner), checked against a bank cell by cell, previewed as one
// paper, and turned into print sets: K exam codes (or one paper per candidate) stored with their keys.

/// A bank as papers draw from it: its live questions (retired ones left out) with the row of each current
/// revision and the images each uses.
struct PaperBank {
    var bank: QuestionBank
    /// Question id → its current revision's row.
    var revisionIDs: [String: Int64]
    /// Revision row → (name in its text → SHA-256).
    var media: [Int64: [String: String]]

    /// Item key → (name → SHA-256) for a paper drawn from this bank.
    func media(of paper: Paper) -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        for item in paper.items {
            if let revision = revisionIDs[item.question.id], let names = media[revision], !names.isEmpty { result[item.key] = names }
        }
        return result
    }
}

extension AppDatabase {
    static func paperBank(_ db: SQLConnection, bankId: Int64, name: String) throws -> PaperBank {
        let rows = try SQLRow.fetchAll(db, sql: """
            SELECT q.externalId, r.id AS revisionId, r.content FROM question q
            JOIN questionRevision r ON r.questionId = q.id AND r.revision = q.currentRevision
            WHERE q.bankId = ? AND q.retired = 0 ORDER BY q.id
            """, arguments: [bankId])
        let decoder = JSONDecoder()
        var revisionIDs: [String: Int64] = [:]
        var questions: [Question] = []
        questions.reserveCapacity(rows.count)
        for row in rows {
            revisionIDs[row["externalId"]] = row["revisionId"]
            questions.append(try decoder.decode(Question.self, from: Data((row["content"] as String).utf8)))
        }
        let groups = try SQLRow.fetchAll(db, sql: """
            SELECT p.externalId, r.revision, r.text, r.shuffleQuestions FROM passage p
            JOIN passageRevision r ON r.passageId = p.id AND r.revision = p.currentRevision WHERE p.bankId = ? ORDER BY p.id
            """, arguments: [bankId]).map { QuestionGroup(id: $0["externalId"], revision: $0["revision"], passage: $0["text"], shuffleQuestions: $0["shuffleQuestions"]) }
        var media: [Int64: [String: String]] = [:]
        for row in try SQLRow.fetchAll(db, sql: """
            SELECT m.questionRevisionId, m.name, m.mediaSha256 FROM question q
            JOIN questionRevision r ON r.questionId = q.id AND r.revision = q.currentRevision
            JOIN questionRevisionMedia m ON m.questionRevisionId = r.id WHERE q.bankId = ? AND q.retired = 0
            """, arguments: [bankId]) {
            media[row["questionRevisionId"], default: [:]][row["name"]] = row["mediaSha256"]
        }
        return PaperBank(bank: QuestionBank(name: name, questions: questions, groups: groups), revisionIDs: revisionIDs, media: media)
    }

    // MARK: - blueprints

    static func canEdit(_ record: BlueprintRecord, _ actor: Actor) -> Bool {
        actor.isAdmin || (record.ownerUsername != nil && record.ownerUsername == actor.username)
    }

    static func blueprintSummaries(_ db: SQLConnection, actor: Actor) throws -> [BlueprintSummary] {
        let decoder = JSONDecoder()
        return try BlueprintRecord.fetchAll(db, sql: "SELECT * FROM blueprint ORDER BY name").compactMap { record in
            guard let blueprint = try? decoder.decode(Blueprint.self, from: Data(record.content.utf8)) else { return nil }
            return BlueprintSummary(name: record.name, subject: record.subject, grade: blueprint.grade, template: blueprint.template,
                                    questions: blueprint.questionCount, points: blueprint.totalPoints, owner: record.ownerUsername,
                                    updatedAt: record.updatedAt, canEdit: canEdit(record, actor))
        }
    }

    static func blueprintRecord(_ db: SQLConnection, named name: String) throws -> BlueprintRecord {
        guard let record = try BlueprintRecord.fetchOne(db, where: "name = ?", arguments: [name]) else {
            throw StoreError(.notFound, "không có ma trận \"\(name)\" / no blueprint named \"\(name)\"", field: "blueprint")
        }
        return record
    }

    /// Saves a blueprint from the editor: a new one (`originalName` nil; refused if the name is taken), or
    /// the one opened as `originalName`, under its new name if renamed. Only its owner or an admin changes one.
    /// A blueprint is saved while still incomplete (the editor keeps work in progress); its problems come back
    /// with it, and papers are refused until it is valid.
    static func saveBlueprint(_ db: SQLConnection, _ blueprint: Blueprint, originalName: String?, actor: Actor, now: Date) throws -> [String] {
        let name = blueprint.name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 200 else { throw StoreError.invalid("name", "tên ma trận từ 1 đến 200 ký tự / a blueprint name of 1 to 200 characters") }
        guard !blueprint.subject.trimmingCharacters(in: .whitespaces).isEmpty else { throw StoreError.invalid("subject", "ma trận cần môn học / the blueprint needs a subject") }
        guard blueprint.parts.count <= 20, blueprint.parts.allSatisfy({ $0.rows.count <= 500 }) else {
            throw StoreError.invalid("parts", "ma trận quá lớn (tối đa 20 phần, 500 dòng mỗi phần) / too large (20 parts, 500 rows each)")
        }
        var stored = blueprint
        stored.name = name
        let content = String(decoding: try Canonical.encoder.encode(stored), as: UTF8.self)
        let existing = try BlueprintRecord.fetchOne(db, where: "name = ?", arguments: [name])
        if let originalName {
            var record = try blueprintRecord(db, named: originalName)
            guard canEdit(record, actor) else {
                throw StoreError(.forbidden, "ma trận \"\(originalName)\" không phải của bạn; hãy sao chép / the blueprint is not yours; copy it", field: "blueprint")
            }
            if originalName != name, existing != nil { throw StoreError(.exists, "đã có ma trận \"\(name)\" / a blueprint named \"\(name)\" exists", field: "name") }
            record.name = name; record.subject = stored.subject; record.content = content; record.updatedAt = now; record.updatedBy = actor.username
            try record.update(db)
        } else {
            guard existing == nil else { throw StoreError(.exists, "đã có ma trận \"\(name)\" / a blueprint named \"\(name)\" exists", field: "name") }
            var record = BlueprintRecord(id: nil, name: name, subject: stored.subject, content: content, createdAt: now, updatedAt: now,
                                         ownerUsername: actor.username, updatedBy: actor.username)
            try record.insert(db)
        }
        try audit(db, action: "blueprint.save", subject: "blueprint:\(name)", actor: actor, now: now,
                  details: originalName.map { $0 == name ? [:] : ["renamedFrom": $0] } ?? ["created": "true"])
        do { try stored.validate(); return [] } catch let error as ExamCoreError { return error.problems }
    }

    static func deleteBlueprint(_ db: SQLConnection, name: String, actor: Actor, now: Date) throws {
        let record = try blueprintRecord(db, named: name)
        guard canEdit(record, actor) else { throw StoreError(.forbidden, "ma trận \"\(name)\" không phải của bạn / the blueprint is not yours", field: "blueprint") }
        try db.execute(sql: "DELETE FROM blueprint WHERE id = ?", arguments: [record.id!])
        try audit(db, action: "blueprint.delete", subject: "blueprint:\(name)", actor: actor, now: now)
    }

    /// A blueprint against a bank, from the bank's columns (no question is decoded): 20,000 questions are
    /// counted in a few milliseconds, so the editor checks as the teacher types.
    static func checkBlueprint(_ db: SQLConnection, _ blueprint: Blueprint, bank name: String, actor: Actor) throws -> BlueprintCheck {
        let bank = try bank(db, named: name, .read, actor)
        let traits = try SQLRow.fetchAll(db, sql: """
            SELECT r.subject, r.grade, r.topic, r.lesson, r.level, r.kind, r.unclassified, r.passageExternalId FROM question q
            JOIN questionRevision r ON r.questionId = q.id AND r.revision = q.currentRevision WHERE q.bankId = ? AND q.retired = 0
            """, arguments: [bank.id!]).compactMap { row -> QuestionTraits? in
            guard let level = Level(rawValue: row["level"]), let kind = QuestionKind(rawValue: row["kind"]) else { return nil }
            return QuestionTraits(subject: row["subject"], grade: row["grade"], topic: row["topic"], lesson: row["lesson"], level: level, kind: kind,
                                  unclassified: row["unclassified"], groupID: row["passageExternalId"])
        }
        return BlueprintCheck(blueprint: blueprint, traits: traits)
    }

    /// One paper drawn now ("Xem thử đề"), with the images its items use.
    static func previewPaper(_ db: SQLConnection, _ blueprint: Blueprint, bank name: String, seed: UInt64, actor: Actor) throws -> (Paper, [String: [String: String]]) {
        let bank = try bank(db, named: name, .read, actor)
        let source = try paperBank(db, bankId: bank.id!, name: bank.name)
        let paper = try PaperGenerator(blueprint: blueprint, bank: source.bank).generate(PaperRequest(mode: .codes(["000"]), seed: seed))[0]
        return (paper, source.media(of: paper))
    }

    // MARK: - print sets

    static func createPrintSet(_ db: SQLConnection, _ request: PrintRequest, actor: Actor, now: Date, progress: (@Sendable (Int, Int) -> Void)?) throws -> PrintSetSummary {
        let name = request.name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 200 else { throw StoreError.invalid("name", "tên bộ đề từ 1 đến 200 ký tự / a name of 1 to 200 characters") }
        guard try Int64.fetchOne(db, sql: "SELECT id FROM printSet WHERE name = ?", arguments: [name]) == nil else {
            throw StoreError(.exists, "đã có bộ đề \"\(name)\" / a print set named \"\(name)\" exists", field: "name")
        }
        let bank = try bank(db, named: request.bank, .read, actor)
        let blueprint = try JSONDecoder().decode(Blueprint.self, from: Data(try blueprintRecord(db, named: request.blueprint).content.utf8))
        let source = try paperBank(db, bankId: bank.id!, name: bank.name)
        let generator = try PaperGenerator(blueprint: blueprint, bank: source.bank)
        let modeName: String
        let total: Int
        switch request.mode {
        case let .codes(codes): modeName = "codes"; total = codes.count
        case let .candidates(count): modeName = "candidates"; total = count
        }
        guard (1...1_000).contains(total) else { throw StoreError.invalid("count", "từ 1 đến 1000 đề / 1 to 1000 papers") }
        let setId = try db.insert(sql: """
            INSERT INTO printSet(name, blueprint, blueprintName, bankName, mode, seed, school, examTitle, ownerUsername, createdAt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [name, String(decoding: try Canonical.encoder.encode(blueprint), as: UTF8.self), blueprint.name, bank.name, modeName,
                             Int64(bitPattern: request.seed), request.school, request.examTitle, actor.username, now])
        var done = 0
        try generator.generate(PaperRequest(mode: request.mode, seed: request.seed)) { paper in
            let paperId = try db.insert(sql: "INSERT INTO printPaper(printSetId, code, content) VALUES (?, ?, ?)",
                           arguments: [setId, paper.code, String(decoding: try Canonical.encoder.encode(paper), as: UTF8.self)])
            for (index, item) in paper.items.enumerated() {
                guard let revisionId = source.revisionIDs[item.question.id] else { continue }
                try db.execute(sql: "INSERT INTO printPaperItem(printPaperId, position, questionRevisionId) VALUES (?, ?, ?)", arguments: [paperId, index + 1, revisionId])
            }
            done += 1
            progress?(done, total)
        }
        try audit(db, action: "print.create", subject: "print:\(name)", actor: actor, now: now,
                  details: ["blueprint": blueprint.name, "bank": bank.name, "papers": String(total)])
        return try printSetSummaries(db, actor: actor, id: setId)[0]
    }

    /// Who may see a print set: it holds answer keys. Its maker, admins and coordinators.
    static func printSetSummaries(_ db: SQLConnection, actor: Actor, id: Int64? = nil, coordinator: Bool = false) throws -> [PrintSetSummary] {
        var sql = """
            SELECT s.id, s.name, s.blueprintName, s.bankName, s.blueprint, s.ownerUsername, s.createdAt, s.school, s.examTitle,
              (SELECT count(*) FROM printPaper p WHERE p.printSetId = s.id) AS papers FROM printSet s
            """
        var arguments: SQLArguments = []
        var conditions: [String] = []
        if let id { conditions.append("s.id = ?"); arguments += [id] }
        if !actor.isAdmin && !coordinator { conditions.append("s.ownerUsername = ?"); arguments += [actor.username] }
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY s.createdAt DESC, s.id DESC"
        return try SQLRow.fetchAll(db, sql: sql, arguments: arguments).map { row in
            let subject = (try? JSONDecoder().decode(Blueprint.self, from: Data((row["blueprint"] as String).utf8)))?.subject ?? ""
            return PrintSetSummary(id: row["id"], name: row["name"], blueprint: row["blueprintName"], bank: row["bankName"], subject: subject,
                                   papers: row["papers"], owner: row["ownerUsername"], createdAt: row["createdAt"], school: row["school"], examTitle: row["examTitle"])
        }
    }

    static func printSet(_ db: SQLConnection, id: Int64, actor: Actor, coordinator: Bool) throws -> PrintSet {
        guard let summary = try printSetSummaries(db, actor: actor, id: id, coordinator: coordinator).first else {
            throw StoreError(.notFound, "không có bộ đề \(id) / no print set \(id)", field: "printSet")
        }
        let decoder = JSONDecoder()
        let blueprint = try decoder.decode(Blueprint.self, from: Data(try String.fetchOne(db, sql: "SELECT blueprint FROM printSet WHERE id = ?", arguments: [id])!.utf8))
        var papers: [Paper] = []
        var media: [String: [String: [String: String]]] = [:]
        let names = try SQLRow.fetchAll(db, sql: """
            SELECT p.code, i.position, m.name, m.mediaSha256 FROM printPaper p JOIN printPaperItem i ON i.printPaperId = p.id
            JOIN questionRevisionMedia m ON m.questionRevisionId = i.questionRevisionId WHERE p.printSetId = ?
            """, arguments: [id])
        var byPosition: [String: [Int: [String: String]]] = [:]
        for row in names { byPosition[row["code"], default: [:]][row["position"], default: [:]][row["name"]] = row["mediaSha256"] }
        for row in try SQLRow.fetchAll(db, sql: "SELECT code, content FROM printPaper WHERE printSetId = ? ORDER BY id", arguments: [id]) {
            let paper = try decoder.decode(Paper.self, from: Data((row["content"] as String).utf8))
            papers.append(paper)
            if let positions = byPosition[paper.code] {
                var keyed: [String: [String: String]] = [:]
                for (index, item) in paper.items.enumerated() { if let found = positions[index + 1] { keyed[item.key] = found } }
                media[paper.code] = keyed
            }
        }
        return PrintSet(summary: summary, blueprint: blueprint, papers: papers, media: media)
    }

    static func deletePrintSet(_ db: SQLConnection, id: Int64, actor: Actor, now: Date) throws {
        guard let summary = try printSetSummaries(db, actor: actor, id: id).first else {
            throw StoreError(.notFound, "không có bộ đề \(id) / no print set \(id)", field: "printSet")
        }
        try db.execute(sql: "DELETE FROM printSet WHERE id = ?", arguments: [id])
        try audit(db, action: "print.delete", subject: "print:\(summary.name)", actor: actor, now: now)
    }
}
