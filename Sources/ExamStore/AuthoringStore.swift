import ExamCore
import Foundation
internal import GRDB

// The SQLite side of authoring: banks with owners and shares, the bank browser, the question editor with
// its revisions, bulk changes, imports, blueprints, print sets and the audit log. Access is checked here,
// in the transaction that reads or writes.

extension AppDatabase {
    // MARK: - access

    static func access(_ db: SQLConnection, _ bank: BankRecord, _ actor: Actor) throws -> BankAccess {
        if actor.isAdmin || (bank.ownerUsername != nil && bank.ownerUsername == actor.username) { return .owner }
        let shared = try String.fetchOne(db, sql: "SELECT access FROM bankShare WHERE bankId = ? AND username = ?", arguments: [bank.id!, actor.username])
        if shared == "edit" { return .edit }
        if shared == "read" || bank.visibility == "school" { return .read }
        return .none
    }

    /// Refuses a member without `needed` access: a bank they may not even read is "not found" (its name is
    /// not told), one they read but may not change is "forbidden".
    static func requireAccess(_ db: SQLConnection, _ bank: BankRecord, _ needed: BankAccess, _ actor: Actor) throws {
        let has = try access(db, bank, actor)
        if has == .none { throw notFoundBank(bank.name) }
        guard has >= needed else {
            let what = needed == .owner ? "chỉ chủ ngân hàng hoặc quản trị / only its owner or an admin" : "chưa được chia sẻ để sửa / not shared with you for editing"
            throw StoreError(.forbidden, "ngân hàng \"\(bank.name)\": \(what)", field: "bank")
        }
    }

    static func notFoundBank(_ name: String) -> StoreError {
        StoreError(.notFound, "không có ngân hàng \"\(name)\" / no bank named \"\(name)\"", field: "bank")
    }

    /// The bank named `name`, if `actor` has `needed` access to it.
    static func bank(_ db: SQLConnection, named name: String, _ needed: BankAccess, _ actor: Actor) throws -> BankRecord {
        guard let bank = try BankRecord.fetchOne(db, where: "name = ?", arguments: [name]) else { throw notFoundBank(name) }
        try requireAccess(db, bank, needed, actor)
        return bank
    }

    // MARK: - banks

    static func bankInfos(_ db: SQLConnection, actor: Actor, only name: String? = nil) throws -> [BankInfo] {
        let rows = try SQLRow.fetchAll(db, sql: """
            SELECT b.id, b.name, b.subject, b.updatedAt, b.ownerUsername, b.visibility,
              (SELECT count(*) FROM question q WHERE q.bankId = b.id AND q.retired = 0) AS questions,
              (SELECT count(*) FROM question q JOIN questionRevision r ON r.questionId = q.id AND r.revision = q.currentRevision
                 WHERE q.bankId = b.id AND q.retired = 0 AND r.unclassified <> 0) AS unclassified,
              (SELECT count(*) FROM question q WHERE q.bankId = b.id AND q.retired <> 0) AS retired,
              (SELECT access FROM bankShare s WHERE s.bankId = b.id AND s.username = ?) AS shared
            FROM bank b \(name == nil ? "" : "WHERE b.name = ?") ORDER BY b.name
            """, arguments: name.map { [actor.username, $0] } ?? [actor.username])
        var infos: [BankInfo] = []
        for row in rows {
            let owner: String? = row["ownerUsername"]
            let visibility = BankVisibility(rawValue: row["visibility"]) ?? .school
            let shared: String? = row["shared"]
            let access: BankAccess = actor.isAdmin || (owner != nil && owner == actor.username) ? .owner
                : shared == "edit" ? .edit : (shared == "read" || visibility == .school) ? .read : .none
            guard access != .none else { continue }
            // Who it is shared with is for those who manage it.
            let shares = access == .owner ? try SQLRow.fetchAll(db, sql: "SELECT username, access FROM bankShare WHERE bankId = ? ORDER BY username",
                                                            arguments: [row["id"] as Int64]).map { BankShare(username: $0["username"], access: BankAccess(rawValue: $0["access"]) ?? .read) } : []
            infos.append(BankInfo(name: row["name"], subject: row["subject"], owner: owner, visibility: visibility, shares: shares,
                                  questions: row["questions"], unclassified: row["unclassified"], retired: row["retired"], updatedAt: row["updatedAt"], access: access))
        }
        return infos
    }

    static func createBank(_ db: SQLConnection, name: String, subject: String?, visibility: BankVisibility, actor: Actor, now: Date) throws -> BankInfo {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 200 else { throw StoreError.invalid("name", "tên ngân hàng từ 1 đến 200 ký tự / a bank name of 1 to 200 characters") }
        guard try BankRecord.fetchOne(db, where: "name = ?", arguments: [name]) == nil else {
            throw StoreError(.exists, "đã có ngân hàng \"\(name)\" / a bank named \"\(name)\" exists", field: "name")
        }
        let subject = subject?.trimmingCharacters(in: .whitespaces)
        var bank = BankRecord(id: nil, name: name, subject: subject?.isEmpty == false ? subject : nil, createdAt: now, updatedAt: now,
                              ownerUsername: actor.username, visibility: visibility.rawValue)
        try bank.insert(db)
        try audit(db, action: "bank.create", subject: "bank:\(name)", actor: actor, now: now, details: ["visibility": visibility.rawValue])
        return try bankInfos(db, actor: actor, only: name)[0]
    }

