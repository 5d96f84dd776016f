import Foundation
import Testing
@testable import ExamCore

@Suite("Points: exact hundredths")
struct PointsTests {
    @Test("parsing decimal text", arguments: [
        ("0.25", 25), ("0,25", 25), ("1", 100), ("7.5", 750), ("7,50", 750), ("-1.5", -150), ("+3", 300),
        (" 2,1 ", 210), ("10.00", 1000), ("0.500", 50),
    ])
    func parses(text: String, hundredths: Int) {
        #expect(Points(parsing: text)?.hundredths == hundredths)
    }

    @Test("refusing what is not a two-decimal number", arguments: ["", "abc", "1.234", "1,2,3", ".5", "1.", "--1", "1e2", "0x10", "١",
                                                                   "0.2\u{350}", "5\u{350}", "0.5\u{301}0"])
    func refuses(text: String) {
        #expect(Points(parsing: text) == nil)
    }

    @Test("formatting", arguments: [(25, "0.25", "0,25"), (100, "1", "1"), (750, "7.5", "7,5"), (-5, "-0.05", "-0,05"), (1005, "10.05", "10,05")])
    func formats(hundredths: Int, dot: String, comma: String) {
        #expect(Points(hundredths: hundredths).formatted() == dot)
        #expect(Points(hundredths: hundredths).formatted(decimalMark: ",") == comma)
    }

    @Test("half-up division", arguments: [(5, 10, 1), (4, 10, 0), (15, 10, 2), (25, 10, 3), (-5, 10, -1), (-4, 10, 0), (1, 3, 0), (2, 3, 1), (0, 7, 0)])
    func halfUp(value: Int, divisor: Int, expected: Int) {
        #expect(Rounding.divideHalfUp(value, by: divisor) == expected)
    }

    @Test("scaling keeps hundredths exact and rounds half-up")
    func scaling() {
        #expect(Points(1).scaled(by: 1, over: 3) == Points(hundredths: 33))
        #expect(Points(1).scaled(by: 2, over: 3) == Points(hundredths: 67))
        #expect(Points(hundredths: 25).scaled(by: 60, over: 100) == Points(hundredths: 15))
        #expect(Points(hundredths: 10).scaled(by: 60, over: 100) == Points(hundredths: 6))
        #expect(Points(hundredths: 25).scaled(by: 1, over: 2) == Points(hundredths: 13))
    }

    @Test("JSON numbers and strings decode exactly; more than two decimals is refused")
    func codable() throws {
        let decoded = try JSONDecoder().decode([Points].self, from: Data(#"[0.1, 0.25, "0,5", 7, 0.29]"#.utf8))
        #expect(decoded.map(\.hundredths) == [10, 25, 50, 700, 29])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Points].self, from: Data("[0.125]".utf8)) }
        let encoded = String(decoding: try JSONEncoder().encode([Points(hundredths: 25), Points(hundredths: 10), Points(3)]), as: UTF8.self)
        #expect(encoded == "[0.25,0.1,3]")
    }

    @Test("adding many 0.1s stays exact (no binary drift)")
    func noDrift() {
        let total = (0..<1000).reduce(Points.zero) { sum, _ in sum + Points(hundredths: 10) }
        #expect(total == Points(100))
    }
}
