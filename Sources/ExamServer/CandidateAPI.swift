import ExamCore
import ExamStore
import Foundation
import HTTPTypes
import Hummingbird

/// The candidate's JSON API, used by the test pages. Every route that touches an attempt takes the exam and
/// the SBD from the signed session cookie only, so a candidate can read and write nothing but their own.
struct CandidateAPI {
    let state: ServerState

    static let cookieName = "khaothi_session"

    struct LoginRequest: Decodable { var exam: String; var sbd: String; var accessCode: String }
    struct Candidate: ResponseEncodable {
        var exam: String
        var subject: String
        var sbd: String
        var fullName: String
        var className: String?
        var dateOfBirth: String?
        var room: String?
        var session: String?
        var opensAt: Date?
        var durationMinutes: Int?
        var attemptState: Attempt.State
        var serverTime: Date
    }
    struct StartResponse: ResponseEncodable {
        var attemptID: Int64
        var deviceToken: String
        var state: Attempt.State
        var deadline: Date?
        var remainingSeconds: Int
        var lastSequence: Int
        var responses: [String: ResponseValue]
        var paper: CandidatePaper
        /// Images of the paper: item key → (name in its text → address to load it from).
        var media: [String: [String: String]]
        var serverTime: Date
    }
    /// Where the attempt stands, polled by the page: added time shows up here.
    struct StateResponse: ResponseEncodable {
        var state: Attempt.State
        var deadline: Date?
        var remainingSeconds: Int
        /// False when another device has taken the attempt over.
        var activeHere: Bool
        var serverTime: Date
    }
    struct EventsRequest: Decodable { var deviceToken: String; var events: [ResponseEvent] }
    /// Written by hand: this answer goes back for every save, and JSONEncoder's ISO 8601 dates were a
    /// measurable share of the route's cost.
    struct EventsResponse: ResponseGenerator {
        var acknowledged: [Int]
        var deadline: Date?
        var serverTime: Date

        var json: String {
            var json = "{\"acknowledged\":[" + acknowledged.map(String.init).joined(separator: ",") + "]"
            if let deadline { json += ",\"deadline\":\"" + ISOTime.string(deadline) + "\"" }
            return json + ",\"serverTime\":\"" + ISOTime.string(serverTime) + "\"}"
        }

