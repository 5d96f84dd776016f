import ExamCore
import Foundation

/// IMS QTI 2.1: single items (`assessmentItem`) and content packages (zip with `imsmanifest.xml`).
/// Interactions read: choice (single and multiple, `fixed` = locked), textEntry (numeric or text), inlineChoice
/// and several textEntry in one body (cloze), match (matching; a match against TRUE/FALSE is a true/false
/// cluster), order, extendedText (essay). khaothi's metadata travels in a `<!-- khaothi: … -->` comment and
/// the worked solution in `modalFeedback`.
public enum QTIFormat {
    public static let namespace = "http://www.imsglobal.org/xsd/imsqti_v2p1"

    // MARK: reading

    public static func read(_ data: Data, context: ImportContext) throws -> ImportedBank {
        if data.starts(with: [0x50, 0x4B]) { return try readPackage(data, context: context) }
        var reader = ItemReader(context: context)
        try reader.read(data, place: context.fileName, media: [:])
        return reader.finish()
    }

    static func readPackage(_ data: Data, context: ImportContext) throws -> ImportedBank {
        let zip = try SafeZip(data: data, place: context.fileName)
        guard let manifestData = try zip.data("imsmanifest.xml") else {
            throw BankFormatError(.unreadable, place: context.fileName, "gói QTI thiếu imsmanifest.xml / the package has no imsmanifest.xml")
        }
        let manifest = try XMLNode.parse(manifestData, place: context.fileName + "#imsmanifest.xml")
        var reader = ItemReader(context: context)
        for resource in manifest.descendants("resource") where (resource.attribute("type") ?? "").contains("imsqti_item") {
            guard let href = resource.attribute("href") else { continue }
            let directory = (href as NSString).deletingLastPathComponent
            guard let itemData = try zip.data(href) else {
                reader.problems.append(BankProblem(place: "\(context.fileName)#\(href)", "thiếu tệp \(href) trong gói / \(href) is missing from the package"))
                continue
            }
            // Images the item uses, read from the package relative to the item.
            var media: [String: MediaFile] = [:]
            for file in resource.children("file") {
                guard let path = file.attribute("href"), path != href else { continue }
                let relative = directory.isEmpty ? path : String(path.dropFirst(directory.count + 1))
                if let bytes = try zip.data(path) { media[relative] = MediaFile(name: relative, data: bytes) }
            }
            // Hostile XML inside a package refuses the whole package (`read` throws it).
            try reader.read(itemData, place: "\(context.fileName)#\(href)", media: media)
        }
        return reader.finish()
    }

    struct ItemReader {
        let context: ImportContext
        var questions: [Question] = []
        var places: [String: String] = [:]
        var problems: [BankProblem] = []
        var media: [String: MediaFile] = [:]
        var skipped = 0
        var taken = Set<String>()
        /// Passages carried by the items' metadata (QTI 2.1 items have none of their own).
        var groupsFound: [String: QuestionGroup] = [:]
        var groupOrder: [String] = []

        init(context: ImportContext) { self.context = context }

        /// Reads the items of one XML file; a broken file is a problem, a hostile one is thrown.
        mutating func read(_ data: Data, place: String, media itemMedia: [String: MediaFile]) throws {
            let root: XMLNode
            do { root = try XMLNode.parse(data, place: place) } catch let error as BankFormatError {
                if error.code == .hostile { throw error }
                problems.append(BankProblem(place: error.place, error.message)); skipped += 1; return
            } catch { problems.append(BankProblem(place: place, "XML không hợp lệ / not XML")); skipped += 1; return }
            let items = root.localName == "assessmentItem" ? [root] : root.descendants("assessmentItem")
            guard !items.isEmpty else { problems.append(BankProblem(place: place, "không có assessmentItem / no assessmentItem")); skipped += 1; return }
            for item in items {
                let itemPlace = "\(place):\(item.line)"
                do {
                    var question = try self.question(from: item)
                    if question.id.isEmpty || taken.contains(question.id) {
                        question.id = FormatSupport.stableID(prefix: FormatSupport.idPrefix(context), text: question.stem, taken: &taken)
                    } else { taken.insert(question.id) }
                    let missing = FormatSupport.missingMetadata(question)
                    if !missing.isEmpty { problems += missing.map { BankProblem(place: itemPlace, questionID: question.id, $0) }; skipped += 1; continue }
                    questions.append(question)
                    places[question.id] = itemPlace
                    for text in MediaReferences.texts(of: question) {
                        for name in MediaReferences.names(in: text) { if let file = itemMedia[name] { media[name] = file } }
                    }
                } catch let error as QTIError {
                    problems.append(BankProblem(place: itemPlace, questionID: item.attribute("identifier"), error.message))
                    skipped += 1
                } catch {
                    skipped += 1
                }
            }
        }

