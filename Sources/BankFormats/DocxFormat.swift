import ExamCore
import Foundation

/// A Word document (.docx) in the Azota layout. Paragraphs become lines; a bold or underlined option
/// (`A.`–`H.`) marks the key and a bold or underlined statement (`a)`–`d)`) is true, exactly as teachers mark
/// them; pictures become media with `![](image1.png)` in the text. Then the Azota text rules apply.
public enum DocxFormat {
    public static func read(_ data: Data, context: ImportContext) throws -> ImportedBank {
        let zip = try SafeZip(data: data, place: context.fileName)
        guard let documentData = try zip.data("word/document.xml") else {
            throw BankFormatError(.unreadable, place: context.fileName, "không phải tệp Word (.docx): thiếu word/document.xml / not a Word document")
        }
        let document = try XMLNode.parse(documentData, place: context.fileName + "#document.xml")
        var relationships: [String: String] = [:]
        if let relsData = try zip.data("word/_rels/document.xml.rels") {
            let rels = try XMLNode.parse(relsData, place: context.fileName + "#document.xml.rels")
            for rel in rels.children("Relationship") {
                if let id = rel.attribute("Id"), let target = rel.attribute("Target") { relationships[id] = target }
            }
        }
        var media: [String: MediaFile] = [:]
        var lines: [AzotaFormat.SourceLine] = []
        guard let body = document.child("body") else {
            throw BankFormatError(.unreadable, place: context.fileName, "tài liệu Word trống / the document has no body")
        }
        var paragraphNumber = 0
        func addParagraph(_ paragraph: XMLNode) throws {
            paragraphNumber += 1
            var segments: [(text: String, emphasis: Bool)] = []
            try collectRuns(paragraph, into: &segments, relationships: relationships, zip: zip, media: &media, place: context.fileName)
            lines.append(AzotaFormat.SourceLine(text: markKeys(segments), number: paragraphNumber))
        }
        for block in body.children {
            switch block.localName {
            case "p": try addParagraph(block)
            case "tbl":
                // A table row becomes one line (answer tables: "1-A | 2-B"), its cells joined by spaces.
                for row in block.descendants("tr") {
                    paragraphNumber += 1
                    var cells: [String] = []
                    for cell in row.children("tc") {
                        var segments: [(text: String, emphasis: Bool)] = []
                        for paragraph in cell.descendants("p") {
                            try collectRuns(paragraph, into: &segments, relationships: relationships, zip: zip, media: &media, place: context.fileName)
                            segments.append((" ", false))
                        }
                        cells.append(markKeys(segments).trimmingCharacters(in: .whitespaces))
                    }
                    lines.append(AzotaFormat.SourceLine(text: cells.joined(separator: " "), number: paragraphNumber))
                }
            default: continue
            }
        }
        // Places are paragraph numbers: "de.docx:12" is the 12th paragraph (a table row counts as one).
        var imported = try AzotaFormat.read(lines: lines, context: context, media: media.keys.sorted().map { media[$0]! })
        imported.bank.name = context.defaults.bankName ?? (context.fileName as NSString).deletingPathExtension
        return imported
    }

    /// The runs of a paragraph in order: text with whether it is bold or underlined, tabs and breaks as
    /// spaces and new lines, pictures as Markdown images, equations as their plain text.
    static func collectRuns(_ node: XMLNode, into segments: inout [(text: String, emphasis: Bool)], relationships: [String: String],
                            zip: SafeZip, media: inout [String: MediaFile], place: String) throws {
        for child in node.children {
            switch child.localName {
            case "r":
                let properties = child.child("rPr")
                let bold = properties?.child("b").map { ($0.attribute("val") ?? "true") != "false" && $0.attribute("val") != "0" } ?? false
                let underline = properties?.child("u").map { ($0.attribute("val") ?? "single") != "none" } ?? false
                for part in child.children {
                    switch part.localName {
                    case "t": segments.append((part.allText, bold || underline))
                    case "tab": segments.append(("\t", false))
                    case "br", "cr": segments.append(("\n", false))
                    case "drawing", "pict", "object":
                        for blip in part.descendants("blip") + part.descendants("imagedata") {
                            guard let id = blip.attribute("embed") ?? blip.attribute("id"), let target = relationships[id] else { continue }
                            let path = target.hasPrefix("/") ? String(target.dropFirst()) : "word/" + target
                            let name = (target as NSString).lastPathComponent
                            if media[name] == nil, let data = try zip.data(path) { media[name] = MediaFile(name: name, data: data) }
                            segments.append(("![](\(name))", false))
                        }
                    default: continue
                    }
                }
            case "oMath", "oMathPara":
                segments.append((child.descendants("t").map(\.allText).joined(), false))
            case "hyperlink", "smartTag", "sdt", "sdtContent", "ins", "fldSimple":
                try collectRuns(child, into: &segments, relationships: relationships, zip: zip, media: &media, place: place)
            default: continue
            }
        }
    }

    /// Joins the runs into a line, putting `*` before each option or statement marker whose letter or first
    /// words are bold or underlined.
    static func markKeys(_ segments: [(text: String, emphasis: Bool)]) -> String {
        var characters: [Character] = []
        var emphasis: [Bool] = []
        for segment in segments {
            for character in segment.text {
                characters.append(character)
                emphasis.append(segment.emphasis)
            }
        }
        var insertAt: [Int] = []
        for index in characters.indices {
            let character = characters[index]
            guard character.isASCII(in: "A"..."H") || character.isASCII(in: "a"..."h"), index + 1 < characters.count else { continue }
            let punctuation = characters[index + 1]
            let isOption = character.isASCII(in: "A"..."H") && (punctuation == "." || punctuation == ")")
            let isStatement = character.isASCII(in: "a"..."h") && punctuation == ")"
            guard isOption || isStatement else { continue }
            guard index == 0 || characters[index - 1].isWhitespace || characters[index - 1] == "*" else { continue }
            // Before it only white space (start of line) or a run of spaces/tab (inline options).
            if index > 0, !characters[..<index].allSatisfy(\.isWhitespace) {
                guard index >= 2, characters[index - 1] == "\t" || (characters[index - 1] == " " && characters[index - 2] == " ") else { continue }
            }
            // Emphasis on the letter, or on the first visible character of its text.
            var firstText = index + 2
            while firstText < characters.count, characters[firstText] == " " { firstText += 1 }
            let marked = emphasis[index] || (firstText < characters.count && emphasis[firstText])
            if marked && (index == 0 || characters[index - 1] != "*") { insertAt.append(index) }
        }
        for index in insertAt.reversed() { characters.insert("*", at: index) }
        return String(characters)
    }
}
