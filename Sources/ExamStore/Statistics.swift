import ExamCore
import Foundation
internal import GRDB

// An exam's statistics from its final attempts (pending ones are left out and counted): the test's figures,
// the score distribution, per question (across the codes it was on) facility, discrimination and the rest,
// and for choice questions how often each option was picked overall and by the top and bottom 27 %.

public struct ExamStatistics: Codable, Sendable, Hashable {
    public struct Bin: Codable, Sendable, Hashable {
        public var from: Double
        public var to: Double
        public var count: Int
    }
    public struct Option: Codable, Sendable, Hashable {
        /// The option's letter in the bank's order (papers shuffle them).
        public var label: String
        public var text: String
        public var correct: Bool
        /// Shares 0…1 of the attempts that had the question.
        public var overall: Double
        public var top: Double
        public var bottom: Double
    }
    public struct Question: Codable, Sendable, Hashable {
        public var revision: Int64
        public var questionID: String
        public var keys: [String]
        public var kind: QuestionKind
        public var stem: String
        public var maximum: Points
        public var statistics: ItemAnalysis.ItemStatistics
        /// "facility < 0,2", "facility > 0,9", "discrimination < 0,2".
        public var flags: [String]
        public var options: [Option]?
        /// Left blank, for choice questions.
        public var blank: Double?
    }
    public var exam: String
    /// Final attempts counted, and submitted ones left out while essays wait.
    public var attempts: Int
    public var pendingLeftOut: Int
    public var scale: Points
    public var test: ItemAnalysis.TestStatistics
    public var histogram: [Bin]
    public var questions: [Question]
}

public protocol StatisticsRepository: Sendable {
    func statistics(exam: String) async throws -> ExamStatistics
    /// Keeps each question revision's observed facility and discrimination from this exam (shown in the bank
    /// browser); returns how many revisions.
    func storeStatistics(exam: String, by actor: Actor, now: Date) async throws -> Int
}

extension AppDatabase {
    static func statistics(_ db: Database, exam: String, papers: PaperCache) throws -> ExamStatistics {
        let examId: Int64 = try examRow(db, exam)["id"]
        let decoder = JSONDecoder()
        var totals: [Double] = []
        var slotRows: [[Double]] = []
        // Per question revision: the attempts' rows (index into totals), scores and responses.
        var perQuestion: [Int64: (rows: [Int], scores: [Double], responses: [ResponseValue?], paperQuestions: [ExamCore.Question])] = [:]
        var order: [Int64] = []
        var keys: [Int64: [String]] = [:]
        var maxima: [Int64: Points] = [:]
        var pending = 0
        var scale = Points(10)
        let revisionOf = Dictionary(try Row.fetchAll(db, sql: """
            SELECT i.paperId, i.key, i.questionRevisionId FROM paperItem i JOIN paper p ON p.id = i.paperId WHERE p.examId = ?
            """, arguments: [examId]).map { ("\($0[0] as Int64)/\($0[1] as String)", $0[2] as Int64) }, uniquingKeysWith: { first, _ in first })
        for row in try Row.fetchAll(db, sql: """
            SELECT a.id, c.paperId, a.pendingItems, a.breakdown FROM attempt a JOIN candidate c ON c.id = a.candidateId
            WHERE c.examId = ? AND a.state = 'submitted' AND a.breakdown IS NOT NULL ORDER BY a.id
            """, arguments: [examId]) {
            guard (row["pendingItems"] as Int? ?? 0) == 0 else { pending += 1; continue }
            let paperId: Int64 = row["paperId"]
            let score = try decoder.decode(PaperScore.self, from: Data((row["breakdown"] as String).utf8))
            let paper = try papers.paper(paperId, db: db).paper
            let responses = try SQLiteStore.responses(db, attemptId: row["id"])
            let index = totals.count
            scale = score.scale
            totals.append(score.total.decimalValue)
            slotRows.append(score.items.map { $0.score.awarded.decimalValue })
            let questions = Dictionary(paper.items.map { ($0.key, $0.question) }, uniquingKeysWith: { first, _ in first })
            for item in score.items {
                guard let revision = revisionOf["\(paperId)/\(item.key)"], let question = questions[item.key] else { continue }
                if perQuestion[revision] == nil { perQuestion[revision] = ([], [], [], []); order.append(revision) }
                perQuestion[revision]!.rows.append(index)
                perQuestion[revision]!.scores.append(item.score.awarded.decimalValue)
                perQuestion[revision]!.responses.append(responses[item.key])
                perQuestion[revision]!.paperQuestions.append(question)
                if !(keys[revision] ?? []).contains(item.key) { keys[revision, default: []].append(item.key) }
                maxima[revision] = item.score.maximum
            }
        }
        // Alpha needs the same items on every attempt: slots, when every paper has as many.
        let slots = Set(slotRows.map(\.count)).count == 1 ? slotRows : []
        let groups = ItemAnalysis.extremeGroups(totals)
        let (top, bottom) = (Set(groups.top), Set(groups.bottom))
        var questions: [ExamStatistics.Question] = []
        for revision in order {
            let data = perQuestion[revision]!
            let content = try String.fetchOne(db, sql: "SELECT content FROM questionRevision WHERE id = ?", arguments: [revision])!
            let original = try decoder.decode(ExamCore.Question.self, from: Data(content.utf8))
            let maximum = maxima[revision]!
            let statistics = ItemAnalysis.item(scores: data.scores, totals: data.rows.map { totals[$0] }, maximum: maximum.decimalValue)
            var flags: [String] = []
            if statistics.facility < 0.2 { flags.append("facility < 0,2") }
            if statistics.facility > 0.9 { flags.append("facility > 0,9") }
            if let discrimination = statistics.discrimination, discrimination < 0.2 { flags.append("discrimination < 0,2") }
            var question = ExamStatistics.Question(revision: revision, questionID: original.id, keys: keys[revision] ?? [], kind: original.kind,
                                                   stem: original.stem, maximum: maximum, statistics: statistics, flags: flags)
            if let (options, blank) = distractors(original, data: data, top: top, bottom: bottom) { question.options = options; question.blank = blank }
            questions.append(question)
        }
        let test = ItemAnalysis.test(scores: totals, slots: slots)
        let width = 0.25
        let counts = ItemAnalysis.histogram(totals, maximum: scale.decimalValue, width: width)
        let histogram = counts.enumerated().map { index, count in
            ExamStatistics.Bin(from: Double(index) * width, to: min(scale.decimalValue, Double(index + 1) * width), count: count)
        }
        return ExamStatistics(exam: exam, attempts: totals.count, pendingLeftOut: pending, scale: scale, test: test, histogram: histogram, questions: questions)
    }

