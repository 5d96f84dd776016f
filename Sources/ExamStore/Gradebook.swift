import ExamCore
import Foundation
internal import GRDB

// The continuous-assessment record (sổ điểm, Thông tư 22): per school year, class and subject, each student's
// regular scores (ĐĐGtx 1…n), mid-term (ĐĐGgk) and end-of-term (ĐĐGck) per semester, or Đ / CĐ for a
// comment-only subject. One record per student across exams, matched by Mã học sinh. An exam's scores are
// pushed into a slot (rounded as the rule says: 7,25 → 7,3); a slot that already holds a score is a conflict,
// overwritten only when the coordinator names it; pending totals cannot be pushed; every push is audited and
// can be undone. Scores from elsewhere are typed or pasted.

public enum GradeSlot: Hashable, Sendable, Codable, CustomStringConvertible {
    case regular(Int)
    case midterm
    case final

    /// "tx1"…"tx4", "gk", "ck".
    public init?(_ text: String) {
        switch text {
        case "gk": self = .midterm
        case "ck": self = .final
        default:
            guard text.hasPrefix("tx"), let n = Int(text.dropFirst(2)), (1...4).contains(n) else { return nil }
            self = .regular(n)
        }
    }
    public var description: String {
        switch self { case let .regular(n): "tx\(n)"; case .midterm: "gk"; case .final: "ck" }
    }
    public var vietnamese: String {
        switch self { case let .regular(n): "ĐĐGtx \(n)"; case .midterm: "ĐĐGgk"; case .final: "ĐĐGck" }
    }
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let slot = GradeSlot(text) else { throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "slot: tx1…tx4, gk, ck")) }
        self = slot
    }
    public func encode(to encoder: Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(description) }
}

public struct GradebookSubject: Codable, Sendable, Hashable {
    public var name: String
    /// Scored (ĐĐG on 10) or comment-only (Đ / CĐ).
    public var commentOnly: Bool
    public var periodsPerYear: Int
    /// ĐĐGtx per semester for its periods.
    public var regularCount: Int { ContinuousAssessment.regularScoreCount(periodsPerYear: periodsPerYear) }
    public init(name: String, commentOnly: Bool, periodsPerYear: Int) { self.name = name; self.commentOnly = commentOnly; self.periodsPerYear = periodsPerYear }
}

public struct GradebookClasses: Codable, Sendable, Hashable {
    public struct Year: Codable, Sendable, Hashable { public var name: String; public var classes: [String] }
    public var years: [Year]
    public var subjects: [GradebookSubject]
}

/// A push of an exam's scores into a slot: a dry run or what was written.
public struct GradePush: Codable, Sendable, Hashable {
    public struct Line: Codable, Sendable, Hashable {
        public var studentID: String
        public var fullName: String
        public var className: String?
        /// The recorded score (one decimal), when the candidate has a final score.
        public var score: RecordedScore?
        /// What the slot holds now.
        public var existing: RecordedScore?
        /// written, unchanged, conflict (held another score, not overwritten), overwritten, pending (essays not graded: never pushed),
        /// absent or not-submitted (nothing to push), no-class (the candidate has no class).
        public var outcome: String
    }
    public var id: Int64?
    public var exam: String
    public var year: String
    public var subject: String
    public var semester: Int
    public var slot: GradeSlot
    public var committed: Bool
    public var lines: [Line]
    public var written: Int
    public var conflicts: Int
    public var pending: Int
}

/// A class's sheet for one subject: every student, both semesters, the averages computed by ExamCore.
public struct GradebookSheet: Codable, Sendable, Hashable {
    public struct Semester: Codable, Sendable, Hashable {
        /// Slot → the recorded score ("7,3") or Đ / CĐ, as text.
        public var slots: [String: String]
        /// ĐTBmhk when every slot is filled (scored subjects), or the semester's comment result.
        public var average: String?
    }
    public struct Row: Codable, Sendable, Hashable {
        public var studentID: String
        public var fullName: String
        public var dateOfBirth: String?
        public var semesters: [Semester]
        /// ĐTBmcn when both semesters have an average.
        public var yearAverage: String?
    }
    public var year: String
    public var className: String
    public var subject: GradebookSubject
    /// tx1…txn, gk, ck.
    public var slots: [String]
    public var rows: [Row]
}

