import Crypto
import ExamCore
import Foundation
internal import GRDB

/// What an import did.
public struct ImportSummary: Codable, Sendable, Hashable {
    public var bank: String
    /// New questions (revision 1).
    public var added: Int
    /// Questions whose content changed: a new revision each.
    public var revised: Int
    /// Questions identical to their current revision: left as they are.
    public var unchanged: Int
    /// Questions left out because of problems (only with `--partial`).
    public var skipped: Int
    public var passagesAdded: Int
    public var passagesRevised: Int
    /// Images stored that the database did not have yet.
    public var mediaAdded: Int
}

/// A bank in the list.
public struct BankSummary: Codable, Sendable, Hashable {
    public var name: String
    public var subject: String?
    public var questions: Int
    public var revisions: Int
    public var passages: Int
    public var updatedAt: Date
}

/// A question with its history.
public struct StoredQuestion: Codable, Sendable, Hashable {
    public var bank: String
    /// The revision asked for (the current one by default).
    public var question: Question
    public var currentRevision: Int
    public var revisions: [RevisionInfo]
    /// Images its text uses: name → SHA-256.
    public var media: [String: String]

    public struct RevisionInfo: Codable, Sendable, Hashable {
        public var revision: Int
        public var createdAt: Date
        public var contentHash: String
    }
}

/// Filters for bank search; all optional, combined with AND.
public struct QuestionQuery: Sendable, Hashable {
    public var text: String?
    public var bank: String?
    public var subject: String?
    public var grade: Int?
    public var topic: String?
    public var level: Level?
    public var kind: QuestionKind?
    public var tag: String?
    public var limit: Int

    public init(text: String? = nil, bank: String? = nil, subject: String? = nil, grade: Int? = nil, topic: String? = nil,
                level: Level? = nil, kind: QuestionKind? = nil, tag: String? = nil, limit: Int = 50) {
        self.text = text; self.bank = bank; self.subject = subject; self.grade = grade; self.topic = topic
        self.level = level; self.kind = kind; self.tag = tag; self.limit = limit
    }
}

/// One search result.
public struct SearchHit: Codable, Sendable, Hashable {
    public var bank: String
    public var id: String
    public var revision: Int
    public var kind: QuestionKind
    public var subject: String
    public var grade: Int?
    public var topic: String
    public var level: Level
    public var stem: String
}

enum Canonical {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func sha256(_ data: Data) -> String { Hex.encode(SHA256.hash(data: data)) }

    static func hash(_ group: QuestionGroup) -> String {
        sha256(Data((group.passage + "\u{0}" + (group.shuffleQuestions ? "1" : "0")).utf8))
    }

    /// The text the search index holds for a question: every rich text, accepted words, tags, topic, lesson
    /// and requirement, folded.
    static func searchText(_ question: Question) -> String {
        var parts = MediaReferences.texts(of: question) + question.tags + [question.topic, question.lesson ?? "", question.requirement ?? ""]
        if case let .shortText(body) = question.body { parts += body.answers }
        return TextFolding.fold(parts.joined(separator: " \n "))
    }
}

