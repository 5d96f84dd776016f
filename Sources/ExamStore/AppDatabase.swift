import ExamCore
import Foundation
internal import GRDB

/// The khaothi database, opened once per process: a SQLite file (the default) or a PostgreSQL database.
///
/// SQLite: a `DatabasePool` in WAL mode with foreign keys on and `synchronous=FULL`, so a committed transaction
/// is on disk before the call returns; tests can use an in-memory queue. PostgreSQL: a pool of connections
/// (`PostgresPool`), `synchronous_commit` as the server has it (on by default). Repositories work against
/// `SQLDatabase` and `SQLConnection`, which run the same SQL on either; GRDB and PostgresNIO stay inside this
/// module: the rest of khaothi sees the repositories (`Store`) and plain values.
public struct AppDatabase: Sendable {
    let writer: SQLDatabase

    /// Opens (and migrates) a SQLite database over any GRDB writer.
    init(_ writer: any DatabaseWriter) throws {
        try Self.migrator.migrate(writer)
        self.writer = SQLDatabase(writer)
        try Self.backfill(self.writer)
    }

    /// Opens (and migrates) a PostgreSQL database.
    init(_ pool: PostgresPool) throws {
        try pool.withLink { try $0.migrate() }
        self.writer = SQLDatabase(pool)
        try Self.backfill(self.writer)
    }

    /// Which engine is underneath: "sqlite" or "postgresql".
    public var engine: String { writer.kind.rawValue }

    /// Opens the database at `location`: a SQLite file's path, or a `postgres://` URL (see `DatabaseAddress`).
    public static func open(_ location: String) throws -> AppDatabase {
        switch try DatabaseAddress(location) {
        case let .sqlite(path): try open(at: path)
        case let .postgres(address): try AppDatabase(PostgresPool(address: address))
        }
    }

    /// Lets go of the database's connections (PostgreSQL; SQLite's close with the last reference).
    public func close() { writer.close() }

    /// The default file, relative to the working directory.
    public static let defaultPath = "data/khaothi.sqlite"

