import ExamCore
import Foundation

/// The plain-text layout Vietnamese teachers use (Azota and Word): `Phần I`, `Câu 1.`, options `A.`–`H.`
/// (several on one line allowed), true/false statements `a)`–`d)`, the key marked by `*` before the option
/// (or bold/underline in Word, which the docx reader turns into `*`), `Đáp án: …` in a question, or an
/// answer table (`1-A 2.B 3:C`, `2a-Đ 2b-S`, `13-0,5`); worked solutions after `Lời giải` /
/// `Hướng dẫn giải`. A level tag after the number (`Câu 3 [VD].`) sets the level.
public enum AzotaFormat {
    public static func read(_ data: Data, context: ImportContext) throws -> ImportedBank {
        guard let text = String(data: data, encoding: .utf8) else {
            throw BankFormatError(.unreadable, place: context.fileName, "tệp không phải UTF-8 / file is not UTF-8 text")
        }
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { SourceLine(text: String($0.element), number: $0.offset + 1) }
        return try read(lines: lines, context: context, media: [])
    }

    /// A line of the source and where it was.
    struct SourceLine {
        var text: String
        var number: Int
    }

    /// Shared by the text and Word readers.
    static func read(lines: [SourceLine], context: ImportContext, media: [MediaFile]) throws -> ImportedBank {
        var parser = Parser(context: context)
        for line in lines {
            parser.consume(line)
            // Refused as soon as the file passes the limit, not after reading it all.
            guard parser.drafts.count <= ImportLimits.maximumQuestions else { throw ImportLimits.tooManyQuestions(context.fileName) }
        }
        return parser.finish(media: media)
    }

    struct Draft {
        var number: Int
        var part: Int?
        var line: Int
        var level: Level?
        var stem: [String] = []
        var options: [(text: String, starred: Bool)] = []
        var statements: [(text: String, starred: Bool)] = []
        var explanation: [String] = []
        var key: String?
        var statementKeys: [Int: Bool] = [:]
        var inExplanation = false
    }

    struct Parser {
        let context: ImportContext
        var part: Int?
        var drafts: [Draft] = []
        var current: Draft?
        var inTable = false
        var tablePart: Int?
        var problems: [BankProblem] = []
        /// Key table entries: (part in the table, question number, statement index or nil, value, line).
        var tableEntries: [(part: Int?, number: Int, statement: Int?, value: String, line: Int)] = []

        init(context: ImportContext) { self.context = context }

        mutating func consume(_ line: SourceLine) {
            let text = line.text.trimmingCharacters(in: .whitespaces)
            if let header = Patterns.part(text) {
                closeQuestion()
                if inTable { tablePart = header } else { part = header }
                return
            }
            if Patterns.isTableHeader(text) {
                closeQuestion()
                inTable = true
                tablePart = nil
                return
            }
            if let entries = Patterns.tableEntries(text, inTable: inTable) {
                if current?.inExplanation != true || inTable {
                    for entry in entries { tableEntries.append((inTable ? tablePart : part, entry.number, entry.statement, entry.value, line.number)) }
                    return
                }
            }
            if inTable { return }
            if let start = Patterns.questionStart(text) {
                closeQuestion()
                current = Draft(number: start.number, part: part, line: line.number, level: start.level)
                if !start.rest.isEmpty { current?.stem.append(start.rest) }
                return
            }
            guard var draft = current else { return }  // text before the first question: titles, instructions
            defer { current = draft }
            if text.isEmpty {
                if draft.inExplanation { draft.explanation.append("") } else if !draft.stem.isEmpty, draft.options.isEmpty, draft.statements.isEmpty { draft.stem.append("") }
                return
            }
            if let rest = Patterns.explanationStart(text) {
                draft.inExplanation = true
                if !rest.isEmpty { draft.explanation.append(rest) }
                return
            }
            if let key = Patterns.keyLine(text) {
                draft.key = key
                return
            }
            if draft.inExplanation {
                draft.explanation.append(text)
                return
            }
            if let options = Patterns.options(text, expected: draft.options.count) {
                draft.options += options
                return
            }
            if let statement = Patterns.statement(text, expected: draft.statements.count) {
                draft.statements.append(statement)
                return
            }
            if !draft.statements.isEmpty {
                draft.statements[draft.statements.count - 1].text += "\n" + text
            } else if !draft.options.isEmpty {
                draft.options[draft.options.count - 1].text += "\n" + text
            } else {
                draft.stem.append(text)
            }
        }

        mutating func closeQuestion() {
            if let draft = current { drafts.append(draft) }
            current = nil
        }

