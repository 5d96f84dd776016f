import Foundation

/// The 2025 graduation-exam templates (DOMAIN.md §1): parts, counts, points and minutes per subject group.
public enum ExamTemplate: String, Codable, Sendable, CaseIterable {
    /// Toán: 12 × 0.25 + 4 × 1.0 + 6 × 0.5, 90 minutes.
    case math2025 = "toan-2025"
    /// Vật lí, Hóa học, Sinh học, Địa lí: 18 × 0.25 + 4 × 1.0 + 6 × 0.25, 50 minutes.
    case science2025 = "khoa-hoc-2025"
    /// Lịch sử, Tin học, Công nghệ, GDKT&PL: 24 × 0.25 + 4 × 1.0, 50 minutes.
    case history2025 = "lich-su-2025"
    /// Tiếng Anh (ngoại ngữ): 40 × 0.25, 50 minutes.
    case english2025 = "tieng-anh-2025"

    /// One part of a template.
    public struct Part: Hashable, Sendable {
        public let id: String
        public let kind: QuestionKind
        public let count: Int
        public let points: Points
        public var total: Points { points * count }
    }

    public var parts: [Part] {
        let quarter = Points(hundredths: 25)
        switch self {
        case .math2025:
            return [Part(id: "I", kind: .singleChoice, count: 12, points: quarter),
                    Part(id: "II", kind: .trueFalse, count: 4, points: 1),
                    Part(id: "III", kind: .numeric, count: 6, points: Points(hundredths: 50))]
        case .science2025:
            return [Part(id: "I", kind: .singleChoice, count: 18, points: quarter),
                    Part(id: "II", kind: .trueFalse, count: 4, points: 1),
                    Part(id: "III", kind: .numeric, count: 6, points: quarter)]
        case .history2025:
            return [Part(id: "I", kind: .singleChoice, count: 24, points: quarter),
                    Part(id: "II", kind: .trueFalse, count: 4, points: 1)]
        case .english2025:
            return [Part(id: "I", kind: .singleChoice, count: 40, points: quarter)]
        }
    }

    public var minutes: Int { self == .math2025 ? 90 : 50 }

    /// The template of a subject, by its Vietnamese name (with or without diacritics), or nil.
    public static func forSubject(_ subject: String) -> ExamTemplate? {
        switch TextFolding.fold(subject) {
        case "toan": .math2025
        case "vat li", "vat ly", "hoa hoc", "sinh hoc", "dia li", "dia ly": .science2025
        case "lich su", "tin hoc", "cong nghe", "gdkt&pl", "gdktpl", "giao duc kinh te va phap luat": .history2025
        case "tieng anh", "ngoai ngu", "english": .english2025
        default: nil
        }
    }

    /// What in `blueprint` differs from this template: parts, kinds, counts, points per question.
    public func problems(with blueprint: Blueprint) -> [String] {
        var problems: [String] = []
        let expected = parts
        if blueprint.parts.map(\.id) != expected.map(\.id) {
            problems.append("mẫu \(rawValue) cần các phần \(expected.map(\.id).joined(separator: ", ")) / template \(rawValue) needs parts \(expected.map(\.id).joined(separator: ", "))")
            return problems
        }
        for (part, want) in zip(blueprint.parts, expected) {
            if part.kinds != [want.kind] {
                problems.append("Phần \(part.id): mẫu cần dạng \(want.kind.rawValue) / template needs kind \(want.kind.rawValue)")
            }
            if part.questionCount != want.count {
                problems.append("Phần \(part.id): có \(part.questionCount) câu, mẫu cần \(want.count) / has \(part.questionCount) questions, template needs \(want.count)")
            }
            for row in part.rows {
                for cell in row.cells where cell.count > 0 && cell.points(in: part) != want.points {
                    problems.append("Phần \(part.id) / \(row.label) / \(cell.level.name(on: blueprint.levelScale)): \(cell.points(in: part).formatted(decimalMark: ",")) điểm mỗi câu, mẫu cần \(want.points.formatted(decimalMark: ",")) / points per question must be \(want.points)")
                }
            }
        }
        return problems
    }
}
