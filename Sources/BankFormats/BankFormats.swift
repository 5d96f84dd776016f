import Crypto
import ExamCore
import Foundation

/// The formats khaothi reads and writes.
public enum BankFormat: String, CaseIterable, Sendable, Codable {
    /// khaothi's own YAML (QuestionBanks/README.md).
    case native
    /// khaothi's JSON (the ExamCore values as they are).
    case json
    case gift
    case aiken
    /// Azota-style plain text: `Câu 1.`, `A.`–`H.`, `a)`–`d)`, `*` or an answer table for the key.
    case azota
    /// A Word document in the Azota style; bold or underline marks the key.
    case docx
    case moodlexml
    /// IMS QTI 2.1: one item (.xml) or a content package (.zip with imsmanifest.xml).
    case qti
    case csv
    case xlsx

    /// Guesses the format from the file name and its first bytes.
    public static func detect(fileName: String, data: Data) -> BankFormat? {
        let ext = (fileName as NSString).pathExtension.lowercased()
        let head = String(decoding: data.prefix(2048), as: UTF8.self)
        switch ext {
        case "yaml", "yml": return .native
        case "json": return .json
        case "gift": return .gift
        case "docx": return .docx
        case "csv", "tsv": return .csv
        case "xlsx": return .xlsx
        case "zip": return .qti
        case "xml":
            if head.contains("<quiz") { return .moodlexml }
            if head.contains("assessmentItem") || head.contains("imsqti") { return .qti }
            return nil
        case "txt", "md", "":
            if head.contains("::") || head.contains("{=") || head.contains("{~") || head.contains("{T}") || head.contains("{F}") { return .gift }
            if head.range(of: #"(?m)^ANSWER:\s*[A-Z]"#, options: .regularExpression) != nil { return .aiken }
            if head.range(of: #"(?mi)^\s*(Câu|Question)\s*\d+"#, options: .regularExpression) != nil { return .azota }
            return nil
        default: return nil
        }
    }
}

/// A file that cannot be read at all (not the format, too large, hostile): nothing is imported.
public struct BankFormatError: Error, Hashable, Sendable, CustomStringConvertible {
    fileprivate enum Base: String, Hashable, Sendable { case unreadable, tooLarge, hostile, unsupported }
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let base: Base
        /// Not this format, or broken beyond reading.
        public static let unreadable = Code(base: .unreadable)
        /// Larger than the limits (file size, entries, unpacked size).
        public static let tooLarge = Code(base: .tooLarge)
        /// Built to attack a reader: XML entities, zip bombs, paths leaving the package, deep nesting.
        public static let hostile = Code(base: .hostile)
        /// A format or feature khaothi does not read or write.
        public static let unsupported = Code(base: .unsupported)
        public var description: String { base.rawValue }
    }
    public let code: Code
    public let place: String
    public let message: String

    public init(_ code: Code, place: String, _ message: String) { self.code = code; self.place = place; self.message = message }
    public var description: String { "\(place): \(message)" }
}

extension MediaFile {
    /// A file read by a reader, its SHA-256 taken here.
    public init(name: String, data: Data, mimeType: String? = nil) {
        self.init(name: name, data: data, mimeType: mimeType ?? MediaFile.mimeType(for: name), sha256: Hex.encode(SHA256.hash(data: data)))
    }
}

/// What every reader needs besides the bytes: the file's name (for places), where its images are, and the
/// metadata to fill in when the format has none (GIFT, Aiken, Azota text carry no subject or level).
public struct ImportContext: Sendable {
    public var fileName: String
    /// The directory of the file, for images beside it.
    public var baseDirectory: URL?
    public var defaults: QuestionDefaults
    /// `--partial`: what a format says that khaothi can only approximate (a QTI item's custom scoring) is
    /// imported approximately with a warning, instead of being refused.
    public var partial: Bool

    public init(fileName: String, baseDirectory: URL? = nil, defaults: QuestionDefaults = QuestionDefaults(), partial: Bool = false) {
        self.fileName = fileName; self.baseDirectory = baseDirectory; self.defaults = defaults; self.partial = partial
    }

    func place(line: Int) -> String { "\(fileName):\(line)" }
}

/// Metadata given on the command line for formats that carry none.
public struct QuestionDefaults: Sendable, Hashable {
    public var bankName: String?
    public var subject: String?
    public var grade: Int?
    public var topic: String?
    public var lesson: String?
    public var level: Level?
    public var idPrefix: String?

    public init(bankName: String? = nil, subject: String? = nil, grade: Int? = nil, topic: String? = nil, lesson: String? = nil, level: Level? = nil, idPrefix: String? = nil) {
        self.bankName = bankName; self.subject = subject; self.grade = grade; self.topic = topic
        self.lesson = lesson; self.level = level; self.idPrefix = idPrefix
    }
}

/// Limits every reader enforces before it trusts a file.
public enum ImportLimits {
    /// The largest bank file read (bytes).
    public static let maximumFileBytes = 64 * 1024 * 1024
    /// The most questions one file may hold.
    public static let maximumQuestions = 100_000
    /// The longest source of one question (1 MB: an essay's text with its rubric fits many times over).
    public static let maximumQuestionBytes = 1_000_000

