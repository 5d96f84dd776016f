import ExamCore
import Foundation
internal import GRDB

// Regrading (chấm lại) after a key or points change: a question's new revision (a key fixed in the bank) or a
// revision or points chosen for this exam alone. The papers keep their layout: the new revision is arranged in
// each paper's order, so candidates' labels keep their meaning. A dry run lists every candidate whose score
// would change (old → new, which items) and the totals; a commit stores the papers and the scores in one
// transaction, audited. Running it again changes nothing (the papers already carry the new keys).

/// What to regrade with: by default each question's current revision in its bank; `revisions` picks another
/// one for this exam; `points` gives a question new points on every paper.
public struct RegradePlan: Codable, Sendable, Hashable {
    public var revisions: [String: Int]
    public var points: [String: Points]
    public init(revisions: [String: Int] = [:], points: [String: Points] = [:]) { self.revisions = revisions; self.points = points }
}

public struct RegradeReport: Codable, Sendable, Hashable {
    public struct QuestionChange: Codable, Sendable, Hashable {
        public var questionID: String
        /// Item keys it has on the papers.
        public var keys: [String]
        public var fromRevision: Int
        public var toRevision: Int
        /// The key in the bank's labels before and after.
        public var keyBefore: String
        public var keyAfter: String
        public var pointsBefore: Points
        public var pointsAfter: Points
    }
    public struct ItemChange: Codable, Sendable, Hashable {
        public var key: String
        public var before: Points
        public var after: Points
    }
    public struct CandidateChange: Codable, Sendable, Hashable {
        public var sbd: String
        public var fullName: String
        public var className: String?
        public var before: Points
        public var after: Points
        /// Essays still wait: the totals are provisional.
        public var pending: Bool
        public var items: [ItemChange]
    }
    public var exam: String
    public var committed: Bool
    public var questions: [QuestionChange]
    /// Questions whose new revision cannot be laid on the papers taken (options added or removed, another kind).
    public var refused: [String]
    /// Submitted attempts looked at.
    public var attempts: Int
    public var candidates: [CandidateChange]
    public var raised: Int
    public var lowered: Int
    public var meanBefore: Points?
    public var meanAfter: Points?
}

public protocol RegradeRepository: Sendable {
    /// A dry run, or (`commit`) the regrade stored; refused while a session runs unless `force` with a reason.
    func regrade(exam: String, plan: RegradePlan, commit: Bool, force: Bool, reason: String, by actor: Actor, now: Date) async throws -> RegradeReport
}

extension AppDatabase {
    struct RegradeWork {
        var report: RegradeReport
        /// Paper id → the paper with fixed keys and points, and its changed positions (0-based) → (revision row id, points).
        var papers: [Int64: (paper: Paper, changed: [Int: (revisionId: Int64, points: Points)])]
        /// Attempt id → its new score.
        var scores: [Int64: PaperScore]
    }

