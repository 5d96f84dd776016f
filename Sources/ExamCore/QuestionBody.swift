import Foundation

/// An option of a choice question. `id` is stable across shuffles; the label (A, B, …) is its position on a
/// paper. A `locked` option keeps its position (e.g. "Tất cả các đáp án trên" stays last).
public struct ChoiceOption: Codable, Sendable, Hashable {
    public var id: String
    public var text: RichText
    public var locked: Bool

    public init(id: String, text: RichText, locked: Bool = false) {
        self.id = id; self.text = text; self.locked = locked
    }

    enum CodingKeys: String, CodingKey { case id, text, locked }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        text = try c.decode(String.self, forKey: .text)
        locked = try c.decodeIfPresent(Bool.self, forKey: .locked) ?? false
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(text, forKey: .text)
        if locked { try c.encode(true, forKey: .locked) }
    }
}

/// How a question with several parts gives credit.
public enum PartialScoring: String, Codable, Sendable {
    /// Full points only when everything is right.
    case allOrNothing = "all-or-nothing"
    /// Credit in proportion (see each kind for what counts).
    case partial
}

/// Credit per option, as an item may define it (QTI's `<mapping>`, Moodle's answer fractions): the values of
/// the options picked are added (an option not listed counts `otherwise`), the sum is kept between
/// `lowerBound` and `upperBound` when they are given and always between 0 and 1, and the question earns that
/// fraction of its points (rounded half-up to hundredths). Values are exact decimals.
public struct OptionCredit: Codable, Sendable, Hashable {
    /// Option id → fraction of the points (may be negative).
    public var values: [String: Decimal]
    public var otherwise: Decimal
    public var lowerBound: Decimal?
    public var upperBound: Decimal?

    public init(values: [String: Decimal], otherwise: Decimal = 0, lowerBound: Decimal? = nil, upperBound: Decimal? = nil) {
        self.values = values; self.otherwise = otherwise; self.lowerBound = lowerBound; self.upperBound = upperBound
    }

    enum CodingKeys: String, CodingKey { case values, otherwise, lowerBound, upperBound }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        values = try c.decode([String: Decimal].self, forKey: .values)
        otherwise = try c.decodeIfPresent(Decimal.self, forKey: .otherwise) ?? 0
        lowerBound = try c.decodeIfPresent(Decimal.self, forKey: .lowerBound)
        upperBound = try c.decodeIfPresent(Decimal.self, forKey: .upperBound)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(values, forKey: .values)
        if otherwise != 0 { try c.encode(otherwise, forKey: .otherwise) }
        try c.encodeIfPresent(lowerBound, forKey: .lowerBound)
        try c.encodeIfPresent(upperBound, forKey: .upperBound)
    }

    /// The fraction of the points earned by picking these options.
    public func fraction(picked ids: [String]) -> Decimal {
        var sum = ids.reduce(Decimal(0)) { $0 + (values[$1] ?? otherwise) }
        if let lowerBound { sum = max(sum, lowerBound) }
        if let upperBound { sum = min(sum, upperBound) }
        return min(max(sum, 0), 1)
    }
}

/// Pick exactly one option (Phần I of the 2025 format). With `credit`, other options may earn part of the points.
public struct SingleChoice: Codable, Sendable, Hashable {
    public var options: [ChoiceOption]
    /// The id of the correct option.
    public var answer: String
    /// Credit per option when the item gives partial credit; the answer is then an option that earns it all.
    public var credit: OptionCredit?
    public init(options: [ChoiceOption], answer: String, credit: OptionCredit? = nil) { self.options = options; self.answer = answer; self.credit = credit }

    enum CodingKeys: String, CodingKey { case options, answer, credit }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        options = try c.decode([ChoiceOption].self, forKey: .options)
        answer = try c.decode(String.self, forKey: .answer)
        credit = try c.decodeIfPresent(OptionCredit.self, forKey: .credit)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(options, forKey: .options)
        try c.encode(answer, forKey: .answer)
        try c.encodeIfPresent(credit, forKey: .credit)
    }
}

