import Foundation

/// A blueprint (ma trận đề): parts × rows (topic, optionally lesson) × level columns; each cell a count of
/// questions and the points each is worth on the paper.
public struct Blueprint: Codable, Sendable, Hashable {
    public var name: String
    public var subject: String
    public var grade: Int?
    public var levelScale: LevelScale
    public var durationMinutes: Int?
    /// What the cells must add up to (10 on the Vietnamese scale).
    public var maxScore: Points
    /// If set, the blueprint must have this 2025 template's parts, counts and points.
    public var template: ExamTemplate?
    public var parts: [BlueprintPart]

    public init(name: String, subject: String, grade: Int? = nil, levelScale: LevelScale = .four, durationMinutes: Int? = nil,
                maxScore: Points = 10, template: ExamTemplate? = nil, parts: [BlueprintPart]) {
        self.name = name; self.subject = subject; self.grade = grade; self.levelScale = levelScale
        self.durationMinutes = durationMinutes; self.maxScore = maxScore; self.template = template; self.parts = parts
    }

    enum CodingKeys: String, CodingKey { case name, subject, grade, levelScale, durationMinutes, maxScore, template, parts }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        subject = try c.decode(String.self, forKey: .subject)
        grade = try c.decodeIfPresent(Int.self, forKey: .grade)
        levelScale = try c.decodeIfPresent(LevelScale.self, forKey: .levelScale) ?? .four
        template = try c.decodeIfPresent(ExamTemplate.self, forKey: .template)
        durationMinutes = try c.decodeIfPresent(Int.self, forKey: .durationMinutes) ?? template?.minutes
        maxScore = try c.decodeIfPresent(Points.self, forKey: .maxScore) ?? 10
        parts = try c.decode([BlueprintPart].self, forKey: .parts)
    }

    /// Every question the blueprint asks for.
    public var questionCount: Int { parts.reduce(0) { $0 + $1.questionCount } }

    /// The points of all cells together.
    public var totalPoints: Points { parts.reduce(.zero) { $0 + $1.totalPoints } }

    /// Checks the blueprint against itself and its template; throws `.invalidBlueprint` with every problem.
    public func validate() throws {
        var problems: [String] = []
        if parts.isEmpty { problems.append("ma trận không có phần nào / the blueprint has no parts") }
        var seenParts = Set<String>()
        for part in parts {
            if !seenParts.insert(part.id).inserted { problems.append("Phần \(part.id) lặp lại / part \(part.id) appears twice") }
            if part.kinds.isEmpty { problems.append("Phần \(part.id): chưa nêu dạng câu hỏi / no question kinds") }
            var seenRows = Set<String>()
            for row in part.rows {
                let rowKey = TextFolding.fold(row.topic) + "|" + TextFolding.fold(row.lesson ?? "")
                if !seenRows.insert(rowKey).inserted { problems.append("Phần \(part.id) / \(row.label): dòng lặp lại / row appears twice") }
                var seenLevels = Set<Level>()
                for cell in row.cells {
                    let place = "Phần \(part.id) / \(row.label) / \(cell.level.name(on: levelScale))"
                    if cell.count < 0 { problems.append("\(place): số câu âm / negative count") }
                    if cell.points(in: part) <= .zero, cell.count > 0 { problems.append("\(place): điểm mỗi câu phải dương / points per question must be positive") }
                    if cell.level.on(levelScale) != cell.level { problems.append("\(place): mức độ không có trong thang 3 mức / level not on the 3-level scale (use van-dung)") }
                    if !seenLevels.insert(cell.level).inserted { problems.append("\(place): ô lặp lại / cell appears twice") }
                }
            }
        }
        if totalPoints != maxScore {
            problems.append("tổng điểm là \(totalPoints.formatted(decimalMark: ",")), cần \(maxScore.formatted(decimalMark: ",")) / cells add up to \(totalPoints), not \(maxScore)")
        }
        if let template { problems += template.problems(with: self) }
        if !problems.isEmpty {
            throw ExamCoreError(.invalidBlueprint, "Ma trận \"\(name)\" chưa hợp lệ / blueprint \"\(name)\" is not valid", problems: problems)
        }
    }
}

/// A part of a paper (Phần I, II, III, tự luận): which kinds of question it takes, and its rows.
public struct BlueprintPart: Codable, Sendable, Hashable {
    /// "I", "II", "III", "TL" (tự luận) or any short name; item keys on a paper are "I.1", "II.3", ….
    public var id: String
    public var title: String?
    public var kinds: [QuestionKind]
    /// Points per question for cells that do not give their own.
    public var points: Points?
    public var rows: [BlueprintRow]

    public init(id: String, title: String? = nil, kinds: [QuestionKind]? = nil, points: Points? = nil, rows: [BlueprintRow]) {
        self.id = id; self.title = title; self.kinds = kinds ?? BlueprintPart.defaultKinds(for: id)
        self.points = points; self.rows = rows
    }