    static func regradeWork(_ db: SQLConnection, exam: String, plan: RegradePlan, papers cache: PaperCache) throws -> RegradeWork {
        let examId: Int64 = try examRow(db, exam)["id"]
        let decoder = JSONDecoder()
        // The questions on the exam's papers, the revision each paper has, and the one to regrade with.
        struct Placed { var paperId: Int64; var position: Int; var key: String; var revisionId: Int64; var points: Points; var questionID: String; var revision: Int }
        let placed = try SQLRow.fetchAll(db, sql: """
            SELECT i.paperId, i.position, i.key, i.questionRevisionId, i.pointsHundredths, q.externalId, r.revision
            FROM paperItem i JOIN paper p ON p.id = i.paperId JOIN questionRevision r ON r.id = i.questionRevisionId JOIN question q ON q.id = r.questionId
            WHERE p.examId = ? ORDER BY i.paperId, i.position
            """, arguments: [examId]).map {
            Placed(paperId: $0[0], position: $0[1], key: $0[2], revisionId: $0[3], points: Points(hundredths: $0[4]), questionID: $0[5], revision: $0[6])
        }
        for id in plan.revisions.keys where !placed.contains(where: { $0.questionID == id }) {
            throw StoreError(.notFound, "câu \(id) không có trong các đề của kỳ thi / question \(id) is on none of this exam's papers", field: "revisions")
        }
        for id in plan.points.keys where !placed.contains(where: { $0.questionID == id }) {
            throw StoreError(.notFound, "câu \(id) không có trong các đề của kỳ thi / question \(id) is on none of this exam's papers", field: "points")
        }
        for (id, points) in plan.points where points <= .zero || points > Points(10) {
            throw StoreError.invalid("points", "điểm của câu \(id) phải từ 0,01 đến 10 / points of \(id) from 0.01 to 10")
        }
        // Target revision per question: (revision number, row id, question as authored).
        var targets: [String: (revision: Int, id: Int64, question: ExamCore.Question)] = [:]
        for questionID in Set(placed.map(\.questionID)) {
            let bankQuestion = try SQLRow.fetchOne(db, sql: """
                SELECT q.id, q.currentRevision FROM question q WHERE q.externalId = ? AND q.id = (SELECT r.questionId FROM questionRevision r WHERE r.id = ?)
                """, arguments: [questionID, placed.first { $0.questionID == questionID }!.revisionId])!
            let wanted = plan.revisions[questionID] ?? bankQuestion["currentRevision"]
            guard let row = try SQLRow.fetchOne(db, sql: "SELECT id, content FROM questionRevision WHERE questionId = ? AND revision = ?",
                                             arguments: [bankQuestion["id"] as Int64, wanted]) else {
                throw StoreError(.notFound, "câu \(questionID) không có phiên bản \(wanted) / question \(questionID) has no revision \(wanted)", field: "revisions")
            }
            targets[questionID] = (wanted, row["id"], try decoder.decode(ExamCore.Question.self, from: Data((row["content"] as String).utf8)))
        }

        var work = RegradeWork(report: RegradeReport(exam: exam, committed: false, questions: [], refused: [], attempts: 0, candidates: [], raised: 0, lowered: 0),
                               papers: [:], scores: [:])
        var questionChanges: [String: RegradeReport.QuestionChange] = [:]
        var refused = Set<String>()
        for (paperId, items) in Dictionary(grouping: placed, by: \.paperId) {
            var paper = try cache.paper(paperId, db: db, exact: true).paper
            var changed: [Int: (revisionId: Int64, points: Points)] = [:]
            var flat = paper.items
            for item in items {
                let target = targets[item.questionID]!
                let points = plan.points[item.questionID] ?? item.points
                guard target.revision != item.revision || points != item.points else { continue }
                let index = item.position - 1
                guard flat.indices.contains(index), flat[index].key == item.key else { continue }
                let shown = flat[index].question
                guard var arranged = target.question.arranged(like: shown) else { refused.insert(item.questionID); continue }
                arranged.revision = target.revision
                flat[index].question = arranged
                flat[index].points = points
                changed[index] = (target.id, points)
                var change = questionChanges[item.questionID] ?? RegradeReport.QuestionChange(
                    questionID: item.questionID, keys: [], fromRevision: item.revision, toRevision: target.revision,
                    keyBefore: (try? originalKey(db, revisionId: item.revisionId)) ?? shown.keyText, keyAfter: target.question.keyText,
                    pointsBefore: item.points, pointsAfter: points)
                if !change.keys.contains(item.key) { change.keys.append(item.key) }
                questionChanges[item.questionID] = change
            }
            guard !changed.isEmpty else { continue }
            var position = 0
            for part in paper.parts.indices {
                for index in paper.parts[part].items.indices {
                    paper.parts[part].items[index] = flat[position]
                    position += 1
                }
            }
            work.papers[paperId] = (paper, changed)
        }
        // Questions refused on any paper are left out everywhere (one revision per question on an exam).
        if !refused.isEmpty {
            for paperId in Array(work.papers.keys) {
                let original = try cache.paper(paperId, db: db, exact: true).paper.items
                var entry = work.papers[paperId]!
                for (index, _) in entry.changed {
                    let questionID = placed.first { $0.paperId == paperId && $0.position == index + 1 }!.questionID
                    guard refused.contains(questionID) else { continue }
                    entry.changed[index] = nil
                    var position = 0
                    for part in entry.paper.parts.indices {
                        for item in entry.paper.parts[part].items.indices {
                            if position == index { entry.paper.parts[part].items[item] = original[index] }
                            position += 1
                        }
                    }
                }
                work.papers[paperId] = entry.changed.isEmpty ? nil : entry
            }
            for id in refused { questionChanges[id] = nil }
        }
        work.report.refused = refused.sorted()
        work.report.questions = questionChanges.values.sorted { ($0.keys.first ?? "") < ($1.keys.first ?? "") }

        // Every submitted attempt: the changed items scored again from the stored answers.
        let settingsRounds = try gradingSettings(db, examId: examId)
        var changedKeys = Set<String>()
        for entry in work.papers.values { for index in entry.changed.keys { changedKeys.insert(entry.paper.items[index].key) } }
        // The answers to changed items, attempt by attempt in id order, read alongside the attempts (a merge, so
        // no attempt's answers are held longer than its own turn).
        let answers = changedKeys.isEmpty ? nil : try SQLRow.fetchCursor(db, sql: """
            SELECT r.attemptId, r.itemKey, r.value FROM response r JOIN attempt a ON a.id = r.attemptId JOIN candidate c ON c.id = a.candidateId
            WHERE c.examId = ? AND a.state = 'submitted' AND a.breakdown IS NOT NULL
              AND r.itemKey IN (\(Array(repeating: "?", count: changedKeys.count).joined(separator: ",")))
            ORDER BY r.attemptId
            """, arguments: SQLArguments([examId] + changedKeys.sorted()))
        var pendingAnswer: (attemptId: Int64, key: String, value: String)?
        func answersOf(_ attemptId: Int64) throws -> [String: String] {
            var found: [String: String] = [:]
            while true {
                if pendingAnswer == nil, let row = try answers?.next() { pendingAnswer = (row[0], row[1], row[2]) }
                guard let next = pendingAnswer, next.attemptId <= attemptId else { return found }
                if next.attemptId == attemptId { found[next.key] = next.value }
                pendingAnswer = nil
            }
        }
        var before: [Int] = [], after: [Int] = []
        let attempts = try SQLRow.fetchCursor(db, sql: """
            SELECT a.id, c.paperId, c.sbd, c.fullName, c.className, a.breakdown FROM attempt a JOIN candidate c ON c.id = a.candidateId
            WHERE c.examId = ? AND a.state = 'submitted' AND a.breakdown IS NOT NULL ORDER BY a.id
            """, arguments: [examId])
        while let row = try attempts.next() {
            work.report.attempts += 1
            let attemptId: Int64 = row[0], paperId: Int64 = row[1]
            let old = try PaperScore(stored: row[5])
            before.append(old.total.hundredths)
            guard let entry = work.papers[paperId] else { after.append(old.total.hundredths); continue }
            let given = try answersOf(attemptId)
            let items = entry.paper.items
            var manual: [String: Points]?
            var replaced: [Int: ItemScore] = [:]
            for (index, change) in entry.changed {
                let item = items[index]
                if case .essay = item.question.body {
                    if manual == nil { manual = try manualFinals(db, examId: examId, attemptId: attemptId, settings: settingsRounds) }
                    if let given = manual?[item.key] {
                        let clamped = min(given, change.points)
                        replaced[index] = .byHand(clamped, of: change.points)
                    } else {
                        replaced[index] = ItemScore(awarded: .zero, maximum: change.points, status: .pending)
                    }
                    continue
                }
                let response = try given[item.key].map { try ResponseValue(storedJSON: $0) }
                replaced[index] = Scoring.score(item.question.body, points: change.points, response: response)
            }
            let new = entry.paper.rescored(old, items: replaced)
            after.append(new.total.hundredths)
            let itemChanges = replaced.keys.sorted().compactMap { index -> RegradeReport.ItemChange? in
                let was = old.items[index].score.awarded, now = new.items[index].score.awarded
                return was == now && old.items[index].score.maximum == new.items[index].score.maximum ? nil
                    : .init(key: items[index].key, before: was, after: now)
            }
            guard !itemChanges.isEmpty || new.total != old.total else { continue }
            work.scores[attemptId] = new
            if new.total > old.total { work.report.raised += 1 } else if new.total < old.total { work.report.lowered += 1 }
            work.report.candidates.append(.init(sbd: row[2] ?? "", fullName: row[3], className: row[4], before: old.total, after: new.total,
                                                pending: new.pending > 0, items: itemChanges))
        }
        work.report.candidates.sort { $0.sbd < $1.sbd }
        if !before.isEmpty {
            work.report.meanBefore = Points(hundredths: Rounding.divideHalfUp(before.reduce(0, +), by: before.count))
            work.report.meanAfter = Points(hundredths: Rounding.divideHalfUp(after.reduce(0, +), by: after.count))
        }
        return work
    }

