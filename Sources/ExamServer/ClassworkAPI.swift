import BankFormats
import ExamCore
import ExamStore
import Foundation
import HTTPTypes
import Hummingbird

/// Regular assessment from home: the teacher's classes and assignments (under /api/staff, teachers for their
/// own classes, coordinators and admins for all) and the student's own account and work (under /api/student,
/// a session of its own signed with a third key). A student reaches only their own classes, assignments and
/// attempts: every route takes the student from the session, never from the request.
struct ClassworkAPI {
    let state: ServerState

    static let cookieName = "khaothi_student"

    struct StudentLogin: Decodable { var studentID: String; var password: String }
    struct Join: Decodable { var studentID: String; var joinCode: String; var dateOfBirth: String?; var password: String }
    struct PasswordChange: Decodable { var current: String; var password: String }
    struct ClassBody: Decodable {
        struct Student: Decodable { var studentID: String; var fullName: String; var dateOfBirth: String? }
        var year: String; var name: String; var students: [Student]?; var subject: String?
    }
    struct TeachersBody: Decodable {
        struct Teacher: Decodable { var username: String; var subject: String? }
        var teachers: [Teacher]
    }
    struct AssignmentBody: Decodable {
        var title: String
        var classes: [Int64]
        var bank: String
        /// A blueprint's name, or none with `questions`.
        var blueprint: String?
        /// A fixed set of the bank's questions (ids) instead of a blueprint.
        var questions: [String]?
        var opensAt: Date
        var closesAt: Date
        var lateUntil: Date?
        var timeLimitMinutes: Int?
        /// nil or 0: unlimited.
        var attempts: Int?
        var counting: AssignmentDefinition.Counting?
        var ownPapers: Bool?
        var review: ExamDefinition.ReviewPolicy?
        var reviewAfter: AssignmentDefinition.ReviewAfter?
    }
    struct PushBody: Decodable { var subject: String; var semester: Int; var slot: String; var commit: Bool?; var overwrite: [String]? }
    struct PracticeBody: Decodable { var classID: Int64; var bank: String; var topic: String? }
    struct DrawBody: Decodable { var count: Int? }
    struct AnswerBody: Decodable { var questionID: String; var response: ResponseValue }

    struct ClassView: ResponseEncodable { var info: SchoolClassInfo; var students: [ClassStudentLine]; var assignments: [AssignmentSummary]; var practice: [PracticeInfo] }
    struct JoinCode: ResponseEncodable { var joinCode: String }
    struct Started: ResponseEncodable { var exam: String; var sbd: String; var url: String }
    struct Home: ResponseEncodable { var student: StudentAccount; var assignments: [StudentAssignment]; var practice: [PracticeInfo]; var progress: [PracticeProgress]; var serverTime: Date }
    struct PracticeQuestion: ResponseEncodable { var questionID: String; var topic: String; var item: CandidatePaper.Item }
    struct PracticeResult: ResponseEncodable {
        var questionID: String; var correct: Bool; var status: String; var awarded: Points; var maximum: Points; var keyText: String?; var explanation: String?
    }
    struct Pushes: ResponseEncodable { var pushes: [GradePush] }

