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
