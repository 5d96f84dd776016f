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

    /// SHA-256 of `Question.identityText`: what finds the same question in another file.
    static func identityHash(_ question: Question) -> String { sha256(Data(question.identityText.utf8)) }

    static func hash(_ group: QuestionGroup) -> String {
        sha256(Data((group.passage + "\u{0}" + (group.shuffleQuestions ? "1" : "0")).utf8))
    }

    /// A full-text query for what a user typed: each word folded (no diacritics) and taken as a prefix, every
    /// word required; nil when nothing is left to search for. FTS5's syntax on SQLite (each word quoted, so no
    /// syntax comes from the user), `to_tsquery`'s on PostgreSQL (words are letters and digits only).
    static func matchExpression(_ text: String?, on engine: SQLEngine = .sqlite) -> String? {
        guard let text else { return nil }
        let words = TextFolding.fold(text).split(whereSeparator: { !$0.isLetter && !$0.isNumber }).prefix(20)
        guard !words.isEmpty else { return nil }
        switch engine {
        case .sqlite: return words.map { "\"\($0)\"*" }.joined(separator: " ")
        case .postgresql: return words.map { "\($0):*" }.joined(separator: " & ")
        }
    }

    /// The text the search index holds for a question: every rich text, accepted words, tags, topic, lesson
    /// and requirement, folded.
    static func searchText(_ question: Question) -> String {
        var parts = MediaReferences.texts(of: question) + question.tags + [question.topic, question.lesson ?? "", question.requirement ?? ""]
        if case let .shortText(body) = question.body { parts += body.answers }
        return TextFolding.fold(parts.joined(separator: " \n "))
    }
}

extension SQLConnection {
    /// The search table's key, the question's id: FTS5's rowid on SQLite, a column on PostgreSQL.
    var searchKey: String { engine == .sqlite ? "rowid" : "id" }

    /// The questions whose search text matches one `?` (a `Canonical.matchExpression`): `id`, and with `ranked`
    /// a `score`, lower for a better match.
    func searchHits(ranked: Bool) -> String {
        switch engine {
        case .sqlite:
            "SELECT rowid AS id\(ranked ? ", bm25(questionSearch) AS score" : "") FROM questionSearch WHERE questionSearch MATCH ?"
        case .postgresql:
            "SELECT s.id\(ranked ? ", -ts_rank(to_tsvector('simple', s.folded), q) AS score" : "") FROM questionSearch s, to_tsquery('simple', ?) q"
                + " WHERE to_tsvector('simple', s.folded) @@ q"
        }
    }
}

/// How an incoming question meets a bank: new, the same as one of its revisions, or a change to it.
enum ImportMatch {
    /// Not in the bank: `question` as it will be stored (revision 1).
    case new(Question, content: Canonical.Content)
    /// The bank holds it already, as its current revision or an older one (then the newer edit is kept).
    case unchanged(id: String)
    /// The bank holds it with other content: `question` is the next revision.
    case changed(questionId: Int64, question: Question, content: Canonical.Content, before: Question)
}

extension Canonical {
    /// A question as stored: its JSON (with its revision number) and the hash of its content (taken with
    /// revision 1, so the same content has the same hash at every revision).
    struct Content {
        let json: String
        let hash: String
        let identity: String
    }

    static func content(of question: Question) throws -> Content {
        var base = question
        base.revision = 1
        let baseJSON = try encoder.encode(base)
        let hash = sha256(baseJSON)
        let json = question.revision == 1 ? baseJSON : try encoder.encode(question)
        return Content(json: String(decoding: json, as: UTF8.self), hash: hash, identity: identityHash(question))
    }
}

/// Finds where an incoming question stands in a bank: by its id, else by its content identity (the same
/// question under another id or from another file). A file that carries less than the bank (no level, no
/// topic, no solution, no tags) does not take away what the bank knows: those are kept.
struct ImportMatcher {
    let bankId: Int64?
    let bankSubject: String?
    let byId: SQLStatement?
    let byIdentity: SQLStatement?
    let hashes: SQLStatement?
    let decoder = JSONDecoder()

