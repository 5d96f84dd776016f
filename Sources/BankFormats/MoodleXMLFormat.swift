import ExamCore
import Foundation

/// Moodle XML (`<quiz>`): multichoice (single and multiple), truefalse, shortanswer, numerical, matching,
/// essay; categories set subject and topic; `generalfeedback` is the worked solution; embedded images
/// (`@@PLUGINFILE@@` with base64 `<file>`) become media. HTML is turned into khaothi's rich text.
public enum MoodleXMLFormat {
    public static func read(_ data: Data, context: ImportContext) throws -> ImportedBank {
        let root = try XMLNode.parse(data, place: context.fileName)
        guard root.localName == "quiz" else {
            throw BankFormatError(.unreadable, place: context.fileName, "không phải Moodle XML (thiếu <quiz>) / not Moodle XML: no <quiz>")
        }
        guard root.children("question").count <= ImportLimits.maximumQuestions else { throw ImportLimits.tooManyQuestions(context.fileName) }
        var questions: [Question] = []
        var places: [String: String] = [:]
        var problems: [BankProblem] = []
        var media: [String: MediaFile] = [:]
        var skipped = 0
        var warnings: [BankProblem] = []
        var taken = Set<String>()
        var subject = context.defaults.subject
        var topic = context.defaults.topic
        var lesson = context.defaults.lesson
        var meta: FormatSupport.Meta?
        let prefix = FormatSupport.idPrefix(context)

        for node in root.children {
            if node.localName == "#comment" { meta = FormatSupport.Meta(comment: node.text); continue }
            guard node.localName == "question" else { continue }
            let place = context.place(line: node.line)
            defer { meta = nil }
            let type = node.attribute("type") ?? ""
            if type == "category" {
                let path = node.child("category")?.child("text")?.allText ?? ""
                let found = FormatSupport.category(path, defaults: context.defaults)
                subject = found.subject ?? subject
                topic = found.topic ?? topic
                lesson = found.lesson
                continue
            }
            if type == "description" { continue }
            var unknownEntities: [String] = []
            func html(_ element: XMLNode?) -> String {
                guard let element else { return "" }
                for file in element.children("file") {
                    guard let raw = file.attribute("name"), let data = Data(base64Encoded: file.allText.filter { !$0.isWhitespace }) else { continue }
                    // Named as the text names it: `@@PLUGINFILE@@/hình 2.png`, or percent-encoded.
                    let name = MediaReferences.fileName(fromLink: raw)
                    if data.count <= 16 * 1024 * 1024 { media[name] = MediaFile(name: name, data: data) }
                }
                return HTMLText.richText(element.child("text")?.allText ?? "", unknown: &unknownEntities)
            }
            let stem = html(node.child("questiontext"))
            // Fractions are percentages, read as exact decimals ("33.33333", "-50").
            let answers = node.children("answer").map { (fraction: Decimal(string: $0.attribute("fraction") ?? "0", locale: Locale(identifier: "en_US_POSIX")) ?? 0,
                                                          text: html($0), node: $0) }
            let body: QuestionBody
            switch type {
            case "multichoice":
                // Labels go A–H: a longer list is refused before any is made.
                guard answers.count <= Labels.maximumOptions else {
                    problems.append(BankProblem(place: place, "quá \(Labels.maximumOptions) phương án (có \(answers.count)) / more than \(Labels.maximumOptions) options (\(answers.count))"))
                    skipped += 1
                    continue
                }
                let options = answers.enumerated().map { ChoiceOption(id: Labels.statement($0.offset), text: $0.element.text) }
                let correct = answers.indices.filter { answers[$0].fraction > 0 }.map { Labels.statement($0) }
                guard !correct.isEmpty else { problems.append(BankProblem(place: place, "không có đáp án đúng (fraction > 0) / no correct answer")); skipped += 1; continue }
                let single = (node.child("single")?.allText.trimmingCharacters(in: .whitespaces) ?? "true") == "true"
                // Moodle's fractions, kept exactly: partial credit for a near-right option, penalties for wrong ones.
                var values: [String: Decimal] = [:]
                for (index, answer) in answers.enumerated() where answer.fraction != 0 { values[Labels.statement(index)] = answer.fraction / 100 }
                if single {
                    let best = answers.indices.max { answers[$0].fraction < answers[$1].fraction }!
                    let plain = answers.filter { $0.fraction != 0 }.count == 1 && answers[best].fraction == 100
                    body = .singleChoice(SingleChoice(options: options, answer: Labels.statement(best), credit: plain ? nil : OptionCredit(values: values)))
                } else {
                    body = .multipleResponse(MultipleResponse(options: options, answers: correct, scoring: .partial, credit: OptionCredit(values: values, lowerBound: 0)))
                }
            case "truefalse":
                guard let right = answers.first(where: { $0.fraction > 0 }) else { problems.append(BankProblem(place: place, "không có đáp án đúng / no correct answer")); skipped += 1; continue }
                let truth = TextFolding.fold(right.text) == "true" || TextFolding.fold(right.text) == "dung"
                body = .trueFalse(TrueFalseCluster(statements: [Statement(id: "a", text: "", isTrue: truth)], table: [0, 1]))
            case "shortanswer":
                let accepted = answers.filter { $0.fraction >= 100 }.map(\.text)
                guard !accepted.isEmpty else { problems.append(BankProblem(place: place, "không có đáp án 100% / no fully correct answer")); skipped += 1; continue }
                body = .shortText(ShortText(answers: accepted, caseSensitive: node.child("usecase")?.allText.trimmingCharacters(in: .whitespaces) == "1"))
            case "numerical":
                let accepted = answers.filter { $0.fraction >= 100 }
                guard let first = accepted.first else { problems.append(BankProblem(place: place, "không có đáp án 100% / no fully correct answer")); skipped += 1; continue }
                let tolerance = first.node.child("tolerance").flatMap { Decimal(string: $0.allText.trimmingCharacters(in: .whitespaces), locale: Locale(identifier: "en_US_POSIX")) }
                body = .numeric(NumericAnswer(answer: first.text, alternatives: accepted.dropFirst().map(\.text), tolerance: tolerance == 0 ? nil : tolerance, boxRule: false))
            case "matching":
                let subquestions = node.children("subquestion")
                guard subquestions.count <= Labels.limit else {
                    problems.append(BankProblem(place: place, "quá \(Labels.limit) cặp ghép (có \(subquestions.count)) / more than \(Labels.limit) pairs (\(subquestions.count))"))
                    skipped += 1
                    continue
                }
                var premises: [Item] = []
                var choices: [Item] = []
                var pairs: [Pair] = []
                for sub in subquestions {
                    let premiseText = HTMLText.richText(sub.child("text")?.allText ?? "")
                    let choiceText = sub.child("answer")?.child("text")?.allText.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                    let choiceID: String
                    if let existing = choices.first(where: { $0.text == choiceText }) { choiceID = existing.id } else {
                        choiceID = Labels.statement(choices.count)
                        choices.append(Item(id: choiceID, text: choiceText))
                    }
                    guard !premiseText.isEmpty else { continue }
                    let premiseID = Labels.premise(premises.count)
                    premises.append(Item(id: premiseID, text: premiseText))
                    pairs.append(Pair(premise: premiseID, choice: choiceID))
                }
                body = .matching(Matching(premises: premises, choices: choices, pairs: pairs))
            case "essay":
                let rubric = html(node.child("graderinfo"))
                body = .essay(Essay(rubric: rubric.isEmpty ? nil : rubric))
            default:
                problems.append(BankProblem(place: place, "dạng câu hỏi Moodle \"\(type)\" chưa đọc được; xuất lại bằng GIFT hoặc bỏ qua / Moodle type \"\(type)\" is not read"))
                skipped += 1
                continue
            }
            var question = FormatSupport.blank(body, stem: stem, defaults: context.defaults)
            question.subject = subject ?? ""
            question.topic = topic ?? ""
            question.lesson = lesson
            let feedback = html(node.child("generalfeedback"))
            question.explanation = feedback.isEmpty ? nil : feedback
            question.tags = node.child("tags")?.children("tag").map { $0.child("text")?.allText.trimmingCharacters(in: .whitespacesAndNewlines) ?? "" }.filter { !$0.isEmpty } ?? []
            if let grade = node.child("defaultgrade").flatMap({ Points(parsing: TableFormat.normaliseNumber($0.allText.trimmingCharacters(in: .whitespaces))) }), grade > .zero {
                question.points = grade
            }
            if (node.child("shuffleanswers")?.allText.trimmingCharacters(in: .whitespaces)).map({ $0 == "0" || $0 == "false" }) == true { question.shuffleOptions = false }
            meta?.apply(to: &question, defaults: context.defaults)
            FormatSupport.classify(&question, levelKnown: meta?.values["level"] != nil || context.defaults.level != nil)
            let name = node.child("name")?.child("text")?.allText.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if question.id.isEmpty {
                if !name.isEmpty, !taken.contains(name), !name.contains(" ") { question.id = name; taken.insert(name) } else {
                    question.id = FormatSupport.stableID(prefix: prefix, question: question, taken: &taken)
                }
            }
            questions.append(question)
            places[question.id] = place
            for entity in Array(Set(unknownEntities)).sorted() {
                warnings.append(BankProblem(place: place, questionID: question.id, "ký tự \(entity) không có trong HTML; giữ nguyên / \(entity) is not an HTML character name; kept as written"))
            }
        }
        for reference in root.unknownReferences {
            warnings.append(BankProblem(place: context.place(line: reference.line), "ký tự &\(reference.name); không có trong HTML; giữ nguyên / &\(reference.name); is not an HTML character name; kept as written"))
        }
        return .assemble(subject: subject, questions: questions, problems: problems, skipped: skipped, places: places,
                         embedded: media.keys.sorted().map { media[$0]! }, warnings: warnings, context: context)
    }
}

