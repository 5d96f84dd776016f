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
        try reader.read(data, place: context.fileName, media: { _ in nil })
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
            // Images the item names, found in the package relative to the item, as their names are written in a
            // link (`images/figure%201.png`) or in the zip (`images/figure 1.png`), listed in the manifest or not.
            let paths = Set(zip.paths)
            func image(_ name: String) throws -> MediaFile? {
                let path = directory.isEmpty ? name : directory + "/" + name
                for candidate in [path, path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path] where paths.contains(candidate) {
                    if let bytes = try zip.data(candidate) { return MediaFile(name: name, data: bytes) }
                }
                return nil
            }
            // Hostile XML inside a package refuses the whole package (`read` throws it).
            try reader.read(itemData, place: "\(context.fileName)#\(href)", media: image)
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
        var warnings: [BankProblem] = []
        /// The item being read, for warnings.
        var itemPlace = ""
        var taken = Set<String>()
        /// Passages carried by the items' metadata (QTI 2.1 items have none of their own).
        var groupsFound: [String: QuestionGroup] = [:]
        var groupOrder: [String] = []

        init(context: ImportContext) { self.context = context }

        /// Reads the items of one XML file; a broken file is a problem, a hostile one is thrown.
        mutating func read(_ data: Data, place: String, media image: (String) throws -> MediaFile?) throws {
            let root: XMLNode
            do { root = try XMLNode.parse(data, place: place) } catch let error as BankFormatError {
                if error.code == .hostile { throw error }
                problems.append(BankProblem(place: error.place, error.message)); skipped += 1; return
            } catch { problems.append(BankProblem(place: place, "XML không hợp lệ / not XML")); skipped += 1; return }
            let items = root.localName == "assessmentItem" ? [root] : root.descendants("assessmentItem")
            guard !items.isEmpty else { problems.append(BankProblem(place: place, "không có assessmentItem / no assessmentItem")); skipped += 1; return }
            for reference in root.unknownReferences {
                warnings.append(BankProblem(place: "\(place):\(reference.line)", "ký tự &\(reference.name); không có trong HTML; giữ nguyên / &\(reference.name); is not an HTML character name; kept as written"))
            }
            for item in items {
                let itemPlace = "\(place):\(item.line)"
                self.itemPlace = itemPlace
                do {
                    var question = try self.question(from: item)
                    if question.id.isEmpty || taken.contains(question.id) {
                        question.id = FormatSupport.stableID(prefix: FormatSupport.idPrefix(context), question: question, taken: &taken)
                    } else { taken.insert(question.id) }
                    questions.append(question)
                    places[question.id] = itemPlace
                    for text in MediaReferences.texts(of: question) {
                        for name in MediaReferences.names(in: text) where media[name] == nil { if let file = try image(name) { media[name] = file } }
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
            var question = FormatSupport.blank(try scoring(of: item, body: questionBody, declarations: declarations), stem: stem, defaults: context.defaults)
            question.id = item.attribute("identifier") ?? ""
            if let feedback = item.children("modalFeedback").first { question.explanation = RichTextXML.text(of: feedback) }
            var levelKnown = context.defaults.level != nil
            if let comment = item.children.first(where: { $0.localName == "#comment" }), let meta = FormatSupport.Meta(comment: comment.text) {
                meta.apply(to: &question, defaults: context.defaults)
                if let group = meta.group {
                    if groupsFound[group.id] == nil { groupOrder.append(group.id) }
                    groupsFound[group.id] = group
                }
                levelKnown = levelKnown || meta.values["level"] != nil
            }
            FormatSupport.classify(&question, levelKnown: levelKnown)
            return question
        }

        /// Scoring khaothi cannot hold: a problem for the item, or (with `--partial`) all-or-nothing and a warning.
        struct Unrepresentable: Error { let message: String }

        /// The body with the item's scoring: `responseProcessing` by its standard template (`match_correct`:
        /// all or nothing; `map_response`: the `<mapping>` of the response, as exact credit per option, per pair or
        /// per accepted text) or custom rules, which khaothi cannot hold.
        mutating func scoring(of item: XMLNode, body: QuestionBody, declarations: [String: XMLNode]) throws -> QuestionBody {
            guard let processing = item.child("responseProcessing") else { return body }
            let template = (processing.attribute("template") ?? processing.attribute("templateLocation") ?? "")
                .split(separator: "/").last.map { String($0).replacingOccurrences(of: ".xml", with: "") }
            let hasRules = processing.children.contains { !$0.localName.hasPrefix("#") }
            do {
                switch template {
                case "match_correct"?: return Self.allOrNothing(body)
                case "map_response"?:
                    guard let declaration = declarations.values.first(where: { $0.child("mapping") != nil }), let mapping = declaration.child("mapping") else {
                        throw Unrepresentable(message: "map_response không có <mapping> / map_response without a <mapping>")
                    }
                    return try Self.mapped(body, mapping: mapping, maximum: Self.maximumScore(item))
                case nil where !hasRules: return body
                case let name?:
                    throw Unrepresentable(message: "cách chấm \(name) khaothi không biểu diễn được / khaothi cannot hold the \(name) scoring")
                case nil:
                    throw Unrepresentable(message: "cách chấm riêng (responseProcessing tự viết) khaothi không biểu diễn được / khaothi cannot hold custom response processing")
                }
            } catch let unrepresentable as Unrepresentable {
                guard context.partial else { throw QTIError(message: unrepresentable.message + "; dùng --partial để nhập với cách chấm đúng hết hoặc không / use --partial to import it as all-or-nothing") }
                warnings.append(BankProblem(place: itemPlace, questionID: item.attribute("identifier"),
                                            unrepresentable.message + "; nhập với cách chấm đúng hết hoặc không / imported as all-or-nothing"))
                return Self.allOrNothing(body)
            }
        }

        /// Two credits equal to within rounding of the decimals written (1/3 of 0.25 does not come back exact).
        static func same(_ a: OptionCredit, _ b: OptionCredit) -> Bool {
            func close(_ x: Decimal?, _ y: Decimal?) -> Bool {
                switch (x, y) {
                case (nil, nil): true
                case let (x?, y?): abs(x - y) < Decimal(string: "0.000000001")!
                default: false
                }
            }
            let keys = Set(a.values.keys).union(b.values.keys)
            return keys.allSatisfy { close(a.values[$0] ?? a.otherwise, b.values[$0] ?? b.otherwise) } && close(a.otherwise, b.otherwise)
                && close(a.lowerBound, b.lowerBound) && close(a.upperBound.map { min($0, 1) } ?? 1, b.upperBound.map { min($0, 1) } ?? 1)
        }

        static func allOrNothing(_ body: QuestionBody) -> QuestionBody {
            switch body {
            case var .singleChoice(choice): choice.credit = nil; return .singleChoice(choice)
            case var .multipleResponse(choice): choice.credit = nil; choice.scoring = .allOrNothing; return .multipleResponse(choice)
            case var .matching(matching): matching.scoring = .allOrNothing; return .matching(matching)
            case var .ordering(ordering): ordering.scoring = .allOrNothing; return .ordering(ordering)
            default: return body
            }
        }

        /// The item's highest score: the MAXSCORE outcome when declared, else worked out from the mapping.
        static func maximumScore(_ item: XMLNode) -> Decimal? {
            let outcome = item.children("outcomeDeclaration").first { $0.attribute("identifier") == "MAXSCORE" }
            let text = outcome?.child("defaultValue")?.child("value")?.allText.trimmingCharacters(in: .whitespacesAndNewlines)
            return text.flatMap { Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) }.flatMap { $0 > 0 ? $0 : nil }
        }

        static func decimal(_ text: String?) -> Decimal? {
            text.flatMap { Decimal(string: $0.trimmingCharacters(in: .whitespaces), locale: Locale(identifier: "en_US_POSIX")) }
        }

        /// A `<mapping>` onto the body: credit per option (choices), per pair (matching) or accepted texts.
        static func mapped(_ body: QuestionBody, mapping: XMLNode, maximum declared: Decimal?) throws -> QuestionBody {
            var values: [String: Decimal] = [:]
            for entry in mapping.children("mapEntry") {
                guard let key = entry.attribute("mapKey"), let value = decimal(entry.attribute("mappedValue")) else {
                    throw Unrepresentable(message: "mapEntry thiếu mapKey hoặc mappedValue / a mapEntry without mapKey or mappedValue")
                }
                values[key.trimmingCharacters(in: .whitespaces)] = value
            }
            let otherwise = decimal(mapping.attribute("defaultValue")) ?? 0
            let lower = decimal(mapping.attribute("lowerBound")), upper = decimal(mapping.attribute("upperBound"))
            func maximum(single: Bool, keys: [String]) throws -> Decimal {
                if let declared { return declared }
                let each: [Decimal] = keys.map { values[$0] ?? otherwise }
                let best: Decimal = single ? (each.max() ?? 0) : each.filter { $0 > 0 }.reduce(Decimal(0), +)
                let top = upper.map { min($0, best) } ?? best
                guard top > 0 else { throw Unrepresentable(message: "mapping không cho điểm nào / the mapping earns nothing") }
                return top
            }
            switch body {
            case var .singleChoice(choice):
                let top = try maximum(single: true, keys: choice.options.map(\.id))
                choice.credit = OptionCredit(values: values.mapValues { $0 / top }, otherwise: otherwise / top, lowerBound: lower.map { $0 / top }, upperBound: upper.map { $0 / top })
                if let best = choice.options.max(by: { (values[$0.id] ?? otherwise) < (values[$1.id] ?? otherwise) }) { choice.answer = best.id }
                if values.count == 1, values[choice.answer] == top, otherwise == 0 { choice.credit = nil }
                return .singleChoice(choice)
            case var .multipleResponse(choice):
                let top = try maximum(single: false, keys: choice.options.map(\.id))
                let credit = OptionCredit(values: values.mapValues { $0 / top }, otherwise: otherwise / top, lowerBound: lower.map { $0 / top }, upperBound: upper.map { $0 / top })
                // khaothi's own partial rule (+1/c right, −1/c wrong, never below 0) is its partial scoring.
                if Self.same(credit, QTIFormat.partialCredit(choice)) { choice.scoring = .partial; choice.credit = nil } else { choice.credit = credit }
                return .multipleResponse(choice)
            case var .matching(matching):
                // Per pair, as khaothi scores matching, when every right pair earns the same and nothing else counts.
                let right = Set(matching.pairs.map { "\($0.premise) \($0.choice)" })
                let earned = Set(values.filter { $0.value > 0 }.map(\.key))
                guard earned == right, Set(values.values.filter { $0 > 0 }).count == 1, otherwise == 0, values.values.allSatisfy({ $0 >= 0 }) else {
                    throw Unrepresentable(message: "mapping của câu ghép không theo từng cặp đều nhau / the matching's mapping is not equal credit per pair")
                }
                matching.scoring = .partial
                return .matching(matching)
            case var .shortText(text):
                // Accepted texts that all earn full credit are alternatives; partial credit for a text is not held.
                let top = try maximum(single: true, keys: Array(values.keys))
                guard values.values.allSatisfy({ $0 == top }), otherwise <= 0 else {
                    throw Unrepresentable(message: "mapping cho một phần điểm theo câu trả lời chữ / the mapping gives part credit for a text")
                }
                text.answers = Array(Set(text.answers + values.keys)).sorted()
                return .shortText(text)
            default:
                throw Unrepresentable(message: "map_response cho dạng câu này khaothi không biểu diễn được / khaothi cannot hold map_response for this kind")
            }
        }

        mutating func finish() -> ImportedBank {
            return .assemble(subject: context.defaults.subject, questions: questions, groups: groupOrder.compactMap { groupsFound[$0] },
                             problems: problems, skipped: skipped, places: places, embedded: media.keys.sorted().map { media[$0]! },
                             warnings: warnings, context: context)
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
        // match_correct unless the item gives partial credit, which goes out as a <mapping> (map_response).
        var processing = "match_correct"
        let maximum = Decimal(question.points.hundredths) / 100
        func value(_ text: String) -> String { "<value>\(RichTextXML.escape(text))</value>" }
        func number(_ fraction: Decimal) -> String { (fraction * maximum).description }
        func mapping(_ credit: OptionCredit) -> String {
            processing = "map_response"
            var attributes = "defaultValue=\"\(number(credit.otherwise))\""
            if let lower = credit.lowerBound { attributes += " lowerBound=\"\(number(lower))\"" }
            if let upper = credit.upperBound { attributes += " upperBound=\"\(number(upper))\"" }
            return "<mapping \(attributes)>" + credit.values.keys.sorted().map { "<mapEntry mapKey=\"\(RichTextXML.escape($0))\" mappedValue=\"\(number(credit.values[$0]!))\"/>" }.joined() + "</mapping>"
        }
        switch question.body {
        case let .singleChoice(choice):
            declarations = "<responseDeclaration identifier=\"RESPONSE\" cardinality=\"single\" baseType=\"identifier\"><correctResponse>\(value(choice.answer))</correctResponse>\(choice.credit.map(mapping) ?? "")</responseDeclaration>"
            body = RichTextXML.blocks(question.stem) + "<choiceInteraction responseIdentifier=\"RESPONSE\" shuffle=\"\(question.shuffleOptions)\" maxChoices=\"1\">"
                + choice.options.map { "<simpleChoice identifier=\"\(RichTextXML.escape($0.id))\"\($0.locked ? " fixed=\"true\"" : "")>\(RichTextXML.inline($0.text))</simpleChoice>" }.joined() + "</choiceInteraction>"
        case let .multipleResponse(choice):
            let credit = choice.credit ?? (choice.scoring == .partial ? Self.partialCredit(choice) : nil)
            declarations = "<responseDeclaration identifier=\"RESPONSE\" cardinality=\"multiple\" baseType=\"identifier\"><correctResponse>\(choice.answers.map(value).joined())</correctResponse>\(credit.map(mapping) ?? "")</responseDeclaration>"
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
            // Per pair: every right pair earns an equal share.
            let perPair = matching.scoring == .partial && !matching.pairs.isEmpty
                ? mapping(OptionCredit(values: Dictionary(matching.pairs.map { ("\($0.premise) \($0.choice)", Decimal(1) / Decimal(matching.pairs.count)) }, uniquingKeysWith: { first, _ in first }), lowerBound: 0))
                : ""
            declarations = "<responseDeclaration identifier=\"RESPONSE\" cardinality=\"multiple\" baseType=\"directedPair\"><correctResponse>\(matching.pairs.map { value("\($0.premise) \($0.choice)") }.joined())</correctResponse>\(perPair)</responseDeclaration>"
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
        <responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/\(processing)"/>
        \(feedback)
        </assessmentItem>

        """
    }

    /// khaothi's partial rule for multiple response as credit: +1/c for each correct option picked, −1/c for each
    /// wrong one, never below zero (c correct options).
    static func partialCredit(_ choice: MultipleResponse) -> OptionCredit {
        let share = Decimal(1) / Decimal(max(1, choice.answers.count))
        return OptionCredit(values: Dictionary(choice.options.map { ($0.id, choice.answers.contains($0.id) ? share : -share) }, uniquingKeysWith: { first, _ in first }),
                            lowerBound: 0)
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
                files += "<file href=\"\(RichTextXML.escape(path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path))\"/>"
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
              let end = rest[close.upperBound...].firstIndex(of: rest[close.upperBound...].first == "<" ? ">" : ")") {
            out += escape(String(rest[..<start.lowerBound]))
            let alt = String(rest[start.upperBound..<close.lowerBound])
            var name = String(rest[close.upperBound..<end])
            var next = rest.index(after: end)
            if name.hasPrefix("<") {
                name.removeFirst()
                if next < rest.endIndex, rest[next] == ")" { next = rest.index(after: next) }
            }
            // A file name in a link: spaces and Vietnamese letters percent-encoded.
            out += "<img src=\"\(escape(name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? name))\" alt=\"\(escape(alt))\"/>"
            rest = rest[next...]
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
            case "img": current += MediaReferences.markdown(alt: node.attribute("alt") ?? "", name: MediaReferences.fileName(fromLink: node.attribute("src") ?? "")); return
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
