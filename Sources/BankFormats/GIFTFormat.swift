import ExamCore
import Foundation

/// Moodle GIFT: `::title:: text {answers}` with `\` escaping `~ = # { } :`.
/// Kinds: multiple choice (one `=`), multiple response (`~%50%` weights), true/false (`{T}`), short answer
/// (only `=`), numeric (`{#3.14:0.01}`, `{#1..5}`), matching (`=a -> b`), essay (`{}`), and missing-word
/// (answers inside the text, read as a one-gap cloze). `$CATEGORY: Môn/Chủ đề` sets subject and topic;
/// `####text` is the worked solution; `// khaothi: …` comments (written by our exporter) carry the rest.
public enum GIFTFormat {
    public static func read(_ data: Data, context: ImportContext) throws -> ImportedBank {
        guard let text = String(data: data, encoding: .utf8) else {
            throw BankFormatError(.unreadable, place: context.fileName, "tệp không phải UTF-8 / file is not UTF-8 text")
        }
        var parser = Parser(context: context)
        try parser.parse(text.replacingOccurrences(of: "\r\n", with: "\n"))
        return parser.finish()
    }

    /// A character of the source with whether it was escaped by `\`.
    struct Char: Equatable {
        let value: Character
        let escaped: Bool
    }

    static func unescape(_ text: Substring) -> [Char] {
        var out: [Char] = []
        var iterator = text.makeIterator()
        while let c = iterator.next() {
            if c == "\\", let next = iterator.next() {
                out.append(Char(value: next == "n" ? "\n" : next, escaped: true))
            } else {
                out.append(Char(value: c, escaped: false))
            }
        }
        return out
    }