/// One cell typed or pasted: "7,5", "Đ", "CĐ", or "" to clear.
public struct GradeCell: Codable, Sendable, Hashable {
    public var studentID: String
    public var semester: Int
    public var slot: String
    public var value: String
    public init(studentID: String, semester: Int, slot: String, value: String) { self.studentID = studentID; self.semester = semester; self.slot = slot; self.value = value }
}

/// Kết quả học tập per student of a class: each subject's year result and the level with the adjustment.
public struct ClassLevels: Codable, Sendable, Hashable {
    public struct Row: Codable, Sendable, Hashable {
        public var studentID: String
        public var fullName: String
        /// Subject → ĐTBmcn or Đ / CĐ; missing while incomplete.
        public var results: [String: String]
        /// Tốt / Khá / Đạt / Chưa đạt, once every subject has its result.
        public var level: String?
    }
    public var year: String
    public var className: String
    public var subjects: [String]
    public var rows: [Row]
}

public protocol GradebookRepository: Sendable {
    func gradebookClasses() async throws -> GradebookClasses
    func saveSubject(_ subject: GradebookSubject, by actor: Actor, now: Date) async throws -> GradebookSubject
    func pushExam(exam: String, year: String, subject: String, semester: Int, slot: GradeSlot, commit: Bool, overwrite: Set<String>,
                  by actor: Actor, now: Date) async throws -> GradePush
    func undoPush(id: Int64, by actor: Actor, now: Date) async throws -> GradePush
    func gradebookSheet(year: String, className: String, subject: String) async throws -> GradebookSheet
    func saveCells(year: String, className: String, subject: String, cells: [GradeCell], by actor: Actor, now: Date) async throws -> GradebookSheet
    func classLevels(year: String, className: String) async throws -> ClassLevels
}

extension AppDatabase {
    static func gradebookSubject(_ db: SQLConnection, _ name: String) throws -> (id: Int64, subject: GradebookSubject) {
        guard let row = try SQLRow.fetchOne(db, sql: "SELECT id, name, commentOnly, periodsPerYear FROM gradebookSubject WHERE name = ?", arguments: [name]) else {
            throw StoreError(.notFound, "chưa có môn \"\(name)\" trong sổ điểm: thêm môn trước / no subject \"\(name)\" in the gradebook: add it first", field: "subject")
        }
        return (row["id"], GradebookSubject(name: row["name"], commentOnly: row["commentOnly"], periodsPerYear: row["periodsPerYear"]))
    }

    /// The class of a year, made on first use.
    static func schoolClass(_ db: SQLConnection, year: String, name: String, create: Bool) throws -> Int64 {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM schoolClass WHERE year = ? AND name = ?", arguments: [year, name]) { return id }
        guard create else { throw StoreError(.notFound, "không có lớp \(name) năm học \(year) / no class \(name) in \(year)", field: "class") }
        return try db.insert(sql: "INSERT INTO schoolClass(year, name) VALUES (?, ?)", arguments: [year, name])
    }

