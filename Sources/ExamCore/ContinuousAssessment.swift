import Foundation

/// A score as it is recorded in a student's record under Thông tư 22: 0–10, an integer or one decimal.
/// Kept as tenths: 7.3 is 73.
public struct RecordedScore: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public let tenths: Int

    /// nil outside 0–10.
    public init?(tenths: Int) {
        guard (0...100).contains(tenths) else { return nil }
        self.tenths = tenths
    }

    /// Reads "7", "7.3", "7,3", "10"; nil for more than one decimal or outside 0–10.
    public init?(parsing text: String) {
        guard let hundredths = Points.parseHundredths(text), hundredths % 10 == 0 else { return nil }
        self.init(tenths: hundredths / 10)
    }

    /// Records a test score: half-up to one decimal (7.25 → 7.3, 7.24 → 7.2). nil outside 0–10.
    public init?(recording score: Points) {
        self.init(tenths: Rounding.divideHalfUp(score.hundredths, by: 10))
    }

    public var points: Points { Points(hundredths: tenths * 10) }

    /// "7.3", "8", "10" ("7,3" with a comma mark).
    public func formatted(decimalMark: Character = ".") -> String {
        tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10)\(decimalMark)\(tenths % 10)"
    }

    public var description: String { formatted() }
    public static func < (lhs: RecordedScore, rhs: RecordedScore) -> Bool { lhs.tenths < rhs.tenths }

    public init(from decoder: Decoder) throws {
        let points = try Points(from: decoder)
        guard points.hundredths % 10 == 0, let score = RecordedScore(tenths: points.hundredths / 10) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(points) is not a score of 0–10 with at most one decimal"))
        }
        self = score
    }

    public func encode(to encoder: Encoder) throws { try points.encode(to: encoder) }
}

/// Đạt / Chưa đạt for a comment-only subject.
public enum CommentResult: String, Codable, Sendable {
    case pass = "Đ"
    case fail = "CĐ"

    /// Reads "Đ", "Đạt", "D", "CĐ", "Chưa đạt", "CD".
    public init?(parsing text: String) {
        switch TextFolding.fold(text) {
        case "d", "dat", "pass": self = .pass
        case "cd", "chua dat", "fail": self = .fail
        default: return nil
        }
    }
}

/// Kết quả học tập: the result level of a semester or a year.
public enum ResultLevel: String, Codable, Sendable, CaseIterable, Comparable {
    case excellent = "Tốt"
    case good = "Khá"
    case pass = "Đạt"
    case fail = "Chưa đạt"

    private var rank: Int { ResultLevel.allCases.count - 1 - ResultLevel.allCases.firstIndex(of: self)! }
    /// Ordered from Chưa đạt (lowest) to Tốt.
    public static func < (lhs: ResultLevel, rhs: ResultLevel) -> Bool { lhs.rank < rhs.rank }

    var raised: ResultLevel { ResultLevel.allCases.first { $0.rank == rank + 1 } ?? self }
}

/// The calculators of Thông tư 22/2021/TT-BGDĐT (DOMAIN.md §2). Exact: integer tenths, half-up.
public enum ContinuousAssessment {
    /// Số ĐĐGtx per semester from the periods per year: up to 35 → 2; up to 70 → 3; more → 4.
    public static func regularScoreCount(periodsPerYear: Int) -> Int {
        periodsPerYear <= 35 ? 2 : (periodsPerYear <= 70 ? 3 : 4)
    }

    /// ĐTBmhk = (ΣĐĐGtx + 2·ĐĐGgk + 3·ĐĐGck) / (number of ĐĐGtx + 5), half-up to one decimal.
    /// Throws `.invalidRequest` when there is no regular score.
    public static func semesterAverage(regular: [RecordedScore], midterm: RecordedScore, final: RecordedScore) throws -> RecordedScore {
        guard !regular.isEmpty else {
            throw ExamCoreError(.invalidRequest, "Cần ít nhất một ĐĐGtx / at least one regular score (ĐĐGtx) is needed")
        }
        let sum = regular.reduce(0) { $0 + $1.tenths } + 2 * midterm.tenths + 3 * final.tenths
        return RecordedScore(tenths: Rounding.divideHalfUp(sum, by: regular.count + 5))!
    }

    /// ĐTBmcn = (ĐTBmhkI + 2·ĐTBmhkII) / 3, half-up to one decimal.
    public static func yearAverage(first: RecordedScore, second: RecordedScore) -> RecordedScore {
        RecordedScore(tenths: Rounding.divideHalfUp(first.tenths + 2 * second.tenths, by: 3))!
    }

    /// The result level from the averages of the scored subjects and the results of the comment subjects,
    /// with the one-subject adjustment: if a single subject pulls the level two or more levels below what
    /// the other subjects give, the level is raised by one.
    public static func resultLevel(scored: [String: RecordedScore], comments: [String: CommentResult]) -> ResultLevel {
        let level = baseLevel(scored: Array(scored.values), comments: Array(comments.values))
        var withoutOne: [ResultLevel] = []
        for subject in scored.keys {
            withoutOne.append(baseLevel(scored: scored.filter { $0.key != subject }.map(\.value), comments: Array(comments.values)))
        }
        for subject in comments.keys {
            withoutOne.append(baseLevel(scored: Array(scored.values), comments: comments.filter { $0.key != subject }.map(\.value)))
        }
        let twoAbove = level.raised.raised
        if twoAbove != level.raised, withoutOne.contains(where: { $0 >= twoAbove }) { return level.raised }
        return level
    }

    /// The four rules of DOMAIN.md §2, without the adjustment.
    public static func baseLevel(scored: [RecordedScore], comments: [CommentResult]) -> ResultLevel {
        let allPass = comments.allSatisfy { $0 == .pass }
        let failedComments = comments.filter { $0 == .fail }.count
        func atLeast(_ tenths: Int) -> Int { scored.filter { $0.tenths >= tenths }.count }
        let lowest = scored.map(\.tenths).min() ?? 100
        if allPass, lowest >= 65, atLeast(80) >= 6 { return .excellent }
        if allPass, lowest >= 50, atLeast(65) >= 6 { return .good }
        if failedComments <= 1, atLeast(50) >= 6, lowest >= 35 { return .pass }
        return .fail
    }
}