    init(_ db: SQLConnection, bankId: Int64?, bankSubject: String?) throws {
        self.bankId = bankId
        self.bankSubject = bankSubject
        guard bankId != nil else { byId = nil; byIdentity = nil; hashes = nil; return }
        byId = try db.cachedStatement(sql: """
            SELECT q.id, q.externalId, q.currentRevision, r.content, r.contentHash FROM question q
            JOIN questionRevision r ON r.questionId = q.id AND r.revision = q.currentRevision WHERE q.bankId = ? AND q.externalId = ?
            """)
        byIdentity = try db.cachedStatement(sql: """
            SELECT q.id, q.externalId, q.currentRevision, c.content, c.contentHash FROM questionRevision r
            JOIN question q ON q.id = r.questionId
            JOIN questionRevision c ON c.questionId = q.id AND c.revision = q.currentRevision
            WHERE r.identityHash = ? AND q.bankId = ? ORDER BY q.id LIMIT 1
            """)
        hashes = try db.cachedStatement(sql: "SELECT 1 FROM questionRevision WHERE questionId = ? AND contentHash = ? LIMIT 1")
    }

    func match(_ incoming: Question) throws -> ImportMatch {
        var stored = incoming
        stored.revision = 1
        if stored.subject == Question.unclassifiedTopic, let bankSubject { stored.subject = bankSubject }
        guard let bankId, let byId, let byIdentity, let hashes else { return .new(stored, content: try Canonical.content(of: stored)) }
        let identity = Canonical.identityHash(stored)
        guard let row = try SQLRow.fetchOne(byId, arguments: [bankId, incoming.id]) ?? SQLRow.fetchOne(byIdentity, arguments: [identity, bankId]) else {
            return .new(stored, content: try Canonical.content(of: stored))
        }
        let questionId: Int64 = row[0]
        let current = try decoder.decode(Question.self, from: Data((row[3] as String).utf8))
        stored = stored.adoptingIDs(from: current)
        stored.id = row[1]
        if stored.unclassified && !current.unclassified {
            stored.subject = current.subject; stored.grade = current.grade; stored.topic = current.topic; stored.lesson = current.lesson
            stored.requirement = current.requirement; stored.level = current.level; stored.points = current.points; stored.unclassified = false
        }
        if stored.explanation == nil { stored.explanation = current.explanation }
        if stored.tags.isEmpty { stored.tags = current.tags }
        let content = try Canonical.content(of: stored)
        if try content.hash == row[4] as String || (Bool.fetchOne(hashes, arguments: [questionId, content.hash]) ?? false) {
            return .unchanged(id: stored.id)
        }
        stored.revision = (row[2] as Int) + 1
        return .changed(questionId: questionId, question: stored, content: try Canonical.content(of: stored), before: current)
    }
}