    static func updateBank(_ db: SQLConnection, name: String, visibility: BankVisibility?, shares: [BankShare]?, actor: Actor, now: Date) throws -> BankInfo {
        var bank = try bank(db, named: name, .owner, actor)
        if let visibility { bank.visibility = visibility.rawValue }
        if let shares {
            for share in shares {
                guard share.access == .read || share.access == .edit else { throw StoreError.invalid("shares", "chia sẻ: read hoặc edit / share with read or edit") }
                guard try String.fetchOne(db, sql: "SELECT username FROM staff WHERE username = ?", arguments: [share.username]) != nil else {
                    throw StoreError(.invalid, "không có cán bộ \"\(share.username)\" / no member of staff \"\(share.username)\"", field: "shares")
                }
            }
            try db.execute(sql: "DELETE FROM bankShare WHERE bankId = ?", arguments: [bank.id!])
            for share in shares where share.username != bank.ownerUsername {
                try db.execute(sql: "INSERT INTO bankShare(bankId, username, access) VALUES (?, ?, ?) ON CONFLICT(bankId, username) DO UPDATE SET access = excluded.access", arguments: [bank.id!, share.username, share.access.rawValue])
            }
        }
        bank.updatedAt = now
        try bank.update(db)
        struct Details: Encodable { var visibility: String; var shares: [String] }
        try audit(db, action: "bank.share", subject: "bank:\(name)", actor: actor, now: now,
                  encoded: Details(visibility: bank.visibility, shares: (shares ?? []).map { "\($0.username):\($0.access.rawValue)" }))
        return try bankInfos(db, actor: actor, only: name)[0]
    }

    // MARK: - the bank browser

