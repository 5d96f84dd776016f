import ExamCore
import ExamStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import NIOPosix

/// Staff passwords: bcrypt, hashed and checked off the event loops (a check takes a few hundred milliseconds by design).
public enum StaffPasswords {
    public static let cost: UInt8 = 11
    public static let minimumLength = 8

    public static func hash(_ password: String) throws -> String {
        guard password.count >= minimumLength else {
            throw StoreError(.invalidRequest, "mật khẩu cần ít nhất \(minimumLength) ký tự / a password needs at least \(minimumLength) characters")
        }
        return Bcrypt.hash(password, cost: cost)
    }

    static func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}

/// The staff's JSON API: sign in, watch an exam's candidates, add time, release results, download the score
/// sheet. The session is a signed cookie of its own (another key than the candidates'); the member and role
/// are read again on every request, so a change of role or a removal takes effect at once.
struct StaffAPI {
    let state: ServerState

    static let cookieName = "khaothi_staff"

    struct LoginRequest: Decodable { var username: String; var password: String }
    struct AddTimeRequest: Decodable { var minutes: Int; var reason: String? }
    struct AddTimeResponse: ResponseEncodable { var sbd: String; var deadline: Date; var serverTime: Date }
    struct Released: ResponseEncodable { var exam: String; var released: Bool }
    struct NewCode: ResponseEncodable { var sbd: String; var accessCode: String }

    func register(on group: RouterGroup<ExamRequestContext>) {
        group.post("login", use: login)
        group.post("logout") { request, _ in
            try CandidateAPI.requireSameOrigin(request)
            var response = Response(status: .noContent)
            response.setCookie(Cookie(name: Self.cookieName, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict))
            return response
        }
        group.get("me") { request, _ in try await member(request) }
        group.get("exams") { request, _ in
            _ = try await member(request, allowed: \.proctors)
            return try state.database.preparedExams()
        }
        group.get("exams/:exam/monitor") { request, context in
            _ = try await member(request, allowed: \.proctors)
            return try state.database.examMonitor(try Self.parameter("exam", context), now: state.configuration.now())
        }
        group.post("exams/:exam/candidates/:sbd/add-time", use: addTime)
        // A lost slip: a new access code for one candidate, shown once to the proctor (the old one stops working).
        group.post("exams/:exam/candidates/:sbd/reset-code") { request, context in
            try CandidateAPI.requireSameOrigin(request)
            _ = try await member(request, allowed: \.proctors)
            let slips = try state.database.resetAccessCodes(exam: try Self.parameter("exam", context), sbd: try Self.parameter("sbd", context))
            return NewCode(sbd: slips[0].sbd, accessCode: slips[0].accessCode)
        }
        group.post("exams/:exam/release-results") { request, context in
            try CandidateAPI.requireSameOrigin(request)
            _ = try await member(request, allowed: \.coordinates)
            let exam = try Self.parameter("exam", context)
            try state.database.releaseResults(exam: exam, now: state.configuration.now())
            return Released(exam: exam, released: true)
        }
        group.get("exams/:exam/results", use: results)
    }

    @Sendable func login(_ request: Request, context: ExamRequestContext) async throws -> Response {
        try CandidateAPI.requireSameOrigin(request)
        let body = try await CandidateAPI.decode(LoginRequest.self, request, context)
        let now = state.configuration.now()
        let key = "staff\n\(body.username)"
        let address = context.remoteAddress?.ipAddress ?? "unknown"
        guard await state.limiter.allow(candidate: key, address: address, now: now) else {
            throw HTTPError(.tooManyRequests, message: "đăng nhập sai quá nhiều lần; đợi vài phút / too many attempts; wait a few minutes")
        }
        // A missing user costs a bcrypt check too, so timing does not tell which usernames exist.
        let stored = try state.database.staffCredentials(username: body.username)
        let valid = try await StaffPasswords.verify(body.password, hash: stored?.passwordHash ?? Self.decoyHash)
        guard let stored, valid else {
            await state.limiter.recordFailure(candidate: key, now: now)
            throw HTTPError(.unauthorized, message: "tên đăng nhập hoặc mật khẩu không đúng / wrong username or password")
        }
        await state.limiter.recordSuccess(candidate: key)
        var response = try stored.member.response(from: request, context: context)
        response.setCookie(Cookie(name: Self.cookieName, value: state.staffSigner.token(exam: stored.member.role.rawValue, sbd: stored.member.username, issuedAt: now),
                                  path: "/", httpOnly: true, sameSite: .strict))
        return response
    }

