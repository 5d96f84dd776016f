import Crypto
import ExamCore
import Foundation
internal import GRDB

/// What a coordinator decides when creating an exam (kỳ thi).
public struct ExamDefinition: Sendable {
    public enum PaperMode: String, Codable, Sendable { case codes, candidates }
    public enum ResultsPolicy: String, Codable, Sendable { case immediate, later }

    public struct Session: Sendable {
        public var name: String
        public var timing: SessionTiming
        public init(name: String, timing: SessionTiming) { self.name = name; self.timing = timing }
    }

    public var name: String
    public var bank: String
    public var blueprint: Blueprint
    public var paperMode: PaperMode
    /// The number of exam codes (mã đề) in `.codes` mode.
    public var codeCount: Int
    public var firstCode: Int
    public var seed: UInt64
    public var sessions: [Session]
    public var rooms: [String]
    public var results: ResultsPolicy
    /// Whether a second computer may take an attempt over freely, or only after a proctor allows it.
    public enum TakeoverPolicy: String, Codable, Sendable { case free, proctor }
    public var takeover: TakeoverPolicy = .free
    /// What a candidate sees of their attempt once results are shown (Moodle's review options, simplified).
    public enum ReviewPolicy: String, Codable, Sendable, Comparable {
        case none, score, answers, key
        private var rank: Int { switch self { case .none: 0; case .score: 1; case .answers: 2; case .key: 3 } }
        public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
    }
    public var review: ReviewPolicy = .score
    /// Seats per session in a room (rooms not named here take what the even share needs).
    public var capacities: [String: Int] = [:]

    public init(name: String, bank: String, blueprint: Blueprint, paperMode: PaperMode = .codes, codeCount: Int = 24, firstCode: Int = 101,
                seed: UInt64, sessions: [Session], rooms: [String], results: ResultsPolicy = .immediate) {
        self.name = name; self.bank = bank; self.blueprint = blueprint; self.paperMode = paperMode; self.codeCount = codeCount
        self.firstCode = firstCode; self.seed = seed; self.sessions = sessions; self.rooms = rooms; self.results = results
    }
}

/// A login slip: what a candidate needs to sign in. The access code exists in clear only here.
public struct LoginSlip: Codable, Sendable, Hashable {
    public var sbd: String
    public var studentID: String
    public var fullName: String
    public var dateOfBirth: String?
    public var className: String?
    public var room: String
    public var session: String
    public var opensAt: Date
    public var paperCode: String
    public var accessCode: String

    public init(sbd: String, studentID: String, fullName: String, dateOfBirth: String?, className: String?, room: String, session: String,
                opensAt: Date, paperCode: String, accessCode: String) {
        self.sbd = sbd; self.studentID = studentID; self.fullName = fullName; self.dateOfBirth = dateOfBirth; self.className = className
        self.room = room; self.session = session; self.opensAt = opensAt; self.paperCode = paperCode; self.accessCode = accessCode
    }
}

/// An exam at a glance.
public struct ExamStatus: Codable, Sendable, Hashable {
    public struct Slot: Codable, Sendable, Hashable {
        public var session: String
        public var room: String
        public var candidates: Int
    }
    public var name: String
    public var subject: String
    public var state: String
    public var paperMode: String
    public var papers: Int
    public var candidates: Int
    public var slots: [Slot]
}

/// One candidate's line in the results.
public struct ResultRow: Codable, Sendable, Hashable {
    public var sbd: String?
    public var studentID: String
    public var fullName: String
    public var className: String?
    public var room: String?
    public var paperCode: String?
    /// The score on the 10-point scale; nil until the attempt is graded. Provisional while `state` is pending.
    public var score: Points?
    public var session: String? = nil
    /// absent (vắng), not-started, in-progress, pending (essays wait for a grader: the score is provisional) or final.
    public var state: State = .notStarted
    /// Part totals (Phần I, II, III…), once submitted.
    public var parts: [PaperScore.PartTotal]? = nil
    /// Items still waiting for a grader.
    public var pendingItems: Int = 0
    /// Who graded items of this attempt by hand.
    public var graders: [String] = []