    static func browse(_ db: SQLConnection, _ query: BrowseQuery, actor: Actor) throws -> BrowsePage {
        let bank = try bank(db, named: query.bank, .read, actor)
        guard (1...BrowseQuery.maximumPageSize).contains(query.pageSize) else {
            throw StoreError.invalid("pageSize", "số câu mỗi trang từ 1 đến \(BrowseQuery.maximumPageSize) / page size 1 to \(BrowseQuery.maximumPageSize)")
        }
        guard query.page >= 1, query.page <= 1_000_000 else { throw StoreError.invalid("page", "trang từ 1 / pages start at 1") }
        // The question rows carry their current revision's attributes (v7), so the filters and the sort never
        // visit the revisions; only the page's 50 contents are read after.
        var from = "question q"
        var conditions = ["q.bankId = ?", query.retired ? "q.retired <> 0" : "q.retired = 0"]
        var arguments: SQLArguments = []
        if let match = Canonical.matchExpression(query.text, on: db.engine) {
            // The full-text search runs once, first (CROSS JOIN keeps that order): joined the other way round,
            // SQLite ran it once per question of the bank. No ranking: bm25 over thousands of matches cost more
            // than the rest of the page, and the browser sorts by the teacher's column.
            from = "(\(db.searchHits(ranked: false))) hits CROSS JOIN question q"
            conditions.append("q.id = hits.id")
            arguments += [match]
        }
        arguments += [bank.id!]
        let filters = currentFilters(subject: query.subject, grade: query.grade, topic: query.topic, lesson: query.lesson, level: query.level,
                                     kind: query.kind, tag: query.tag)
        conditions += filters.conditions
        arguments += filters.arguments
        if let unclassified = query.unclassified { conditions.append(unclassified ? "q.currentUnclassified <> 0" : "q.currentUnclassified = 0") }
        if let used = query.used { conditions.append((used ? "" : "NOT ") + usedCondition) }
        let whereClause = conditions.joined(separator: " AND ")
        let direction = query.descending ? "DESC" : "ASC"
        let order: String
        switch query.sort {
        case .added: order = "q.id \(direction)"
        case .updated: order = "q.currentCreatedAt \(direction), q.id \(direction)"
        case .topic: order = "q.currentTopic \(direction), q.currentLesson \(direction), q.id"
        case .level: order = "q.currentLevel \(direction), q.id"
        case .kind: order = "q.currentKind \(direction), q.id"
        }
        // One pass over the matches in order: counted as they go by, the page's ids kept (cheaper than a window
        // count, which sorts every match twice).
        let first = (query.page - 1) * query.pageSize
        var total = 0
        var ids: [Int64] = []
        let cursor = try Int64.fetchCursor(db, sql: "SELECT q.id FROM \(from) WHERE \(whereClause) ORDER BY \(order)", arguments: arguments)
        while let id = try cursor.next() {
            if total >= first, ids.count < query.pageSize { ids.append(id) }
            total += 1
        }
        let position = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($0.element, $0.offset) })
        let rows = ids.isEmpty ? [] : try SQLRow.fetchAll(db, sql: """
            SELECT q.id, q.retired, r.id AS revisionId, r.content, r.createdAt, r.createdBy FROM question q
            JOIN questionRevision r ON r.questionId = q.id AND r.revision = q.currentRevision
            WHERE q.id IN (\(Array(repeating: "?", count: ids.count).joined(separator: ",")))
            """, arguments: SQLArguments(ids)).sorted { position[$0["id"]]! < position[$1["id"]]! }
        let questionIds = rows.map { $0["id"] as Int64 }
        let uses = try useCounts(db, questionIds: questionIds)
        let media = try mediaNames(db, revisionIds: rows.map { $0["revisionId"] as Int64 })
        let observed = try observedStatistics(db, revisionIds: rows.map { $0["revisionId"] as Int64 })
        let decoder = JSONDecoder()
        let page = try rows.map { row in
            BrowseRow(question: try decoder.decode(Question.self, from: Data((row["content"] as String).utf8)), media: media[row["revisionId"]] ?? [:],
                      uses: uses[row["id"]] ?? 0, retired: row["retired"], updatedAt: row["createdAt"], updatedBy: row["createdBy"],
                      observed: observed[row["revisionId"]])
        }
        return BrowsePage(total: total, page: query.page, pageSize: query.pageSize, rows: page)
    }

    /// The latest kept statistics of each revision.
    static func observedStatistics(_ db: SQLConnection, revisionIds: [Int64]) throws -> [Int64: ObservedStatistics] {
        guard !revisionIds.isEmpty else { return [:] }
        var result: [Int64: ObservedStatistics] = [:]
        for row in try SQLRow.fetchAll(db, sql: """
            SELECT s.questionRevisionId, e.name, s.attempts, s.facility, s.discrimination FROM questionStatistic s JOIN exam e ON e.id = s.examId
            WHERE s.questionRevisionId IN (\(Array(repeating: "?", count: revisionIds.count).joined(separator: ","))) ORDER BY s.computedAt, s.examId
            """, arguments: SQLArguments(revisionIds)) {
            result[row[0]] = ObservedStatistics(exam: row[1], attempts: row[2], facility: row[3], discrimination: row[4])
        }
        return result
    }

    /// Conditions on question `q` by its current revision's attributes (the columns v7 keeps on the question row),
    /// for the bank browser and the command line's search.
    static func currentFilters(subject: String?, grade: Int?, topic: String?, lesson: String?, level: Level?, kind: QuestionKind?,
                               tag: String?) -> (conditions: [String], arguments: SQLArguments) {
        var conditions: [String] = []
        var arguments: SQLArguments = []
        let equal: [(String, (any DatabaseValueConvertible)?)] = [
            ("currentSubject", subject), ("currentGrade", grade), ("currentTopic", topic), ("currentLesson", lesson),
            ("currentLevel", level?.rawValue), ("currentKind", kind?.rawValue),
        ]
        for case let (column, value?) in equal {
            conditions.append("q.\(column) = ?")
            arguments += [value]
        }
        if let tag {
            conditions.append("""
                EXISTS (SELECT 1 FROM questionRevision r JOIN questionTag t ON t.questionRevisionId = r.id
                        WHERE r.questionId = q.id AND r.revision = q.currentRevision AND t.tag = ?)
                """)
            arguments += [tag]
        }
        return (conditions, arguments)
    }

    /// Whether a paper (of an exam or a print set) uses any revision of question `q`.
    static let usedCondition = """
        (EXISTS (SELECT 1 FROM questionRevision u JOIN paperItem p ON p.questionRevisionId = u.id WHERE u.questionId = q.id)
         OR EXISTS (SELECT 1 FROM questionRevision u JOIN printPaperItem p ON p.questionRevisionId = u.id WHERE u.questionId = q.id))
        """

    /// Papers using each question (any revision), for the questions given.
    static func useCounts(_ db: SQLConnection, questionIds: [Int64]) throws -> [Int64: Int] {
        guard !questionIds.isEmpty else { return [:] }
        let marks = Array(repeating: "?", count: questionIds.count).joined(separator: ",")
        let ids = SQLArguments(questionIds)
        return Dictionary(uniqueKeysWithValues: try SQLRow.fetchAll(db, sql: """
            SELECT questionId, count(*) AS uses FROM (
              SELECT DISTINCT u.questionId, 'e' || p.paperId AS paper FROM questionRevision u JOIN paperItem p ON p.questionRevisionId = u.id WHERE u.questionId IN (\(marks))
              UNION
              SELECT DISTINCT u.questionId, 'p' || p.printPaperId FROM questionRevision u JOIN printPaperItem p ON p.questionRevisionId = u.id WHERE u.questionId IN (\(marks))
            ) used GROUP BY questionId
            """, arguments: ids + ids).map { ($0["questionId"] as Int64, $0["uses"] as Int) })
    }

    /// The images each revision's text names: revision row id → (name → SHA-256).
    static func mediaNames(_ db: SQLConnection, revisionIds: [Int64]) throws -> [Int64: [String: String]] {
        guard !revisionIds.isEmpty else { return [:] }
        let marks = Array(repeating: "?", count: revisionIds.count).joined(separator: ",")
        var result: [Int64: [String: String]] = [:]
        for row in try SQLRow.fetchAll(db, sql: "SELECT questionRevisionId, name, mediaSha256 FROM questionRevisionMedia WHERE questionRevisionId IN (\(marks))",
                                    arguments: SQLArguments(revisionIds)) {
            result[row["questionRevisionId"], default: [:]][row["name"]] = row["mediaSha256"]
        }
        return result
    }

    static func facets(_ db: SQLConnection, bank name: String, actor: Actor) throws -> BankFacets {
        let bank = try bank(db, named: name, .read, actor)
        let live = "question q WHERE q.bankId = ? AND q.retired = 0"
        func text(_ expression: String) throws -> [BankFacets.Count] {
            try SQLRow.fetchAll(db, sql: "SELECT \(expression) AS value, count(*) AS n FROM \(live) AND \(expression) IS NOT NULL GROUP BY value",
                             arguments: [bank.id!]).map { BankFacets.Count(value: $0["value"], count: $0["n"]) }
                .sorted { VietnameseCollation.precedes($0.value, $1.value) }
        }
        let grades = try SQLRow.fetchAll(db, sql: "SELECT q.currentGrade AS value, count(*) AS n FROM \(live) AND q.currentGrade IS NOT NULL GROUP BY q.currentGrade ORDER BY q.currentGrade",
                                      arguments: [bank.id!]).map { BankFacets.Count(value: String($0["value"] as Int), count: $0["n"]) }
        let tags = try SQLRow.fetchAll(db, sql: """
            SELECT t.tag AS value, count(*) AS n FROM question q
            JOIN questionRevision r ON r.questionId = q.id AND r.revision = q.currentRevision JOIN questionTag t ON t.questionRevisionId = r.id
            WHERE q.bankId = ? AND q.retired = 0 GROUP BY t.tag
            """, arguments: [bank.id!]).map { BankFacets.Count(value: $0["value"], count: $0["n"]) }.sorted { VietnameseCollation.precedes($0.value, $1.value) }
        return BankFacets(
            subjects: try text("q.currentSubject"), grades: grades, topics: try text("q.currentTopic"),
            lessons: try text("q.currentTopic || ' / ' || q.currentLesson"), levels: try text("q.currentLevel"), kinds: try text("q.currentKind"), tags: tags,
            unclassified: try Int.fetchOne(db, sql: "SELECT count(*) FROM \(live) AND q.currentUnclassified <> 0", arguments: [bank.id!]) ?? 0,
            used: try Int.fetchOne(db, sql: "SELECT count(*) FROM \(live) AND \(usedCondition)", arguments: [bank.id!]) ?? 0,
            retired: try Int.fetchOne(db, sql: "SELECT count(*) FROM question q WHERE q.bankId = ? AND q.retired <> 0", arguments: [bank.id!]) ?? 0)
    }

    // MARK: - one question

    struct QuestionRow {
        let id: Int64
        let externalId: String
        let currentRevision: Int
        let retired: Bool
    }

    static func questionRow(_ db: SQLConnection, bankId: Int64, id: String) throws -> QuestionRow {
        guard let row = try SQLRow.fetchOne(db, sql: "SELECT id, externalId, currentRevision, retired FROM question WHERE bankId = ? AND externalId = ?",
                                         arguments: [bankId, id]) else {
            throw StoreError(.notFound, "không có câu hỏi \"\(id)\" / no question \"\(id)\"", field: "id")
        }
        return QuestionRow(id: row["id"], externalId: row["externalId"], currentRevision: row["currentRevision"], retired: row["retired"])
    }

    static func currentQuestion(_ db: SQLConnection, questionId: Int64, revision: Int) throws -> (question: Question, revisionId: Int64) {
        guard let row = try SQLRow.fetchOne(db, sql: "SELECT id, content FROM questionRevision WHERE questionId = ? AND revision = ?", arguments: [questionId, revision]) else {
            throw StoreError(.notFound, "không có phiên bản \(revision) / no revision \(revision)", field: "revision")
        }
        return (try JSONDecoder().decode(Question.self, from: Data((row["content"] as String).utf8)), row["id"])
    }

    static func detail(_ db: SQLConnection, bank name: String, id: String, actor: Actor) throws -> QuestionDetail {
        let bank = try bank(db, named: name, .read, actor)
        let question = try questionRow(db, bankId: bank.id!, id: id)
        let decoder = JSONDecoder()
        let rows = try SQLRow.fetchAll(db, sql: "SELECT id, revision, content, createdAt, createdBy FROM questionRevision WHERE questionId = ? ORDER BY revision",
                                    arguments: [question.id])
        var revisions: [QuestionDetail.Revision] = []
        var currentRevisionId: Int64 = 0
        for row in rows {
            let content = try decoder.decode(Question.self, from: Data((row["content"] as String).utf8))
            let changes = revisions.last.map { QuestionChange.between($0.question, content) } ?? []
            revisions.append(.init(revision: row["revision"], createdAt: row["createdAt"], createdBy: row["createdBy"], changes: changes, question: content))
            if row["revision"] as Int == question.currentRevision { currentRevisionId = row["id"] }
        }
        guard let current = revisions.first(where: { $0.revision == question.currentRevision }) else {
            throw StoreError(.notFound, "không có phiên bản hiện hành / no current revision", field: "revision")
        }
        return QuestionDetail(bank: bank.name, question: current.question, media: try mediaNames(db, revisionIds: [currentRevisionId])[currentRevisionId] ?? [:],
                              currentRevision: question.currentRevision, revisions: revisions,
                              uses: try useCounts(db, questionIds: [question.id])[question.id] ?? 0, retired: question.retired,
                              access: try access(db, bank, actor))
    }

    /// Saves a question from the editor: a new question (`baseRevision` nil) or a new revision of the one
    /// opened at `baseRevision` (refused with `staleRevision` if someone saved since). Checked by ExamCore's
    /// rules; its images must be stored already. Saving it unchanged makes no revision.
    static func saveQuestion(_ db: SQLConnection, bank name: String, question incoming: Question, baseRevision: Int?, media: [String: String],
                             actor: Actor, now: Date, action: String = "question.edit", reason: String = "") throws -> SavedQuestion {
        let bank = try bank(db, named: name, .edit, actor)
        var question = incoming
        question.id = question.id.trimmingCharacters(in: .whitespaces)
        question.topic = question.topic.trimmingCharacters(in: .whitespaces)
        question.subject = question.subject.trimmingCharacters(in: .whitespaces)
        if question.subject.isEmpty || question.subject == Question.unclassifiedTopic, let subject = bank.subject { question.subject = subject }
        // Saved from the editor, where the level is in plain sight: classified once it has a real topic.
        if question.topic.isEmpty { question.topic = Question.unclassifiedTopic }
        question.unclassified = question.topic == Question.unclassifiedTopic || question.subject == Question.unclassifiedTopic
        if let group = question.groupID,
           try Int64.fetchOne(db, sql: "SELECT id FROM passage WHERE bankId = ? AND externalId = ?", arguments: [bank.id!, group]) == nil {
            throw StoreError(.invalid, "không có đoạn văn \"\(group)\" trong ngân hàng / no passage \"\(group)\" in the bank", field: "group")
        }
        let identity = Canonical.identityHash(question)
        if baseRevision == nil && question.id.isEmpty {
            var taken = Set(try String.fetchAll(db, sql: "SELECT externalId FROM question WHERE bankId = ? AND externalId LIKE 'q-%'", arguments: [bank.id!]))
            question.id = StableID.make(prefix: "q", identity: identity, taken: &taken)
        }
        let problems = question.problems()
        guard problems.isEmpty else {
            throw StoreError(.invalid, "câu hỏi chưa hợp lệ / the question is not valid", field: "question", problems: problems)
        }
        let referenced = Set(MediaReferences.texts(of: question).flatMap(MediaReferences.names(in:)))
        let kept = media.filter { referenced.contains($0.key) }
        for sha in Set(kept.values) where try !MediaRecord.exists(db, sha256: sha) {
            throw StoreError(.invalid, "ảnh \(sha.prefix(12))… chưa được tải lên / image not uploaded", field: "media")
        }
        guard let baseRevision else {
            if try Int64.fetchOne(db, sql: "SELECT id FROM question WHERE bankId = ? AND externalId = ?", arguments: [bank.id!, question.id]) != nil {
                throw StoreError(.exists, "đã có câu \"\(question.id)\" / a question \"\(question.id)\" exists", field: "id")
            }
            if let same = try String.fetchOne(db, sql: """
                SELECT q.externalId FROM questionRevision r JOIN question q ON q.id = r.questionId
                WHERE r.identityHash = ? AND q.bankId = ? AND r.revision = q.currentRevision AND q.retired = 0 LIMIT 1
                """, arguments: [identity, bank.id!]) {
                throw StoreError(.exists, "ngân hàng đã có câu này: \(same) / the bank has this question already: \(same)", field: "id")
            }
            question.revision = 1
            _ = try insertRevision(db, questionId: try db.insert(sql: "INSERT INTO question(bankId, externalId, currentRevision) VALUES (?, ?, 1)", arguments: [bank.id!, question.id]), question: question, content: try Canonical.content(of: question),
                                   media: kept, createdBy: actor.username, now: now)
            try auditQuestion(db, action: "question.create", bank: bank.name, id: question.id, from: nil, to: 1, changes: [], actor: actor.username, now: now)
            try touch(db, bank.id!, now)
            return SavedQuestion(id: question.id, revision: 1, changed: true, changes: [])
        }
        let row = try questionRow(db, bankId: bank.id!, id: question.id)
        guard !row.retired else {
            throw StoreError(.invalid, "câu \"\(question.id)\" đã bị xoá khỏi ngân hàng; khôi phục trước / the question is retired; restore it first", field: "id")
        }
        guard row.currentRevision == baseRevision else {
            throw StoreError(.staleRevision, "câu \"\(question.id)\" đã được lưu phiên bản \(row.currentRevision) sau khi bạn mở (phiên bản \(baseRevision)); tải lại để xem / someone saved revision \(row.currentRevision) since you opened \(baseRevision); reload",
                             field: "baseRevision")
        }
        let (before, revisionId) = try currentQuestion(db, questionId: row.id, revision: row.currentRevision)
        let beforeMedia = try mediaNames(db, revisionIds: [revisionId])[revisionId] ?? [:]
        question.revision = 1
        var content = try Canonical.content(of: question)
        if content.hash == (try String.fetchOne(db, sql: "SELECT contentHash FROM questionRevision WHERE id = ?", arguments: [revisionId])) && beforeMedia == kept {
            return SavedQuestion(id: question.id, revision: row.currentRevision, changed: false, changes: [])
        }
        question.revision = row.currentRevision + 1
        content = try Canonical.content(of: question)
        try db.execute(sql: "UPDATE question SET currentRevision = ? WHERE id = ?", arguments: [question.revision, row.id])
        _ = try insertRevision(db, questionId: row.id, question: question, content: content, media: kept, createdBy: actor.username, now: now)
        var changes = QuestionChange.between(before, question)
        if changes.isEmpty { changes = [QuestionChange(field: "images", before: beforeMedia.keys.sorted().joined(separator: ", "), after: kept.keys.sorted().joined(separator: ", "))] }
        try auditQuestion(db, action: action, bank: bank.name, id: question.id, from: row.currentRevision, to: question.revision, changes: changes,
                          actor: actor.username, now: now, reason: reason)
        try touch(db, bank.id!, now)
        return SavedQuestion(id: question.id, revision: question.revision, changed: true, changes: changes)
    }

    /// An earlier revision saved again as the newest (nothing is ever overwritten).
    static func restoreRevision(_ db: SQLConnection, bank name: String, id: String, revision: Int, baseRevision: Int, actor: Actor, now: Date) throws -> SavedQuestion {
        let bank = try bank(db, named: name, .edit, actor)
        let row = try questionRow(db, bankId: bank.id!, id: id)
        let (old, revisionId) = try currentQuestion(db, questionId: row.id, revision: revision)
        let media = try mediaNames(db, revisionIds: [revisionId])[revisionId] ?? [:]
        return try saveQuestion(db, bank: name, question: old, baseRevision: baseRevision, media: media, actor: actor, now: now,
                                action: "question.restore", reason: "phiên bản \(revision) / revision \(revision)")
    }

    static func touch(_ db: SQLConnection, _ bankId: Int64, _ now: Date) throws {
        try db.execute(sql: "UPDATE bank SET updatedAt = ? WHERE id = ?", arguments: [now, bankId])
    }

    static func isUsed(_ db: SQLConnection, questionId: Int64) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT \(usedCondition) FROM question q WHERE q.id = ?", arguments: [questionId]) ?? false
    }

    // MARK: - bulk changes

    /// The most questions one bulk change takes.
    static let maximumBulk = 5_000

    static func bulk(_ db: SQLConnection, bank name: String, ids: [String], action: BulkAction, actor: Actor, now: Date) throws -> BulkResult {
        let bank = try bank(db, named: name, .edit, actor)
        guard !ids.isEmpty, ids.count <= maximumBulk else { throw StoreError.invalid("ids", "chọn từ 1 đến \(maximumBulk) câu / choose 1 to \(maximumBulk) questions") }
        var result = BulkResult.none
        var target: BankRecord?
        switch action {
        case let .move(toBank), let .copy(toBank):
            guard toBank != name else { throw StoreError.invalid("toBank", "ngân hàng đích trùng ngân hàng nguồn / the target is the same bank") }
            target = try self.bank(db, named: toBank, .edit, actor)
        case let .classify(_, topic, _, _), let .setTopic(topic, _):
            guard !topic.trimmingCharacters(in: .whitespaces).isEmpty, topic != Question.unclassifiedTopic else {
                throw StoreError.invalid("topic", "cần tên chủ đề / a topic is needed")
            }
        case let .addTags(tags), let .removeTags(tags):
            guard !tags.isEmpty, tags.allSatisfy({ !$0.trimmingCharacters(in: .whitespaces).isEmpty && $0.count <= 100 }) else {
                throw StoreError.invalid("tags", "cần thẻ (1–100 ký tự) / tags of 1 to 100 characters")
            }
        default: break
        }
        var touchedIds: [String] = []
        for id in ids {
            guard let row = try? questionRow(db, bankId: bank.id!, id: id) else { result.skipped.append("\(id): không có / not found"); continue }
            switch action {
            case .delete:
                if row.retired { result.unchanged += 1; continue }
                if try isUsed(db, questionId: row.id) {
                    try db.execute(sql: "UPDATE question SET retired = 1 WHERE id = ?", arguments: [row.id])
                    result.retired += 1
                } else {
                    try db.execute(sql: "DELETE FROM questionSearch WHERE \(db.searchKey) = ?", arguments: [row.id])
                    try db.execute(sql: "DELETE FROM questionRevision WHERE questionId = ?", arguments: [row.id])
                    try db.execute(sql: "DELETE FROM question WHERE id = ?", arguments: [row.id])
                    result.deleted += 1
                }
                touchedIds.append(id)
            case .restore:
                guard row.retired else { result.unchanged += 1; continue }
                try db.execute(sql: "UPDATE question SET retired = 0 WHERE id = ?", arguments: [row.id])
                result.restored += 1
                touchedIds.append(id)
            case .move:
                let (question, revisionId) = try currentQuestion(db, questionId: row.id, revision: row.currentRevision)
                if let reason = try conflict(db, question: question, in: target!) { result.skipped.append("\(id): \(reason)"); continue }
                if let group = question.groupID { try copyPassage(db, group, from: bank.id!, to: target!.id!, now: now) }
                _ = revisionId
                try db.execute(sql: "UPDATE question SET bankId = ? WHERE id = ?", arguments: [target!.id!, row.id])
                result.moved += 1
                touchedIds.append(id)
            case .copy:
                let (question, revisionId) = try currentQuestion(db, questionId: row.id, revision: row.currentRevision)
                if try conflict(db, question: question, in: target!, idMayDiffer: true) != nil { result.skipped.append("\(id): đã có ở ngân hàng đích / already in the target bank"); continue }
                if let group = question.groupID { try copyPassage(db, group, from: bank.id!, to: target!.id!, now: now) }
                var copy = question
                copy.revision = 1
                if try Int64.fetchOne(db, sql: "SELECT id FROM question WHERE bankId = ? AND externalId = ?", arguments: [target!.id!, copy.id]) != nil {
                    var taken = Set(try String.fetchAll(db, sql: "SELECT externalId FROM question WHERE bankId = ?", arguments: [target!.id!]))
                    copy.id = StableID.make(prefix: "q", identity: Canonical.identityHash(copy), taken: &taken)
                }
                let media = try mediaNames(db, revisionIds: [revisionId])[revisionId] ?? [:]
                _ = try insertRevision(db, questionId: try db.insert(sql: "INSERT INTO question(bankId, externalId, currentRevision) VALUES (?, ?, 1)", arguments: [target!.id!, copy.id]), question: copy, content: try Canonical.content(of: copy), media: media,
                                       createdBy: actor.username, now: now)
                result.copied += 1
                touchedIds.append(id)
            case .classify, .setTopic, .setLevel, .addTags, .removeTags:
                guard !row.retired else { result.skipped.append("\(id): đã xoá / retired"); continue }
                let (before, revisionId) = try currentQuestion(db, questionId: row.id, revision: row.currentRevision)
                var question = before
                switch action {
                case let .classify(subject, topic, lesson, level):
                    if let subject, !subject.isEmpty { question.subject = subject }
                    if question.subject == Question.unclassifiedTopic, let subject = bank.subject { question.subject = subject }
                    question.topic = topic; question.lesson = lesson?.isEmpty == true ? nil : lesson; question.level = level
                    question.unclassified = question.subject == Question.unclassifiedTopic
                case let .setTopic(topic, lesson):
                    question.topic = topic; question.lesson = lesson?.isEmpty == true ? nil : lesson
                case let .setLevel(level): question.level = level
                case let .addTags(tags): for tag in tags where !question.tags.contains(tag) { question.tags.append(tag) }
                case let .removeTags(tags): question.tags.removeAll { tags.contains($0) }
                default: break
                }
                if question.unclassified { result.stillUnclassified += 1 }
                let changes = QuestionChange.between(before, question)
                guard !changes.isEmpty else { result.unchanged += 1; continue }
                let media = try mediaNames(db, revisionIds: [revisionId])[revisionId] ?? [:]
                question.revision = row.currentRevision + 1
                try db.execute(sql: "UPDATE question SET currentRevision = ? WHERE id = ?", arguments: [question.revision, row.id])
                _ = try insertRevision(db, questionId: row.id, question: question, content: try Canonical.content(of: question), media: media,
                                       createdBy: actor.username, now: now)
                try auditQuestion(db, action: "question.bulk", bank: bank.name, id: id, from: row.currentRevision, to: question.revision, changes: changes,
                                  actor: actor.username, now: now)
                result.changed += 1
            }
        }
        switch action {
        case .delete, .restore, .move, .copy:
            if !touchedIds.isEmpty {
                struct Details: Encodable { var ids: [String]; var target: String?; var deleted: Int; var retired: Int }
                let verb = switch action { case .delete: "question.delete"; case .restore: "question.restore-retired"; case .move: "question.move"; default: "question.copy" }
                try audit(db, action: verb, subject: "bank:\(bank.name)", actor: actor, now: now,
                          encoded: Details(ids: touchedIds, target: target?.name, deleted: result.deleted, retired: result.retired))
            }
        default: break
        }
        try touch(db, bank.id!, now)
        if let target { try touch(db, target.id!, now) }
        return result
    }

    /// Why a question cannot go into `bank`: its id is taken there, or the bank has the same question.
    static func conflict(_ db: SQLConnection, question: Question, in bank: BankRecord, idMayDiffer: Bool = false) throws -> String? {
        if !idMayDiffer, try Int64.fetchOne(db, sql: "SELECT id FROM question WHERE bankId = ? AND externalId = ?", arguments: [bank.id!, question.id]) != nil {
            return "mã \(question.id) đã có ở ngân hàng đích / the id is taken in the target bank"
        }
        if let same = try String.fetchOne(db, sql: """
            SELECT q.externalId FROM questionRevision r JOIN question q ON q.id = r.questionId WHERE r.identityHash = ? AND q.bankId = ? LIMIT 1
            """, arguments: [Canonical.identityHash(question), bank.id!]) {
            return "ngân hàng đích đã có câu này (\(same)) / the target bank has this question (\(same))"
        }
        return nil
    }

    /// The passage `group` of one bank, made available in another (its current text as revision 1).
    static func copyPassage(_ db: SQLConnection, _ group: String, from source: Int64, to target: Int64, now: Date) throws {
        guard try Int64.fetchOne(db, sql: "SELECT id FROM passage WHERE bankId = ? AND externalId = ?", arguments: [target, group]) == nil,
              let row = try SQLRow.fetchOne(db, sql: """
                SELECT r.text, r.shuffleQuestions, r.contentHash FROM passage p JOIN passageRevision r ON r.passageId = p.id AND r.revision = p.currentRevision
                WHERE p.bankId = ? AND p.externalId = ?
                """, arguments: [source, group]) else { return }
        var passage = PassageRecord(id: nil, bankId: target, externalId: group, currentRevision: 1)
        try passage.insert(db)
        var revision = PassageRevisionRecord(id: nil, passageId: passage.id!, revision: 1, text: row["text"], shuffleQuestions: row["shuffleQuestions"],
                                             contentHash: row["contentHash"], createdAt: now)
        try revision.insert(db)
    }

    // MARK: - images

    /// The largest image the editor takes.
    public static let maximumImageBytes = 5 * 1024 * 1024

    /// Stores an image (PNG, JPEG, GIF or WebP, told by its bytes, not its name) once by its SHA-256.
    static func storeImage(_ db: SQLConnection, data: Data) throws -> (sha256: String, mimeType: String) {
        guard data.count <= maximumImageBytes else {
            throw StoreError.invalid("image", "ảnh lớn hơn \(maximumImageBytes / 1024 / 1024) MB / the image is larger than \(maximumImageBytes / 1024 / 1024) MB")
        }
        guard let mimeType = ImageKind.sniff(data) else {
            throw StoreError.invalid("image", "chỉ nhận ảnh PNG, JPEG, GIF hoặc WebP / only PNG, JPEG, GIF or WebP images")
        }
        let sha = Canonical.sha256(data)
        if try !MediaRecord.exists(db, sha256: sha) {
            try MediaRecord(sha256: sha, mimeType: mimeType, byteCount: data.count, data: data).insert(db)
        }
        return (sha, mimeType)
    }

    // MARK: - audit

    static func audit(_ db: SQLConnection, action: String, subject: String, actor: Actor, now: Date, details: [String: String] = [:], reason: String = "") throws {
        try audit(db, action: action, subject: subject, actor: actor, now: now, encoded: details, reason: reason)
    }

    static func audit(_ db: SQLConnection, action: String, subject: String, actor: Actor, now: Date, encoded details: some Encodable, reason: String = "") throws {
        var entry = AuditRecord(id: nil, at: now, actor: actor.username, action: action, examId: nil, sbd: nil, subject: subject, reason: reason,
                                details: String(decoding: try Canonical.encoder.encode(details), as: UTF8.self))
        try entry.insert(db)
    }

    /// From the command line: who owns a bank (nil: the school's) and who sees it. Recorded in the audit log.
    public func setBankOwner(bank name: String, owner: String?, visibility: BankVisibility, by actor: String = "khaothi bank owner") throws {
        try writer.write { db in
            guard var bank = try BankRecord.fetchOne(db, where: "name = ?", arguments: [name]) else { throw Self.notFoundBank(name) }
            if let owner, try String.fetchOne(db, sql: "SELECT username FROM staff WHERE username = ?", arguments: [owner]) == nil {
                throw StoreError(.notFound, "không có cán bộ \"\(owner)\" / no member of staff \"\(owner)\"", field: "owner")
            }
            bank.ownerUsername = owner
            bank.visibility = visibility.rawValue
            try bank.update(db)
            try Self.audit(db, action: "bank.owner", subject: "bank:\(name)", actor: Actor(username: actor, isAdmin: true), now: Date(),
                           details: ["owner": owner ?? "", "visibility": visibility.rawValue])
        }
    }

    public func auditEntries(_ query: AuditQuery) throws -> [AuditEntry] {
        try writer.read { db in try Self.auditEntries(db, query) }
    }

    static func auditEntries(_ db: SQLConnection, _ query: AuditQuery) throws -> [AuditEntry] {
        var conditions: [String] = []
        var arguments: SQLArguments = []
        func escapeLike(_ text: String) -> String { text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") }
        if let actor = query.actor { conditions.append("a.actor = ?"); arguments += [actor] }
        if let action = query.action { conditions.append("(a.action = ? OR a.action LIKE ? ESCAPE '\\')"); arguments += [action, escapeLike(action) + "%"] }
        if let subject = query.subject { conditions.append("(a.subject = ? OR a.subject LIKE ? ESCAPE '\\')"); arguments += [subject, escapeLike(subject) + "%"] }
        if let since = query.since { conditions.append("a.at >= ?"); arguments += [since] }
        if let exam = query.exam { conditions.append("e.name = ?"); arguments += [exam] }
        if let room = query.room {
            conditions.append("""
                (a.subject = ? OR a.sbd IN (SELECT c.sbd FROM candidate c JOIN room r ON r.id = c.roomId WHERE c.examId = a.examId AND r.name = ?))
                """)
            arguments += ["room:" + room, room]
        }
        arguments += [max(1, min(query.limit, 10_000))]
        return try SQLRow.fetchAll(db, sql: """
            SELECT a.id, a.at, a.actor, a.action, e.name AS exam, a.sbd, a.subject, a.reason, a.details FROM audit a LEFT JOIN exam e ON e.id = a.examId
            \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")) ORDER BY a.id \(query.ascending ? "ASC" : "DESC") LIMIT ?
            """, arguments: arguments).map {
            AuditEntry(id: $0["id"], at: $0["at"], actor: $0["actor"], action: $0["action"], exam: $0["exam"], sbd: $0["sbd"], subject: $0["subject"],
                       reason: $0["reason"], details: $0["details"])
        }
    }
}