    /// The student by Mã học sinh, made or renamed on use, and placed in the class.
    static func student(_ db: SQLConnection, studentID: String, fullName: String, dateOfBirth: String?, classId: Int64) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO student(studentId, fullName, dateOfBirth) VALUES (?, ?, ?)
            ON CONFLICT(studentId) DO UPDATE SET fullName = excluded.fullName, dateOfBirth = coalesce(excluded.dateOfBirth, student.dateOfBirth)
            """, arguments: [studentID, fullName, dateOfBirth])
        let id = try Int64.fetchOne(db, sql: "SELECT id FROM student WHERE studentId = ?", arguments: [studentID])!
        try db.execute(sql: "INSERT INTO classStudent(classId, studentId) VALUES (?, ?) ON CONFLICT DO NOTHING", arguments: [classId, id])
        return id
    }

    static func checkYear(_ year: String) throws {
        guard year.range(of: #"^[0-9]{4}-[0-9]{4}$"#, options: .regularExpression) != nil,
              let first = Int(year.prefix(4)), Int(year.suffix(4)) == first + 1 else {
            throw StoreError.invalid("year", "năm học dạng 2026-2027 / a school year like 2026-2027")
        }
    }

    /// `rows`: the scores to push, one per student (an assignment's counted attempts); an exam's results when nil.
    static func gradePush(_ db: SQLConnection, exam: String, year: String, subject name: String, semester: Int, slot: GradeSlot, commit: Bool,
                          overwrite: Set<String>, actor: Actor, now: Date, rows: [ResultRow]? = nil) throws -> GradePush {
        // What is missing first (404), then what is wrong (400).
        _ = try examRow(db, exam)
        let (subjectId, subject) = try gradebookSubject(db, name)
        try checkYear(year)
        guard semester == 1 || semester == 2 else { throw StoreError.invalid("semester", "học kỳ 1 hoặc 2 / semester 1 or 2") }
        guard !subject.commentOnly else { throw StoreError.invalid("subject", "môn \(name) chỉ nhận xét (Đ/CĐ): không nhận điểm số / \(name) is comment-only") }
        if case let .regular(n) = slot, n > subject.regularCount {
            throw StoreError.invalid("slot", "môn \(name) (\(subject.periodsPerYear) tiết/năm) có \(subject.regularCount) ĐĐGtx mỗi học kỳ / \(name) has \(subject.regularCount) regular scores")
        }
        var push = GradePush(id: nil, exam: exam, year: year, subject: name, semester: semester, slot: slot, committed: commit, lines: [],
                             written: 0, conflicts: 0, pending: 0)
        var changes: [[String: String]] = []
        for row in try rows ?? examResults(db, name: exam) {
            var line = GradePush.Line(studentID: row.studentID, fullName: row.fullName, className: row.className, outcome: "")
            guard let className = row.className, !className.isEmpty else { line.outcome = "no-class"; push.lines.append(line); continue }
            switch row.state {
            case .absent: line.outcome = "absent"
            case .notStarted, .inProgress: line.outcome = "not-submitted"
            case .pending: line.outcome = "pending"; push.pending += 1
            case .final:
                guard let score = row.score, let recorded = RecordedScore(recording: score) else { line.outcome = "not-submitted"; break }
                line.score = recorded
                // A dry run makes nothing: a class not there yet holds no score.
                let classId: Int64 = commit ? try schoolClass(db, year: year, name: className, create: true)
                    : (try Int64.fetchOne(db, sql: "SELECT id FROM schoolClass WHERE year = ? AND name = ?", arguments: [year, className]) ?? -1)
                let dateOfBirth = try String.fetchOne(db, sql: "SELECT c.dateOfBirth FROM candidate c JOIN exam e ON e.id = c.examId WHERE e.name = ? AND c.studentId = ?",
                                                      arguments: [exam, row.studentID])
                let existing = try Int.fetchOne(db, sql: """
                    SELECT g.tenths FROM gradeEntry g JOIN student s ON s.id = g.studentId WHERE g.classId = ? AND s.studentId = ? AND g.subjectId = ?
                      AND g.semester = ? AND g.slot = ?
                    """, arguments: [classId, row.studentID, subjectId, semester, slot.description]).flatMap { RecordedScore(tenths: $0) }
                line.existing = existing
                if existing == recorded { line.outcome = "unchanged"; break }
                if existing != nil && !overwrite.contains(row.studentID) { line.outcome = "conflict"; push.conflicts += 1; break }
                line.outcome = existing == nil ? "written" : "overwritten"
                push.written += 1
                guard commit else { break }
                let studentId = try student(db, studentID: row.studentID, fullName: row.fullName, dateOfBirth: dateOfBirth, classId: classId)
                try db.execute(sql: """
                    INSERT INTO gradeEntry(classId, studentId, subjectId, semester, slot, tenths, comment, source, enteredBy, enteredAt) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)
                    ON CONFLICT(classId, studentId, subjectId, semester, slot) DO UPDATE SET tenths = excluded.tenths, comment = NULL,
                      source = excluded.source, enteredBy = excluded.enteredBy, enteredAt = excluded.enteredAt
                    """, arguments: [classId, studentId, subjectId, semester, slot.description, recorded.tenths, "exam:\(exam)", actor.username, now])
                changes.append(["classId": String(classId), "studentId": String(studentId), "before": existing.map { String($0.tenths) } ?? "",
                                "after": String(recorded.tenths)])
            }
            push.lines.append(line)
        }
        guard commit else { return push }
        push.id = try db.insert(sql: """
            INSERT INTO gradePush(exam, year, subjectId, semester, slot, changes, pushedBy, pushedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [exam, year, subjectId, semester, slot.description, String(decoding: try Canonical.encoder.encode(changes), as: UTF8.self),
                             actor.username, now])
        try audit(db, action: "gradebook.push", subject: "exam:\(exam)", actor: actor, now: now, details: [
            "push": String(push.id!), "year": year, "subject": name, "semester": String(semester), "slot": slot.vietnamese,
            "written": String(push.written), "conflicts": String(push.conflicts), "pending": String(push.pending),
        ])
        return push
    }

    static func undoGradePush(_ db: SQLConnection, id: Int64, actor: Actor, now: Date) throws -> GradePush {
        guard let row = try SQLRow.fetchOne(db, sql: """
            SELECT p.exam, p.year, s.name AS subject, p.subjectId, p.semester, p.slot, p.changes, p.undoneAt FROM gradePush p
            JOIN gradebookSubject s ON s.id = p.subjectId WHERE p.id = ?
            """, arguments: [id]) else { throw StoreError(.notFound, "không có lần chuyển điểm \(id) / no push \(id)") }
        guard row["undoneAt"] as Date? == nil else { throw StoreError(.exists, "lần chuyển điểm \(id) đã được hoàn tác / push \(id) is already undone") }
        let changes = try JSONDecoder().decode([[String: String]].self, from: Data((row["changes"] as String).utf8))
        var restored = 0
        for change in changes {
            guard let classId = Int64(change["classId"] ?? ""), let studentId = Int64(change["studentId"] ?? ""), let after = Int(change["after"] ?? "") else { continue }
            // Only a cell still holding what the push wrote goes back; one changed since is left as it is.
            let key: [DatabaseValueConvertible] = [classId, studentId, row["subjectId"] as Int64, row["semester"] as Int, row["slot"] as String]
            if let before = Int(change["before"] ?? "") {
                try db.execute(sql: "UPDATE gradeEntry SET tenths = ?, source = 'undo', enteredBy = ?, enteredAt = ? WHERE classId = ? AND studentId = ? AND subjectId = ? AND semester = ? AND slot = ? AND tenths = ?",
                               arguments: SQLArguments([before, actor.username, now] + key + [after]))
            } else {
                try db.execute(sql: "DELETE FROM gradeEntry WHERE classId = ? AND studentId = ? AND subjectId = ? AND semester = ? AND slot = ? AND tenths = ?",
                               arguments: SQLArguments(key + [after]))
            }
            restored += db.changesCount
        }
        try db.execute(sql: "UPDATE gradePush SET undoneAt = ? WHERE id = ?", arguments: [now, id])
        try audit(db, action: "gradebook.undo", subject: "exam:\(row["exam"] as String)", actor: actor, now: now,
                  details: ["push": String(id), "restored": String(restored)])
        return GradePush(id: id, exam: row["exam"], year: row["year"], subject: row["subject"], semester: row["semester"],
                         slot: GradeSlot(row["slot"] as String) ?? .midterm, committed: true, lines: [], written: restored, conflicts: 0, pending: 0)
    }

    static func gradebookSheet(_ db: SQLConnection, year: String, className: String, subject name: String) throws -> GradebookSheet {
        let (subjectId, subject) = try gradebookSubject(db, name)
        let classId = try schoolClass(db, year: year, name: className, create: false)
        let slots = (1...subject.regularCount).map { "tx\($0)" } + ["gk", "ck"]
        let students = try gradebookStudents(db, classId: classId)
        var cells: [Int64: [Int: [String: String]]] = [:]
        for row in try SQLRow.fetchAll(db, sql: "SELECT studentId, semester, slot, tenths, comment FROM gradeEntry WHERE classId = ? AND subjectId = ?",
                                    arguments: [classId, subjectId]) {
            let text = (row["tenths"] as Int?).flatMap { RecordedScore(tenths: $0)?.formatted(decimalMark: ",") } ?? (row["comment"] as String? ?? "")
            cells[row["studentId"], default: [:]][row["semester"], default: [:]][row["slot"]] = text
        }
        var rows: [GradebookSheet.Row] = []
        for student in students {
            var semesters: [GradebookSheet.Semester] = []
            var averages: [RecordedScore] = []
            for semester in 1...2 {
                let filled = cells[student.id]?[semester] ?? [:]
                var average: String?
                if subject.commentOnly {
                    average = filled["ck"]
                } else {
                    let regular = (1...subject.regularCount).compactMap { filled["tx\($0)"].flatMap(RecordedScore.init(parsing:)) }
                    if regular.count == subject.regularCount, let mid = filled["gk"].flatMap(RecordedScore.init(parsing:)),
                       let end = filled["ck"].flatMap(RecordedScore.init(parsing:)),
                       let value = try? ContinuousAssessment.semesterAverage(regular: regular, midterm: mid, final: end) {
                        average = value.formatted(decimalMark: ",")
                        averages.append(value)
                    }
                }
                semesters.append(.init(slots: filled, average: average))
            }
            let year = subject.commentOnly ? semesters[1].average
                : (averages.count == 2 ? ContinuousAssessment.yearAverage(first: averages[0], second: averages[1]).formatted(decimalMark: ",") : nil)
            rows.append(.init(studentID: student.studentID, fullName: student.fullName, dateOfBirth: student.dateOfBirth, semesters: semesters,
                              yearAverage: year))
        }
        return GradebookSheet(year: year, className: className, subject: subject, slots: slots, rows: rows)
    }

    static func saveGradeCells(_ db: SQLConnection, year: String, className: String, subject name: String, cells: [GradeCell], actor: Actor, now: Date) throws {
        let (subjectId, subject) = try gradebookSubject(db, name)
        let classId = try schoolClass(db, year: year, name: className, create: false)
        let allowed = Set((1...subject.regularCount).map { "tx\($0)" } + ["gk", "ck"])
        var problems: [String] = []
        var parsed: [(Int64, GradeCell, Int?, String?)] = []
        for (index, cell) in cells.enumerated() {
            let place = "cells[\(index)] (\(cell.studentID), HK\(cell.semester) \(cell.slot))"
            guard let studentId = try Int64.fetchOne(db, sql: """
                SELECT s.id FROM student s JOIN classStudent cs ON cs.studentId = s.id WHERE cs.classId = ? AND s.studentId = ?
                """, arguments: [classId, cell.studentID]) else { problems.append("\(place): không có học sinh này trong lớp / not in this class"); continue }
            guard cell.semester == 1 || cell.semester == 2, allowed.contains(cell.slot) else { problems.append("\(place): không có cột này / no such column"); continue }
            let text = cell.value.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { parsed.append((studentId, cell, nil, nil)); continue }
            if subject.commentOnly {
                guard let comment = CommentResult(parsing: text) else { problems.append("\(place): \"\(text)\" — cần Đ hoặc CĐ / needs Đ or CĐ"); continue }
                parsed.append((studentId, cell, nil, comment.rawValue))
            } else {
                guard let score = RecordedScore(parsing: text) else {
                    problems.append("\(place): \"\(text)\" — cần điểm 0–10, tối đa một chữ số thập phân / needs a score 0–10 with one decimal at most")
                    continue
                }
                parsed.append((studentId, cell, score.tenths, nil))
            }
        }
        guard problems.isEmpty else {
            throw StoreError(.invalid, problems.first!, field: "cells", problems: problems)
        }
        for (studentId, cell, tenths, comment) in parsed {
            let before = try SQLRow.fetchOne(db, sql: "SELECT tenths, comment FROM gradeEntry WHERE classId = ? AND studentId = ? AND subjectId = ? AND semester = ? AND slot = ?",
                                          arguments: [classId, studentId, subjectId, cell.semester, cell.slot])
            let old = (before?["tenths"] as Int?).flatMap { RecordedScore(tenths: $0)?.formatted(decimalMark: ",") } ?? (before?["comment"] as String? ?? "")
            let new = tenths.flatMap { RecordedScore(tenths: $0)?.formatted(decimalMark: ",") } ?? (comment ?? "")
            guard old != new else { continue }
            if tenths == nil && comment == nil {
                try db.execute(sql: "DELETE FROM gradeEntry WHERE classId = ? AND studentId = ? AND subjectId = ? AND semester = ? AND slot = ?",
                               arguments: [classId, studentId, subjectId, cell.semester, cell.slot])
            } else {
                try db.execute(sql: """
                    INSERT INTO gradeEntry(classId, studentId, subjectId, semester, slot, tenths, comment, source, enteredBy, enteredAt) VALUES (?, ?, ?, ?, ?, ?, ?, 'typed', ?, ?)
                    ON CONFLICT(classId, studentId, subjectId, semester, slot) DO UPDATE SET tenths = excluded.tenths, comment = excluded.comment,
                      source = 'typed', enteredBy = excluded.enteredBy, enteredAt = excluded.enteredAt
                    """, arguments: [classId, studentId, subjectId, cell.semester, cell.slot, tenths, comment, actor.username, now])
            }
            try audit(db, action: "gradebook.edit", subject: "class:\(year)/\(className)", actor: actor, now: now, details: [
                "subject": name, "student": cell.studentID, "semester": String(cell.semester), "slot": cell.slot, "change": "\(old.isEmpty ? "–" : old) → \(new.isEmpty ? "–" : new)",
            ])
        }
    }
}