extension AppDatabase {
    /// Imports a read bank in one transaction: new questions get revision 1, changed ones a new revision,
    /// unchanged ones stay. Re-importing the same file changes nothing. Refuses (and writes nothing) when the
    /// file had problems, unless `partial` is set; then the good questions go in and the bad are counted.
    public func importBank(_ imported: ImportedBank, bankName: String? = nil, partial: Bool = false,
                           progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> ImportSummary {
        if !imported.problems.isEmpty && !partial {
            throw StoreError(.importRefused,
                             "Không nhập: tệp có \(imported.problems.count) lỗi / nothing imported: \(imported.problems.count) problems",
                             problems: imported.problems.map(\.description))
        }
        let name = (bankName ?? imported.bank.name).trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw StoreError.invalid("bank", "thiếu tên ngân hàng / the bank needs a name") }
        let now = Date()
        let encoder = Canonical.encoder
        return try writer.write { db in
            var summary = ImportSummary(bank: name, added: 0, revised: 0, unchanged: 0, skipped: imported.skipped,
                                        passagesAdded: 0, passagesRevised: 0, mediaAdded: 0)
            var bank = try BankRecord.filter(BankRecord.Columns.name == name).fetchOne(db)
                ?? BankRecord(id: nil, name: name, subject: imported.bank.subject, createdAt: now, updatedAt: now)
            bank.updatedAt = now
            if bank.subject == nil { bank.subject = imported.bank.subject }
            try bank.save(db)
            let bankId = bank.id!

            for group in imported.bank.groups {
                let hash = Canonical.hash(group)
                if var passage = try PassageRecord.filter(PassageRecord.Columns.bankId == bankId && PassageRecord.Columns.externalId == group.id).fetchOne(db) {
                    let current = try PassageRevisionRecord.filter(PassageRevisionRecord.Columns.passageId == passage.id! && PassageRevisionRecord.Columns.revision == passage.currentRevision).fetchOne(db)
                    guard current?.contentHash != hash else { continue }
                    passage.currentRevision += 1
                    try passage.update(db)
                    var revision = PassageRevisionRecord(id: nil, passageId: passage.id!, revision: passage.currentRevision, text: group.passage, shuffleQuestions: group.shuffleQuestions, contentHash: hash, createdAt: now)
                    try revision.insert(db)
                    summary.passagesRevised += 1
                } else {
                    var passage = PassageRecord(id: nil, bankId: bankId, externalId: group.id, currentRevision: 1)
                    try passage.insert(db)
                    var revision = PassageRevisionRecord(id: nil, passageId: passage.id!, revision: 1, text: group.passage, shuffleQuestions: group.shuffleQuestions, contentHash: hash, createdAt: now)
                    try revision.insert(db)
                    summary.passagesAdded += 1
                }
            }

            var knownMedia = Set<String>()
            for file in imported.media {
                if try MediaRecord.exists(db, key: file.sha256) { knownMedia.insert(file.sha256); continue }
                try MediaRecord(sha256: file.sha256, mimeType: file.mimeType, byteCount: file.data.count, data: file.data).insert(db)
                knownMedia.insert(file.sha256)
                summary.mediaAdded += 1
            }
            let mediaByName = Dictionary(imported.media.map { ($0.name, $0.sha256) }, uniquingKeysWith: { first, _ in first })

            let total = imported.bank.questions.count
            // The hot path: cached statements, one JSON encoding per question (its hash is taken with
            // revision 1; only a revised question is encoded again with its new number).
            let findQuestion = try db.cachedStatement(sql: "SELECT id, currentRevision FROM question WHERE bankId = ? AND externalId = ?")
            let currentHash = try db.cachedStatement(sql: "SELECT contentHash FROM questionRevision WHERE questionId = ? AND revision = ?")
            let insertQuestion = try db.cachedStatement(sql: "INSERT INTO question(bankId, externalId, currentRevision) VALUES (?, ?, 1)")
            let bumpQuestion = try db.cachedStatement(sql: "UPDATE question SET currentRevision = ? WHERE id = ?")
            let insertRevision = try db.cachedStatement(sql: """
                INSERT INTO questionRevision(questionId, revision, kind, subject, grade, topic, lesson, requirement, level,
                  pointsHundredths, passageExternalId, content, contentHash, createdAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let insertTag = try db.cachedStatement(sql: "INSERT OR IGNORE INTO questionTag(questionRevisionId, tag) VALUES (?, ?)")
            let insertMedia = try db.cachedStatement(sql: "INSERT OR IGNORE INTO questionRevisionMedia(questionRevisionId, name, mediaSha256) VALUES (?, ?, ?)")
            let deleteSearch = try db.cachedStatement(sql: "DELETE FROM questionSearch WHERE rowid = ?")
            let insertSearch = try db.cachedStatement(sql: "INSERT INTO questionSearch(rowid, folded) VALUES (?, ?)")
            for (index, incoming) in imported.bank.questions.enumerated() {
                if let progress, index % 200 == 0 { progress(index, total) }
                var stored = incoming
                stored.revision = 1
                var content = try encoder.encode(stored)
                let hash = Canonical.sha256(content)
                let questionId: Int64
                let revisionNumber: Int
                if let row = try Row.fetchOne(findQuestion, arguments: [bankId, incoming.id]) {
                    let existingId: Int64 = row[0]
                    let current: Int = row[1]
                    if try String.fetchOne(currentHash, arguments: [existingId, current]) == hash { summary.unchanged += 1; continue }
                    questionId = existingId
                    revisionNumber = current + 1
                    try bumpQuestion.execute(arguments: [revisionNumber, questionId])
                    stored.revision = revisionNumber
                    content = try encoder.encode(stored)
                    summary.revised += 1
                } else {
                    try insertQuestion.execute(arguments: [bankId, incoming.id])
                    questionId = db.lastInsertedRowID
                    revisionNumber = 1
                    summary.added += 1
                }
                try insertRevision.execute(arguments: [
                    questionId, revisionNumber, stored.kind.rawValue, stored.subject, stored.grade, stored.topic, stored.lesson,
                    stored.requirement, stored.level.rawValue, stored.points.hundredths, stored.groupID,
                    String(decoding: content, as: UTF8.self), hash, now,
                ])
                let revisionId = db.lastInsertedRowID
                for tag in stored.tags { try insertTag.execute(arguments: [revisionId, tag]) }
                if !mediaByName.isEmpty {
                    for text in MediaReferences.texts(of: stored) {
                        for name in MediaReferences.names(in: text) {
                            guard let sha = mediaByName[name], knownMedia.contains(sha) else { continue }
                            try insertMedia.execute(arguments: [revisionId, name, sha])
                        }
                    }
                }
                try deleteSearch.execute(arguments: [questionId])
                try insertSearch.execute(arguments: [questionId, Canonical.searchText(stored)])
            }
            progress?(total, total)
            return summary
        }
    }

    /// Every bank, by name.
    public func banks() throws -> [BankSummary] {
        try writer.read { db in try Self.banks(db) }
    }

    static func banks(_ db: Database) throws -> [BankSummary] {
        do {
            return try Row.fetchAll(db, sql: """
                SELECT b.name, b.subject, b.updatedAt,
                  (SELECT count(*) FROM question q WHERE q.bankId = b.id) AS questions,
                  (SELECT count(*) FROM questionRevision r JOIN question q ON q.id = r.questionId WHERE q.bankId = b.id) AS revisions,
                  (SELECT count(*) FROM passage p WHERE p.bankId = b.id) AS passages
                FROM bank b ORDER BY b.name
                """).map { row in
                BankSummary(name: row["name"], subject: row["subject"], questions: row["questions"], revisions: row["revisions"],
                            passages: row["passages"], updatedAt: row["updatedAt"])
            }
        }
    }

    /// The current revision of every question of a bank, with its passages, in the order they were added.
    public func loadBank(named name: String) throws -> QuestionBank {
        try writer.read { db in
            guard let bank = try BankRecord.filter(BankRecord.Columns.name == name).fetchOne(db) else {
                throw StoreError(.notFound, "không có ngân hàng \"\(name)\" / no bank named \"\(name)\"", field: "bank")
            }
            let contents = try String.fetchAll(db, sql: """
                SELECT r.content FROM question q JOIN questionRevision r ON r.questionId = q.id AND r.revision = q.currentRevision
                WHERE q.bankId = ? ORDER BY q.id
                """, arguments: [bank.id!])
            let decoder = JSONDecoder()
            let questions = try contents.map { try decoder.decode(Question.self, from: Data($0.utf8)) }
            let groups = try Row.fetchAll(db, sql: """
                SELECT p.externalId, r.revision, r.text, r.shuffleQuestions FROM passage p
                JOIN passageRevision r ON r.passageId = p.id AND r.revision = p.currentRevision
                WHERE p.bankId = ? ORDER BY p.id
                """, arguments: [bank.id!]).map { row in
                QuestionGroup(id: row["externalId"], revision: row["revision"], passage: row["text"], shuffleQuestions: row["shuffleQuestions"])
            }
            return QuestionBank(name: bank.name, subject: bank.subject, questions: questions, groups: groups)
        }
    }

    /// The images a bank's current questions use, for export beside the bank file.
    public func media(forBank name: String) throws -> [MediaFile] {
        try writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT DISTINCT m.name, media.data, media.mimeType, media.sha256 FROM bank b
                JOIN question q ON q.bankId = b.id
                JOIN questionRevision r ON r.questionId = q.id AND r.revision = q.currentRevision
                JOIN questionRevisionMedia m ON m.questionRevisionId = r.id
                JOIN media ON media.sha256 = m.mediaSha256
                WHERE b.name = ? ORDER BY m.name
                """, arguments: [name]).map { MediaFile(name: $0["name"], data: $0["data"], mimeType: $0["mimeType"], sha256: $0["sha256"]) }
        }
    }