        func response(from request: Request, context: some RequestContext) throws -> Response {
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: json)))
        }
    }
    struct SubmitRequest: Decodable { var deviceToken: String }
    struct SubmitResponse: ResponseEncodable {
        var submitted: Bool
        /// nil when results are published later.
        var score: Points?
        var parts: [PaperScore.PartTotal]?
        var pendingEssays: Int?
        var resultsLater: Bool
    }
    struct Time: ResponseEncodable { var serverTime: Date }
    struct Empty: ResponseEncodable {}

    /// The most events one request may carry.
    static let maximumEvents = 500

    func register(on group: RouterGroup<ExamRequestContext>) {
        group.get("time") { _, _ in Time(serverTime: state.configuration.now()) }
        // A route that does nothing, to measure the server's own cost against durable answer saves.
        group.post("noop") { _, _ in Empty() }
        group.post("login", use: login)
        group.post("logout") { _, _ in
            var response = Response(status: .noContent)
            response.setCookie(Cookie(name: Self.cookieName, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict))
            return response
        }
        group.get("me", use: me)
        group.post("attempt/start", use: start)
        group.post("attempt/events", use: events)
        group.post("attempt/submit", use: submit)
        group.get("attempt/state", use: attemptState)
        group.get("attempt/result") { request, _ in
            let who = try identity(request)
            return try state.database.candidateResult(exam: who.exam, sbd: who.sbd)
        }
        group.get("media/:sha", use: media)
    }

    /// Every state-changing route must come with this header, which a cross-site form cannot send: with the
    /// SameSite=Strict cookie it closes the door on cross-site request forgery.
    static func requireSameOrigin(_ request: Request) throws {
        guard request.headers[HTTPField.Name("X-Khaothi")!] == "1" else {
            throw HTTPError(.forbidden, message: "thiếu tiêu đề X-Khaothi: 1 / missing the X-Khaothi: 1 header")
        }
    }

    func identity(_ request: Request) throws -> SessionSigner.Identity {
        guard let token = request.cookies[Self.cookieName]?.value, let identity = state.signer.identity(from: token, now: state.configuration.now()) else {
            throw HTTPError(.unauthorized, message: "chưa đăng nhập hoặc phiên đã hết hạn / not signed in")
        }
        return identity
    }

    /// The body, at most `maxUploadSize` bytes (413 beyond).
    static func body(_ request: Request, _ context: ExamRequestContext) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: context.maxUploadSize)
        } catch {
            throw HTTPError(.contentTooLarge, message: "yêu cầu quá \(context.maxUploadSize / 1024) KB / request larger than \(context.maxUploadSize / 1024) KB")
        }
    }

    static func malformed(_ place: String) -> HTTPError {
        HTTPError(.badRequest, message: "nội dung JSON không hợp lệ\(place.isEmpty ? "" : ": " + place) / malformed JSON body")
    }

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request, _ context: ExamRequestContext) async throws -> T {
        let buffer = try await body(request, context)
        do {
            return try JSONDecoder.api.decode(type, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw malformed(describe(error))
        } catch {
            throw malformed("")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case let .keyNotFound(key, _): "thiếu \"\(key.stringValue)\""
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context):
            context.codingPath.map(\.stringValue).joined(separator: ".")
        @unknown default: ""
        }
    }

    @Sendable func login(_ request: Request, context: ExamRequestContext) async throws -> Response {
        try Self.requireSameOrigin(request)
        let body = try await Self.decode(LoginRequest.self, request, context)
        let now = state.configuration.now()
        let address = context.remoteAddress?.ipAddress ?? "unknown"
        let candidateKey = "\(body.exam)\n\(body.sbd)"
        guard await state.limiter.allow(candidate: candidateKey, address: address, now: now) else {
            throw HTTPError(.tooManyRequests, message: "đăng nhập sai quá nhiều lần; đợi vài phút hoặc gọi giám thị / too many attempts; wait or call the proctor")
        }
        guard try state.database.verifyAccessCode(exam: body.exam, sbd: body.sbd, code: body.accessCode) else {
            await state.limiter.recordFailure(candidate: candidateKey, now: now)
            throw HTTPError(.unauthorized, message: "số báo danh hoặc mã truy cập không đúng / wrong SBD or access code")
        }
        await state.limiter.recordSuccess(candidate: candidateKey)
        var response = try await me(identity: .init(exam: body.exam, sbd: body.sbd, issuedAt: now)).response(from: request, context: context)
        response.setCookie(Cookie(name: Self.cookieName, value: state.signer.token(exam: body.exam, sbd: body.sbd, issuedAt: now),
                                  path: "/", httpOnly: true, sameSite: .strict))
        return response
    }

    @Sendable func me(_ request: Request, context: ExamRequestContext) async throws -> Candidate {
        try await me(identity: identity(request))
    }

    func me(identity: SessionSigner.Identity) async throws -> Candidate {
        let info = try state.database.candidateInfo(exam: identity.exam, sbd: identity.sbd)
        return Candidate(exam: identity.exam, subject: info.subject, sbd: identity.sbd, fullName: info.fullName, className: info.className,
                         dateOfBirth: info.dateOfBirth, room: info.room, session: info.session, opensAt: info.opensAt,
                         durationMinutes: info.durationSeconds.map { $0 / 60 }, attemptState: info.attemptState, serverTime: state.configuration.now())
    }

    @Sendable func start(_ request: Request, context: ExamRequestContext) async throws -> StartResponse {
        try Self.requireSameOrigin(request)
        let who = try identity(request)
        let now = state.configuration.now()
        // Through the group-commit writer: a start storm shares its commits like answers do.
        let view = try await state.writer.perform { db in try AppDatabase.startAttempt(db, exam: who.exam, sbd: who.sbd, now: now) }
        let context = try state.attempts.reload(view.attemptID, exam: who.exam, sbd: who.sbd, database: state.database)
        let media = try state.attempts.papers.paper(context.paperID, database: state.database).media.mapValues { $0.mapValues { "/api/media/" + $0 } }
        return StartResponse(attemptID: view.attemptID, deviceToken: view.deviceToken, state: view.state, deadline: view.deadline,
                             remainingSeconds: view.remainingSeconds, lastSequence: view.lastSequence, responses: view.responses,
                             paper: state.attempts.candidatePaper(context), media: media, serverTime: now)
    }

    @Sendable func events(_ request: Request, context: ExamRequestContext) async throws -> EventsResponse {
        try Self.requireSameOrigin(request)
        let who = try identity(request)
        // Read by hand: this route runs on every change a candidate makes (see EventsReader).
        let bytes = try await Self.body(request, context)
        let body: EventsRequest
        do {
            let read = try EventsReader.read(Array(bytes.readableBytesView))
            body = EventsRequest(deviceToken: read.deviceToken, events: read.events)
        } catch {
            throw Self.malformed(error.path)
        }
        guard body.events.count <= Self.maximumEvents else {
            throw HTTPError(.contentTooLarge, message: "quá \(Self.maximumEvents) sự kiện một lần / more than \(Self.maximumEvents) events")
        }
        let context = try state.attempts.context(exam: who.exam, sbd: who.sbd, database: state.database)
        let now = state.configuration.now()
        for event in body.events { try context.check(event, deviceToken: body.deviceToken, now: now) }
        // Acknowledged only after the writer has committed them.
        try await state.writer.write(attemptID: context.attemptID, events: body.events)
        return EventsResponse(acknowledged: body.events.map(\.sequence), deadline: context.attempt.deadline, serverTime: now)
    }

    @Sendable func submit(_ request: Request, context: ExamRequestContext) async throws -> SubmitResponse {
        try Self.requireSameOrigin(request)
        let who = try identity(request)
        let body = try await Self.decode(SubmitRequest.self, request, context)
        let attemptContext = try state.attempts.context(exam: who.exam, sbd: who.sbd, database: state.database)
        let attemptID = attemptContext.attemptID
        guard attemptContext.deviceToken == body.deviceToken else {
            throw HTTPError(.conflict, message: "Bài thi đang được làm trên máy khác / the attempt was taken over by another device")
        }
        // Through the writer, after every answer handed to it before (it runs jobs in order).
        let now = state.configuration.now()
        let papers = state.attempts.papers
        let score = try await state.writer.perform { db in try AppDatabase.submit(db, attemptID: attemptID, now: now, automatic: false, papers: papers) }
        state.attempts.drop(exam: who.exam, sbd: who.sbd)
        let later = try state.database.resultsLater(exam: who.exam)
        return SubmitResponse(submitted: true, score: later ? nil : score.total, parts: later ? nil : score.parts,
                              pendingEssays: later ? nil : score.pending, resultsLater: later)
    }

    @Sendable func attemptState(_ request: Request, context: ExamRequestContext) async throws -> StateResponse {
        let who = try identity(request)
        let now = state.configuration.now()
        let attemptContext = try state.attempts.context(exam: who.exam, sbd: who.sbd, database: state.database)
        var attempt = attemptContext.attempt
        attempt.tick(at: now)
        let device = request.uri.queryParameters.get("deviceToken")
        return StateResponse(state: attempt.state, deadline: attempt.deadline, remainingSeconds: attempt.remainingSeconds(at: now),
                             activeHere: device == nil || device == attemptContext.deviceToken, serverTime: now)
    }

    /// An image of the candidate's own paper (content-addressed, so it may be cached).
    @Sendable func media(_ request: Request, context: ExamRequestContext) async throws -> Response {
        let who = try identity(request)
        let sha = try context.parameters.require("sha")
        guard sha.count == 64, sha.allSatisfy(\.isHexDigit),
              let file = try state.database.paperMediaFile(exam: who.exam, sbd: who.sbd, sha256: sha) else {
            throw HTTPError(.notFound, message: "không có ảnh này trên đề / no such image on this paper")
        }
        return Response(status: .ok, headers: [.contentType: file.mimeType], body: .init(byteBuffer: ByteBuffer(data: file.data)))
    }
}
