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
    /// One question of the exam as the statistics gather it.
    private struct Gathered {
        var revision: Int64
        var question: ExamCore.Question
        var maximum: Points = .zero
        var keys: [String] = []
        var rows: [Int] = []
        var scores: [Double] = []
        /// Choice questions: picks per option (bank order) overall, in the top and in the bottom group; answered count.
        var picks: [Int] = [], top: [Int] = [], bottom: [Int] = []
        var answered = 0
    }

    /// Two passes over the database, no answer kept in memory: the attempts' stored scores (totals, item
    /// points), then the choice questions' answers counted straight into their options.
    static func statistics(_ db: SQLConnection, exam: String, papers: PaperCache) throws -> ExamStatistics {
        let examId: Int64 = try examRow(db, exam)["id"]
        let decoder = JSONDecoder()
        // Each paper's layout: per position the question's index in `gathered`, and for choice questions the
        // bank-order index of each option as shown.
        var gathered: [Gathered] = []
        var indexOfRevision: [Int64: Int] = [:]
        var layouts: [Int64: [(question: Int, options: [Int]?)]] = [:]
        var positionOfKey: [Int64: [String: Int]] = [:]
        let placed = try SQLRow.fetchAll(db, sql: """
            SELECT i.paperId, i.position, i.key, i.questionRevisionId, r.content FROM paperItem i JOIN paper p ON p.id = i.paperId
            JOIN questionRevision r ON r.id = i.questionRevisionId WHERE p.examId = ? ORDER BY i.paperId, i.position
            """, arguments: [examId])
        for row in placed {
            let paperId: Int64 = row[0], key: String = row[2], revision: Int64 = row[3]
            if layouts[paperId] == nil {
                let items = try papers.paper(paperId, db: db).paper.items
                layouts[paperId] = Array(repeating: (-1, nil), count: items.count)
            }
            let position = (row[1] as Int) - 1
            guard position >= 0, position < layouts[paperId]!.count else { continue }
            if indexOfRevision[revision] == nil {
                indexOfRevision[revision] = gathered.count
                gathered.append(Gathered(revision: revision, question: try decoder.decode(ExamCore.Question.self, from: Data((row[4] as String).utf8))))
            }
            let index = indexOfRevision[revision]!
            if !gathered[index].keys.contains(key) { gathered[index].keys.append(key) }
            var options: [Int]?
            let shown = try papers.paper(paperId, db: db).paper.items[position].question
            if let bankOrder = choiceOptions(gathered[index].question), let shownOrder = choiceOptions(shown) {
                let original = Dictionary(bankOrder.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
                options = shownOrder.map { original[$0] ?? -1 }
                if gathered[index].picks.isEmpty {
                    gathered[index].picks = Array(repeating: 0, count: bankOrder.count)
                    gathered[index].top = gathered[index].picks; gathered[index].bottom = gathered[index].picks
                }
            }
            layouts[paperId]![position] = (index, options)
            positionOfKey[paperId, default: [:]][key] = position
        }

        // Pass 1: the final attempts' scores.
        var totals: [Double] = [], slotRows: [[Double]] = []
        var rowOfAttempt: [Int64: (row: Int, paper: Int64)] = [:]
        var pending = 0
        var scale = Points(10)
        let attempts = try SQLRow.fetchCursor(db, sql: """
            SELECT a.id, c.paperId, a.pendingItems, a.breakdown FROM attempt a JOIN candidate c ON c.id = a.candidateId
            WHERE c.examId = ? AND a.state = 'submitted' AND a.breakdown IS NOT NULL ORDER BY a.id
            """, arguments: [examId])
        while let row = try attempts.next() {
            guard (row[2] as Int? ?? 0) == 0 else { pending += 1; continue }
            let paperId: Int64 = row[1]
            guard let layout = layouts[paperId] else { continue }
            guard let score = PaperScore.storedPoints(row[3]) else { throw StoreError(.invalid, "điểm lưu của bài \(row[0] as Int64) không đọc được / unreadable stored score") }
            let index = totals.count
            rowOfAttempt[row[0]] = (index, paperId)
            scale = Points(hundredths: score.scale)
            totals.append(Double(score.total) / 100)
            var slots = [Double](repeating: 0, count: score.items.count)
            for (position, item) in score.items.enumerated() {
                let awarded = Double(item.awarded) / 100
                slots[position] = awarded
                guard position < layout.count, layout[position].question >= 0 else { continue }
                let question = layout[position].question
                gathered[question].rows.append(index)
                gathered[question].scores.append(awarded)
                gathered[question].maximum = Points(hundredths: item.maximum)
            }
            slotRows.append(slots)
        }
        let groups = ItemAnalysis.extremeGroups(totals)
        var inTop = [Bool](repeating: false, count: totals.count), inBottom = inTop
        for index in groups.top { inTop[index] = true }
        for index in groups.bottom { inBottom[index] = true }

        // Pass 2: the choice questions' answers, counted by SQLite per paper, item, answer and group (bits: 1 in
        // the top 27 %, 2 in the bottom; both for a tiny exam), then into their options.
        var choiceKeys = Set<String>()
        for (paperId, layout) in layouts {
            for (key, position) in positionOfKey[paperId] ?? [:] where layout[position].options != nil { choiceKeys.insert(key) }
        }
        // Counted by SQLite in one pass per paper, item, answer and group. The groups are ranges of the order
        // extremeGroups uses (score down, then attempt id up), so a row's group is two comparisons with the
        // group's last attempt: bit 1 in the top 27 %, bit 2 in the bottom (both, in a tiny exam).
        if !choiceKeys.isEmpty, let lastTop = groups.top.last, let firstBottom = groups.bottom.first {
            var attemptOfRow = [Int64](repeating: 0, count: totals.count)
            for (attemptId, place) in rowOfAttempt { attemptOfRow[place.row] = attemptId }
            let top = (Int((totals[lastTop] * 100).rounded()), attemptOfRow[lastTop])
            let bottom = (Int((totals[firstBottom] * 100).rounded()), attemptOfRow[firstBottom])
            let answers = try SQLRow.fetchCursor(db, sql: """
                SELECT c.paperId, r.itemKey, r.value,
                       (CASE WHEN a.scoreHundredths > ? OR (a.scoreHundredths = ? AND a.id <= ?) THEN 1 ELSE 0 END)
                       | (CASE WHEN a.scoreHundredths < ? OR (a.scoreHundredths = ? AND a.id >= ?) THEN 2 ELSE 0 END), count(*)
                FROM response r JOIN attempt a ON a.id = r.attemptId JOIN candidate c ON c.id = a.candidateId
                WHERE c.examId = ? AND a.state = 'submitted' AND coalesce(a.pendingItems, 0) = 0 AND a.breakdown IS NOT NULL
                  AND r.itemKey IN (\(Array(repeating: "?", count: choiceKeys.count).joined(separator: ",")))
                GROUP BY 1, 2, 3, 4
                """, arguments: SQLArguments([top.0, top.0, top.1, bottom.0, bottom.0, bottom.1, examId] as [DatabaseValueConvertible] + choiceKeys.sorted()))
            while let row = try answers.next() {
                let paperId: Int64 = row[0], bits: Int = row[3], count: Int = row[4]
                guard let position = positionOfKey[paperId]?[row[1]], let options = layouts[paperId]?[position].options else { continue }
                let response = try ResponseValue(storedJSON: row[2])
                guard !response.isEmpty else { continue }
                let question = layouts[paperId]![position].question
                gathered[question].answered += count
                for shown in Scoring.optionSet(response, count: options.count) ?? [] where options[shown] >= 0 {
                    gathered[question].picks[options[shown]] += count
                    if bits & 1 != 0 { gathered[question].top[options[shown]] += count }
                    if bits & 2 != 0 { gathered[question].bottom[options[shown]] += count }
                }
            }
        }

        // Alpha needs the same items on every attempt: slots, when every paper has as many.
        let slots = Set(slotRows.map(\.count)).count == 1 ? slotRows : []
        func share(_ count: Int, _ of: Int) -> Double { of == 0 ? 0 : Double(count) / Double(of) }
        var questions: [ExamStatistics.Question] = []
        for question in gathered where !question.rows.isEmpty {
            let statistics = ItemAnalysis.item(scores: question.scores, totals: question.rows.map { totals[$0] }, maximum: question.maximum.decimalValue)
            var flags: [String] = []
            if statistics.facility < 0.2 { flags.append("facility < 0,2") }
            if statistics.facility > 0.9 { flags.append("facility > 0,9") }
            if let discrimination = statistics.discrimination, discrimination < 0.2 { flags.append("discrimination < 0,2") }
            var entry = ExamStatistics.Question(revision: question.revision, questionID: question.question.id, keys: question.keys, kind: question.question.kind,
                                                stem: question.question.stem, maximum: question.maximum, statistics: statistics, flags: flags)
            if !question.picks.isEmpty, let (options, correct) = choiceTexts(question.question) {
                let count = question.rows.count
                let top = question.rows.filter { inTop[$0] }.count, bottom = question.rows.filter { inBottom[$0] }.count
                entry.options = options.enumerated().map { index, text in
                    ExamStatistics.Option(label: Labels.option(index), text: text, correct: correct.contains(index), overall: share(question.picks[index], count),
                                          top: share(question.top[index], top), bottom: share(question.bottom[index], bottom))
                }
                entry.blank = share(count - question.answered, count)
            }
            questions.append(entry)
        }
        let test = ItemAnalysis.test(scores: totals, slots: slots)
        let width = 0.25
        let counts = ItemAnalysis.histogram(totals, maximum: scale.decimalValue, width: width)
        let histogram = counts.enumerated().map { index, count in
            ExamStatistics.Bin(from: Double(index) * width, to: min(scale.decimalValue, Double(index + 1) * width), count: count)
        }
        return ExamStatistics(exam: exam, attempts: totals.count, pendingLeftOut: pending, scale: scale, test: test, histogram: histogram, questions: questions)
    }

    /// A choice question's option ids in its order; nil for other kinds.
    static func choiceOptions(_ question: ExamCore.Question) -> [String]? {
        switch question.body {
        case let .singleChoice(body): body.options.map(\.id)
        case let .multipleResponse(body): body.options.map(\.id)
        default: nil
        }
    }

    /// A choice question's option texts (bank order) and which are keys.
    static func choiceTexts(_ question: ExamCore.Question) -> ([String], Set<Int>)? {
        switch question.body {
        case let .singleChoice(body): (body.options.map(\.text), Set(body.options.indices.filter { body.options[$0].id == body.answer }))
        case let .multipleResponse(body): (body.options.map(\.text), Set(body.options.indices.filter { body.answers.contains(body.options[$0].id) }))
        default: nil
        }
    }
}

extension Points {
    /// The value as a `Double`, for statistics (never for a stored score).
    public var decimalValue: Double { Double(hundredths) / 100 }
}

extension DatabaseStore: StatisticsRepository {
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

    static func storeStatistics(_ db: SQLConnection, exam: String, papers: PaperCache, actor: Actor, now: Date) throws -> Int {
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
