import Testing
@testable import ExamCore

@Suite("Thông tư 22 calculators")
struct ContinuousAssessmentTests {
    static func s(_ text: String) -> RecordedScore { RecordedScore(parsing: text)! }

    @Test("ĐĐGtx per semester from periods per year", arguments: [(1, 2), (35, 2), (36, 3), (70, 3), (71, 4), (105, 4), (140, 4)])
    func regularCount(periods: Int, count: Int) {
        #expect(ContinuousAssessment.regularScoreCount(periodsPerYear: periods) == count)
    }

    @Test("recording a test score: half-up to one decimal", arguments: [
        (725, 73), (724, 72), (775, 78), (1000, 100), (0, 0), (5, 1), (4, 0), (995, 100), (650, 65), (849, 85), (1050, nil), (-10, nil),
    ] as [(Int, Int?)])
    func record(hundredths: Int, tenths: Int?) {
        #expect(RecordedScore(recording: Points(hundredths: hundredths))?.tenths == tenths)
    }

    @Test("scores outside 0–10 or with two decimals are refused", arguments: ["10.1", "-1", "7.25", "abc", "", "11"])
    func refused(text: String) {
        #expect(RecordedScore(parsing: text) == nil)
    }

    @Test("ĐTBmhk = (ΣĐĐGtx + 2·ĐĐGgk + 3·ĐĐGck) / (n + 5), half-up to one decimal", arguments: [
        (["8", "7.5", "9"], "7", "8.5", "8"),          // 64 / 8 = 8
        (["8", "9"], "7", "8", "7.9"),                 // 55 / 7 = 7.857…
        (["7", "8"], "6", "7", "6.9"),                 // 48 / 7 = 6.857…
        (["6", "7", "8", "9"], "7", "6.5", "7.1"),     // 63.5 / 9 = 7.055…
        (["8", "8", "7.4"], "7", "7.4", "7.5"),        // 59.6 / 8 = 7.45 exactly → up
        (["6", "6", "6"], "7", "6", "6.3"),            // 50 / 8 = 6.25 exactly → up
        (["6", "7", "7.8"], "6", "6", "6.4"),          // 50.8 / 8 = 6.35 exactly → up
        (["8", "8", "8", "8", "8"], "7", "7.5", "7.7"), // 76.5 / 10 = 7.65 exactly → up
        (["7", "8", "8"], "8", "7", "7.5"),            // 60 / 8 = 7.5
        (["5", "6"], "6", "6.5", "6.1"),               // 42.5 / 7 = 6.071…
        (["9", "9", "9", "9"], "8.5", "8.5", "8.7"),   // 78.5 / 9 = 8.722…
        (["8", "7"], "6.5", "6.5", "6.8"),             // 47.5 / 7 = 6.785…
        (["10", "10"], "10", "10", "10"),
        (["0", "0"], "0", "0", "0"),
    ])
    func semester(regular: [String], midterm: String, final: String, expected: String) throws {
        let average = try ContinuousAssessment.semesterAverage(regular: regular.map(Self.s), midterm: Self.s(midterm), final: Self.s(final))
        #expect(average == Self.s(expected))
    }

    @Test("ĐTBmhk needs at least one regular score")
    func semesterNeedsRegular() {
        #expect(throws: ExamCoreError.self) { try ContinuousAssessment.semesterAverage(regular: [], midterm: Self.s("7"), final: Self.s("7")) }
    }

    @Test("ĐTBmcn = (HK I + 2·HK II) / 3, half-up", arguments: [
        ("7", "8", "7.7"), ("6.5", "7", "6.8"), ("8", "8", "8"), ("7.4", "7.3", "7.3"), ("5", "6.5", "6"), ("6.1", "6.2", "6.2"),
        ("10", "10", "10"), ("0", "0.1", "0.1"),
    ])
    func year(first: String, second: String, expected: String) {
        #expect(ContinuousAssessment.yearAverage(first: Self.s(first), second: Self.s(second)) == Self.s(expected))
    }

    static let comments: [String: CommentResult] = ["Giáo dục thể chất": .pass, "Nghệ thuật": .pass, "Hoạt động trải nghiệm": .pass, "Giáo dục địa phương": .pass]
    static let subjects = ["Toán", "Ngữ văn", "Tiếng Anh", "Lịch sử", "Vật lí", "Hóa học", "Sinh học", "Tin học"]

    static func scored(_ values: [String]) -> [String: RecordedScore] {
        Dictionary(uniqueKeysWithValues: zip(subjects, values.map(s)))
    }

    @Test("result level with the one-subject adjustment", arguments: [
        (["8", "8", "8", "8", "8", "8", "7", "6.5"], [], ResultLevel.excellent),
        (["8", "8", "8", "8", "8", "7.9", "7", "6.5"], [], .good),          // only 5 subjects ≥ 8
        (["8", "8", "8", "8", "8", "8", "7", "6"], [], .good),              // one below 6.5: one level only, no adjustment
        (["6.5", "6.5", "6.5", "6.5", "6.5", "6.5", "5", "5"], [], .good),
        (["6.5", "6.5", "6.5", "6.5", "6.5", "6.4", "5", "5"], [], .pass),  // only 5 subjects ≥ 6.5
        (["5", "5", "5", "5", "5", "5", "3.5", "3.5"], [], .pass),
        (["5", "5", "5", "5", "5", "4.9", "9", "9"], [], .pass),            // 7 subjects ≥ 5
        (["5", "5", "5", "5", "4.9", "4.9", "3.5", "9"], [], .fail),        // only 5 subjects ≥ 5
        (["5", "5", "5", "5", "5", "5", "5", "3.4"], [], .fail),            // Đạt-worthy, one below 3.5: one level only
        (["9", "9", "9", "9", "9", "9", "9", "3"], [], .pass),              // Tốt-worthy, one at 3.0: Chưa đạt → Đạt
        (["9", "9", "9", "9", "9", "9", "9", "4"], [], .good),              // Tốt-worthy, one at 4.0: Đạt → Khá
        (["7", "7", "7", "7", "7", "7", "7", "3"], [], .pass),              // Khá-worthy, one at 3.0: Chưa đạt → Đạt
        (["9", "9", "9", "9", "9", "9", "3", "3"], [], .fail),              // two subjects: no adjustment
        (["9", "9", "9", "9", "9", "9", "9", "9"], ["Nghệ thuật"], .good),  // Tốt-worthy, one comment CĐ: Đạt → Khá
        (["9", "9", "9", "9", "9", "9", "9", "9"], ["Nghệ thuật", "Giáo dục thể chất"], .fail),
        (["6", "6", "6", "6", "6", "6", "6", "6"], ["Nghệ thuật"], .pass),  // Đạt allows one CĐ
    ] as [([String], [String], ResultLevel)])
    func level(values: [String], failedComments: [String], expected: ResultLevel) {
        var comments = Self.comments
        for name in failedComments { comments[name] = .fail }
        #expect(ContinuousAssessment.resultLevel(scored: Self.scored(values), comments: comments) == expected)
    }

    @Test("levels are ordered Chưa đạt < Đạt < Khá < Tốt")
    func ordering() {
        #expect(ResultLevel.fail < .pass && ResultLevel.pass < .good && ResultLevel.good < .excellent)
    }
}
