import BankFormats
import ExamCore
import ExamStore
import Foundation
import HTTPTypes
import Hummingbird

/// Exam day from the browser, before and after: coordinators create an exam, upload its class list, prepare it
/// (numbers, papers, access codes, slips) and release or withdraw its results; admins manage staff accounts.
/// Every change goes through the store, which audits it with the member who made it.
struct SetupAPI {
    let state: ServerState
    let jobs: Jobs

    struct SessionBody: Decodable {
        var name: String
        var opensAt: String
        var durationMinutes: Int
        var lateEntryMinutes: Int?
        var graceSeconds: Int?
        var policy: String?
    }

    struct CreateBody: Decodable {
        var name: String
        var bank: String
        var blueprint: String
        var paperMode: String?
        var codes: Int?
        var firstCode: Int?
        var seed: UInt64?
        var sessions: [SessionBody]
        var rooms: [String]
        var results: String?
        var takeover: String?
        var review: String?
    }

    struct Prepared: ResponseEncodable { var exam: String; var slips: [LoginSlip] }
    struct Password: ResponseEncodable { var username: String; var password: String }
    struct Account: ResponseEncodable { var username: String; var fullName: String; var role: String; var disabled: Bool }

    func register(_ group: RouterGroup<ExamRequestContext>) {
        group.get("setup/exams") { _, context in
            _ = try context.requireStaff(\.coordinates)
            return Views.List(items: try await state.store.setup.exams(now: state.configuration.now()))
        }
        group.post("setup/exams", use: create)
        group.put("setup/exams/:exam", use: update)
        group.get("setup/exams/:exam") { _, context in
            _ = try context.requireStaff(\.coordinates)
            return try await state.store.setup.overview(exam: try StaffAPI.parameter("exam", context), now: state.configuration.now())
        }
        group.put("setup/exams/:exam/class-list/:file", use: uploadCandidates)
        // The exam's papers with their keys, per code, for the print view: the paper fallback on exam day.
        group.get("setup/exams/:exam/papers") { _, context in
            _ = try context.requireStaff(\.coordinates)
            return Views.PrintSetView(try await state.store.setup.examPapers(exam: try StaffAPI.parameter("exam", context)))
        }
        // One candidate typed in (a late addition to the list), checked like a row of a class list.
        group.post("setup/exams/:exam/candidates") { request, context in
            let who = try context.requireStaff(\.coordinates)
            struct Body: Decodable { var studentID: String; var fullName: String; var dateOfBirth: String?; var className: String? }
            let body = try await CandidateAPI.decode(Body.self, request, context)
            let (entry, problems) = RosterFormat.entry(studentID: body.studentID, fullName: body.fullName, dateOfBirth: body.dateOfBirth, className: body.className)
            guard let entry, problems.isEmpty else {
                throw APIError(.badRequest, code: "invalid", problems.first?.description ?? "thí sinh không hợp lệ / invalid candidate", field: "candidate",
                               problems: problems.map(\.description))
            }
            let stored = try await state.store.setup.importCandidates(exam: try StaffAPI.parameter("exam", context), entries: [entry], by: Actor(who),
                                                                       now: state.configuration.now())
            return try Views.created(stored, request, context)
        }
        group.delete("setup/exams/:exam/candidates/:studentID") { _, context in
            let who = try context.requireStaff(\.coordinates)
            try await state.store.setup.removeCandidate(exam: try StaffAPI.parameter("exam", context), studentID: try StaffAPI.parameter("studentID", context),
                                                        by: Actor(who), now: state.configuration.now())
            return Response(status: .noContent)
        }
        // Prepared at once, or with `?job=1` as a job the page watches (papers made, candidates seated); the slips,
        // the only place the codes exist in clear, are then the job's result for its member alone.
        group.post("setup/exams/:exam/prepare") { request, context in
            let who = try context.requireStaff(\.coordinates)
            let exam = try StaffAPI.parameter("exam", context)
            let store = state.store, now = state.configuration.now()
            if request.uri.queryParameters.get("job") == "1" {
                let id = try jobs.start(kind: "prepare", owner: who.username, now: now) { progress in
                    Prepared(exam: exam, slips: try await store.setup.prepareExam(exam, by: Actor(who), now: now, progress: progress))
                }
                return try Views.created(Views.JobStarted(job: id), request, context)
            }
            let slips = try await store.setup.prepareExam(exam, by: Actor(who), now: now, progress: { _, _ in })
            return try Prepared(exam: exam, slips: slips).response(from: request, context: context)
        }
        // Which proctors watch a room: once an exam has assignments, a proctor sees and acts on their rooms only.
        group.put("setup/exams/:exam/rooms/:room/proctors") { request, context in
            let who = try context.requireStaff(\.coordinates)
            struct Body: Decodable { var usernames: [String] }
            let body = try await CandidateAPI.decode(Body.self, request, context)
            guard body.usernames.count <= 50 else { throw APIError.invalid("usernames", "tối đa 50 giám thị một phòng / at most 50 proctors a room") }
            return try await state.store.setup.assignProctors(exam: try StaffAPI.parameter("exam", context), room: try StaffAPI.parameter("room", context),
                                                              usernames: body.usernames, by: Actor(who), now: state.configuration.now())
        }
        group.post("exams/:exam/withdraw-results") { request, context in
            let who = try context.requireStaff(\.coordinates)
            struct Body: Decodable { var reason: String }
            let body = try await CandidateAPI.decode(Body.self, request, context)
            try Self.checkReason(body.reason)
            return try await state.store.setup.withdrawResults(exam: try StaffAPI.parameter("exam", context), reason: body.reason, by: Actor(who),
                                                               now: state.configuration.now())
        }

        // Staff accounts: admins.
        group.get("accounts") { _, context in
            _ = try context.requireStaff(\.administers)
            return Views.List(items: try await state.store.staffAdmin.staffAccounts().map {
                Account(username: $0.member.username, fullName: $0.member.fullName, role: $0.member.role.rawValue, disabled: $0.disabled)
            })
        }
        group.post("accounts") { request, context in
            let who = try context.requireStaff(\.administers)
            struct Body: Decodable { var username: String; var fullName: String; var role: String }
            let body = try await CandidateAPI.decode(Body.self, request, context)
            guard let role = StaffRole(rawValue: body.role) else {
                throw APIError.invalid("role", "role: " + StaffRole.allCases.map(\.rawValue).joined(separator: ", "))
            }
            let username = body.username.trimmingCharacters(in: .whitespaces)
            let password = try await state.store.staffAdmin.addStaff(username: username, fullName: body.fullName, role: role, by: Actor(who),
                                                                      now: state.configuration.now())
            return try Views.created(Password(username: username, password: password), request, context)
        }
        for (action, disabled) in [("disable", true), ("enable", false)] {
            group.post("accounts/:username/\(action)") { _, context in
                let who = try context.requireStaff(\.administers)
                try await state.store.staffAdmin.setStaffDisabled(username: try StaffAPI.parameter("username", context), disabled: disabled, by: Actor(who),
                                                                  now: state.configuration.now())
                return Response(status: .noContent)
            }
        }
        group.post("accounts/:username/password") { _, context in
            let who = try context.requireStaff(\.administers)
            let username = try StaffAPI.parameter("username", context)
            let password = try await state.store.staffAdmin.resetStaffPassword(username: username, by: Actor(who), now: state.configuration.now())
            return Password(username: username, password: password)
        }
    }

