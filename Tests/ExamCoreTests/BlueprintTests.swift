import Foundation
import Testing
@testable import ExamCore

@Suite("Blueprints and 2025 templates")
struct BlueprintTests {
    @Test("each 2025 template adds up to 10 points", arguments: ExamTemplate.allCases)
    func templateTotals(template: ExamTemplate) {
        #expect(template.parts.reduce(Points.zero) { $0 + $1.total } == 10)
    }

    @Test("template parts, counts and minutes", arguments: [
        (ExamTemplate.math2025, [12, 4, 6], 90),
        (.science2025, [18, 4, 6], 50),
        (.history2025, [24, 4], 50),
        (.english2025, [40], 50),
    ])
    func templateShape(template: ExamTemplate, counts: [Int], minutes: Int) {
        #expect(template.parts.map(\.count) == counts)
        #expect(template.minutes == minutes)
        #expect(template.parts.map(\.id) == Array(["I", "II", "III"].prefix(counts.count)))
    }

    @Test("subjects find their template", arguments: [
        ("Toán", ExamTemplate.math2025), ("Vật lí", .science2025), ("Vật lý", .science2025), ("Hóa học", .science2025),
        ("Sinh học", .science2025), ("Địa lí", .science2025), ("Lịch sử", .history2025), ("Tin học", .history2025),
        ("Công nghệ", .history2025), ("GDKT&PL", .history2025), ("Tiếng Anh", .english2025), ("tieng anh", .english2025),
    ])
    func subjects(subject: String, template: ExamTemplate) {
        #expect(ExamTemplate.forSubject(subject) == template)
    }

    @Test("levels map between the 4-level and 3-level scales")
    func levels() {
        #expect(Level.highApplication.on(.three) == .application)
        #expect(Level.recognition.name(on: .three) == "Biết")
        #expect(Level.recognition.name(on: .four) == "Nhận biết")
        #expect(Level(parsing: "Vận dụng cao") == .highApplication)
        #expect(Level(parsing: "VDC") == .highApplication)
        #expect(Level(parsing: "Thông hiểu") == .comprehension)
        #expect(Level(parsing: "hieu") == .comprehension)
        #expect(Level(parsing: "xyz") == nil)
    }

    @Test("the sample Toán blueprint is valid and follows its template")
    func sampleValid() throws {
        let blueprint = try Samples.blueprint()
        try blueprint.validate()
        #expect(blueprint.questionCount == 22)
        #expect(blueprint.totalPoints == 10)
    }

    @Test("a blueprint that misses 10 points, breaks its template and repeats cells lists every problem")
    func invalid() throws {
        var blueprint = try Samples.blueprint()
        blueprint.parts[0].rows[0].cells.append(BlueprintCell(level: .recognition, count: 1))
        blueprint.parts[2].rows[0].cells[0].points = Points(hundredths: 25)
        blueprint.parts[1].rows[0].cells.append(BlueprintCell(level: .highApplication, count: 0))
        let error = try #require(throws: ExamCoreError.self) { try blueprint.validate() }
        #expect(error.code == .invalidBlueprint)
        let text = error.problems.joined(separator: "\n")
        #expect(text.contains("tổng điểm là 9,75, cần 10"))
        #expect(text.contains("ô lặp lại"))
        #expect(text.contains("Phần I: có 13 câu, mẫu cần 12"))
        #expect(text.contains("Phần III"))
        #expect(text.contains("thang 3 mức"))
    }

    @Test("blueprint JSON: part points, level spellings, template minutes")
    func decoding() throws {
        let json = #"""
        {"name":"Kiểm tra giữa kỳ","subject":"Toán","levelScale":"three","template":"toan-2025","parts":[
          {"id":"I","points":0.25,"rows":[{"topic":"Hàm số","cells":[{"level":"Biết","count":12}]}]},
          {"id":"II","points":1,"rows":[{"topic":"Hàm số","cells":[{"level":"Hiểu","count":4}]}]},
          {"id":"III","points":"0,5","rows":[{"topic":"Hàm số","lesson":"Cực trị","cells":[{"level":"VD","count":6}]}]}]}
        """#
        let blueprint = try JSONDecoder().decode(Blueprint.self, from: Data(json.utf8))
        try blueprint.validate()
        #expect(blueprint.durationMinutes == 90)
        #expect(blueprint.parts[1].kinds == [.trueFalse])
        #expect(blueprint.parts[2].rows[0].cells[0].level == .application)
    }
}

/// The sample bank and blueprint shipped in QuestionBanks/samples.
enum Samples {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func bank() throws -> QuestionBank {
        try JSONDecoder().decode(QuestionBank.self, from: Data(contentsOf: root.appendingPathComponent("QuestionBanks/samples/toan12.json")))
    }

    static func blueprint() throws -> Blueprint {
        try JSONDecoder().decode(Blueprint.self, from: Data(contentsOf: root.appendingPathComponent("QuestionBanks/samples/toan12-blueprint.json")))
    }
}
