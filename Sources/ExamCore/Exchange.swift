import Foundation

// The values that cross between the readers of bank and class-list files (BankFormats) and the store
// (ExamStore), so that neither needs to know the other.

/// An image or other file a question refers to, kept by content (SHA-256, taken by whoever read the bytes).
public struct MediaFile: Hashable, Sendable {
    /// The name the question text uses: `![Hình 1](hinh1.png)`.
    public var name: String
    public var data: Data
    public var mimeType: String
    public var sha256: String

    public init(name: String, data: Data, mimeType: String, sha256: String) {
        self.name = name; self.data = data; self.mimeType = mimeType; self.sha256 = sha256
    }

    public static func mimeType(for name: String) -> String {
        switch (name as NSString).pathExtension.lowercased() {
        case "png": "image/png"
        case "jpg", "jpeg": "image/jpeg"
        case "gif": "image/gif"
        case "svg": "image/svg+xml"
        case "webp": "image/webp"
        case "bmp": "image/bmp"
        case "emf": "image/emf"
        case "wmf": "image/wmf"
        default: "application/octet-stream"
        }
    }
}

/// What a reader made of a file: the questions it could read, the media they use, and every problem.
public struct ImportedBank: Sendable {
    public var bank: QuestionBank
    public var media: [MediaFile]
    /// Problems, each with its place; a question with a problem is not in `bank`.
    public var problems: [BankProblem]
    /// How many questions were left out because of problems.
    public var skipped: Int
    /// What was read but not quite as written (an unknown character reference kept as it is, scoring that
    /// could only be imported as all-or-nothing): the questions are in `bank`; these do not stop an import.
    public var warnings: [BankProblem]
    /// Where each question was read (`file:line`, `Sheet!C12`), by id.
    public var places: [String: String]

    public init(bank: QuestionBank, media: [MediaFile] = [], problems: [BankProblem] = [], skipped: Int = 0, warnings: [BankProblem] = [],
                places: [String: String] = [:]) {
        self.bank = bank; self.media = media; self.problems = problems; self.skipped = skipped; self.warnings = warnings; self.places = places
    }
}

/// One thing wrong in a bank file, with its place (`file:line` or `Sheet!C12`) and what to fix.
public struct BankProblem: Error, Hashable, Sendable, Codable, CustomStringConvertible {
    public var place: String
    /// The question it concerns, when known.
    public var questionID: String?
    /// "Vietnamese / English".
    public var message: String

    public init(place: String, questionID: String? = nil, _ message: String) {
        self.place = place; self.questionID = questionID; self.message = message
    }

    public var description: String { "\(place): \(message)" }
}

/// A student on a class list (danh sách học sinh), as a coordinator imports it for an exam.
public struct RosterEntry: Codable, Hashable, Sendable {
    /// Mã học sinh.
    public var studentID: String
    /// Họ và tên, NFC.
    public var fullName: String
    /// Ngày sinh as ISO `yyyy-MM-dd`, when given.
    public var dateOfBirth: String?
    /// Lớp.
    public var className: String?

    public init(studentID: String, fullName: String, dateOfBirth: String? = nil, className: String? = nil) {
        self.studentID = studentID; self.fullName = fullName; self.dateOfBirth = dateOfBirth; self.className = className
    }
}

/// The rich texts of a question and the images they name.
public enum MediaReferences {
    /// Every `![…](target)` target in a text; a target with spaces is written `![…](<hình 2.png>)`.
    public static func names(in text: String) -> [String] {
        var found: [String] = []
        var rest = text[...]
        while let start = rest.range(of: "![") {
            rest = rest[start.upperBound...]
            guard let close = rest.range(of: "](") else { break }
            let destination = rest[close.upperBound...]
            if destination.first == "<", let end = destination.firstIndex(of: ">") {
                let target = String(destination[destination.index(after: destination.startIndex)..<end])
                if !target.isEmpty { found.append(target) }
                rest = destination[end...]
                continue
            }
            guard let end = destination.firstIndex(of: ")") else { break }
            var target = String(destination[..<end])
            if let space = target.firstIndex(of: " ") { target = String(target[..<space]) }  // ![a](x.png "title")
            if !target.isEmpty { found.append(target) }
            rest = rest[end...]
        }
        return found
    }

    /// The Markdown of an image: `![alt](name)`, or `![alt](<name>)` when the name holds spaces or brackets
    /// (`hình 2.png`), so that it reads back whole.
    public static func markdown(alt: String, name: String) -> String {
        let cleanAlt = alt.replacingOccurrences(of: "]", with: ")").replacingOccurrences(of: "\n", with: " ")
        let simple = !name.contains(where: { $0 == " " || $0 == "(" || $0 == ")" || $0 == "<" || $0 == ">" })
        return "![\(cleanAlt)](\(simple ? name : "<" + name + ">"))"
    }

    /// A name as written in a link (`h%C3%ACnh%202.png`, `@@PLUGINFILE@@/hình 2.png`): the file's own name.
    public static func fileName(fromLink link: String) -> String {
        var name = link
        if name.hasPrefix("@@PLUGINFILE@@/") { name = String(name.dropFirst("@@PLUGINFILE@@/".count)) }
        if let query = name.firstIndex(where: { $0 == "?" || $0 == "#" }), !name.lowercased().hasPrefix("data:") { name = String(name[..<query]) }
        return (name.removingPercentEncoding ?? name).precomposedStringWithCanonicalMapping
    }

    /// Every rich text of a question: stem, explanation, options, statements, items, cloze text, rubric.
    public static func texts(of question: Question) -> [String] {
        var texts = [question.stem] + (question.explanation.map { [$0] } ?? [])
        switch question.body {
        case let .singleChoice(body): texts += body.options.map(\.text)
        case let .multipleResponse(body): texts += body.options.map(\.text)
        case let .trueFalse(body): texts += body.statements.map(\.text)
        case let .matching(body): texts += body.premises.map(\.text) + body.choices.map(\.text)
        case let .ordering(body): texts += body.items.map(\.text)
        case let .cloze(body):
            texts.append(body.text)
            for gap in body.gaps { if case let .choice(options, _) = gap.answer { texts += options.map(\.text) } }
        case let .essay(body): texts += body.rubric.map { [$0] } ?? []
        case .numeric, .shortText: break
        }
        return texts
    }
}