    public enum State: String, Codable, Sendable, CaseIterable {
        case absent, notStarted = "not-started", inProgress = "in-progress", pending, final
        /// As the score sheets write it.
        public var vietnamese: String {
            switch self {
            case .absent: "vắng"
            case .notStarted: "chưa thi"
            case .inProgress: "đang làm"
            case .pending: "chờ chấm (điểm tạm tính)"
            case .final: "chính thức"
            }
        }
    }
}

extension AppDatabase {
    /// Creates an exam after checking that its bank can fill its blueprint (every short cell is listed).
    public func createExam(_ definition: ExamDefinition) throws {
        try writer.write { db in try Self.createExam(db, definition, now: Date()) }
    }

    static func createExam(_ db: SQLConnection, _ definition: ExamDefinition, now: Date) throws {
        try checkDefinition(db, definition, except: nil)
        let blueprint = String(decoding: try Canonical.encoder.encode(definition.blueprint), as: UTF8.self)
        var exam = ExamRecord(id: nil, name: definition.name, subject: definition.blueprint.subject, bankName: definition.bank, blueprint: blueprint,
                              paperMode: definition.paperMode.rawValue, codeCount: definition.paperMode == .codes ? definition.codeCount : nil,
                              firstCode: definition.firstCode, seed: Int64(bitPattern: definition.seed), resultsPolicy: definition.results.rawValue,
                              state: "draft", createdAt: now, preparedAt: nil, resultsReleasedAt: nil, version: 0)
        try exam.insert(db)
        try db.execute(sql: "UPDATE exam SET takeoverPolicy = ?, reviewPolicy = ? WHERE id = ?",
                       arguments: [definition.takeover.rawValue, definition.review.rawValue, exam.id!])
        try placeSessionsAndRooms(db, examId: exam.id!, definition)
    }

    /// A draft exam changed as a whole (its candidates stay; rooms kept by name keep their proctors).
    static func updateExam(_ db: SQLConnection, named name: String, _ definition: ExamDefinition) throws {
        let record = try exam(db, named: name)
        guard record.state == "draft" else {
            throw StoreError(.alreadyPrepared, "kỳ thi \"\(name)\" đã chuẩn bị: không sửa được nữa / the exam is prepared and cannot change")
        }
        try checkDefinition(db, definition, except: record.id)
        let blueprint = String(decoding: try Canonical.encoder.encode(definition.blueprint), as: UTF8.self)
        try db.execute(sql: """
            UPDATE exam SET name = ?, subject = ?, bankName = ?, blueprint = ?, paperMode = ?, codeCount = ?, firstCode = ?, seed = ?, resultsPolicy = ?,
              takeoverPolicy = ?, reviewPolicy = ?, version = version + 1 WHERE id = ?
            """, arguments: [definition.name, definition.blueprint.subject, definition.bank, blueprint, definition.paperMode.rawValue,
                             definition.paperMode == .codes ? definition.codeCount : nil, definition.firstCode, Int64(bitPattern: definition.seed),
                             definition.results.rawValue, definition.takeover.rawValue, definition.review.rawValue, record.id!])
        try db.execute(sql: "DELETE FROM examSession WHERE examId = ?", arguments: [record.id!])
        let kept = Set(definition.rooms)
        for room in try String.fetchAll(db, sql: "SELECT name FROM room WHERE examId = ?", arguments: [record.id!]) where !kept.contains(room) {
            try db.execute(sql: "DELETE FROM room WHERE examId = ? AND name = ?", arguments: [record.id!, room])
        }
        try placeSessionsAndRooms(db, examId: record.id!, definition)
    }

