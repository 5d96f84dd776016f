import Foundation

/// One paper (đề thi): an exam code, or one candidate's own paper. Questions are stored as they appear on it,
/// options and statements in paper order, so a label is a position and the paper alone can be graded.
/// It carries the key: candidates are sent a view without it.
public struct Paper: Codable, Sendable, Hashable {
    /// Mã đề ("101") or the candidate's paper number.
    public var code: String
    public var blueprint: String
    public var subject: String
    public var durationMinutes: Int?
    public var maxScore: Points
    public var parts: [PaperPart]
    public var passages: [PaperPassage]

    public init(code: String, blueprint: String, subject: String, durationMinutes: Int?, maxScore: Points, parts: [PaperPart], passages: [PaperPassage]) {
        self.code = code; self.blueprint = blueprint; self.subject = subject; self.durationMinutes = durationMinutes
        self.maxScore = maxScore; self.parts = parts; self.passages = passages
    }

    /// Every item, in paper order.
    public var items: [PaperItem] { parts.flatMap(\.items) }

    /// The sum of the items' points.
    public var totalPoints: Points { items.reduce(.zero) { $0 + $1.points } }
}

/// A part of a paper, in blueprint order (I → II → III).
public struct PaperPart: Codable, Sendable, Hashable {
    public var id: String
    public var title: String?
    public var items: [PaperItem]
}

/// A question on a paper: its key ("I.3" = Phần I, câu 3), its points here, the question as shown.
public struct PaperItem: Codable, Sendable, Hashable {
    public var key: String
    public var part: String
    /// The number within its part (Câu 3).
    public var number: Int
    public var points: Points
    public var question: Question
}

/// A passage on a paper, shown before the items it names.
public struct PaperPassage: Codable, Sendable, Hashable {
    public var groupID: String
    public var revision: Int
    public var passage: RichText
    public var keys: [String]
}

/// The key of one paper in its own labels (bảng đáp án): "B", "ĐSĐS", "0,5".
public struct AnswerKey: Codable, Sendable, Hashable {
    public struct Entry: Codable, Sendable, Hashable {
        public var key: String
        public var answer: String
        public var points: Points
    }
    public var code: String
    public var entries: [Entry]
}

extension Paper {
    /// The answer key of this paper, in its labels.
    public func answerKey() -> AnswerKey {
        AnswerKey(code: code, entries: items.map { AnswerKey.Entry(key: $0.key, answer: $0.question.keyText, points: $0.points) })
    }

    /// Grades a response set keyed by item key ("I.1": "B", "II.2": "ĐSĐS", "III.1": "0,5").
    /// Keys not on the paper are listed in `extraKeys` and score nothing.
    /// `manual`: points a grader gave, by item key; they stand in for what scoring would give (an essay stops
    /// being pending).
    public func grade(_ responses: [String: ResponseValue], manual: [String: Points] = [:]) -> PaperScore {
        var positional: [ResponseValue?] = []
        positional.reserveCapacity(responses.count)
        var known = 0
        for part in parts {
            for item in part.items {
                let response = responses[item.key]
                if response != nil { known += 1 }
                positional.append(response)
            }
        }
        var score = grade(positional: positional, manual: manual)
        if known != responses.count {
            let keys = Set(items.map(\.key))
            score.extraKeys = responses.keys.filter { !keys.contains($0) }.sorted()
        }
        return score
    }

    /// Grades responses given in paper order (one per item, nil for none): the fast path for stored attempts.
    public func grade(positional responses: [ResponseValue?], manual: [String: Points] = [:]) -> PaperScore {
        var scored: [PaperScore.Item] = []
        scored.reserveCapacity(responses.count)
        var totals: [PaperScore.PartTotal] = []
        totals.reserveCapacity(parts.count)
        var position = 0
        // Indices rather than `for item in`: reading fields in place avoids copying (and retaining) whole questions.
        for partIndex in parts.indices {
            var total = PaperScore.PartTotal(id: parts[partIndex].id, awarded: .zero, maximum: .zero)
            for itemIndex in parts[partIndex].items.indices {
                let points = parts[partIndex].items[itemIndex].points
                let response = position < responses.count ? responses[position] : nil
                position += 1
                var score = Scoring.score(parts[partIndex].items[itemIndex].question.body, points: points, response: response)
                if !manual.isEmpty, let given = manual[parts[partIndex].items[itemIndex].key] {
                    score = .byHand(given, of: points)
                }
                scored.append(PaperScore.Item(key: parts[partIndex].items[itemIndex].key, score: score))
                total.awarded += score.awarded
                total.maximum += points
            }
            totals.append(total)
        }
        return assemble(scored, parts: totals)
    }