/// Ids made from content: `q-` and the first digits of the identity hash, longer on a collision.
enum StableID {
    static func make(prefix: String, identity: String, taken: inout Set<String>) -> String {
        var id = "\(prefix)-\(identity.prefix(10))"
        var n = 2
        while taken.contains(id) { id = "\(prefix)-\(identity.prefix(10))-\(n)"; n += 1 }
        taken.insert(id)
        return id
    }
}

/// Image types told by their first bytes.
enum ImageKind {
    static func sniff(_ data: Data) -> String? {
        let bytes = [UInt8](data.prefix(12))
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if bytes.starts(with: Array("GIF87a".utf8)) || bytes.starts(with: Array("GIF89a".utf8)) { return "image/gif" }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) { return "image/webp" }
        return nil
    }
}

// MARK: - the repositories

extension DatabaseStore {
    /// Authoring writes go through GRDB's writer (not the answer writer's queue): they are rare, and the
    /// exam day's hot path does not wait behind a 2,000-question import longer than one transaction.
    func write<T: Sendable>(_ body: @escaping @Sendable (SQLConnection) throws -> T) async throws -> T {
        try await database.writer.write(body)
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (SQLConnection) throws -> T) async throws -> T {
        try await database.writer.read(body)
    }

    public func exportBank(named name: String) async throws -> QuestionBank {
        try await read { db in
            guard let bank = try BankRecord.fetchOne(db, where: "name = ?", arguments: [name]) else { throw AppDatabase.notFoundBank(name) }
            var source = try AppDatabase.paperBank(db, bankId: bank.id!, name: bank.name).bank
            source.subject = bank.subject
            return source
        }
    }