    /// A question by its id, at a revision (the current one by default), with its history.
    public func question(id: String, bank: String? = nil, revision: Int? = nil) throws -> StoredQuestion {
        try writer.read { db in try Self.question(db, id: id, bank: bank, revision: revision) }
    }

    static func question(_ db: Database, id: String, bank: String?, revision: Int?) throws -> StoredQuestion {
        do {
            var sql = "SELECT q.id, q.currentRevision, b.name FROM question q JOIN bank b ON b.id = q.bankId WHERE q.externalId = ?"
            var arguments: StatementArguments = [id]
            if let bank { sql += " AND b.name = ?"; arguments += [bank] }
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            guard let row = rows.first else { throw StoreError(.notFound, "không có câu hỏi \"\(id)\" / no question \"\(id)\"", field: "id") }
            guard rows.count == 1 else {
                throw StoreError(.invalid, "câu \"\(id)\" có ở nhiều ngân hàng; chọn một / \"\(id)\" is in several banks; name one",
                                 field: "bank", problems: rows.map { $0["name"] })
            }
            let questionId: Int64 = row["id"]
            let current: Int = row["currentRevision"]
            let wanted = revision ?? current
            guard let revisionRow = try QuestionRevisionRecord.filter(QuestionRevisionRecord.Columns.questionId == questionId && QuestionRevisionRecord.Columns.revision == wanted).fetchOne(db) else {
                throw StoreError(.notFound, "câu \"\(id)\" không có phiên bản \(wanted) / no revision \(wanted)", field: "revision")
            }
            let history = try QuestionRevisionRecord.filter(QuestionRevisionRecord.Columns.questionId == questionId).order(QuestionRevisionRecord.Columns.revision).fetchAll(db)
            let media = try Row.fetchAll(db, sql: "SELECT name, mediaSha256 FROM questionRevisionMedia WHERE questionRevisionId = ?", arguments: [revisionRow.id!])
            return StoredQuestion(
                bank: row["name"], question: try JSONDecoder().decode(Question.self, from: Data(revisionRow.content.utf8)),
                currentRevision: current,
                revisions: history.map { .init(revision: $0.revision, createdAt: $0.createdAt, contentHash: $0.contentHash) },
                media: Dictionary(media.map { ($0["name"], $0["mediaSha256"]) }, uniquingKeysWith: { first, _ in first }))
        }
    }

