import ExamCore
import Foundation
internal import GRDB

// Manual grading (chấm tự luận): graders see one question across every submitted paper, blind (số báo danh
// only), give points in steps with a comment; an attempt's total turns final when its last pending item is
// decided. With two rounds (chấm hai vòng) two different graders grade each answer without seeing each
// other's points; within the exam's threshold the item gets their mean, beyond it a third grading decides.

/// How an exam's answers are graded by hand.
public struct GradingSettings: Codable, Sendable, Hashable {
    /// 1 or 2 (chấm hai vòng).
    public var rounds: Int
    /// The largest difference between two rounds that still averages; beyond it a third grading decides.
    public var threshold: Points
    /// Teachers allowed to grade this exam; empty: every teacher (coordinators always may).
    public var graders: [String]
    public init(rounds: Int, threshold: Points, graders: [String]) { self.rounds = rounds; self.threshold = threshold; self.graders = graders }
}

/// One question graded by hand, as the grader's list shows it.
public struct GradingQuestion: Codable, Sendable, Hashable {
    /// The question revision, the handle of the grading sheet.
    public var id: Int64
    public var questionID: String
    /// The item keys it has on the papers ("III.1"; several when codes order questions differently).
    public var keys: [String]
    public var stem: String
    public var maximum: Points
    /// An autoscored question a coordinator sent to graders (its score stands until a grader changes it).
    public var review: Bool = false
    /// Submitted answers to grade, and how many are decided (final).
    public var answers: Int
    public var decided: Int
    /// Answers whose two rounds differ beyond the threshold, waiting for a third grading.
    public var flagged: Int
    /// Answers this grader has graded (any round).
    public var mine: Int
}

public struct GradingOverview: Codable, Sendable, Hashable {
    public var exam: String
    public var settings: GradingSettings
    public var questions: [GradingQuestion]
    /// Submitted attempts, and how many still wait for a grade (their totals are provisional).
    public var submitted: Int
    public var pending: Int
}

/// One answer on a grading sheet.
public struct GradingAnswer: Codable, Sendable, Hashable {
    public struct Round: Codable, Sendable, Hashable {
        public var round: Int
        /// Shown to coordinators, to the grader who gave it, and to a third grader; nil otherwise (blind).
        public var grader: String?
        public var points: Points?
        public var comment: String?
        public var mine: Bool
    }
    public var attempt: Int64
    public var item: String
    public var sbd: String
    /// Only when a coordinator asks for names; graders see the số báo danh alone.
    public var fullName: String?
    public var answer: String
    /// For a question sent for review: what the automatic scoring gave.
    public var scored: Points? = nil
    public var rounds: [Round]
    /// The decided points; nil while pending.
    public var final: Points?
    /// The round this answer waits for (1, 2 or 3), or nil when decided.
    public var awaiting: Int?
}

public struct GradingSheet: Codable, Sendable, Hashable {
    public var exam: String
    public var question: GradingQuestion
    public var rubric: String?
    public var explanation: String?
    /// Points are given in multiples of this (0,25 when the maximum allows, else 0,01).
    public var step: Points
    public var rounds: Int
    public var answers: [GradingAnswer]
    /// Images in the stem, rubric and explanation: name → SHA-256.
    public var media: [String: String]
}

public protocol GradingRepository: Sendable {
    /// One candidate's attempt beside the key, item by item, with every answer event (for a dispute).
    func attemptDetail(exam: String, sbd: String) async throws -> CandidateResult
    /// Prepared exams with answers to grade by hand that this member may grade, newest first.
    func gradingExams(for actor: Actor, coordinator: Bool) async throws -> [GradingOverview]
    func gradingOverview(exam: String, for actor: Actor, coordinator: Bool) async throws -> GradingOverview
    func gradingSheet(exam: String, question: Int64, for actor: Actor, coordinator: Bool, names: Bool) async throws -> GradingSheet
    /// Grades one answer (the grader's own round, or the next free one); the attempt's total follows; audited.
    func grade(exam: String, attempt: Int64, item: String, points: Points, comment: String, by actor: Actor, coordinator: Bool,
               now: Date) async throws -> GradingAnswer
    func setGrading(exam: String, _ settings: GradingSettings, by actor: Actor, now: Date) async throws -> GradingSettings
    /// Sends an autoscored question of the exam to graders (or takes it back while no one has graded it); audited.
    func setReview(exam: String, question: Int64, review: Bool, by actor: Actor, now: Date) async throws
}

