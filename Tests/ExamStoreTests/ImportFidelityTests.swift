@testable import BankFormats
import PostgresTesting
import Crypto
import ExamCore
import Foundation
import GRDB
import Testing
@testable import ExamStore

/// What Moodle and QTI files really hold comes through whole: HTML's named characters, images named as
/// authors name them, and the partial credit an item defines — or a clear refusal, never a silent change.
@Suite("Import fidelity: Moodle XML and QTI")
struct ImportFidelityTests {
    /// A small PNG-like payload (the bytes are what matter: stored once, by SHA-256).
    static let picture = Data((0..<300).map { UInt8($0 % 251) })
    static var pictureSHA: String { SHA256.hash(data: picture).map { String(format: "%02x", $0) }.joined() }
    static let defaults = QuestionDefaults(subject: "Toán", topic: "Hình học", level: .recognition)

    static let moodle = """
        <?xml version="1.0" encoding="UTF-8"?>
        <quiz>
          <question type="category"><category><text>$course$/Toán/Hình học</text></category></question>
          <question type="multichoice">
            <name><text>mq1</text></name>
            <questiontext format="html">
              <text><![CDATA[<p>Gi&aacute; tr&#7883; c&ugrave;a &pi; &asymp; 3,14&hellip; Nh&igrave;n h&igrave;nh:</p><p><img src="@@PLUGINFILE@@/h%C3%ACnh%202.png" alt="Hình 2"></p><p>&zzz; đâu?</p>]]></text>
              <file name="hình 2.png" path="/" encoding="base64">\(picture.base64EncodedString())</file>
            </questiontext>
            <single>true</single>
            <answer fraction="100"><text>3,14</text></answer>
            <answer fraction="50"><text>&radic;10</text></answer>
            <answer fraction="0"><text>3</text></answer>
          </question>
          <question type="multichoice">
            <name><text>mq2</text></name>
            <questiontext format="html"><text><![CDATA[<p>Hình: <img src="@@PLUGINFILE@@/không có.png"></p>]]></text></questiontext>
            <answer fraction="100"><text>a</text></answer><answer fraction="0"><text>b</text></answer>
          </question>
        </quiz>
        """

    static func moodleRead() throws -> ImportedBank {
        try BankReaders.read(Data(moodle.utf8), format: .moodlexml, context: ImportContext(fileName: "moodle.xml", defaults: defaults))
    }

    @Test("Moodle XML: named characters decoded, an unknown one kept and warned about with its line, the image named with a space found however it is written, a missing one an error with its line")
    func moodleText() throws {
        let read = try Self.moodleRead()
        let question = try #require(read.bank.questions.first { $0.id == "mq1" })
        #expect(question.stem.contains("Giá trị cùa π ≈ 3,14…"))
        #expect(question.stem.contains("![Hình 2](<hình 2.png>)"))
        #expect(question.stem.contains("&zzz; đâu?"), "an unknown reference stays as written")
        #expect(read.warnings.contains { $0.message.contains("&zzz;") && $0.place == "moodle.xml:4" })
        #expect(read.media.map(\.name) == ["hình 2.png"] && read.media[0].sha256 == Self.pictureSHA)
        #expect(read.problems.contains { $0.message.contains("không có.png") && $0.place.hasPrefix("moodle.xml:") && $0.questionID == "mq2" })
        guard case let .singleChoice(choice) = question.body else { Issue.record("not single choice"); return }
        #expect(choice.options[1].text == "√10")
        // Moodle's 50 % for the near-right option is kept: it earns half the points.
        #expect(Scoring.score(question, points: question.points, response: .text("B")).awarded == question.points.scaled(by: Decimal(string: "0.5")!), "half, rounded half-up")
        #expect(Scoring.score(question, points: question.points, response: .text("A")).awarded == question.points)
    }

