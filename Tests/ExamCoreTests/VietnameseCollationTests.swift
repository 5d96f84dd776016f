import Testing
@testable import ExamCore

@Suite("Vietnamese collation")
struct VietnameseCollationTests {
    @Test("letters: a < ă < â < b … d < đ … o < ô < ơ … u < ư")
    func letters() {
        let words = ["Đạt", "Dũng", "Bình", "Ân", "Ăn", "An", "Ánh", "Ước", "Uyên", "Ơn", "Ông", "Oanh", "Yến", "Em", "Ê"]
        #expect(words.sorted(by: VietnameseCollation.precedes) == ["An", "Ánh", "Ăn", "Ân", "Bình", "Dũng", "Đạt", "Em", "Ê", "Oanh", "Ông", "Ơn", "Uyên", "Ước", "Yến"])
    }

    @Test("tones after letters: none < huyền < hỏi < ngã < sắc < nặng")
    func tones() {
        let words = ["mạ", "má", "mã", "mả", "mà", "ma"]
        #expect(words.sorted(by: VietnameseCollation.precedes) == ["ma", "mà", "mả", "mã", "má", "mạ"])
        #expect(VietnameseCollation.precedes("ma", "mac"), "letters decide before tones: mà < mac is false")
        #expect(!VietnameseCollation.precedes("mac", "mà"))
    }

    @Test("case, NFD input, digits")
    func details() {
        #expect(VietnameseCollation.precedes("an", "An"))
        #expect(!VietnameseCollation.precedes("An", "an"))
        #expect(!VietnameseCollation.precedes("A\u{306}n", "Ăn") && !VietnameseCollation.precedes("Ăn", "A\u{306}n"), "the same name in NFD and NFC")
        #expect(VietnameseCollation.precedes("12A1", "12A2"))
        #expect(VietnameseCollation.precedes("9", "a"))
    }

    @Test("class lists sort by given name, then family name")
    func names() {
        let names = ["Trần Văn Bình", "Nguyễn Thị An", "Lê Minh Đức", "Phạm Thu An", "Đỗ Hoàng Anh", "Nguyễn Văn Dũng"]
        #expect(VietnameseCollation.sortedNames(names) == ["Nguyễn Thị An", "Phạm Thu An", "Đỗ Hoàng Anh", "Trần Văn Bình", "Nguyễn Văn Dũng", "Lê Minh Đức"])
        #expect(VietnameseCollation.split(fullName: "Nguyễn Thị  Ánh") == ("Nguyễn Thị", "Ánh"))
    }
}
