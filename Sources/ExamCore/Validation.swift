import Foundation

extension Question {
    /// Everything wrong with this question, each problem saying what to fix (empty when it is fine).
    public func problems() -> [String] {
        var problems: [String] = []
        func add(_ vi: String, _ en: String) { problems.append("\(vi) / \(en)") }
        if id.trimmingCharacters(in: .whitespaces).isEmpty { add("thiếu mã câu hỏi", "id is empty") }
        if revision < 1 { add("phiên bản phải từ 1", "revision must be at least 1") }
        if subject.trimmingCharacters(in: .whitespaces).isEmpty { add("thiếu môn", "subject is empty") }
        if topic.trimmingCharacters(in: .whitespaces).isEmpty { add("thiếu chủ đề", "topic is empty") }
        if stem.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, kind != .cloze { add("thiếu nội dung câu hỏi", "stem is empty") }
        if points <= .zero { add("điểm phải dương", "points must be positive") }
        switch body {
        case let .singleChoice(body):
            problems += Self.optionProblems(body.options)
            if !body.options.contains(where: { $0.id == body.answer }) { add("đáp án \"\(body.answer)\" không phải một phương án", "answer \"\(body.answer)\" is not an option id") }
            if let credit = body.credit { problems += Self.creditProblems(credit, options: body.options) }
        case let .multipleResponse(body):
            problems += Self.optionProblems(body.options)
            if body.answers.isEmpty { add("chưa có đáp án", "no correct option") }
            for answer in body.answers where !body.options.contains(where: { $0.id == answer }) {
                add("đáp án \"\(answer)\" không phải một phương án", "answer \"\(answer)\" is not an option id")
            }
            if let credit = body.credit { problems += Self.creditProblems(credit, options: body.options) }
        case let .trueFalse(body):
            if body.statements.isEmpty || body.statements.count > 26 { add("cần 1–26 mệnh đề", "needs 1 to 26 statements") }
            if Set(body.statements.map(\.id)).count != body.statements.count { add("mã mệnh đề lặp lại", "statement ids repeat") }
            if let table = body.table {
                if table.count != body.statements.count + 1 {
                    add("bảng điểm cần \(body.statements.count + 1) mức (0…\(body.statements.count) ý đúng), có \(table.count)", "the table needs \(body.statements.count + 1) entries, has \(table.count)")
                } else if zip(table, table.dropFirst()).contains(where: { $0 > $1 }) || table.first! < .zero || table.last! <= .zero {
                    add("bảng điểm phải tăng dần từ 0 và mức cuối dương", "the table must not decrease and must end above zero")
                }
            } else if body.statements.count != 4 {
                add("câu có \(body.statements.count) mệnh đề cần bảng điểm riêng", "\(body.statements.count) statements need an explicit table")
            }
        case let .numeric(body):
            problems += Self.numericProblems(body)
        case let .shortText(body):
            problems += Self.textProblems(body)
        case let .matching(body):
            if body.premises.isEmpty || body.premises.count > 26 { add("cần 1–26 vế trái", "needs 1 to 26 premises") }
            if body.choices.isEmpty || body.choices.count > 26 { add("cần 1–26 vế phải", "needs 1 to 26 choices") }
            for premise in body.premises where body.pairs.filter({ $0.premise == premise.id }).count != 1 {
                add("vế \"\(premise.id)\" cần đúng một cặp", "premise \"\(premise.id)\" needs exactly one pair")
            }
            for pair in body.pairs where !body.choices.contains(where: { $0.id == pair.choice }) {
                add("cặp trỏ tới vế phải \"\(pair.choice)\" không có", "pair names unknown choice \"\(pair.choice)\"")
            }
        case let .ordering(body):
            if body.items.count < 2 || body.items.count > 26 { add("cần 2–26 mục", "needs 2 to 26 items") }
            if Set(body.items.map(\.id)).count != body.items.count { add("mã mục lặp lại", "item ids repeat") }
            if body.order.sorted() != body.items.map(\.id).sorted() { add("thứ tự đúng phải gồm mỗi mục đúng một lần", "the order must name every item once") }
        case let .cloze(body):
            if body.gaps.isEmpty { add("chưa có chỗ trống", "no gaps") }
            if Set(body.gaps.map(\.id)).count != body.gaps.count { add("mã chỗ trống lặp lại", "gap ids repeat") }
            for gap in body.gaps {
                if !body.text.contains("{{\(gap.id)}}") { add("văn bản thiếu {{\(gap.id)}}", "the text has no {{\(gap.id)}}") }
                if gap.weight < 1 { add("chỗ trống \(gap.id): trọng số phải từ 1", "gap \(gap.id): weight must be at least 1") }
                switch gap.answer {
                case let .choice(options, answer):
                    problems += Self.optionProblems(options).map { "chỗ trống \(gap.id): " + $0 }
                    if !options.contains(where: { $0.id == answer }) { add("chỗ trống \(gap.id): đáp án không phải một phương án", "gap \(gap.id): answer is not an option id") }
                case let .numeric(numeric): problems += Self.numericProblems(numeric).map { "chỗ trống \(gap.id): " + $0 }
                case let .text(text): problems += Self.textProblems(text).map { "chỗ trống \(gap.id): " + $0 }
                }
            }
        case .essay:
            break
        }
        return problems
    }