enum Grading {
    /// An answer as a grader reads it: the text, "A, C", or "a: Đ · b: S".
    static func text(_ value: ResponseValue) -> String {
        switch value {
        case let .text(text): text
        case let .list(list): list.joined(separator: ", ")
        case let .map(map): map.keys.sorted().map { "\($0): \(map[$0]!)" }.joined(separator: " · ")
        case .malformed: "?"
        }
    }

    /// The step grades are given in.
    static func step(for maximum: Points) -> Points { maximum.hundredths % 25 == 0 ? Points(hundredths: 25) : Points(hundredths: 1) }

    /// The decided points of one answer from its rounds, or nil while it waits (and for which round).
    static func decide(_ rounds: [Int: Points], settings: GradingSettings) -> (final: Points?, awaiting: Int?) {
        if let third = rounds[3] { return (third, nil) }
        guard let first = rounds[1] else { return (nil, 1) }
        if settings.rounds == 1 { return (first, nil) }
        guard let second = rounds[2] else { return (nil, 2) }
        if abs(first.hundredths - second.hundredths) > settings.threshold.hundredths { return (nil, 3) }
        return (Points(hundredths: Rounding.divideHalfUp(first.hundredths + second.hundredths, by: 2)), nil)
    }
}

extension AppDatabase {
    static func gradingSettings(_ db: SQLConnection, examId: Int64) throws -> GradingSettings {
        let row = try SQLRow.fetchOne(db, sql: "SELECT gradingRounds, gradingThresholdHundredths FROM exam WHERE id = ?", arguments: [examId])!
        let graders = try String.fetchAll(db, sql: "SELECT username FROM examGrader WHERE examId = ? ORDER BY username", arguments: [examId])
        return GradingSettings(rounds: row["gradingRounds"], threshold: Points(hundredths: row["gradingThresholdHundredths"]), graders: graders)
    }

    /// Refuses a teacher the exam does not list as a grader (when it lists any); coordinators always pass.
    static func checkGrader(_ db: SQLConnection, examId: Int64, actor: Actor, coordinator: Bool) throws -> GradingSettings {
        let settings = try gradingSettings(db, examId: examId)
        if !coordinator, !settings.graders.isEmpty, !settings.graders.contains(actor.username) {
            throw StoreError(.forbidden, "bạn không được phân công chấm kỳ thi này / you are not a grader of this exam")
        }
        return settings
    }

    /// Manual grades of an exam's items: attempt → item → round → (grader, points, comment).
    static func manualGrades(_ db: SQLConnection, examId: Int64, attempt: Int64? = nil) throws -> [Int64: [String: [Int: (String, Points, String)]]] {
        var result: [Int64: [String: [Int: (String, Points, String)]]] = [:]
        let filter = attempt == nil ? "" : " AND g.attemptId = \(attempt!)"
        for row in try SQLRow.fetchAll(db, sql: """
            SELECT g.attemptId, g.itemKey, g.round, g.grader, g.pointsHundredths, g.comment FROM manualGrade g
            JOIN attempt a ON a.id = g.attemptId JOIN candidate c ON c.id = a.candidateId WHERE c.examId = ?\(filter)
            """, arguments: [examId]) {
            result[row["attemptId"], default: [:]][row["itemKey"], default: [:]][row["round"]] =
                (row["grader"], Points(hundredths: row["pointsHundredths"]), row["comment"])
        }
        return result
    }

    /// The decided manual points of one attempt, by item key.
    static func manualFinals(_ db: SQLConnection, examId: Int64, attemptId: Int64, settings: GradingSettings) throws -> [String: Points] {
        var finals: [String: Points] = [:]
        for (item, rounds) in try manualGrades(db, examId: examId, attempt: attemptId)[attemptId] ?? [:] {
            if let final = Grading.decide(rounds.mapValues(\.1), settings: settings).final { finals[item] = final }
        }
        return finals
    }