    static func checkReason(_ reason: String) throws {
        guard reason.count <= StaffAPI.maximumReason else {
            throw APIError.invalid("reason", "lý do tối đa \(StaffAPI.maximumReason) ký tự / a reason of at most \(StaffAPI.maximumReason) characters")
        }
    }

    @Sendable func create(_ request: Request, context: ExamRequestContext) async throws -> Response {
        let who = try context.requireStaff(\.coordinates)
        let (definition, blueprintName) = try await definition(request, context, who)
        let overview = try await state.store.setup.createExam(definition, blueprintName: blueprintName, by: Actor(who), now: state.configuration.now())
        return try Views.created(overview, request, context)
    }

    /// A draft exam changed as a whole, with the body of a create.
    @Sendable func update(_ request: Request, context: ExamRequestContext) async throws -> ExamOverview {
        let who = try context.requireStaff(\.coordinates)
        let (definition, blueprintName) = try await definition(request, context, who)
        return try await state.store.setup.updateExam(try StaffAPI.parameter("exam", context), definition, blueprintName: blueprintName, by: Actor(who),
                                                     now: state.configuration.now())
    }

    /// The exam a create (or update) body describes, checked field by field.
    func definition(_ request: Request, _ context: ExamRequestContext, _ who: StaffMember) async throws -> (ExamDefinition, String) {
        let body = try await CandidateAPI.decode(CreateBody.self, request, context)
        let name = body.name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 200, !name.contains("/") else {
            throw APIError.invalid("name", "tên kỳ thi 1–200 ký tự, không có \"/\" / an exam name of 1–200 characters without \"/\"")
        }
        let mode = ExamDefinition.PaperMode(rawValue: body.paperMode ?? "codes")
        guard let mode else { throw APIError.invalid("paperMode", "paperMode: codes, candidates") }
        let codes = body.codes ?? 4
        guard mode == .candidates || (1...200).contains(codes) else { throw APIError.invalid("codes", "số mã đề từ 1 đến 200 / 1 to 200 codes") }
        let firstCode = body.firstCode ?? 101
        guard (0...99_000).contains(firstCode) else { throw APIError.invalid("firstCode", "mã đề đầu tiên từ 0 đến 99000 / first code 0 to 99000") }
        guard let results = ExamDefinition.ResultsPolicy(rawValue: body.results ?? "later") else { throw APIError.invalid("results", "results: immediate, later") }
        guard let takeover = ExamDefinition.TakeoverPolicy(rawValue: body.takeover ?? "free") else { throw APIError.invalid("takeover", "takeover: free, proctor") }
        guard let review = ExamDefinition.ReviewPolicy(rawValue: body.review ?? "score") else {
            throw APIError.invalid("review", "review: none, score, answers, key")
        }
        guard (1...20).contains(body.sessions.count) else { throw APIError.invalid("sessions", "từ 1 đến 20 ca thi / 1 to 20 sessions") }
        var sessions: [ExamDefinition.Session] = []
        for (index, session) in body.sessions.enumerated() {
            let field = "sessions[\(index)]"
            let sessionName = session.name.trimmingCharacters(in: .whitespaces)
            guard !sessionName.isEmpty, sessionName.count <= 100 else { throw APIError.invalid(field + ".name", "ca thi cần tên / a session needs a name") }
            guard let opensAt = ISOTime.date(session.opensAt) else {
                throw APIError.invalid(field + ".opensAt", "giờ mở ca thi: thời điểm ISO 8601 / opening time: an ISO 8601 time")
            }
            guard (1...600).contains(session.durationMinutes) else { throw APIError.invalid(field + ".durationMinutes", "thời gian làm bài 1–600 phút / 1 to 600 minutes") }
            let late = session.lateEntryMinutes ?? 15
            guard (0...600).contains(late) else { throw APIError.invalid(field + ".lateEntryMinutes", "vào muộn 0–600 phút / 0 to 600 minutes") }
            let grace = session.graceSeconds ?? 30
            guard (0...600).contains(grace) else { throw APIError.invalid(field + ".graceSeconds", "gia hạn 0–600 giây / 0 to 600 seconds") }
            guard let policy = SessionTiming.DeadlinePolicy(rawValue: session.policy ?? "fixed-end") else {
                throw APIError.invalid(field + ".policy", "policy: fixed-end, from-start")
            }
            sessions.append(.init(name: sessionName, timing: SessionTiming(opensAt: opensAt, durationSeconds: session.durationMinutes * 60,
                                                                           lateEntrySeconds: late * 60, graceSeconds: grace, policy: policy)))
        }
        // "P101" or "P101:40" (40 seats per session).
        var capacities: [String: Int] = [:]
        var rooms: [String] = []
        for entry in body.rooms.map({ $0.trimmingCharacters(in: .whitespaces) }).filter({ !$0.isEmpty }) {
            let parts = entry.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 {
                guard let seats = Int(parts[1]), (1...10_000).contains(seats), !parts[0].isEmpty else {
                    throw APIError.invalid("rooms", "\"\(entry)\": phòng:số chỗ, ví dụ P101:40 / room:seats, e.g. P101:40")
                }
                capacities[parts[0]] = seats
            }
            rooms.append(parts[0])
        }
        guard (1...200).contains(rooms.count), rooms.allSatisfy({ $0.count <= 100 }) else {
            throw APIError.invalid("rooms", "từ 1 đến 200 phòng thi, tên tối đa 100 ký tự / 1 to 200 rooms, names of at most 100 characters")
        }
        let actor = Actor(who)
        let (blueprint, _) = try await state.store.blueprints.blueprint(named: body.blueprint, for: actor)
        var definition = ExamDefinition(name: name, bank: body.bank, blueprint: blueprint, paperMode: mode, codeCount: codes, firstCode: firstCode,
                                        seed: body.seed ?? UInt64.random(in: 1...UInt64(Int64.max)), sessions: sessions, rooms: rooms, results: results)
        definition.takeover = takeover
        definition.review = review
        definition.capacities = capacities
        return (definition, body.blueprint)
    }