    /// Full-text search (diacritics optional: "ham so" finds "hàm số") with filters, over current revisions.
    public func search(_ query: QuestionQuery) throws -> [SearchHit] {
        try writer.read { db in try Self.search(db, query) }
    }

    static func search(_ db: Database, _ query: QuestionQuery) throws -> [SearchHit] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        var from = "question q JOIN bank b ON b.id = q.bankId JOIN questionRevision r ON r.questionId = q.id AND r.revision = q.currentRevision"
        var order = "b.name, q.id"
        if let text = query.text {
            let words = TextFolding.fold(text).split(whereSeparator: { !$0.isLetter && !$0.isNumber })
            if !words.isEmpty {
                from += " JOIN questionSearch s ON s.rowid = q.id"
                conditions.append("questionSearch MATCH ?")
                // Each word quoted (no FTS syntax from the user), as a prefix.
                arguments += [words.map { "\"\($0)\"*" }.joined(separator: " ")]
                order = "bm25(questionSearch), q.id"
            }
        }
        if let bank = query.bank { conditions.append("b.name = ?"); arguments += [bank] }
        if let subject = query.subject { conditions.append("r.subject = ?"); arguments += [subject] }
        if let grade = query.grade { conditions.append("r.grade = ?"); arguments += [grade] }
        if let topic = query.topic { conditions.append("r.topic = ?"); arguments += [topic] }
        if let level = query.level { conditions.append("r.level = ?"); arguments += [level.rawValue] }
        if let kind = query.kind { conditions.append("r.kind = ?"); arguments += [kind.rawValue] }
        if let tag = query.tag { conditions.append("EXISTS (SELECT 1 FROM questionTag t WHERE t.questionRevisionId = r.id AND t.tag = ?)"); arguments += [tag] }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments += [max(1, min(query.limit, 10_000))]
        do {
            return try Row.fetchAll(db, sql: """
                SELECT b.name AS bank, q.externalId, r.revision, r.kind, r.subject, r.grade, r.topic, r.level, r.content
                FROM \(from) \(whereClause) ORDER BY \(order) LIMIT ?
                """, arguments: arguments).map { row in
                let question = try JSONDecoder().decode(Question.self, from: Data((row["content"] as String).utf8))
                return SearchHit(bank: row["bank"], id: row["externalId"], revision: row["revision"], kind: question.kind,
                                 subject: row["subject"], grade: row["grade"], topic: row["topic"], level: question.level, stem: question.stem)
            }
        }
    }

    /// Saves a blueprint under its name (replacing one of the same name) after checking it.
    public func saveBlueprint(_ blueprint: Blueprint) throws {
        try blueprint.validate()
        let content = String(decoding: try Canonical.encoder.encode(blueprint), as: UTF8.self)
        let now = Date()
        try writer.write { db in
            if var existing = try BlueprintRecord.filter(BlueprintRecord.Columns.name == blueprint.name).fetchOne(db) {
                existing.content = content
                existing.subject = blueprint.subject
                existing.updatedAt = now
                try existing.update(db)
            } else {
                var record = BlueprintRecord(id: nil, name: blueprint.name, subject: blueprint.subject, content: content, createdAt: now, updatedAt: now)
                try record.insert(db)
            }
        }
    }

    public func blueprint(named name: String) throws -> Blueprint {
        try writer.read { db in
            guard let record = try BlueprintRecord.filter(BlueprintRecord.Columns.name == name).fetchOne(db) else {
                throw StoreError(.notFound, "không có ma trận \"\(name)\" / no blueprint named \"\(name)\"", field: "blueprint")
            }
            return try JSONDecoder().decode(Blueprint.self, from: Data(record.content.utf8))
        }
    }

    public func blueprintNames() throws -> [String] {
        try writer.read { db in try String.fetchAll(db, sql: "SELECT name FROM blueprint ORDER BY name") }
    }

    /// An image by its SHA-256.
    public func mediaFile(sha256: String) throws -> MediaData? {
        try writer.read { db in try MediaRecord.fetchOne(db, key: sha256).map { MediaData(data: $0.data, mimeType: $0.mimeType) } }
    }
}