    public func banks(for actor: Actor) async throws -> [BankInfo] { try await read { try AppDatabase.bankInfos($0, actor: actor) } }

    public func createBank(name: String, subject: String?, visibility: BankVisibility, by actor: Actor, now: Date) async throws -> BankInfo {
        try await write { try AppDatabase.createBank($0, name: name, subject: subject, visibility: visibility, actor: actor, now: now) }
    }

    public func updateBank(name: String, visibility: BankVisibility?, shares: [BankShare]?, by actor: Actor, now: Date) async throws -> BankInfo {
        try await write { try AppDatabase.updateBank($0, name: name, visibility: visibility, shares: shares, actor: actor, now: now) }
    }

    public func browse(_ query: BrowseQuery, by actor: Actor) async throws -> BrowsePage { try await read { try AppDatabase.browse($0, query, actor: actor) } }

    public func facets(bank: String, by actor: Actor) async throws -> BankFacets { try await read { try AppDatabase.facets($0, bank: bank, actor: actor) } }

    public func detail(bank: String, id: String, by actor: Actor) async throws -> QuestionDetail {
        try await read { try AppDatabase.detail($0, bank: bank, id: id, actor: actor) }
    }

    public func save(question: Question, bank: String, baseRevision: Int?, media: [String: String], by actor: Actor, now: Date) async throws -> SavedQuestion {
        try await write { try AppDatabase.saveQuestion($0, bank: bank, question: question, baseRevision: baseRevision, media: media, actor: actor, now: now) }
    }

