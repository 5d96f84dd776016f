import Foundation
import GRDB

/// A bank (ngân hàng câu hỏi).
struct BankRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "bank"
    var id: Int64?
    var name: String
    var subject: String?
    var createdAt: Date
    var updatedAt: Date

    enum Columns {
        static let name = Column(CodingKeys.name)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A passage's stable identity in a bank; its text lives in revisions.
struct PassageRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "passage"
    var id: Int64?
    var bankId: Int64
    var externalId: String
    var currentRevision: Int

    enum Columns {
        static let bankId = Column(CodingKeys.bankId)
        static let externalId = Column(CodingKeys.externalId)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One immutable revision of a passage.
struct PassageRevisionRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "passageRevision"
    var id: Int64?
    var passageId: Int64
    var revision: Int
    var text: String
    var shuffleQuestions: Bool
    var contentHash: String
    var createdAt: Date

    enum Columns {
        static let passageId = Column(CodingKeys.passageId)
        static let revision = Column(CodingKeys.revision)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A question's stable identity in a bank; its content lives in revisions.
struct QuestionRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "question"
    var id: Int64?
    var bankId: Int64
    var externalId: String
    var currentRevision: Int

    enum Columns {
        static let bankId = Column(CodingKeys.bankId)
        static let externalId = Column(CodingKeys.externalId)
        static let currentRevision = Column(CodingKeys.currentRevision)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One immutable revision of a question: the filter columns, and the whole question as JSON.
/// Papers point at these rows, so a taken paper never changes.
struct QuestionRevisionRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "questionRevision"
    var id: Int64?
    var questionId: Int64
    var revision: Int
    var kind: String
    var subject: String
    var grade: Int?
    var topic: String
    var lesson: String?
    var requirement: String?
    var level: String
    var pointsHundredths: Int
    var passageExternalId: String?
    var content: String
    var contentHash: String
    var createdAt: Date

    enum Columns {
        static let questionId = Column(CodingKeys.questionId)
        static let revision = Column(CodingKeys.revision)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

struct QuestionTagRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "questionTag"
    var questionRevisionId: Int64
    var tag: String
}

/// An image, stored once by its SHA-256.
struct MediaRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "media"
    var sha256: String
    var mimeType: String
    var byteCount: Int
    var data: Data
}

/// The name a revision's text uses for an image.
struct QuestionRevisionMediaRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "questionRevisionMedia"
    var questionRevisionId: Int64
    var name: String
    var mediaSha256: String
}

struct BlueprintRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "blueprint"
    var id: Int64?
    var name: String
    var subject: String
    var content: String
    var createdAt: Date
    var updatedAt: Date

    enum Columns {
        static let name = Column(CodingKeys.name)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
