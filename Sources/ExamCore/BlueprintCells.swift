import Foundation

/// What a blueprint selects a question on, without its text: enough to tell which cells it can fill. The
/// paper generator takes these from questions; a store can read them from its columns, so the ma trận editor
/// counts a 20,000-question bank without decoding a single question.
public struct QuestionTraits: Sendable, Hashable {
    public var subject: String
    public var grade: Int?
    public var topic: String
    public var lesson: String?
    public var level: Level
    public var kind: QuestionKind
    public var unclassified: Bool
    /// The passage the question belongs to: its questions go on a paper together or not at all.
    public var groupID: String?

    public init(subject: String, grade: Int?, topic: String, lesson: String?, level: Level, kind: QuestionKind, unclassified: Bool, groupID: String?) {
        self.subject = subject; self.grade = grade; self.topic = topic; self.lesson = lesson; self.level = level; self.kind = kind
        self.unclassified = unclassified; self.groupID = groupID
    }
}

extension Question {
    public var traits: QuestionTraits {
        QuestionTraits(subject: subject, grade: grade, topic: topic, lesson: lesson, level: level, kind: kind, unclassified: unclassified, groupID: groupID)
    }
}

/// The cells of a blueprint and which of them a question can fill: one rule for the paper generator and for
/// the counts the ma trận editor shows beside each cell.
public struct BlueprintCells: Sendable {
    public struct Cell: Sendable, Hashable {
        /// Index of the part in the blueprint.
        public let part: Int
        public let partID: String
        public let topic: String
        public let lesson: String?
        public let level: Level
        /// "Phần I / Hàm số / Nhận biết".
        public let label: String
        public let count: Int
        public let points: Points
    }

    public let blueprint: Blueprint
    public let cells: [Cell]
    private let cellKeys: [String: Int]

    /// The cells of `blueprint`; those asking for no question are left out unless `includeEmpty`.
    public init(_ blueprint: Blueprint, includeEmpty: Bool = false) {
        self.blueprint = blueprint
        var cells: [Cell] = []
        var keys: [String: Int] = [:]
        for (partIndex, part) in blueprint.parts.enumerated() {
            for row in part.rows {
                for cell in row.cells where includeEmpty || cell.count > 0 {
                    let key = "\(partIndex)|\(TextFolding.fold(row.topic))|\(TextFolding.fold(row.lesson ?? ""))|\(cell.level.on(blueprint.levelScale).rawValue)"
                    guard keys[key] == nil else { continue }
                    keys[key] = cells.count
                    cells.append(Cell(part: partIndex, partID: part.id, topic: row.topic, lesson: row.lesson, level: cell.level,
                                      label: "Phần \(part.id) / \(row.label) / \(cell.level.name(on: blueprint.levelScale))",
                                      count: max(0, cell.count), points: cell.points(in: part)))
                }
            }
        }
        self.cells = cells
        cellKeys = keys
    }

    /// Folds names once per distinct spelling (subjects, topics and lessons repeat across a bank).
    public struct Folder {
        private var known: [String: String] = [:]
        public init() {}
        public mutating func fold(_ name: String) -> String {
            if let folded = known[name] { return folded }
            let folded = TextFolding.fold(name)
            known[name] = folded
            return folded
        }
    }

    /// The cells a question can fill: same subject and grade (a question without a grade fits any), a kind
    /// its part takes, its topic (and lesson, for a row that names one) and its level on the blueprint's
    /// scale. An unclassified question fills none.
    public func eligible(_ traits: QuestionTraits, folder: inout Folder) -> [Int] {
        guard !traits.unclassified, folder.fold(traits.subject) == folder.fold(blueprint.subject),
              blueprint.grade == nil || traits.grade == nil || blueprint.grade == traits.grade else { return [] }
        let topic = folder.fold(traits.topic)
        let lesson = folder.fold(traits.lesson ?? "")
        let level = traits.level.on(blueprint.levelScale).rawValue
        var found: [Int] = []
        for (partIndex, part) in blueprint.parts.enumerated() where part.kinds.contains(traits.kind) {
            if let cell = cellKeys["\(partIndex)|\(topic)||\(level)"] { found.append(cell) }
            if !lesson.isEmpty, let cell = cellKeys["\(partIndex)|\(topic)|\(lesson)|\(level)"] { found.append(cell) }
        }
        return found
    }

    /// "Phần I / Hàm số / Nhận biết: cần 4, ngân hàng có 2" for every cell the counts leave short.
    public func shortfalls(available: [Int]) -> [String] {
        zip(cells, available).filter { $0.0.count > $0.1 }.map { cell, have in
            "\(cell.label): cần \(cell.count), ngân hàng có \(have) / needs \(cell.count), the bank has \(have)"
        }
    }

    /// How many questions could fill each cell, by cell index. A question of a passage counts only in parts
    /// where every question of its passage can fill a cell (a passage is drawn whole).
    public func available(eligibility: [[Int]], groups: [String?]) -> [Int] {
        var counts = Array(repeating: 0, count: cells.count)
        var members: [String: [Int]] = [:]
        for index in eligibility.indices {
            if let group = groups[index] { members[group, default: []].append(index) } else {
                for cell in eligibility[index] { counts[cell] += 1 }
            }
        }
        for questions in members.values {
            for partIndex in blueprint.parts.indices where questions.allSatisfy({ eligibility[$0].contains { cells[$0].part == partIndex } }) {
                for question in questions { for cell in eligibility[question] where cells[cell].part == partIndex { counts[cell] += 1 } }
            }
        }
        return counts
    }
}

