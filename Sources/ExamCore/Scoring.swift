import Foundation

/// How one item was scored.
public struct ItemScore: Codable, Hashable, Sendable {
    public enum Status: String, Codable, Sendable {
        case correct, partial, incorrect, unanswered
        /// The response could not be read for this kind (wrong shape, unknown label, too many characters…).
        case invalid
        /// An essay waiting for a grader.
        case pending
    }

    public var awarded: Points
    public var maximum: Points
    public var status: Status
    /// Why an answer was refused, in Vietnamese and English.
    public var note: String?

    public init(awarded: Points, maximum: Points, status: Status, note: String? = nil) {
        self.awarded = awarded; self.maximum = maximum; self.status = status; self.note = note
    }

    static func graded(_ awarded: Points, of maximum: Points) -> ItemScore {
        let status: Status = awarded == maximum ? .correct : (awarded == .zero ? .incorrect : .partial)
        return ItemScore(awarded: awarded, maximum: maximum, status: status)
    }
    /// Points a grader gave (they replace what scoring gives, an essay's pending too).
    public static func byHand(_ awarded: Points, of maximum: Points) -> ItemScore {
        var score = graded(awarded, of: maximum)
        score.note = "chấm tay / graded by hand"
        return score
    }
    static func unanswered(_ maximum: Points) -> ItemScore { ItemScore(awarded: .zero, maximum: maximum, status: .unanswered) }
    static func invalid(_ maximum: Points, _ note: String) -> ItemScore { ItemScore(awarded: .zero, maximum: maximum, status: .invalid, note: note) }
}

/// Scores one question as it appeared on a paper: options, statements and choices in their paper order, so a
/// label is a position (A = first option shown). Pure and total: every response, however odd, gets a score.
public enum Scoring {
    /// Scores `response` to `question`, worth `points` on this paper.
    public static func score(_ question: Question, points: Points, response: ResponseValue?) -> ItemScore {
        score(question.body, points: points, response: response)
    }

    /// Scores `response` against a question body as shown on the paper.
    public static func score(_ body: QuestionBody, points: Points, response: ResponseValue?) -> ItemScore {
        guard let response, !response.isEmpty else { return .unanswered(points) }
        if case .malformed = response { return .invalid(points, "câu trả lời không đọc được / unreadable answer") }
        switch body {
        case let .singleChoice(body):
            return scoreSingleChoice(options: body.options, answer: body.answer, credit: body.credit, points: points, response: response)
        case let .multipleResponse(body): return scoreMultiple(body, points: points, response: response)
        case let .trueFalse(body): return scoreTrueFalse(body, points: points, response: response)
        case let .numeric(body): return scoreNumeric(body, points: points, response: response)
        case let .shortText(body): return scoreShortText(body, points: points, response: response)
        case let .matching(body): return scoreMatching(body, points: points, response: response)
        case let .ordering(body): return scoreOrdering(body, points: points, response: response)
        case let .cloze(body): return scoreCloze(body, points: points, response: response)
        case .essay: return ItemScore(awarded: .zero, maximum: points, status: .pending)
        }
    }

    // MARK: kinds

    static func scoreSingleChoice(options: [ChoiceOption], answer: String, credit: OptionCredit? = nil, points: Points, response: ResponseValue) -> ItemScore {
        if case .map = response { return .invalid(points, "cần một phương án / one option expected") }
        func award(_ index: Int) -> ItemScore {
            if let credit { return .graded(points.scaled(by: credit.fraction(picked: [options[index].id])), of: points) }
            return .graded(options[index].id == answer ? points : .zero, of: points)
        }
        // The common case, one label: no splitting, no set.
        if case let .text(text) = response, let index = Labels.optionIndex(text, count: options.count) {
            return award(index)
        }
        guard let picked = optionSet(response, count: options.count) else {
            return .invalid(points, "phương án không có trên đề / option not on the paper")
        }
        guard picked.count == 1, let index = picked.first else {
            return .invalid(points, "chọn nhiều hơn một phương án / more than one option picked")
        }
        return award(index)
    }

    static func scoreMultiple(_ body: MultipleResponse, points: Points, response: ResponseValue) -> ItemScore {
        guard let picked = optionSet(response, count: body.options.count) else {
            return .invalid(points, "phương án không có trên đề / option not on the paper")
        }
        if let credit = body.credit {
            return .graded(points.scaled(by: credit.fraction(picked: picked.sorted().map { body.options[$0].id })), of: points)
        }
        let correct = Set(body.options.indices.filter { body.answers.contains(body.options[$0].id) })
        switch body.scoring {
        case .allOrNothing:
            return .graded(picked == correct ? points : .zero, of: points)
        case .partial:
            guard !correct.isEmpty else { return .graded(picked.isEmpty ? points : .zero, of: points) }
            let hits = picked.intersection(correct).count
            let misses = picked.subtracting(correct).count
            let net = max(0, hits - misses)
            return .graded(points.scaled(by: net, over: correct.count), of: points)
        }
    }

