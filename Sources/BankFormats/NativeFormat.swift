import ExamCore
import Foundation
import Yams

/// khaothi's own bank format: YAML a teacher can edit in any editor and review in a diff.
/// Documented with examples in QuestionBanks/README.md. Lossless: `write` then `read` gives back every field.
public enum NativeFormat {
    public static let version = 1

    // MARK: reading

    /// Reads a native bank. Problems in single questions are collected (with `file:line`) and those questions
    /// left out; a file that is not YAML, or not a bank, throws `BankFormatError`.
    public static func read(_ data: Data, context: ImportContext) throws -> ImportedBank {
        guard data.count <= ImportLimits.maximumFileBytes else {
            throw BankFormatError(.tooLarge, place: context.fileName, "tệp quá lớn / file larger than \(ImportLimits.maximumFileBytes) bytes")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw BankFormatError(.unreadable, place: context.fileName, "tệp không phải UTF-8 / file is not UTF-8 text")
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text, .basic) else {
                throw BankFormatError(.unreadable, place: context.fileName, "tệp trống / file is empty")
            }
            root = node
        } catch let error as YamlError {
            throw BankFormatError(.unreadable, place: yamlPlace(error, context: context), "YAML không hợp lệ: \(yamlProblem(error)) / not valid YAML")
        }
        var reader = Reader(context: context)
        try reader.checkShape(root, depth: 0)
        return try reader.readBank(root)
    }

    static func yamlPlace(_ error: YamlError, context: ImportContext) -> String {
        switch error {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _), let .composer(_, _, mark, _):
            return context.place(line: mark.line)
        default:
            return context.fileName
        }
    }

    static func yamlProblem(_ error: YamlError) -> String {
        switch error {
        case let .scanner(_, problem, _, _), let .parser(_, problem, _, _), let .composer(_, problem, _, _): return problem
        case let .duplicatedKeysInMapping(duplicates, _): return "khóa lặp lại \(duplicates.joined(separator: ", "))"
        default: return "\(error)"
        }
    }

    /// Walks the YAML tree, turning nodes into ExamCore values and problems into `file:line` messages.
    struct Reader {
        let context: ImportContext
        var problems: [BankProblem] = []
        var nodeCount = 0

        init(context: ImportContext) { self.context = context }

        func place(_ node: Node?) -> String { context.place(line: node?.mark?.line ?? 0) }

        /// Refuses absurd nesting and documents whose aliases expand past any real bank (a "billion laughs"
        /// file stops here after a few million nodes instead of running for hours).
        mutating func checkShape(_ node: Node, depth: Int) throws {
            nodeCount += 1
            guard depth <= ImportLimits.maximumDepth else {
                throw BankFormatError(.hostile, place: place(node), "lồng quá sâu / nested deeper than \(ImportLimits.maximumDepth) levels")
            }
            guard nodeCount <= 4_000_000 else {
                throw BankFormatError(.tooLarge, place: place(node), "tệp có quá nhiều phần tử / too many YAML nodes")
            }
            switch node {
            case .alias:
                throw BankFormatError(.hostile, place: place(node), "không dùng anchor/alias (&, *) trong ngân hàng / anchors and aliases are not allowed")
            case let .mapping(mapping):
                if mapping.anchor != nil { throw BankFormatError(.hostile, place: place(node), "không dùng anchor (&) / anchors are not allowed") }
                for (key, value) in mapping {
                    try checkShape(key, depth: depth + 1)
                    try checkShape(value, depth: depth + 1)
                }
            case let .sequence(sequence):
                if sequence.anchor != nil { throw BankFormatError(.hostile, place: place(node), "không dùng anchor (&) / anchors are not allowed") }
                for item in sequence { try checkShape(item, depth: depth + 1) }
            case let .scalar(scalar):
                if scalar.anchor != nil { throw BankFormatError(.hostile, place: place(node), "không dùng anchor (&) / anchors are not allowed") }
            }
        }

        mutating func readBank(_ root: Node) throws -> ImportedBank {
            guard let top = root.mapping else {
                throw BankFormatError(.unreadable, place: place(root), "cần một ngân hàng (bank:, questions:) / expected a mapping with bank: and questions:")
            }
            let fields = Fields(top, reader: self)
            let name = fields.string("bank") ?? context.defaults.bankName ?? (context.fileName as NSString).deletingPathExtension
            let subject = fields.string("subject") ?? context.defaults.subject
            let grade = fields.int("grade") ?? context.defaults.grade
            problems += fields.problems
            if let version = fields.int("khaothi"), version > NativeFormat.version {
                throw BankFormatError(.unsupported, place: place(top["khaothi"]), "định dạng phiên bản \(version) mới hơn phần mềm / format version \(version) is newer than this khaothi")
            }
            var groups: [QuestionGroup] = []
            if let groupNodes = top["groups"] {
                guard let sequence = groupNodes.sequence else {
                    problems.append(BankProblem(place: place(groupNodes), "groups: cần một danh sách / must be a list"))
                    return ImportedBank(bank: QuestionBank(name: name, subject: subject, questions: []), problems: problems)
                }
                for node in sequence {
                    if let group = readGroup(node) { groups.append(group) }
                }
            }
            guard let questionNodes = top["questions"]?.sequence else {
                throw BankFormatError(.unreadable, place: place(top["questions"] ?? root), "thiếu danh sách questions: / no questions: list")
            }
            guard questionNodes.count <= ImportLimits.maximumQuestions else {
                throw BankFormatError(.tooLarge, place: place(top["questions"]), "quá \(ImportLimits.maximumQuestions) câu hỏi / more than \(ImportLimits.maximumQuestions) questions")
            }
            var questions: [Question] = []
            var places: [String: String] = [:]
            var skipped = 0
            for node in questionNodes {
                if let question = readQuestion(node, subject: subject, grade: grade) {
                    questions.append(question)
                    places[question.id] = place(node)
                } else {
                    skipped += 1
                }
            }
            return .assemble(name: name, subject: subject, questions: questions, groups: groups, problems: problems, skipped: skipped,
                             places: places, context: context)
        }

        mutating func readGroup(_ node: Node) -> QuestionGroup? {
            guard let mapping = node.mapping else {
                problems.append(BankProblem(place: place(node), "mỗi nhóm cần id và passage / each group needs id: and passage:"))
                return nil
            }
            let fields = Fields(mapping, reader: self)
            defer { problems += fields.problems }
            guard let id = fields.string("id"), let passage = fields.string("passage") else {
                fields.problems.append(BankProblem(place: place(node), "nhóm thiếu id hoặc passage / group needs id: and passage:"))
                return nil
            }
            return QuestionGroup(id: id, revision: fields.int("revision") ?? 1, passage: passage, shuffleQuestions: fields.bool("shuffle") ?? false)
        }

        mutating func readQuestion(_ node: Node, subject: String?, grade: Int?) -> Question? {
            guard let mapping = node.mapping else {
                problems.append(BankProblem(place: place(node), "mỗi câu hỏi là một bảng khóa: giá trị / each question must be a mapping"))
                return nil
            }
            let fields = Fields(mapping, reader: self)
            defer { problems += fields.problems }
            let id = fields.string("id") ?? ""
            fields.questionID = id.isEmpty ? nil : id
            if id.isEmpty { fields.problem(node, "thiếu id / missing id:") }
            let kindText = fields.string("kind") ?? inferKind(fields)
            guard let kind = QuestionKind(rawValue: kindText) else {
                fields.problem(fields["kind"] ?? node, "dạng \"\(kindText)\" không có; dùng \(QuestionKind.allCases.map(\.rawValue).joined(separator: ", ")) / unknown kind")
                return nil
            }
            guard let subject = fields.string("subject") ?? subject else { fields.problem(node, "thiếu môn (subject:) / missing subject:"); return nil }
            guard let topic = fields.string("topic") ?? context.defaults.topic else { fields.problem(node, "thiếu chủ đề (topic:) / missing topic:"); return nil }
            let levelNode = fields["level"]
            let level: Level
            if let text = fields.string("level") {
                guard let parsed = Level(rawValue: text) ?? Level(parsing: text) else {
                    fields.problem(levelNode, "mức độ \"\(text)\" không có; dùng Nhận biết, Thông hiểu, Vận dụng, Vận dụng cao / unknown level")
                    return nil
                }
                level = parsed
            } else if let fallback = context.defaults.level {
                level = fallback
            } else {
                fields.problem(node, "thiếu mức độ (level:) / missing level:")
                return nil
            }
            guard let body = readBody(kind, fields: fields, node: node) else { return nil }
            guard !id.isEmpty else { return nil }
            return Question(
                id: id, revision: fields.int("revision") ?? 1, subject: subject,
                grade: fields.isNull("grade") ? nil : (fields.int("grade") ?? grade), topic: topic,
                lesson: fields.string("lesson") ?? context.defaults.lesson, requirement: fields.string("requirement"), level: level,
                points: fields.points("points") ?? kind.defaultPoints, stem: fields.string("stem") ?? "",
                explanation: fields.string("explanation"), tags: fields.strings("tags") ?? [], groupID: fields.string("group"),
                shuffleOptions: fields.bool("shuffle-options") ?? true, body: body)
        }

        /// A question without `kind:` is a single choice when it has options and one answer.
        func inferKind(_ fields: Fields) -> String {
            if fields["statements"] != nil { return QuestionKind.trueFalse.rawValue }
            if fields["options"] != nil { return fields["answers"] != nil ? QuestionKind.multipleResponse.rawValue : QuestionKind.singleChoice.rawValue }
            if fields["gaps"] != nil { return QuestionKind.cloze.rawValue }
            if fields["premises"] != nil { return QuestionKind.matching.rawValue }
            if fields["items"] != nil { return QuestionKind.ordering.rawValue }
            if fields["rubric"] != nil { return QuestionKind.essay.rawValue }
            return ""
        }

        func readBody(_ kind: QuestionKind, fields: Fields, node: Node) -> QuestionBody? {
            switch kind {
            case .singleChoice:
                guard let options = fields.options("options", defaultIDs: Labels.statement) else { fields.missing("options", node, "thiếu options: / missing options:"); return nil }
                guard let answer = fields.string("answer"), let id = resolveOption(answer, options) else {
                    fields.problem(fields["answer"] ?? node, "đáp án phải là nhãn A–\(Labels.option(max(0, options.count - 1))) của một phương án / answer: must be the label of an option")
                    return nil
                }
                guard let credit = fields.credit(options, resolve: resolveOption) else { return nil }
                return .singleChoice(SingleChoice(options: options, answer: id, credit: credit))
            case .multipleResponse:
                guard let options = fields.options("options", defaultIDs: Labels.statement) else { fields.missing("options", node, "thiếu options: / missing options:"); return nil }
                let labels = fields.strings("answers") ?? fields.string("answer").map { Scoring.splitLabels($0) } ?? []
                let ids = labels.compactMap { resolveOption($0, options) }
                guard !labels.isEmpty, ids.count == labels.count else {
                    fields.problem(fields["answers"] ?? node, "answers: cần các nhãn phương án đúng / answers: must list option labels")
                    return nil
                }
                guard let credit = fields.credit(options, resolve: resolveOption) else { return nil }
                return .multipleResponse(MultipleResponse(options: options, answers: ids, scoring: fields.scoring() ?? .allOrNothing, credit: credit))
            case .trueFalse:
                guard let list = fields["statements"]?.sequence else { fields.problem(node, "thiếu statements: / missing statements:"); return nil }
                var statements: [Statement] = []
                for (index, item) in list.enumerated() {
                    guard let map = item.mapping else { fields.problem(item, "mệnh đề cần text: và answer: Đ/S / a statement needs text: and answer:"); return nil }
                    let statementFields = Fields(map, reader: self)
                    let text = statementFields.string("text") ?? ""
                    guard let mark = statementFields.string("answer"), let truth = Scoring.truth(mark) else {
                        fields.problem(item, "mệnh đề \(Labels.statement(index)) cần answer: Đ hoặc S / statement needs answer: Đ or S")
                        return nil
                    }
                    statements.append(Statement(id: statementFields.string("id") ?? Labels.statement(index), text: text, isTrue: truth))
                    fields.problems += statementFields.problems
                }
                return .trueFalse(TrueFalseCluster(statements: statements, table: fields.pointsList("table"), shuffleStatements: fields.bool("shuffle-statements") ?? false))
            case .numeric:
                guard let numeric = fields.numeric() else { fields.problem(node, "thiếu answer: (số) / missing answer:"); return nil }
                return .numeric(numeric)
            case .shortText:
                let answers = fields.strings("answers") ?? fields.string("answer").map { [$0] } ?? []
                return .shortText(ShortText(answers: answers, caseSensitive: fields.bool("case-sensitive") ?? false, pattern: fields.string("pattern")))
            case .matching:
                guard let premises = fields.items("premises", defaultIDs: Labels.premise),
                      let choices = fields.items("choices", defaultIDs: Labels.statement) else {
                    if fields["premises"] == nil || fields["choices"] == nil { fields.problem(node, "cần premises: và choices: / needs premises: and choices:") }
                    return nil
                }
                guard let pairNode = fields["pairs"]?.mapping else { fields.problem(node, "thiếu pairs: (1: A, 2: B…) / missing pairs:"); return nil }
                var pairs: [Pair] = []
                for (key, value) in pairNode {
                    guard let premiseIndex = Int(key.string ?? "").map({ $0 - 1 }), premises.indices.contains(premiseIndex),
                          let choiceIndex = Labels.optionIndex(value.string ?? "", count: choices.count) else {
                        fields.problem(key, "cặp \"\(key.string ?? "")\": \"\(value.string ?? "")\" không hợp lệ / pair must be premise number: choice label")
                        return nil
                    }
                    pairs.append(Pair(premise: premises[premiseIndex].id, choice: choices[choiceIndex].id))
                }
                return .matching(Matching(premises: premises, choices: choices, pairs: pairs, scoring: fields.scoring() ?? .partial))
            case .ordering:
                guard let items = fields.items("items", defaultIDs: Labels.premise) else { fields.missing("items", node, "thiếu items: (theo thứ tự đúng) / missing items: in the right order"); return nil }
                return .ordering(Ordering(items: items, scoring: fields.scoring() ?? .allOrNothing))
            case .cloze:
                guard let text = fields.string("text") else { fields.problem(node, "thiếu text: có {{1}}, {{2}}… / missing text: with {{1}} gaps"); return nil }
                guard let list = fields["gaps"]?.sequence else { fields.problem(node, "thiếu gaps: / missing gaps:"); return nil }
                var gaps: [Gap] = []
                for (index, item) in list.enumerated() {
                    guard let map = item.mapping else { fields.problem(item, "mỗi chỗ trống là một bảng / each gap must be a mapping"); return nil }
                    let gapFields = Fields(map, reader: self)
                    let id = gapFields.string("id") ?? String(index + 1)
                    let answer: GapAnswer
                    switch gapFields.string("kind") ?? (gapFields["options"] != nil ? "choice" : "text") {
                    case "choice":
                        guard let options = gapFields.options("options", defaultIDs: Labels.statement), let label = gapFields.string("answer"),
                              let optionID = resolveOption(label, options) else {
                            fields.problem(item, "chỗ trống \(id): cần options: và answer: / gap needs options: and answer:")
                            return nil
                        }
                        answer = .choice(options: options, answer: optionID)
                    case "numeric":
                        guard let numeric = gapFields.numeric() else { fields.problem(item, "chỗ trống \(id): thiếu answer: / gap needs answer:"); return nil }
                        answer = .numeric(numeric)
                    case "text":
                        answer = .text(ShortText(answers: gapFields.strings("answers") ?? gapFields.string("answer").map { [$0] } ?? [],
                                                 caseSensitive: gapFields.bool("case-sensitive") ?? false, pattern: gapFields.string("pattern")))
                    case let other:
                        fields.problem(item, "chỗ trống \(id): dạng \"\(other)\" không có (choice, numeric, text) / unknown gap kind")
                        return nil
                    }
                    fields.problems += gapFields.problems
                    gaps.append(Gap(id: id, weight: gapFields.int("weight") ?? 1, answer: answer))
                }
                return .cloze(Cloze(text: text, gaps: gaps))
            case .essay:
                return .essay(Essay(rubric: fields.string("rubric")))
            }
        }

        /// "B" is the second option as written; anything longer is an option id.
        func resolveOption(_ answer: String, _ options: [ChoiceOption]) -> String? {
            let trimmed = answer.trimmingCharacters(in: .whitespaces)
            if trimmed.count == 1, trimmed.uppercased() == trimmed, let index = Labels.optionIndex(trimmed, count: options.count) {
                return options[index].id
            }
            if let option = options.first(where: { $0.id == trimmed }) { return option.id }
            if trimmed.count == 1, let index = Labels.optionIndex(trimmed, count: options.count) { return options[index].id }
            return nil
        }
    }

    /// Typed access to the fields of one YAML mapping, recording problems at the field's line.
    final class Fields {
        let mapping: Node.Mapping
        /// The mapping's values by key, built once: Yams' own subscript builds and compares a node per look-up.
        let nodes: [String: Node]
        let context: ImportContext
        var problems: [BankProblem] = []
        var questionID: String?

        init(_ mapping: Node.Mapping, reader: Reader) {
            self.mapping = mapping
            self.nodes = Fields.index(mapping)
            self.context = reader.context
        }

        static func index(_ mapping: Node.Mapping) -> [String: Node] {
            var nodes: [String: Node] = [:]
            for (key, value) in mapping { if let name = key.scalar?.string { nodes[name] = value } }
            return nodes
        }

        subscript(key: String) -> Node? { nodes[key] }

        func problem(_ node: Node?, _ message: String) {
            problems.append(BankProblem(place: context.place(line: node?.mark?.line ?? mapping.mark?.line ?? 0), questionID: questionID, message))
        }

        /// `credit: {A: 1, B: 0.5}` (fractions of the points by option label) with `credit-otherwise:`,
        /// `credit-floor:`, `credit-ceiling:`; `.some(nil)` when there is none, nil after a problem.
        func credit(_ options: [ChoiceOption], resolve: (String, [ChoiceOption]) -> String?) -> OptionCredit?? {
            guard let node = nodes["credit"] else { return .some(nil) }
            guard let map = node.mapping else { problem(node, "credit: cần {nhãn: phần điểm} / credit: needs {label: fraction}"); return nil }
            func number(_ node: Node?) -> Decimal?? {
                guard let node else { return .some(nil) }
                guard let text = node.string, let value = Decimal(string: text.replacingOccurrences(of: ",", with: "."), locale: Locale(identifier: "en_US_POSIX")) else {
                    problem(node, "cần một số (0,5 hoặc -0.25) / expected a number"); return nil
                }
                return .some(value)
            }
            var values: [String: Decimal] = [:]
            for (key, value) in map {
                guard let label = key.string, let id = resolve(label, options) else { problem(key, "credit: \"\(key.string ?? "")\" không phải nhãn phương án / is not an option label"); return nil }
                guard let fraction = number(value), let fraction else { return nil }
                values[id] = fraction
            }
            guard let otherwise = number(nodes["credit-otherwise"]), let floor = number(nodes["credit-floor"]), let ceiling = number(nodes["credit-ceiling"]) else { return nil }
            return .some(OptionCredit(values: values, otherwise: otherwise ?? 0, lowerBound: floor, upperBound: ceiling))
        }

        /// Reports `key` as missing, unless it is there (and its own problem was reported when it was read).
        func missing(_ key: String, _ node: Node?, _ message: String) {
            if nodes[key] == nil { problem(node, message) }
        }

        func string(_ key: String) -> String? {
            guard let node = nodes[key] else { return nil }
            guard let scalar = node.scalar else { problem(node, "\(key): cần một giá trị chữ / must be text"); return nil }
            if scalar.style == .plain, ["~", "null", "Null", "NULL", ""].contains(scalar.string) { return nil }
            return scalar.string.precomposedStringWithCanonicalMapping
        }

        func strings(_ key: String) -> [String]? {
            guard let node = nodes[key] else { return nil }
            if let scalar = node.scalar { return [scalar.string.precomposedStringWithCanonicalMapping] }
            guard let sequence = node.sequence else { problem(node, "\(key): cần một danh sách / must be a list"); return nil }
            var result: [String] = []
            for item in sequence {
                guard let scalar = item.scalar else { problem(item, "\(key): mỗi phần tử là một giá trị chữ / items must be text"); return nil }
                result.append(scalar.string.precomposedStringWithCanonicalMapping)
            }
            return result
        }

        /// The key is there and says null (`~`): different from absent, which inherits.
        func isNull(_ key: String) -> Bool {
            guard let scalar = nodes[key]?.scalar, scalar.style == .plain else { return false }
            return ["~", "null", "Null", "NULL", ""].contains(scalar.string)
        }

        func int(_ key: String) -> Int? {
            guard let node = nodes[key], !isNull(key) else { return nil }
            guard let value = node.scalar.flatMap({ Int($0.string) }) else { problem(node, "\(key): cần một số nguyên / must be a whole number"); return nil }
            return value
        }

        func bool(_ key: String) -> Bool? {
            guard let node = nodes[key] else { return nil }
            switch node.scalar?.string.lowercased() {
            case "true", "yes", "có", "co", "1": return true
            case "false", "no", "không", "khong", "0": return false
            default: problem(node, "\(key): cần true hoặc false / must be true or false"); return nil
            }
        }

        func points(_ key: String) -> Points? {
            guard let node = nodes[key] else { return nil }
            guard let value = node.scalar.flatMap({ Points(parsing: $0.string) }) else {
                problem(node, "\(key): cần điểm với tối đa hai chữ số thập phân / must be points with at most two decimals")
                return nil
            }
            return value
        }

        func pointsList(_ key: String) -> [Points]? {
            guard let values = strings(key) else { return nil }
            let parsed = values.compactMap(Points.init(parsing:))
            guard parsed.count == values.count else { problem(nodes[key], "\(key): cần các điểm / must be a list of points"); return nil }
            return parsed
        }

        func scoring() -> PartialScoring? {
            guard let text = string("scoring") else { return nil }
            guard let scoring = PartialScoring(rawValue: text) else { problem(nodes["scoring"], "scoring: dùng partial hoặc all-or-nothing / use partial or all-or-nothing"); return nil }
            return scoring
        }

        func numeric() -> NumericAnswer? {
            guard let answer = string("answer") else { return nil }
            var tolerance: Decimal?
            if let text = string("tolerance") {
                tolerance = Decimal(string: text.replacingOccurrences(of: ",", with: "."), locale: Locale(identifier: "en_US_POSIX"))
                if tolerance == nil { problem(nodes["tolerance"], "tolerance: cần một số / must be a number") }
            }
            return NumericAnswer(answer: answer, alternatives: strings("alternatives") ?? [], tolerance: tolerance, boxRule: bool("box-rule") ?? true)
        }

        /// Options as plain text (ids a, b, c… by position) or `{id:, text:, locked:}`.
        func options(_ key: String, defaultIDs: (Int) -> String) -> [ChoiceOption]? {
            guard let sequence = nodes[key]?.sequence else { return nil }
            // Labels go A–Z: a longer list is refused before any is made.
            guard sequence.count <= Labels.limit else {
                problem(nodes[key]!, "\(key): quá \(Labels.limit) mục (có \(sequence.count)) / more than \(Labels.limit) entries (\(sequence.count))")
                return nil
            }
            var options: [ChoiceOption] = []
            for (index, item) in sequence.enumerated() {
                if let scalar = item.scalar {
                    options.append(ChoiceOption(id: defaultIDs(index), text: scalar.string.precomposedStringWithCanonicalMapping))
                } else if let map = item.mapping {
                    let fields = Fields(map, context: context)
                    options.append(ChoiceOption(id: fields.string("id") ?? defaultIDs(index), text: fields.string("text") ?? "", locked: fields.bool("locked") ?? false))
                    problems += fields.problems
                } else {
                    problem(item, "\(key): phương án là chữ hoặc {id, text, locked} / an option is text or {id, text, locked}")
                    return nil
                }
            }
            return options
        }

        func items(_ key: String, defaultIDs: (Int) -> String) -> [Item]? {
            options(key, defaultIDs: defaultIDs)?.map { Item(id: $0.id, text: $0.text) }
        }

        init(_ mapping: Node.Mapping, context: ImportContext) {
            self.mapping = mapping
            self.nodes = Fields.index(mapping)
            self.context = context
        }
    }
}
