import Foundation

/// Rich text: Markdown with inline LaTeX (`$…$`, `\(…\)`) and image references (`![alt](media/x.png)`).
/// Stored as written (NFC); rendering is the pages' job.
public typealias RichText = String

/// The kinds of question khaothi can deliver and score.
public enum QuestionKind: String, Codable, Sendable, CaseIterable {
    case singleChoice = "single-choice"
    case multipleResponse = "multiple-response"
    case trueFalse = "true-false"
    case numeric = "numeric"
    case shortText = "short-text"
    case matching = "matching"
    case ordering = "ordering"
    case cloze = "cloze"
    case essay = "essay"

    /// Vietnamese name, as teachers say it.
    public var vietnameseName: String {
        switch self {
        case .singleChoice: "Trắc nghiệm nhiều lựa chọn"
        case .multipleResponse: "Chọn nhiều đáp án"
        case .trueFalse: "Trắc nghiệm đúng/sai"
        case .numeric: "Trả lời ngắn"
        case .shortText: "Điền từ"
        case .matching: "Ghép nối"
        case .ordering: "Sắp xếp thứ tự"
        case .cloze: "Điền khuyết"
        case .essay: "Tự luận"
        }
    }
}

/// One question of a bank, at one revision.
///
/// `id` is stable across edits; `revision` grows with every edit, and a paper points at the revision it used.
/// Everything a blueprint selects on (subject, grade, topic, lesson, requirement, level, kind) is here.
public struct Question: Codable, Sendable, Hashable, Identifiable {
    public var id: String
    public var revision: Int
    public var subject: String
    public var grade: Int?
    public var topic: String
    public var lesson: String?
    /// Yêu cầu cần đạt: the learning requirement this question checks.
    public var requirement: String?
    public var level: Level
    /// Points when a blueprint does not say otherwise.
    public var points: Points
    public var stem: RichText
    /// Lời giải: the worked solution, never shown to a candidate before results are released.
    public var explanation: RichText?
    public var tags: [String]
    /// The passage this question belongs to, if any (`QuestionGroup.id`).
    public var groupID: String?
    /// Whether the options (or matching choices, cloze choices) may be shuffled on a paper.
    public var shuffleOptions: Bool
    /// Chưa phân loại: imported from a file that said nothing of its topic or level (a plain Aiken or Azota
    /// file), which stand in until a teacher classifies it. A blueprint never draws such a question.
    public var unclassified: Bool
    public var body: QuestionBody

    public var kind: QuestionKind { body.kind }

    /// The topic an unclassified question stands under until it is classified.
    public static let unclassifiedTopic = "Chưa phân loại"

    public init(
        id: String, revision: Int = 1, subject: String, grade: Int? = nil, topic: String, lesson: String? = nil,
        requirement: String? = nil, level: Level, points: Points, stem: RichText, explanation: RichText? = nil,
        tags: [String] = [], groupID: String? = nil, shuffleOptions: Bool = true, unclassified: Bool = false, body: QuestionBody
    ) {
        self.id = id; self.revision = revision; self.subject = subject; self.grade = grade; self.topic = topic
        self.lesson = lesson; self.requirement = requirement; self.level = level; self.points = points
        self.stem = stem; self.explanation = explanation; self.tags = tags; self.groupID = groupID
        self.shuffleOptions = shuffleOptions; self.unclassified = unclassified; self.body = body
    }

