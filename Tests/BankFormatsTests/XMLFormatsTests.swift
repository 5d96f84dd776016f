import Foundation
import Testing
@testable import BankFormats
import ExamCore

@Suite("QTI 2.1 and Moodle XML")
struct XMLFormatsTests {
    @Test("native → QTI package → read gives equal questions, every kind, with images")
    func qtiRoundTrip() throws {
        var bank = try Support.allKinds()
        bank.questions[0].stem += "\n\nXem hình ![Hình lập phương](images/cube.svg)"
        let image = MediaFile(name: "images/cube.svg", data: try Data(contentsOf: Support.fixtures.appendingPathComponent("images/cube.svg")))
        let (package, skipped) = try QTIFormat.writePackage(bank, media: [image])
        #expect(skipped.isEmpty)
        let read = try QTIFormat.read(package, context: Support.context("bank.zip", defaults: QuestionDefaults()))
        #expect(read.problems.isEmpty, "\(read.problems)")
        #expect(read.bank.questions.count == bank.questions.count)
        for (original, back) in zip(bank.questions, read.bank.questions) {
            var expected = original
            expected.groupID = back.groupID == nil ? nil : expected.groupID
            #expect(back == expected, "\(original.id)")
        }
        #expect(read.media.map(\.name) == ["images/cube.svg"])
        #expect(read.media.first?.data == image.data)
    }

    @Test("a QTI item written by another tool: choice with a fixed option, metadata from the command line")
    func qtiForeignItem() throws {
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="choice1" title="Thủ đô" adaptive="false" timeDependent="false">
          <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">
            <correctResponse><value>ChoiceB</value></correctResponse>
          </responseDeclaration>
          <itemBody>
            <p>Thủ đô của Việt Nam là <strong>thành phố</strong> nào?</p>
            <choiceInteraction responseIdentifier="RESPONSE" shuffle="true" maxChoices="1">
              <simpleChoice identifier="ChoiceA">Huế</simpleChoice>
              <simpleChoice identifier="ChoiceB">Hà Nội</simpleChoice>
              <simpleChoice identifier="ChoiceC" fixed="true">Không có đáp án đúng</simpleChoice>
            </choiceInteraction>
          </itemBody>
        </assessmentItem>
        """
        let read = try QTIFormat.read(Data(xml.utf8), context: Support.context("item.xml", defaults: QuestionDefaults(subject: "Địa lí", topic: "Việt Nam", level: .recognition)))
        #expect(read.problems.isEmpty, "\(read.problems)")
        let question = try #require(read.bank.questions.first)
        #expect(question.id == "choice1")
        #expect(question.stem == "Thủ đô của Việt Nam là thành phố nào?")
        guard case let .singleChoice(body) = question.body else { Issue.record("kind"); return }
        #expect(body.answer == "ChoiceB")
        #expect(body.options[2].locked)
    }

    @Test("QTI: hostile or broken input is refused with a place")
    func qtiBroken() throws {
        let entity = Data("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><assessmentItem/>".utf8)
        #expect(throws: BankFormatError.self) { try QTIFormat.read(entity, context: Support.context("x.xml")) }
        let broken = try QTIFormat.read(Data("<assessmentItem><itemBody>".utf8), context: Support.context("y.xml"))
        #expect(broken.problems.first?.place.hasPrefix("y.xml") == true)
        let escaping = try SafeZip.write([("imsmanifest.xml", Data("<manifest/>".utf8))])
        #expect(try QTIFormat.read(escaping, context: Support.context("p.zip")).bank.questions.isEmpty)
    }
}

@Suite("Moodle XML")
struct MoodleXMLTests {
    @Test("kinds, categories, HTML, embedded images, feedback; unknown types named with their lines, missing levels unclassified")
    func moodle() throws {
        let read = try BankReaders.read(Support.fixtures.appendingPathComponent("formats/sinhhoc-moodle.xml"))
        #expect(read.bank.questions.map(\.id) == ["sh-1", "sh-2", "sh-3", "sh-4", "sh-6"])
        #expect(read.bank.questions.map(\.kind) == [.singleChoice, .trueFalse, .numeric, .matching, .essay])
        #expect(read.bank.questions.map(\.unclassified) == [false, false, false, false, true], "the one without a level is kept, unclassified")
        let first = read.bank.questions[0]
        #expect(first.subject == "Sinh học" && first.topic == "Di truyền" && first.grade == 12 && first.level == .comprehension)
        #expect(first.stem == "Phân tử nào mang thông tin di truyền?\n\n![ADN](adn.png)")
        #expect(first.explanation == "ADN mang thông tin di truyền & được nhân đôi.")
        #expect(first.keyText == "B")
        #expect(first.tags == ["sinh-12"])
        #expect(read.media.map(\.name) == ["adn.png"])
        if case let .matching(body) = read.bank.questions[3].body { #expect(body.choices.count == 3 && body.premises.count == 2) }
        let problems = read.problems.map(\.description)
        #expect(problems.contains { $0.contains("sinhhoc-moodle.xml:") && $0.contains("\"ddwtos\"") }, "\(problems)")
    }

    @Test("not Moodle XML is refused")
    func notMoodle() {
        #expect(throws: BankFormatError.self) { try MoodleXMLFormat.read(Data("<html/>".utf8), context: Support.context("x.xml")) }
    }
}