    func register(staff: RouterGroup<ExamRequestContext>, open: RouterGroup<ExamRequestContext>, student: RouterGroup<ExamRequestContext>) {
        registerStaff(staff)
        open.post("login", use: login)
        open.post("join", use: join)
        open.post("logout") { request, context in try await state.logout(request, context, cookie: Self.cookieName, signer: state.studentSigner) }
        student.get("me") { _, context in try context.requireStudent(passwordChanged: false) }
        student.post("password") { request, context in
            let who = try context.requireStudent(passwordChanged: false)
            let body = try await CandidateAPI.decode(PasswordChange.self, request, context)
            let now = state.configuration.now()
            let account = try await state.store.classwork.changePassword(studentID: who.studentID, current: body.current, new: body.password, now: now)
            // Every other session ends; this one goes on with a new cookie.
            return try signedIn(account, request, context, now: now.addingTimeInterval(0.001))
        }
        student.post("logout-all") { request, context in
            let who = try context.requireStudent(passwordChanged: false)
            try await state.store.classwork.signOutEverywhere(studentID: who.studentID, now: state.configuration.now())
            var response = Response(status: .noContent)
            response.setCookie(state.sessionCookie(Self.cookieName, "", request, context, clear: true))
            return response
        }
        student.get("home") { _, context in
            let who = try context.requireStudent()
            let now = state.configuration.now()
            let home = try await state.store.classwork.studentHome(studentID: who.studentID, now: now)
            return Home(student: who, assignments: home.assignments, practice: home.practice, progress: home.progress, serverTime: now)
        }
        // Opens the attempt to work on and signs this browser into the test page for it (the lab's page, answers
        // and all): the test page's own session, issued now, takes the attempt over from any other device.
        student.post("assignments/:assignment/start") { request, context in
            let who = try context.requireStudent()
            let now = state.configuration.now()
            let (exam, sbd) = try await state.store.classwork.openAttempt(assignment: try Self.id("assignment", context), studentID: who.studentID, now: now)
            let (token, _) = state.signer.issue(exam: exam, sbd: sbd, issuedAt: now)
            var response = try Started(exam: exam, sbd: sbd, url: "/thi?bt=1").response(from: request, context: context)
            response.setCookie(state.sessionCookie(CandidateAPI.cookieName, token, request, context))
            return response
        }
        // Signs the test page into a submitted attempt of the student's to see its result and review.
        student.post("assignments/:assignment/attempts/:number/review") { request, context in
            let who = try context.requireStudent()
            let now = state.configuration.now()
            let id = try Self.id("assignment", context), number = try Self.id("number", context)
            let home = try await state.store.classwork.studentHome(studentID: who.studentID, now: now)
            guard let assignment = home.assignments.first(where: { $0.id == id }),
                  let attempt = assignment.attempts.first(where: { Int64($0.number) == number && $0.state == .submitted }) else {
                throw APIError(.notFound, code: "notFound", "không có bài làm này / no such attempt")
            }
            let (token, _) = state.signer.issue(exam: assignment.exam, sbd: attempt.sbd, issuedAt: now)
            var response = try Started(exam: assignment.exam, sbd: attempt.sbd, url: "/thi?bt=1").response(from: request, context: context)
            response.setCookie(state.sessionCookie(CandidateAPI.cookieName, token, request, context))
            return response
        }
        student.post("practice/:practice/draw") { request, context in
            let who = try context.requireStudent()
            let body = try await CandidateAPI.decode(DrawBody.self, request, context)
            let items = try await state.store.classwork.drawPractice(id: try Self.id("practice", context), studentID: who.studentID, count: body.count ?? 10)
            return Views.List(items: items.enumerated().map { index, item in
                PracticeQuestion(questionID: item.question.id, topic: item.question.topic,
                                 item: CandidatePaper.Item(key: "P.\(index + 1)", number: index + 1, points: item.points, question: item.question))
            })
        }
        student.post("practice/:practice/answer") { request, context in
            let who = try context.requireStudent()
            let body = try await CandidateAPI.decode(AnswerBody.self, request, context)
            let outcome = try await state.store.classwork.answerPractice(id: try Self.id("practice", context), studentID: who.studentID, questionID: body.questionID,
                                                                          response: body.response, now: state.configuration.now())
            let keyText: String? = if case let .essay(essay) = outcome.question.body { essay.rubric } else { outcome.question.keyText }
            return PracticeResult(questionID: body.questionID, correct: outcome.correct, status: outcome.correct ? "correct" : outcome.awarded > .zero ? "partial" : "incorrect",
                                  awarded: outcome.awarded, maximum: outcome.maximum, keyText: keyText, explanation: outcome.question.explanation)
        }
    }