    static func scoreTrueFalse(_ body: TrueFalseCluster, points: Points, response: ResponseValue) -> ItemScore {
        guard let table = body.effectiveTable, table.count == body.statements.count + 1, let top = table.last, top > .zero else {
            return .invalid(points, "câu đúng/sai thiếu bảng điểm / true/false question without a points table")
        }
        let marks: [Bool?]
        switch response {
        case let .text(text):
            // "ĐSĐS", "Đ S Đ S", "Đ,S,Đ,S": one mark per scalar (Đ is one scalar in NFC and has no
            // decomposition, so no grapheme breaking is needed).
            var found: [Bool?] = []
            found.reserveCapacity(body.statements.count)
            for scalar in text.unicodeScalars {
                switch scalar.value {
                case 0x20, 0x09, 0x2C, 0x3B, 0x7C: continue  // space, tab , ; |
                default: break
                }
                if scalar.properties.isWhitespace { continue }
                guard found.count < body.statements.count else { break }
                found.append(truth(scalar))
            }
            while found.count < body.statements.count { found.append(nil) }
            marks = found
        case let .list(list):
            marks = body.statements.indices.map { $0 < list.count ? truth(list[$0]) : nil }
        case let .map(map):
            marks = body.statements.indices.map { index in
                map[Labels.statement(index)].flatMap(truth) ?? map[Labels.statement(index).uppercased()].flatMap(truth)
            }
        case .malformed:
            marks = []
        }
        if marks.allSatisfy({ $0 == nil }) { return .unanswered(points) }
        let right = zip(body.statements, marks).filter { statement, mark in mark == statement.isTrue }.count
        let awarded = points == top ? table[right] : table[right].scaled(by: points.hundredths, over: top.hundredths)
        return .graded(awarded, of: points)
    }

    /// One mark: Đ/D/T/1 or S/F/0.
    static func truth(_ scalar: Unicode.Scalar) -> Bool? {
        switch scalar {
        case "Đ", "đ", "D", "d", "T", "t", "1": true
        case "S", "s", "F", "f", "0": false
        default: nil
        }
    }

    /// Đúng / Sai in the spellings candidates and spreadsheets use; nil for anything else (counts unmarked).
    public static func truth(_ text: String) -> Bool? {
        switch text {
        case "Đ", "đ", "D", "d", "T", "t", "1", "true", "Đúng", "đúng": return true
        case "S", "s", "F", "f", "0", "false", "Sai", "sai": return false
        default: break
        }
        return switch TextFolding.fold(text) {
        case "d", "dung", "t", "true", "1", "yes", "y": true
        case "s", "sai", "f", "false", "0", "no", "n": false
        default: nil
        }
    }

    static func scoreNumeric(_ body: NumericAnswer, points: Points, response: ResponseValue) -> ItemScore {
        guard case let .text(text) = response else { return .invalid(points, "cần một số / a number expected") }
        let input = NumericAnswer.normalise(text, boxRule: body.boxRule)
        switch input {
        case .empty: return .unanswered(points)
        case let .invalid(reason): return .invalid(points, reason)
        case .value: return .graded(body.accepts(input) ? points : .zero, of: points)
        }
    }

    static func scoreShortText(_ body: ShortText, points: Points, response: ResponseValue) -> ItemScore {
        guard case let .text(text) = response else { return .invalid(points, "cần một câu trả lời / one answer expected") }
        return .graded(body.accepts(text) ? points : .zero, of: points)
    }

    static func scoreMatching(_ body: Matching, points: Points, response: ResponseValue) -> ItemScore {
        var chosen: [String: String] = [:]
        switch response {
        case let .map(map): chosen = map
        case let .text(text):
            // "1-B, 2-A" or "1B 2A"
            for token in text.split(whereSeparator: { $0 == "," || $0 == ";" || $0.isWhitespace }) {
                let digits = token.prefix(while: \.isASCIIDigitChar)
                let rest = token.dropFirst(digits.count).drop(while: { $0 == "-" || $0 == ":" || $0 == "." || $0 == "=" })
                guard !digits.isEmpty, !rest.isEmpty else { return .invalid(points, "không đọc được cặp \"\(token)\" / cannot read pair \"\(token)\"") }
                chosen[String(digits)] = String(rest)
            }
        default: return .invalid(points, "cần các cặp 1-A / pairs like 1-A expected")
        }
        var right = 0
        for (index, premise) in body.premises.enumerated() {
            guard let label = chosen[Labels.premise(index)], !label.isBlank else { continue }
            guard let choiceIndex = Labels.optionIndex(label, count: body.choices.count) else {
                return .invalid(points, "phương án \"\(label)\" không có / no choice \"\(label)\"")
            }
            if body.pairs.contains(Pair(premise: premise.id, choice: body.choices[choiceIndex].id)) { right += 1 }
        }
        guard !body.premises.isEmpty else { return .graded(.zero, of: points) }
        if body.scoring == .allOrNothing { return .graded(right == body.premises.count ? points : .zero, of: points) }
        return .graded(points.scaled(by: right, over: body.premises.count), of: points)
    }

