import BankFormats
import ExamCore
import Foundation

/// Reading and writing the JSON files of the CLI, with errors that name the file and the field.
enum JSONFiles {
    /// The largest JSON file the CLI reads (a bank of 20,000 questions is about 15 MB).
    static let maximumBytes = 256 * 1024 * 1024

    static func read<T: Decodable>(_ type: T.Type, from path: String, what: String) throws -> T {
        let url = URL(fileURLWithPath: path)
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        guard let size = attributes?[.size] as? NSNumber else {
            throw UserError("\(path): không mở được \(what) / cannot open the \(what) file")
        }
        guard size.intValue <= maximumBytes else {
            throw UserError("\(path): tệp quá lớn (\(size.intValue) byte, tối đa \(maximumBytes)) / file too large")
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw UserError("\(path): không đọc được \(what) / cannot read the \(what) file")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw UserError("\(path): \(describe(error))")
        } catch {
            throw UserError("\(path): không phải JSON hợp lệ / not valid JSON")
        }
    }

    static func describe(_ error: DecodingError) -> String { JSONBankFormat.describe(error) }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static func write<T: Encodable>(_ value: T, to url: URL) throws {
        var data = try encoder.encode(value)
        data.append(0x0A)
        try data.write(to: url, options: .atomic)
    }
}