extension DatabaseStore: GradebookRepository {
    public func gradebookClasses() async throws -> GradebookClasses {
        try await database.writer.read { db in
            let classes = try SQLRow.fetchAll(db, sql: "SELECT year, name FROM schoolClass ORDER BY year DESC, name")
            let years = Dictionary(grouping: classes, by: { $0["year"] as String }).map { GradebookClasses.Year(name: $0.key, classes: $0.value.map { $0["name"] }) }
                .sorted { $0.name > $1.name }
            let subjects = try SQLRow.fetchAll(db, sql: "SELECT name, commentOnly, periodsPerYear FROM gradebookSubject ORDER BY name").map {
                GradebookSubject(name: $0["name"], commentOnly: $0["commentOnly"], periodsPerYear: $0["periodsPerYear"])
            }
            return GradebookClasses(years: years, subjects: subjects)
        }
    }

    public func saveSubject(_ subject: GradebookSubject, by actor: Actor, now: Date) async throws -> GradebookSubject {
        let name = subject.name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 100 else { throw StoreError.invalid("name", "tên môn 1–100 ký tự / a subject name of 1–100 characters") }
        guard (1...350).contains(subject.periodsPerYear) else { throw StoreError.invalid("periodsPerYear", "số tiết/năm từ 1 đến 350 / 1 to 350 periods a year") }
        return try await database.writer.write { db in
            try db.execute(sql: """
                INSERT INTO gradebookSubject(name, commentOnly, periodsPerYear) VALUES (?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET commentOnly = excluded.commentOnly, periodsPerYear = excluded.periodsPerYear
                """, arguments: [name, subject.commentOnly, subject.periodsPerYear])
            try AppDatabase.audit(db, action: "gradebook.subject", subject: "subject:\(name)", actor: actor, now: now,
                                  details: ["commentOnly": String(subject.commentOnly), "periodsPerYear": String(subject.periodsPerYear)])
            return GradebookSubject(name: name, commentOnly: subject.commentOnly, periodsPerYear: subject.periodsPerYear)
        }
    }

