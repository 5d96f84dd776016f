/// A made-up bank and a matching 40-item blueprint, for benchmarks, load tests and property tests:
/// Phần I 30 single-choice × 0.2 (10 topics × 3 levels), Phần II 5 true/false × 0.6, Phần III 5 numeric × 0.2.
/// Every cell gets `multiplier` times the questions it needs, so 500 gives a 20,000-question bank.
public enum SyntheticBank {
    public static let topics = (1...10).map { "Chủ đề \($0)" }

    public static func blueprint() -> Blueprint {
        let levels: [Level] = [.recognition, .comprehension, .application]
        return Blueprint(
            name: "Tổng hợp 40 câu", subject: "Toán", grade: 12, levelScale: .four, durationMinutes: 60,
            parts: [
                BlueprintPart(id: "I", points: Points(hundredths: 20), rows: topics.map { topic in
                    BlueprintRow(topic: topic, cells: levels.map { BlueprintCell(level: $0, count: 1) })
                }),
                BlueprintPart(id: "II", points: Points(hundredths: 60), rows: topics.prefix(5).map { topic in
                    BlueprintRow(topic: topic, cells: [BlueprintCell(level: .comprehension, count: 1)])
                }),
                BlueprintPart(id: "III", points: Points(hundredths: 20), rows: topics.suffix(5).map { topic in
                    BlueprintRow(topic: topic, cells: [BlueprintCell(level: .application, count: 1)])
                }),
            ])
    }

    /// The bank: for every cell of `blueprint()`, `multiplier` questions of its kind, topic and level.
    public static func bank(multiplier: Int) -> QuestionBank {
        var questions: [Question] = []
        let blueprint = blueprint()
        for part in blueprint.parts {
            for row in part.rows {
                for cell in row.cells {
                    for n in 0..<(cell.count * multiplier) {
                        let id = "syn-\(part.id)-\(row.topic.split(separator: " ").last!)-\(cell.level.rawValue)-\(n)"
                        questions.append(question(id: id, kind: part.kinds[0], topic: row.topic, level: cell.level, n: n))
                    }
                }
            }
        }
        return QuestionBank(name: "Ngân hàng tổng hợp", subject: "Toán", questions: questions)
    }

    static func question(id: String, kind: QuestionKind, topic: String, level: Level, n: Int) -> Question {
        let body: QuestionBody
        switch kind {
        case .trueFalse:
            body = .trueFalse(TrueFalseCluster(statements: (0..<4).map { i in
                Statement(id: "s\(i)", text: "Mệnh đề \(i + 1) của câu \(n)", isTrue: (n + i) % 3 != 0)
            }))
        case .numeric:
            body = .numeric(NumericAnswer(answer: String(n % 1000)))
        default:
            body = .singleChoice(SingleChoice(
                options: (0..<4).map { ChoiceOption(id: "o\($0)", text: "Phương án \($0 + 1): $x = \(n + $0)$") },
                answer: "o\(n % 4)"))
        }
        return Question(id: id, subject: "Toán", grade: 12, topic: topic, level: level, points: kind.defaultPoints,
                        stem: "Câu hỏi \(n) (\(level.rawValue)) về \(topic.lowercased()): tính giá trị của $f(\(n))$.", body: body)
    }
}
