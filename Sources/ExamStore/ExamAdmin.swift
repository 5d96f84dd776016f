import ExamCore
import Foundation
internal import GRDB

/// An exam as a coordinator manages it: its state, its sessions and rooms, its candidates, its release.
public struct ExamOverview: Codable, Sendable, Hashable {
    public struct Session: Codable, Sendable, Hashable {
        public var name: String
        public var opensAt: Date
        public var durationMinutes: Int
        public var lateEntryMinutes: Int
        public var graceSeconds: Int
        public var policy: String
    }
    public struct Candidate: Codable, Sendable, Hashable {
        public var studentID: String
        public var fullName: String
        public var dateOfBirth: String?
        public var className: String?
        public var sbd: String?
        public var room: String?
    }
    public var name: String
    public var subject: String
    public var bank: String
    public var blueprint: String
    /// draft (candidates may change) or prepared (numbered, papers and codes issued).
    public var state: String
    public var paperMode: String
    public var codeCount: Int?
    public var results: String
    /// free or proctor (a move to another computer needs a proctor's permission).
    public var takeover: String = "free"
    public var review: String = "score"
    /// Manual grading: rounds, threshold, graders.
    public var grading: GradingSettings?
    public var sessions: [Session]
    public var rooms: [String]
    /// Seats per session, for rooms that have a capacity.
    public var capacities: [String: Int] = [:]
    public var candidates: [Candidate]
    public var resultsReleasedAt: Date?
    public var resultsReleasedBy: String?
    /// Room → the proctors assigned to it (empty: no assignments, every proctor sees every room).
    public var proctors: [String: [String]] = [:]
    /// Whether a session is running now (or an attempt is still open): results wait unless forced.
    public var running: Bool
}

/// The class list as uploaded: what was stored.
public struct CandidateImport: Codable, Sendable, Hashable {
    public var added: Int
    public var updated: Int
    public var total: Int
}

/// Coordinators' work before and after an exam, from the pages: create, candidates, prepare, release.
/// Every change is audited with its actor.
public protocol ExamSetupRepository: Sendable {
    /// Every exam, drafts too, newest first.
    func exams(now: Date) async throws -> [ExamOverview]
    func overview(exam: String, now: Date) async throws -> ExamOverview
    /// A prepared exam's papers with their keys, for printing (the paper fallback on exam day).
    func examPapers(exam: String) async throws -> PrintSet
    /// Creates a draft exam after checking that its bank can fill its blueprint.
    func createExam(_ definition: ExamDefinition, blueprintName: String, by actor: Actor, now: Date) async throws -> ExamOverview
    /// Changes a draft exam as a whole (refused once prepared); audited.
    func updateExam(_ name: String, _ definition: ExamDefinition, blueprintName: String, by actor: Actor, now: Date) async throws -> ExamOverview
    /// Adds (or updates by student id) candidates of a draft exam.
    func importCandidates(exam: String, entries: [RosterEntry], by actor: Actor, now: Date) async throws -> CandidateImport
    /// Removes one candidate of a draft exam.
    func removeCandidate(exam: String, studentID: String, by actor: Actor, now: Date) async throws
    /// Numbers, seats, papers and access codes; the slips are the only place the codes appear.
    /// `progress(done, total)` is told as papers are made and candidates seated.
    func prepareExam(_ name: String, by actor: Actor, now: Date, progress: @escaping @Sendable (Int, Int) -> Void) async throws -> [LoginSlip]
    /// Candidates see their scores from now on. Refused (`sessionRunning`) while a session runs, unless forced
    /// (audited with the reason).
    func releaseResults(exam: String, force: Bool, reason: String, by actor: Actor, now: Date) async throws -> ExamOverview
    /// Takes a release back: candidates no longer see scores.
    func withdrawResults(exam: String, reason: String, by actor: Actor, now: Date) async throws -> ExamOverview
    /// The proctors of one room (replacing those before); each must be a proctor, coordinator or admin. Audited.
    func assignProctors(exam: String, room: String, usernames: [String], by actor: Actor, now: Date) async throws -> ExamOverview
    /// The rooms a proctor may watch and act on in an exam; nil when the exam has no assignments (every room).
    func proctorRooms(exam: String, username: String) async throws -> Set<String>?
}

