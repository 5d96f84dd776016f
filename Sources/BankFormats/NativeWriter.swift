import ExamCore
import Foundation
import Yams

extension NativeFormat {
    /// Writes a bank in the native YAML format. Positional ids (a, b, c…; 1, 2, 3…) are left out and the
    /// bank's subject and grade are not repeated, so files stay short; everything else is written.
    public static func write(_ bank: QuestionBank) throws -> String {
        let subject = bank.subject ?? mostCommon(bank.questions.map(\.subject))
        let grade = mostCommon(bank.questions.compactMap(\.grade))
        var top: [(Node, Node)] = [(key("khaothi"), Node(String(version))), (key("bank"), text(bank.name))]
        if let subject { top.append((key("subject"), text(subject))) }
        if let grade { top.append((key("grade"), Node(String(grade)))) }
        if !bank.groups.isEmpty {
            top.append((key("groups"), Node(bank.groups.map { group in
                var pairs: [(Node, Node)] = [(key("id"), text(group.id))]
                if group.revision != 1 { pairs.append((key("revision"), Node(String(group.revision)))) }
                if group.shuffleQuestions { pairs.append((key("shuffle"), Node("true"))) }
                pairs.append((key("passage"), text(group.passage)))
                return Node(pairs)
            })))
        }
        top.append((key("questions"), Node(bank.questions.map { question(for: $0, subject: subject, grade: grade) })))
        return try Yams.serialize(node: Node(top), indent: 2, width: -1, allowUnicode: true)
    }

    static func mostCommon<T: Hashable & Comparable>(_ values: [T]) -> T? {
        var counts: [T: Int] = [:]
        for value in values { counts[value, default: 0] += 1 }
        return counts.max { $0.value == $1.value ? $0.key > $1.key : $0.value < $1.value }?.key
    }

    static func key(_ name: String) -> Node { Node(name) }

    /// A text scalar: literal block for several lines, quoted when YAML would read it as something else.
    static func text(_ value: String) -> Node {
        if value.contains("\n") { return Node(value, .implicit, .literal) }
        if value.isEmpty || ["~", "null", "Null", "NULL"].contains(value) || value != value.trimmingCharacters(in: .whitespaces) {
            return Node(value, .implicit, .doubleQuoted)
        }
        return Node(value)
    }

    static func question(for question: Question, subject: String?, grade: Int?) -> Node {
        var pairs: [(Node, Node)] = [(key("id"), text(question.id))]
        if question.revision != 1 { pairs.append((key("revision"), Node(String(question.revision)))) }
        pairs.append((key("kind"), Node(question.kind.rawValue)))
        if question.subject != subject { pairs.append((key("subject"), text(question.subject))) }
        if question.grade != grade { pairs.append((key("grade"), Node(question.grade.map(String.init) ?? "~"))) }
        pairs.append((key("topic"), text(question.topic)))
        if let lesson = question.lesson { pairs.append((key("lesson"), text(lesson))) }
        if let requirement = question.requirement { pairs.append((key("requirement"), text(requirement))) }
        pairs.append((key("level"), Node(question.level.rawValue)))
        pairs.append((key("points"), Node(question.points.formatted())))
        if !question.tags.isEmpty { pairs.append((key("tags"), Node(question.tags.map(text), .implicit, .flow))) }
        if let group = question.groupID { pairs.append((key("group"), text(group))) }
        if !question.shuffleOptions { pairs.append((key("shuffle-options"), Node("false"))) }
        pairs.append((key("stem"), text(question.stem)))
        pairs += body(question.body)
        if let explanation = question.explanation { pairs.append((key("explanation"), text(explanation))) }
        return Node(pairs)
    }

    static func options(_ options: [ChoiceOption], defaultIDs: (Int) -> String) -> Node {
        Node(options.enumerated().map { index, option in
            if option.id == defaultIDs(index) && !option.locked { return text(option.text) }
            var pairs: [(Node, Node)] = []
            if option.id != defaultIDs(index) { pairs.append((key("id"), text(option.id))) }
            pairs.append((key("text"), text(option.text)))
            if option.locked { pairs.append((key("locked"), Node("true"))) }
            return Node(pairs)
        })
    }

    static func items(_ items: [Item], defaultIDs: (Int) -> String) -> Node {
        options(items.map { ChoiceOption(id: $0.id, text: $0.text) }, defaultIDs: defaultIDs)
    }

    /// `credit: {A: 1, B: 0.5}` with its bounds, when the question gives credit per option.
    static func credit(_ credit: OptionCredit?, options: [ChoiceOption]) -> [(Node, Node)] {
        guard let credit else { return [] }
        let entries = options.filter { credit.values[$0.id] != nil }.map { (label(of: $0.id, in: options), Node(credit.values[$0.id]!.description)) }
        var pairs: [(Node, Node)] = [(key("credit"), Node(entries, .implicit, .flow))]
        if credit.otherwise != 0 { pairs.append((key("credit-otherwise"), Node(credit.otherwise.description))) }
        if let floor = credit.lowerBound { pairs.append((key("credit-floor"), Node(floor.description))) }
        if let ceiling = credit.upperBound { pairs.append((key("credit-ceiling"), Node(ceiling.description))) }
        return pairs
    }