    enum CodingKeys: String, CodingKey { case id, title, kinds, points, rows }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        kinds = try c.decodeIfPresent([QuestionKind].self, forKey: .kinds) ?? BlueprintPart.defaultKinds(for: id)
        points = try c.decodeIfPresent(Points.self, forKey: .points)
        rows = try c.decode([BlueprintRow].self, forKey: .rows)
    }

    /// The 2025 parts: I single choice, II true/false, III numeric short answer; TL essay.
    public static func defaultKinds(for id: String) -> [QuestionKind] {
        switch id.uppercased() {
        case "I", "1": [.singleChoice]
        case "II", "2": [.trueFalse]
        case "III", "3": [.numeric]
        case "TL", "IV", "4", "ESSAY": [.essay]
        default: []
        }
    }

    public var questionCount: Int { rows.reduce(0) { $0 + $1.cells.reduce(0) { $0 + max(0, $1.count) } } }
    public var totalPoints: Points {
        rows.reduce(.zero) { total, row in row.cells.reduce(total) { $0 + $1.points(in: self) * max(0, $1.count) } }
    }
}

/// A row of a blueprint: a topic (chủ đề), optionally narrowed to a lesson (bài).
public struct BlueprintRow: Codable, Sendable, Hashable {
    public var topic: String
    public var lesson: String?
    public var cells: [BlueprintCell]

    public init(topic: String, lesson: String? = nil, cells: [BlueprintCell]) {
        self.topic = topic; self.lesson = lesson; self.cells = cells
    }

    var label: String { lesson.map { "\(topic) / \($0)" } ?? topic }
}

/// A cell: how many questions of this level, the points each is worth, and what the questions must check
/// (its line of the bản đặc tả).
public struct BlueprintCell: Codable, Sendable, Hashable {
    public var level: Level
    public var count: Int
    /// Points per question; nil takes the part's.
    public var points: Points?
    /// Bản đặc tả: the requirement (yêu cầu cần đạt) the cell's questions check, as the specification says it.
    public var requirement: String?

    public init(level: Level, count: Int, points: Points? = nil, requirement: String? = nil) {
        self.level = level; self.count = count; self.points = points; self.requirement = requirement
    }

    public func points(in part: BlueprintPart) -> Points { points ?? part.points ?? .zero }

    enum CodingKeys: String, CodingKey { case level, count, points, requirement }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let text = try c.decode(String.self, forKey: .level)
        guard let level = Level(rawValue: text) ?? Level(parsing: text) else {
            throw DecodingError.dataCorruptedError(forKey: .level, in: c, debugDescription: "unknown level \"\(text)\"")
        }
        self.level = level
        count = try c.decode(Int.self, forKey: .count)
        points = try c.decodeIfPresent(Points.self, forKey: .points)
        requirement = try c.decodeIfPresent(String.self, forKey: .requirement)
    }
}

extension Blueprint {
    /// A blueprint that a bank of exactly `questions` fills in one way only: every question, each at its own
    /// points. Parts by kind (in the 2025 order, then the others), one per kind and points; rows by topic and
    /// lesson; cells by level. Its maximum is the questions' total (a paper made from it is put on the 10-point
    /// scale by setting the paper's maximum).
    public static func fixedSet(_ questions: [Question], name: String, subject: String) throws -> Blueprint {
        guard !questions.isEmpty else { throw ExamCoreError(.invalidBlueprint, "chưa chọn câu hỏi nào / no question chosen") }
        let order: [QuestionKind] = [.singleChoice, .trueFalse, .numeric, .shortText, .multipleResponse, .matching, .ordering, .cloze, .essay]
        var groups: [(kind: QuestionKind, points: Points, questions: [Question])] = []
        for question in questions {
            if let index = groups.firstIndex(where: { $0.kind == question.kind && $0.points == question.points }) {
                groups[index].questions.append(question)
            } else {
                groups.append((question.kind, question.points, [question]))
            }
        }
        groups.sort { a, b in
            let x = order.firstIndex(of: a.kind)!, y = order.firstIndex(of: b.kind)!
            return x != y ? x < y : a.points < b.points
        }
        let parts = groups.enumerated().map { index, group -> BlueprintPart in
            var rows: [BlueprintRow] = []
            for question in group.questions {
                if let row = rows.firstIndex(where: { TextFolding.fold($0.topic) == TextFolding.fold(question.topic)
                    && TextFolding.fold($0.lesson ?? "") == TextFolding.fold(question.lesson ?? "") }) {
                    if let cell = rows[row].cells.firstIndex(where: { $0.level == question.level }) {
                        rows[row].cells[cell].count += 1
                    } else {
                        rows[row].cells.append(BlueprintCell(level: question.level, count: 1))
                    }
                } else {
                    rows.append(BlueprintRow(topic: question.topic, lesson: question.lesson, cells: [BlueprintCell(level: question.level, count: 1)]))
                }
            }
            return BlueprintPart(id: String(index + 1), title: group.kind.vietnameseName, kinds: [group.kind], points: group.points, rows: rows)
        }
        let total = questions.reduce(Points.zero) { $0 + $1.points }
        return Blueprint(name: name, subject: subject, levelScale: .four, maxScore: total, parts: parts)
    }
}
