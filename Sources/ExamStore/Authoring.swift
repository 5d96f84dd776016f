import ExamCore
import Foundation

// What teachers do with banks, blueprints and printed papers, as plain values. Who may touch what is decided
// by the store, in the transaction that reads or writes (STYLE habit 9): a route passes the member asking.

/// Who is asking. Admins see and edit everything; everyone else what they own or what is shared with them.
public struct Actor: Sendable, Hashable {
    public var username: String
    public var isAdmin: Bool
    public init(username: String, isAdmin: Bool) { self.username = username; self.isAdmin = isAdmin }
}

/// What a member may do with a bank.
public enum BankAccess: String, Codable, Sendable, Comparable, CaseIterable {
    case none, read, edit, owner

    public static func < (lhs: BankAccess, rhs: BankAccess) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Who sees a bank beyond its owner and the teachers it is shared with.
public enum BankVisibility: String, Codable, Sendable {
    /// The owner, admins, and the teachers named in its shares.
    case `private`
    /// Every member of staff reads it; the owner, admins and teachers shared with for editing edit it.
    case school
}

/// A teacher a bank is shared with, and how.
public struct BankShare: Codable, Sendable, Hashable {
    public var username: String
    /// `.read` or `.edit`.
    public var access: BankAccess
    public init(username: String, access: BankAccess) { self.username = username; self.access = access }
}

/// A bank as its list shows it to one member.
public struct BankInfo: Codable, Sendable, Hashable {
    public var name: String
    public var subject: String?
    public var owner: String?
    public var visibility: BankVisibility
    public var shares: [BankShare]
    public var questions: Int
    public var unclassified: Int
    public var retired: Int
    public var updatedAt: Date
    /// What the member asking may do.
    public var access: BankAccess
}

/// How a bank browser page sorts.
public enum BrowseSort: String, Codable, Sendable, CaseIterable {
    /// The order questions came in (default), or best match first when searching.
    case added, updated, topic, level, kind
}

/// One page of a bank, filtered; every filter optional, combined with AND.
public struct BrowseQuery: Sendable, Hashable {
    public var bank: String
    public var text: String?
    public var subject: String?
    public var grade: Int?
    public var topic: String?
    public var lesson: String?
    public var level: Level?
    public var kind: QuestionKind?
    public var tag: String?
    /// Only unclassified (true) or only classified (false) questions.
    public var unclassified: Bool?
    /// Only questions a paper used (true) or none used (false).
    public var used: Bool?
    /// Retired questions instead of the live ones.
    public var retired: Bool
    public var sort: BrowseSort
    public var descending: Bool
    /// 1-based.
    public var page: Int
    public var pageSize: Int

    public static let maximumPageSize = 200

    public init(bank: String, text: String? = nil, subject: String? = nil, grade: Int? = nil, topic: String? = nil, lesson: String? = nil,
                level: Level? = nil, kind: QuestionKind? = nil, tag: String? = nil, unclassified: Bool? = nil, used: Bool? = nil,
                retired: Bool = false, sort: BrowseSort = .added, descending: Bool = false, page: Int = 1, pageSize: Int = 50) {
        self.bank = bank; self.text = text; self.subject = subject; self.grade = grade; self.topic = topic; self.lesson = lesson
        self.level = level; self.kind = kind; self.tag = tag; self.unclassified = unclassified; self.used = used; self.retired = retired
        self.sort = sort; self.descending = descending; self.page = page; self.pageSize = pageSize
    }
}

/// A question in the bank browser: the current revision, its use, who changed it last.
public struct BrowseRow: Sendable, Hashable {
    public var question: Question
    /// Images its text uses: name → SHA-256.
    public var media: [String: String]
    /// Papers (of exams and print sets) that use any revision of it.
    public var uses: Int
    public var retired: Bool
    public var updatedAt: Date
    public var updatedBy: String?
    /// How the current revision worked in the latest exam whose statistics were kept.
    public var observed: ObservedStatistics? = nil
}

/// A question revision's observed figures from an exam (kept from the statistics page or `khaothi exam stats --store`).
public struct ObservedStatistics: Codable, Sendable, Hashable {
    public var exam: String
    public var attempts: Int
    public var facility: Double
    public var discrimination: Double?
}

public struct BrowsePage: Sendable, Hashable {
    /// Questions matching the filters, over all pages.
    public var total: Int
    public var page: Int
    public var pageSize: Int
    public var rows: [BrowseRow]
}

/// What a bank holds, for the browser's filter lists.
public struct BankFacets: Codable, Sendable, Hashable {
    public struct Count: Codable, Sendable, Hashable {
        public var value: String
        public var count: Int
    }
    public var subjects: [Count]
    public var grades: [Count]
    public var topics: [Count]
    /// "topic / lesson" pairs.
    public var lessons: [Count]
    public var levels: [Count]
    public var kinds: [Count]
    public var tags: [Count]
    public var unclassified: Int
    public var used: Int
    public var retired: Int
}

/// A question with everything its editor shows: the revision, the history with who made each and what
/// changed, its images, its use.
public struct QuestionDetail: Sendable, Hashable {
    public struct Revision: Sendable, Hashable {
        public var revision: Int
        public var createdAt: Date
        public var createdBy: String?
        /// What changed from the revision before (empty for the first).
        public var changes: [QuestionChange]
        public var question: Question
    }
    public var bank: String
    public var question: Question
    public var media: [String: String]
    public var currentRevision: Int
    public var revisions: [Revision]
    public var uses: Int
    public var retired: Bool
    public var access: BankAccess
}

/// What saving did.
public struct SavedQuestion: Codable, Sendable, Hashable {
    public var id: String
    public var revision: Int
    /// False when the question was saved unchanged (no new revision).
    public var changed: Bool
    public var changes: [QuestionChange]
}

/// A change to many questions at once, from the bank browser.
public enum BulkAction: Sendable, Hashable {
    /// Topic (and lesson) and level together: classifies unclassified questions.
    case classify(subject: String?, topic: String, lesson: String?, level: Level)
    case setTopic(topic: String, lesson: String?)
    case setLevel(Level)
    case addTags([String])
    case removeTags([String])
    case move(toBank: String)
    case copy(toBank: String)
    /// Removes questions no paper used; retires the others.
    case delete
    /// Brings retired questions back.
    case restore
}

public struct BulkResult: Codable, Sendable, Hashable {
    public var changed: Int
    public var unchanged: Int
    public var moved: Int
    public var copied: Int
    public var deleted: Int
    public var retired: Int
    public var restored: Int
    /// Questions left as they were, with why ("q-12: đã có ở ngân hàng đích / already in the target bank").
    public var skipped: [String]
    /// Questions still unclassified after the change (a topic without a level, say).
    public var stillUnclassified: Int