        struct QTIError: Error { let message: String }

        mutating func question(from item: XMLNode) throws -> Question {
            let declarations = Dictionary(item.children("responseDeclaration").compactMap { declaration in
                declaration.attribute("identifier").map { ($0, declaration) }
            }, uniquingKeysWith: { first, _ in first })
            func correct(_ identifier: String?) -> [String] {
                guard let identifier, let declaration = declarations[identifier] else { return [] }
                return declaration.child("correctResponse")?.children("value").map { $0.allText.trimmingCharacters(in: .whitespacesAndNewlines) } ?? []
            }
            guard let body = item.child("itemBody") else { throw QTIError(message: "thiếu itemBody / no itemBody") }
            let interactions = body.descendants("choiceInteraction") + body.descendants("matchInteraction") + body.descendants("orderInteraction")
                + body.descendants("extendedTextInteraction")
            let inline = body.descendants(["textEntryInteraction", "inlineChoiceInteraction"])
            let questionBody: QuestionBody
            var stem: String
            if let interaction = interactions.first {
                stem = RichTextXML.text(of: body, skipping: interaction)
                if let prompt = interaction.child("prompt") { stem = [stem, RichTextXML.text(of: prompt)].filter { !$0.isEmpty }.joined(separator: "\n\n") }
                let answers = correct(interaction.attribute("responseIdentifier"))
                switch interaction.localName {
                case "choiceInteraction":
                    let choices = interaction.children("simpleChoice")
                    let options = choices.map { ChoiceOption(id: $0.attribute("identifier") ?? "", text: RichTextXML.text(of: $0), locked: $0.attribute("fixed") == "true") }
                    guard !answers.isEmpty else { throw QTIError(message: "thiếu correctResponse / no correctResponse") }
                    let maxChoices = Int(interaction.attribute("maxChoices") ?? "1") ?? 1
                    if maxChoices == 1 && answers.count == 1 {
                        questionBody = .singleChoice(SingleChoice(options: options, answer: answers[0]))
                    } else {
                        questionBody = .multipleResponse(MultipleResponse(options: options, answers: answers))
                    }
                case "matchInteraction":
                    let sets = interaction.children("simpleMatchSet")
                    guard sets.count == 2 else { throw QTIError(message: "matchInteraction cần hai simpleMatchSet / needs two match sets") }
                    let first = sets[0].children("simpleAssociableChoice").map { Item(id: $0.attribute("identifier") ?? "", text: RichTextXML.text(of: $0)) }
                    let second = sets[1].children("simpleAssociableChoice").map { Item(id: $0.attribute("identifier") ?? "", text: RichTextXML.text(of: $0)) }
                    let pairs = answers.compactMap { value -> Pair? in
                        let parts = value.split(separator: " ")
                        return parts.count == 2 ? Pair(premise: String(parts[0]), choice: String(parts[1])) : nil
                    }
                    if Set(second.map(\.id)) == ["TRUE", "FALSE"] {
                        let statements = first.map { statement in Statement(id: statement.id, text: statement.text, isTrue: pairs.first { $0.premise == statement.id }?.choice == "TRUE") }
                        questionBody = .trueFalse(TrueFalseCluster(statements: statements, table: statements.count == 4 ? nil : AzotaFormat.Parser.table(for: statements.count),
                                                                   shuffleStatements: interaction.attribute("shuffle") == "true"))
                    } else {
                        questionBody = .matching(Matching(premises: first, choices: second, pairs: pairs))
                    }
                case "orderInteraction":
                    let items = interaction.children("simpleChoice").map { Item(id: $0.attribute("identifier") ?? "", text: RichTextXML.text(of: $0)) }
                    questionBody = .ordering(Ordering(items: items, order: answers.isEmpty ? items.map(\.id) : answers))
                default:
                    questionBody = .essay(Essay())
                }
            } else if !inline.isEmpty {
                let gaps = try inline.map { interaction -> Gap in
                    let identifier = interaction.attribute("responseIdentifier") ?? ""
                    let id = identifier.hasPrefix("GAP_") ? String(identifier.dropFirst(4)) : identifier
                    let answers = correct(identifier)
                    if interaction.localName == "inlineChoiceInteraction" {
                        let options = interaction.children("inlineChoice").map { ChoiceOption(id: $0.attribute("identifier") ?? "", text: RichTextXML.text(of: $0), locked: $0.attribute("fixed") == "true") }
                        guard let answer = answers.first else { throw QTIError(message: "chỗ trống \(id) thiếu đáp án / gap has no correctResponse") }
                        return Gap(id: id, answer: .choice(options: options, answer: answer))
                    }
                    guard let answer = answers.first else { throw QTIError(message: "chỗ trống \(id) thiếu đáp án / gap has no correctResponse") }
                    let baseType = declarations[identifier]?.attribute("baseType") ?? "string"
                    if baseType == "float" || baseType == "integer" {
                        return Gap(id: id, answer: .numeric(NumericAnswer(answer: answer, alternatives: Array(answers.dropFirst()), boxRule: false)))
                    }
                    return Gap(id: id, answer: .text(ShortText(answers: answers)))
                }
                // One entry box standing in a paragraph of its own is a short answer; boxes inside text are a cloze.
                let standalone = inline.count == 1 && inline[0].localName == "textEntryInteraction"
                    && inline[0].parent.map { RichTextXML.text(of: $0, gapsAs: "GAP_") == "{{\(gaps[0].id)}}" } == true
                if standalone, case let .numeric(numeric) = gaps[0].answer {
                    stem = RichTextXML.text(of: body, skipping: inline[0])
                    questionBody = .numeric(numeric)
                } else if standalone, case let .text(text) = gaps[0].answer {
                    stem = RichTextXML.text(of: body, skipping: inline[0])
                    questionBody = .shortText(text)
                } else {
                    stem = ""
                    questionBody = .cloze(Cloze(text: RichTextXML.text(of: body, gapsAs: "GAP_"), gaps: gaps))
                }
            } else {
                throw QTIError(message: "không có tương tác nào khaothi đọc được / no interaction khaothi reads")
            }
            var question = FormatSupport.blank(questionBody, stem: stem, defaults: context.defaults)
            question.id = item.attribute("identifier") ?? ""
            if let feedback = item.children("modalFeedback").first { question.explanation = RichTextXML.text(of: feedback) }
            if let comment = item.children.first(where: { $0.localName == "#comment" }), let meta = FormatSupport.Meta(comment: comment.text) {
                meta.apply(to: &question, defaults: context.defaults)
                if let group = meta.group {
                    if groupsFound[group.id] == nil { groupOrder.append(group.id) }
                    groupsFound[group.id] = group
                }
                if meta.values["level"] == nil && context.defaults.level == nil { throw QTIError(message: "thiếu mức độ: thêm --level / no level: add --level") }
            } else if context.defaults.level == nil {
                throw QTIError(message: "thiếu mức độ: thêm --level / no level: add --level")
            }
            return question
        }