    /// What every exam must be: a name (unique), sessions and rooms without repeats, a bank that can fill the blueprint.
    static func checkDefinition(_ db: SQLConnection, _ definition: ExamDefinition, except examId: Int64?) throws {
        guard !definition.name.trimmingCharacters(in: .whitespaces).isEmpty else { throw StoreError.invalid("name", "kỳ thi cần tên / an exam needs a name") }
        guard !definition.sessions.isEmpty else { throw StoreError.invalid("sessions", "kỳ thi cần ít nhất một ca thi / an exam needs a session") }
        guard !definition.rooms.isEmpty else { throw StoreError.invalid("rooms", "kỳ thi cần ít nhất một phòng thi / an exam needs a room") }
        guard Set(definition.rooms).count == definition.rooms.count else { throw StoreError.invalid("rooms", "tên phòng thi lặp lại / room names repeat") }
        guard Set(definition.sessions.map(\.name)).count == definition.sessions.count else { throw StoreError.invalid("sessions", "tên ca thi lặp lại / session names repeat") }
        for (room, seats) in definition.capacities where seats < 1 || seats > 10_000 || !definition.rooms.contains(room) {
            throw StoreError.invalid("rooms", "sức chứa phòng \(room): 1–10000 chỗ / room \(room): 1 to 10000 seats")
        }
        if definition.paperMode == .codes, !(1...1000).contains(definition.codeCount) { throw StoreError.invalid("codeCount", "số mã đề phải từ 1 đến 1000 / 1 to 1000 codes") }
        guard let bankId = try Int64.fetchOne(db, sql: "SELECT id FROM bank WHERE name = ?", arguments: [definition.bank]) else {
            throw StoreError(.notFound, "không có ngân hàng \"\(definition.bank)\" / no bank named \"\(definition.bank)\"", field: "bank")
        }
        _ = try PaperGenerator(blueprint: definition.blueprint, bank: try paperBank(db, bankId: bankId, name: definition.bank).bank)
        if try Int64.fetchOne(db, sql: "SELECT id FROM exam WHERE name = ? AND id IS DISTINCT FROM ?", arguments: [definition.name, examId]) != nil {
            throw StoreError(.exists, "đã có kỳ thi \"\(definition.name)\" / an exam named \"\(definition.name)\" exists", field: "name")
        }
    }

    /// The definition's sessions, and its rooms not there yet.
    static func placeSessionsAndRooms(_ db: SQLConnection, examId: Int64, _ definition: ExamDefinition) throws {
        for session in definition.sessions {
            let timing = session.timing
            var record = ExamSessionRecord(id: nil, examId: examId, name: session.name, opensAt: timing.opensAt, durationSeconds: timing.durationSeconds,
                                           lateEntrySeconds: timing.lateEntrySeconds, graceSeconds: timing.graceSeconds, policy: timing.policy.rawValue)
            try record.insert(db)
        }
        let existing = Set(try String.fetchAll(db, sql: "SELECT name FROM room WHERE examId = ?", arguments: [examId]))
        for room in definition.rooms where !existing.contains(room) {
            var record = RoomRecord(id: nil, examId: examId, name: room)
            try record.insert(db)
        }
        for room in definition.rooms {
            try db.execute(sql: "UPDATE room SET capacity = ? WHERE examId = ? AND name = ?", arguments: [definition.capacities[room], examId, room])
        }
    }

    /// Exam names, newest first.
    public func examNames() throws -> [String] {
        try writer.read { db in try String.fetchAll(db, sql: "SELECT name FROM exam WHERE kind = 'exam' ORDER BY id DESC") }
    }

    static func exam(_ db: SQLConnection, named name: String) throws -> ExamRecord {
        guard let record = try ExamRecord.fetchOne(db, where: "name = ?", arguments: [name]) else {
            throw StoreError(.notFound, "không có kỳ thi \"\(name)\" / no exam named \"\(name)\"", field: "exam")
        }
        return record
    }