    public func restore(bank: String, id: String, revision: Int, baseRevision: Int, by actor: Actor, now: Date) async throws -> SavedQuestion {
        try await write { try AppDatabase.restoreRevision($0, bank: bank, id: id, revision: revision, baseRevision: baseRevision, actor: actor, now: now) }
    }

    public func bulk(bank: String, ids: [String], action: BulkAction, by actor: Actor, now: Date) async throws -> BulkResult {
        try await write { try AppDatabase.bulk($0, bank: bank, ids: ids, action: action, actor: actor, now: now) }
    }

    public func storeImage(_ data: Data) async throws -> (sha256: String, mimeType: String) {
        let stored = try await write { db -> [String] in let (sha, type) = try AppDatabase.storeImage(db, data: data); return [sha, type] }
        return (stored[0], stored[1])
    }

    public func planImport(_ imported: ImportedBank, bank: String?, by actor: Actor) async throws -> ImportPlan {
        try await read { try AppDatabase.planImport($0, imported, bankName: bank, actor: actor) }
    }

    public func importBank(_ imported: ImportedBank, bank: String?, partial: Bool, by actor: Actor, now: Date,
                           progress: (@Sendable (Int, Int) -> Void)?) async throws -> ImportSummary {
        try await write { try AppDatabase.importBank($0, imported, bankName: bank, partial: partial, actor: actor, now: now, progress: progress) }
    }
}

