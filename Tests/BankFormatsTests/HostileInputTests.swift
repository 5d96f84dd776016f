@testable import BankFormats
import ExamCore
import Foundation
import Testing

/// What the readers say they refuse, they refuse: wherever a DOCTYPE hides and in whatever encoding, past
/// any size or count limit, and an empty file is an error.
@Suite("Importers refuse what they say they refuse")
struct HostileInputTests {
    static let doctype = "<!DOCTYPE quiz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>"
    static let moodle = "<quiz><question type=\"essay\"><name><text>Q</text></name><questiontext format=\"html\"><text>&lol2;</text></questiontext></question></quiz>"

    /// The same hostile document hidden three ways.
    static func disguises(_ body: String) -> [(String, Data)] {
        let plain = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + doctype + body
        var utf16 = Data([0xFF, 0xFE])
        utf16.append(plain.replacingOccurrences(of: "UTF-8", with: "UTF-16").data(using: .utf16LittleEndian)!)
        // A comment long enough to push the DOCTYPE past the first 4 KB, with a Vietnamese letter across byte 4096.
        let padding = String(repeating: "a", count: 4095 - 40) + "ế" + String(repeating: "b", count: 2000)
        let late = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- " + padding + " -->\n" + doctype + body
        return [("utf-16", utf16), ("after a long comment", Data(late.utf8)), ("plain", Data(plain.utf8))]
    }

    static func refused(_ work: () throws -> ImportedBank) -> BankFormatError.Code? {
        do { _ = try work(); return nil } catch let error as BankFormatError { return error.code } catch { return nil }
    }

    @Test("Moodle XML, a QTI item, a QTI package and a Word file: a DOCTYPE is refused as hostile however it is disguised")
    func doctypeAnywhere() throws {
        let context = ImportContext(fileName: "x.xml", defaults: QuestionDefaults(subject: "Toán", topic: "T", level: .recognition))
        for (how, data) in Self.disguises(Self.moodle) {
            #expect(Self.refused { try BankReaders.read(data, format: .moodlexml, context: context) } == .hostile, "Moodle XML, \(how)")
            #expect(Self.refused { try BankReaders.read(data, format: .qti, context: context) } == .hostile, "QTI item, \(how)")
            let package = try SafeZip.write([("imsmanifest.xml", Data("""
                <manifest><resources><resource identifier="r" type="imsqti_item_xmlv2p1" href="q.xml"><file href="q.xml"/></resource></resources></manifest>
                """.utf8)), ("q.xml", data)])
            #expect(Self.refused { try BankReaders.read(package, format: .qti, context: context) } == .hostile, "QTI package, \(how)")
            let word = try SafeZip.write([("word/document.xml", data)])
            #expect(Self.refused { try BankReaders.read(word, format: .docx, context: context) } == .hostile, "Word, \(how)")
        }
    }

    @Test("an entity XML does not define is kept in the text as written, never dropped")
    func unknownEntityKept() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <quiz><question type="essay"><name><text>Q</text></name><questiontext format="html"><text>Tổng &amp; hiệu &zzz; là &#7871; gì?</text></questiontext></question></quiz>
            """
        let read = try BankReaders.read(Data(xml.utf8), format: .moodlexml, context: ImportContext(fileName: "q.xml", defaults: QuestionDefaults(subject: "Toán", topic: "T", level: .recognition)))
        let stem = try #require(read.bank.questions.first?.stem)
        #expect(stem.contains("&zzz;") && stem.contains("Tổng & hiệu") && stem.contains("ế"))
    }

    @Test("a GIFT file past the question limit is refused early, with a clear message")
    func giftQuestionCap() throws {
        let one = "::Q:: 1 + 1 = ? {=2 ~3}\n\n"
        let text = String(repeating: one, count: ImportLimits.maximumQuestions + 1)
        let context = ImportContext(fileName: "nhieu.gift", defaults: QuestionDefaults(subject: "Toán", topic: "T", level: .recognition))
        do {
            _ = try BankReaders.read(Data(text.utf8), format: .gift, context: context)
            Issue.record("accepted")
        } catch let error as BankFormatError {
            #expect(error.code == .tooLarge && error.description.contains("100000"))
        }
    }

    @Test("one GIFT question of 5 MB is refused before it is read (memory stays bounded)")
    func giftQuestionSize() throws {
        let text = "::Q:: " + String(repeating: "rất dài ", count: 700_000) + " {=a ~b}\n"
        let context = ImportContext(fileName: "dai.gift", defaults: QuestionDefaults(subject: "Toán", topic: "T", level: .recognition))
        do {
            _ = try BankReaders.read(Data(text.utf8), format: .gift, context: context)
            Issue.record("accepted")
        } catch let error as BankFormatError {
            #expect(error.code == .tooLarge && error.place == "dai.gift:1")
        }
    }

    @Test("bytes over the size limit are refused in every format before reading", arguments: BankFormat.allCases)
    func sizeCap(_ format: BankFormat) {
        let data = Data(count: ImportLimits.maximumFileBytes + 1)
        #expect(Self.refused { try BankReaders.read(data, format: format, context: ImportContext(fileName: "lon")) } == .tooLarge)
    }

    @Test("an empty or comment-only file is \"no question found\"", arguments: [
        ("empty.gift", BankFormat.gift, ""), ("comments.gift", .gift, "// only a comment\n// and another\n"), ("blank.txt", .aiken, "\n\n"),
        ("azota.txt", .azota, "Đề kiểm tra\n"), ("empty.csv", .csv, "Nội dung,A,B,Đáp án\n"),
    ])
    func empty(_ name: String, _ format: BankFormat, _ text: String) {
        do {
            _ = try BankReaders.read(Data(text.utf8), format: format, context: ImportContext(fileName: name))
            Issue.record("accepted")
        } catch let error as BankFormatError {
            #expect(error.message.contains("no question found"))
        } catch {
            Issue.record("\(error)")
        }
    }
}

@Suite("Zip files that lie about themselves")
struct LyingZipTests {
    @Test("an entry whose local header lies past the end of the file is an error, not a crash (found by fuzzing)")
    func offsetPastTheEnd() throws {
        var zip = [UInt8](try SafeZip.write([("word/document.xml", Data("<w:document/>".utf8))]))
        // The central directory record ("PK\u{1}\u{2}") keeps the local header's offset at byte 42.
        let signature: [UInt8] = [0x50, 0x4B, 0x01, 0x02]
        let found = (0..<(zip.count - 4)).first { Array(zip[$0..<($0 + 4)]) == signature }
        let record = try #require(found)
        let offset: [UInt8] = [0x00, 0x00, 0xFF, 0x00]
        for index in 0..<4 { zip[record + 42 + index] = offset[index] }
        do {
            let opened = try SafeZip(data: Data(zip), place: "x.docx")
            #expect(try opened.data("word/document.xml") == nil, "an entry that cannot be found is not read")
        } catch let error as BankFormatError {
            #expect(error.code == .unreadable)
        }
        #expect(throws: BankFormatError.self) { try BankReaders.read(Data(zip), format: .docx, context: ImportContext(fileName: "x.docx")) }
    }
}