    static func tooManyQuestions(_ place: String) -> BankFormatError {
        BankFormatError(.tooLarge, place: place, "quá \(maximumQuestions) câu hỏi trong một tệp; chia nhỏ tệp / more than \(maximumQuestions) questions in one file; split it")
    }

    static func questionTooLarge(_ place: String) -> BankFormatError {
        BankFormatError(.tooLarge, place: place, "một câu hỏi dài quá \(maximumQuestionBytes / 1_000_000) MB / one question is longer than \(maximumQuestionBytes / 1_000_000) MB")
    }
    /// The most bytes a zip (docx, xlsx, QTI package) may unpack to, and the largest ratio of unpacked to packed.
    public static let maximumUnpackedBytes = 256 * 1024 * 1024
    public static let maximumCompressionRatio = 200
    /// The most entries in a zip.
    public static let maximumZipEntries = 20_000
    /// The deepest nesting allowed in YAML or XML.
    public static let maximumDepth = 64
}

extension ImportedBank {
    /// The last step of every reader: checks the questions (moving broken ones to `problems`), gathers their
    /// images (those embedded in the file when it carries them, else from beside it), orders problems by place.
    static func assemble(name: String? = nil, subject: String?, questions: [Question], groups: [QuestionGroup] = [],
                         problems: [BankProblem], skipped: Int, places: [String: String], embedded: [MediaFile]? = nil,
                         warnings: [BankProblem] = [], context: ImportContext) -> ImportedBank {
        let bankName = name ?? context.defaults.bankName ?? (context.fileName as NSString).deletingPathExtension
        var imported = ImportedBank(bank: QuestionBank(name: bankName, subject: subject, questions: questions, groups: groups),
                                    problems: problems, skipped: skipped, warnings: warnings, places: places)
        imported.validateQuestions(places: places, fileName: context.fileName)
        if let embedded, !embedded.isEmpty {
            let referenced = Set(imported.bank.questions.flatMap { MediaReferences.texts(of: $0).flatMap(MediaReferences.names(in:)) })
            imported.media = embedded.filter { referenced.contains($0.name) }
            // An image the text names but the file does not carry is an error with its place, never a dropped image.
            let carried = Set(embedded.map(\.name))
            for question in imported.bank.questions {
                for name in Set(MediaReferences.texts(of: question).flatMap(MediaReferences.names(in:))).sorted() where !carried.contains(name) {
                    let lower = name.lowercased()
                    if lower.hasPrefix("http:") || lower.hasPrefix("https:") || lower.hasPrefix("data:") { continue }
                    imported.problems.append(BankProblem(place: places[question.id] ?? context.fileName, questionID: question.id,
                                                         "không tìm thấy ảnh \"\(name)\" trong tệp / image \"\(name)\" is not in the file"))
                }
            }
        } else {
            imported.media = MediaCollector.collect(from: imported.bank, baseDirectory: context.baseDirectory, problems: &imported.problems,
                                                    places: places, fileName: context.fileName)
        }
        imported.problems.sortByPlace()
        imported.warnings.sortByPlace()
        return imported
    }

    /// Runs ExamCore's checks on every question read, moving the broken ones into `problems` with their
    /// places (`places[id]`), and checks ids are unique.
    mutating func validateQuestions(places: [String: String], fileName: String) {
        var kept: [Question] = []
        var seen = Set<String>()
        let groupIDs = Set(bank.groups.map(\.id))
        for question in bank.questions {
            let place = places[question.id] ?? fileName
            var found = question.problems()
            if !seen.insert(question.id).inserted { found.append("mã câu hỏi \"\(question.id)\" lặp lại / id \"\(question.id)\" appears twice") }
            if let group = question.groupID, !groupIDs.contains(group) { found.append("nhóm \"\(group)\" không có / unknown group \"\(group)\"") }
            if found.isEmpty {
                kept.append(question)
            } else {
                problems += found.map { BankProblem(place: place, questionID: question.id, $0) }
                skipped += 1
            }
        }
        bank.questions = kept
    }
}

extension Array where Element == BankProblem {
    /// Orders problems as a reader meets them: by file, then line (or cell), keeping ties in order.
    mutating func sortByPlace() {
        func key(_ place: String) -> (String, Int) {
            guard let colon = place.lastIndex(of: ":"), let line = Int(place[place.index(after: colon)...]) else {
                // Sheet!C12: sheet, then row number.
                if let bang = place.lastIndex(of: "!") {
                    let cell = place[place.index(after: bang)...]
                    return (String(place[..<bang]), Int(cell.drop(while: { $0.isLetter })) ?? 0)
                }
                return (place, 0)
            }
            return (String(place[..<colon]), line)
        }
        let keyed = enumerated().map { (key($0.element.place), $0.offset, $0.element) }
        self = keyed.sorted { $0.0.0 != $1.0.0 ? $0.0.0 < $1.0.0 : ($0.0.1 != $1.0.1 ? $0.0.1 < $1.0.1 : $0.1 < $1.1) }.map(\.2)
    }
}