/// A blueprint checked against a bank: per cell what is wanted and what the bank holds, the totals, and
/// every problem (the blueprint's own, its template's, the shortfalls). What the ma trận editor shows.
public struct BlueprintCheck: Codable, Sendable, Hashable {
    public struct CellCount: Codable, Sendable, Hashable {
        public var part: String
        public var topic: String
        public var lesson: String?
        public var level: Level
        public var wanted: Int
        public var available: Int
        public var points: Points
        public var short: Bool { available < wanted }

        enum CodingKeys: String, CodingKey { case part, topic, lesson, level, wanted, available, points, short }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(part, forKey: .part); try c.encode(topic, forKey: .topic); try c.encodeIfPresent(lesson, forKey: .lesson)
            try c.encode(level, forKey: .level); try c.encode(wanted, forKey: .wanted); try c.encode(available, forKey: .available)
            try c.encode(points, forKey: .points); try c.encode(short, forKey: .short)
        }
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            part = try c.decode(String.self, forKey: .part); topic = try c.decode(String.self, forKey: .topic)
            lesson = try c.decodeIfPresent(String.self, forKey: .lesson); level = try c.decode(Level.self, forKey: .level)
            wanted = try c.decode(Int.self, forKey: .wanted); available = try c.decode(Int.self, forKey: .available)
            points = try c.decode(Points.self, forKey: .points)
        }
        init(part: String, topic: String, lesson: String?, level: Level, wanted: Int, available: Int, points: Points) {
            self.part = part; self.topic = topic; self.lesson = lesson; self.level = level; self.wanted = wanted; self.available = available; self.points = points
        }
    }

    public struct PartTotal: Codable, Sendable, Hashable {
        public var part: String
        public var questions: Int
        public var points: Points
        /// What the template asks of this part, if the blueprint follows one.
        public var templateQuestions: Int?
        public var templatePoints: Points?
    }

    public var cells: [CellCount]
    public var parts: [PartTotal]
    public var questions: Int
    public var points: Points
    public var maxScore: Points
    /// The blueprint's own problems (totals against the scale, its template), as `Blueprint.validate` finds them.
    public var problems: [String]
    /// Cells the bank cannot fill, with what is missing.
    public var shortfalls: [String]
    /// Questions of the bank left out because they are unclassified.
    public var unclassified: Int
    /// Whether papers can be generated now.
    public var ready: Bool { problems.isEmpty && shortfalls.isEmpty }

    enum CodingKeys: String, CodingKey { case cells, parts, questions, points, maxScore, problems, shortfalls, unclassified, ready }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(cells, forKey: .cells); try c.encode(parts, forKey: .parts); try c.encode(questions, forKey: .questions)
        try c.encode(points, forKey: .points); try c.encode(maxScore, forKey: .maxScore); try c.encode(problems, forKey: .problems)
        try c.encode(shortfalls, forKey: .shortfalls); try c.encode(unclassified, forKey: .unclassified); try c.encode(ready, forKey: .ready)
    }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        cells = try c.decode([CellCount].self, forKey: .cells); parts = try c.decode([PartTotal].self, forKey: .parts)
        questions = try c.decode(Int.self, forKey: .questions); points = try c.decode(Points.self, forKey: .points)
        maxScore = try c.decode(Points.self, forKey: .maxScore); problems = try c.decode([String].self, forKey: .problems)
        shortfalls = try c.decode([String].self, forKey: .shortfalls); unclassified = try c.decode(Int.self, forKey: .unclassified)
    }

    /// Checks `blueprint` against questions described by their traits.
    public init(blueprint: Blueprint, traits: [QuestionTraits]) {
        let index = BlueprintCells(blueprint, includeEmpty: true)
        var folder = BlueprintCells.Folder()
        let eligibility = traits.map { index.eligible($0, folder: &folder) }
        let available = index.available(eligibility: eligibility, groups: traits.map(\.groupID))
        cells = index.cells.enumerated().map { offset, cell in
            CellCount(part: cell.partID, topic: cell.topic, lesson: cell.lesson, level: cell.level, wanted: cell.count, available: available[offset], points: cell.points)
        }
        let template = blueprint.template?.parts
        parts = blueprint.parts.map { part in
            let want = template?.first { $0.id == part.id }
            return PartTotal(part: part.id, questions: part.questionCount, points: part.totalPoints, templateQuestions: want?.count, templatePoints: want?.total)
        }
        questions = blueprint.questionCount
        points = blueprint.totalPoints
        maxScore = blueprint.maxScore
        do { try blueprint.validate(); problems = [] } catch let error as ExamCoreError { problems = error.problems } catch { problems = ["\(error)"] }
        shortfalls = index.shortfalls(available: available)
        unclassified = traits.filter(\.unclassified).count
    }
}