    /// Items graded by hand on an exam's papers: essays, and questions a coordinator sent for review.
    static func essayItems(_ db: SQLConnection, examId: Int64) throws -> [(revision: Int64, questionID: String, key: String, paperId: Int64, points: Points, essay: Bool)] {
        try SQLRow.fetchAll(db, sql: """
            SELECT i.questionRevisionId, q.externalId, i.key, i.paperId, i.pointsHundredths, r.kind = 'essay' FROM paperItem i JOIN paper p ON p.id = i.paperId
            JOIN questionRevision r ON r.id = i.questionRevisionId JOIN question q ON q.id = r.questionId
            WHERE p.examId = ? AND (r.kind = 'essay' OR i.questionRevisionId IN (SELECT questionRevisionId FROM reviewQuestion WHERE examId = p.examId))
            ORDER BY r.kind <> 'essay', i.position, i.paperId
            """, arguments: [examId]).map { ($0[0], $0[1], $0[2], $0[3], Points(hundredths: $0[4]), $0[5]) }
    }

    /// Whether the item `key` of this paper is graded by hand in this exam.
    static func handGraded(_ db: SQLConnection, examId: Int64, paperId: Int64, key: String) throws -> Bool {
        try Bool.fetchOne(db, sql: """
            SELECT r.kind = 'essay' OR EXISTS (SELECT 1 FROM reviewQuestion v WHERE v.examId = ? AND v.questionRevisionId = i.questionRevisionId)
            FROM paperItem i JOIN questionRevision r ON r.id = i.questionRevisionId WHERE i.paperId = ? AND i.key = ?
            """, arguments: [examId, paperId, key]) ?? false
    }

    static func gradingOverview(_ db: SQLConnection, exam: String, actor: Actor, coordinator: Bool) throws -> GradingOverview {
        let examId: Int64 = try examRow(db, exam)["id"]
        let settings = try checkGrader(db, examId: examId, actor: actor, coordinator: coordinator)
        let items = try essayItems(db, examId: examId)
        let submitted = try SQLRow.fetchAll(db, sql: """
            SELECT a.id, c.paperId FROM attempt a JOIN candidate c ON c.id = a.candidateId WHERE c.examId = ? AND a.state = 'submitted'
            """, arguments: [examId]).map { ($0[0] as Int64, $0[1] as Int64) }
        let grades = try manualGrades(db, examId: examId)
        var questions: [Int64: GradingQuestion] = [:]
        var order: [Int64] = []
        for item in items where questions[item.revision] == nil || !questions[item.revision]!.keys.contains(item.key) {
            if questions[item.revision] == nil {
                let content = try String.fetchOne(db, sql: "SELECT content FROM questionRevision WHERE id = ?", arguments: [item.revision])!
                let question = try JSONDecoder().decode(Question.self, from: Data(content.utf8))
                questions[item.revision] = GradingQuestion(id: item.revision, questionID: item.questionID, keys: [], stem: question.stem, maximum: item.points,
                                                           review: !item.essay, answers: 0, decided: 0, flagged: 0, mine: 0)
                order.append(item.revision)
            }
            questions[item.revision]!.keys.append(item.key)
        }
        var pendingAttempts = Set<Int64>()
        let byPaper = Dictionary(grouping: items, by: \.paperId)
        for (attemptId, paperId) in submitted {
            for item in byPaper[paperId] ?? [] {
                let rounds = grades[attemptId]?[item.key] ?? [:]
                let decision = Grading.decide(rounds.mapValues(\.1), settings: settings)
                questions[item.revision]!.answers += 1
                // A question sent for review keeps its automatic score until graded: only essays keep a total pending.
                if decision.final != nil { questions[item.revision]!.decided += 1 } else if item.essay { pendingAttempts.insert(attemptId) }
                if decision.awaiting == 3 { questions[item.revision]!.flagged += 1 }
                if rounds.values.contains(where: { $0.0 == actor.username }) { questions[item.revision]!.mine += 1 }
            }
        }
        return GradingOverview(exam: exam, settings: settings, questions: order.map { questions[$0]! }, submitted: submitted.count,
                               pending: pendingAttempts.count)
    }

