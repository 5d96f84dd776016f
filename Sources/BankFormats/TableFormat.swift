import ExamCore
import Foundation

/// One question per row, as teachers keep banks in Excel: the column layout shared by CSV and XLSX.
///
/// | ID | Phần | Dạng | Môn | Lớp | Chủ đề | Bài | YCCĐ | Mức độ | Nội dung | A … H | Đáp án | Điểm | Lời giải | Thẻ |
///
/// Columns are found by their header (Vietnamese or English, any case, diacritics optional), so their order is
/// free and unused ones may be left out. For true/false rows the statements go in A–D (or a–d) and the key is
/// "ĐSĐS"; for choices the key is "B" or "A,C"; Phần III rows hold a number.
public enum TableFormat {
    /// The columns in the order the template and the exporters write them.
    public static let headers = ["ID", "Phần", "Dạng", "Môn", "Lớp", "Chủ đề", "Bài", "YCCĐ", "Mức độ", "Nội dung",
                                 "A", "B", "C", "D", "E", "F", "G", "H", "Đáp án", "Điểm", "Lời giải", "Thẻ"]

    enum Column: Hashable {
        case id, part, kind, subject, grade, topic, lesson, requirement, level, stem, option(Int), answer, points, explanation, tags
    }

    static func column(for header: String) -> Column? {
        let key = TextFolding.fold(header).replacingOccurrences(of: " ", with: "")
        switch key {
        case "id", "ma", "macau", "macauhoi": return .id
        case "phan", "part": return .part
        case "dang", "kind", "loai", "type": return .kind
        case "mon", "monhoc", "subject": return .subject
        case "lop", "khoi", "grade": return .grade
        case "chude", "topic", "noidungchude": return .topic
        case "bai", "baihoc", "lesson": return .lesson
        case "yccd", "yeucaucandat", "requirement": return .requirement
        case "mucdo", "level", "mucdonhanthuc": return .level
        case "noidung", "cauhoi", "stem", "question", "noidungcauhoi": return .stem
        case "dapan", "answer", "key", "dapandung": return .answer
        case "diem", "points", "score": return .points
        case "loigiai", "huongdangiai", "explanation", "solution": return .explanation
        case "the", "tags", "tag": return .tags
        default:
            if key.count == 1, let scalar = key.unicodeScalars.first, ("a"..."h").contains(Character(scalar)) {
                return .option(Int(scalar.value) - 97)
            }
            return nil
        }
    }

    /// A cell and its place ("Sheet1!C12" or "file.csv:12 (Chủ đề)").
    struct Cell {
        var value: String
        var place: String
    }