    func registerStaff(_ group: RouterGroup<ExamRequestContext>) {
        group.get("classes") { _, context in
            let who = try context.requireStaff(\.authors)
            return Views.List(items: try await state.store.classwork.classes(for: Actor(who), coordinator: who.role.coordinates))
        }
        // A class made, or students added to it (Mã học sinh, name, date of birth), by JSON or by a class-list file.
        group.post("classes") { request, context in
            let who = try context.requireStaff(\.authors)
            let body = try await CandidateAPI.decode(ClassBody.self, request, context)
            var entries: [RosterEntry] = []
            for (index, student) in (body.students ?? []).enumerated() {
                let (entry, problems) = RosterFormat.entry(studentID: student.studentID, fullName: student.fullName, dateOfBirth: student.dateOfBirth, className: body.name)
                guard let entry, problems.isEmpty else {
                    throw APIError(.badRequest, code: "invalid", "học sinh \(index + 1): \(problems.first?.description ?? "không hợp lệ / invalid")", field: "students",
                                   problems: problems.map(\.description))
                }
                entries.append(entry)
            }
            let info = try await state.store.classwork.saveClass(year: body.year, name: body.name, students: entries, teacherSubject: body.subject,
                                                                 by: Actor(who), coordinator: who.role.coordinates, now: state.configuration.now())
            return try Views.created(info, request, context)
        }
        group.put("classes/:class/class-list/:file") { request, context in
            let who = try context.requireStaff(\.authors)
            let classID = try Self.id("class", context)
            let current = try await state.store.classwork.classDetail(id: classID, for: Actor(who), coordinator: who.role.coordinates).info
            let entries = try await SetupAPI.readClassList(request, context)
            return try await state.store.classwork.saveClass(year: current.year, name: current.name, students: entries, teacherSubject: nil, by: Actor(who),
                                                             coordinator: who.role.coordinates, now: state.configuration.now())
        }
        group.get("classes/:class") { _, context in
            let who = try context.requireStaff(\.authors)
            let detail = try await state.store.classwork.classDetail(id: try Self.id("class", context), for: Actor(who), coordinator: who.role.coordinates)
            return ClassView(info: detail.info, students: detail.students, assignments: detail.assignments, practice: detail.practice)
        }
        group.put("classes/:class/teachers") { request, context in
            let who = try context.requireStaff(\.coordinates)
            let body = try await CandidateAPI.decode(TeachersBody.self, request, context)
            return try await state.store.classwork.setTeachers(classID: try Self.id("class", context), teachers: body.teachers.map { ($0.username, $0.subject ?? "") },
                                                               by: Actor(who), now: state.configuration.now())
        }
        // Printed slips: a temporary password for each student without one (`?all=1`: for everyone), changed at first sign-in.
        group.post("classes/:class/slips") { request, context in
            let who = try context.requireStaff(\.authors)
            let asked = request.uri.queryParameters.get("all")
            guard asked == nil || asked == "0" || asked == "1" else { throw APIError.invalid("all", "all: 0 hoặc 1 / all: 0 or 1") }
            let all = asked == "1"
            return Views.List(items: try await state.store.classwork.issueSlips(classID: try Self.id("class", context), all: all, for: Actor(who),
                                                                                coordinator: who.role.coordinates, now: state.configuration.now()))
        }
        group.post("classes/:class/students/:student/reset-password") { _, context in
            let who = try context.requireStaff(\.authors)
            return try await state.store.classwork.resetPassword(classID: try Self.id("class", context), studentID: try StaffAPI.parameter("student", context),
                                                                 for: Actor(who), coordinator: who.role.coordinates, now: state.configuration.now())
        }
        group.get("classes/:class/students/:student") { _, context in
            let who = try context.requireStaff(\.authors)
            return Views.List(items: try await state.store.classwork.studentReport(classID: try Self.id("class", context), studentID: try StaffAPI.parameter("student", context),
                                                                                   for: Actor(who), coordinator: who.role.coordinates, now: state.configuration.now()))
        }
        group.post("classes/:class/join-code") { _, context in
            let who = try context.requireStaff(\.authors)
            return JoinCode(joinCode: try await state.store.classwork.newJoinCode(classID: try Self.id("class", context), for: Actor(who),
                                                                                   coordinator: who.role.coordinates, now: state.configuration.now()))
        }
        group.post("assignments") { request, context in
            let who = try context.requireStaff(\.authors)
            let body = try await CandidateAPI.decode(AssignmentBody.self, request, context)
            let fixed = body.questions ?? []
            let blueprint: Blueprint
            if let name = body.blueprint, fixed.isEmpty {
                blueprint = try await state.store.blueprints.blueprint(named: name, for: Actor(who)).blueprint
            } else if !fixed.isEmpty {
                // Made from the questions by the store; a placeholder until then.
                blueprint = Blueprint(name: body.title, subject: "", parts: [])
            } else {
                throw APIError.invalid("blueprint", "chọn một ma trận hoặc các câu hỏi / choose a blueprint or the questions")
            }
            if let attempts = body.attempts, attempts < 0 { throw APIError.invalid("attempts", "số lần làm không âm / attempts must not be negative") }
            var definition = AssignmentDefinition(
                title: body.title, classIDs: body.classes, bank: body.bank, blueprint: blueprint, opensAt: body.opensAt, closesAt: body.closesAt,
                lateUntil: body.lateUntil, timeLimitMinutes: body.timeLimitMinutes, attemptsAllowed: body.attempts == 0 ? nil : body.attempts ?? 1,
                counting: body.counting ?? .highest, ownPapers: body.ownPapers ?? true, review: body.review ?? .key, reviewAfter: body.reviewAfter ?? .submit)
            definition.questionIDs = fixed
            let summary = try await state.store.classwork.createAssignment(definition, by: Actor(who), coordinator: who.role.coordinates, now: state.configuration.now())
            return try Views.created(summary, request, context)
        }
        group.get("assignments/:assignment") { _, context in
            let who = try context.requireStaff(\.authors)
            return try await state.store.classwork.assignmentTable(id: try Self.id("assignment", context), for: Actor(who), coordinator: who.role.coordinates,
                                                                   now: state.configuration.now())
        }
        // The counted scores into the gradebook as an ĐĐGtx (or other) slot: a dry run unless `commit`; a cell
        // holding another score is kept unless its student is named in `overwrite`.
        group.post("assignments/:assignment/push") { request, context in
            let who = try context.requireStaff(\.authors)
            let body = try await CandidateAPI.decode(PushBody.self, request, context)
            guard let slot = GradeSlot(body.slot) else { throw APIError.invalid("slot", "cột điểm tx1…tx4, gk hoặc ck / slot tx1…tx4, gk or ck") }
            return Pushes(pushes: try await state.store.classwork.pushAssignment(
                id: try Self.id("assignment", context), subject: body.subject, semester: body.semester, slot: slot, commit: body.commit ?? false,
                overwrite: Set(body.overwrite ?? []), by: Actor(who), coordinator: who.role.coordinates, now: state.configuration.now()))
        }
        group.post("practice") { request, context in
            let who = try context.requireStaff(\.authors)
            let body = try await CandidateAPI.decode(PracticeBody.self, request, context)
            let info = try await state.store.classwork.openPractice(classID: body.classID, bank: body.bank, topic: body.topic, by: Actor(who),
                                                                    coordinator: who.role.coordinates, now: state.configuration.now())
            return try Views.created(info, request, context)
        }
        group.delete("practice/:practice") { _, context in
            let who = try context.requireStaff(\.authors)
            try await state.store.classwork.closePractice(id: try Self.id("practice", context), by: Actor(who), coordinator: who.role.coordinates, now: state.configuration.now())
            return Response(status: .noContent)
        }
    }