/// Pick every correct option. Partial scoring: each correct option picked earns 1/c of the points, each
/// wrong option picked takes 1/c away, never below zero (c = number of correct options).
public struct MultipleResponse: Codable, Sendable, Hashable {
    public var options: [ChoiceOption]
    public var answers: [String]
    public var scoring: PartialScoring
    /// Credit per option as the item defines it; when given it decides the score instead of `scoring`.
    public var credit: OptionCredit?
    public init(options: [ChoiceOption], answers: [String], scoring: PartialScoring = .allOrNothing, credit: OptionCredit? = nil) {
        self.options = options; self.answers = answers; self.scoring = scoring; self.credit = credit
    }
    enum CodingKeys: String, CodingKey { case options, answers, scoring, credit }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        options = try c.decode([ChoiceOption].self, forKey: .options)
        answers = try c.decode([String].self, forKey: .answers)
        scoring = try c.decodeIfPresent(PartialScoring.self, forKey: .scoring) ?? .allOrNothing
        credit = try c.decodeIfPresent(OptionCredit.self, forKey: .credit)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(options, forKey: .options)
        try c.encode(answers, forKey: .answers)
        try c.encode(scoring, forKey: .scoring)
        try c.encodeIfPresent(credit, forKey: .credit)
    }
}

/// One statement of a true/false cluster.
public struct Statement: Codable, Sendable, Hashable {
    public var id: String
    public var text: RichText
    public var isTrue: Bool
    public init(id: String, text: RichText, isTrue: Bool) { self.id = id; self.text = text; self.isTrue = isTrue }
}

/// Mark each statement Đúng or Sai (Phần II). Points by the number k of statements right: `table[k]`,
/// given for the question's full points as `table.last`, and scaled when a paper gives other points.
public struct TrueFalseCluster: Codable, Sendable, Hashable {
    public var statements: [Statement]
    /// Points for 0, 1, …, n statements right; nil means the 2025 table (4 statements: 0, 0.10, 0.25, 0.50, 1.00).
    public var table: [Points]?
    /// Statements stay a–d unless the author allows shuffling.
    public var shuffleStatements: Bool

    public init(statements: [Statement], table: [Points]? = nil, shuffleStatements: Bool = false) {
        self.statements = statements; self.table = table; self.shuffleStatements = shuffleStatements
    }

    /// The 2025 graduation-exam table for 4 statements.
    public static let table2025: [Points] = [0, Points(hundredths: 10), Points(hundredths: 25), Points(hundredths: 50), Points(1)]

    /// The table in force: the explicit one, or the 2025 table for 4 statements (nil if neither applies).
    public var effectiveTable: [Points]? {
        if let table { return table }
        return statements.count == 4 ? Self.table2025 : nil
    }

    enum CodingKeys: String, CodingKey { case statements, table, shuffleStatements }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        statements = try c.decode([Statement].self, forKey: .statements)
        table = try c.decodeIfPresent([Points].self, forKey: .table)
        shuffleStatements = try c.decodeIfPresent(Bool.self, forKey: .shuffleStatements) ?? false
    }
}

/// A number written in the answer boxes (Phần III). See `NumericAnswer.normalise` for the rules.
public struct NumericAnswer: Codable, Sendable, Hashable {
    /// The key as a teacher writes it: "0,5", "-12", "3.14".
    public var answer: String
    /// Other accepted values.
    public var alternatives: [String]
    /// Absolute tolerance; nil means exact.
    public var tolerance: Decimal?
    /// The 2025 rule: at most 4 boxes from 0–9, `-`, `,` (minus only first, at most one comma).
    public var boxRule: Bool

    public init(answer: String, alternatives: [String] = [], tolerance: Decimal? = nil, boxRule: Bool = true) {
        self.answer = answer; self.alternatives = alternatives; self.tolerance = tolerance; self.boxRule = boxRule
    }

    enum CodingKeys: String, CodingKey { case answer, alternatives, tolerance, boxRule }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let text = try? c.decode(String.self, forKey: .answer) { answer = text } else {
            answer = try c.decode(Decimal.self, forKey: .answer).description
        }
        alternatives = try c.decodeIfPresent([String].self, forKey: .alternatives) ?? []
        tolerance = try c.decodeIfPresent(Decimal.self, forKey: .tolerance)
        boxRule = try c.decodeIfPresent(Bool.self, forKey: .boxRule) ?? true
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(answer, forKey: .answer)
        if !alternatives.isEmpty { try c.encode(alternatives, forKey: .alternatives) }
        try c.encodeIfPresent(tolerance, forKey: .tolerance)
        if !boxRule { try c.encode(false, forKey: .boxRule) }
    }
}