    static func scoreOrdering(_ body: Ordering, points: Points, response: ResponseValue) -> ItemScore {
        let labels: [String]
        switch response {
        case let .list(list): labels = list
        case let .text(text): labels = splitLabels(text)
        default: return .invalid(points, "cần một thứ tự / an order expected")
        }
        var indices: [Int] = []
        for label in labels {
            guard let index = Labels.optionIndex(label, count: body.items.count) else {
                return .invalid(points, "mục \"\(label)\" không có / no item \"\(label)\"")
            }
            guard !indices.contains(index) else { return .invalid(points, "mục \"\(label)\" lặp lại / item \"\(label)\" repeated") }
            indices.append(index)
        }
        let given = indices.map { body.items[$0].id }
        let right = zip(given, body.order).filter { $0 == $1 }.count
        if body.scoring == .allOrNothing { return .graded(given == body.order ? points : .zero, of: points) }
        return .graded(points.scaled(by: right, over: max(1, body.order.count)), of: points)
    }

    static func scoreCloze(_ body: Cloze, points: Points, response: ResponseValue) -> ItemScore {
        let values: [String: String]
        switch response {
        case let .map(map): values = map
        case let .list(list):
            values = Dictionary(uniqueKeysWithValues: zip(body.gaps.map(\.id), list))
        case let .text(text) where body.gaps.count == 1: values = [body.gaps[0].id: text]
        default: return .invalid(points, "cần câu trả lời cho từng chỗ trống / an answer per gap expected")
        }
        let totalWeight = body.gaps.reduce(0) { $0 + max(0, $1.weight) }
        guard totalWeight > 0 else { return .graded(.zero, of: points) }
        var rightWeight = 0
        for gap in body.gaps {
            guard let value = values[gap.id], !value.isBlank else { continue }
            let right: Bool
            switch gap.answer {
            case let .choice(options, answer):
                right = Labels.optionIndex(value, count: options.count).map { options[$0].id == answer } ?? false
            case let .numeric(numeric):
                right = numeric.accepts(NumericAnswer.normalise(value, boxRule: numeric.boxRule))
            case let .text(text):
                right = text.accepts(value)
            }
            if right { rightWeight += max(0, gap.weight) }
        }
        return .graded(points.scaled(by: rightWeight, over: totalWeight), of: points)
    }

    /// Labels from "A", " C. ", "A,C", "A C", "A-C-B", "ACB": separated tokens, or the letters of one token.
    public static func splitLabels(_ text: String) -> [String] {
        let tokens = text.split(whereSeparator: { ",;->".contains($0) || $0.isWhitespace })
            .map { $0.filter { $0 != "." && $0 != ")" && $0 != "(" } }
            .filter { !$0.isEmpty }
        if tokens.count == 1, let only = tokens.first, only.count > 1 { return only.map { String($0) } }
        return tokens
    }

    /// Option indices from "A", "A,C", "AC", ["A","C"]; nil if any label is not an option.
    public static func optionSet(_ response: ResponseValue, count: Int) -> Set<Int>? {
        let labels: [String]
        switch response {
        case let .text(text): labels = splitLabels(text)
        case let .list(list): labels = list.filter { !$0.isBlank }
        default: return nil
        }
        var picked = Set<Int>()
        for label in labels {
            guard let index = Labels.optionIndex(label, count: count) else { return nil }
            picked.insert(index)
        }
        return picked
    }
}

extension ShortText {
    /// Whether `text` matches an accepted answer (after NFC, case and space folding) or the pattern.
    public func accepts(_ text: String) -> Bool {
        let given = TextFolding.normaliseAnswer(text, caseSensitive: caseSensitive)
        if answers.contains(where: { TextFolding.normaliseAnswer($0, caseSensitive: caseSensitive) == given }) { return true }
        if let pattern, let regex = try? NSRegularExpression(pattern: "^(?:\(pattern))$", options: caseSensitive ? [] : [.caseInsensitive]) {
            return regex.firstMatch(in: given, range: NSRange(given.startIndex..., in: given)) != nil
        }
        return false
    }
}