/// Staff accounts managed by admins: add, disable or enable, a new password. Audited.
public protocol StaffAdminRepository: Sendable {
    /// Adds a member with a made-up password, returned once.
    func addStaff(username: String, fullName: String, role: StaffRole, by actor: Actor, now: Date) async throws -> String
    func setStaffDisabled(username: String, disabled: Bool, by actor: Actor, now: Date) async throws
    /// A new made-up password, returned once; the member's sessions end.
    func resetStaffPassword(username: String, by actor: Actor, now: Date) async throws -> String
    /// Every member with whether they are disabled.
    func staffAccounts() async throws -> [StaffAccount]
}

extension AppDatabase {
    static func overview(_ db: SQLConnection, exam name: String, now: Date) throws -> ExamOverview {
        let row = try examRow(db, name)
        let examId: Int64 = row["id"]
        let sessions = try ExamSessionRecord.fetchAll(db, sql: "SELECT * FROM examSession WHERE examId = ? ORDER BY opensAt, id", arguments: [examId])
        let rooms = try String.fetchAll(db, sql: "SELECT name FROM room WHERE examId = ? ORDER BY id", arguments: [examId])
        let candidates = try SQLRow.fetchAll(db, sql: """
            SELECT c.studentId, c.fullName, c.dateOfBirth, c.className, c.sbd, r.name AS room FROM candidate c LEFT JOIN room r ON r.id = c.roomId
            WHERE c.examId = ? ORDER BY c.sbd, c.className, c.fullName, c.studentId
            """, arguments: [examId]).map {
            ExamOverview.Candidate(studentID: $0["studentId"], fullName: $0["fullName"], dateOfBirth: $0["dateOfBirth"], className: $0["className"],
                                   sbd: $0["sbd"], room: $0["room"])
        }
        let blueprint = (try? JSONDecoder().decode(Blueprint.self, from: Data((row["blueprint"] as String).utf8)))?.name ?? ""
        return ExamOverview(
            name: name, subject: row["subject"], bank: row["bankName"], blueprint: blueprint, state: row["state"], paperMode: row["paperMode"],
            codeCount: row["codeCount"], results: row["resultsPolicy"], takeover: row["takeoverPolicy"], review: row["reviewPolicy"],
            grading: try gradingSettings(db, examId: examId),
            sessions: sessions.map {
                ExamOverview.Session(name: $0.name, opensAt: $0.opensAt, durationMinutes: $0.durationSeconds / 60, lateEntryMinutes: $0.lateEntrySeconds / 60,
                                     graceSeconds: $0.graceSeconds, policy: $0.policy)
            },
            rooms: rooms,
            capacities: Dictionary(try SQLRow.fetchAll(db, sql: "SELECT name, capacity FROM room WHERE examId = ? AND capacity IS NOT NULL", arguments: [examId])
                .map { ($0["name"] as String, $0["capacity"] as Int) }, uniquingKeysWith: { first, _ in first }),
            candidates: candidates, resultsReleasedAt: row["resultsReleasedAt"], resultsReleasedBy: row["resultsReleasedBy"],
            proctors: Dictionary(grouping: try SQLRow.fetchAll(db, sql: """
                SELECT r.name AS room, p.username FROM roomProctor p JOIN room r ON r.id = p.roomId WHERE r.examId = ? ORDER BY r.id, p.username
                """, arguments: [examId]), by: { $0["room"] as String }).mapValues { $0.map { $0["username"] as String } },
            running: try running(db, examId: examId, sessions: sessions, now: now))
    }

    /// A session is running from its opening until the last candidate's deadline and grace (late starters under
    /// a from-start policy included); an attempt still open (added time, a pause) keeps it running too.
    static func running(_ db: SQLConnection, examId: Int64, sessions: [ExamSessionRecord], now: Date) throws -> Bool {
        for session in sessions {
            let late = session.policy == SessionTiming.DeadlinePolicy.fromStart.rawValue ? session.lateEntrySeconds : 0
            let end = session.opensAt.addingTimeInterval(TimeInterval(late + session.durationSeconds + session.graceSeconds))
            if now >= session.opensAt && now < end { return true }
        }
        return try Int.fetchOne(db, sql: """
            SELECT count(*) FROM attempt a JOIN candidate c ON c.id = a.candidateId WHERE c.examId = ? AND a.state = 'in-progress'
            """, arguments: [examId])! > 0
    }
}

