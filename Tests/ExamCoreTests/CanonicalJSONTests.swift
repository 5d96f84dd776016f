import ExamCore
import Foundation
import Testing

@Suite("ResponseValue.canonicalJSON")
struct CanonicalJSONTests {
    static let values: [ResponseValue] = [
        .text("B"), .text(""), .text("0,5"), .text("Hà Nội — “đúng”"), .text("a\"b\\c/d"), .text("tab\there\nnew\r\u{1}\u{1F}\u{7F}"),
        .text("😀 emoji"), .list([]), .list(["A", "C"]), .list(["x\"y"]), .map([:]), .map(["b": "S", "a": "Đ", "d": "S", "c": "Đ"]),
        .map(["10": "A", "2": "B", "1": "C"]), .malformed,
    ]

    @Test("the same text as JSONEncoder with sorted keys and unescaped slashes", arguments: values)
    func sameAsEncoder(_ value: ResponseValue) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(value.canonicalJSON == String(decoding: try encoder.encode(value), as: UTF8.self))
        if value != .malformed {
            #expect(try JSONDecoder().decode(ResponseValue.self, from: Data(value.canonicalJSON.utf8)) == value)
        }
    }
}