/// A word or phrase. Compared after NFC, case folding (unless `caseSensitive`) and collapsing spaces,
/// against `answers`; or matched whole by `pattern` (a regular expression) when given.
public struct ShortText: Codable, Sendable, Hashable {
    public var answers: [String]
    public var caseSensitive: Bool
    public var pattern: String?

    public init(answers: [String], caseSensitive: Bool = false, pattern: String? = nil) {
        self.answers = answers; self.caseSensitive = caseSensitive; self.pattern = pattern
    }

    enum CodingKeys: String, CodingKey { case answers, caseSensitive, pattern }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        answers = try c.decode([String].self, forKey: .answers)
        caseSensitive = try c.decodeIfPresent(Bool.self, forKey: .caseSensitive) ?? false
        pattern = try c.decodeIfPresent(String.self, forKey: .pattern)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(answers, forKey: .answers)
        if caseSensitive { try c.encode(true, forKey: .caseSensitive) }
        try c.encodeIfPresent(pattern, forKey: .pattern)
    }
}

/// An item of a matching or ordering question.
public struct Item: Codable, Sendable, Hashable {
    public var id: String
    public var text: RichText
    public init(id: String, text: RichText) { self.id = id; self.text = text }
}

/// A premise and the choice it goes with.
public struct Pair: Codable, Sendable, Hashable {
    public var premise: String
    public var choice: String
    public init(premise: String, choice: String) { self.premise = premise; self.choice = choice }
}

/// Match each premise (1, 2, …) to a choice (A, B, …); choices may include distractors.
/// Partial scoring: points × (pairs right / premises).
public struct Matching: Codable, Sendable, Hashable {
    public var premises: [Item]
    public var choices: [Item]
    public var pairs: [Pair]
    public var scoring: PartialScoring
    public init(premises: [Item], choices: [Item], pairs: [Pair], scoring: PartialScoring = .partial) {
        self.premises = premises; self.choices = choices; self.pairs = pairs; self.scoring = scoring
    }
    enum CodingKeys: String, CodingKey { case premises, choices, pairs, scoring }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        premises = try c.decode([Item].self, forKey: .premises)
        choices = try c.decode([Item].self, forKey: .choices)
        pairs = try c.decode([Pair].self, forKey: .pairs)
        scoring = try c.decodeIfPresent(PartialScoring.self, forKey: .scoring) ?? .partial
    }
}

/// Put items in order. `items` are in the correct order; a paper presents them shuffled.
/// Partial scoring: points × (positions right / items).
public struct Ordering: Codable, Sendable, Hashable {
    public var items: [Item]
    /// The correct order as item ids (on a paper the items are shown shuffled, so this is kept apart).
    public var order: [String]
    public var scoring: PartialScoring
    public init(items: [Item], order: [String]? = nil, scoring: PartialScoring = .allOrNothing) {
        self.items = items; self.order = order ?? items.map(\.id); self.scoring = scoring
    }
    enum CodingKeys: String, CodingKey { case items, order, scoring }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        items = try c.decode([Item].self, forKey: .items)
        order = try c.decodeIfPresent([String].self, forKey: .order) ?? items.map(\.id)
        scoring = try c.decodeIfPresent(PartialScoring.self, forKey: .scoring) ?? .allOrNothing
    }
}

/// What fills a cloze gap.
public enum GapAnswer: Sendable, Hashable {
    case choice(options: [ChoiceOption], answer: String)
    case numeric(NumericAnswer)
    case text(ShortText)
}

/// One gap of a cloze text, written `{{id}}` in the text.
public struct Gap: Codable, Sendable, Hashable {
    public var id: String
    /// Share of the question's points (all gaps weigh 1 by default).
    public var weight: Int
    public var answer: GapAnswer

    public init(id: String, weight: Int = 1, answer: GapAnswer) { self.id = id; self.weight = weight; self.answer = answer }

