import ExamCore
import ExamStore
import Foundation
import HTTPTypes
import Hummingbird

/// The staff's JSON API: sign in, watch an exam's candidates, add time, release results, download the score
/// sheet. The session is a signed cookie of its own (another key than the candidates'); the member and role
/// are read again on every request (`StaffAuthentication`), so a change of role or a removal takes effect
/// at once. Every route checks the role it needs.
struct StaffAPI {
    let state: ServerState

    static let cookieName = "khaothi_staff"
    /// The longest reason or note a proctor may write (a biên bản runs longer: see the room's incident notes).
    static let maximumReason = 500

    struct LoginRequest: Decodable { var username: String; var password: String }
    struct AddTimeRequest: Decodable { var minutes: Int; var reason: String? }
    struct AddTimeResponse: ResponseEncodable { var sbd: String; var deadline: Date; var serverTime: Date }
    struct Released: ResponseEncodable { var exam: String; var released: Bool; var releasedAt: Date?; var releasedBy: String? }
    struct NewCode: ResponseEncodable { var sbd: String; var accessCode: String }
    struct MoveAllowed: ResponseEncodable { var sbd: String; var until: Date }
    struct ForceSubmitted: ResponseEncodable { var sbd: String; var submitted: Bool; var score: Points }
    struct RoomTime: ResponseEncodable { var room: String; var minutes: Int; var candidates: [String] }
    struct Paused: ResponseEncodable { var sbd: String; var paused: Bool; var remainingSeconds: Int?; var deadline: Date? }