    static func label(of id: String, in options: [ChoiceOption]) -> Node {
        Node(options.firstIndex { $0.id == id }.map(Labels.option) ?? id)
    }

    static func numeric(_ body: NumericAnswer) -> [(Node, Node)] {
        var pairs: [(Node, Node)] = [(key("answer"), Node(body.answer, .implicit, .doubleQuoted))]
        if !body.alternatives.isEmpty { pairs.append((key("alternatives"), Node(body.alternatives.map { Node($0, .implicit, .doubleQuoted) }, .implicit, .flow))) }
        if let tolerance = body.tolerance { pairs.append((key("tolerance"), Node(tolerance.description))) }
        if !body.boxRule { pairs.append((key("box-rule"), Node("false"))) }
        return pairs
    }

    static func shortText(_ body: ShortText) -> [(Node, Node)] {
        var pairs: [(Node, Node)] = [(key("answers"), Node(body.answers.map(text), .implicit, .flow))]
        if body.caseSensitive { pairs.append((key("case-sensitive"), Node("true"))) }
        if let pattern = body.pattern { pairs.append((key("pattern"), Node(pattern, .implicit, .singleQuoted))) }
        return pairs
    }

    static func body(_ body: QuestionBody) -> [(Node, Node)] {
        switch body {
        case let .singleChoice(body):
            return [(key("options"), options(body.options, defaultIDs: Labels.statement)), (key("answer"), label(of: body.answer, in: body.options))]
                + credit(body.credit, options: body.options)
        case let .multipleResponse(body):
            return [(key("options"), options(body.options, defaultIDs: Labels.statement)),
                    (key("answers"), Node(body.answers.map { label(of: $0, in: body.options) }, .implicit, .flow)),
                    (key("scoring"), Node(body.scoring.rawValue))] + credit(body.credit, options: body.options)
        case let .trueFalse(body):
            var pairs: [(Node, Node)] = [(key("statements"), Node(body.statements.enumerated().map { index, statement in
                var statementPairs: [(Node, Node)] = []
                if statement.id != Labels.statement(index) { statementPairs.append((key("id"), text(statement.id))) }
                statementPairs.append((key("text"), text(statement.text)))
                statementPairs.append((key("answer"), Node(statement.isTrue ? "Đ" : "S")))
                return Node(statementPairs)
            }))]
            if let table = body.table { pairs.append((key("table"), Node(table.map { Node($0.formatted()) }, .implicit, .flow))) }
            if body.shuffleStatements { pairs.append((key("shuffle-statements"), Node("true"))) }
            return pairs
        case let .numeric(body):
            return numeric(body)
        case let .shortText(body):
            return shortText(body)
        case let .matching(body):
            let pairNodes: [(Node, Node)] = body.premises.enumerated().compactMap { index, premise in
                guard let pair = body.pairs.first(where: { $0.premise == premise.id }),
                      let choice = body.choices.firstIndex(where: { $0.id == pair.choice }) else { return nil }
                return (Node(Labels.premise(index)), Node(Labels.option(choice)))
            }
            return [(key("premises"), items(body.premises, defaultIDs: Labels.premise)),
                    (key("choices"), items(body.choices, defaultIDs: Labels.statement)),
                    (key("pairs"), Node(pairNodes, .implicit, .flow)),
                    (key("scoring"), Node(body.scoring.rawValue))]
        case let .ordering(body):
            let ordered = body.order.compactMap { id in body.items.first { $0.id == id } }
            return [(key("items"), items(ordered, defaultIDs: Labels.premise)), (key("scoring"), Node(body.scoring.rawValue))]
        case let .cloze(body):
            return [(key("text"), text(body.text)), (key("gaps"), Node(body.gaps.map { gap in
                var pairs: [(Node, Node)] = [(key("id"), Node(gap.id, .implicit, .doubleQuoted))]
                if gap.weight != 1 { pairs.append((key("weight"), Node(String(gap.weight)))) }
                switch gap.answer {
                case let .choice(gapOptions, answer):
                    pairs += [(key("kind"), Node("choice")), (key("options"), options(gapOptions, defaultIDs: Labels.statement)),
                              (key("answer"), label(of: answer, in: gapOptions))]
                case let .numeric(numericBody):
                    pairs.append((key("kind"), Node("numeric")))
                    pairs += numeric(numericBody)
                case let .text(textBody):
                    pairs.append((key("kind"), Node("text")))
                    pairs += shortText(textBody)
                }
                return Node(pairs)
            }))]
        case let .essay(body):
            return body.rubric.map { [(key("rubric"), text($0))] } ?? []
        }
    }
}