    public func pushExam(exam: String, year: String, subject: String, semester: Int, slot: GradeSlot, commit: Bool, overwrite: Set<String>,
                         by actor: Actor, now: Date) async throws -> GradePush {
        if commit {
            return try await database.writer.write { db in
                try AppDatabase.gradePush(db, exam: exam, year: year, subject: subject, semester: semester, slot: slot, commit: true, overwrite: overwrite, actor: actor, now: now)
            }
        }
        return try await database.writer.read { db in
            try AppDatabase.gradePush(db, exam: exam, year: year, subject: subject, semester: semester, slot: slot, commit: false, overwrite: overwrite, actor: actor, now: now)
        }
    }

    public func undoPush(id: Int64, by actor: Actor, now: Date) async throws -> GradePush {
        try await database.writer.write { db in try AppDatabase.undoGradePush(db, id: id, actor: actor, now: now) }
    }

    public func gradebookSheet(year: String, className: String, subject: String) async throws -> GradebookSheet {
        try await database.writer.read { db in try AppDatabase.gradebookSheet(db, year: year, className: className, subject: subject) }
    }

    public func saveCells(year: String, className: String, subject: String, cells: [GradeCell], by actor: Actor, now: Date) async throws -> GradebookSheet {
        try await database.writer.write { db in
            try AppDatabase.saveGradeCells(db, year: year, className: className, subject: subject, cells: cells, actor: actor, now: now)
            return try AppDatabase.gradebookSheet(db, year: year, className: className, subject: subject)
        }
    }