    static func gradingSheet(_ db: SQLConnection, exam: String, question revision: Int64, actor: Actor, coordinator: Bool, names: Bool) throws -> GradingSheet {
        let overview = try gradingOverview(db, exam: exam, actor: actor, coordinator: coordinator)
        guard let summary = overview.questions.first(where: { $0.id == revision }) else {
            throw StoreError(.notFound, "kỳ thi không có câu tự luận \(revision) / no essay \(revision) in this exam", field: "question")
        }
        let examId: Int64 = try examRow(db, exam)["id"]
        let content = try String.fetchOne(db, sql: "SELECT content FROM questionRevision WHERE id = ?", arguments: [revision])!
        let question = try JSONDecoder().decode(Question.self, from: Data(content.utf8))
        var rubric: String?
        if case let .essay(body) = question.body { rubric = body.rubric }
        let grades = try manualGrades(db, examId: examId)
        var answers: [GradingAnswer] = []
        for row in try SQLRow.fetchAll(db, sql: """
            SELECT a.id, i.key, c.sbd, c.fullName, r.value, a.breakdown FROM attempt a JOIN candidate c ON c.id = a.candidateId
            JOIN paperItem i ON i.paperId = c.paperId AND i.questionRevisionId = ?
            LEFT JOIN response r ON r.attemptId = a.id AND r.itemKey = i.key
            WHERE c.examId = ? AND a.state = 'submitted' ORDER BY c.sbd
            """, arguments: [revision, examId]) {
            let attemptId: Int64 = row[0], key: String = row[1]
            var text = ""
            if let value = row[4] as String?, let decoded = try? ResponseValue(storedJSON: value) { text = Grading.text(decoded) }
            let rounds = grades[attemptId]?[key] ?? [:]
            var answer = gradingAnswer(attempt: attemptId, item: key, sbd: row[2] ?? "", fullName: names && coordinator ? row[3] : nil, answer: text,
                                       rounds: rounds, settings: overview.settings, actor: actor, coordinator: coordinator)
            if summary.review, let stored = row[5] as String?, let score = try? PaperScore(stored: stored) {
                // What scoring gave before any grader: the stored score unless a grade replaced it.
                answer.scored = rounds.isEmpty ? score.items.first { $0.key == key }?.score.awarded : nil
                if answer.final == nil, rounds.isEmpty { answer.awaiting = nil }
            }
            answers.append(answer)
        }
        let media = try Dictionary(SQLRow.fetchAll(db, sql: "SELECT name, mediaSha256 FROM questionRevisionMedia WHERE questionRevisionId = ?",
                                                arguments: [revision]).map { ($0[0] as String, $0[1] as String) }, uniquingKeysWith: { first, _ in first })
        return GradingSheet(exam: exam, question: summary, rubric: rubric, explanation: question.explanation, step: Grading.step(for: summary.maximum),
                            rounds: overview.settings.rounds, answers: answers, media: media)
    }

    /// What a grader sees of one answer's rounds: their own, everything when deciding a third round or when
    /// coordinating, and otherwise only that another round exists.
    static func gradingAnswer(attempt: Int64, item: String, sbd: String, fullName: String?, answer: String, rounds: [Int: (String, Points, String)],
                              settings: GradingSettings, actor: Actor, coordinator: Bool) -> GradingAnswer {
        let decision = Grading.decide(rounds.mapValues(\.1), settings: settings)
        let open = coordinator || decision.awaiting == 3 || rounds[3] != nil || settings.rounds == 1
        let shown = rounds.keys.sorted().map { round -> GradingAnswer.Round in
            let (grader, points, comment) = rounds[round]!
            let mine = grader == actor.username
            return mine || open ? .init(round: round, grader: grader, points: points, comment: comment, mine: mine)
                : .init(round: round, grader: nil, points: nil, comment: nil, mine: false)
        }
        return GradingAnswer(attempt: attempt, item: item, sbd: sbd, fullName: fullName, answer: answer, rounds: shown,
                             final: open || rounds.values.contains(where: { $0.0 == actor.username }) ? decision.final : nil,
                             awaiting: decision.awaiting)
    }
}