    /// Opens the file at `path` (creating its directory), WAL, foreign keys, synchronous=FULL.
    public static func open(at path: String) throws -> AppDatabase {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        // Reads map the file (no copy through pread per page) and keep more pages: a 20,000-question bank's
        // browser pages and blueprint checks stay in memory. Writes are unchanged (WAL, synchronous=FULL).
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA mmap_size = 268435456")
            try db.execute(sql: "PRAGMA cache_size = -32768")
        }
        let pool = try DatabasePool(path: url.path, configuration: configuration)
        // DatabasePool sets synchronous=NORMAL when it turns WAL on; durability needs FULL on the writer.
        try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        return try AppDatabase(pool)
    }

    /// An empty in-memory database, for tests.
    public static func inMemory() throws -> AppDatabase {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        return try AppDatabase(DatabaseQueue(configuration: configuration))
    }

    /// Migrations are frozen once shipped: a change is a new migration. String table names, no app types.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: banks, revisions, media, blueprints, search") { db in
            try db.create(table: "bank") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique().check(sql: "length(trim(name)) > 0")
                t.column("subject", .text)
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(table: "passage") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("bank", onDelete: .restrict).notNull()
                t.column("externalId", .text).notNull().check { length($0) > 0 }
                t.column("currentRevision", .integer).notNull().check { $0 >= 1 }
                t.uniqueKey(["bankId", "externalId"])
            }
            try db.create(table: "passageRevision") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("passage", onDelete: .restrict).notNull()
                t.column("revision", .integer).notNull().check { $0 >= 1 }
                t.column("text", .text).notNull()
                t.column("shuffleQuestions", .boolean).notNull()
                t.column("contentHash", .text).notNull().check { length($0) == 64 }
                t.column("createdAt", .datetime).notNull()
                t.uniqueKey(["passageId", "revision"])
            }
            try db.create(table: "question") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("bank", onDelete: .restrict).notNull()
                t.column("externalId", .text).notNull().check { length($0) > 0 }
                t.column("currentRevision", .integer).notNull().check { $0 >= 1 }
                t.uniqueKey(["bankId", "externalId"])
            }
            try db.create(table: "questionRevision") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("question", onDelete: .restrict).notNull()
                t.column("revision", .integer).notNull().check { $0 >= 1 }
                t.column("kind", .text).notNull()
                    .check(sql: "kind IN ('single-choice','multiple-response','true-false','numeric','short-text','matching','ordering','cloze','essay')")
                t.column("subject", .text).notNull().check(sql: "length(trim(subject)) > 0")
                t.column("grade", .integer).check { $0 == nil || ($0 >= 1 && $0 <= 12) }
                t.column("topic", .text).notNull().check(sql: "length(trim(topic)) > 0")
                t.column("lesson", .text)
                t.column("requirement", .text)
                t.column("level", .text).notNull().check(sql: "level IN ('nhan-biet','thong-hieu','van-dung','van-dung-cao')")
                t.column("pointsHundredths", .integer).notNull().check { $0 > 0 }
                t.column("passageExternalId", .text)
                t.column("content", .text).notNull()
                t.column("contentHash", .text).notNull().check { length($0) == 64 }
                t.column("createdAt", .datetime).notNull()
                t.uniqueKey(["questionId", "revision"])
            }
            try db.create(index: "questionRevision_filters", on: "questionRevision", columns: ["subject", "grade", "topic", "level", "kind"])
            try db.create(table: "questionTag") { t in
                t.belongsTo("questionRevision", onDelete: .cascade).notNull()
                t.column("tag", .text).notNull().check(sql: "length(trim(tag)) > 0")
                t.primaryKey(["questionRevisionId", "tag"])
            }
            try db.create(index: "questionTag_tag", on: "questionTag", columns: ["tag"])
            try db.create(table: "media") { t in
                t.primaryKey("sha256", .text).check { length($0) == 64 }
                t.column("mimeType", .text).notNull()
                t.column("byteCount", .integer).notNull().check { $0 >= 0 }
                t.column("data", .blob).notNull()
            }
            try db.create(table: "questionRevisionMedia") { t in
                t.belongsTo("questionRevision", onDelete: .cascade).notNull()
                t.column("name", .text).notNull()
                t.belongsTo("media", onDelete: .restrict).notNull()
                t.primaryKey(["questionRevisionId", "name"])
            }
            try db.create(table: "blueprint") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique().check(sql: "length(trim(name)) > 0")
                t.column("subject", .text).notNull()
                t.column("content", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            // Full text over the current revision of each question: a diacritic-folded copy (đ → d), so
            // "ham so" finds "hàm số". One row per question, keyed by the question's rowid.
            try db.execute(sql: "CREATE VIRTUAL TABLE questionSearch USING fts5(folded, tokenize = 'unicode61 remove_diacritics 2')")
        }
        migrator.registerMigration("v2: exams, sessions, rooms, candidates, papers") { db in
            // Secrets the server needs, such as the key of the access-code hashes.
            try db.create(table: "setting") { t in
                t.primaryKey("key", .text)
                t.column("value", .blob).notNull()
            }
            try db.create(table: "exam") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique().check(sql: "length(trim(name)) > 0")
                t.column("subject", .text).notNull()
                t.column("bankName", .text).notNull()
                t.column("blueprint", .text).notNull()
                t.column("paperMode", .text).notNull().check(sql: "paperMode IN ('codes','candidates')")
                t.column("codeCount", .integer).check(sql: "codeCount IS NULL OR codeCount BETWEEN 1 AND 1000")
                t.column("firstCode", .integer).notNull()
                t.column("seed", .integer).notNull()
                t.column("resultsPolicy", .text).notNull().check(sql: "resultsPolicy IN ('immediate','later')")
                t.column("state", .text).notNull().check(sql: "state IN ('draft','prepared')")
                t.column("createdAt", .datetime).notNull()
                t.column("preparedAt", .datetime)
            }
            try db.create(table: "examSession") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("exam", onDelete: .cascade).notNull()
                t.column("name", .text).notNull().check(sql: "length(trim(name)) > 0")
                t.column("opensAt", .datetime).notNull()
                t.column("durationSeconds", .integer).notNull().check(sql: "durationSeconds > 0")
                t.column("lateEntrySeconds", .integer).notNull().check(sql: "lateEntrySeconds >= 0")
                t.column("graceSeconds", .integer).notNull().check(sql: "graceSeconds >= 0")
                t.column("policy", .text).notNull().check(sql: "policy IN ('fixed-end','from-start')")
                t.uniqueKey(["examId", "name"])
            }
            try db.create(table: "room") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("exam", onDelete: .cascade).notNull()
                t.column("name", .text).notNull().check(sql: "length(trim(name)) > 0")
                t.uniqueKey(["examId", "name"])
            }
            try db.create(table: "paper") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("exam", onDelete: .cascade).notNull()
                t.column("code", .text).notNull()
                t.column("content", .text).notNull()
                t.uniqueKey(["examId", "code"])
            }
            // The question revisions a paper uses, item by item: a taken paper never changes.
            try db.create(table: "paperItem") { t in
                t.belongsTo("paper", onDelete: .cascade).notNull()
                t.column("position", .integer).notNull().check(sql: "position >= 1")
                t.column("key", .text).notNull()
                t.belongsTo("questionRevision", onDelete: .restrict).notNull()
                t.column("pointsHundredths", .integer).notNull().check(sql: "pointsHundredths > 0")
                t.primaryKey(["paperId", "position"])
            }
            try db.create(table: "candidate") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("exam", onDelete: .cascade).notNull()
                t.column("studentId", .text).notNull().check(sql: "length(trim(studentId)) > 0")
                t.column("fullName", .text).notNull().check(sql: "length(trim(fullName)) > 0")
                t.column("dateOfBirth", .text).check(sql: "dateOfBirth IS NULL OR dateOfBirth GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'")
                t.column("className", .text)
                t.column("sbd", .text)
                t.belongsTo("examSession", onDelete: .restrict)
                t.belongsTo("room", onDelete: .restrict)
                t.belongsTo("paper", onDelete: .restrict)
                t.column("accessCodeHash", .text).check(sql: "accessCodeHash IS NULL OR length(accessCodeHash) = 64")
                t.uniqueKey(["examId", "studentId"])
                t.uniqueKey(["examId", "sbd"])
            }
        }
        migrator.registerMigration("v3: attempts, responses, the event log") { db in
            try db.create(table: "attempt") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("candidate", onDelete: .restrict).notNull().unique()
                t.column("state", .text).notNull().check(sql: "state IN ('in-progress','submitted')")
                t.column("startedAt", .datetime).notNull()
                t.column("extraSeconds", .integer).notNull().defaults(to: 0).check(sql: "extraSeconds >= 0")
                t.column("submittedAt", .datetime)
                t.column("autoSubmitted", .boolean).notNull().defaults(to: false)
                // The device that holds the attempt: a new login takes over and the old page is told.
                t.column("deviceToken", .text).notNull()
                t.column("scoreHundredths", .integer)
                t.column("pendingItems", .integer)
                t.column("breakdown", .text)
                t.check(sql: "(state = 'submitted') = (submittedAt IS NOT NULL)")
            }
            // The latest answer per item: a replayed or late event never overwrites a newer one.
            try db.create(table: "response") { t in
                t.belongsTo("attempt", onDelete: .cascade).notNull()
                t.column("itemKey", .text).notNull()
                t.column("value", .text).notNull()
                t.column("sequence", .integer).notNull().check(sql: "sequence > 0")
                t.column("receivedAt", .datetime).notNull()
                t.primaryKey(["attemptId", "itemKey"])
            }
            // Every event as it arrived, never updated: the record for disputes.
            try db.create(table: "responseEvent") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("attempt", onDelete: .restrict).notNull()
                t.column("sequence", .integer).notNull().check(sql: "sequence > 0")
                t.column("itemKey", .text).notNull()
                t.column("value", .text).notNull()
                t.column("clientTime", .datetime)
                t.column("receivedAt", .datetime).notNull()
                t.uniqueKey(["attemptId", "sequence"])
            }
            try db.execute(sql: """
                CREATE TRIGGER responseEvent_append_only_update BEFORE UPDATE ON responseEvent
                BEGIN SELECT RAISE(ABORT, 'responseEvent is append-only'); END;
                CREATE TRIGGER responseEvent_append_only_delete BEFORE DELETE ON responseEvent
                BEGIN SELECT RAISE(ABORT, 'responseEvent is append-only'); END;
                """)
        }
        migrator.registerMigration("v4: staff, added time, released results") { db in
            try db.create(table: "staff") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("username", .text).notNull().unique().check(sql: "length(trim(username)) > 0")
                t.column("fullName", .text).notNull()
                t.column("role", .text).notNull().check(sql: "role IN ('admin','coordinator','proctor','teacher')")
                // bcrypt, made by the server (ExamServer.StaffPasswords).
                t.column("passwordHash", .text).notNull().check(sql: "passwordHash LIKE '$2%'")
                t.column("createdAt", .datetime).notNull()
            }
            // Who added how much time to whom, and why: kept for disputes, never updated.
            try db.create(table: "timeAddition") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("attempt", onDelete: .restrict).notNull()
                t.column("seconds", .integer).notNull().check(sql: "seconds > 0")
                t.column("staffUsername", .text).notNull()
                t.column("reason", .text).notNull()
                t.column("addedAt", .datetime).notNull()
            }
            try db.alter(table: "exam") { t in t.add(column: "resultsReleasedAt", .datetime) }
        }
        migrator.registerMigration("v5: pauses, exam versions, audit, sessions") { db in
            try db.alter(table: "attempt") { t in
                // While a proctor has paused the attempt: since when; and the seconds of earlier pauses.
                t.add(column: "pausedAt", .datetime)
                t.add(column: "pausedSeconds", .integer).notNull().defaults(to: 0).check(sql: "pausedSeconds >= 0")
                // When the session that holds the attempt began: an older session (the device taken over)
                // cannot take it back without signing in again.
                t.add(column: "sessionIssuedAt", .datetime)
            }
            // Sessions begun before this moment no longer count (a new access code, a new password).
            try db.alter(table: "candidate") { t in t.add(column: "sessionsValidAfter", .datetime) }
            try db.alter(table: "staff") { t in
                t.add(column: "sessionsValidAfter", .datetime)
                t.add(column: "disabled", .boolean).notNull().defaults(to: false)
            }
            // Sessions ended by a logout, until they would have expired anyway.
            try db.create(table: "revokedSession") { t in
                t.primaryKey("id", .text)
                t.column("expiresAt", .datetime).notNull()
            }
            // Grows with every change to an exam's candidates and attempts: a process keeping them in memory
            // compares it to tell it has missed a change made elsewhere.
            try db.alter(table: "exam") { t in t.add(column: "version", .integer).notNull().defaults(to: 0) }
            // Every change to someone else's data: who, when, what, on which exam / candidate / object, and why.
            // Append-only, like the answer log.
            try db.create(table: "audit") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("at", .datetime).notNull()
                t.column("actor", .text).notNull()
                t.column("action", .text).notNull().check(sql: "length(action) > 0")
                // No foreign key: the log outlives what it speaks of.
                t.column("examId", .integer)
                t.column("sbd", .text)
                t.column("subject", .text)
                t.column("reason", .text).notNull().defaults(to: "")
                t.column("details", .text)
            }
            try db.create(index: "audit_exam", on: "audit", columns: ["examId", "at"])
            try db.execute(sql: """
                CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
                BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
                CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
                BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
                """)
        }
        migrator.registerMigration("v6: bank owners and shares, retired questions, revision authors, print sets") { db in
            // A bank belongs to a teacher and is private (with named teachers it is shared with) or read by the
            // whole school. Banks from before (or imported without an owner) are the school's, edited by admins.
            try db.alter(table: "bank") { t in
                t.add(column: "ownerUsername", .text)
                t.add(column: "visibility", .text).notNull().defaults(to: "school").check(sql: "visibility IN ('private','school')")
            }
            try db.create(table: "bankShare") { t in
                t.belongsTo("bank", onDelete: .cascade).notNull()
                t.column("username", .text).notNull().check(sql: "length(trim(username)) > 0")
                t.column("access", .text).notNull().check(sql: "access IN ('read','edit')")
                t.primaryKey(["bankId", "username"])
            }
            try db.create(index: "bankShare_username", on: "bankShare", columns: ["username"])
            // A question a paper used is retired instead of deleted: it leaves the bank's lists and blueprints.
            try db.alter(table: "question") { t in t.add(column: "retired", .boolean).notNull().defaults(to: false) }
            try db.alter(table: "questionRevision") { t in
                t.add(column: "unclassified", .boolean).notNull().defaults(to: false)
                // Who made the revision (a member of staff; NULL for imports from before).
                t.add(column: "createdBy", .text)
                // SHA-256 of the question's content identity (Question.identityText): the same question found
                // in another file. Filled for older rows when the database opens.
                t.add(column: "identityHash", .text).check(sql: "identityHash IS NULL OR length(identityHash) = 64")
            }
            try db.create(index: "questionRevision_identity", on: "questionRevision", columns: ["identityHash"])
            try db.create(index: "paperItem_revision", on: "paperItem", columns: ["questionRevisionId"])
            try db.alter(table: "blueprint") { t in
                t.add(column: "ownerUsername", .text)
                t.add(column: "updatedBy", .text)
            }
            // Papers generated to be printed (K codes or one per candidate) with their keys: the questions they
            // use are held like an exam's.
            try db.create(table: "printSet") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique().check(sql: "length(trim(name)) > 0")
                t.column("blueprint", .text).notNull()
                t.column("blueprintName", .text).notNull()
                t.column("bankName", .text).notNull()
                t.column("mode", .text).notNull().check(sql: "mode IN ('codes','candidates')")
                t.column("seed", .integer).notNull()
                t.column("school", .text)
                t.column("examTitle", .text)
                t.column("ownerUsername", .text).notNull()
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "printPaper") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("printSet", onDelete: .cascade).notNull()
                t.column("code", .text).notNull()
                t.column("content", .text).notNull()
                t.uniqueKey(["printSetId", "code"])
            }
            try db.create(table: "printPaperItem") { t in
                t.belongsTo("printPaper", onDelete: .cascade).notNull()
                t.column("position", .integer).notNull().check(sql: "position >= 1")
                t.belongsTo("questionRevision", onDelete: .restrict).notNull()
                t.primaryKey(["printPaperId", "position"])
            }
            try db.create(index: "printPaperItem_revision", on: "printPaperItem", columns: ["questionRevisionId"])
            try db.create(index: "audit_subject", on: "audit", columns: ["subject", "at"])
        }
        migrator.registerMigration("v7: the bank browser's columns on each question, a prefix index for search") { db in
            // The attributes of a question's current revision that the bank browser filters and sorts by, kept
            // on the question row by triggers: a page of a 20,000-question bank is filtered without visiting
            // the revisions (their rows are wide: the content is there). A new revision may be written before or
            // after the question row points at it; whichever comes second fills the columns.
            try db.alter(table: "question") { t in
                t.add(column: "currentSubject", .text)
                t.add(column: "currentGrade", .integer)
                t.add(column: "currentTopic", .text)
                t.add(column: "currentLesson", .text)
                t.add(column: "currentLevel", .text)
                t.add(column: "currentKind", .text)
                t.add(column: "currentUnclassified", .boolean).notNull().defaults(to: false)
                t.add(column: "currentCreatedAt", .datetime)
            }
            let columns = "(currentSubject, currentGrade, currentTopic, currentLesson, currentLevel, currentKind, currentUnclassified, currentCreatedAt)"
            let values = "r.subject, r.grade, r.topic, r.lesson, r.level, r.kind, r.unclassified, r.createdAt"
            try db.execute(sql: """
                UPDATE question SET \(columns) = (SELECT \(values) FROM questionRevision r WHERE r.questionId = question.id AND r.revision = question.currentRevision);
                CREATE TRIGGER question_current_revision_added AFTER INSERT ON questionRevision
                BEGIN UPDATE question SET \(columns) = (SELECT \(values) FROM questionRevision r WHERE r.id = NEW.id)
                      WHERE id = NEW.questionId AND currentRevision = NEW.revision; END;
                CREATE TRIGGER question_current_revision_changed AFTER UPDATE ON questionRevision
                BEGIN UPDATE question SET \(columns) = (SELECT \(values) FROM questionRevision r WHERE r.id = NEW.id)
                      WHERE id = NEW.questionId AND currentRevision = NEW.revision; END;
                CREATE TRIGGER question_current_revision_moved AFTER UPDATE OF currentRevision ON question
                BEGIN UPDATE question SET \(columns) = (SELECT \(values) FROM questionRevision r WHERE r.questionId = NEW.id AND r.revision = NEW.currentRevision)
                      WHERE id = NEW.id AND EXISTS (SELECT 1 FROM questionRevision r WHERE r.questionId = NEW.id AND r.revision = NEW.currentRevision); END;
                """)
            // Prefix queries ("chu"* "de"* "3"*) read a prefix index instead of every token that starts so.
            try db.execute(sql: """
                CREATE VIRTUAL TABLE questionSearchPrefixed USING fts5(folded, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3');
                INSERT INTO questionSearchPrefixed(rowid, folded) SELECT rowid, folded FROM questionSearch;
                DROP TABLE questionSearch;
                ALTER TABLE questionSearchPrefixed RENAME TO questionSearch;
                """)
        }
        migrator.registerMigration("v8: who released an exam's results") { db in
            try db.alter(table: "exam") { t in t.add(column: "resultsReleasedBy", .text) }
        }
        migrator.registerMigration("v9: candidates marked absent") { db in
            try db.alter(table: "candidate") { t in t.add(column: "absentAt", .datetime) }
        }
        migrator.registerMigration("v10: proctors assigned to rooms") { db in
            // When an exam has assignments, a proctor sees and acts on the rooms assigned to them only.
            try db.create(table: "roomProctor") { t in
                t.belongsTo("room", onDelete: .cascade).notNull()
                t.column("username", .text).notNull().check(sql: "length(trim(username)) > 0")
                t.primaryKey(["roomId", "username"])
            }
        }
        migrator.registerMigration("v11: moves to another computer by a proctor's permission") { db in
            // free: a second computer with the access code takes the attempt over (the proctor sees it in the log);
            // proctor: only within minutes of a proctor's "allow move" for that candidate.
            try db.alter(table: "exam") { t in
                t.add(column: "takeoverPolicy", .text).notNull().defaults(to: "free").check(sql: "takeoverPolicy IN ('free','proctor')")
            }
            try db.alter(table: "candidate") { t in t.add(column: "moveAllowedUntil", .datetime) }
        }
        migrator.registerMigration("v12: what a candidate may review after the attempt") { db in
            // none: only that the paper was submitted; score: the total and the points per item; answers: also
            // their own answers, marked; key: also the key and the explanation (lời giải). Shown when results are.
            try db.alter(table: "exam") { t in
                t.add(column: "reviewPolicy", .text).notNull().defaults(to: "score").check(sql: "reviewPolicy IN ('none','score','answers','key')")
            }
        }
        migrator.registerMigration("v13: manual grading, one or two rounds") { db in
            try db.alter(table: "exam") { t in
                t.add(column: "gradingRounds", .integer).notNull().defaults(to: 1).check(sql: "gradingRounds IN (1, 2)")
                t.add(column: "gradingThresholdHundredths", .integer).notNull().defaults(to: 50).check(sql: "gradingThresholdHundredths >= 0")
            }
            // Round 1 and 2 by different graders; round 3 decides when they differ beyond the threshold.
            try db.create(table: "manualGrade") { t in
                t.belongsTo("attempt", onDelete: .cascade).notNull()
                t.column("itemKey", .text).notNull()
                t.column("round", .integer).notNull().check(sql: "round BETWEEN 1 AND 3")
                t.column("grader", .text).notNull()
                t.column("pointsHundredths", .integer).notNull().check(sql: "pointsHundredths >= 0")
                t.column("comment", .text).notNull().defaults(to: "")
                t.column("gradedAt", .datetime).notNull()
                t.primaryKey(["attemptId", "itemKey", "round"])
            }
            try db.create(table: "examGrader") { t in
                t.belongsTo("exam", onDelete: .cascade).notNull()
                t.column("username", .text).notNull()
                t.primaryKey(["examId", "username"])
            }
        }
        migrator.registerMigration("v14: observed item statistics per question revision and exam") { db in
            try db.create(table: "questionStatistic") { t in
                t.belongsTo("questionRevision", onDelete: .cascade).notNull()
                t.belongsTo("exam", onDelete: .cascade).notNull()
                t.column("attempts", .integer).notNull()
                t.column("facility", .double).notNull()
                t.column("discrimination", .double)
                t.column("computedAt", .datetime).notNull()
                t.primaryKey(["questionRevisionId", "examId"])
            }
        }
        migrator.registerMigration("v15: the continuous-assessment record (sổ điểm): subjects, classes, students, entries, pushes") { db in
            try db.create(table: "gradebookSubject") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique().check(sql: "length(trim(name)) > 0")
                t.column("commentOnly", .boolean).notNull().defaults(to: false)
                t.column("periodsPerYear", .integer).notNull().check(sql: "periodsPerYear > 0")
            }
            try db.create(table: "schoolClass") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("year", .text).notNull().check(sql: "year GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9]'")
                t.column("name", .text).notNull().check(sql: "length(trim(name)) > 0")
                t.uniqueKey(["year", "name"])
            }
            // One record per student across exams and classes, by Mã học sinh.
            try db.create(table: "student") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("studentId", .text).notNull().unique().check(sql: "length(trim(studentId)) > 0")
                t.column("fullName", .text).notNull()
                t.column("dateOfBirth", .text)
            }
            try db.create(table: "classStudent") { t in
                t.belongsTo("class", inTable: "schoolClass", onDelete: .cascade).notNull()
                t.belongsTo("student", onDelete: .cascade).notNull()
                t.primaryKey(["classId", "studentId"])
            }
            try db.create(table: "gradeEntry") { t in
                t.belongsTo("class", inTable: "schoolClass", onDelete: .cascade).notNull()
                t.belongsTo("student", onDelete: .cascade).notNull()
                t.belongsTo("subject", inTable: "gradebookSubject", onDelete: .restrict).notNull()
                t.column("semester", .integer).notNull().check(sql: "semester IN (1, 2)")
                t.column("slot", .text).notNull().check(sql: "slot IN ('tx1','tx2','tx3','tx4','gk','ck')")
                t.column("tenths", .integer).check(sql: "tenths IS NULL OR tenths BETWEEN 0 AND 100")
                t.column("comment", .text).check(sql: "comment IS NULL OR comment IN ('Đ','CĐ')")
                t.column("source", .text).notNull()
                t.column("enteredBy", .text).notNull()
                t.column("enteredAt", .datetime).notNull()
                t.primaryKey(["classId", "studentId", "subjectId", "semester", "slot"])
                t.check(sql: "(tenths IS NULL) <> (comment IS NULL)")
            }
            // What a push wrote (and what each cell held before), so it can be undone.
            try db.create(table: "gradePush") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("exam", .text).notNull()
                t.column("year", .text).notNull()
                t.belongsTo("subject", inTable: "gradebookSubject", onDelete: .restrict).notNull()
                t.column("semester", .integer).notNull()
                t.column("slot", .text).notNull()
                t.column("changes", .text).notNull()
                t.column("pushedBy", .text).notNull()
                t.column("pushedAt", .datetime).notNull()
                t.column("undoneAt", .datetime)
            }
        }
        migrator.registerMigration("v16: room capacity") { db in
            // Seats per session; nil: as many as the even share needs.
            try db.alter(table: "room") { t in t.add(column: "capacity", .integer).check(sql: "capacity IS NULL OR capacity > 0") }
        }
        migrator.registerMigration("v17: autoscored questions a coordinator sends to graders") { db in
            try db.create(table: "reviewQuestion") { t in
                t.belongsTo("exam", onDelete: .cascade).notNull()
                t.belongsTo("questionRevision", onDelete: .cascade).notNull()
                t.primaryKey(["examId", "questionRevisionId"])
            }
        }
        migrator.registerMigration("v18: classwork: student accounts, class teachers, assignments done from home, practice") { db in
            // A student may take an assignment more than once: one candidate row per attempt (a lab exam's are all
            // attempt 1). SQLite cannot drop a table constraint, so the table is rebuilt (foreign keys are off
            // while a migration runs, and checked after it).
            try db.execute(sql: """
                CREATE TABLE "candidate_v18" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "examId" INTEGER NOT NULL REFERENCES "exam"("id") ON DELETE CASCADE,
                  "studentId" TEXT NOT NULL CHECK (length(trim(studentId)) > 0), "fullName" TEXT NOT NULL CHECK (length(trim(fullName)) > 0),
                  "dateOfBirth" TEXT CHECK (dateOfBirth IS NULL OR dateOfBirth GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'), "className" TEXT, "sbd" TEXT,
                  "examSessionId" INTEGER REFERENCES "examSession"("id") ON DELETE RESTRICT, "roomId" INTEGER REFERENCES "room"("id") ON DELETE RESTRICT,
                  "paperId" INTEGER REFERENCES "paper"("id") ON DELETE RESTRICT, "accessCodeHash" TEXT CHECK (accessCodeHash IS NULL OR length(accessCodeHash) = 64),
                  "sessionsValidAfter" DATETIME, "absentAt" DATETIME, "moveAllowedUntil" DATETIME,
                  "attemptNumber" INTEGER NOT NULL DEFAULT 1 CHECK (attemptNumber >= 1),
                  UNIQUE ("examId", "studentId", "attemptNumber"), UNIQUE ("examId", "sbd"));
                INSERT INTO candidate_v18 (id, examId, studentId, fullName, dateOfBirth, className, sbd, examSessionId, roomId, paperId, accessCodeHash,
                  sessionsValidAfter, absentAt, moveAllowedUntil)
                SELECT id, examId, studentId, fullName, dateOfBirth, className, sbd, examSessionId, roomId, paperId, accessCodeHash,
                  sessionsValidAfter, absentAt, moveAllowedUntil FROM candidate;
                DROP TABLE candidate;
                ALTER TABLE candidate_v18 RENAME TO candidate;
                CREATE INDEX "candidate_on_examId" ON "candidate"("examId");
                CREATE INDEX "candidate_on_examSessionId" ON "candidate"("examSessionId");
                CREATE INDEX "candidate_on_roomId" ON "candidate"("roomId");
                CREATE INDEX "candidate_on_paperId" ON "candidate"("paperId");
                """)
            // An assignment is an exam underneath (papers, attempts, the answer path, grading, results): `kind` keeps
            // it off the lab's lists. Its session ends by `endsBy` whatever the time limit.
            try db.alter(table: "exam") { t in t.add(column: "kind", .text).notNull().defaults(to: "exam").check(sql: "kind IN ('exam','assignment')") }
            try db.alter(table: "examSession") { t in t.add(column: "endsBy", .datetime) }
            // A student's own account: Mã học sinh and a bcrypt password, changed on first sign-in.
            try db.alter(table: "student") { t in
                t.add(column: "passwordHash", .text).check(sql: "passwordHash IS NULL OR passwordHash LIKE '$2%'")
                t.add(column: "mustChangePassword", .boolean).notNull().defaults(to: false)
                t.add(column: "sessionsValidAfter", .datetime)
            }
            // The class's join code: a student without a password sets their first one with it (and their date of birth).
            try db.alter(table: "schoolClass") { t in t.add(column: "joinCode", .text) }
            try db.create(table: "classTeacher") { t in
                t.belongsTo("class", inTable: "schoolClass", onDelete: .cascade).notNull()
                t.belongsTo("staff", onDelete: .cascade).notNull()
                t.column("subject", .text).notNull().defaults(to: "")
                t.primaryKey(["classId", "staffId", "subject"])
            }
            try db.create(table: "assignment") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("exam", onDelete: .cascade).notNull().unique()
                t.column("title", .text).notNull().check(sql: "length(trim(title)) > 0")
                t.column("createdBy", .text).notNull()
                t.column("opensAt", .datetime).notNull()
                t.column("closesAt", .datetime).notNull()
                t.column("lateUntil", .datetime)
                t.column("timeLimitSeconds", .integer).check(sql: "timeLimitSeconds IS NULL OR timeLimitSeconds > 0")
                t.column("attemptsAllowed", .integer).check(sql: "attemptsAllowed IS NULL OR attemptsAllowed > 0")
                t.column("counting", .text).notNull().check(sql: "counting IN ('highest','last','average')")
                t.column("ownPapers", .boolean).notNull()
                t.column("reviewAfter", .text).notNull().check(sql: "reviewAfter IN ('submit','close')")
                t.column("createdAt", .datetime).notNull()
                t.check(sql: "closesAt > opensAt AND (lateUntil IS NULL OR lateUntil > closesAt)")
            }
            try db.create(table: "assignmentClass") { t in
                t.belongsTo("assignment", onDelete: .cascade).notNull()
                t.belongsTo("class", inTable: "schoolClass", onDelete: .cascade).notNull()
                t.primaryKey(["assignmentId", "classId"])
            }
            // A bank (or one topic of it) a teacher opens to a class for practice: nothing of it counts.
            try db.create(table: "practice") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("class", inTable: "schoolClass", onDelete: .cascade).notNull()
                t.belongsTo("bank", onDelete: .cascade).notNull()
                t.column("topic", .text)
                t.column("openedBy", .text).notNull()
                t.column("openedAt", .datetime).notNull()
                t.column("closedAt", .datetime)
            }
            try db.create(table: "practiceAnswer") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("practice", onDelete: .cascade).notNull()
                t.belongsTo("student", onDelete: .cascade).notNull()
                t.column("questionId", .text).notNull()
                t.column("topic", .text).notNull()
                t.column("awardedHundredths", .integer).notNull()
                t.column("maximumHundredths", .integer).notNull()
                t.column("answeredAt", .datetime).notNull()
            }
            try db.create(index: "practiceAnswer_student", on: "practiceAnswer", columns: ["studentId", "answeredAt"])
        }
        migrator.registerMigration("v19: several nodes: a paper's revision, leases for background work, wrong logins") { db in
            // Bumped by every regrade that rewrites the paper: a node's cached copy is compared with it.
            try db.alter(table: "paper") { t in t.add(column: "revision", .integer).notNull().defaults(to: 0) }
            // Background work (the deadline watcher) held by one node at a time, until `expiresAt` unless renewed.
            try db.create(table: "lease") { t in
                t.primaryKey("name", .text)
                t.column("holder", .text).notNull()
                t.column("expiresAt", .datetime).notNull()
            }
            // Wrong access codes and passwords per account and address, shared by every node (`LoginLimiter`).
            try db.create(table: "loginFailure") { t in
                t.column("account", .text).notNull()
                t.column("address", .text).notNull()
                t.column("failures", .integer).notNull()
                t.column("lastFailure", .datetime).notNull()
                t.column("changedAt", .datetime).notNull()
                t.primaryKey(["account", "address"])
            }
            try db.create(index: "loginFailure_changedAt", on: "loginFailure", columns: ["changedAt"])
        }
        return migrator
    }

    /// Work a migration cannot do with SQL alone, done once when the database opens: the identity hash of
    /// revisions stored before it existed.
    static func backfill(_ writer: SQLDatabase) throws {
        let missing = try writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM questionRevision WHERE identityHash IS NULL") ?? 0 }
        guard missing > 0 else { return }
        try writer.write { db in
            let rows = try SQLRow.fetchAll(db, sql: "SELECT id, content FROM questionRevision WHERE identityHash IS NULL")
            guard !rows.isEmpty else { return }
            let decoder = JSONDecoder()
            let update = try db.cachedStatement(sql: "UPDATE questionRevision SET identityHash = ?, unclassified = ? WHERE id = ?")
            for row in rows {
                guard let question = try? decoder.decode(Question.self, from: Data((row["content"] as String).utf8)) else { continue }
                try update.execute(arguments: [Canonical.identityHash(question), question.unclassified, row["id"] as Int64])
            }
        }
    }
}