    static func optionProblems(_ options: [ChoiceOption]) -> [String] {
        var problems: [String] = []
        if options.count < 2 || options.count > 8 { problems.append("cần 2–8 phương án, có \(options.count) / needs 2 to 8 options, has \(options.count)") }
        if Set(options.map(\.id)).count != options.count { problems.append("mã phương án lặp lại / option ids repeat") }
        for option in options where option.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            problems.append("phương án \"\(option.id)\" trống / option \"\(option.id)\" is empty")
        }
        return problems
    }

    static func creditProblems(_ credit: OptionCredit, options: [ChoiceOption]) -> [String] {
        var problems: [String] = []
        for id in credit.values.keys.sorted() where !options.contains(where: { $0.id == id }) {
            problems.append("điểm từng phương án nói đến \"\(id)\", không phải một phương án / credit for \"\(id)\", which is not an option")
        }
        if let lower = credit.lowerBound, let upper = credit.upperBound, lower > upper {
            problems.append("cận dưới của điểm lớn hơn cận trên / the credit's lower bound is above its upper bound")
        }
        let best = credit.fraction(picked: options.map(\.id).filter { (credit.values[$0] ?? credit.otherwise) > 0 })
        if best <= 0 { problems.append("không phương án nào được điểm / no option earns credit") }
        return problems
    }

    static func numericProblems(_ body: NumericAnswer) -> [String] {
        var problems: [String] = []
        for accepted in [body.answer] + body.alternatives {
            switch NumericAnswer.normalise(accepted, boxRule: body.boxRule) {
            case .value: break
            case .empty: problems.append("đáp án số trống / numeric answer is empty")
            case let .invalid(reason): problems.append("đáp án \"\(accepted)\" không ghi được vào ô: \(reason) / key \"\(accepted)\" does not fit the boxes")
            }
        }
        if let tolerance = body.tolerance, tolerance < 0 { problems.append("sai số phải không âm / tolerance must not be negative") }
        return problems
    }

    static func textProblems(_ body: ShortText) -> [String] {
        var problems: [String] = []
        if body.answers.isEmpty && body.pattern == nil { problems.append("chưa có đáp án / no accepted answer") }
        if let pattern = body.pattern, (try? NSRegularExpression(pattern: pattern)) == nil {
            problems.append("mẫu \"\(pattern)\" không hợp lệ / pattern \"\(pattern)\" is not a valid regular expression")
        }
        return problems
    }
}

extension QuestionBank {
    /// Checks every question and the bank as a whole; throws `.invalidBank` listing every problem as
    /// "question id: problem".
    public func validate() throws {
        var problems: [String] = []
        var seen = Set<String>()
        let groupIDs = Set(groups.map(\.id))
        if groupIDs.count != groups.count { problems.append("mã nhóm câu hỏi lặp lại / group ids repeat") }
        for question in questions {
            if !seen.insert(question.id).inserted { problems.append("\(question.id): mã câu hỏi lặp lại / id appears twice") }
            if let group = question.groupID, !groupIDs.contains(group) {
                problems.append("\(question.id): nhóm \"\(group)\" không có / unknown group \"\(group)\"")
            }
            problems += question.problems().map { "\(question.id): \($0)" }
        }
        if !problems.isEmpty {
            throw ExamCoreError(.invalidBank, "Ngân hàng \"\(name)\" có \(problems.count) lỗi / bank \"\(name)\" has \(problems.count) problems", problems: problems)
        }
    }
}