extension DatabaseStore: GradingRepository {
    public func attemptDetail(exam: String, sbd: String) async throws -> CandidateResult {
        let papers = self.papers
        return try await database.writer.read { db in
            let examId: Int64 = try AppDatabase.examRow(db, exam)["id"]
            guard let candidateId = try Int64.fetchOne(db, sql: "SELECT id FROM candidate WHERE examId = ? AND sbd = ?", arguments: [examId, sbd]) else {
                throw StoreError(.notFound, "không có thí sinh SBD \(sbd) / no candidate \(sbd)", field: "sbd")
            }
            var result = try AppDatabase.candidateResult(db, candidateId: candidateId, papers: papers, staff: true)
            var events: [String: [CandidateResult.LoggedEvent]] = [:]
            for row in try SQLRow.fetchAll(db, sql: """
                SELECT e.itemKey, e.sequence, e.value, e.clientTime, e.receivedAt FROM responseEvent e JOIN attempt a ON a.id = e.attemptId
                WHERE a.candidateId = ? ORDER BY e.sequence
                """, arguments: [candidateId]) {
                events[row["itemKey"], default: []].append(.init(sequence: row["sequence"],
                                                                 value: (try? ResponseValue(storedJSON: row["value"])) ?? .malformed,
                                                                 clientTime: row["clientTime"], receivedAt: row["receivedAt"]))
            }
            result.events = events
            return result
        }
    }

    public func gradingExams(for actor: Actor, coordinator: Bool) async throws -> [GradingOverview] {
        try await database.writer.read { db in
            var result: [GradingOverview] = []
            for name in try String.fetchAll(db, sql: "SELECT name FROM exam WHERE state = 'prepared' ORDER BY id DESC") {
                do {
                    let overview = try AppDatabase.gradingOverview(db, exam: name, actor: actor, coordinator: coordinator)
                    if !overview.questions.isEmpty { result.append(overview) }
                } catch let error as StoreError where error.code == .forbidden {
                    continue  // Graded by others.
                }
            }
            return result
        }
    }

    public func gradingOverview(exam: String, for actor: Actor, coordinator: Bool) async throws -> GradingOverview {
        try await database.writer.read { db in try AppDatabase.gradingOverview(db, exam: exam, actor: actor, coordinator: coordinator) }
    }

    public func gradingSheet(exam: String, question: Int64, for actor: Actor, coordinator: Bool, names: Bool) async throws -> GradingSheet {
        try await database.writer.read { db in
            try AppDatabase.gradingSheet(db, exam: exam, question: question, actor: actor, coordinator: coordinator, names: names)
        }
    }