    /// A revision's key as authored (bank order).
    static func originalKey(_ db: SQLConnection, revisionId: Int64) throws -> String {
        let content = try String.fetchOne(db, sql: "SELECT content FROM questionRevision WHERE id = ?", arguments: [revisionId])!
        return try JSONDecoder().decode(ExamCore.Question.self, from: Data(content.utf8)).keyText
    }

    /// Stores a regrade's papers and scores; audited (each question changed, and the candidates' old → new).
    static func commitRegrade(_ db: SQLConnection, _ work: RegradeWork, actor: Actor, now: Date, reason: String = "") throws {
        let examId: Int64 = try examRow(db, work.report.exam)["id"]
        let encoder = Canonical.encoder
        for (paperId, entry) in work.papers {
            try db.execute(sql: "UPDATE paper SET content = ?, revision = revision + 1 WHERE id = ?", arguments: [String(decoding: try encoder.encode(entry.paper), as: UTF8.self), paperId])
            for (index, change) in entry.changed {
                try db.execute(sql: "UPDATE paperItem SET questionRevisionId = ?, pointsHundredths = ? WHERE paperId = ? AND position = ?",
                               arguments: [change.revisionId, change.points.hundredths, paperId, index + 1])
            }
        }
        let update = try db.cachedStatement(sql: "UPDATE attempt SET scoreHundredths = ?, pendingItems = ?, breakdown = ? WHERE id = ?")
        for (attemptId, score) in work.scores {
            try update.execute(arguments: [score.total.hundredths, score.pending, score.stored, attemptId])
        }
        for question in work.report.questions {
            try audit(db, action: "exam.key", subject: "exam:\(work.report.exam)", actor: actor, now: now, details: [
                "question": question.questionID, "revision": "\(question.fromRevision) → \(question.toRevision)",
                "key": "\(question.keyBefore) → \(question.keyAfter)",
                "points": "\(question.pointsBefore.formatted(decimalMark: ",")) → \(question.pointsAfter.formatted(decimalMark: ","))",
            ], reason: reason)
        }
        var changes: [String: String] = [:]
        for candidate in work.report.candidates {
            changes[candidate.sbd] = "\(candidate.before.formatted(decimalMark: ",")) → \(candidate.after.formatted(decimalMark: ","))"
        }
        try audit(db, action: "exam.regrade", subject: "exam:\(work.report.exam)", actor: actor, now: now, encoded: [
            "questions": work.report.questions.map(\.questionID).joined(separator: ", "), "attempts": String(work.report.attempts),
            "changed": String(work.report.candidates.count), "raised": String(work.report.raised), "lowered": String(work.report.lowered),
        ].merging(changes.mapValues { $0 }) { first, _ in first }, reason: reason)
        _ = try ExamDay.bumpVersion(db, examId: examId)
    }
}