    static func id(_ name: String, _ context: ExamRequestContext) throws -> Int64 {
        guard let id = Int64(try context.parameters.require(name)), id > 0 else { throw APIError.invalid(name, "\(name): cần một số / a number is needed") }
        return id
    }

    @Sendable func login(_ request: Request, context: ExamRequestContext) async throws -> Response {
        let body = try await CandidateAPI.decode(StudentLogin.self, request, context)
        let now = state.configuration.now()
        let studentID = body.studentID.trimmingCharacters(in: .whitespaces)
        // The slot is taken before the bcrypt check; per address only failures count (a school's NAT).
        let account = try await state.limiter.attempt(.student(id: studentID), address: state.clientAddress(request, context), now: now,
                                                      wrong: APIError(.unauthorized, code: "wrongCredentials", "mã học sinh hoặc mật khẩu không đúng / wrong student number or password")) {
            try await state.store.classwork.verifyStudent(studentID: studentID, password: body.password)
        }
        return try signedIn(account, request, context, now: now)
    }

    @Sendable func join(_ request: Request, context: ExamRequestContext) async throws -> Response {
        let body = try await CandidateAPI.decode(Join.self, request, context)
        let now = state.configuration.now()
        let studentID = body.studentID.trimmingCharacters(in: .whitespaces)
        let birth = body.dateOfBirth.flatMap { RosterFormat.isoDate($0.trimmingCharacters(in: .whitespaces)) }
        let account = try await state.limiter.attempt(.student(id: studentID), address: state.clientAddress(request, context), now: now,
                                                      wrong: APIError(.unauthorized, code: "wrongCredentials", "mã lớp, mã học sinh hoặc ngày sinh không đúng / wrong class code, student number or date of birth")) { () async throws -> StudentAccount? in
            do {
                return try await state.store.classwork.joinClass(studentID: studentID, joinCode: body.joinCode, dateOfBirth: birth, newPassword: body.password, now: now)
            } catch let error as StoreError where error.code == .forbidden {
                return nil
            }
        }
        return try signedIn(account, request, context, now: now)
    }