    @Test("Moodle XML into the database: the text as read, the image stored once by its SHA-256 under the name the text uses")
    func moodleStored() throws {
        var read = try Self.moodleRead()
        read.bank.questions.removeAll { $0.id == "mq2" }
        read.problems.removeAll { $0.questionID == "mq2" }
        let db = try TestEngine.database()
        _ = try db.importBank(read, bankName: "Moodle")
        let stored = try db.question(id: "mq1", bank: "Moodle")
        #expect(stored.question.stem.contains("π ≈ 3,14…"))
        #expect(stored.media == ["hình 2.png": Self.pictureSHA])
        #expect(try db.mediaFile(sha256: Self.pictureSHA)?.data == Self.picture)
    }

    static func qtiPackage(processing: String = #"<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response"/>"#) throws -> Data {
        let item = """
            <?xml version="1.0" encoding="UTF-8"?>
            <assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="q-map" title="Map" adaptive="false" timeDependent="false">
              <responseDeclaration identifier="RESPONSE" cardinality="multiple" baseType="identifier">
                <correctResponse><value>A</value><value>C</value></correctResponse>
                <mapping lowerBound="0" upperBound="2" defaultValue="-0.5">
                  <mapEntry mapKey="A" mappedValue="1"/><mapEntry mapKey="C" mappedValue="1"/><mapEntry mapKey="B" mappedValue="-1"/>
                </mapping>
              </responseDeclaration>
              <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
              <itemBody>
                <p>Ch&ograve;n c&aacute;c s&ocirc;&#769; nguy&ecirc;n t&ocirc;&#769;: <img src="images/figure%201.png" alt="H1"/></p>
                <choiceInteraction responseIdentifier="RESPONSE" shuffle="false" maxChoices="0">
                  <simpleChoice identifier="A">2</simpleChoice><simpleChoice identifier="B">4</simpleChoice>
                  <simpleChoice identifier="C">5</simpleChoice><simpleChoice identifier="D">9</simpleChoice>
                </choiceInteraction>
              </itemBody>
              \(processing)
            </assessmentItem>
            """
        let manifest = """
            <manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="m"><resources>
            <resource identifier="r1" type="imsqti_item_xmlv2p1" href="items/q.xml"><file href="items/q.xml"/><file href="items/images/figure%201.png"/></resource>
            </resources></manifest>
            """
        return try SafeZip.write([("imsmanifest.xml", Data(manifest.utf8)), ("items/q.xml", Data(item.utf8)), ("items/images/figure 1.png", picture)])
    }

    static func fraction(_ question: Question, _ labels: [String]) -> Points { Scoring.score(question, points: 1, response: .list(labels)).awarded }

    @Test("QTI map_response: the item's partial credit, exactly (right options, a penalty, a default, the bounds), and the image in a folder with a space stored by its SHA-256")
    func qtiMapping() throws {
        let read = try BankReaders.read(try Self.qtiPackage(), format: .qti, context: ImportContext(fileName: "goi.zip", defaults: Self.defaults))
        #expect(read.problems.isEmpty, "\(read.problems)")
        let question = try #require(read.bank.questions.first)
        // &ograve; &aacute; &ocirc; &ecirc; decoded (ô followed by a combining acute, &#769;, is ố).
        #expect(question.stem.hasPrefix("Chòn các số nguyên tố:"), "\(question.stem)")
        // Out of 2: A+C = 2 → 1; A = 1 → 0.5; A+B = 0 → 0; A+C+D = 1.5 → 0.75; D alone = -0.5 → 0.
        #expect(Self.fraction(question, ["A", "C"]) == 1)
        #expect(Self.fraction(question, ["A"]) == Points(hundredths: 50))
        #expect(Self.fraction(question, ["A", "B"]) == 0)
        #expect(Self.fraction(question, ["A", "C", "D"]) == Points(hundredths: 75))
        #expect(Self.fraction(question, ["D"]) == 0)
        #expect(read.media.map(\.name) == ["images/figure 1.png"] && read.media[0].sha256 == Self.pictureSHA)
        let db = try TestEngine.database()
        _ = try db.importBank(read, bankName: "QTI")
        #expect(try db.question(id: "q-map", bank: "QTI").media == ["images/figure 1.png": Self.pictureSHA])
    }

