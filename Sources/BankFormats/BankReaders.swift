import ExamCore
import Foundation

/// Reads a bank file in any supported format.
public enum BankReaders {
    /// Reads `url`, detecting the format from its name and content unless `format` is given.
    public static func read(_ url: URL, format: BankFormat? = nil, defaults: QuestionDefaults = QuestionDefaults(), partial: Bool = false) throws -> ImportedBank {
        let fileName = url.lastPathComponent
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        guard let size = (attributes?[.size] as? NSNumber)?.intValue, (attributes?[.type] as? FileAttributeType) != .typeDirectory else {
            throw BankFormatError(.unreadable, place: url.path, "không mở được tệp / cannot open the file")
        }
        guard size <= ImportLimits.maximumFileBytes else {
            throw BankFormatError(.tooLarge, place: fileName, "tệp \(size) byte, tối đa \(ImportLimits.maximumFileBytes) / file larger than \(ImportLimits.maximumFileBytes) bytes")
        }
        let data = try Data(contentsOf: url)
        guard let format = format ?? BankFormat.detect(fileName: fileName, data: data) else {
            throw BankFormatError(.unsupported, place: fileName, "không nhận ra định dạng; dùng --format / cannot tell the format; give --format")
        }
        let context = ImportContext(fileName: fileName, baseDirectory: url.deletingLastPathComponent(), defaults: defaults, partial: partial)
        return try read(data, format: format, context: context)
    }

    /// Reads bytes in a known format. Every format is held to the same limits: the file's size before anything
    /// is read, the number of questions (the readers stop as soon as it is passed), and at least one question.
    public static func read(_ data: Data, format: BankFormat, context: ImportContext) throws -> ImportedBank {
        guard data.count <= ImportLimits.maximumFileBytes else {
            throw BankFormatError(.tooLarge, place: context.fileName, "tệp \(data.count) byte, tối đa \(ImportLimits.maximumFileBytes) / file larger than \(ImportLimits.maximumFileBytes) bytes")
        }
        let imported = try readFormat(data, format: format, context: context)
        guard imported.bank.questions.count + imported.skipped <= ImportLimits.maximumQuestions else { throw ImportLimits.tooManyQuestions(context.fileName) }
        guard !imported.bank.questions.isEmpty || !imported.problems.isEmpty else {
            throw BankFormatError(.unreadable, place: context.fileName, "không tìm thấy câu hỏi nào / no question found")
        }
        return imported
    }

    private static func readFormat(_ data: Data, format: BankFormat, context: ImportContext) throws -> ImportedBank {
        switch format {
        case .native: return try NativeFormat.read(data, context: context)
        case .json: return try JSONBankFormat.read(data, context: context)
        case .gift: return try GIFTFormat.read(data, context: context)
        case .aiken: return try AikenFormat.read(data, context: context)
        case .azota: return try AzotaFormat.read(data, context: context)
        case .docx: return try DocxFormat.read(data, context: context)
        case .csv: return try CSVFormat.read(data, context: context)
        case .xlsx: return try XLSXFormat.read(data, context: context)
        case .qti: return try QTIFormat.read(data, context: context)
        case .moodlexml: return try MoodleXMLFormat.read(data, context: context)
        }
    }
}

/// khaothi's JSON bank (ExamCore's Codable values), as `paper generate` reads it.
public enum JSONBankFormat {
    public static func read(_ data: Data, context: ImportContext) throws -> ImportedBank {
        let bank: QuestionBank
        do {
            bank = try JSONDecoder().decode(QuestionBank.self, from: data)
        } catch let error as DecodingError {
            throw BankFormatError(.unreadable, place: context.fileName, describe(error))
        }
        var imported = ImportedBank(bank: bank)
        imported.validateQuestions(places: Dictionary(bank.questions.enumerated().map { ($1.id, "\(context.fileName): questions[\($0)]") }, uniquingKeysWith: { a, _ in a }), fileName: context.fileName)
        imported.media = MediaCollector.collect(from: imported.bank, baseDirectory: context.baseDirectory, problems: &imported.problems,
                                                places: [:], fileName: context.fileName)
        return imported
    }

    public static func write(_ bank: QuestionBank) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(bank)
    }

    /// "questions[3].level: unknown level" from a decoding error.
    public static func describe(_ error: DecodingError) -> String {
        func place(_ path: [CodingKey]) -> String {
            path.reduce("") { text, key in
                if let index = key.intValue { return text + "[\(index)]" }
                return text.isEmpty ? key.stringValue : text + "." + key.stringValue
            }
        }
        switch error {
        case let .dataCorrupted(context):
            if context.codingPath.isEmpty { return "không phải JSON hợp lệ / not valid JSON" }
            return "\(place(context.codingPath)): \(context.debugDescription)"
        case let .keyNotFound(key, context):
            let at = place(context.codingPath)
            return "\(at.isEmpty ? "" : at + ": ")thiếu trường \"\(key.stringValue)\" / missing field \"\(key.stringValue)\""
        case let .typeMismatch(type, context):
            return "\(place(context.codingPath)): sai kiểu, cần \(type) / wrong type, expected \(type)"
        case let .valueNotFound(type, context):
            return "\(place(context.codingPath)): thiếu giá trị \(type) / missing value"
        @unknown default:
            return "\(error)"
        }
    }
}

extension BankReaders {
    /// Several files read as one bank (an upload of many files): questions and passages in file order, a
    /// question that two files both hold (the same id) kept once, problems and warnings of every file.
    public static func merge(_ reads: [ImportedBank]) -> ImportedBank {
        guard var merged = reads.first else { return ImportedBank(bank: QuestionBank(name: "", questions: [])) }
        var ids = Set(merged.bank.questions.map(\.id))
        var groups = Set(merged.bank.groups.map(\.id))
        var media = Set(merged.media.map(\.name))
        for read in reads.dropFirst() {
            if merged.bank.subject == nil { merged.bank.subject = read.bank.subject }
            for question in read.bank.questions {
                guard ids.insert(question.id).inserted else {
                    merged.warnings.append(BankProblem(place: read.places[question.id] ?? read.bank.name, questionID: question.id,
                                                       "câu này đã có trong một tệp khác của lần tải lên; bỏ qua bản sau / the same question is in another uploaded file; the later copy is left out"))
                    continue
                }
                merged.bank.questions.append(question)
                if let place = read.places[question.id] { merged.places[question.id] = place }
            }
            for group in read.bank.groups where groups.insert(group.id).inserted { merged.bank.groups.append(group) }
            for file in read.media where media.insert(file.name).inserted { merged.media.append(file) }
            merged.problems += read.problems
            merged.warnings += read.warnings
            merged.skipped += read.skipped
        }
        return merged
    }
}