    enum CodingKeys: String, CodingKey { case id, weight, kind, options, answer, answers, alternatives, tolerance, boxRule, caseSensitive, pattern }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        weight = try c.decodeIfPresent(Int.self, forKey: .weight) ?? 1
        let kind = try c.decode(String.self, forKey: .kind)
        switch kind {
        case "choice":
            answer = .choice(options: try c.decode([ChoiceOption].self, forKey: .options), answer: try c.decode(String.self, forKey: .answer))
        case "numeric": answer = .numeric(try NumericAnswer(from: decoder))
        case "text": answer = .text(try ShortText(from: decoder))
        default:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown gap kind \"\(kind)\" (use choice, numeric or text)")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        if weight != 1 { try c.encode(weight, forKey: .weight) }
        switch answer {
        case let .choice(options, answer):
            try c.encode("choice", forKey: .kind)
            try c.encode(options, forKey: .options)
            try c.encode(answer, forKey: .answer)
        case let .numeric(numeric):
            try c.encode("numeric", forKey: .kind)
            try numeric.encode(to: encoder)
        case let .text(text):
            try c.encode("text", forKey: .kind)
            try text.encode(to: encoder)
        }
    }
}

/// A text with gaps `{{1}}`, `{{2}}`, … each filled by a choice, a number or a word.
/// Points × (weight of gaps right / total weight).
public struct Cloze: Codable, Sendable, Hashable {
    public var text: RichText
    public var gaps: [Gap]
    public init(text: RichText, gaps: [Gap]) { self.text = text; self.gaps = gaps }
}

/// Tự luận: graded by a person, pending until then.
public struct Essay: Codable, Sendable, Hashable {
    /// Hướng dẫn chấm: what graders look for.
    public var rubric: RichText?
    public init(rubric: RichText? = nil) { self.rubric = rubric }
}

/// What a question asks and what its key is, by kind.
public enum QuestionBody: Sendable, Hashable {
    case singleChoice(SingleChoice)
    case multipleResponse(MultipleResponse)
    case trueFalse(TrueFalseCluster)
    case numeric(NumericAnswer)
    case shortText(ShortText)
    case matching(Matching)
    case ordering(Ordering)
    case cloze(Cloze)
    case essay(Essay)

    public var kind: QuestionKind {
        switch self {
        case .singleChoice: .singleChoice
        case .multipleResponse: .multipleResponse
        case .trueFalse: .trueFalse
        case .numeric: .numeric
        case .shortText: .shortText
        case .matching: .matching
        case .ordering: .ordering
        case .cloze: .cloze
        case .essay: .essay
        }
    }
}

/// The body is written flat into the question's JSON object, beside `"kind"`.
extension QuestionBody: Codable {
    enum KindKey: String, CodingKey { case kind }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: KindKey.self)
        let text = try c.decode(String.self, forKey: .kind)
        guard let kind = QuestionKind(rawValue: text) else {
            let known = QuestionKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown kind \"\(text)\" (use one of \(known))")
        }
        switch kind {
        case .singleChoice: self = .singleChoice(try SingleChoice(from: decoder))
        case .multipleResponse: self = .multipleResponse(try MultipleResponse(from: decoder))
        case .trueFalse: self = .trueFalse(try TrueFalseCluster(from: decoder))
        case .numeric: self = .numeric(try NumericAnswer(from: decoder))
        case .shortText: self = .shortText(try ShortText(from: decoder))
        case .matching: self = .matching(try Matching(from: decoder))
        case .ordering: self = .ordering(try Ordering(from: decoder))
        case .cloze: self = .cloze(try Cloze(from: decoder))
        case .essay: self = .essay(try Essay(from: decoder))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: KindKey.self)
        try c.encode(kind.rawValue, forKey: .kind)
        switch self {
        case let .singleChoice(body): try body.encode(to: encoder)
        case let .multipleResponse(body): try body.encode(to: encoder)
        case let .trueFalse(body): try body.encode(to: encoder)
        case let .numeric(body): try body.encode(to: encoder)
        case let .shortText(body): try body.encode(to: encoder)
        case let .matching(body): try body.encode(to: encoder)
        case let .ordering(body): try body.encode(to: encoder)
        case let .cloze(body): try body.encode(to: encoder)
        case let .essay(body): try body.encode(to: encoder)
        }
    }
}