    /// For single-choice and multiple-response questions: each option (in the bank's order) and the share of
    /// attempts that picked it, overall and in the top and bottom groups; and the share left blank.
    static func distractors(_ original: ExamCore.Question,
                            data: (rows: [Int], scores: [Double], responses: [ResponseValue?], paperQuestions: [ExamCore.Question]),
                            top: Set<Int>, bottom: Set<Int>) -> ([ExamStatistics.Option], Double)? {
        let options: [ChoiceOption], correct: Set<String>
        switch original.body {
        case let .singleChoice(body): options = body.options; correct = [body.answer]
        case let .multipleResponse(body): options = body.options; correct = Set(body.answers)
        default: return nil
        }
        var overall = [Int](repeating: 0, count: options.count), high = overall, low = overall
        var blank = 0, inTop = 0, inBottom = 0
        let position = Dictionary(options.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        for (index, response) in data.responses.enumerated() {
            let row = data.rows[index]
            if top.contains(row) { inTop += 1 }
            if bottom.contains(row) { inBottom += 1 }
            guard let response, !response.isEmpty else { blank += 1; continue }
            let shown: [ChoiceOption]
            switch data.paperQuestions[index].body {
            case let .singleChoice(body): shown = body.options
            case let .multipleResponse(body): shown = body.options
            default: continue
            }
            for picked in Scoring.optionSet(response, count: shown.count) ?? [] {
                guard let original = position[shown[picked].id] else { continue }
                overall[original] += 1
                if top.contains(row) { high[original] += 1 }
                if bottom.contains(row) { low[original] += 1 }
            }
        }
        func share(_ count: Int, _ of: Int) -> Double { of == 0 ? 0 : Double(count) / Double(of) }
        let attempts = data.responses.count
        return (options.enumerated().map { index, option in
            ExamStatistics.Option(label: Labels.option(index), text: option.text, correct: correct.contains(option.id), overall: share(overall[index], attempts),
                                  top: share(high[index], inTop), bottom: share(low[index], inBottom))
        }, share(blank, attempts))
    }
}

extension Points {
    /// The value as a `Double`, for statistics (never for a stored score).
    public var decimalValue: Double { Double(hundredths) / 100 }
}

extension SQLiteStore: StatisticsRepository {
    public func statistics(exam: String) async throws -> ExamStatistics {
        let papers = self.papers
        return try await database.writer.read { db in try AppDatabase.statistics(db, exam: exam, papers: papers) }
    }

    public func storeStatistics(exam: String, by actor: Actor, now: Date) async throws -> Int {
        let papers = self.papers
        return try await database.writer.write { db in try AppDatabase.storeStatistics(db, exam: exam, papers: papers, actor: actor, now: now) }
    }
}

extension AppDatabase {
    /// An exam's statistics, for the command line.
    public func examStatistics(_ exam: String) throws -> ExamStatistics {
        try writer.read { db in try Self.statistics(db, exam: exam, papers: PaperCache()) }
    }

    /// Keeps the observed facility and discrimination of each question revision (for the bank browser); audited.
    public func storeStatistics(_ exam: String, by actor: String) throws -> Int {
        try writer.write { db in try Self.storeStatistics(db, exam: exam, papers: PaperCache(), actor: Actor(username: actor, isAdmin: true), now: Date()) }
    }

    static func storeStatistics(_ db: Database, exam: String, papers: PaperCache, actor: Actor, now: Date) throws -> Int {
        let statistics = try statistics(db, exam: exam, papers: papers)
        let examId: Int64 = try examRow(db, exam)["id"]
        for question in statistics.questions {
            try db.execute(sql: """
                INSERT INTO questionStatistic(questionRevisionId, examId, attempts, facility, discrimination, computedAt) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(questionRevisionId, examId) DO UPDATE SET attempts = excluded.attempts, facility = excluded.facility,
                  discrimination = excluded.discrimination, computedAt = excluded.computedAt
                """, arguments: [question.revision, examId, question.statistics.count, question.statistics.facility, question.statistics.discrimination, now])
        }
        try audit(db, action: "exam.statistics", subject: "exam:\(exam)", actor: actor, now: now,
                  details: ["questions": String(statistics.questions.count), "attempts": String(statistics.attempts)])
        return statistics.questions.count
    }
}