    public func grade(exam: String, attempt attemptId: Int64, item: String, points: Points, comment: String, by actor: Actor, coordinator: Bool,
                      now: Date) async throws -> GradingAnswer {
        let papers = self.papers, examDay = self.examDay
        let comment = comment.trimmingCharacters(in: .whitespacesAndNewlines)
        guard comment.count <= 2000 else { throw StoreError.invalid("comment", "nhận xét tối đa 2000 ký tự / a comment of at most 2000 characters") }
        let (answer, _, _) = try await writer.perform({ db -> (GradingAnswer, AttemptRow, Int) in
            let examId: Int64 = try AppDatabase.examRow(db, exam)["id"]
            let settings = try AppDatabase.checkGrader(db, examId: examId, actor: actor, coordinator: coordinator)
            guard var row = try AttemptRow.fetch(db, id: attemptId), row.examId == examId else {
                throw StoreError(.notFound, "không có bài làm \(attemptId) trong kỳ thi này / no attempt \(attemptId) in this exam", field: "attempt")
            }
            guard row.attempt.state == .submitted else { throw StoreError(.notSubmitted, "bài chưa nộp / the attempt is not submitted") }
            let paper = try papers.paper(row.paperId, db: db, exact: true).paper
            guard let paperItem = paper.items.first(where: { $0.key == item }), try AppDatabase.handGraded(db, examId: examId, paperId: row.paperId, key: item) else {
                throw StoreError(.notFound, "câu \(item) không chấm tay ở bài này / \(item) is not graded by hand on this paper", field: "item")
            }
            let step = Grading.step(for: paperItem.points)
            guard points >= .zero, points <= paperItem.points, points.hundredths % step.hundredths == 0 else {
                throw StoreError.invalid("points", "điểm từ 0 đến \(paperItem.points.formatted(decimalMark: ",")), bước \(step.formatted(decimalMark: ",")) / points from 0 to the maximum in steps")
            }
            var rounds = try AppDatabase.manualGrades(db, examId: examId, attempt: attemptId)[attemptId]?[item] ?? [:]
            // The grader's own round again, else the round the answer waits for.
            let round: Int
            if let own = rounds.first(where: { $0.value.0 == actor.username })?.key {
                round = own
            } else if let awaiting = Grading.decide(rounds.mapValues(\.1), settings: settings).awaiting {
                round = awaiting
            } else if coordinator {
                round = 3  // A coordinator overrides a decided answer.
            } else {
                throw StoreError(.alreadyDecided, "câu này đã chấm xong / this answer is already decided")
            }
            let previous = rounds[round]
            try db.execute(sql: """
                INSERT INTO manualGrade(attemptId, itemKey, round, grader, pointsHundredths, comment, gradedAt) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(attemptId, itemKey, round) DO UPDATE SET grader = excluded.grader, pointsHundredths = excluded.pointsHundredths,
                  comment = excluded.comment, gradedAt = excluded.gradedAt
                """, arguments: [attemptId, item, round, actor.username, points.hundredths, comment, now])
            rounds[round] = (actor.username, points, comment)
            let before = row.scoreHundredths
            let score = try AppDatabase.rescore(db, row: &row, papers: papers, settings: settings)
            let sbd = try String.fetchOne(db, sql: "SELECT sbd FROM candidate WHERE id = ?", arguments: [row.candidateId]) ?? ""
            var details = ["item": item, "round": String(round), "points": points.formatted(decimalMark: ",")]
            if let previous { details["previous"] = previous.1.formatted(decimalMark: ",") }
            details["total"] = "\(before.map { Points(hundredths: $0).formatted(decimalMark: ",") } ?? "–") → \(score.total.formatted(decimalMark: ","))"
                + (score.pending > 0 ? " (tạm tính / provisional)" : "")
            var entry = AuditRecord(id: nil, at: now, actor: actor.username, action: "grade", examId: examId, sbd: sbd, subject: "exam:\(exam)",
                                    reason: comment, details: String(decoding: try Canonical.encoder.encode(details), as: UTF8.self))
            try entry.insert(db)
            let answer = AppDatabase.gradingAnswer(attempt: attemptId, item: item, sbd: sbd, fullName: nil, answer: "", rounds: rounds, settings: settings,
                                                   actor: actor, coordinator: coordinator)
            return (answer, row, try ExamDay.bumpVersion(db, examId: examId))
        }, afterCommit: { examDay.applyAttempt($0.1, version: $0.2) })
        return answer
    }