    @Test("QTI → khaothi → QTI → khaothi keeps the mapping: every response earns the same")
    func qtiRoundTrip() throws {
        let first = try BankReaders.read(try Self.qtiPackage(), format: .qti, context: ImportContext(fileName: "goi.zip", defaults: Self.defaults))
        let (package, skipped) = try QTIFormat.writePackage(first.bank, media: first.media)
        #expect(skipped.isEmpty)
        let text = String(decoding: try SafeZip(data: package, place: "p").data("items/item00001.xml") ?? Data(), as: UTF8.self)
        #expect(text.contains("map_response") && text.contains("<mapping"))
        let second = try BankReaders.read(package, format: .qti, context: ImportContext(fileName: "lai.zip", defaults: Self.defaults))
        let (a, b) = (try #require(first.bank.questions.first), try #require(second.bank.questions.first))
        for picked in [["A"], ["B"], ["C"], ["D"], ["A", "C"], ["A", "B"], ["A", "C", "D"], ["B", "D"], [], ["A", "B", "C", "D"]] {
            #expect(Self.fraction(a, picked) == Self.fraction(b, picked), "\(picked)")
        }
        #expect(second.media.first?.sha256 == Self.pictureSHA)
    }

    @Test("custom response processing: refused per item with its place; with --partial imported all-or-nothing with a warning")
    func qtiCustom() throws {
        let custom = #"<responseProcessing><responseCondition><responseIf><match><variable identifier="RESPONSE"/><correct identifier="RESPONSE"/></match><setOutcomeValue identifier="SCORE"><baseValue baseType="float">3</baseValue></setOutcomeValue></responseIf></responseCondition></responseProcessing>"#
        let strict = try BankReaders.read(try Self.qtiPackage(processing: custom), format: .qti, context: ImportContext(fileName: "goi.zip", defaults: Self.defaults))
        #expect(strict.bank.questions.isEmpty)
        #expect(strict.problems.contains { $0.place.hasPrefix("goi.zip#items/q.xml:") && $0.message.contains("--partial") })
        let lenient = try BankReaders.read(try Self.qtiPackage(processing: custom), format: .qti,
                                           context: ImportContext(fileName: "goi.zip", defaults: Self.defaults, partial: true))
        let question = try #require(lenient.bank.questions.first)
        #expect(lenient.warnings.contains { $0.message.contains("all-or-nothing") })
        #expect(Self.fraction(question, ["A", "C"]) == 1 && Self.fraction(question, ["A"]) == 0)
        let point = try BankReaders.read(try Self.qtiPackage(processing: #"<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response_point"/>"#),
                                         format: .qti, context: ImportContext(fileName: "goi.zip", defaults: Self.defaults))
        #expect(point.bank.questions.isEmpty && point.problems.contains { $0.message.contains("map_response_point") })
    }

    @Test("credit per option survives the native YAML and GIFT, and a spreadsheet names the question it cannot hold")
    func creditInOtherFormats() throws {
        let read = try BankReaders.read(try Self.qtiPackage(), format: .qti, context: ImportContext(fileName: "goi.zip", defaults: Self.defaults))
        let question = try #require(read.bank.questions.first)
        let yaml = try NativeFormat.write(read.bank)
        let back = try NativeFormat.read(Data(yaml.utf8), context: ImportContext(fileName: "lai.yaml"))
        #expect(back.problems.isEmpty && back.bank.questions.first?.body == question.body)
        let gift = GIFTFormat.write(read.bank)
        #expect(gift.skipped.isEmpty)
        let fromGIFT = try GIFTFormat.read(Data(gift.text.utf8), context: ImportContext(fileName: "lai.gift", defaults: Self.defaults))
        let giftQuestion = try #require(fromGIFT.bank.questions.first)
        for picked in [["A"], ["A", "C"], ["A", "B"], ["A", "C", "D"]] {
            #expect(Self.fraction(giftQuestion, picked) == Self.fraction(question, picked), "GIFT \(picked)")
        }
        #expect(TableFormat.rows(read.bank).skipped == [question.id])
    }
}
