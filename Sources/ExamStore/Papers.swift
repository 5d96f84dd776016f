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
/// thousand. Only a regrade rewrites a paper, and it bumps the paper's `revision`: a kept paper is compared with
/// it at most once a `freshness` interval when read, and always inside a writing transaction that grades (so a
/// regrade committed by another node is never graded against the old key). Bounded: past `capacity` papers (one
/// per candidate, or an assignment's pool of own papers) one kept paper makes room, and is read again if needed.
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
        /// The paper's revision in the database when it was read (bumped by every regrade that rewrites it).
        public let revision: Int
    }

    struct Held {
        var entry: Entry
        var checkedAt: ContinuousClock.Instant
    }

    let entries = Mutex<[Int64: Held]>([:])
    let freshness: Duration

    init(freshness: Duration = .seconds(1)) { self.freshness = freshness }

    /// The paper, if it is kept and was compared with the database within `freshness`.
    func known(_ id: Int64) -> Entry? {
        let now = ContinuousClock.now
        return entries.withLock { entries in entries[id].flatMap { now - $0.checkedAt < freshness ? $0.entry : nil } }
    }

    /// The paper as the database holds it: the kept one when it is fresh (or, `exact`, always compared with the
    /// database's revision first), else read again.
    func paper(_ id: Int64, db: SQLConnection, exact: Bool = false) throws -> Entry {
        if !exact, let known = known(id) { return known }
        guard let revision = try Int.fetchOne(try db.cachedStatement(sql: "SELECT revision FROM paper WHERE id = ?"), arguments: [id]) else {
            throw StoreError(.notFound, "không có đề \(id) / no paper \(id)")
        }
        let now = ContinuousClock.now
        if let kept = entries.withLock({ entries -> Entry? in
            guard let held = entries[id], held.entry.revision == revision else { return nil }
            entries[id]!.checkedAt = now
            return held.entry
        }) { return kept }
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
                          media: media, revision: revision)
        entries.withLock { entries in
            if entries.count >= Self.capacity, entries[id] == nil { entries.remove(at: entries.startIndex) }
            entries[id] = Held(entry: entry, checkedAt: now)
        }
        return entry
    }
}