    /// A path parameter, percent-decoded (exam names have spaces and Vietnamese letters).
    static func parameter(_ name: String, _ context: ExamRequestContext) throws -> String {
        let raw = try context.parameters.require(name)
        guard let decoded = raw.removingPercentEncoding else { throw HTTPError(.badRequest, message: "\(name): mã hoá % sai / bad percent-encoding") }
        return decoded
    }

    static let decoyHash = Bcrypt.hash("khaothi-decoy-password", cost: StaffPasswords.cost)

    /// The signed-in member; 401 without a valid session, 403 when the role may not do this.
    func member(_ request: Request, allowed: KeyPath<StaffRole, Bool>? = nil) async throws -> StaffMember {
        guard let token = request.cookies[Self.cookieName]?.value,
              let identity = state.staffSigner.identity(from: token, now: state.configuration.now()),
              let member = try state.database.staffCredentials(username: identity.sbd)?.member else {
            throw HTTPError(.unauthorized, message: "cán bộ chưa đăng nhập / staff not signed in")
        }
        if let allowed, !member.role[keyPath: allowed] {
            throw HTTPError(.forbidden, message: "vai trò \(member.role.rawValue) không được làm việc này / the \(member.role.rawValue) role may not do this")
        }
        return member
    }

    @Sendable func addTime(_ request: Request, context: ExamRequestContext) async throws -> AddTimeResponse {
        try CandidateAPI.requireSameOrigin(request)
        let staff = try await member(request, allowed: \.proctors)
        let exam = try Self.parameter("exam", context)
        let sbd = try Self.parameter("sbd", context)
        let body = try await CandidateAPI.decode(AddTimeRequest.self, request, context)
        guard (1...240).contains(body.minutes) else {
            throw HTTPError(.badRequest, message: "số phút thêm phải từ 1 đến 240 / minutes must be 1 to 240")
        }
        let now = state.configuration.now()
        let deadline = try state.database.addTime(exam: exam, sbd: sbd, seconds: body.minutes * 60, by: staff.username,
                                                  reason: body.reason ?? "", now: now)
        // The next answer reloads the attempt with its new deadline.
        state.attempts.drop(exam: exam, sbd: sbd)
        return AddTimeResponse(sbd: sbd, deadline: deadline, serverTime: now)
    }

    @Sendable func results(_ request: Request, context: ExamRequestContext) async throws -> Response {
        _ = try await member(request, allowed: \.coordinates)
        let exam = try Self.parameter("exam", context)
        let rows = try state.database.examResults(exam)
        switch request.uri.queryParameters.get("format") ?? "csv" {
        case "csv":
            let name = "diem-\(exam.unicodeScalars.map { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) ? String($0) : "-" }.joined()).csv"
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name)\""],
                            body: .init(byteBuffer: ByteBuffer(data: ResultRow.csv(rows))))
        case "json":
            return try RowList(rows: rows).response(from: request, context: context)
        default:
            throw HTTPError(.badRequest, message: "format: csv hoặc json / csv or json")
        }
    }

    struct RowList: ResponseEncodable { var rows: [ResultRow] }
}

extension StaffMember: ResponseEncodable {}
extension ExamStatus: ResponseEncodable {}
extension MonitorRow: ResponseEncodable {}
extension CandidateResult: ResponseEncodable {}
