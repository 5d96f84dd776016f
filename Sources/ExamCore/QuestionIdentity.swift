import Foundation

extension Question {
    /// What makes two questions the same question, whatever file they came from: the kind and the text a
    /// candidate reads (stem, options, statements, pairs, items, gaps), each NFC with its white space
    /// collapsed, options in a fixed order. The key, points, solution and metadata are left out, so a file
    /// that fixes a key or adds a topic revises the question instead of adding a second copy.
    public var identityText: String {
        func clean(_ text: String) -> String {
            text.precomposedStringWithCanonicalMapping.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
        func set(_ texts: [String]) -> String { texts.map(clean).sorted().joined(separator: "\u{1}") }
        var parts = [kind.rawValue, clean(stem)]
        switch body {
        case let .singleChoice(body): parts.append(set(body.options.map(\.text)))
        case let .multipleResponse(body): parts.append(set(body.options.map(\.text)))
        case let .trueFalse(body): parts.append(set(body.statements.map(\.text)))
        case let .matching(body): parts += [set(body.premises.map(\.text)), set(body.choices.map(\.text))]
        case let .ordering(body): parts.append(set(body.items.map(\.text)))
        case let .cloze(body):
            parts.append(clean(body.text))
            for gap in body.gaps { if case let .choice(options, _) = gap.answer { parts.append(set(options.map(\.text))) } }
        case .numeric, .shortText, .essay: break
        }
        return parts.joined(separator: "\u{0}")
    }
}

/// What changed between two revisions of a question, field by field, in words a teacher reads: the stem,
/// each option, the key, the points, the solution, the metadata.
public struct QuestionChange: Codable, Sendable, Hashable {
    /// "stem", "option A", "statement b", "key", "points", "explanation", "topic", "level", "tags", …
    public var field: String
    public var before: String
    public var after: String

    public init(field: String, before: String, after: String) { self.field = field; self.before = before; self.after = after }

    /// The changes from `old` to `new`; empty when they read the same.
    public static func between(_ old: Question, _ new: Question) -> [QuestionChange] {
        var changes: [QuestionChange] = []
        func compare(_ field: String, _ a: String?, _ b: String?) {
            if (a ?? "") != (b ?? "") { changes.append(QuestionChange(field: field, before: a ?? "", after: b ?? "")) }
        }
        if old.kind != new.kind { compare("kind", old.kind.vietnameseName, new.kind.vietnameseName) }
        compare("stem", old.stem, new.stem)
        let oldParts = old.labelledTexts, newParts = new.labelledTexts
        var seen = Set<String>()
        for (label, text) in oldParts + newParts where seen.insert(label).inserted {
            compare(label, oldParts.first { $0.0 == label }?.1, newParts.first { $0.0 == label }?.1)
        }
        compare("key", old.keyText, new.keyText)
        compare("points", old.points.formatted(decimalMark: ","), new.points.formatted(decimalMark: ","))
        compare("explanation", old.explanation, new.explanation)
        compare("subject", old.subject, new.subject)
        compare("grade", old.grade.map(String.init), new.grade.map(String.init))
        compare("topic", old.topic, new.topic)
        compare("lesson", old.lesson, new.lesson)
        compare("requirement", old.requirement, new.requirement)
        compare("level", old.level.name(), new.level.name())
        compare("tags", old.tags.joined(separator: ", "), new.tags.joined(separator: ", "))
        if old.unclassified != new.unclassified { compare("classified", old.unclassified ? "no" : "yes", new.unclassified ? "no" : "yes") }
        if old.shuffleOptions != new.shuffleOptions { compare("shuffle", old.shuffleOptions ? "yes" : "no", new.shuffleOptions ? "yes" : "no") }
        if changes.isEmpty && old.body != new.body { changes.append(QuestionChange(field: "scoring", before: "", after: "")) }
        return changes
    }