        mutating func finish() -> ImportedBank {
            return .assemble(subject: context.defaults.subject, questions: questions, groups: groupOrder.compactMap { groupsFound[$0] },
                             problems: problems, skipped: skipped, places: places, embedded: media.keys.sorted().map { media[$0]! }, context: context)
        }
    }

    // MARK: writing

    /// One item as QTI 2.1 XML. Nil (and the question named in `skipped` by the caller) for nothing: every kind fits.
    public static func item(_ question: Question, group: QuestionGroup? = nil) -> String {
        var meta = FormatSupport.Meta(question: question)
        meta.addBodyDetails(question)
        meta.addPassage(group)
        var declarations = ""
        var body = ""
        func value(_ text: String) -> String { "<value>\(RichTextXML.escape(text))</value>" }
        switch question.body {
        case let .singleChoice(choice):
            declarations = "<responseDeclaration identifier=\"RESPONSE\" cardinality=\"single\" baseType=\"identifier\"><correctResponse>\(value(choice.answer))</correctResponse></responseDeclaration>"
            body = RichTextXML.blocks(question.stem) + "<choiceInteraction responseIdentifier=\"RESPONSE\" shuffle=\"\(question.shuffleOptions)\" maxChoices=\"1\">"
                + choice.options.map { "<simpleChoice identifier=\"\(RichTextXML.escape($0.id))\"\($0.locked ? " fixed=\"true\"" : "")>\(RichTextXML.inline($0.text))</simpleChoice>" }.joined() + "</choiceInteraction>"
        case let .multipleResponse(choice):
            declarations = "<responseDeclaration identifier=\"RESPONSE\" cardinality=\"multiple\" baseType=\"identifier\"><correctResponse>\(choice.answers.map(value).joined())</correctResponse></responseDeclaration>"
            body = RichTextXML.blocks(question.stem) + "<choiceInteraction responseIdentifier=\"RESPONSE\" shuffle=\"\(question.shuffleOptions)\" maxChoices=\"0\">"
                + choice.options.map { "<simpleChoice identifier=\"\(RichTextXML.escape($0.id))\"\($0.locked ? " fixed=\"true\"" : "")>\(RichTextXML.inline($0.text))</simpleChoice>" }.joined() + "</choiceInteraction>"
        case let .trueFalse(cluster):
            declarations = "<responseDeclaration identifier=\"RESPONSE\" cardinality=\"multiple\" baseType=\"directedPair\"><correctResponse>\(cluster.statements.map { value("\($0.id) \($0.isTrue ? "TRUE" : "FALSE")") }.joined())</correctResponse></responseDeclaration>"
            body = RichTextXML.blocks(question.stem) + "<matchInteraction responseIdentifier=\"RESPONSE\" shuffle=\"\(cluster.shuffleStatements)\" maxAssociations=\"\(cluster.statements.count)\"><simpleMatchSet>"
                + cluster.statements.map { "<simpleAssociableChoice identifier=\"\(RichTextXML.escape($0.id))\" matchMax=\"1\">\(RichTextXML.inline($0.text))</simpleAssociableChoice>" }.joined()
                + "</simpleMatchSet><simpleMatchSet><simpleAssociableChoice identifier=\"TRUE\" matchMax=\"0\">Đúng</simpleAssociableChoice><simpleAssociableChoice identifier=\"FALSE\" matchMax=\"0\">Sai</simpleAssociableChoice></simpleMatchSet></matchInteraction>"
        case let .numeric(numeric):
            declarations = "<responseDeclaration identifier=\"GAP_1\" cardinality=\"single\" baseType=\"float\"><correctResponse>\(([numeric.answer] + numeric.alternatives).map(value).joined())</correctResponse></responseDeclaration>"
            body = RichTextXML.blocks(question.stem) + "<p><textEntryInteraction responseIdentifier=\"GAP_1\" expectedLength=\"4\"/></p>"
        case let .shortText(text):
            declarations = "<responseDeclaration identifier=\"GAP_1\" cardinality=\"single\" baseType=\"string\"><correctResponse>\(text.answers.map(value).joined())</correctResponse></responseDeclaration>"
            body = RichTextXML.blocks(question.stem) + "<p><textEntryInteraction responseIdentifier=\"GAP_1\"/></p>"
        case let .matching(matching):
            declarations = "<responseDeclaration identifier=\"RESPONSE\" cardinality=\"multiple\" baseType=\"directedPair\"><correctResponse>\(matching.pairs.map { value("\($0.premise) \($0.choice)") }.joined())</correctResponse></responseDeclaration>"
            body = RichTextXML.blocks(question.stem) + "<matchInteraction responseIdentifier=\"RESPONSE\" shuffle=\"\(question.shuffleOptions)\" maxAssociations=\"\(matching.premises.count)\"><simpleMatchSet>"
                + matching.premises.map { "<simpleAssociableChoice identifier=\"\(RichTextXML.escape($0.id))\" matchMax=\"1\">\(RichTextXML.inline($0.text))</simpleAssociableChoice>" }.joined()
                + "</simpleMatchSet><simpleMatchSet>"
                + matching.choices.map { "<simpleAssociableChoice identifier=\"\(RichTextXML.escape($0.id))\" matchMax=\"0\">\(RichTextXML.inline($0.text))</simpleAssociableChoice>" }.joined()
                + "</simpleMatchSet></matchInteraction>"
        case let .ordering(ordering):
            declarations = "<responseDeclaration identifier=\"RESPONSE\" cardinality=\"ordered\" baseType=\"identifier\"><correctResponse>\(ordering.order.map(value).joined())</correctResponse></responseDeclaration>"
            body = RichTextXML.blocks(question.stem) + "<orderInteraction responseIdentifier=\"RESPONSE\" shuffle=\"true\">"
                + ordering.items.map { "<simpleChoice identifier=\"\(RichTextXML.escape($0.id))\">\(RichTextXML.inline($0.text))</simpleChoice>" }.joined() + "</orderInteraction>"
        case let .cloze(cloze):
            for gap in cloze.gaps {
                switch gap.answer {
                case let .choice(_, answer):
                    declarations += "<responseDeclaration identifier=\"GAP_\(RichTextXML.escape(gap.id))\" cardinality=\"single\" baseType=\"identifier\"><correctResponse>\(value(answer))</correctResponse></responseDeclaration>"
                case let .numeric(numeric):
                    declarations += "<responseDeclaration identifier=\"GAP_\(RichTextXML.escape(gap.id))\" cardinality=\"single\" baseType=\"float\"><correctResponse>\(([numeric.answer] + numeric.alternatives).map(value).joined())</correctResponse></responseDeclaration>"
                case let .text(text):
                    declarations += "<responseDeclaration identifier=\"GAP_\(RichTextXML.escape(gap.id))\" cardinality=\"single\" baseType=\"string\"><correctResponse>\(text.answers.map(value).joined())</correctResponse></responseDeclaration>"
                }
            }
            body = RichTextXML.blocks(cloze.text, gaps: cloze.gaps)
        case .essay:
            declarations = "<responseDeclaration identifier=\"RESPONSE\" cardinality=\"single\" baseType=\"string\"/>"
            body = RichTextXML.blocks(question.stem) + "<extendedTextInteraction responseIdentifier=\"RESPONSE\" expectedLines=\"10\"/>"
        }
        let feedback = question.explanation.map { "<modalFeedback outcomeIdentifier=\"FEEDBACK\" identifier=\"SOLUTION\" showHide=\"show\">\(RichTextXML.blocks($0))</modalFeedback>" } ?? ""
        return """
        <?xml version="1.0" encoding="UTF-8"?>
        <assessmentItem xmlns="\(namespace)" identifier="\(RichTextXML.escape(question.id))" title="\(RichTextXML.escape(String(question.stem.prefix(60))))" adaptive="false" timeDependent="false">
        <!--\(meta.comment.replacingOccurrences(of: "--", with: "%2D%2D"))-->
        \(declarations)
        <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"><defaultValue><value>0</value></defaultValue></outcomeDeclaration>
        <outcomeDeclaration identifier="MAXSCORE" cardinality="single" baseType="float"><defaultValue><value>\(question.points.formatted())</value></defaultValue></outcomeDeclaration>
        <itemBody>\(body)</itemBody>
        <responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/>
        \(feedback)
        </assessmentItem>

        """
    }