    func register(open: RouterGroup<ExamRequestContext>, signedIn: RouterGroup<ExamRequestContext>) {
        open.post("login", use: login)
        open.post("logout") { request, context in try await state.logout(request, context, cookie: Self.cookieName, signer: state.staffSigner) }
        signedIn.get("me") { _, context in try context.requireStaff() }
        signedIn.get("exams") { _, context in
            _ = try context.requireStaff(\.proctors)
            return try await state.store.exams.preparedExams()
        }
        signedIn.get("exams/:exam/monitor") { _, context in
            _ = try context.requireStaff(\.proctors)
            let exam = try Self.parameter("exam", context)
            let now = state.configuration.now()
            // Candidates locked after wrong codes are shown, with the end of their wait.
            await state.limiter.sync(now: now)
            let locked = state.limiter.locked(now: now)
            // A proctor assigned to rooms sees those rooms only.
            let rooms = try await allowedRooms(context, exam: exam)
            return try await state.store.exams.monitor(exam: exam, now: now).filter { row in rooms.map { row.room.map($0.contains) ?? false } ?? true }.map { row in
                var row = row
                row.lockedUntil = locked[.candidate(exam: exam, sbd: row.sbd)]
                return row
            }
        }
        // A proctor lets a candidate who was locked after wrong codes try again at once.
        signedIn.post("exams/:exam/candidates/:sbd/unlock") { _, context in
            _ = try context.requireStaff(\.proctors)
            let exam = try Self.parameter("exam", context), sbd = try Self.parameter("sbd", context)
            try await checkCandidate(context, exam: exam, sbd: sbd)
            _ = try await state.store.attempts.candidate(exam: exam, sbd: sbd)
            await state.limiter.unlockEverywhere(.candidate(exam: exam, sbd: sbd), now: state.configuration.now())
            return Response(status: .noContent)
        }
        signedIn.post("exams/:exam/candidates/:sbd/add-time", use: addTime)
        // A proctor ends an attempt now (graded as a submit), or reopens one submitted by mistake while its time
        // is not over (its grade cleared); the reason is required; audited.
        signedIn.post("exams/:exam/candidates/:sbd/force-submit") { request, context in
            let staff = try context.requireStaff(\.proctors)
            let exam = try Self.parameter("exam", context), sbd = try Self.parameter("sbd", context)
            try await checkCandidate(context, exam: exam, sbd: sbd)
            let reason = try await Self.requiredReason(request, context)
            let score = try await state.store.exams.forceSubmit(exam: exam, sbd: sbd, by: staff.username, reason: reason, now: state.configuration.now())
            return ForceSubmitted(sbd: sbd, submitted: true, score: score)
        }
        signedIn.post("exams/:exam/candidates/:sbd/reopen") { request, context in
            let staff = try context.requireStaff(\.proctors)
            let exam = try Self.parameter("exam", context), sbd = try Self.parameter("sbd", context)
            try await checkCandidate(context, exam: exam, sbd: sbd)
            let reason = try await Self.requiredReason(request, context)
            let status = try await state.store.exams.reopen(exam: exam, sbd: sbd, by: staff.username, reason: reason, now: state.configuration.now())
            return Paused(sbd: sbd, paused: status.paused, remainingSeconds: status.remainingSeconds, deadline: status.deadline)
        }
        // A move to another computer, allowed for five minutes (exams whose policy asks for a proctor's permission).
        signedIn.post("exams/:exam/candidates/:sbd/allow-move") { request, context in
            let staff = try context.requireStaff(\.proctors)
            let exam = try Self.parameter("exam", context), sbd = try Self.parameter("sbd", context)
            try await checkCandidate(context, exam: exam, sbd: sbd)
            let reason = try await Self.requiredReason(request, context)
            let until = try await state.store.exams.allowMove(exam: exam, sbd: sbd, minutes: 5, by: staff.username, reason: reason, now: state.configuration.now())
            return MoveAllowed(sbd: sbd, until: until)
        }
        // Vắng: a candidate who has not started is marked absent (or present again), with a reason; audited.
        for (action, absent) in [("absent", true), ("present", false)] {
            signedIn.post("exams/:exam/candidates/:sbd/\(action)") { request, context in
                let staff = try context.requireStaff(\.proctors)
                let exam = try Self.parameter("exam", context), sbd = try Self.parameter("sbd", context)
                try await checkCandidate(context, exam: exam, sbd: sbd)
                struct Body: Decodable { var reason: String? }
                let bytes = try await CandidateAPI.body(request, context)
                let body = bytes.readableBytes == 0 ? Body() : try CandidateAPI.decode(Body.self, from: bytes)
                guard (body.reason ?? "").count <= Self.maximumReason else {
                    throw APIError.invalid("reason", "lý do tối đa \(Self.maximumReason) ký tự / a reason of at most \(Self.maximumReason) characters")
                }
                try await state.store.exams.markAbsent(exam: exam, sbd: sbd, absent: absent, by: staff.username, reason: body.reason ?? "",
                                                       now: state.configuration.now())
                return Response(status: .noContent)
            }
        }
        // Biên bản: a note on a candidate or a room; and the room's log in time order, to print at the end.
        signedIn.post("exams/:exam/incidents") { request, context in
            let staff = try context.requireStaff(\.proctors)
            struct Body: Decodable { var room: String?; var sbd: String?; var note: String }
            let body = try await CandidateAPI.decode(Body.self, request, context)
            let note = body.note.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !note.isEmpty, note.count <= 5_000 else { throw APIError.invalid("note", "biên bản từ 1 đến 5000 ký tự / a note of 1 to 5000 characters") }
            let room = body.room.flatMap { $0.isEmpty ? nil : $0 }, sbd = body.sbd.flatMap { $0.isEmpty ? nil : $0 }
            guard room != nil || sbd != nil else { throw APIError.invalid("room", "ghi cho một phòng hoặc một thí sinh / a room or a candidate is needed") }
            let exam = try Self.parameter("exam", context)
            if let sbd { try await checkCandidate(context, exam: exam, sbd: sbd) }
            if let room { try await checkRoom(context, exam: exam, room: room) }
            try await state.store.exams.recordIncident(exam: exam, room: room, sbd: sbd, note: note, by: staff.username,
                                                       now: state.configuration.now())
            return Response(status: .created)
        }
        signedIn.get("exams/:exam/log") { request, context in
            _ = try context.requireStaff(\.proctors)
            let exam = try Self.parameter("exam", context)
            _ = try await state.store.setup.overview(exam: exam, now: state.configuration.now())
            let room = request.uri.queryParameters.get("room").flatMap { $0.isEmpty ? nil : $0 }
            // A proctor assigned to rooms reads the log of one of them.
            if try await allowedRooms(context, exam: exam) != nil {
                guard let room else { throw APIError.forbidden("chọn phòng bạn coi thi / choose one of your rooms") }
                try await checkRoom(context, exam: exam, room: room)
            }
            return Views.List(items: try await state.store.audit.entries(AuditQuery(limit: 10_000, exam: exam, room: room, ascending: true)))
        }
        // Minutes for every candidate still working in one room (a power cut in P101), each audited.
        signedIn.post("exams/:exam/rooms/:room/add-time") { request, context in
            let staff = try context.requireStaff(\.proctors)
            let exam = try Self.parameter("exam", context), room = try Self.parameter("room", context)
            try await checkRoom(context, exam: exam, room: room)
            let body = try await CandidateAPI.decode(AddTimeRequest.self, request, context)
            guard (1...240).contains(body.minutes) else { throw APIError.invalid("minutes", "số phút thêm phải từ 1 đến 240 / minutes must be 1 to 240") }
            let reason = (body.reason ?? "").trimmingCharacters(in: .whitespaces)
            guard !reason.isEmpty, reason.count <= Self.maximumReason else {
                throw APIError.invalid("reason", "cần lý do (tối đa \(Self.maximumReason) ký tự) / a reason is needed (at most \(Self.maximumReason) characters)")
            }
            let now = state.configuration.now()
            let rows = try await state.store.exams.monitor(exam: exam, now: now).filter { $0.room == room }
            guard !rows.isEmpty else { throw APIError(.notFound, code: "notFound", "không có phòng \(room) trong kỳ thi này / no room \(room) in this exam") }
            var added: [String] = []
            for row in rows where row.state == Attempt.State.inProgress.rawValue {
                do {
                    _ = try await state.store.exams.addTime(exam: exam, sbd: row.sbd, seconds: body.minutes * 60, by: staff.username, reason: reason, now: now)
                    added.append(row.sbd)
                } catch let error as StoreError where error.code == .alreadySubmitted || error.code == .timeUp {
                    continue // submitted in the meantime
                }
            }
            return RoomTime(room: room, minutes: body.minutes, candidates: added)
        }
        // A proctor stops a candidate's clock (a PC to change, a toilet break) and starts it again; the reason is
        // required, the candidate's page shows the pause at its next poll, and both are audited.
        for (action, pause) in [("pause", true), ("resume", false)] {
            signedIn.post("exams/:exam/candidates/:sbd/\(action)") { request, context in
                let staff = try context.requireStaff(\.proctors)
                let exam = try Self.parameter("exam", context), sbd = try Self.parameter("sbd", context)
                try await checkCandidate(context, exam: exam, sbd: sbd)
                let reason = try await Self.requiredReason(request, context)
                let now = state.configuration.now()
                let status = pause
                    ? try await state.store.exams.pause(exam: exam, sbd: sbd, by: staff.username, reason: reason, now: now)
                    : try await state.store.exams.resume(exam: exam, sbd: sbd, by: staff.username, reason: reason, now: now)
                return Paused(sbd: sbd, paused: status.paused, remainingSeconds: status.remainingSeconds, deadline: status.deadline)
            }
        }
        // A lost slip: a new access code for one candidate, shown once to the proctor (the old one stops working).
        signedIn.post("exams/:exam/candidates/:sbd/reset-code") { _, context in
            _ = try context.requireStaff(\.proctors)
            let exam = try Self.parameter("exam", context), sbd = try Self.parameter("sbd", context)
            try await checkCandidate(context, exam: exam, sbd: sbd)
            let slip = try await state.store.exams.resetAccessCode(exam: exam, sbd: sbd, now: state.configuration.now())
            // A new code also unlocks: whoever holds it may sign in now.
            await state.limiter.unlockEverywhere(.candidate(exam: exam, sbd: sbd), now: state.configuration.now())
            return NewCode(sbd: slip.sbd, accessCode: slip.accessCode)
        }
        // Refused (409 sessionRunning) while a session of the exam runs, unless `force` with a reason; audited.
        signedIn.post("exams/:exam/release-results") { request, context in
            let who = try context.requireStaff(\.coordinates)
            let exam = try Self.parameter("exam", context)
            struct Body: Decodable { var force: Bool?; var reason: String? }
            let bytes = try await CandidateAPI.body(request, context)
            let body = bytes.readableBytes == 0 ? Body() : try CandidateAPI.decode(Body.self, from: bytes)
            try SetupAPI.checkReason(body.reason ?? "")
            let overview = try await state.store.setup.releaseResults(exam: exam, force: body.force ?? false, reason: body.reason ?? "", by: Actor(who),
                                                                      now: state.configuration.now())
            return Released(exam: exam, released: true, releasedAt: overview.resultsReleasedAt, releasedBy: overview.resultsReleasedBy)
        }
        signedIn.get("exams/:exam/results", use: results)
    }

