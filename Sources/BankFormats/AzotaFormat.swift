import ExamCore
import Foundation

/// The plain-text layout Vietnamese teachers use (Azota and Word): `Phần I`, `Câu 1.`, options `A.`–`H.`
/// (several on one line allowed), true/false statements `a)`–`d)`, the key marked by `*` before the option
/// (or bold/underline in Word, which the docx reader turns into `*`), `Đáp án: …` in a question, or an
/// answer table (`1-A 2.B 3:C`, `1: C`, `Câu 1: C`, `2a-Đ 2b-S`, `2-ĐĐSĐ`, `13-0,5`), whole or per part
/// (`Phần I: 1-A 2-B`); worked solutions after `Lời giải` / `Hướng dẫn giải` in a question, or as a section
/// after the table (`Câu 1. …` per question). A level tag after the number (`Câu 3 [VD].`) sets the level.
/// A part heading run into the end of a line (Word often does this) starts the part there. Lines it cannot
/// place are reported with their numbers, never dropped silently.
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
        for line in lines.flatMap(Patterns.splitAtHeading) {
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

    /// Where the solutions section after the answer table is.
    struct SolutionTarget {
        var part: Int?
        var number: Int
        var line: Int
        var text: [String] = []
    }

    struct Parser {
        let context: ImportContext
        var part: Int?
        var drafts: [Draft] = []
        var current: Draft?
        var inTable = false
        var tablePart: Int?
        /// After the table: `Lời giải` / `Hướng dẫn giải` as a section, solutions by question number.
        var inSolutions = false
        var solutionPart: Int?
        var solution: SolutionTarget?
        var solutions: [SolutionTarget] = []
        /// Text before the first question (titles, instructions), reported as a warning with its lines.
        var preamble: [Int] = []
        var problems: [BankProblem] = []
        var warnings: [BankProblem] = []
        /// Key table entries: (part in the table, question number, statement index or nil, value, line).
        var tableEntries: [(part: Int?, number: Int, statement: Int?, value: String, line: Int)] = []

        init(context: ImportContext) { self.context = context }

        mutating func consume(_ line: SourceLine) {
            let text = line.text.trimmingCharacters(in: .whitespaces)
            if inSolutions { consumeSolution(text, line: line.number); return }
            if let header = Patterns.part(text) {
                closeQuestion()
                if inTable { tablePart = header.part } else { part = header.part }
                // "Phần I: 1-A 2-B 3-C": a part's key table on its heading's line.
                if !header.rest.isEmpty, let entries = Patterns.tableEntries(header.rest, inTable: true) {
                    inTable = true
                    tablePart = header.part
                    for entry in entries { tableEntries.append((header.part, entry.number, entry.statement, entry.value, line.number)) }
                }
                return
            }
            if let table = Patterns.tableHeader(text) {
                closeQuestion()
                inTable = true
                tablePart = table.part
                if !table.rest.isEmpty {
                    guard let entries = Patterns.tableEntries(table.rest, inTable: true) else {
                        problems.append(BankProblem(place: context.place(line: line.number), "không đọc được dòng đáp án \"\(table.rest)\" / cannot read this key line"))
                        return
                    }
                    for entry in entries { tableEntries.append((tablePart, entry.number, entry.statement, entry.value, line.number)) }
                }
                return
            }
            if let entries = Patterns.tableEntries(text, inTable: inTable) {
                if current?.inExplanation != true || inTable {
                    for entry in entries { tableEntries.append((inTable ? tablePart : part, entry.number, entry.statement, entry.value, line.number)) }
                    return
                }
            }
            if inTable {
                if text.isEmpty { return }
                // "LỜI GIẢI" / "HƯỚNG DẪN GIẢI" after the table: the solutions section.
                if let rest = Patterns.explanationStart(text), rest.isEmpty || Patterns.questionStart(rest) != nil {
                    inSolutions = true
                    solutionPart = nil
                    if !rest.isEmpty { consumeSolution(rest, line: line.number) }
                    return
                }
                problems.append(BankProblem(place: context.place(line: line.number), "không đọc được dòng trong bảng đáp án: \"\(text.prefix(60))\" (dùng 1-A, 1.A, 1: A, Câu 1: A, 2a-Đ, 2-ĐĐSĐ) / cannot read this line of the key table"))
                return
            }
            if let start = Patterns.questionStart(text) {
                closeQuestion()
                current = Draft(number: start.number, part: part, line: line.number, level: start.level)
                if !start.rest.isEmpty { current?.stem.append(start.rest) }
                return
            }
            guard var draft = current else {
                // Text before the first question: titles, instructions. Not a question, but said.
                if !text.isEmpty { preamble.append(line.number) }
                return
            }
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

        /// A line of the solutions section: a part heading, the start of a question's solution, or its text.
        mutating func consumeSolution(_ text: String, line: Int) {
            if let header = Patterns.part(text), header.rest.isEmpty || Patterns.questionStart(header.rest) == nil {
                closeSolution()
                solutionPart = header.part
                return
            }
            if let start = Patterns.questionStart(text) {
                closeSolution()
                solution = SolutionTarget(part: solutionPart, number: start.number, line: line, text: start.rest.isEmpty ? [] : [start.rest])
                return
            }
            if solution == nil {
                if !text.isEmpty { problems.append(BankProblem(place: context.place(line: line), "lời giải chưa nói của câu nào (cần \"Câu 1. …\") / a solution line before any \"Câu N.\"")) }
                return
            }
            solution?.text.append(text)
        }

        mutating func closeSolution() {
            if let solution { solutions.append(solution) }
            solution = nil
        }

        mutating func finish(media: [MediaFile]) -> ImportedBank {
            closeQuestion()
            closeSolution()
            if let first = preamble.first, let last = preamble.last {
                let lines = first == last ? "dòng \(first)" : "dòng \(first)–\(last)"
                warnings.append(BankProblem(place: context.place(line: first), "\(lines) trước câu hỏi đầu tiên (tiêu đề, hướng dẫn) không được nhập / text before the first question (titles, instructions) is not imported"))
            }
            for solution in solutions {
                let candidates = drafts.indices.filter { drafts[$0].number == solution.number && (solution.part == nil || drafts[$0].part == solution.part) }
                guard let index = candidates.first else {
                    problems.append(BankProblem(place: context.place(line: solution.line), "lời giải của câu \(solution.number), không có câu này / a solution for question \(solution.number), which is not in the file"))
                    continue
                }
                let text = solution.text.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
                if !text.isEmpty { drafts[index].explanation = drafts[index].explanation.isEmpty ? [text] : drafts[index].explanation + ["", text] }
            }
            // Apply the key table: by part and number when the table names parts, else by number.
            for entry in tableEntries {
                let candidates = drafts.indices.filter { drafts[$0].number == entry.number && (entry.part == nil || drafts[$0].part == entry.part) }
                guard let index = candidates.first(where: { drafts[$0].key == nil && (entry.statement == nil || drafts[$0].statementKeys[entry.statement!] == nil) }) ?? candidates.first else {
                    problems.append(BankProblem(place: context.place(line: entry.line), "bảng đáp án nhắc câu \(entry.number) không có / the key table names question \(entry.number), which is not in the file"))
                    continue
                }
                // "2-ĐĐSĐ": the whole cluster's key at once.
                let marks = entry.value.filter { !$0.isWhitespace }
                if entry.statement == nil, !drafts[index].statements.isEmpty, marks.count == drafts[index].statements.count,
                   marks.allSatisfy({ Scoring.truth(String($0)) != nil }) {
                    for (offset, mark) in marks.enumerated() { drafts[index].statementKeys[offset] = Scoring.truth(String(mark)) }
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
                    FormatSupport.classify(&question, levelKnown: draft.level != nil || context.defaults.level != nil)
                    question.id = FormatSupport.stableID(prefix: prefix, question: question, taken: &taken)
                    questions.append(question)
                    places[question.id] = place
                }
            }
            return .assemble(subject: context.defaults.subject, questions: questions, problems: problems, skipped: skipped, places: places,
                             embedded: media, warnings: warnings, context: context)
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
                guard !correct.isEmpty else { return .failure(BuildProblem(message: "chưa có đáp án: đánh dấu * trước phương án đúng (trong Word: in đậm hoặc gạch chân), hoặc thêm bảng đáp án / no key: mark the right option with * (in Word: bold or underline) or add a key table")) }
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

        /// "Phần I", "PHẦN 2. TRẮC NGHIỆM", "I. TRẮC NGHIỆM…" → 1, 2, 1, with what follows the numeral
        /// ("Phần I: 1-A 2-B" → 1, "1-A 2-B").
        static func part(_ text: String) -> (part: Int, rest: String)? {
            let folded = TextFolding.fold(text)
            guard folded.hasPrefix("phan ") else {
                // A bare Roman numeral header must be followed by ". " and upper-case words.
                let token = text.prefix { $0 != "." && $0 != " " }
                guard let value = roman[String(token)], text.dropFirst(token.count).hasPrefix(". "),
                      text.dropFirst(token.count + 2).first?.isUppercase == true else { return nil }
                return (value, "")
            }
            let afterWord = text.dropFirst(5).drop(while: { $0 == " " })
            let token = afterWord.prefix { $0.isLetter || $0.isNumber }
            guard let value = roman[token.uppercased()] ?? Int(token) else { return nil }
            let rest = afterWord.dropFirst(token.count).drop(while: { $0 == " " || $0 == "." || $0 == ":" || $0 == "-" })
            return (value, String(rest).trimmingCharacters(in: .whitespaces))
        }

        /// "Đáp án", "BẢNG ĐÁP ÁN", "Đáp án phần II:", "Đáp án: 1-A 2-B" → the part it names and what follows.
        static func tableHeader(_ text: String) -> (part: Int?, rest: String)? {
            let folded = TextFolding.fold(text)
            for word in ["bang dap an", "dap an tham khao", "dap an", "answer key", "key"] where folded.hasPrefix(word) {
                var rest = text.dropFirst(word.count).drop(while: { $0 == " " })
                var part: Int?
                if TextFolding.fold(String(rest.prefix(5))) == "phan " {
                    let token = rest.dropFirst(5).drop(while: { $0 == " " }).prefix { $0.isLetter || $0.isNumber }
                    guard let value = roman[token.uppercased()] ?? Int(token) else { return nil }
                    part = value
                    rest = rest.dropFirst(5).drop(while: { $0 == " " }).dropFirst(token.count)
                }
                // "Đáp án" alone, or followed by ":" / "." and entries; "Đáp án: B" is a question's key line.
                guard rest.isEmpty || rest.first == ":" || rest.first == "." || rest.first == " " else { return nil }
                let after = rest.drop(while: { $0 == " " || $0 == "." || $0 == ":" }).trimmingCharacters(in: .whitespaces)
                if after.isEmpty { return (part, "") }
                guard let entries = tableEntries(after, inTable: true), entries.count >= 2 || part != nil else { return nil }
                return (part, after)
            }
            return nil
        }

        /// One line of a key table: "1-A 2.B 3:C", "1: C 2 - B", "Câu 1: C", "2a-Đ 2b-S", "2-ĐĐSĐ", "13-0,5",
        /// "14. -1,2". Every token must be an entry, or the line is prose (nil).
        static func tableEntries(_ text: String, inTable: Bool) -> [(number: Int, statement: Int?, value: String)]? {
            let characters = Array(text)
            var index = 0
            var entries: [(Int, Int?, String)] = []
            var namedQuestion = false
            func skip(_ set: String) { while index < characters.count, set.contains(characters[index]) { index += 1 } }
            while true {
                skip(" \t;|,")
                guard index < characters.count else { break }
                // An optional "Câu" before the number.
                if index + 3 <= characters.count, TextFolding.fold(String(characters[index..<index + 3])) == "cau" {
                    index += 3
                    namedQuestion = true
                    skip(" ")
                }
                let digitsStart = index
                while index < characters.count, characters[index].isASCIIDigit { index += 1 }
                guard index > digitsStart, let number = Int(String(characters[digitsStart..<index])) else { return nil }
                var statement: Int?
                if index < characters.count, characters[index].isASCII(in: "a"..."h"),
                   index + 1 == characters.count || !characters[index + 1].isLetter {
                    statement = Int(characters[index].asciiValue! - 97)
                    index += 1
                }
                skip(" ")
                guard index < characters.count, "-.:)".contains(characters[index]) else { return nil }
                index += 1
                skip(" ")
                let valueStart = index
                while index < characters.count, !" \t;|".contains(characters[index]) { index += 1 }
                var value = String(characters[valueStart..<index])
                // "1-A," in a list: the comma separates entries after a letter key.
                if value.count == 2, value.last == ",", value.first!.isUppercase { value.removeLast() }
                guard !value.isEmpty else { return nil }
                if statement == nil {
                    // A choice letter, letters of several choices ("AC"), Đ/S marks of a cluster, or a number.
                    let letters = value.allSatisfy { $0.isASCII(in: "A"..."H") } && value.count <= 8
                    let marks = value.count >= 2 && value.allSatisfy { "ĐđSsDd".contains($0) }
                    let isNumber: Bool = if case .value = NumericAnswer.normalise(value, boxRule: false) { true } else { false }
                    guard letters || marks || isNumber else { return nil }
                } else {
                    guard Scoring.truth(value) != nil else { return nil }
                }
                entries.append((number, statement, value))
            }
            guard !entries.isEmpty else { return nil }
            // A lone "1." or "2-3" could be prose; outside a table demand two entries unless the one entry is a
            // letter key without "Câu" (which would be a question's start).
            if !inTable, entries.count == 1, namedQuestion || entries[0].1 != nil || !(entries[0].2.count == 1 && entries[0].2.first!.isLetter) { return nil }
            return entries
        }

        /// A part heading run into the end of a line ("D. 4   PHẦN II. Câu trắc nghiệm đúng sai") becomes a
        /// line of its own, with the same number.
        static func splitAtHeading(_ line: SourceLine) -> [SourceLine] {
            let text = line.text
            for word in ["PHẦN ", "Phần "] {
                var searchFrom = text.startIndex
                while let range = text.range(of: word, range: searchFrom..<text.endIndex) {
                    searchFrom = range.upperBound
                    let before = text[..<range.lowerBound]
                    guard !before.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
                    let after = text[range.upperBound...]
                    let numeral = after.prefix { $0.isLetter || $0.isNumber }
                    guard ["I", "II", "III", "IV", "1", "2", "3", "4"].contains(String(numeral)) else { continue }
                    let next = after.dropFirst(numeral.count).first
                    guard next == nil || next == "." || next == ":" else { continue }
                    return [SourceLine(text: String(before), number: line.number), SourceLine(text: String(text[range.lowerBound...]), number: line.number)]
                }
            }
            return [line]
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

    /// In an ASCII range, as one scalar: "b" with a combining mark sorts between "a" and "h" but is no letter
    /// of a statement (found by fuzzing the Azota reader).
    func isASCII(in range: ClosedRange<Character>) -> Bool { isASCII && range.contains(self) }
}