    static func examRow(_ db: SQLConnection, _ name: String) throws -> SQLRow {
        guard let row = try SQLRow.fetchOne(db, sql: "SELECT * FROM exam WHERE name = ?", arguments: [name]) else {
            throw StoreError(.notFound, "không có kỳ thi \"\(name)\" / no exam named \"\(name)\"", field: "exam")
        }
        return row
    }

    /// Adds (or updates, by student id) the candidates of an exam that is not prepared yet.
    /// Returns how many were added and how many updated.
    public func importCandidates(exam: String, entries: [RosterEntry]) throws -> (added: Int, updated: Int) {
        try writer.write { db in try Self.importCandidates(db, exam: exam, entries: entries) }
    }

    static func importCandidates(_ db: SQLConnection, exam: String, entries: [RosterEntry]) throws -> (added: Int, updated: Int) {
        do {
            let row = try Self.examRow(db, exam)
            guard row["state"] as String == "draft" else {
                throw StoreError(.alreadyPrepared, "kỳ thi \"\(exam)\" đã chuẩn bị xong; không thêm thí sinh được nữa / the exam is prepared; candidates cannot change")
            }
            let examId: Int64 = row["id"]
            var added = 0, updated = 0
            for entry in entries {
                if try Int.fetchOne(db, sql: "SELECT count(*) FROM candidate WHERE examId = ? AND studentId = ?", arguments: [examId, entry.studentID])! > 0 {
                    try db.execute(sql: "UPDATE candidate SET fullName = ?, dateOfBirth = ?, className = ? WHERE examId = ? AND studentId = ?",
                                   arguments: [entry.fullName, entry.dateOfBirth, entry.className, examId, entry.studentID])
                    updated += 1
                } else {
                    try db.execute(sql: "INSERT INTO candidate(examId, studentId, fullName, dateOfBirth, className) VALUES (?, ?, ?, ?, ?)",
                                   arguments: [examId, entry.studentID, entry.fullName, entry.dateOfBirth, entry.className])
                    added += 1
                }
            }
            return (added, updated)
        }
    }

    /// Prepares an exam in one transaction: orders candidates by class and Vietnamese name, shares them out
    /// over sessions × rooms, numbers them (số báo danh), generates the papers (K codes, neighbours in a room
    /// getting different codes; or one per candidate) with the question revisions they use, and issues access
    /// codes, of which only a keyed hash is stored. The slips returned are the only place the codes appear.
    public func prepareExam(_ name: String) throws -> [LoginSlip] {
        try writer.write { db in try Self.prepareExam(db, name, now: Date()) }
    }