        mutating func finish(media: [MediaFile]) -> ImportedBank {
            closeQuestion()
            // Apply the key table: by part and number when the table names parts, else by number.
            for entry in tableEntries {
                let candidates = drafts.indices.filter { drafts[$0].number == entry.number && (entry.part == nil || drafts[$0].part == entry.part) }
                guard let index = candidates.first(where: { drafts[$0].key == nil && (entry.statement == nil || drafts[$0].statementKeys[entry.statement!] == nil) }) ?? candidates.first else {
                    problems.append(BankProblem(place: context.place(line: entry.line), "bảng đáp án nhắc câu \(entry.number) không có / the key table names question \(entry.number), which is not in the file"))
                    continue
                }
                if let statement = entry.statement {
                    guard let truth = Scoring.truth(entry.value) else {
                        problems.append(BankProblem(place: context.place(line: entry.line), "\(entry.number)\(Labels.statement(statement)): cần Đ hoặc S / needs Đ or S"))
                        continue
                    }
                    drafts[index].statementKeys[statement] = truth
                } else {
                    drafts[index].key = entry.value
                }
            }
            var questions: [Question] = []
            var places: [String: String] = [:]
            var taken = Set<String>()
            var skipped = 0
            let prefix = FormatSupport.idPrefix(context)
            for draft in drafts {
                let place = context.place(line: draft.line)
                let label = "Câu \(draft.number)"
                switch build(draft) {
                case let .failure(problem):
                    problems.append(BankProblem(place: place, "\(label): \(problem.message)"))
                    skipped += 1
                case var .success(question):
                    question.id = FormatSupport.stableID(prefix: prefix, text: question.stem + "\u{0}" + MediaReferences.texts(of: question).joined(separator: "\u{0}"), taken: &taken)
                    var missing = FormatSupport.missingMetadata(question)
                    if draft.level == nil && context.defaults.level == nil { missing.append("thiếu mức độ: thêm --level hoặc ghi [NB]/[TH]/[VD]/[VDC] sau số câu / no level: add --level or a [NB] tag") }
                    if !missing.isEmpty {
                        problems += missing.map { BankProblem(place: place, questionID: question.id, "\(label): \($0)") }
                        skipped += 1
                        continue
                    }
                    questions.append(question)
                    places[question.id] = place
                }
            }
            return .assemble(subject: context.defaults.subject, questions: questions, problems: problems, skipped: skipped, places: places,
                             embedded: media, context: context)
        }

        struct BuildProblem: Error { let message: String }

        func build(_ draft: Draft) -> Result<Question, BuildProblem> {
            let stem = draft.stem.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            let explanation = draft.explanation.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            let body: QuestionBody
            if !draft.options.isEmpty {
                let options = draft.options.enumerated().map { ChoiceOption(id: Labels.statement($0.offset), text: $0.element.text.trimmingCharacters(in: .whitespacesAndNewlines)) }
                var correct = draft.options.indices.filter { draft.options[$0].starred }
                if correct.isEmpty, let key = draft.key {
                    let labels = Scoring.splitLabels(key)
                    let indices = labels.compactMap { Labels.optionIndex($0, count: options.count) }
                    guard !labels.isEmpty, indices.count == labels.count else { return .failure(BuildProblem(message: "đáp án \"\(key)\" không phải phương án / key is not an option")) }
                    correct = indices
                }
                guard !correct.isEmpty else { return .failure(BuildProblem(message: "chưa có đáp án: đánh dấu * trước phương án đúng, hoặc thêm bảng đáp án / no key: mark the right option with * or add a key table")) }
                if correct.count == 1 {
                    body = .singleChoice(SingleChoice(options: options, answer: options[correct[0]].id))
                } else {
                    body = .multipleResponse(MultipleResponse(options: options, answers: correct.map { options[$0].id }))
                }
            } else if !draft.statements.isEmpty {
                let starred = draft.statements.contains { $0.starred }
                var statements: [Statement] = []
                for (index, statement) in draft.statements.enumerated() {
                    let truth: Bool
                    if let fromTable = draft.statementKeys[index] {
                        truth = fromTable
                    } else if starred {
                        truth = statement.starred
                    } else if let key = draft.key, let marks = Optional(Array(key.filter { !$0.isWhitespace && $0 != "," && $0 != "-" })), index < marks.count, let value = Scoring.truth(String(marks[index])) {
                        truth = value
                    } else {
                        return .failure(BuildProblem(message: "mệnh đề \(Labels.statement(index)) chưa có Đ/S: đánh dấu * hoặc thêm bảng \(draft.number)\(Labels.statement(index))-Đ / statement has no key"))
                    }
                    statements.append(Statement(id: Labels.statement(index), text: statement.text.trimmingCharacters(in: .whitespacesAndNewlines), isTrue: truth))
                }
                body = .trueFalse(TrueFalseCluster(statements: statements, table: statements.count == 4 ? nil : Self.table(for: statements.count)))
            } else if draft.part == 4 {
                body = .essay(Essay())
            } else {
                guard let key = draft.key?.trimmingCharacters(in: .whitespaces), !key.isEmpty else {
                    if draft.part == nil && !explanation.isEmpty { return .success(question(.essay(Essay()), stem: stem, explanation: explanation, draft: draft)) }
                    return .failure(BuildProblem(message: "câu trả lời ngắn chưa có \"Đáp án: …\" / a short answer needs \"Đáp án: …\""))
                }
                if case .value = NumericAnswer.normalise(key, boxRule: false) {
                    let boxRule: Bool = if case .value = NumericAnswer.normalise(key, boxRule: true) { true } else { false }
                    body = .numeric(NumericAnswer(answer: key, boxRule: boxRule))
                } else {
                    body = .shortText(ShortText(answers: key.components(separatedBy: "|").map { $0.trimmingCharacters(in: .whitespaces) }))
                }
            }
            return .success(question(body, stem: stem, explanation: explanation, draft: draft))
        }