    /// The paper's score from its items' scores (in paper order) and part totals.
    func assemble(_ scored: [PaperScore.Item], parts totals: [PaperScore.PartTotal]) -> PaperScore {
        let raw = totals.reduce(.zero) { $0 + $1.awarded }
        let maximum = totals.reduce(.zero) { $0 + $1.maximum }
        let onScale = maximum == maxScore || maximum == .zero ? raw : raw.scaled(by: maxScore.hundredths, over: maximum.hundredths)
        return PaperScore(
            code: code, items: scored, parts: totals, raw: raw, maximum: maximum, total: onScale, scale: maxScore,
            pending: scored.reduce(0) { $0 + ($1.score.status == .pending ? 1 : 0) }, extraKeys: [])
    }

    /// A stored score with some items scored again (by position, against this paper, which may carry fixed keys
    /// or points): the other items keep their scores; part totals, the total and the pending count follow.
    public func rescored(_ old: PaperScore, items replaced: [Int: ItemScore]) -> PaperScore {
        var scored = old.items
        for (position, score) in replaced where position < scored.count { scored[position].score = score }
        var totals: [PaperScore.PartTotal] = []
        var position = 0
        for part in parts {
            var total = PaperScore.PartTotal(id: part.id, awarded: .zero, maximum: .zero)
            for _ in part.items where position < scored.count {
                total.awarded += scored[position].score.awarded
                total.maximum += scored[position].score.maximum
                position += 1
            }
            totals.append(total)
        }
        var score = assemble(scored, parts: totals)
        score.extraKeys = old.extraKeys
        return score
    }
}

/// A graded paper: per item, per part, and the total on the paper's scale (10), exact to the hundredth.
public struct PaperScore: Codable, Sendable, Hashable {
    /// One item's score, by its key; the question (id, revision) is the paper's item at the same position.
    public struct Item: Codable, Sendable, Hashable {
        public var key: String
        public var score: ItemScore
    }
    public struct PartTotal: Codable, Sendable, Hashable {
        public var id: String
        public var awarded: Points
        public var maximum: Points
    }
    public var code: String
    public var items: [Item]
    public var parts: [PartTotal]
    /// The plain sum of awarded points.
    public var raw: Points
    /// The sum of the items' points.
    public var maximum: Points
    /// `raw` on the `scale` (10): equal to `raw` when the items add up to the scale, else scaled half-up.
    public var total: Points
    public var scale: Points
    /// Essays still waiting for a grader: the total is provisional while this is above zero.
    public var pending: Int
    /// Response keys that are not items of this paper (ignored).
    public var extraKeys: [String]
}

extension Question {
    /// The key as a candidate would write it on this paper: "B", "A,C", "ĐSĐS", "0,5", "1-B, 2-A", "C,A,B".
    public var keyText: String {
        switch body {
        case let .singleChoice(body):
            return body.options.firstIndex { $0.id == body.answer }.map(Labels.option) ?? "?"
        case let .multipleResponse(body):
            return body.options.indices.filter { body.answers.contains(body.options[$0].id) }.map(Labels.option).joined(separator: ",")
        case let .trueFalse(body):
            return body.statements.map { $0.isTrue ? "Đ" : "S" }.joined()
        case let .numeric(body):
            if case let .value(_, canonical) = NumericAnswer.normalise(body.answer, boxRule: false) { return canonical }
            return body.answer
        case let .shortText(body):
            return body.answers.first ?? body.pattern ?? ""
        case let .matching(body):
            return body.premises.enumerated().map { index, premise in
                let choice = body.pairs.first { $0.premise == premise.id }.flatMap { pair in body.choices.firstIndex { $0.id == pair.choice } }
                return "\(Labels.premise(index))-\(choice.map(Labels.option) ?? "?")"
            }.joined(separator: ", ")
        case let .ordering(body):
            return body.order.map { id in body.items.firstIndex { $0.id == id }.map(Labels.option) ?? "?" }.joined(separator: ",")
        case let .cloze(body):
            return body.gaps.map { gap in
                switch gap.answer {
                case let .choice(options, answer): "(\(gap.id)) " + (options.firstIndex { $0.id == answer }.map(Labels.option) ?? "?")
                case let .numeric(numeric): "(\(gap.id)) " + numeric.answer
                case let .text(text): "(\(gap.id)) " + (text.answers.first ?? "")
                }
            }.joined(separator: "; ")
        case .essay:
            return "(tự luận)"
        }
    }
}
