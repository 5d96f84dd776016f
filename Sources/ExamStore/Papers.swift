import ExamCore
import Foundation
internal import GRDB
import Synchronization

/// One answer as the page sends it: per attempt, sequence numbers grow with every change the candidate makes.
public struct ResponseEvent: Codable, Sendable, Hashable {
    public var sequence: Int
    /// The item key on the paper ("I.3").
    public var item: String
    public var value: ResponseValue
    /// When the page recorded it (for disputes; the server's time decides).
    public var clientTime: Date?

    public init(sequence: Int, item: String, value: ResponseValue, clientTime: Date? = nil) {
        self.sequence = sequence; self.item = item; self.value = value; self.clientTime = clientTime
    }
}

/// Papers decoded once per paper and shared: ten thousand attempts on 24 codes hold 24 papers, not ten
/// thousand. Papers never change once stored. Bounded: past `capacity` papers (one per candidate, or an
/// assignment's pool of own papers) one kept paper makes room, and is read again if it is needed again.
public final class PaperCache: Sendable {
    public static let capacity = 512

    /// A paper with what the checks and the pages need of it.
    public struct Entry: Sendable {
        public let id: Int64
        public let paper: Paper
        /// The kind of each item, by key.
        public let kinds: [String: QuestionKind]
        /// Images: item key → (name in its text → SHA-256).
        public let media: [String: [String: String]]
    }

    let entries = Mutex<[Int64: Entry]>([:])

    init() {}

    func known(_ id: Int64) -> Entry? { entries.withLock { $0[id] } }

    func paper(_ id: Int64, db: SQLConnection) throws -> Entry {
        if let known = known(id) { return known }
        guard let content = try String.fetchOne(db, sql: "SELECT content FROM paper WHERE id = ?", arguments: [id]) else {
            throw StoreError(.notFound, "không có đề \(id) / no paper \(id)")
        }
        let paper = try JSONDecoder().decode(Paper.self, from: Data(content.utf8))
        var media: [String: [String: String]] = [:]
        for row in try SQLRow.fetchAll(db, sql: """
            SELECT i.key, m.name, m.mediaSha256 FROM paperItem i JOIN questionRevisionMedia m ON m.questionRevisionId = i.questionRevisionId
            WHERE i.paperId = ?
            """, arguments: [id]) {
            media[row["key"], default: [:]][row["name"]] = row["mediaSha256"]
        }
        let entry = Entry(id: id, paper: paper, kinds: Dictionary(paper.items.map { ($0.key, $0.question.kind) }, uniquingKeysWith: { first, _ in first }),
                          media: media)
        entries.withLock { entries in
            if entries.count >= Self.capacity, entries[id] == nil { entries.remove(at: entries.startIndex) }
            entries[id] = entry
        }
        return entry
    }
}