    /// The class list as a file (CSV or XLSX, its name in the path): every bad row listed with its place and
    /// nothing stored, or every row stored.
    @Sendable func uploadCandidates(_ request: Request, context: ExamRequestContext) async throws -> CandidateImport {
        let who = try context.requireStaff(\.coordinates)
        let exam = try StaffAPI.parameter("exam", context)
        let entries = try await Self.readClassList(request, context)
        return try await state.store.setup.importCandidates(exam: exam, entries: entries, by: Actor(who), now: state.configuration.now())
    }

    /// A class-list file uploaded with its name in the path (`:file`), read whole: refused (422, every bad row
    /// named) unless every row is right.
    static func readClassList(_ request: Request, _ context: ExamRequestContext) async throws -> [RosterEntry] {
        let file = try StaffAPI.parameter("file", context)
        _ = try UploadBatches.safeName(file)
        let data = try await AuthoringAPI.collect(request, upTo: ImportLimits.maximumFileBytes)
        guard !data.isEmpty else { throw APIError.invalid("file", "\(file): tệp rỗng / the file is empty") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("khaothi-roster-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent(try UploadBatches.safeName(file))
        try data.write(to: url)
        let entries: [RosterEntry]
        do {
            let (read, problems) = try RosterFormat.read(url)
            guard problems.isEmpty else {
                throw APIError(.unprocessableContent, code: "importRefused",
                               "danh sách có \(problems.count) dòng lỗi; sửa rồi tải lên lại (chưa lưu gì) / \(problems.count) bad rows; fix them and upload again (nothing was stored)",
                               field: "file", problems: problems.map(\.description))
            }
            entries = read
        } catch let error as BankFormatError {
            throw APIError(.unprocessableContent, code: "importRefused", error.description, field: "file", problems: [error.description])
        }
        guard !entries.isEmpty else { throw APIError.invalid("file", "\(file): không có học sinh nào / no student in the file") }
        return entries
    }
}

extension ExamOverview: ResponseEncodable {}
extension CandidateImport: ResponseEncodable {}
