import ExamCore
import Foundation

/// Finds the images a bank's text refers to (`![alt](name.png)`) and reads them from beside the bank file.
enum MediaCollector {
    /// The largest image read (bytes).
    static let maximumImageBytes = 16 * 1024 * 1024

    /// Reads every local image the bank refers to. Web and data: addresses are left alone; names that
    /// leave the bank's directory, and missing files, are problems.
    static func collect(from bank: QuestionBank, baseDirectory: URL?, problems: inout [BankProblem], places: [String: String], fileName: String) -> [MediaFile] {
        var media: [String: MediaFile] = [:]
        var textsByOwner: [(String?, String)] = bank.groups.map { (nil, $0.passage) }
        for question in bank.questions { textsByOwner += MediaReferences.texts(of: question).map { (question.id, $0) } }
        for (owner, text) in textsByOwner {
            for name in MediaReferences.names(in: text) where media[name] == nil {
                let lower = name.lowercased()
                if lower.hasPrefix("http:") || lower.hasPrefix("https:") || lower.hasPrefix("data:") || lower.hasPrefix("media:") { continue }
                let place = owner.flatMap { places[$0] } ?? fileName
                guard !name.hasPrefix("/"), !name.split(separator: "/").contains("..") else {
                    problems.append(BankProblem(place: place, questionID: owner, "ảnh \"\(name)\" phải nằm cạnh tệp ngân hàng / image \"\(name)\" must be beside the bank file"))
                    continue
                }
                guard let base = baseDirectory else { continue }
                let url = base.appendingPathComponent(name)
                guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path), let size = attributes[.size] as? NSNumber else {
                    problems.append(BankProblem(place: place, questionID: owner, "không tìm thấy ảnh \"\(name)\" / image \"\(name)\" not found"))
                    continue
                }
                guard size.intValue <= maximumImageBytes, let data = try? Data(contentsOf: url) else {
                    problems.append(BankProblem(place: place, questionID: owner, "ảnh \"\(name)\" quá lớn hoặc không đọc được / image \"\(name)\" too large or unreadable"))
                    continue
                }
                media[name] = MediaFile(name: name, data: data)
            }
        }
        return media.keys.sorted().map { media[$0]! }
    }
}