    enum CodingKeys: String, CodingKey {
        case id, revision, subject, grade, topic, lesson, requirement, level, points, stem, explanation, tags
        case groupID = "group", shuffleOptions, unclassified
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        revision = try c.decodeIfPresent(Int.self, forKey: .revision) ?? 1
        subject = try c.decode(String.self, forKey: .subject)
        grade = try c.decodeIfPresent(Int.self, forKey: .grade)
        topic = try c.decode(String.self, forKey: .topic)
        lesson = try c.decodeIfPresent(String.self, forKey: .lesson)
        requirement = try c.decodeIfPresent(String.self, forKey: .requirement)
        let levelText = try c.decode(String.self, forKey: .level)
        guard let level = Level(rawValue: levelText) ?? Level(parsing: levelText) else {
            throw DecodingError.dataCorruptedError(forKey: .level, in: c, debugDescription: "unknown level \"\(levelText)\" (use nhan-biet, thong-hieu, van-dung or van-dung-cao)")
        }
        self.level = level
        body = try QuestionBody(from: decoder)
        points = try c.decodeIfPresent(Points.self, forKey: .points) ?? body.kind.defaultPoints
        stem = try c.decode(String.self, forKey: .stem)
        explanation = try c.decodeIfPresent(String.self, forKey: .explanation)
        tags = try c.decodeIfPresent([String].self, forKey: .tags) ?? []
        groupID = try c.decodeIfPresent(String.self, forKey: .groupID)
        shuffleOptions = try c.decodeIfPresent(Bool.self, forKey: .shuffleOptions) ?? true
        unclassified = try c.decodeIfPresent(Bool.self, forKey: .unclassified) ?? false
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(revision, forKey: .revision)
        try c.encode(subject, forKey: .subject)
        try c.encodeIfPresent(grade, forKey: .grade)
        try c.encode(topic, forKey: .topic)
        try c.encodeIfPresent(lesson, forKey: .lesson)
        try c.encodeIfPresent(requirement, forKey: .requirement)
        try c.encode(level, forKey: .level)
        try c.encode(points, forKey: .points)
        try c.encode(stem, forKey: .stem)
        try c.encodeIfPresent(explanation, forKey: .explanation)
        if !tags.isEmpty { try c.encode(tags, forKey: .tags) }
        try c.encodeIfPresent(groupID, forKey: .groupID)
        if !shuffleOptions { try c.encode(false, forKey: .shuffleOptions) }
        if unclassified { try c.encode(true, forKey: .unclassified) }
        try body.encode(to: encoder)
    }
}

extension QuestionKind {
    /// The 2025 default: 0.25 for a choice, 1.00 for a true/false cluster, 0.25 for a short answer.
    public var defaultPoints: Points {
        switch self {
        case .trueFalse, .essay: Points(1)
        default: Points(hundredths: 25)
        }
    }
}

/// A passage (đoạn văn, bài đọc) shared by several questions, which stay together on a paper.
public struct QuestionGroup: Codable, Sendable, Hashable, Identifiable {
    public var id: String
    public var revision: Int
    public var passage: RichText
    /// Whether the sub-questions may be shuffled among themselves (they never leave the group).
    public var shuffleQuestions: Bool

    public init(id: String, revision: Int = 1, passage: RichText, shuffleQuestions: Bool = false) {
        self.id = id; self.revision = revision; self.passage = passage; self.shuffleQuestions = shuffleQuestions
    }

    enum CodingKeys: String, CodingKey { case id, revision, passage, shuffleQuestions }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        revision = try c.decodeIfPresent(Int.self, forKey: .revision) ?? 1
        passage = try c.decode(String.self, forKey: .passage)
        shuffleQuestions = try c.decodeIfPresent(Bool.self, forKey: .shuffleQuestions) ?? false
    }
}

/// A question bank: questions and the passages they share.
public struct QuestionBank: Codable, Sendable {
    public var name: String
    public var subject: String?
    public var questions: [Question]
    public var groups: [QuestionGroup]

    public init(name: String, subject: String? = nil, questions: [Question], groups: [QuestionGroup] = []) {
        self.name = name; self.subject = subject; self.questions = questions; self.groups = groups
    }

    enum CodingKeys: String, CodingKey { case name, subject, questions, groups }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        subject = try c.decodeIfPresent(String.self, forKey: .subject)
        questions = try c.decode([Question].self, forKey: .questions)
        groups = try c.decodeIfPresent([QuestionGroup].self, forKey: .groups) ?? []
    }
}