extension DatabaseStore: ExamSetupRepository {
    public func exams(now: Date) async throws -> [ExamOverview] {
        try await read { db in
            try String.fetchAll(db, sql: "SELECT name FROM exam WHERE kind = 'exam' ORDER BY createdAt DESC, id DESC").map { try AppDatabase.overview(db, exam: $0, now: now) }
        }
    }

    public func overview(exam: String, now: Date) async throws -> ExamOverview {
        try await read { db in try AppDatabase.overview(db, exam: exam, now: now) }
    }

    public func updateExam(_ name: String, _ definition: ExamDefinition, blueprintName: String, by actor: Actor, now: Date) async throws -> ExamOverview {
        try await write { db in
            try AppDatabase.updateExam(db, named: name, definition)
            try AppDatabase.audit(db, action: "exam.edit", subject: "exam:\(definition.name)", actor: actor, now: now,
                                  details: ["before": name, "bank": definition.bank, "blueprint": blueprintName, "sessions": String(definition.sessions.count),
                                            "rooms": definition.rooms.joined(separator: ", "), "results": definition.results.rawValue, "review": definition.review.rawValue])
        }
        examDay.markStale(exam: name)
        return try await overview(exam: definition.name, now: now)
    }

    public func createExam(_ definition: ExamDefinition, blueprintName: String, by actor: Actor, now: Date) async throws -> ExamOverview {
        try await write { db in
            try AppDatabase.createExam(db, definition, now: now)
            try AppDatabase.audit(db, action: "exam.create", subject: "exam:\(definition.name)", actor: actor, now: now,
                                  details: ["bank": definition.bank, "blueprint": blueprintName, "sessions": String(definition.sessions.count),
                                            "rooms": definition.rooms.joined(separator: ", ")])
            return try AppDatabase.overview(db, exam: definition.name, now: now)
        }
    }

    public func importCandidates(exam: String, entries: [RosterEntry], by actor: Actor, now: Date) async throws -> CandidateImport {
        try await write { db in
            let (added, updated) = try AppDatabase.importCandidates(db, exam: exam, entries: entries)
            try AppDatabase.audit(db, action: "exam.candidates", subject: "exam:\(exam)", actor: actor, now: now,
                                  details: ["added": String(added), "updated": String(updated)])
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM candidate c JOIN exam e ON e.id = c.examId WHERE e.name = ?", arguments: [exam])!
            return CandidateImport(added: added, updated: updated, total: total)
        }
    }

    public func removeCandidate(exam: String, studentID: String, by actor: Actor, now: Date) async throws {
        try await write { db in
            let row = try AppDatabase.examRow(db, exam)
            guard row["state"] as String == "draft" else {
                throw StoreError(.alreadyPrepared, "kỳ thi \"\(exam)\" đã chuẩn bị xong; không bớt thí sinh được nữa / the exam is prepared; candidates cannot change")
            }
            try db.execute(sql: "DELETE FROM candidate WHERE examId = ? AND studentId = ?", arguments: [row["id"] as Int64, studentID])
            guard db.changesCount == 1 else { throw StoreError(.notFound, "không có thí sinh \(studentID) / no candidate \(studentID)", field: "studentID") }
            try AppDatabase.audit(db, action: "exam.candidate.remove", subject: "exam:\(exam)", actor: actor, now: now, details: ["studentID": studentID])
        }
    }

    public func prepareExam(_ name: String, by actor: Actor, now: Date, progress: @escaping @Sendable (Int, Int) -> Void) async throws -> [LoginSlip] {
        try await write { db in
            let slips = try AppDatabase.prepareExam(db, name, now: now, progress: progress)
            try AppDatabase.audit(db, action: "exam.prepare", subject: "exam:\(name)", actor: actor, now: now, details: ["candidates": String(slips.count)])
            return slips
        }
    }