    @Sendable func login(_ request: Request, context: ExamRequestContext) async throws -> Response {
        let body = try await CandidateAPI.decode(LoginRequest.self, request, context)
        let now = state.configuration.now()
        // The slot is taken before the bcrypt check: parallel guesses get no more checks than sequential ones.
        let member = try await state.limiter.attempt(.staff(username: body.username), address: state.clientAddress(request, context), now: now,
                                                     wrong: APIError(.unauthorized, code: "wrongCredentials", "tên đăng nhập hoặc mật khẩu không đúng / wrong username or password")) {
            try await state.store.staff.verify(username: body.username, password: body.password)
        }
        var response = try member.response(from: request, context: context)
        response.setCookie(state.sessionCookie(Self.cookieName, state.staffSigner.token(exam: member.role.rawValue, sbd: member.username, issuedAt: now), request, context))
        return response
    }

    /// A path parameter, percent-decoded (exam names have spaces and Vietnamese letters).
    static func parameter(_ name: String, _ context: ExamRequestContext) throws -> String {
        let raw = try context.parameters.require(name)
        guard let decoded = raw.removingPercentEncoding else { throw APIError.invalid(name, "\(name): mã hoá % sai / bad percent-encoding") }
        return decoded
    }

    /// The rooms the signed-in member may watch and act on in this exam; nil for every room (coordinators and
    /// admins, or an exam without proctor assignments).
    func allowedRooms(_ context: ExamRequestContext, exam: String) async throws -> Set<String>? {
        let staff = try context.requireStaff(\.proctors)
        guard !staff.role.coordinates else { return nil }
        return try await state.store.setup.proctorRooms(exam: exam, username: staff.username)
    }