    static let none = BulkResult(changed: 0, unchanged: 0, moved: 0, copied: 0, deleted: 0, retired: 0, restored: 0, skipped: [], stillUnclassified: 0)
}

/// What an import would do, before it does it.
public struct ImportPlan: Codable, Sendable, Hashable {
    public enum Status: String, Codable, Sendable { case new, changed, unchanged }
    public struct Entry: Codable, Sendable, Hashable {
        public var id: String
        public var place: String?
        public var kind: QuestionKind
        public var status: Status
        public var unclassified: Bool
        /// The stem's start, to recognise the question.
        public var stem: String
        /// For a changed question: what changes.
        public var changes: [QuestionChange]
    }
    public var bank: String
    /// Whether the bank exists already (otherwise it is created, owned by whoever imports).
    public var bankExists: Bool
    public var added: Int
    public var revised: Int
    public var unchanged: Int
    public var unclassified: Int
    /// Questions per kind, of those read without problems.
    public var kinds: [String: Int]
    public var entries: [Entry]
}

/// One entry of the audit log as read back.
public struct AuditEntry: Codable, Sendable, Hashable {
    public var id: Int64
    public var at: Date
    public var actor: String
    public var action: String
    public var exam: String?
    public var sbd: String?
    /// What it is about when not an exam's candidate: "question:Bank/q-1", "bank:Bank", "blueprint:Name".
    public var subject: String?
    public var reason: String
    /// JSON with the details (revision before → after, fields changed, counts).
    public var details: String?
}

/// Filters on the audit log; newest first.
public struct AuditQuery: Sendable, Hashable {
    public var actor: String?
    /// An action or a prefix of one ("question." for every change to questions).
    public var action: String?
    /// A subject or a prefix of one ("question:Toán 12/").
    public var subject: String?
    public var since: Date?
    public var limit: Int
    /// One exam's entries; with `room`, those of that room (its candidates' and the room's own notes).
    public var exam: String?
    public var room: String?
    /// Oldest first (a room's log reads in time order).
    public var ascending = false
    public init(actor: String? = nil, action: String? = nil, subject: String? = nil, since: Date? = nil, limit: Int = 200,
                exam: String? = nil, room: String? = nil, ascending: Bool = false) {
        self.actor = actor; self.action = action; self.subject = subject; self.since = since; self.limit = limit
        self.exam = exam; self.room = room; self.ascending = ascending
    }
}

/// A blueprint in the list.
public struct BlueprintSummary: Codable, Sendable, Hashable {
    public var name: String
    public var subject: String
    public var grade: Int?
    public var template: ExamTemplate?
    public var questions: Int
    public var points: Points
    public var owner: String?
    public var updatedAt: Date
    public var canEdit: Bool
}

/// How papers to print are made: K exam codes, or one per candidate.
public struct PrintRequest: Sendable, Hashable {
    public var name: String
    public var blueprint: String
    public var bank: String
    public var mode: PaperRequest.Mode
    public var seed: UInt64
    /// For the header: the school (Sở/Trường) and the exam's title.
    public var school: String?
    public var examTitle: String?
    public init(name: String, blueprint: String, bank: String, mode: PaperRequest.Mode, seed: UInt64, school: String? = nil, examTitle: String? = nil) {
        self.name = name; self.blueprint = blueprint; self.bank = bank; self.mode = mode; self.seed = seed; self.school = school; self.examTitle = examTitle
    }
}

/// A print set in the list.
public struct PrintSetSummary: Codable, Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var blueprint: String
    public var bank: String
    public var subject: String
    public var papers: Int
    public var owner: String
    public var createdAt: Date
    public var school: String?
    public var examTitle: String?
}

/// A print set with its papers (each carrying its key) and their images.
public struct PrintSet: Sendable, Hashable {
    public var summary: PrintSetSummary
    public var blueprint: Blueprint
    public var papers: [Paper]
    /// Item key → (name in its text → SHA-256), per paper code.
    public var media: [String: [String: [String: String]]]
}