    /// Reads rows (first row = headers). `place(row, column)` names a cell for messages.
    static func read(rows: [[String]], rowNumbers: [Int], context: ImportContext, place: (Int, Int) -> String) -> ImportedBank {
        var problems: [BankProblem] = []
        guard let headerRow = rows.first else {
            return ImportedBank(bank: QuestionBank(name: context.defaults.bankName ?? (context.fileName as NSString).deletingPathExtension, questions: []),
                                problems: [BankProblem(place: context.fileName, "bảng trống / the sheet is empty")])
        }
        var columns: [Column: Int] = [:]
        for (index, header) in headerRow.enumerated() {
            let trimmed = header.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { continue }
            if let column = column(for: trimmed) { columns[column] = columns[column] ?? index }
        }
        if columns[.stem] == nil {
            problems.append(BankProblem(place: place(rowNumbers[0], 0), "thiếu cột \"Nội dung\" ở dòng tiêu đề / no \"Nội dung\" column in the header row"))
            return ImportedBank(bank: QuestionBank(name: context.defaults.bankName ?? (context.fileName as NSString).deletingPathExtension, questions: []), problems: problems)
        }
        var questions: [Question] = []
        var places: [String: String] = [:]
        var skipped = 0
        var taken = Set<String>()
        let prefix = FormatSupport.idPrefix(context)
        for (offset, row) in rows.enumerated().dropFirst() {
            let rowNumber = rowNumbers[offset]
            func value(_ column: Column) -> String? {
                guard let index = columns[column], index < row.count else { return nil }
                let text = row[index].trimmingCharacters(in: .whitespacesAndNewlines)
                return text.isEmpty ? nil : text.precomposedStringWithCanonicalMapping
            }
            func cellPlace(_ column: Column) -> String { place(rowNumber, columns[column] ?? 0) }
            if row.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            var rowProblems: [BankProblem] = []
            func problem(_ column: Column, _ message: String) { rowProblems.append(BankProblem(place: cellPlace(column), message)) }

            let options = (0..<8).compactMap { index in value(.option(index)).map { (index, $0) } }
            let answer = value(.answer)
            let kind = resolveKind(value(.kind), part: value(.part), options: options.map(\.1), answer: answer)
            guard let kind else {
                problem(value(.kind) != nil ? .kind : .part, "không rõ dạng câu hỏi; ghi Phần (I, II, III, TL) hoặc Dạng / cannot tell the kind: fill Phần or Dạng")
                problems += rowProblems; skipped += 1; continue
            }
            let stem = value(.stem) ?? ""
            var body: QuestionBody?
            switch kind {
            case .singleChoice, .multipleResponse:
                let choiceOptions = options.enumerated().map { ChoiceOption(id: Labels.statement($0.offset), text: $0.element.1) }
                if options.map(\.0) != Array(0..<options.count) { problem(.option(options.count), "các phương án phải liền nhau từ cột A / options must fill A, B, C… without gaps") }
                guard let answer else { problem(.answer, "thiếu đáp án / no key"); break }
                let labels = Scoring.splitLabels(answer)
                let indices = labels.compactMap { Labels.optionIndex($0, count: choiceOptions.count) }
                guard !labels.isEmpty, indices.count == labels.count else {
                    problem(.answer, "đáp án \"\(answer)\" không phải nhãn phương án A–\(Labels.option(max(0, choiceOptions.count - 1))) / key is not an option label")
                    break
                }
                if kind == .singleChoice && indices.count == 1 {
                    body = .singleChoice(SingleChoice(options: choiceOptions, answer: choiceOptions[indices[0]].id))
                } else {
                    body = .multipleResponse(MultipleResponse(options: choiceOptions, answers: indices.map { choiceOptions[$0].id }))
                }
            case .trueFalse:
                guard let answer else { problem(.answer, "thiếu đáp án Đ/S, ví dụ ĐSĐS / no key such as ĐSĐS"); break }
                let marks = answer.filter { !$0.isWhitespace && $0 != "," && $0 != "-" && $0 != ";" }.map { Scoring.truth(String($0)) }
                guard marks.count == options.count, marks.allSatisfy({ $0 != nil }) else {
                    problem(.answer, "đáp án \"\(answer)\" cần \(options.count) dấu Đ/S cho \(options.count) mệnh đề / key needs one Đ or S per statement")
                    break
                }
                let statements = options.enumerated().map { Statement(id: Labels.statement($0.offset), text: $0.element.1, isTrue: marks[$0.offset]!) }
                body = .trueFalse(TrueFalseCluster(statements: statements, table: statements.count == 4 ? nil : AzotaFormat.Parser.table(for: statements.count)))
            case .numeric:
                guard let answer else { problem(.answer, "thiếu đáp án số / no numeric key"); break }
                let boxRule: Bool = if case .value = NumericAnswer.normalise(answer, boxRule: true) { true } else { false }
                body = .numeric(NumericAnswer(answer: answer, boxRule: boxRule))
            case .shortText:
                guard let answer else { problem(.answer, "thiếu đáp án / no key"); break }
                body = .shortText(ShortText(answers: answer.components(separatedBy: "|").map { $0.trimmingCharacters(in: .whitespaces) }))
            case .essay:
                body = .essay(Essay(rubric: answer))
            case .matching, .ordering, .cloze:
                problem(.kind, "dạng \(kind.rawValue) không ghi được trong bảng; dùng định dạng YAML / \(kind.rawValue) does not fit a table: use the YAML format")
            }
            var question = FormatSupport.blank(body ?? .essay(Essay()), stem: stem, defaults: context.defaults)
            if let subject = value(.subject) { question.subject = subject }
            if let gradeText = value(.grade) {
                if let grade = Int(gradeText.filter(\.isNumber)), (1...12).contains(grade) { question.grade = grade } else { problem(.grade, "lớp \"\(gradeText)\" không hợp lệ / grade must be 1–12") }
            }
            if let topic = value(.topic) { question.topic = topic }
            if let lesson = value(.lesson) { question.lesson = lesson }
            question.requirement = value(.requirement)
            if let levelText = value(.level) {
                if let level = Level(parsing: levelText) ?? Level(rawValue: levelText) { question.level = level } else { problem(.level, "mức độ \"\(levelText)\" không có; dùng Nhận biết, Thông hiểu, Vận dụng, Vận dụng cao / unknown level") }
            }
            if let pointsText = value(.points) {
                if let points = Points(parsing: normaliseNumber(pointsText)) { question.points = points } else { problem(.points, "điểm \"\(pointsText)\" không hợp lệ / points must be a number with at most two decimals") }
            } else if kind == .numeric, ExamTemplate.forSubject(question.subject) == .math2025 {
                question.points = Points(hundredths: 50)
            }
            question.explanation = value(.explanation)
            question.tags = value(.tags)?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } ?? []
            FormatSupport.classify(&question, levelKnown: value(.level) != nil || context.defaults.level != nil)
            if stem.isEmpty { problem(.stem, "thiếu nội dung câu hỏi / no question text") }
            if let id = value(.id) {
                if taken.contains(id) { problem(.id, "mã \"\(id)\" lặp lại / id repeats") }
                question.id = id
                taken.insert(id)
            } else {
                question.id = FormatSupport.stableID(prefix: prefix, question: question, taken: &taken)
            }
            guard rowProblems.isEmpty, body != nil else {
                problems += rowProblems.map { BankProblem(place: $0.place, questionID: question.id, $0.message) }
                skipped += 1
                continue
            }
            questions.append(question)
            places[question.id] = place(rowNumber, columns[.stem] ?? 0)
        }
        return .assemble(subject: context.defaults.subject, questions: questions, problems: problems, skipped: skipped, places: places, context: context)
    }

    /// Excel keeps 0.3 as "0.29999999999999999": round numbers to ten decimals before reading them.
    static func normaliseNumber(_ text: String) -> String {
        guard text.count > 8, text.contains("."), let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else { return text }
        var copy = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &copy, 10, .plain)
        return rounded.description
    }

    static func resolveKind(_ kindText: String?, part: String?, options: [String], answer: String?) -> QuestionKind? {
        if let kindText {
            if let kind = QuestionKind(rawValue: kindText) { return kind }
            switch TextFolding.fold(kindText) {
            case "trac nghiem", "nhieu lua chon", "tn", "mc": return .singleChoice
            case "chon nhieu", "nhieu dap an": return .multipleResponse
            case "dung sai", "dung/sai", "ds", "tf": return .trueFalse
            case "tra loi ngan", "tln", "so": return .numeric
            case "dien tu", "tu": return .shortText
            case "tu luan", "tl": return .essay
            default: return nil
            }
        }
        if let part {
            switch TextFolding.fold(part).replacingOccurrences(of: "phan ", with: "") {
            case "i", "1": return (answer.map { Scoring.splitLabels($0).count > 1 } ?? false) ? .multipleResponse : .singleChoice
            case "ii", "2": return .trueFalse
            case "iii", "3": return .numeric
            case "tl", "iv", "4", "tu luan": return .essay
            default: return nil
            }
        }
        if let answer {
            if !options.isEmpty {
                let marks = answer.filter { !$0.isWhitespace && $0 != "," }
                if marks.count == options.count, marks.allSatisfy({ "ĐđSsDd".contains($0) }), marks.contains(where: { "Ss".contains($0) }) || marks.contains("Đ") { return .trueFalse }
                return Scoring.splitLabels(answer).count > 1 ? .multipleResponse : .singleChoice
            }
            if case .value = NumericAnswer.normalise(answer, boxRule: false) { return .numeric }
            return .shortText
        }
        return options.isEmpty ? .essay : nil
    }

    /// The rows of a bank (header first). Matching, ordering and cloze do not fit and are named in `skipped`.
    public static func rows(_ bank: QuestionBank) -> (rows: [[String]], skipped: [String]) {
        var rows = [headers]
        var skipped: [String] = []
        for question in bank.questions {
            var row = Array(repeating: "", count: headers.count)
            func set(_ header: String, _ value: String?) { if let value, let index = headers.firstIndex(of: header) { row[index] = value } }
            set("ID", question.id)
            set("Môn", question.subject)
            set("Lớp", question.grade.map(String.init))
            set("Chủ đề", question.topic)
            set("Bài", question.lesson)
            set("YCCĐ", question.requirement)
            set("Mức độ", question.level.name())
            set("Nội dung", question.stem)
            set("Điểm", question.points.formatted(decimalMark: ","))
            set("Lời giải", question.explanation)
            set("Thẻ", question.tags.isEmpty ? nil : question.tags.joined(separator: ", "))
            set("Dạng", question.kind.rawValue)
            switch question.body {
            case let .singleChoice(body):
                // A spreadsheet row has no room for credit per option: named and left out rather than simplified.
                guard body.options.count <= 8, body.credit == nil else { skipped.append(question.id); continue }
                set("Phần", "I")
                for (index, option) in body.options.enumerated() { set(Labels.option(index), option.text) }
                set("Đáp án", question.keyText)
            case let .multipleResponse(body):
                guard body.credit == nil else { skipped.append(question.id); continue }
                for (index, option) in body.options.enumerated() { set(Labels.option(index), option.text) }
                set("Đáp án", question.keyText)
            case let .trueFalse(body):
                guard body.statements.count <= 8 else { skipped.append(question.id); continue }
                set("Phần", "II")
                for (index, statement) in body.statements.enumerated() { set(Labels.option(index), statement.text) }
                set("Đáp án", question.keyText)
            case let .numeric(body):
                set("Phần", "III")
                set("Đáp án", body.answer)
            case let .shortText(body):
                guard body.pattern == nil, !body.caseSensitive else { skipped.append(question.id); continue }
                set("Đáp án", body.answers.joined(separator: " | "))
            case let .essay(body):
                set("Phần", "TL")
                set("Đáp án", body.rubric)
            case .matching, .ordering, .cloze:
                skipped.append(question.id)
                continue
            }
            rows.append(row)
        }
        return (rows, skipped)
    }

    /// A template: the header and one example row per common kind.
    public static func templateRows() -> [[String]] {
        let examples: [[String: String]] = [
            ["ID": "toan12-001", "Phần": "I", "Môn": "Toán", "Lớp": "12", "Chủ đề": "Ứng dụng đạo hàm", "Bài": "Cực trị của hàm số",
             "YCCĐ": "Nhận biết điểm cực trị từ bảng biến thiên", "Mức độ": "Nhận biết", "Nội dung": "Hàm số $y = x^3 - 3x$ có bao nhiêu điểm cực trị?",
             "A": "0", "B": "1", "C": "2", "D": "3", "Đáp án": "C", "Điểm": "0,25", "Lời giải": "$y' = 3x^2 - 3$ có hai nghiệm đơn."],
            ["ID": "toan12-002", "Phần": "II", "Môn": "Toán", "Lớp": "12", "Chủ đề": "Ứng dụng đạo hàm", "Mức độ": "Thông hiểu",
             "Nội dung": "Cho hàm số $f(x) = x^2 - 2x$.", "A": "$f'(x) = 2x - 2$", "B": "$f$ đồng biến trên $(-\\infty; 1)$",
             "C": "$\\min f = -1$", "D": "Đồ thị cắt trục hoành tại ba điểm", "Đáp án": "ĐSĐS", "Điểm": "1"],
            ["ID": "toan12-003", "Phần": "III", "Môn": "Toán", "Lớp": "12", "Chủ đề": "Nguyên hàm và tích phân", "Mức độ": "Vận dụng",
             "Nội dung": "Tính $\\int_0^2 3x^2\\,dx$.", "Đáp án": "8", "Điểm": "0,5"],
        ]
        return [headers] + examples.map { example in headers.map { example[$0] ?? "" } }
    }
}
