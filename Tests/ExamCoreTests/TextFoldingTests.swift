import Testing
@testable import ExamCore

@Suite("Text folding for search and names")
struct TextFoldingTests {
    @Test("diacritics, đ, case and spaces fold away", arguments: [
        ("Hàm SỐ", "ham so"), ("Đạo hàm", "dao ham"), ("  Xác   suất\tcó điều kiện ", "xac suat co dieu kien"),
        ("Ha\u{300}m sô\u{301}", "ham so"), ("ỨNG DỤNG", "ung dung"), ("Nguyễn Thị Ánh", "nguyen thi anh"),
        ("abc-123", "abc-123"), ("", ""), ("Ωmega", "ωmega"), ("GDKT&PL", "gdkt&pl"),
    ])
    func fold(input: String, expected: String) {
        #expect(TextFolding.fold(input) == expected)
    }

    @Test("answers keep diacritics but fold case and spaces")
    func answers() {
        #expect(TextFolding.normaliseAnswer("  Hà   NỘI ") == "hà nội")
        #expect(TextFolding.normaliseAnswer("Ha\u{300} Nội") == "hà nội")
        #expect(TextFolding.normaliseAnswer("pH", caseSensitive: true) == "pH")
    }

    @Test("hexadecimal", arguments: [([UInt8](), ""), ([0x00, 0xff, 0x10, 0xab], "00ff10ab")])
    func hex(bytes: [UInt8], expected: String) {
        #expect(Hex.encode(bytes) == expected)
    }
}