    func signedIn(_ account: StudentAccount, _ request: Request, _ context: ExamRequestContext, now: Date) throws -> Response {
        let (token, _) = state.studentSigner.issue(exam: "student", sbd: account.studentID, issuedAt: now)
        var response = try account.response(from: request, context: context)
        response.setCookie(state.sessionCookie(Self.cookieName, token, request, context))
        return response
    }
}

/// Puts the signed-in student into the request context, read from the store on every request (a password
/// change or "sign out everywhere" ends older sessions at once); 401 without a session that still counts.
struct StudentAuthentication: RouterMiddleware {
    typealias Context = ExamRequestContext
    let state: ServerState

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = request.cookie(ClassworkAPI.cookieName),
              let identity = state.studentSigner.identity(from: token, now: state.configuration.now()),
              let account = try await state.store.classwork.studentAccount(studentID: identity.sbd),
              account.sessionsValidAfter.map({ identity.issuedAt.milliseconds >= $0.milliseconds }) ?? true,
              try await !state.store.sessions.isRevoked(session: identity.session) else { throw APIError.notSignedIn }
        var context = context
        context.student = account
        return try await next(request, context)
    }
}

extension ExamRequestContext {
    /// The signed-in student; 403 `passwordChangeRequired` while they hold a temporary password (unless the
    /// route is the one that changes it).
    func requireStudent(passwordChanged: Bool = true) throws -> StudentAccount {
        guard let student else { throw APIError.notSignedIn }
        if passwordChanged && student.mustChangePassword {
            throw APIError(.forbidden, code: "passwordChangeRequired", "hãy đổi mật khẩu tạm trước / change the temporary password first")
        }
        return student
    }
}

extension Date {
    var milliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
}

extension SchoolClassInfo: ResponseEncodable {}
extension StudentAccount: ResponseEncodable {}
extension StudentSlip: ResponseEncodable {}
extension AssignmentSummary: ResponseEncodable {}
extension AssignmentTable: ResponseEncodable {}
extension PracticeInfo: ResponseEncodable {}