    static func prepareExam(_ db: SQLConnection, _ name: String, now: Date, progress: (Int, Int) -> Void = { _, _ in }) throws -> [LoginSlip] {
        do {
            let row = try Self.examRow(db, name)
            guard row["state"] as String == "draft" else {
                throw StoreError(.alreadyPrepared, "kỳ thi \"\(name)\" đã chuẩn bị / the exam is already prepared")
            }
            let examId: Int64 = row["id"]
            let blueprint = try JSONDecoder().decode(Blueprint.self, from: Data((row["blueprint"] as String).utf8))
            let bankName: String = row["bankName"]
            guard let bankId = try Int64.fetchOne(db, sql: "SELECT id FROM bank WHERE name = ?", arguments: [bankName]) else {
                throw StoreError(.notFound, "không còn ngân hàng \"\(bankName)\" / bank \"\(bankName)\" is gone", field: "bank")
            }
            // The bank as it is now (retired questions left out), with the revision row of every question.
            let source = try Self.paperBank(db, bankId: bankId, name: bankName)
            let revisionIDs = source.revisionIDs
            let generator = try PaperGenerator(blueprint: blueprint, bank: source.bank)

            struct Candidate { let id: Int64; let studentID: String; let fullName: String; let birth: String?; let className: String? }
            var candidates = try SQLRow.fetchAll(db, sql: "SELECT id, studentId, fullName, dateOfBirth, className FROM candidate WHERE examId = ?", arguments: [examId])
                .map { Candidate(id: $0["id"], studentID: $0["studentId"], fullName: $0["fullName"], birth: $0["dateOfBirth"], className: $0["className"]) }
            guard !candidates.isEmpty else {
                throw StoreError.invalid("candidates", "kỳ thi chưa có thí sinh / the exam has no candidates yet")
            }
            let byName = VietnameseCollation.sortedNames(candidates.map(\.fullName))
            let nameRank = Dictionary(byName.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            candidates.sort { a, b in
                if (a.className ?? "") != (b.className ?? "") { return VietnameseCollation.precedes(a.className ?? "", b.className ?? "") }
                if nameRank[a.fullName]! != nameRank[b.fullName]! { return nameRank[a.fullName]! < nameRank[b.fullName]! }
                return a.studentID < b.studentID
            }
            let sessions = try SQLRow.fetchAll(db, sql: "SELECT id, name, opensAt FROM examSession WHERE examId = ? ORDER BY opensAt, id", arguments: [examId])
            let rooms = try SQLRow.fetchAll(db, sql: "SELECT id, name, capacity FROM room WHERE examId = ? ORDER BY id", arguments: [examId])
            let slots = sessions.flatMap { session in rooms.map { (session: session, room: $0) } }
            let sizes = try Self.seatCounts(candidates: candidates.count, capacities: slots.map { $0.room["capacity"] as Int? })

            // Papers.
            let mode = row["paperMode"] as String
            let seed = UInt64(bitPattern: row["seed"] as Int64)
            let codes: [String] = mode == "codes"
                ? PaperRequest.numberedCodes(row["codeCount"] as Int, first: row["firstCode"] as Int)
                : (1...candidates.count).map { String(format: "%04d", $0) }
            var paperIDs: [String: Int64] = [:]
            // Steps: every paper made, then every candidate seated.
            let steps = codes.count + candidates.count
            progress(0, steps)
            try generator.generate(PaperRequest(mode: .codes(codes), seed: seed)) { paper in
                defer { progress(paperIDs.count, steps) }
                paperIDs[paper.code] = try insertPaper(db, examId: examId, paper, revisionIDs: revisionIDs)
            }

            // Seats, numbers, papers, codes.
            let key = try Self.accessCodeKey(db)
            var slips: [LoginSlip] = []
            var slotIndex = 0, seat = 0
            for (index, candidate) in candidates.enumerated() {
                if index % 50 == 0 { progress(codes.count + index, steps) }
                while seat >= sizes[slotIndex] { slotIndex += 1; seat = 0 }
                defer { seat += 1 }
                let slot = slots[slotIndex]
                let code = mode == "codes" ? codes[(seat + slotIndex) % codes.count] : codes[index]
                let sbd = String(format: "%04d", index + 1)
                let accessCode = Self.newAccessCode()
                try db.execute(sql: "UPDATE candidate SET sbd = ?, examSessionId = ?, roomId = ?, paperId = ?, accessCodeHash = ? WHERE id = ?",
                               arguments: [sbd, slot.session["id"] as Int64, slot.room["id"] as Int64, paperIDs[code], Self.hash(accessCode, key: key), candidate.id])
                slips.append(LoginSlip(sbd: sbd, studentID: candidate.studentID, fullName: candidate.fullName, dateOfBirth: candidate.birth,
                                       className: candidate.className, room: slot.room["name"], session: slot.session["name"],
                                       opensAt: slot.session["opensAt"], paperCode: code, accessCode: accessCode))
            }
            progress(steps, steps)
            try db.execute(sql: "UPDATE exam SET state = 'prepared', preparedAt = ? WHERE id = ?", arguments: [now, examId])
            _ = try ExamDay.bumpVersion(db, examId: examId)
            return slips
        }
    }

    /// Stores a paper of an exam with the question revisions it uses, item by item; returns its row id.
    static func insertPaper(_ db: SQLConnection, examId: Int64, _ paper: Paper, revisionIDs: [String: Int64]) throws -> Int64 {
        let paperId = try db.insert(sql: "INSERT INTO paper(examId, code, content) VALUES (?, ?, ?)",
                       arguments: [examId, paper.code, String(decoding: try Canonical.encoder.encode(paper), as: UTF8.self)])
        for (index, item) in paper.items.enumerated() {
            guard let revisionId = revisionIDs[item.question.id] else { continue }
            try db.execute(sql: "INSERT INTO paperItem(paperId, position, key, questionRevisionId, pointsHundredths) VALUES (?, ?, ?, ?, ?)",
                           arguments: [paperId, index + 1, item.key, revisionId, item.points.hundredths])
        }
        return paperId
    }

    /// How many candidates each slot (session × room, in order) seats: an even share, never above a room's
    /// capacity (an earlier room takes more when later ones are full). Refused when the rooms cannot seat everyone.
    static func seatCounts(candidates: Int, capacities: [Int?]) throws -> [Int] {
        let total = capacities.reduce(0) { sum, capacity in capacity.map { sum + $0 } ?? Int.max / 2 }
        guard total >= candidates else {
            throw StoreError.invalid("rooms", "các phòng chỉ đủ \(total) chỗ cho \(candidates) thí sinh: thêm phòng, ca thi hoặc chỗ / the rooms seat \(total) for \(candidates) candidates: add rooms, sessions or seats")
        }
        var sizes: [Int] = []
        var remaining = candidates
        for (index, capacity) in capacities.enumerated() {
            let slotsLeft = capacities.count - index
            let later = capacities[(index + 1)...].reduce(0) { sum, capacity in capacity.map { sum + $0 } ?? Int.max / 2 }
            let even = (remaining + slotsLeft - 1) / slotsLeft
            let take = min(capacity ?? Int.max, max(even, remaining - later), remaining)
            sizes.append(take)
            remaining -= take
        }
        return sizes
    }

    /// New access codes for the candidates of a prepared exam (one room, one candidate, or all): the old codes
    /// stop working.
    public func resetAccessCodes(exam: String, room: String? = nil, sbd: String? = nil, now: Date = Date()) throws -> [LoginSlip] {
        try writer.write { db in try Self.resetAccessCodes(db, exam: exam, room: room, sbd: sbd, now: now) }
    }

    /// New codes; the sessions of these candidates begun before `now` end.
    static func resetAccessCodes(_ db: SQLConnection, exam: String, room: String?, sbd: String?, now: Date) throws -> [LoginSlip] {
        let row = try examRow(db, exam)
        guard row["state"] as String == "prepared" else { throw StoreError(.notPrepared, "kỳ thi chưa chuẩn bị / the exam is not prepared yet") }
        let key = try accessCodeKey(db)
        var sql = """
            SELECT c.id, c.sbd, c.studentId, c.fullName, c.dateOfBirth, c.className, r.name AS room, s.name AS session, s.opensAt, p.code
            FROM candidate c JOIN room r ON r.id = c.roomId JOIN examSession s ON s.id = c.examSessionId JOIN paper p ON p.id = c.paperId
            WHERE c.examId = ?
            """
        var arguments: SQLArguments = [row["id"] as Int64]
        if let room { sql += " AND r.name = ?"; arguments += [room] }
        if let sbd { sql += " AND c.sbd = ?"; arguments += [sbd] }
        let rows = try SQLRow.fetchAll(db, sql: sql + " ORDER BY c.sbd", arguments: arguments)
        if let room, rows.isEmpty { throw StoreError(.notFound, "không có phòng \"\(room)\" hoặc phòng trống / no room \"\(room)\"", field: "room") }
        if let sbd, rows.isEmpty { throw StoreError(.notFound, "không có thí sinh \(sbd) / no candidate \(sbd)", field: "sbd") }
        let slips = try rows.map { candidate in
            let accessCode = Self.newAccessCode()
            try db.execute(sql: "UPDATE candidate SET accessCodeHash = ?, sessionsValidAfter = ? WHERE id = ?",
                           arguments: [Self.hash(accessCode, key: key), now, candidate["id"] as Int64])
            return LoginSlip(sbd: candidate["sbd"], studentID: candidate["studentId"], fullName: candidate["fullName"], dateOfBirth: candidate["dateOfBirth"],
                             className: candidate["className"], room: candidate["room"], session: candidate["session"], opensAt: candidate["opensAt"],
                             paperCode: candidate["code"], accessCode: accessCode)
        }
        _ = try ExamDay.bumpVersion(db, examId: row["id"])
        return slips
    }

    /// Whether `code` is the access code of candidate `sbd` in `exam` (constant-time comparison of hashes).
    public func verifyAccessCode(exam: String, sbd: String, code: String) throws -> Bool {
        try writer.read { db in
            guard let stored = try String.fetchOne(db, sql: """
                SELECT c.accessCodeHash FROM candidate c JOIN exam e ON e.id = c.examId WHERE e.name = ? AND c.sbd = ?
                """, arguments: [exam, sbd]),
                let key = try Data.fetchOne(db, sql: "SELECT value FROM setting WHERE key = 'accessCodeKey'") else { return false }
            return DatabaseStore.sameHash(Self.hash(code.uppercased().trimmingCharacters(in: .whitespaces), key: SymmetricKey(data: key)), stored)
        }
    }

    public func examStatus(_ name: String) throws -> ExamStatus {
        try writer.read { db in try Self.examStatus(db, name: name) }
    }

    static func examStatus(_ db: SQLConnection, name: String) throws -> ExamStatus {
        let row = try examRow(db, name)
        let examId: Int64 = row["id"]
        let slots = try SQLRow.fetchAll(db, sql: """
            SELECT s.name AS session, r.name AS room, count(c.id) AS candidates FROM examSession s CROSS JOIN room r
            LEFT JOIN candidate c ON c.examSessionId = s.id AND c.roomId = r.id
            WHERE s.examId = ? AND r.examId = ? GROUP BY s.id, r.id ORDER BY s.opensAt, s.id, r.id
            """, arguments: [examId, examId]).map { ExamStatus.Slot(session: $0["session"], room: $0["room"], candidates: $0["candidates"]) }
        return ExamStatus(
            name: name, subject: row["subject"], state: row["state"], paperMode: row["paperMode"],
            papers: try Int.fetchOne(db, sql: "SELECT count(*) FROM paper WHERE examId = ?", arguments: [examId])!,
            candidates: try Int.fetchOne(db, sql: "SELECT count(*) FROM candidate WHERE examId = ?", arguments: [examId])!,
            slots: slots)
    }

    /// One row per candidate, by số báo danh (then name before preparation). Scores come with grading.
    public func examResults(_ name: String) throws -> [ResultRow] {
        try writer.read { db in try Self.examResults(db, name: name) }
    }

    static func examResults(_ db: SQLConnection, name: String) throws -> [ResultRow] {
        let examId: Int64 = try examRow(db, name)["id"]
        var graders: [Int64: Set<String>] = [:]
        for row in try SQLRow.fetchAll(db, sql: """
            SELECT g.attemptId, g.grader FROM manualGrade g JOIN attempt a ON a.id = g.attemptId JOIN candidate c ON c.id = a.candidateId WHERE c.examId = ?
            """, arguments: [examId]) { graders[row[0], default: []].insert(row[1]) }
        let rows = try SQLRow.fetchAll(db, sql: """
            SELECT c.sbd, c.studentId, c.fullName, c.className, r.name AS room, p.code, a.scoreHundredths, s.name AS session, c.absentAt, a.id AS attemptId,
                   a.state, a.pendingItems, a.breakdown FROM candidate c
            LEFT JOIN room r ON r.id = c.roomId LEFT JOIN paper p ON p.id = c.paperId LEFT JOIN attempt a ON a.candidateId = c.id
            LEFT JOIN examSession s ON s.id = c.examSessionId
            WHERE c.examId = ?
            """, arguments: [examId]).map { row in
            var result = ResultRow(sbd: row["sbd"], studentID: row["studentId"], fullName: row["fullName"], className: row["className"],
                                   room: row["room"], paperCode: row["code"], score: (row["scoreHundredths"] as Int?).map(Points.init(hundredths:)))
            result.session = row["session"]
            let attemptId: Int64? = row["attemptId"]
            switch row["state"] as String? {
            case nil: result.state = row["absentAt"] as Date? == nil ? .notStarted : .absent
            case "submitted"?:
                result.pendingItems = row["pendingItems"] ?? 0
                result.state = result.pendingItems > 0 ? .pending : .final
                if let breakdown = row["breakdown"] as String? { result.parts = try? PaperScore(stored: breakdown).parts }
            default: result.state = .inProgress
            }
            if let attemptId { result.graders = graders[attemptId].map { $0.sorted() } ?? [] }
            return result
        }
        let order = Dictionary(VietnameseCollation.sortedNames(rows.map(\.fullName)).enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        return rows.sorted { a, b in
            switch (a.sbd, b.sbd) {
            case let (x?, y?): return x < y
            default: return order[a.fullName]! < order[b.fullName]!
            }
        }
    }

    /// The paper a candidate sits, as stored at preparation.
    public func paper(exam: String, code: String) throws -> Paper {
        try writer.read { db in
            let examId: Int64 = try Self.examRow(db, exam)["id"]
            guard let content = try String.fetchOne(db, sql: "SELECT content FROM paper WHERE examId = ? AND code = ?", arguments: [examId, code]) else {
                throw StoreError(.notFound, "không có mã đề \(code) / no paper \(code)", field: "code")
            }
            return try JSONDecoder().decode(Paper.self, from: Data(content.utf8))
        }
    }

    // MARK: access codes

    /// 8 characters without look-alikes (no 0/O, 1/I/L): about 40 bits, typed easily on a lab keyboard.
    static let codeAlphabet = Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ")

    static func newAccessCode() -> String { randomCode(length: 8, alphabet: codeAlphabet) }

    /// `length` characters drawn from `alphabet` by the system's secure generator (access codes, passwords).
    public static func randomCode(length: Int, alphabet: [Character]) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// HMAC-SHA256 of the code under the database's key: fast enough for thousands of logins a minute, and
    /// useless without the key (the codes are random, so no slow password hash is needed).
    static func hash(_ code: String, key: SymmetricKey) -> String {
        Hex.encode(HMAC<SHA256>.authenticationCode(for: Data(code.utf8), using: key))
    }

    static func accessCodeKey(_ db: SQLConnection) throws -> SymmetricKey { try secretKey(db, named: "accessCodeKey") }

    /// A 256-bit secret kept in the `setting` table, made on first use.
    static func secretKey(_ db: SQLConnection, named name: String) throws -> SymmetricKey {
        if let stored = try Data.fetchOne(db, sql: "SELECT value FROM setting WHERE key = ?", arguments: [name]) { return SymmetricKey(data: stored) }
        let key = SymmetricKey(size: .bits256)
        try db.execute(sql: "INSERT INTO setting(key, value) VALUES (?, ?)", arguments: [name, key.withUnsafeBytes { Data($0) }])
        return key
    }
}

extension AppDatabase {
    /// `seatCounts` for tests.
    public static func seatCountsForTesting(candidates: Int, capacities: [Int?]) throws -> [Int] { try seatCounts(candidates: candidates, capacities: capacities) }
}
