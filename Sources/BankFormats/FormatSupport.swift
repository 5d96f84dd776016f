import Crypto
import ExamCore
import Foundation

/// Helpers shared by the readers of formats that carry less than a khaothi question.
enum FormatSupport {
    /// A stable id for a question that has none: prefix + the first 10 hex digits of the SHA-256 of its text,
    /// so re-importing the same file finds the same questions even if they move.
    static func stableID(prefix: String, text: String, taken: inout Set<String>) -> String {
        let digest = Hex.encode(SHA256.hash(data: Data(text.utf8)))
        var id = "\(prefix)-\(digest.prefix(10))"
        var n = 2
        while taken.contains(id) { id = "\(prefix)-\(digest.prefix(10))-\(n)"; n += 1 }
        taken.insert(id)
        return id
    }

    /// The id prefix: the given one, else "q". Never the file's name: the same questions saved under another
    /// name must get the same ids.
    static func idPrefix(_ context: ImportContext) -> String {
        context.defaults.idPrefix ?? "q"
    }

    /// The id of a question its file gave none: from its content identity (`Question.identityText`).
    static func stableID(prefix: String, question: Question, taken: inout Set<String>) -> String {
        stableID(prefix: prefix, text: question.identityText, taken: &taken)
    }

    /// khaothi's metadata comment, written by our exporters and read back by our importers of GIFT, Aiken and
    /// Azota text: `// khaothi: id=q1; level=thong-hieu; topic=Hàm số; …` (values escaped with %3B for `;`).
    struct Meta {
        var values: [String: String] = [:]

        static let prefix = "khaothi:"

        init() {}