    static func string(_ chars: some Collection<Char>) -> String {
        String(chars.map(\.value)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct Parser {
        let context: ImportContext
        var questions: [Question] = []
        var places: [String: String] = [:]
        var problems: [BankProblem] = []
        var skipped = 0
        var subject: String?
        var topic: String?
        var lesson: String?
        var taken = Set<String>()
        let prefix: String

        init(context: ImportContext) {
            self.context = context
            self.prefix = FormatSupport.idPrefix(context)
            subject = context.defaults.subject
            topic = context.defaults.topic
            lesson = context.defaults.lesson
        }

        /// What the file is made of, in order: question sources with their first line and `khaothi:` comment,
        /// and category lines.
        enum Piece {
            case question(source: String, line: Int, meta: FormatSupport.Meta?)
            case category(String)
        }

        /// Splits the file into pieces (cheap), refuses it if it passes the limits (too many questions, one
        /// question too long) before the costly reading, then reads every piece.
        mutating func parse(_ text: String) throws {
            let pieces = try Self.pieces(text, context: context)
            let count = pieces.reduce(0) { if case .question = $1 { $0 + 1 } else { $0 } }
            guard count <= ImportLimits.maximumQuestions else { throw ImportLimits.tooManyQuestions(context.fileName) }
            for piece in pieces {
                switch piece {
                case let .question(source, line, meta): readQuestion(source, line: line, meta: meta)
                case let .category(path): setCategory(path)
                }
            }
        }

        /// Questions end at a blank line, unless inside an open answer block `{…}`; a title after a blank line
        /// starts a new question even if the last one never closed its block.
        static func pieces(_ text: String, context: ImportContext) throws -> [Piece] {
            var pieces: [Piece] = []
            var block: [String] = []
            var blockLine = 0
            var blockBytes = 0
            /// Unescaped `{` minus `}` in the block so far.
            var openBraces = 0
            var meta: FormatSupport.Meta?
            func flush() {
                if block.contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                    pieces.append(.question(source: block.joined(separator: "\n"), line: blockLine, meta: meta))
                }
                block = []
                blockBytes = 0
                openBraces = 0
                meta = nil
            }
            func braces(_ line: String) -> Int {
                var balance = 0, escaped = false
                for character in line {
                    if escaped { escaped = false; continue }
                    if character == "\\" { escaped = true } else if character == "{" { balance += 1 } else if character == "}" { balance -= 1 }
                }
                return balance
            }
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = String(line)
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix("//") {
                    if let found = FormatSupport.Meta(comment: String(trimmed.dropFirst(2))) { meta = found }
                    continue
                }
                if trimmed.hasPrefix("$CATEGORY:") {
                    flush()
                    pieces.append(.category(String(trimmed.dropFirst("$CATEGORY:".count))))
                    continue
                }
                if trimmed.isEmpty {
                    if openBraces > 0 { block.append(line) } else { flush() }
                    continue
                }
                if !block.isEmpty, trimmed.hasPrefix("::"), block.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { flush() }
                blockBytes += line.utf8.count + 1
                guard blockBytes <= ImportLimits.maximumQuestionBytes else { throw ImportLimits.questionTooLarge(context.place(line: block.isEmpty ? index + 1 : blockLine)) }
                openBraces += braces(line)
                if block.isEmpty { blockLine = index + 1 }
                block.append(line)
            }
            flush()
            return pieces
        }

        mutating func setCategory(_ path: String) {
            let found = FormatSupport.category(path, defaults: context.defaults)
            subject = found.subject ?? subject
            topic = found.topic ?? topic
            lesson = found.lesson
        }

        mutating func problem(_ line: Int, _ message: String, id: String? = nil) {
            problems.append(BankProblem(place: context.place(line: line), questionID: id, message))
        }

        mutating func readQuestion(_ source: String, line: Int, meta: FormatSupport.Meta?) {
            var chars = GIFTFormat.unescape(source[...])
            var title: String?
            // ::title::
            if chars.starts(with: [Char(value: ":", escaped: false), Char(value: ":", escaped: false)]) {
                let rest = chars.dropFirst(2)
                if let end = rest.indices.first(where: { rest[$0] == Char(value: ":", escaped: false) && $0 + 1 < chars.count && chars[$0 + 1] == Char(value: ":", escaped: false) }) {
                    title = GIFTFormat.string(chars[2..<end])
                    chars = Array(chars[(end + 2)...])
                }
            }
            // [html], [markdown], [plain], [moodle] format markers
            while let first = chars.firstIndex(where: { !$0.value.isWhitespace }), chars[first].value == "[", !chars[first].escaped,
                  let close = chars[first...].firstIndex(where: { $0.value == "]" && !$0.escaped }),
                  ["html", "markdown", "plain", "moodle"].contains(GIFTFormat.string(chars[(first + 1)..<close]).lowercased()) {
                chars = Array(chars[(close + 1)...])
            }
            guard let open = chars.firstIndex(where: { $0.value == "{" && !$0.escaped }) else {
                problem(line, "thiếu khối đáp án {…} / no answer block {…}")
                skipped += 1
                return
            }
            guard let close = chars[open...].firstIndex(where: { $0.value == "}" && !$0.escaped }) else {
                problem(line, "khối đáp án chưa đóng } / the answer block has no closing }")
                skipped += 1
                return
            }
            let before = GIFTFormat.string(chars[..<open])
            let after = GIFTFormat.string(chars[(close + 1)...])
            var answerBlock = Array(chars[(open + 1)..<close])
            var explanation: String?
            if let generalFeedback = findSequence(answerBlock, "####") {
                explanation = GIFTFormat.string(answerBlock[(generalFeedback + 4)...])
                answerBlock = Array(answerBlock[..<generalFeedback])
            }
            let body: QuestionBody
            var stem = before
            do {
                body = try parseAnswers(answerBlock, line: line)
            } catch let error as GIFTError {
                problem(line, error.message, id: title)
                skipped += 1
                return
            } catch {
                skipped += 1
                return
            }
            var finalBody = body
            if !after.isEmpty, case .shortText = body {
                // Only right answers in the blank (`Thủ đô là {=Hà Nội =Ha Noi}.`): a short answer written in the
                // missing-word layout, as Moodle reads it; the blank is shown in the text.
                stem = (before.trimmingCharacters(in: .whitespaces) + " _____ " + after.trimmingCharacters(in: .whitespaces)).trimmingCharacters(in: .whitespaces)
            } else if !after.isEmpty {
                // Missing word: the answers stand inside the text.
                let gapAnswer: GapAnswer
                switch body {
                case let .singleChoice(choice): gapAnswer = .choice(options: choice.options, answer: choice.answer)
                case let .shortText(text): gapAnswer = .text(text)
                case let .numeric(numeric): gapAnswer = .numeric(numeric)
                default:
                    problem(line, "câu điền từ chỉ nhận trắc nghiệm, từ hoặc số / a missing-word question takes choices, words or a number", id: title)
                    skipped += 1
                    return
                }
                finalBody = .cloze(Cloze(text: before + " {{1}} " + after, gaps: [Gap(id: "1", answer: gapAnswer)]))
                stem = ""
            }
            var question = FormatSupport.blank(finalBody, stem: stem, defaults: context.defaults)
            question.subject = subject ?? ""
            question.topic = topic ?? ""
            question.lesson = lesson
            question.explanation = explanation
            if case .cloze = finalBody { question.stem = "Điền vào chỗ trống." }
            meta?.apply(to: &question, defaults: context.defaults)
            FormatSupport.classify(&question, levelKnown: meta?.values["level"] != nil || context.defaults.level != nil)
            if question.id.isEmpty {
                if let title, !title.isEmpty, !taken.contains(title) { question.id = title; taken.insert(title) } else {
                    question.id = FormatSupport.stableID(prefix: prefix, question: question, taken: &taken)
                }
            } else {
                taken.insert(question.id)
            }
            questions.append(question)
            places[question.id] = context.place(line: line)
        }

        func findSequence(_ chars: [Char], _ sequence: String) -> Int? {
            let target = Array(sequence)
            guard chars.count >= target.count else { return nil }
            for start in 0...(chars.count - target.count) where (0..<target.count).allSatisfy({ chars[start + $0].value == target[$0] && !chars[start + $0].escaped }) {
                return start
            }
            return nil
        }

        struct GIFTError: Error { let message: String }

        /// One answer of a block: its mark (`=`, `~`), weight, text and feedback.
        struct Answer {
            var mark: Character
            /// `%50%` as an exact percentage.
            var weight: Decimal?
            var text: String
        }

        func splitAnswers(_ block: [Char]) -> [Answer] {
            var answers: [Answer] = []
            var current: [Char] = []
            var mark: Character?
            func push() {
                guard let mark else { return }
                var textChars = current
                // Drop feedback (#…), unless the question is numeric (then # starts the block, handled apart).
                if let hash = textChars.firstIndex(where: { $0.value == "#" && !$0.escaped }) { textChars = Array(textChars[..<hash]) }
                var weight: Decimal?
                let raw = GIFTFormat.string(textChars)
                var text = raw
                if raw.hasPrefix("%"), let end = raw.dropFirst().firstIndex(of: "%") {
                    weight = Decimal(string: String(raw[raw.index(after: raw.startIndex)..<end]), locale: Locale(identifier: "en_US_POSIX"))
                    text = String(raw[raw.index(after: end)...]).trimmingCharacters(in: .whitespaces)
                }
                answers.append(Answer(mark: mark, weight: weight, text: text))
            }
            for char in block {
                if !char.escaped && (char.value == "=" || char.value == "~") {
                    // "->" inside matching is not a mark.
                    push()
                    mark = char.value
                    current = []
                } else {
                    current.append(char)
                }
            }
            push()
            return answers
        }

        func parseAnswers(_ block: [Char], line: Int) throws -> QuestionBody {
            let text = GIFTFormat.string(block)
            if text.isEmpty { return .essay(Essay()) }
            switch text.uppercased() {
            case "T", "TRUE": return .trueFalse(TrueFalseCluster(statements: [Statement(id: "a", text: "", isTrue: true)], table: [0, 1]))
            case "F", "FALSE": return .trueFalse(TrueFalseCluster(statements: [Statement(id: "a", text: "", isTrue: false)], table: [0, 1]))
            default: break
            }
            if let first = text.first, first == "T" || first == "F", text.count > 1, text.dropFirst().first == "#" || text.uppercased().hasPrefix("TRUE#") || text.uppercased().hasPrefix("FALSE#") {
                let truth = first == "T"
                return .trueFalse(TrueFalseCluster(statements: [Statement(id: "a", text: "", isTrue: truth)], table: [0, 1]))
            }
            if text.hasPrefix("#") { return try parseNumeric(Array(block.drop(while: { $0.value.isWhitespace }).dropFirst())) }
            let answers = splitAnswers(block)
            guard !answers.isEmpty else { throw GIFTError(message: "khối đáp án không đọc được / cannot read the answer block") }
            // Labels go A–Z: a longer list is refused before any is made.
            guard answers.count <= Labels.limit else {
                throw GIFTError(message: "quá \(Labels.limit) đáp án (có \(answers.count)) / more than \(Labels.limit) answers (\(answers.count))")
            }
            if answers.allSatisfy({ $0.mark == "=" }) && answers.contains(where: { $0.text.contains("->") }) {
                var premises: [Item] = []
                var choices: [Item] = []
                var pairs: [Pair] = []
                for answer in answers {
                    let parts = answer.text.components(separatedBy: "->")
                    guard parts.count == 2 else { throw GIFTError(message: "cặp ghép \"\(answer.text)\" cần dạng a -> b / a pair needs a -> b") }
                    let premise = parts[0].trimmingCharacters(in: .whitespaces)
                    let choice = parts[1].trimmingCharacters(in: .whitespaces)
                    let choiceID: String
                    if let existing = choices.first(where: { $0.text == choice }) { choiceID = existing.id } else {
                        choiceID = Labels.statement(choices.count)
                        choices.append(Item(id: choiceID, text: choice))
                    }
                    if !premise.isEmpty {
                        let premiseID = Labels.premise(premises.count)
                        premises.append(Item(id: premiseID, text: premise))
                        pairs.append(Pair(premise: premiseID, choice: choiceID))
                    }
                }
                return .matching(Matching(premises: premises, choices: choices, pairs: pairs))
            }
            if answers.allSatisfy({ $0.mark == "=" }) {
                return .shortText(ShortText(answers: answers.map(\.text)))
            }
            guard answers.count <= Labels.maximumOptions else {
                throw GIFTError(message: "quá \(Labels.maximumOptions) phương án (có \(answers.count)) / more than \(Labels.maximumOptions) options (\(answers.count))")
            }
            let options = answers.enumerated().map { ChoiceOption(id: Labels.statement($0.offset), text: $0.element.text) }
            let correct = answers.enumerated().filter { $0.element.mark == "=" || ($0.element.weight ?? 0) > 0 }.map { Labels.statement($0.offset) }
            guard !correct.isEmpty else { throw GIFTError(message: "không có đáp án đúng (= hoặc ~%…%) / no correct answer") }
            // Weights are Moodle's partial credit: kept exactly, as credit per option.
            var values: [String: Decimal] = [:]
            for (index, answer) in answers.enumerated() {
                let weight = answer.mark == "=" ? 100 : (answer.weight ?? 0)
                if weight != 0 { values[Labels.statement(index)] = weight / 100 }
            }
            let equals = answers.indices.filter { answers[$0].mark == "=" }
            if equals.count == 1 {
                let plain = values.count == 1
                return .singleChoice(SingleChoice(options: options, answer: Labels.statement(equals[0]), credit: plain ? nil : OptionCredit(values: values)))
            }
            if correct.count == 1 && equals.isEmpty && values.count == 1 && values.values.first == 1 {
                return .singleChoice(SingleChoice(options: options, answer: correct[0]))
            }
            var multiple = MultipleResponse(options: options, answers: correct, scoring: .partial)
            // khaothi's own partial rule needs no credit of its own; any other weighting keeps its weights.
            if !QTIFormat.ItemReader.same(OptionCredit(values: values, lowerBound: 0), QTIFormat.partialCredit(multiple)) {
                multiple.credit = OptionCredit(values: values, lowerBound: 0)
            }
            return .multipleResponse(multiple)
        }

        func parseNumeric(_ block: [Char]) throws -> QuestionBody {
            let text = GIFTFormat.string(block)
            // #=3.14:0.01 =%50%3.1:0.1  or  #3.14:0.01  or  #1..5
            var entries = text.split(separator: "=").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if entries.isEmpty { entries = [text] }
            var values: [(String, Decimal?)] = []
            for var entry in entries {
                if let hash = entry.firstIndex(of: "#") { entry = String(entry[..<hash]).trimmingCharacters(in: .whitespaces) }
                if entry.hasPrefix("%"), let end = entry.dropFirst().firstIndex(of: "%") {
                    guard entry[entry.index(after: entry.startIndex)..<end] == "100" else { continue }
                    entry = String(entry[entry.index(after: end)...])
                }
                if let range = entry.range(of: "..") {
                    guard let low = decimal(entry[..<range.lowerBound]), let high = decimal(entry[range.upperBound...]), low <= high else {
                        throw GIFTError(message: "khoảng số \"\(entry)\" không hợp lệ / bad numeric range")
                    }
                    values.append((format((low + high) / 2), (high - low) / 2))
                } else {
                    let parts = entry.split(separator: ":")
                    guard let value = parts.first.flatMap(decimal) else { throw GIFTError(message: "số \"\(entry)\" không đọc được / cannot read the number") }
                    let tolerance = parts.count > 1 ? decimal(parts[1]) : nil
                    values.append((format(value), tolerance.flatMap { $0 == 0 ? nil : $0 }))
                }
            }
            guard let first = values.first else { throw GIFTError(message: "thiếu đáp án số / no numeric answer") }
            return .numeric(NumericAnswer(answer: first.0, alternatives: values.dropFirst().map(\.0), tolerance: first.1, boxRule: false))
        }

        func decimal(_ text: Substring) -> Decimal? {
            Decimal(string: text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: "."), locale: Locale(identifier: "en_US_POSIX"))
        }

