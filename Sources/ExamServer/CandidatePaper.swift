import ExamCore

/// A paper as a candidate's page receives it: questions as shown, without keys, explanations, option ids
/// (which could tell the authored order) or anything else that would give an answer away.
public struct CandidatePaper: Codable, Sendable, Hashable {
    public struct Part: Codable, Sendable, Hashable {
        public var id: String
        public var title: String?
        public var items: [Item]
    }
    public struct Item: Codable, Sendable, Hashable {
        public var key: String
        public var number: Int
        public var kind: QuestionKind
        public var points: Points
        public var stem: String
        /// Options (choice), statements (true/false), items (ordering, shown shuffled) or choices (matching).
        public var options: [String]?
        public var premises: [String]?
        public var clozeText: String?
        public var gaps: [Gap]?
        /// For numeric answers: whether the 4-character box rule applies.
        public var boxes: Int?
        public var passage: String?

        /// A question as a candidate sees it, without its key: the one view every page draws with the one
        /// renderer (the test page, the teacher's preview and bank browser, the print view).
        public init(key: String, number: Int, points: Points, question: Question, passage: String? = nil) {
            self.key = key; self.number = number; self.kind = question.kind; self.points = points; self.stem = question.stem; self.passage = passage
            switch question.body {
            case let .singleChoice(body): options = body.options.map(\.text)
            case let .multipleResponse(body): options = body.options.map(\.text)
            case let .trueFalse(body): options = body.statements.map(\.text)
            case let .numeric(body): boxes = body.boxRule ? NumericAnswer.boxCount : nil
            case .shortText, .essay: break
            case let .matching(body):
                premises = body.premises.map(\.text)
                options = body.choices.map(\.text)
            case let .ordering(body): options = body.items.map(\.text)
            case let .cloze(body):
                clozeText = body.text
                gaps = body.gaps.map { gap in
                    switch gap.answer {
                    case let .choice(options, _): Gap(id: gap.id, kind: "choice", options: options.map(\.text))
                    case .numeric: Gap(id: gap.id, kind: "numeric", options: nil)
                    case .text: Gap(id: gap.id, kind: "text", options: nil)
                    }
                }
            }
        }
    }
    public struct Gap: Codable, Sendable, Hashable {
        public var id: String
        public var kind: String
        public var options: [String]?
    }

    public var code: String
    public var subject: String
    public var durationMinutes: Int?
    public var parts: [Part]

    public init(_ paper: Paper) {
        code = paper.code
        subject = paper.subject
        durationMinutes = paper.durationMinutes
        let passages = Dictionary(paper.passages.flatMap { passage in passage.keys.map { ($0, passage.passage) } }, uniquingKeysWith: { first, _ in first })
        parts = paper.parts.map { part in
            Part(id: part.id, title: part.title, items: part.items.map { item in
                Item(key: item.key, number: item.number, points: item.points, question: item.question, passage: passages[item.key])
            })
        }
    }
}