    public func classLevels(year: String, className: String) async throws -> ClassLevels {
        try await database.writer.read { db in
            let subjects = try String.fetchAll(db, sql: """
                SELECT DISTINCT s.name FROM gradeEntry g JOIN gradebookSubject s ON s.id = g.subjectId JOIN schoolClass c ON c.id = g.classId
                WHERE c.year = ? AND c.name = ? ORDER BY s.name
                """, arguments: [year, className])
            var results: [String: [String: String]] = [:]
            var names: [String: String] = [:]
            var kinds: [String: Bool] = [:]
            for subject in subjects {
                let sheet = try AppDatabase.gradebookSheet(db, year: year, className: className, subject: subject)
                kinds[subject] = sheet.subject.commentOnly
                for row in sheet.rows {
                    names[row.studentID] = row.fullName
                    if let value = row.yearAverage { results[row.studentID, default: [:]][subject] = value }
                }
            }
            let students = try AppDatabase.gradebookStudents(db, classId: try AppDatabase.schoolClass(db, year: year, name: className, create: false))
            let rows = students.map { student -> ClassLevels.Row in
                let given = results[student.studentID] ?? [:]
                var level: String?
                if !subjects.isEmpty, given.count == subjects.count {
                    var scored: [String: RecordedScore] = [:], comments: [String: CommentResult] = [:]
                    for (subject, value) in given {
                        if kinds[subject] == true { comments[subject] = CommentResult(parsing: value) } else { scored[subject] = RecordedScore(parsing: value) }
                    }
                    level = ContinuousAssessment.resultLevel(scored: scored, comments: comments).rawValue
                }
                return ClassLevels.Row(studentID: student.studentID, fullName: student.fullName, results: given, level: level)
            }
            return ClassLevels(year: year, className: className, subjects: subjects, rows: rows)
        }
    }
}

extension AppDatabase {
    /// A class's students, sorted as a Vietnamese class list is (given name, then family name).
    static func gradebookStudents(_ db: SQLConnection, classId: Int64) throws -> [(id: Int64, studentID: String, fullName: String, dateOfBirth: String?)] {
        let rows = try SQLRow.fetchAll(db, sql: """
            SELECT s.id, s.studentId, s.fullName, s.dateOfBirth FROM classStudent cs JOIN student s ON s.id = cs.studentId WHERE cs.classId = ?
            """, arguments: [classId]).map { (id: $0["id"] as Int64, studentID: $0["studentId"] as String, fullName: $0["fullName"] as String,
                                              dateOfBirth: $0["dateOfBirth"] as String?) }
        let order = VietnameseCollation.sortedNames(rows.map(\.fullName))
        let rank = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        return rows.sorted { (rank[$0.fullName] ?? 0, $0.studentID) < (rank[$1.fullName] ?? 0, $1.studentID) }
    }
}

extension AppDatabase {
    /// A class's sheet for a subject, for the command line.
    public func gradebookSheet(year: String, className: String, subject: String) throws -> GradebookSheet {
        try writer.read { db in try Self.gradebookSheet(db, year: year, className: className, subject: subject) }
    }
}