    public func releaseResults(exam: String, force: Bool, reason: String, by actor: Actor, now: Date) async throws -> ExamOverview {
        try await changeRelease(exam: exam, by: actor, now: now) { db, record in
            let sessions = try ExamSessionRecord.fetchAll(db, sql: "SELECT * FROM examSession WHERE examId = ?", arguments: [record.id!])
            let running = try AppDatabase.running(db, examId: record.id!, sessions: sessions, now: now)
            if running {
                guard force else {
                    throw StoreError(.sessionRunning, "một ca thi của \"\(exam)\" vẫn đang diễn ra; đợi ca thi kết thúc hoặc công bố có lý do / a session is still running: wait for its end, or release with a reason")
                }
                guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw StoreError.invalid("reason", "công bố khi ca thi đang diễn ra cần lý do / releasing during a session needs a reason")
                }
            }
            guard record.resultsReleasedAt == nil else { return nil }
            try db.execute(sql: "UPDATE exam SET resultsReleasedAt = ?, resultsReleasedBy = ? WHERE id = ?", arguments: [now, actor.username, record.id!])
            // "Forced" only when a session was in fact running; a reason given otherwise is kept all the same.
            try AppDatabase.audit(db, action: running ? "exam.results.release-forced" : "exam.results.release", subject: "exam:\(exam)", actor: actor, now: now,
                                  reason: reason)
            return now
        }
    }

    public func assignProctors(exam: String, room: String, usernames: [String], by actor: Actor, now: Date) async throws -> ExamOverview {
        let names = Array(Set(usernames.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })).sorted()
        return try await write { db in
            let examId: Int64 = try AppDatabase.examRow(db, exam)["id"]
            guard let roomId = try Int64.fetchOne(db, sql: "SELECT id FROM room WHERE examId = ? AND name = ?", arguments: [examId, room]) else {
                throw StoreError(.notFound, "không có phòng \(room) / no room \(room)", field: "room")
            }
            for name in names {
                guard let role = try String.fetchOne(db, sql: "SELECT role FROM staff WHERE username = ? AND disabled = 0", arguments: [name]),
                      let parsed = StaffRole(rawValue: role), parsed.proctors else {
                    throw StoreError.invalid("usernames", "\(name) không phải giám thị / \(name) is not a proctor")
                }
            }
            try db.execute(sql: "DELETE FROM roomProctor WHERE roomId = ?", arguments: [roomId])
            for name in names { try db.execute(sql: "INSERT INTO roomProctor(roomId, username) VALUES (?, ?)", arguments: [roomId, name]) }
            try AppDatabase.audit(db, action: "exam.proctors", subject: "exam:\(exam)", actor: actor, now: now,
                                  details: ["room": room, "proctors": names.joined(separator: ", ")])
            return try AppDatabase.overview(db, exam: exam, now: now)
        }
    }

    /// An exam's own papers with their keys, as a print set (the paper fallback): codes in order.
    public func examPapers(exam: String) async throws -> PrintSet {
        let papers = self.papers
        return try await read { db in
            let record = try AppDatabase.exam(db, named: exam)
            guard record.state == "prepared" else {
                throw StoreError(.notPrepared, "kỳ thi \"\(exam)\" chưa chuẩn bị: chưa có đề / the exam is not prepared: no papers yet")
            }
            let blueprint = try JSONDecoder().decode(Blueprint.self, from: Data(record.blueprint.utf8))
            var printed: [Paper] = []
            var media: [String: [String: [String: String]]] = [:]
            for id in try Int64.fetchAll(db, sql: "SELECT id FROM paper WHERE examId = ? ORDER BY code", arguments: [record.id!]) {
                let entry = try papers.paper(id, db: db)
                printed.append(entry.paper)
                media[entry.paper.code] = entry.media
            }
            let summary = PrintSetSummary(id: record.id!, name: exam, blueprint: blueprint.name, bank: record.bankName, subject: record.subject,
                                          papers: printed.count, owner: "", createdAt: record.createdAt, school: nil, examTitle: exam)
            return PrintSet(summary: summary, blueprint: blueprint, papers: printed, media: media)
        }
    }

    public func proctorRooms(exam: String, username: String) async throws -> Set<String>? {
        try await read { db in
            let examId: Int64 = try AppDatabase.examRow(db, exam)["id"]
            let rows = try SQLRow.fetchAll(db, sql: "SELECT r.name AS room, p.username FROM roomProctor p JOIN room r ON r.id = p.roomId WHERE r.examId = ?",
                                        arguments: [examId])
            guard !rows.isEmpty else { return nil }
            return Set(rows.filter { $0["username"] as String == username }.map { $0["room"] as String })
        }
    }

    public func withdrawResults(exam: String, reason: String, by actor: Actor, now: Date) async throws -> ExamOverview {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw StoreError.invalid("reason", "rút lại kết quả cần lý do / withdrawing results needs a reason")
        }
        return try await changeRelease(exam: exam, by: actor, now: now) { db, record in
            guard record.resultsReleasedAt != nil else { return nil }
            try db.execute(sql: "UPDATE exam SET resultsReleasedAt = NULL, resultsReleasedBy = NULL WHERE id = ?", arguments: [record.id!])
            try AppDatabase.audit(db, action: "exam.results.withdraw", subject: "exam:\(exam)", actor: actor, now: now, reason: reason)
            return Date?.none
        }
    }

    /// A change to an exam's release through the writer, then the exam-day read model told (the version bumped).
    private func changeRelease(exam: String, by actor: Actor, now: Date,
                               _ change: @escaping @Sendable (SQLConnection, ExamRecord) throws -> Date??) async throws -> ExamOverview {
        let examDay = self.examDay
        try await writer.perform({ db -> (Int64, Int, Date?)? in
            let record = try AppDatabase.exam(db, named: exam)
            guard let released = try change(db, record) else { return nil }
            return (record.id!, try ExamDay.bumpVersion(db, examId: record.id!), released)
        }, afterCommit: { result in
            guard let (id, version, released) = result else { return }
            examDay.apply(examId: id, version: version) { $0.header.resultsReleasedAt = released }
        })
        return try await overview(exam: exam, now: now)
    }
}