/// HTML (as Moodle and Word-to-web tools write it) to khaothi's rich text: paragraphs and line breaks kept,
/// images as `![alt](name)`, entities decoded, every other tag dropped.
enum HTMLText {
    static func richText(_ html: String) -> String {
        var unknown: [String] = []
        return richText(html, unknown: &unknown)
    }

    /// HTML to khaothi's rich text (paragraphs, line breaks, images as Markdown); every named character of HTML
    /// decoded; a reference HTML does not define is kept as written and added to `unknown`.
    static func richText(_ html: String, unknown: inout [String]) -> String {
        var out = ""
        var index = html.startIndex
        while index < html.endIndex {
            let character = html[index]
            if character == "<", let close = html[index...].firstIndex(of: ">") {
                let tag = html[html.index(after: index)..<close]
                let name = tag.drop(while: { $0 == "/" }).prefix { $0.isLetter || $0.isNumber }.lowercased()
                switch name {
                case "br": out += "\n"
                case "p", "div", "li", "tr", "h1", "h2", "h3", "h4":
                    if tag.first == "/" || !out.isEmpty { if !out.hasSuffix("\n\n") { out += out.hasSuffix("\n") ? "\n" : "\n\n" } }
                case "img":
                    out += MediaReferences.markdown(alt: attribute("alt", in: tag), name: MediaReferences.fileName(fromLink: attribute("src", in: tag)))
                default: break
                }
                index = html.index(after: close)
                continue
            }
            if character == "&", let semicolon = html[index...].prefix(HTMLEntities.longestName + 2).firstIndex(of: ";") {
                let entity = String(html[html.index(after: index)..<semicolon])
                if let decoded = decode(entity) {
                    out += decoded
                    index = html.index(after: semicolon)
                    continue
                }
                if entity.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }), !entity.isEmpty { unknown.append("&\(entity);") }
            }
            out.append(character)
            index = html.index(after: index)
        }
        return out.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: "\n").replacingOccurrences(of: "\n\n\n", with: "\n\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func attribute(_ name: String, in tag: Substring) -> String {
        guard let range = tag.range(of: name + "=") else { return "" }
        let rest = tag[range.upperBound...]
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return String(rest.prefix { !$0.isWhitespace && $0 != "/" }) }
        return String(rest.dropFirst().prefix { $0 != quote })
    }

    static func decode(_ entity: String) -> String? {
        switch entity {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos", "#39": return "'"
        case "nbsp": return " "
        default:
            if let named = HTMLEntities.character(entity) { return named }
            if entity.hasPrefix("#x"), let value = UInt32(entity.dropFirst(2), radix: 16), let scalar = UnicodeScalar(value) { return String(scalar) }
            if entity.hasPrefix("#"), let value = UInt32(entity.dropFirst()), let scalar = UnicodeScalar(value) { return String(scalar) }
            return nil
        }
    }
}