extension DatabaseStore: BlueprintRepository {
    public func blueprints(for actor: Actor) async throws -> [BlueprintSummary] { try await read { try AppDatabase.blueprintSummaries($0, actor: actor) } }

    public func blueprint(named name: String, for actor: Actor) async throws -> (blueprint: Blueprint, canEdit: Bool) {
        let (content, canEdit) = try await read { db -> (String, Bool) in
            let record = try AppDatabase.blueprintRecord(db, named: name)
            return (record.content, AppDatabase.canEdit(record, actor))
        }
        return (try JSONDecoder().decode(Blueprint.self, from: Data(content.utf8)), canEdit)
    }

    public func saveBlueprint(_ blueprint: Blueprint, originalName: String?, by actor: Actor, now: Date) async throws -> [String] {
        try await write { try AppDatabase.saveBlueprint($0, blueprint, originalName: originalName, actor: actor, now: now) }
    }

    public func deleteBlueprint(named name: String, by actor: Actor, now: Date) async throws {
        try await write { try AppDatabase.deleteBlueprint($0, name: name, actor: actor, now: now) }
    }

    public func check(_ blueprint: Blueprint, bank: String, by actor: Actor) async throws -> BlueprintCheck {
        try await read { try AppDatabase.checkBlueprint($0, blueprint, bank: bank, actor: actor) }
    }