    /// 403 for a proctor acting on a candidate outside the rooms assigned to them.
    func checkCandidate(_ context: ExamRequestContext, exam: String, sbd: String) async throws {
        guard let rooms = try await allowedRooms(context, exam: exam) else { return }
        let candidate = try await state.store.attempts.candidate(exam: exam, sbd: sbd)
        guard let room = candidate.room, rooms.contains(room) else {
            throw APIError.forbidden("thí sinh \(sbd) không ở phòng bạn coi thi / candidate \(sbd) is not in a room of yours")
        }
    }

    func checkRoom(_ context: ExamRequestContext, exam: String, room: String) async throws {
        guard let rooms = try await allowedRooms(context, exam: exam), !rooms.contains(room) else { return }
        throw APIError.forbidden("phòng \(room) không phải phòng bạn coi thi / room \(room) is not one of yours")
    }

    /// `{"reason": "…"}`, not blank, at most `maximumReason` characters.
    static func requiredReason(_ request: Request, _ context: ExamRequestContext) async throws -> String {
        struct Body: Decodable { var reason: String }
        let reason = try await CandidateAPI.decode(Body.self, request, context).reason.trimmingCharacters(in: .whitespaces)
        guard !reason.isEmpty, reason.count <= maximumReason else {
            throw APIError.invalid("reason", "cần lý do (tối đa \(maximumReason) ký tự) / a reason is needed (at most \(maximumReason) characters)")
        }
        return reason
    }