    /// Whether a change touches what the audit must record: the key, the points or the text.
    public var isKeyPointsOrText: Bool {
        field == "key" || field == "points" || field == "stem" || field == "kind" || field == "scoring"
            || field.hasPrefix("option ") || field.hasPrefix("statement ") || field.hasPrefix("premise ") || field.hasPrefix("choice ")
            || field.hasPrefix("item ") || field.hasPrefix("gap ") || field == "cloze"
    }
}

extension Question {
    /// Each text of the body with the label a teacher knows it by: "option A", "statement b", "premise 1".
    var labelledTexts: [(String, String)] {
        switch body {
        case let .singleChoice(body): return body.options.enumerated().map { ("option " + Labels.option($0.offset), $0.element.text) }
        case let .multipleResponse(body): return body.options.enumerated().map { ("option " + Labels.option($0.offset), $0.element.text) }
        case let .trueFalse(body): return body.statements.enumerated().map { ("statement " + Labels.statement($0.offset), $0.element.text) }
        case let .matching(body):
            return body.premises.enumerated().map { ("premise " + Labels.premise($0.offset), $0.element.text) }
                + body.choices.enumerated().map { ("choice " + Labels.option($0.offset), $0.element.text) }
        case let .ordering(body): return body.items.enumerated().map { ("item " + Labels.option($0.offset), $0.element.text) }
        case let .cloze(body):
            return [("cloze", body.text)] + body.gaps.flatMap { gap -> [(String, String)] in
                if case let .choice(options, _) = gap.answer { return [("gap " + gap.id, options.map(\.text).joined(separator: " | "))] }
                return []
            }
        case let .essay(body): return [("rubric", body.rubric ?? "")]
        case .numeric, .shortText: return []
        }
    }
}

extension Question {
    /// This question with the ids of its options, statements, items and choices taken from `other` wherever
    /// their texts match one to one (the key follows): two files that number options differently ("a, b, c"
    /// or "o1, o2, o3") then store the same content, and a re-import is not taken for an edit.
    public func adoptingIDs(from other: Question) -> Question {
        guard kind == other.kind else { return self }
        func clean(_ text: String) -> String { text.precomposedStringWithCanonicalMapping.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        /// Old id → id in `other`, when every text is found once in both.
        func mapping(_ mine: [(id: String, text: String)], _ theirs: [(id: String, text: String)]) -> [String: String]? {
            guard mine.count == theirs.count else { return nil }
            var byText: [String: String] = [:]
            for entry in theirs {
                let key = clean(entry.text)
                guard byText[key] == nil else { return nil }
                byText[key] = entry.id
            }
            var result: [String: String] = [:]
            for entry in mine {
                guard let id = byText[clean(entry.text)] else { return nil }
                result[entry.id] = id
            }
            return Set(result.values).count == result.count ? result : nil
        }
        func rename(_ options: [ChoiceOption], _ map: [String: String]) -> [ChoiceOption] {
            options.map { ChoiceOption(id: map[$0.id] ?? $0.id, text: $0.text, locked: $0.locked) }
        }
        func pairs(_ options: [ChoiceOption]) -> [(id: String, text: String)] { options.map { ($0.id, $0.text) } }
        func pairs(_ items: [Item]) -> [(id: String, text: String)] { items.map { ($0.id, $0.text) } }
        var result = self
        switch (body, other.body) {
        case let (.singleChoice(mine), .singleChoice(theirs)):
            guard let map = mapping(pairs(mine.options), pairs(theirs.options)) else { return self }
            var credit = mine.credit
            if let old = credit { credit = OptionCredit(values: Dictionary(old.values.map { (map[$0.key] ?? $0.key, $0.value) }, uniquingKeysWith: { a, _ in a }),
                                                         otherwise: old.otherwise, lowerBound: old.lowerBound, upperBound: old.upperBound) }
            result.body = .singleChoice(SingleChoice(options: rename(mine.options, map), answer: map[mine.answer] ?? mine.answer, credit: credit))
        case let (.multipleResponse(mine), .multipleResponse(theirs)):
            guard let map = mapping(pairs(mine.options), pairs(theirs.options)) else { return self }
            var credit = mine.credit
            if let old = credit { credit = OptionCredit(values: Dictionary(old.values.map { (map[$0.key] ?? $0.key, $0.value) }, uniquingKeysWith: { a, _ in a }),
                                                         otherwise: old.otherwise, lowerBound: old.lowerBound, upperBound: old.upperBound) }
            result.body = .multipleResponse(MultipleResponse(options: rename(mine.options, map), answers: mine.answers.map { map[$0] ?? $0 }, scoring: mine.scoring, credit: credit))
        case let (.trueFalse(mine), .trueFalse(theirs)):
            guard let map = mapping(mine.statements.map { ($0.id, $0.text) }, theirs.statements.map { ($0.id, $0.text) }) else { return self }
            var cluster = mine
            cluster.statements = mine.statements.map { Statement(id: map[$0.id] ?? $0.id, text: $0.text, isTrue: $0.isTrue) }
            result.body = .trueFalse(cluster)
        case let (.ordering(mine), .ordering(theirs)):
            guard let map = mapping(pairs(mine.items), pairs(theirs.items)) else { return self }
            result.body = .ordering(Ordering(items: mine.items.map { Item(id: map[$0.id] ?? $0.id, text: $0.text) }, order: mine.order.map { map[$0] ?? $0 }, scoring: mine.scoring))
        case let (.matching(mine), .matching(theirs)):
            guard let premises = mapping(pairs(mine.premises), pairs(theirs.premises)), let choices = mapping(pairs(mine.choices), pairs(theirs.choices)) else { return self }
            result.body = .matching(Matching(premises: mine.premises.map { Item(id: premises[$0.id] ?? $0.id, text: $0.text) },
                                             choices: mine.choices.map { Item(id: choices[$0.id] ?? $0.id, text: $0.text) },
                                             pairs: mine.pairs.map { Pair(premise: premises[$0.premise] ?? $0.premise, choice: choices[$0.choice] ?? $0.choice) },
                                             scoring: mine.scoring))
        default:
            return self
        }
        return result
    }
}