    public func preview(_ blueprint: Blueprint, bank: String, seed: UInt64, by actor: Actor) async throws -> (paper: Paper, media: [String: [String: String]]) {
        let (paper, media) = try await read { try AppDatabase.previewPaper($0, blueprint, bank: bank, seed: seed, actor: actor) }
        return (paper, media)
    }
}

extension DatabaseStore: PrintSetRepository {
    public func printSets(for actor: Actor, coordinator: Bool) async throws -> [PrintSetSummary] {
        try await read { try AppDatabase.printSetSummaries($0, actor: actor, coordinator: coordinator) }
    }

    public func createPrintSet(_ request: PrintRequest, by actor: Actor, now: Date, progress: (@Sendable (Int, Int) -> Void)?) async throws -> PrintSetSummary {
        try await write { try AppDatabase.createPrintSet($0, request, actor: actor, now: now, progress: progress) }
    }

    public func printSet(id: Int64, for actor: Actor, coordinator: Bool) async throws -> PrintSet {
        try await read { try AppDatabase.printSet($0, id: id, actor: actor, coordinator: coordinator) }
    }

    public func deletePrintSet(id: Int64, by actor: Actor, now: Date) async throws {
        try await write { try AppDatabase.deletePrintSet($0, id: id, actor: actor, now: now) }
    }
}

extension DatabaseStore: AuditRepository {
    public func entries(_ query: AuditQuery) async throws -> [AuditEntry] { try await read { try AppDatabase.auditEntries($0, query) } }
}