    @Sendable func addTime(_ request: Request, context: ExamRequestContext) async throws -> AddTimeResponse {
        let staff = try context.requireStaff(\.proctors)
        let exam = try Self.parameter("exam", context)
        let sbd = try Self.parameter("sbd", context)
        try await checkCandidate(context, exam: exam, sbd: sbd)
        let body = try await CandidateAPI.decode(AddTimeRequest.self, request, context)
        guard (1...240).contains(body.minutes) else { throw APIError.invalid("minutes", "số phút thêm phải từ 1 đến 240 / minutes must be 1 to 240") }
        guard (body.reason ?? "").count <= Self.maximumReason else {
            throw APIError.invalid("reason", "lý do tối đa \(Self.maximumReason) ký tự / a reason of at most \(Self.maximumReason) characters")
        }
        let now = state.configuration.now()
        let deadline = try await state.store.exams.addTime(exam: exam, sbd: sbd, seconds: body.minutes * 60, by: staff.username,
                                                           reason: body.reason ?? "", now: now)
        return AddTimeResponse(sbd: sbd, deadline: deadline, serverTime: now)
    }

    /// The results of an exam (per room, session or class with `room`, `session`, `class`): JSON, CSV (`sep` `,`
    /// or `;`) or XLSX. Pending totals are marked pending in every form.
    @Sendable func results(_ request: Request, context: ExamRequestContext) async throws -> Response {
        _ = try context.requireStaff(\.coordinates)
        let exam = try Self.parameter("exam", context)
        let query = request.uri.queryParameters
        let filters = ["room", "session", "class"].compactMap { name in query.get(name).flatMap { $0.isEmpty ? nil : (name, $0) } }
        let rows = try await state.store.exams.results(exam: exam).filter { row in
            filters.allSatisfy { name, value in
                switch name { case "room": row.room == value; case "session": row.session == value; default: row.className == value }
            }
        }
        func file(_ data: Data, type: String, ext: String) -> Response {
            Response(status: .ok, headers: [.contentType: type, .contentDisposition: "attachment; filename=\"\(ScoreSheet.fileName(exam: exam, extension: ext))\""],
                     body: .init(byteBuffer: ByteBuffer(data: data)))
        }
        switch query.get("format") ?? "csv" {
        case "csv":
            let separator = query.get("sep") ?? ","
            guard separator == "," || separator == ";" else { throw APIError.invalid("sep", "sep: , hoặc ; / , or ;") }
            return file(ScoreSheet.csv(rows, separator: separator.first!), type: "text/csv; charset=utf-8", ext: "csv")
        case "xlsx":
            return file(try ScoreSheet.xlsx(rows, exam: exam), type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ext: "xlsx")
        case "json":
            return try RowList(rows: rows).response(from: request, context: context)
        default:
            throw APIError.invalid("format", "format: csv, xlsx hoặc json / csv, xlsx or json")
        }
    }

    struct RowList: ResponseEncodable { var rows: [ResultRow] }
}

extension StaffMember: ResponseEncodable {}
extension ExamStatus: ResponseEncodable {}
extension MonitorRow: ResponseEncodable {}
extension CandidateResult: ResponseEncodable {}