extension AppDatabase {
    /// A consistent copy of the whole database into a new file, through SQLite's online backup: safe while
    /// the server runs. Refuses to overwrite an existing file.
    public func backup(to path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StoreError(.exists, "\(path) đã có; chọn tên khác / \(path) exists; choose another name", field: "path")
        }
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        guard let sqlite = writer.sqlite else {
            throw StoreError(.invalid, "cơ sở dữ liệu PostgreSQL: sao lưu bằng pg_dump hoặc khaothi db copy / a PostgreSQL database: back it up with pg_dump or khaothi db copy", field: "database")
        }
        let destination = try DatabaseQueue(path: path)
        try sqlite.backup(to: destination)
        try destination.close()
    }

    /// Integrity and foreign-key checks; an empty list means the database is sound.
    public func check() throws -> [String] {
        guard let sqlite = writer.sqlite else {
            // PostgreSQL checks its own pages and enforces foreign keys as it writes: the schema is what is left.
            let tables = try writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM khaothi_migration") ?? 0 }
            return tables == PostgresSchema.migrations.count ? [] : ["lược đồ chưa cập nhật / the schema is not up to date"]
        }
        return try sqlite.read { db in
            var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
            let orphans = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
            problems += orphans.map { "khóa ngoại hỏng / broken foreign key: \($0["table"] as String? ?? "?") rowid \($0["rowid"] as Int64? ?? 0) → \($0["parent"] as String? ?? "?")" }
            return problems
        }
    }

    /// Replaces the database at `path` with the backup at `backupPath`, after checking the backup is a sound
    /// khaothi database. Stop the server first: restore swaps the whole content.
    public static func restore(from backupPath: String, to path: String) throws {
        guard FileManager.default.fileExists(atPath: backupPath) else {
            throw StoreError(.notFound, "không có tệp sao lưu \(backupPath) / no backup at \(backupPath)")
        }
        var configuration = Configuration()
        configuration.readonly = true
        let source: DatabaseQueue
        do {
            source = try DatabaseQueue(path: backupPath, configuration: configuration)
            let problems = try source.read { db -> [String] in
                guard try db.tableExists("bank"), try db.tableExists("grdb_migrations") else { return ["không phải cơ sở dữ liệu khaothi / not a khaothi database"] }
                return try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
            }
            guard problems.isEmpty else {
                throw StoreError(.invalid, "\(backupPath): bản sao lưu hỏng / the backup is damaged", problems: problems)
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.invalid, "\(backupPath): không đọc được bản sao lưu / cannot read the backup", cause: error)
        }
        let target = try AppDatabase.open(at: path)
        guard let writer = target.writer.sqlite else { return }
        try source.backup(to: writer)
        try source.close()
        _ = try AppDatabase(writer)
    }
}