        init?(comment: String) {
            let trimmed = comment.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix(Meta.prefix) else { return nil }
            for part in trimmed.dropFirst(Meta.prefix.count).split(separator: ";") {
                guard let equals = part.firstIndex(of: "=") else { continue }
                let key = part[..<equals].trimmingCharacters(in: .whitespaces)
                let value = String(part[part.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
                values[key] = value.replacingOccurrences(of: "%3B", with: ";").replacingOccurrences(of: "%0A", with: "\n").replacingOccurrences(of: "%25", with: "%")
            }
        }

        init(question: Question, includeExplanation: Bool = false) {
            values["id"] = question.id
            if question.revision != 1 { values["revision"] = String(question.revision) }
            values["subject"] = question.subject
            if let grade = question.grade { values["grade"] = String(grade) }
            values["topic"] = question.topic
            if let lesson = question.lesson { values["lesson"] = lesson }
            if let requirement = question.requirement { values["requirement"] = requirement }
            values["level"] = question.level.rawValue
            values["points"] = question.points.formatted()
            if !question.tags.isEmpty { values["tags"] = question.tags.joined(separator: ",") }
            if let group = question.groupID { values["group"] = group }
            if !question.shuffleOptions { values["shuffle-options"] = "false" }
            if includeExplanation, let explanation = question.explanation { values["explanation"] = explanation }
            switch question.body {
            case let .multipleResponse(body): values["scoring"] = body.scoring.rawValue
            case let .matching(body): values["scoring"] = body.scoring.rawValue
            case let .ordering(body): values["scoring"] = body.scoring.rawValue
            case let .numeric(body): values["box-rule"] = body.boxRule ? "true" : "false"
            case .cloze: values["stem"] = question.stem
            default: break
            }
        }

        /// What formats without them lose: locked options, a numeric key as written, an essay's rubric.
        mutating func addBodyDetails(_ question: Question) {
            switch question.body {
            case let .singleChoice(body):
                let locked = body.options.indices.filter { body.options[$0].locked }.map(Labels.option)
                if !locked.isEmpty { values["locked"] = locked.joined(separator: ",") }
            case let .multipleResponse(body):
                let locked = body.options.indices.filter { body.options[$0].locked }.map(Labels.option)
                if !locked.isEmpty { values["locked"] = locked.joined(separator: ",") }
            case let .numeric(body):
                values["answer"] = body.answer
                if !body.alternatives.isEmpty { values["alternatives"] = body.alternatives.joined(separator: "|") }
            case let .essay(body):
                if let rubric = body.rubric { values["rubric"] = rubric }
            default: break
            }
            if case let .numeric(body) = question.body, let tolerance = body.tolerance { values["tolerance"] = tolerance.description }
            if case let .shortText(body) = question.body {
                if let pattern = body.pattern { values["pattern"] = pattern }
                if body.caseSensitive { values["case-sensitive"] = "true" }
            }
            if case let .trueFalse(body) = question.body, let table = body.table { values["table"] = table.map { $0.formatted() }.joined(separator: "|") }
            if case let .cloze(body) = question.body {
                if body.gaps.contains(where: { $0.weight != 1 }) { values["weights"] = body.gaps.map { "\($0.id):\($0.weight)" }.joined(separator: ",") }
                let boxed = body.gaps.filter { if case let .numeric(numeric) = $0.answer { numeric.boxRule } else { false } }.map(\.id)
                if !boxed.isEmpty { values["box-rule-gaps"] = boxed.joined(separator: ",") }
            }
        }

        /// Adds the passage of the question's group, for formats that have no passages.
        mutating func addPassage(_ group: QuestionGroup?) {
            guard let group else { return }
            values["passage"] = group.passage
            if group.shuffleQuestions { values["passage-shuffle"] = "true" }
        }

        /// The passage these metadata carry, if any.
        var group: QuestionGroup? {
            guard let id = values["group"], let passage = values["passage"] else { return nil }
            return QuestionGroup(id: id, passage: passage, shuffleQuestions: values["passage-shuffle"] == "true")
        }

        var comment: String {
            Meta.prefix + " " + values.keys.sorted().map { key in
                let value = values[key]!.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: ";", with: "%3B").replacingOccurrences(of: "\n", with: "%0A")
                return "\(key)=\(value)"
            }.joined(separator: "; ")
        }

        /// Builds the question's common fields from this metadata, the category and the defaults.
        func apply(to question: inout Question, defaults: QuestionDefaults) {
            if let id = values["id"], !id.isEmpty { question.id = id }
            if let revision = values["revision"].flatMap(Int.init) { question.revision = revision }
            if let subject = values["subject"] { question.subject = subject }
            if let grade = values["grade"].flatMap(Int.init) { question.grade = grade }
            if let topic = values["topic"] { question.topic = topic }
            if let lesson = values["lesson"] { question.lesson = lesson }
            if let requirement = values["requirement"] { question.requirement = requirement }
            if let level = values["level"].flatMap({ Level(rawValue: $0) ?? Level(parsing: $0) }) { question.level = level }
            if let points = values["points"].flatMap(Points.init(parsing:)) { question.points = points }
            if let tags = values["tags"] { question.tags = tags.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            if let group = values["group"] { question.groupID = group }
            if values["shuffle-options"] == "false" { question.shuffleOptions = false }
            if let explanation = values["explanation"] { question.explanation = explanation }
            if let stem = values["stem"] { question.stem = stem }
            let scoring = values["scoring"].flatMap(PartialScoring.init(rawValue:))
            switch question.body {
            case var .matching(body): body.scoring = scoring ?? body.scoring; question.body = .matching(body)
            case var .ordering(body): body.scoring = scoring ?? body.scoring; question.body = .ordering(body)
            case var .numeric(body):
                if let boxRule = values["box-rule"] { body.boxRule = boxRule == "true" }
                if let answer = values["answer"] { body.answer = answer }
                if let alternatives = values["alternatives"] { body.alternatives = alternatives.split(separator: "|").map(String.init) }
                if let tolerance = values["tolerance"] { body.tolerance = Decimal(string: tolerance, locale: Locale(identifier: "en_US_POSIX")) }
                question.body = .numeric(body)
            case var .singleChoice(body):
                for label in values["locked"]?.split(separator: ",") ?? [] {
                    if let index = Labels.optionIndex(String(label), count: body.options.count) { body.options[index].locked = true }
                }
                question.body = .singleChoice(body)
            case var .multipleResponse(body):
                body.scoring = scoring ?? body.scoring
                for label in values["locked"]?.split(separator: ",") ?? [] {
                    if let index = Labels.optionIndex(String(label), count: body.options.count) { body.options[index].locked = true }
                }
                question.body = .multipleResponse(body)
            case .essay:
                if let rubric = values["rubric"] { question.body = .essay(Essay(rubric: rubric)) }
            case var .shortText(body):
                if let pattern = values["pattern"] { body.pattern = pattern }
                if values["case-sensitive"] == "true" { body.caseSensitive = true }
                question.body = .shortText(body)
            case var .trueFalse(body):
                if let table = values["table"] {
                    let points = table.split(separator: "|").compactMap { Points(parsing: String($0)) }
                    if points.count == body.statements.count + 1 { body.table = points }
                }
                question.body = .trueFalse(body)
            case var .cloze(body):
                let weights = Dictionary((values["weights"] ?? "").split(separator: ",").compactMap { entry -> (String, Int)? in
                    let parts = entry.split(separator: ":")
                    return parts.count == 2 ? (String(parts[0]), Int(parts[1]) ?? 1) : nil
                }, uniquingKeysWith: { first, _ in first })
                let boxed = Set((values["box-rule-gaps"] ?? "").split(separator: ",").map(String.init))
                for index in body.gaps.indices {
                    if let weight = weights[body.gaps[index].id] { body.gaps[index].weight = weight }
                    if case var .numeric(numeric) = body.gaps[index].answer {
                        numeric.boxRule = boxed.contains(body.gaps[index].id)
                        body.gaps[index].answer = .numeric(numeric)
                    }
                }
                question.body = .cloze(body)
            }
        }
    }

    /// A question with the defaults filled in, for readers that build questions field by field.
    static func blank(_ body: QuestionBody, stem: String, defaults: QuestionDefaults) -> Question {
        Question(id: "", subject: defaults.subject ?? "", grade: defaults.grade, topic: defaults.topic ?? "", lesson: defaults.lesson,
                 level: defaults.level ?? .recognition, points: body.kind.defaultPoints, stem: stem, body: body)
    }

    /// A category path (`$course$/top/Toán/Hàm số/Cực trị`, as GIFT and Moodle XML write it) as subject, topic
    /// and lesson; nil parts are not given. A subject from the command line wins over the path.
    static func category(_ path: String, defaults: QuestionDefaults) -> (subject: String?, topic: String?, lesson: String?) {
        let parts = path.split(separator: "/").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("$") && $0 != "top" && $0 != "Default" }
        if parts.count >= 2 {
            return (defaults.subject ?? parts[0], parts[1], parts.count >= 3 ? parts[2...].joined(separator: " / ") : defaults.lesson)
        }
        return (defaults.subject, parts.first, defaults.lesson)
    }

    /// A question whose file said nothing of its subject, topic or level (and no default filled them) is
    /// kept, marked unclassified (chưa phân loại) under placeholders, for a teacher to classify; a blueprint
    /// never draws it.
    static func classify(_ question: inout Question, levelKnown: Bool) {
        if question.subject.trimmingCharacters(in: .whitespaces).isEmpty { question.subject = Question.unclassifiedTopic; question.unclassified = true }
        if question.topic.trimmingCharacters(in: .whitespaces).isEmpty { question.topic = Question.unclassifiedTopic; question.unclassified = true }
        if !levelKnown { question.level = .recognition; question.unclassified = true }
    }
}
