import ExamCore
import Foundation

/// Aiken: a question line, options `A.` or `A)`, then `ANSWER: B`; a blank line between questions.
/// Single choice only; subject, topic and level come from the command line (or `// khaothi:` comments).
public enum AikenFormat {
    public static func read(_ data: Data, context: ImportContext) throws -> ImportedBank {
        guard let text = String(data: data, encoding: .utf8) else {
            throw BankFormatError(.unreadable, place: context.fileName, "tệp không phải UTF-8 / file is not UTF-8 text")
        }
        var questions: [Question] = []
        var places: [String: String] = [:]
        var problems: [BankProblem] = []
        var skipped = 0
        var taken = Set<String>()
        let prefix = FormatSupport.idPrefix(context)

        var stemLines: [String] = []
        var options: [ChoiceOption] = []
        var startLine = 0
        var meta: FormatSupport.Meta?
        /// A problem was reported inside this question: it is left out as a whole.
        var broken = false
        /// The file holds more questions than allowed: reading stops.
        var tooMany = false

        func finish(answer: String?, line: Int) {
            defer { stemLines = []; options = []; meta = nil; broken = false }
            if questions.count + skipped >= ImportLimits.maximumQuestions { tooMany = true; return }
            guard !stemLines.isEmpty || !options.isEmpty else { return }
            let place = context.place(line: startLine)
            guard !broken else { skipped += 1; return }
            guard let answer else {
                problems.append(BankProblem(place: place, "thiếu dòng ANSWER: / no ANSWER: line"))
                skipped += 1
                return
            }
            guard options.count >= 2 else {
                problems.append(BankProblem(place: place, "cần ít nhất hai phương án A., B. / needs at least two options"))
                skipped += 1
                return
            }
            guard let index = Labels.optionIndex(answer, count: options.count) else {
                problems.append(BankProblem(place: context.place(line: line), "ANSWER: \(answer) không phải một phương án / not one of the options"))
                skipped += 1
                return
            }
            let stem = stemLines.joined(separator: "\n")
            var question = FormatSupport.blank(.singleChoice(SingleChoice(options: options, answer: options[index].id)), stem: stem, defaults: context.defaults)
            meta?.apply(to: &question, defaults: context.defaults)
            FormatSupport.classify(&question, levelKnown: meta?.values["level"] != nil || context.defaults.level != nil)
            if question.id.isEmpty { question.id = FormatSupport.stableID(prefix: prefix, question: question, taken: &taken) } else { taken.insert(question.id) }
            questions.append(question)
            places[question.id] = place
        }

        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        for (index, raw) in lines.enumerated() {
            if tooMany { throw ImportLimits.tooManyQuestions(context.fileName) }
            let line = raw.trimmingCharacters(in: .whitespaces)
            let number = index + 1
            if line.hasPrefix("//") {
                if let found = FormatSupport.Meta(comment: String(line.dropFirst(2))) { meta = found }
                continue
            }
            if line.isEmpty {
                if !stemLines.isEmpty && options.isEmpty { continue }  // a stem may run over blank lines before its options
                if !options.isEmpty {
                    problems.append(BankProblem(place: context.place(line: startLine), "thiếu dòng ANSWER: / no ANSWER: line"))
                    skipped += 1
                    stemLines = []; options = []; meta = nil
                }
                continue
            }
            if line.uppercased().hasPrefix("ANSWER:") {
                finish(answer: String(line.dropFirst("ANSWER:".count)).trimmingCharacters(in: .whitespaces), line: number)
                continue
            }
            if let marker = optionMarker(line), stemLines.count > 0 {
                guard marker.index == options.count else {
                    problems.append(BankProblem(place: context.place(line: number), "phương án \(Labels.option(marker.index)) không theo thứ tự / option out of order"))
                    broken = true
                    continue
                }
                guard marker.index < Labels.maximumOptions else {
                    problems.append(BankProblem(place: context.place(line: number), "quá \(Labels.maximumOptions) phương án (A–H) / more than \(Labels.maximumOptions) options (A–H)"))
                    broken = true
                    continue
                }
                options.append(ChoiceOption(id: Labels.statement(options.count), text: marker.text))
                continue
            }
            if stemLines.isEmpty { startLine = number }
            if !options.isEmpty, let last = options.indices.last {
                options[last].text += "\n" + line  // an option running over two lines
            } else {
                stemLines.append(line)
            }
        }
        if tooMany { throw ImportLimits.tooManyQuestions(context.fileName) }
        if !stemLines.isEmpty || !options.isEmpty {
            problems.append(BankProblem(place: context.place(line: startLine), "thiếu dòng ANSWER: / no ANSWER: line"))
            skipped += 1
        }
        return .assemble(subject: context.defaults.subject, questions: questions, problems: problems, skipped: skipped, places: places, context: context)
    }

    /// "B. text" or "B) text" → (1, "text").
    static func optionMarker(_ line: String) -> (index: Int, text: String)? {
        let scalars = Array(line.unicodeScalars)
        guard scalars.count >= 2, ("A"..."Z").contains(scalars[0]), scalars[1] == "." || scalars[1] == ")" else { return nil }
        let text = String(String.UnicodeScalarView(scalars[2...])).trimmingCharacters(in: .whitespaces)
        return (Int(scalars[0].value - 65), text)
    }
}