        func format(_ value: Decimal) -> String {
            var copy = value
            var rounded = Decimal()
            NSDecimalRound(&rounded, &copy, 10, .plain)
            return rounded.description
        }

        mutating func finish() -> ImportedBank {
            return .assemble(subject: subject, questions: questions, problems: problems, skipped: skipped, places: places, context: context)
        }
    }

    // MARK: writing

    /// Writes GIFT. Kinds GIFT cannot hold (true/false clusters of several statements, ordering, cloze with
    /// several gaps) are left out and named in `skipped`.
    public static func write(_ bank: QuestionBank) -> (text: String, skipped: [String]) {
        var out = "// \(bank.name)\n\n"
        var skipped: [String] = []
        var category: String?
        for question in bank.questions {
            let path = "\(question.subject)/\(question.topic)"
            if path != category {
                out += "$CATEGORY: \(path)\n\n"
                category = path
            }
            guard let answers = answerBlock(question) else { skipped.append(question.id); continue }
            var meta = FormatSupport.Meta(question: question)
            meta.addBodyDetails(question)
            out += "// " + meta.comment + "\n"
            let explanation = question.explanation.map { " ####" + escape($0) } ?? ""
            if case let .cloze(cloze) = question.body, let range = cloze.text.range(of: "{{\(cloze.gaps[0].id)}}") {
                out += "::\(escape(question.id))::\(escape(String(cloze.text[..<range.lowerBound]))){\(answers)\(explanation)}\(escape(String(cloze.text[range.upperBound...])))\n\n"
            } else {
                out += "::\(escape(question.id))::\(escape(question.stem)) {\(answers)\(explanation)}\n\n"
            }
        }
        return (out, skipped)
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "~", "=", "#", "{", "}", ":", "\\": out += "\\\(c)"
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    static func answerBlock(_ question: Question) -> String? {
        switch question.body {
        case let .singleChoice(body):
            // GIFT weights cannot say bounds or a value for options not listed.
            if let credit = body.credit, credit.otherwise != 0 || (credit.lowerBound ?? 0) > 0 || (credit.upperBound ?? 1) < 1 { return nil }
            return body.options.map { option in
                if option.id == body.answer { return "=" + escape(option.text) }
                let weight = body.credit.flatMap { $0.values[option.id] }.map { "%" + ($0 * 100).description + "%" } ?? ""
                return "~" + weight + escape(option.text)
            }.joined(separator: " ")
        case let .multipleResponse(body) where body.credit != nil:
            let credit = body.credit!
            if (credit.lowerBound ?? 0) > 0 || (credit.upperBound ?? 1) < 1 { return nil }
            return body.options.map { "~%" + ((credit.values[$0.id] ?? credit.otherwise) * 100).description + "%" + escape($0.text) }.joined(separator: " ")
        case let .multipleResponse(body):
            let right = body.answers.count
            let wrong = body.options.count - right
            return body.options.map { option in
                body.answers.contains(option.id) ? "~%\(percent(100, right))%" + escape(option.text) : "~%-\(percent(100, max(1, wrong)))%" + escape(option.text)
            }.joined(separator: " ")
        case let .trueFalse(body):
            guard body.statements.count == 1, body.statements[0].text.isEmpty else { return nil }
            return body.statements[0].isTrue ? "T" : "F"
        case let .numeric(body):
            let value = body.answer.replacingOccurrences(of: ",", with: ".")
            let tolerance = body.tolerance.map { ":\($0)" } ?? ""
            if body.alternatives.isEmpty { return "#\(value)\(tolerance)" }
            return "#=" + ([value + tolerance] + body.alternatives.map { $0.replacingOccurrences(of: ",", with: ".") + tolerance }).joined(separator: " =")
        case let .shortText(body):
            guard !body.answers.isEmpty, body.pattern == nil, !body.caseSensitive else { return nil }
            return body.answers.map { "=" + escape($0) }.joined(separator: " ")
        case let .matching(body):
            let pairs = body.premises.compactMap { premise -> String? in
                guard let pair = body.pairs.first(where: { $0.premise == premise.id }), let choice = body.choices.first(where: { $0.id == pair.choice }) else { return nil }
                return "=\(escape(premise.text)) -> \(escape(choice.text))"
            }
            // Choices no premise goes with are distractors: "= -> text".
            let used = Set(body.pairs.map(\.choice))
            let distractors = body.choices.filter { !used.contains($0.id) }.map { "= -> \(escape($0.text))" }
            return (pairs + distractors).joined(separator: " ")
        case let .cloze(body):
            guard body.gaps.count == 1 else { return nil }
            switch body.gaps[0].answer {
            case let .choice(options, answer): return options.map { ($0.id == answer ? "=" : "~") + escape($0.text) }.joined(separator: " ")
            case let .text(text): return text.answers.map { "=" + escape($0) }.joined(separator: " ")
            case let .numeric(numeric): return "#\(numeric.answer.replacingOccurrences(of: ",", with: "."))"
            }
        case .ordering:
            return nil
        case .essay:
            return ""
        }
    }

    static func percent(_ total: Int, _ parts: Int) -> String {
        let value = Decimal(total) / Decimal(parts)
        var copy = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &copy, 5, .plain)
        return rounded.description
    }
}