extension PaperCache {
    /// Forgets papers a regrade rewrote.
    func forget(_ ids: some Sequence<Int64>) { entries.withLock { for id in ids { $0[id] = nil } } }
}

extension DatabaseStore: RegradeRepository {
    public func regrade(exam: String, plan: RegradePlan, commit: Bool, force: Bool, reason: String, by actor: Actor, now: Date) async throws -> RegradeReport {
        let papers = self.papers
        guard commit else {
            return try await database.writer.read { db in try AppDatabase.regradeWork(db, exam: exam, plan: plan, papers: papers).report }
        }
        let report = try await writer.perform { db in
            try AppDatabase.regradeCommitted(db, exam: exam, plan: plan, papers: papers, force: force, reason: reason, actor: actor, now: now)
        }
        examDay.markStale(exam: exam)
        return report
    }
}

extension AppDatabase {
    /// Refused while a session of the exam runs; else the regrade worked out and stored in this transaction.
    static func regradeCommitted(_ db: SQLConnection, exam: String, plan: RegradePlan, papers: PaperCache, force: Bool = false, reason: String = "",
                                 actor: Actor, now: Date) throws -> RegradeReport {
        let record = try Self.exam(db, named: exam)
        let sessions = try ExamSessionRecord.fetchAll(db, sql: "SELECT * FROM examSession WHERE examId = ?", arguments: [record.id!])
        let running = try running(db, examId: record.id!, sessions: sessions, now: now)
        if running {
            guard force else {
                throw StoreError(.sessionRunning, "một ca thi của \"\(exam)\" vẫn đang diễn ra: chấm lại sau khi ca thi kết thúc, hoặc ghi lý do / a session is still running: regrade after it ends, or give a reason")
            }
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw StoreError.invalid("reason", "chấm lại khi ca thi đang diễn ra cần lý do / regrading during a session needs a reason")
            }
        }
        var work = try regradeWork(db, exam: exam, plan: plan, papers: papers)
        try commitRegrade(db, work, actor: actor, now: now, reason: running ? "forced: " + reason : reason)
        papers.forget(work.papers.keys)
        work.report.committed = true
        return work.report
    }

    /// From the command line: a dry run, or the regrade committed (audited as `actor`).
    public func regrade(exam: String, plan: RegradePlan, commit: Bool, force: Bool = false, reason: String = "", by actor: String,
                        now: Date = Date()) throws -> RegradeReport {
        let papers = PaperCache()
        guard commit else { return try writer.read { db in try Self.regradeWork(db, exam: exam, plan: plan, papers: papers).report } }
        return try writer.write { db in
            try Self.regradeCommitted(db, exam: exam, plan: plan, papers: papers, force: force, reason: reason,
                                      actor: Actor(username: actor, isAdmin: true), now: now)
        }
    }
}