    /// A content package: `imsmanifest.xml`, one item per question under `items/`, images beside them.
    public static func writePackage(_ bank: QuestionBank, media: [MediaFile]) throws -> (data: Data, skipped: [String]) {
        var entries: [(String, Data)] = []
        var resources = ""
        let mediaByName = Dictionary(media.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var written = Set<String>()
        for (index, question) in bank.questions.enumerated() {
            let fileName = "items/item\(String(format: "%05d", index + 1)).xml"
            entries.append((fileName, Data(item(question, group: bank.groups.first { $0.id == question.groupID }).utf8)))
            var files = "<file href=\"\(fileName)\"/>"
            for name in MediaReferences.texts(of: question).flatMap(MediaReferences.names(in:)) {
                guard let file = mediaByName[name] else { continue }
                let path = "items/" + name
                files += "<file href=\"\(RichTextXML.escape(path))\"/>"
                if written.insert(path).inserted { entries.append((path, file.data)) }
            }
            resources += "<resource identifier=\"R\(index + 1)\" type=\"imsqti_item_xmlv2p1\" href=\"\(fileName)\">\(files)</resource>"
        }
        let manifest = """
        <?xml version="1.0" encoding="UTF-8"?>
        <manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="khaothi-\(RichTextXML.escape(FormatSupport.idPrefix(ImportContext(fileName: bank.name))))">
        <metadata><schema>QTIv2.1 Package</schema><schemaversion>1.0.0</schemaversion></metadata>
        <organizations/>
        <resources>\(resources)</resources>
        </manifest>

        """
        entries.insert(("imsmanifest.xml", Data(manifest.utf8)), at: 0)
        return (try SafeZip.write(entries), [])
    }
}

/// Rich text (Markdown with LaTeX) to and from the XHTML of QTI: paragraphs, line breaks, images.
enum RichTextXML {
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default:
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Inline text: line breaks become `<br/>`, images `<img/>`.
    static func inline(_ text: String) -> String {
        var out = ""
        var rest = text[...]
        while let start = rest.range(of: "!["), let close = rest[start.upperBound...].range(of: "]("),
              let end = rest[close.upperBound...].firstIndex(of: ")") {
            out += escape(String(rest[..<start.lowerBound]))
            let alt = String(rest[start.upperBound..<close.lowerBound])
            let src = String(rest[close.upperBound..<end])
            out += "<img src=\"\(escape(src))\" alt=\"\(escape(alt))\"/>"
            rest = rest[rest.index(after: end)...]
        }
        out += escape(String(rest))
        return out.replacingOccurrences(of: "\n", with: "<br/>")
    }