    public func setReview(exam: String, question revision: Int64, review: Bool, by actor: Actor, now: Date) async throws {
        try await writer.perform { db in
            let examId: Int64 = try AppDatabase.examRow(db, exam)["id"]
            guard let kind = try String.fetchOne(db, sql: """
                SELECT r.kind FROM paperItem i JOIN paper p ON p.id = i.paperId JOIN questionRevision r ON r.id = i.questionRevisionId
                WHERE p.examId = ? AND i.questionRevisionId = ? LIMIT 1
                """, arguments: [examId, revision]) else {
                throw StoreError(.notFound, "câu \(revision) không có trong các đề của kỳ thi / question \(revision) is on none of this exam's papers", field: "question")
            }
            guard kind != QuestionKind.essay.rawValue else { throw StoreError.invalid("question", "câu tự luận luôn được chấm tay / an essay is always graded by hand") }
            if review {
                try db.execute(sql: "INSERT INTO reviewQuestion(examId, questionRevisionId) VALUES (?, ?) ON CONFLICT DO NOTHING", arguments: [examId, revision])
            } else {
                let graded = try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM manualGrade g JOIN attempt a ON a.id = g.attemptId JOIN candidate c ON c.id = a.candidateId
                    JOIN paperItem i ON i.paperId = c.paperId AND i.key = g.itemKey WHERE c.examId = ? AND i.questionRevisionId = ?
                    """, arguments: [examId, revision]) ?? 0
                guard graded == 0 else {
                    throw StoreError(.inUse, "câu này đã có \(graded) bài được chấm tay: không bỏ được / \(graded) answers are graded by hand already")
                }
                try db.execute(sql: "DELETE FROM reviewQuestion WHERE examId = ? AND questionRevisionId = ?", arguments: [examId, revision])
            }
            try AppDatabase.audit(db, action: review ? "exam.review-question" : "exam.review-question.remove", subject: "exam:\(exam)", actor: actor, now: now,
                                  details: ["question": String(revision)])
        }
    }

    public func setGrading(exam: String, _ settings: GradingSettings, by actor: Actor, now: Date) async throws -> GradingSettings {
        guard settings.rounds == 1 || settings.rounds == 2 else { throw StoreError.invalid("rounds", "chấm 1 hoặc 2 vòng / 1 or 2 rounds") }
        guard settings.threshold >= .zero, settings.threshold <= Points(10) else {
            throw StoreError.invalid("threshold", "ngưỡng lệch từ 0 đến 10 / a threshold from 0 to 10")
        }
        let names = Array(Set(settings.graders.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })).sorted()
        let papers = self.papers
        return try await writer.perform { db in
            let examId: Int64 = try AppDatabase.examRow(db, exam)["id"]
            for name in names {
                guard let role = try String.fetchOne(db, sql: "SELECT role FROM staff WHERE username = ? AND disabled = 0", arguments: [name]),
                      role == StaffRole.teacher.rawValue || StaffRole(rawValue: role)?.coordinates == true else {
                    throw StoreError.invalid("graders", "\(name) không phải giáo viên / \(name) is not a teacher")
                }
            }
            try db.execute(sql: "UPDATE exam SET gradingRounds = ?, gradingThresholdHundredths = ? WHERE id = ?",
                           arguments: [settings.rounds, settings.threshold.hundredths, examId])
            try db.execute(sql: "DELETE FROM examGrader WHERE examId = ?", arguments: [examId])
            for name in names { try db.execute(sql: "INSERT INTO examGrader(examId, username) VALUES (?, ?)", arguments: [examId, name]) }
            let saved = try AppDatabase.gradingSettings(db, examId: examId)
            // A change of rounds or threshold can decide (or undecide) answers: totals follow.
            for id in try Int64.fetchAll(db, sql: """
                SELECT DISTINCT g.attemptId FROM manualGrade g JOIN attempt a ON a.id = g.attemptId JOIN candidate c ON c.id = a.candidateId WHERE c.examId = ?
                """, arguments: [examId]) {
                guard var row = try AttemptRow.fetch(db, id: id) else { continue }
                _ = try AppDatabase.rescore(db, row: &row, papers: papers, settings: saved)
            }
            try AppDatabase.audit(db, action: "exam.grading", subject: "exam:\(exam)", actor: actor, now: now,
                                  details: ["rounds": String(saved.rounds), "threshold": saved.threshold.formatted(decimalMark: ","),
                                            "graders": names.joined(separator: ", ")])
            _ = try ExamDay.bumpVersion(db, examId: examId)
            return saved
        }
    }
}

extension AppDatabase {
    /// Grades a submitted attempt again from its stored answers and its decided manual grades (and `paper`, when
    /// a regrade gives one with fixed keys), and stores the score.
    @discardableResult
    static func rescore(_ db: SQLConnection, row: inout AttemptRow, papers: PaperCache, settings: GradingSettings, paper: Paper? = nil) throws -> PaperScore {
        let paper = try paper ?? papers.paper(row.paperId, db: db, exact: true).paper
        let responses = try DatabaseStore.responses(db, attemptId: row.id)
        let manual = try manualFinals(db, examId: row.examId, attemptId: row.id, settings: settings)
        let score = paper.grade(responses, manual: manual)
        try db.execute(sql: "UPDATE attempt SET scoreHundredths = ?, pendingItems = ?, breakdown = ? WHERE id = ?",
                       arguments: [score.total.hundredths, score.pending, score.stored, row.id])
        row.scoreHundredths = score.total.hundredths
        row.pendingItems = score.pending
        return score
    }
}

extension AppDatabase {
    /// The question revision of an item on a code's paper, for tests.
    public func questionRevisionIDForTesting(exam: String, code: String, key: String) throws -> Int64 {
        try writer.read { db in
            try Int64.fetchOne(db, sql: """
                SELECT i.questionRevisionId FROM paperItem i JOIN paper p ON p.id = i.paperId JOIN exam e ON e.id = p.examId
                WHERE e.name = ? AND p.code = ? AND i.key = ?
                """, arguments: [exam, code, key]) ?? 0
        }
    }
}