extension AppDatabase {
    /// Writes one revision of a question with its tags, images and search text; returns the revision's row id.
    static func insertRevision(_ db: SQLConnection, questionId: Int64, question: Question, content: Canonical.Content,
                               media: [String: String], createdBy: String?, now: Date) throws -> Int64 {
        let insert = try db.cachedStatement(sql: """
            INSERT INTO questionRevision(questionId, revision, kind, subject, grade, topic, lesson, requirement, level,
              pointsHundredths, passageExternalId, content, contentHash, createdAt, unclassified, createdBy, identityHash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
            """)
        let revisionId = try insert.insertedID(arguments: [
            questionId, question.revision, question.kind.rawValue, question.subject, question.grade, question.topic, question.lesson,
            question.requirement, question.level.rawValue, question.points.hundredths, question.groupID,
            content.json, content.hash, now, question.unclassified, createdBy, content.identity,
        ])
        let insertTag = try db.cachedStatement(sql: "INSERT INTO questionTag(questionRevisionId, tag) VALUES (?, ?) ON CONFLICT DO NOTHING")
        for tag in question.tags { try insertTag.execute(arguments: [revisionId, tag]) }
        if !media.isEmpty {
            let insertMedia = try db.cachedStatement(sql: "INSERT INTO questionRevisionMedia(questionRevisionId, name, mediaSha256) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
            for text in MediaReferences.texts(of: question) {
                for name in MediaReferences.names(in: text) {
                    guard let sha = media[name] else { continue }
                    try insertMedia.execute(arguments: [revisionId, name, sha])
                }
            }
        }
        try db.execute(sql: "DELETE FROM questionSearch WHERE \(db.searchKey) = ?", arguments: [questionId])
        try db.execute(sql: "INSERT INTO questionSearch(\(db.searchKey), folded) VALUES (?, ?)", arguments: [questionId, Canonical.searchText(question)])
        return revisionId
    }

    /// Records a change to a question in the audit log: who, when, which question, revision before → after,
    /// and which fields changed.
    static func auditQuestion(_ db: SQLConnection, action: String, bank: String, id: String, from: Int?, to: Int, changes: [QuestionChange],
                              actor: String, now: Date, reason: String = "") throws {
        struct Details: Encodable { var from: Int?; var to: Int; var fields: [String]; var keyPointsOrText: Bool }
        let details = Details(from: from, to: to, fields: changes.map(\.field), keyPointsOrText: changes.contains(where: \.isKeyPointsOrText))
        var entry = AuditRecord(id: nil, at: now, actor: actor, action: action, examId: nil, sbd: nil, subject: "question:\(bank)/\(id)",
                                reason: reason, details: String(decoding: try Canonical.encoder.encode(details), as: UTF8.self))
        try entry.insert(db)
    }

    /// Imports a read bank in one transaction: new questions get revision 1, changed ones a new revision,
    /// unchanged ones stay (see `ImportMatcher` for how a question is recognised). Re-importing the same file,
    /// or the same questions under another name, changes nothing. Refuses (and writes nothing) when the file
    /// had problems, unless `partial` is set; then the good questions go in and the bad are counted.
    /// With an actor, a new bank is theirs (private) and an existing one must be theirs to edit.
    public func importBank(_ imported: ImportedBank, bankName: String? = nil, partial: Bool = false, by actor: Actor? = nil,
                           progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> ImportSummary {
        try writer.write { db in try Self.importBank(db, imported, bankName: bankName, partial: partial, actor: actor, now: Date(), progress: progress) }
    }

    static func importBank(_ db: SQLConnection, _ imported: ImportedBank, bankName: String?, partial: Bool, actor: Actor?, now: Date,
                           progress: (@Sendable (Int, Int) -> Void)?) throws -> ImportSummary {
        if !imported.problems.isEmpty && !partial {
            throw StoreError(.importRefused,
                             "Không nhập: tệp có \(imported.problems.count) lỗi / nothing imported: \(imported.problems.count) problems",
                             problems: imported.problems.map(\.description))
        }
        let name = (bankName ?? imported.bank.name).trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw StoreError.invalid("bank", "thiếu tên ngân hàng / the bank needs a name") }
        var summary = ImportSummary(bank: name, added: 0, revised: 0, unchanged: 0, skipped: imported.skipped,
                                    passagesAdded: 0, passagesRevised: 0, mediaAdded: 0)
        var bank: BankRecord
        if let existing = try BankRecord.fetchOne(db, where: "name = ?", arguments: [name]) {
            if let actor { try requireAccess(db, existing, .edit, actor) }
            bank = existing
        } else {
            bank = BankRecord(id: nil, name: name, subject: imported.bank.subject, createdAt: now, updatedAt: now,
                              ownerUsername: actor?.username, visibility: actor == nil ? "school" : "private")
        }
        bank.updatedAt = now
        if bank.subject == nil { bank.subject = imported.bank.subject }
        try bank.save(db)
        let bankId = bank.id!

        for group in imported.bank.groups {
            let hash = Canonical.hash(group)
            if var passage = try PassageRecord.fetchOne(db, where: "bankId = ? AND externalId = ?", arguments: [bankId, group.id]) {
                let current = try PassageRevisionRecord.fetchOne(db, where: "passageId = ? AND revision = ?", arguments: [passage.id!, passage.currentRevision])
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
            if try MediaRecord.exists(db, sha256: file.sha256) { knownMedia.insert(file.sha256); continue }
            try MediaRecord(sha256: file.sha256, mimeType: file.mimeType, byteCount: file.data.count, data: file.data).insert(db)
            knownMedia.insert(file.sha256)
            summary.mediaAdded += 1
        }
        let mediaByName = Dictionary(imported.media.filter { knownMedia.contains($0.sha256) }.map { ($0.name, $0.sha256) }, uniquingKeysWith: { first, _ in first })

        let total = imported.bank.questions.count
        let matcher = try ImportMatcher(db, bankId: bankId, bankSubject: bank.subject)
        let insertQuestion = try db.cachedStatement(sql: "INSERT INTO question(bankId, externalId, currentRevision) VALUES (?, ?, 1) RETURNING id")
        let bumpQuestion = try db.cachedStatement(sql: "UPDATE question SET currentRevision = ? WHERE id = ?")
        var added: [String] = []
        for (index, incoming) in imported.bank.questions.enumerated() {
            if let progress, index % 200 == 0 { progress(index, total) }
            switch try matcher.match(incoming) {
            case .unchanged:
                summary.unchanged += 1
            case let .new(question, content):
                _ = try insertRevision(db, questionId: try insertQuestion.insertedID(arguments: [bankId, question.id]), question: question, content: content, media: mediaByName,
                                       createdBy: actor?.username, now: now)
                added.append(question.id)
                summary.added += 1
            case let .changed(questionId, question, content, before):
                try bumpQuestion.execute(arguments: [question.revision, questionId])
                _ = try insertRevision(db, questionId: questionId, question: question, content: content, media: mediaByName,
                                       createdBy: actor?.username, now: now)
                try auditQuestion(db, action: "question.import", bank: name, id: question.id, from: question.revision - 1, to: question.revision,
                                  changes: QuestionChange.between(before, question), actor: actor?.username ?? "khaothi bank import", now: now)
                summary.revised += 1
            }
        }
        if summary.added + summary.revised > 0 {
            struct Details: Encodable { var added: Int; var revised: Int; var unchanged: Int; var skipped: Int; var newIDs: [String] }
            var entry = AuditRecord(id: nil, at: now, actor: actor?.username ?? "khaothi bank import", action: "bank.import", examId: nil, sbd: nil,
                                    subject: "bank:\(name)", reason: "",
                                    details: String(decoding: try Canonical.encoder.encode(Details(added: summary.added, revised: summary.revised, unchanged: summary.unchanged,
                                                                                                   skipped: summary.skipped, newIDs: added)), as: UTF8.self))
            try entry.insert(db)
        }
        progress?(total, total)
        return summary
    }

    /// What importing would do, without doing it: per question new / changed / unchanged, with what changes.
    static func planImport(_ db: SQLConnection, _ imported: ImportedBank, bankName: String?, actor: Actor?) throws -> ImportPlan {
        let name = (bankName ?? imported.bank.name).trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw StoreError.invalid("bank", "thiếu tên ngân hàng / the bank needs a name") }
        let bank = try BankRecord.fetchOne(db, where: "name = ?", arguments: [name])
        if let bank, let actor { try requireAccess(db, bank, .edit, actor) }
        let matcher = try ImportMatcher(db, bankId: bank?.id, bankSubject: bank?.subject ?? imported.bank.subject)
        var plan = ImportPlan(bank: name, bankExists: bank != nil, added: 0, revised: 0, unchanged: 0, unclassified: 0, kinds: [:], entries: [])
        plan.entries.reserveCapacity(imported.bank.questions.count)
        for incoming in imported.bank.questions {
            plan.kinds[incoming.kind.rawValue, default: 0] += 1
            let status: ImportPlan.Status
            var changes: [QuestionChange] = []
            var unclassified = incoming.unclassified
            switch try matcher.match(incoming) {
            case .new: status = .new; plan.added += 1
            case .unchanged: status = .unchanged; plan.unchanged += 1
            case let .changed(_, question, _, before):
                status = .changed; plan.revised += 1
                changes = QuestionChange.between(before, question)
                unclassified = question.unclassified
            }
            if unclassified { plan.unclassified += 1 }
            plan.entries.append(ImportPlan.Entry(id: incoming.id, place: imported.places[incoming.id], kind: incoming.kind, status: status,
                                                 unclassified: unclassified, stem: String(incoming.stem.prefix(120)), changes: changes))
        }
        return plan
    }

    /// Every bank, by name.
    public func banks() throws -> [BankSummary] {
        try writer.read { db in try Self.banks(db) }
    }

    static func banks(_ db: SQLConnection) throws -> [BankSummary] {
        do {
            return try SQLRow.fetchAll(db, sql: """
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
            guard let bank = try BankRecord.fetchOne(db, where: "name = ?", arguments: [name]) else {
                throw StoreError(.notFound, "không có ngân hàng \"\(name)\" / no bank named \"\(name)\"", field: "bank")
            }
            let contents = try String.fetchAll(db, sql: """
                SELECT r.content FROM question q JOIN questionRevision r ON r.questionId = q.id AND r.revision = q.currentRevision
                WHERE q.bankId = ? ORDER BY q.id
                """, arguments: [bank.id!])
            let decoder = JSONDecoder()
            let questions = try contents.map { try decoder.decode(Question.self, from: Data($0.utf8)) }
            let groups = try SQLRow.fetchAll(db, sql: """
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
            try SQLRow.fetchAll(db, sql: """
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

    static func question(_ db: SQLConnection, id: String, bank: String?, revision: Int?) throws -> StoredQuestion {
        do {
            var sql = "SELECT q.id, q.currentRevision, b.name FROM question q JOIN bank b ON b.id = q.bankId WHERE q.externalId = ?"
            var arguments: SQLArguments = [id]
            if let bank { sql += " AND b.name = ?"; arguments += [bank] }
            let rows = try SQLRow.fetchAll(db, sql: sql, arguments: arguments)
            guard let row = rows.first else { throw StoreError(.notFound, "không có câu hỏi \"\(id)\" / no question \"\(id)\"", field: "id") }
            guard rows.count == 1 else {
                throw StoreError(.invalid, "câu \"\(id)\" có ở nhiều ngân hàng; chọn một / \"\(id)\" is in several banks; name one",
                                 field: "bank", problems: rows.map { $0["name"] })
            }
            let questionId: Int64 = row["id"]
            let current: Int = row["currentRevision"]
            let wanted = revision ?? current
            guard let revisionRow = try QuestionRevisionRecord.fetchOne(db, where: "questionId = ? AND revision = ?", arguments: [questionId, wanted]) else {
                throw StoreError(.notFound, "câu \"\(id)\" không có phiên bản \(wanted) / no revision \(wanted)", field: "revision")
            }
            let history = try QuestionRevisionRecord.fetchAll(db, where: "questionId = ? ORDER BY revision", arguments: [questionId])
            let media = try SQLRow.fetchAll(db, sql: "SELECT name, mediaSha256 FROM questionRevisionMedia WHERE questionRevisionId = ?", arguments: [revisionRow.id!])
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

    static func search(_ db: SQLConnection, _ query: QuestionQuery) throws -> [SearchHit] {
        var conditions: [String] = []
        var arguments: SQLArguments = []
        var from = "question q JOIN bank b ON b.id = q.bankId JOIN questionRevision r ON r.questionId = q.id AND r.revision = q.currentRevision"
        var order = "b.name, q.id"
        if let match = Canonical.matchExpression(query.text, on: db.engine) {
            // The full-text search first, once (see `browse`).
            from = "(\(db.searchHits(ranked: true))) hits CROSS JOIN " + from
            conditions.append("q.id = hits.id")
            arguments += [match]
            order = "hits.score, q.id"
        }
        conditions.append("q.retired = 0")
        if let bank = query.bank { conditions.append("b.name = ?"); arguments += [bank] }
        let filters = AppDatabase.currentFilters(subject: query.subject, grade: query.grade, topic: query.topic, lesson: nil, level: query.level,
                                                 kind: query.kind, tag: query.tag)
        conditions += filters.conditions
        arguments += filters.arguments
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments += [max(1, min(query.limit, 10_000))]
        do {
            return try SQLRow.fetchAll(db, sql: """
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
    /// From the command line: a new blueprint is the school's (admins change it) unless `owner` is given.
    public func saveBlueprint(_ blueprint: Blueprint, owner: String? = nil) throws {
        try blueprint.validate()
        let content = String(decoding: try Canonical.encoder.encode(blueprint), as: UTF8.self)
        let now = Date()
        try writer.write { db in
            if var existing = try BlueprintRecord.fetchOne(db, where: "name = ?", arguments: [blueprint.name]) {
                existing.content = content
                existing.subject = blueprint.subject
                existing.updatedAt = now
                if let owner { existing.ownerUsername = owner }
                try existing.update(db)
            } else {
                var record = BlueprintRecord(id: nil, name: blueprint.name, subject: blueprint.subject, content: content, createdAt: now, updatedAt: now,
                                             ownerUsername: owner)
                try record.insert(db)
            }
        }
    }

    public func blueprint(named name: String) throws -> Blueprint {
        try writer.read { db in
            guard let record = try BlueprintRecord.fetchOne(db, where: "name = ?", arguments: [name]) else {
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
        try writer.read { db in try MediaRecord.fetchOne(db, where: "sha256 = ?", arguments: [sha256]).map { MediaData(data: $0.data, mimeType: $0.mimeType) } }
    }
}