    /// Paragraphs (split on blank lines), each a `<p>`; gaps `{{id}}` become text entry or inline choice.
    static func blocks(_ text: String, gaps: [Gap] = []) -> String {
        text.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { paragraph in
            var html = inline(paragraph)
            for gap in gaps {
                let interaction: String
                switch gap.answer {
                case let .choice(options, _):
                    interaction = "<inlineChoiceInteraction responseIdentifier=\"GAP_\(escape(gap.id))\" shuffle=\"true\">"
                        + options.map { "<inlineChoice identifier=\"\(escape($0.id))\"\($0.locked ? " fixed=\"true\"" : "")>\(escape($0.text))</inlineChoice>" }.joined() + "</inlineChoiceInteraction>"
                default:
                    interaction = "<textEntryInteraction responseIdentifier=\"GAP_\(escape(gap.id))\"/>"
                }
                html = html.replacingOccurrences(of: escape("{{\(gap.id)}}"), with: interaction)
            }
            return "<p>\(html)</p>"
        }.joined()
    }

    /// The text of an XHTML subtree as rich text, leaving out one interaction (and its prompt).
    static func text(of node: XMLNode, skipping: XMLNode? = nil, gapsAs prefix: String? = nil) -> String {
        var paragraphs: [String] = []
        var current = ""
        func walk(_ node: XMLNode) {
            if node === skipping { return }
            switch node.localName {
            case "#comment", "prompt", "responseDeclaration", "outcomeDeclaration": return
            case "#text": current += node.text; return
            case "br": current += "\n"; return
            case "img": current += "![\(node.attribute("alt") ?? "")](\(node.attribute("src") ?? ""))"; return
            case "textEntryInteraction", "inlineChoiceInteraction":
                if let prefix {
                    let identifier = node.attribute("responseIdentifier") ?? ""
                    current += "{{\(identifier.hasPrefix(prefix) ? String(identifier.dropFirst(prefix.count)) : identifier)}}"
                }
                return
            case "choiceInteraction", "matchInteraction", "orderInteraction", "extendedTextInteraction": return
            default: break
            }
            let block = ["p", "div"].contains(node.localName)
            if block, !current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { paragraphs.append(current); current = "" }
            current += node.text
            for child in node.children { walk(child) }
            if block { paragraphs.append(current); current = "" }
        }
        current += node.text
        for child in node.children { walk(child) }
        if !current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { paragraphs.append(current) }
        return paragraphs.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }.joined(separator: "\n\n")
    }
}