        func question(_ body: QuestionBody, stem: String, explanation: String, draft: Draft) -> Question {
            var question = FormatSupport.blank(body, stem: stem, defaults: context.defaults)
            if let level = draft.level { question.level = level }
            question.explanation = explanation.isEmpty ? nil : explanation
            if case .numeric = body, let subject = context.defaults.subject, ExamTemplate.forSubject(subject) == .math2025 { question.points = Points(hundredths: 50) }
            return question
        }

        /// A table for n ≠ 4 statements: points in proportion to statements right.
        static func table(for count: Int) -> [Points] {
            (0...count).map { Points(100).scaled(by: $0, over: max(1, count)) }
        }
    }

    /// The line patterns, written out by hand (no regular expressions on the hot path, and clearer errors).
    enum Patterns {
        static let roman = ["I": 1, "II": 2, "III": 3, "IV": 4, "V": 5]

        /// "Phần I", "PHẦN 2. TRẮC NGHIỆM", "I. TRẮC NGHIỆM…" → 1, 2, 1.
        static func part(_ text: String) -> Int? {
            let folded = TextFolding.fold(text)
            var rest = Substring(folded)
            if rest.hasPrefix("phan ") { rest = rest.dropFirst(5) } else {
                // A bare Roman numeral header must be followed by ". " and upper-case words.
                let token = text.prefix { $0 != "." && $0 != " " }
                guard let value = roman[String(token)], text.dropFirst(token.count).hasPrefix(". "),
                      text.dropFirst(token.count + 2).first?.isUppercase == true else { return nil }
                return value
            }
            let token = rest.prefix { $0.isLetter || $0.isNumber }
            if let value = roman[token.uppercased()] { return value }
            return Int(token)
        }

        static func isTableHeader(_ text: String) -> Bool {
            let folded = TextFolding.fold(text).trimmingCharacters(in: CharacterSet(charactersIn: ".: "))
            return ["dap an", "bang dap an", "dap an tham khao", "answer key", "key"].contains(folded)
        }