extension DatabaseStore: StaffAdminRepository {
    public func addStaff(username: String, fullName: String, role: StaffRole, by actor: Actor, now: Date) async throws -> String {
        let password = StaffPasswords.newPassword()
        let hash = try StaffPasswords.hash(password)
        try await write { db in
            guard try StaffRecord.fetchAll(db, where: "username = ?", arguments: [username]).count == 0 else {
                throw StoreError(.exists, "đã có cán bộ \(username) / \(username) exists", field: "username")
            }
            guard !username.isEmpty, username.count <= 64, !username.contains(where: { $0.isWhitespace || $0 == "/" }) else {
                throw StoreError.invalid("username", "tên đăng nhập 1–64 ký tự, không dấu cách / a username of 1–64 characters without spaces")
            }
            guard !fullName.trimmingCharacters(in: .whitespaces).isEmpty, fullName.count <= 200 else {
                throw StoreError.invalid("fullName", "cần họ tên (tối đa 200 ký tự) / a full name (at most 200 characters) is needed")
            }
            try db.execute(sql: "INSERT INTO staff(username, fullName, role, passwordHash, createdAt) VALUES (?, ?, ?, ?, ?)",
                           arguments: [username, fullName.trimmingCharacters(in: .whitespaces), role.rawValue, hash, now])
            try AppDatabase.audit(db, action: "staff.add", subject: "staff:\(username)", actor: actor, now: now, details: ["role": role.rawValue])
        }
        return password
    }

    public func setStaffDisabled(username: String, disabled: Bool, by actor: Actor, now: Date) async throws {
        guard username != actor.username || !disabled else { throw StoreError.invalid("username", "không tự khóa tài khoản của mình / you cannot disable yourself") }
        try await write { db in
            try db.execute(sql: "UPDATE staff SET disabled = ?, sessionsValidAfter = ? WHERE username = ?", arguments: [disabled, now, username])
            guard db.changesCount == 1 else { throw StoreError(.notFound, "không có cán bộ \(username) / no staff member \(username)", field: "username") }
            try AppDatabase.audit(db, action: disabled ? "staff.disable" : "staff.enable", subject: "staff:\(username)", actor: actor, now: now)
        }
    }

    public func resetStaffPassword(username: String, by actor: Actor, now: Date) async throws -> String {
        let password = StaffPasswords.newPassword()
        let hash = try StaffPasswords.hash(password)
        try await write { db in
            try db.execute(sql: "UPDATE staff SET passwordHash = ?, sessionsValidAfter = ? WHERE username = ?", arguments: [hash, now, username])
            guard db.changesCount == 1 else { throw StoreError(.notFound, "không có cán bộ \(username) / no staff member \(username)", field: "username") }
            try AppDatabase.audit(db, action: "staff.password", subject: "staff:\(username)", actor: actor, now: now)
        }
        return password
    }

    public func staffAccounts() async throws -> [StaffAccount] {
        try await read { db in
            try StaffRecord.fetchAll(db, sql: "SELECT * FROM staff ORDER BY role, username").map { StaffAccount(member: $0.member, sessionsValidAfter: $0.sessionsValidAfter, disabled: $0.disabled) }
        }
    }
}