        /// "1-A 2.B 3:C", "2a-Đ 2b-S", "13-0,5": every token an entry, at least one.
        static func tableEntries(_ text: String, inTable: Bool) -> [(number: Int, statement: Int?, value: String)]? {
            let tokens = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ";" || $0 == "|" })
            guard !tokens.isEmpty else { return nil }
            var entries: [(Int, Int?, String)] = []
            for token in tokens {
                let digits = token.prefix(while: \.isASCIIDigit)
                guard !digits.isEmpty, let number = Int(digits) else { return nil }
                var rest = token.dropFirst(digits.count)
                var statement: Int?
                if let first = rest.first, ("a"..."h").contains(first) {
                    statement = Int(first.asciiValue! - 97)
                    rest = rest.dropFirst()
                }
                guard let separator = rest.first, "-.:".contains(separator) else { return nil }
                let value = rest.dropFirst()
                guard !value.isEmpty else { return nil }
                if statement == nil {
                    // A choice letter or a short number; anything else is prose, not a table.
                    let isLetter = value.count == 1 && value.first!.isUppercase
                    let isNumber = NumericAnswer.normalise(String(value), boxRule: false) != .empty && { if case .value = NumericAnswer.normalise(String(value), boxRule: false) { true } else { false } }()
                    guard isLetter || isNumber else { return nil }
                }
                entries.append((number, statement, String(value)))
            }
            // A lone "1." or "2-3" could be prose; demand two entries unless the token has a letter key.
            if !inTable, entries.count == 1, entries[0].1 == nil, !(entries[0].2.count == 1 && entries[0].2.first!.isLetter) { return nil }
            return entries
        }

        /// "Câu 12.", "Câu 3 [VD]:", "Question 4)" → number, level, rest of the line.
        static func questionStart(_ text: String) -> (number: Int, level: Level?, rest: String)? {
            let folded = TextFolding.fold(text)
            let words = ["cau", "question", "bai"]
            guard let word = words.first(where: { folded.hasPrefix($0) }) else { return nil }
            // Walk the original text by characters: the folded prefix has the same character count.
            var rest = text.dropFirst(word.count).drop(while: { $0 == " " })
            let digits = rest.prefix(while: \.isASCIIDigit)
            guard !digits.isEmpty, let number = Int(digits) else { return nil }
            rest = rest.dropFirst(digits.count).drop(while: { $0 == " " })
            var level: Level?
            if let open = rest.first, open == "[" || open == "(", let close = rest.firstIndex(where: { $0 == "]" || $0 == ")" }) {
                let tag = String(rest[rest.index(after: rest.startIndex)..<close])
                if let parsed = Level(parsing: tag) {
                    level = parsed
                    rest = rest[rest.index(after: close)...].drop(while: { $0 == " " })
                }
            }
            if let mark = rest.first, ".:)".contains(mark) { rest = rest.dropFirst() }
            return (number, level, rest.trimmingCharacters(in: .whitespaces))
        }

        static func explanationStart(_ text: String) -> String? {
            let folded = TextFolding.fold(text)
            for word in ["loi giai", "huong dan giai", "huong dan", "giai chi tiet", "giai"] where folded.hasPrefix(word) {
                let after = folded.dropFirst(word.count)
                guard after.isEmpty || after.first == ":" || after.first == "." || after.first == " " else { continue }
                return String(text.dropFirst(word.count).drop(while: { $0 == "." || $0 == ":" || $0 == " " })).trimmingCharacters(in: .whitespaces)
            }
            return nil
        }

        static func keyLine(_ text: String) -> String? {
            let folded = TextFolding.fold(text)
            for word in ["dap an", "dap so", "key", "answer"] where folded.hasPrefix(word) {
                let after = folded.dropFirst(word.count)
                guard let mark = after.first, mark == ":" || mark == "." else { continue }
                let value = String(text.dropFirst(word.count + 1)).trimmingCharacters(in: .whitespaces)
                return value.isEmpty ? nil : value
            }
            return nil
        }

        /// "A. x", "*B) y", "A. 1   B. 2   *C. 3   D. 4" → options, when they continue the expected letters.
        static func options(_ text: String, expected: Int) -> [(text: String, starred: Bool)]? {
            guard let first = marker(text[...], upper: true), first.index == expected else { return nil }
            var result: [(String, Bool)] = []
            var starred = first.starred
            var rest = first.rest
            var next = expected + 1
            while true {
                guard next < 8, let found = findMarker(rest, letter: Labels.option(next)) else {
                    result.append((String(rest).trimmingCharacters(in: .whitespaces), starred))
                    break
                }
                result.append((String(rest[..<found.start]).trimmingCharacters(in: .whitespaces), starred))
                starred = found.starred
                rest = found.rest
                next += 1
            }
            return result
        }

        static func statement(_ text: String, expected: Int) -> (text: String, starred: Bool)? {
            guard let found = marker(text[...], upper: false), found.index == expected else { return nil }
            return (String(found.rest).trimmingCharacters(in: .whitespaces), found.starred)
        }

        /// A marker at the start: "*A." "A)" for options (upper), "a)" "*b)" for statements.
        static func marker(_ text: Substring, upper: Bool) -> (index: Int, starred: Bool, rest: Substring)? {
            var rest = text.drop(while: { $0 == " " })
            var starred = false
            if rest.first == "*" { starred = true; rest = rest.dropFirst().drop(while: { $0 == " " }) }
            guard let letter = rest.first, letter.isASCII else { return nil }
            let range: ClosedRange<Character> = upper ? "A"..."H" : "a"..."h"
            guard range.contains(letter) else { return nil }
            rest = rest.dropFirst()
            guard let punctuation = rest.first, upper ? (punctuation == "." || punctuation == ")") : punctuation == ")" else { return nil }
            rest = rest.dropFirst()
            guard rest.isEmpty || rest.first == " " || rest.first == "\t" || !upper else { return nil }
            return (Int(letter.asciiValue! - (upper ? 65 : 97)), starred, rest)
        }

        /// The next inline option marker (" B. ", "\t*C) ") in a line.
        static func findMarker(_ text: Substring, letter: String) -> (start: Substring.Index, starred: Bool, rest: Substring)? {
            var index = text.startIndex
            while index < text.endIndex {
                if text[index] == " " || text[index] == "\t" {
                    let after = text[text.index(after: index)...].drop(while: { $0 == " " || $0 == "\t" })
                    if let found = marker(after, upper: true), Labels.option(found.index) == letter {
                        return (index, found.starred, found.rest)
                    }
                }
                index = text.index(after: index)
            }
            return nil
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
