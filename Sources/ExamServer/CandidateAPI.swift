import ExamCore
import ExamStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// The candidate's JSON API, used by the test pages. Every route that touches an attempt takes the exam and
/// the SBD from the signed session (`CandidateAuthentication`), so a candidate can read and write nothing but
/// their own.
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
    /// The answer of `start`, as JSONEncoder would write it (a test keeps them equal) but made by hand: the
    /// paper and its images are encoded once per paper and spliced in, answers are spliced as stored.
    struct StartResponse: ResponseGenerator {
        var started: StartedAttempt
        var paper: PaperViews.View
        var serverTime: Date

        var bytes: [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(paper.paper.count + paper.media.count + 256 + started.responses.count * 32)
            func append(_ text: String) { out.append(contentsOf: text.utf8) }
            let status = started.status
            append("{\"attemptID\":\(started.attemptID),\"deviceToken\":")
            append(JSONText.string(started.deviceToken))
            append(",\"state\":\"\(status.state.rawValue)\"")
            if let deadline = status.deadline { append(",\"deadline\":\"\(ISOTime.string(deadline))\"") }
            append(",\"remainingSeconds\":\(status.remainingSeconds),\"paused\":\(status.paused),\"lastSequence\":\(started.lastSequence),\"responses\":{")
            var first = true
            for (item, json) in started.responses {
                if !first { append(",") }
                first = false
                append(JSONText.string(item))
                append(":")
                append(json)
            }
            append("},\"paper\":")
            out.append(contentsOf: paper.paper)
            append(",\"media\":")
            out.append(contentsOf: paper.media)
            append(",\"serverTime\":\"\(ISOTime.string(serverTime))\"}")
            return out
        }

        func response(from request: Request, context: some RequestContext) throws -> Response {
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }
    /// Where the attempt stands, polled by the page: added time and pauses show up here.
    struct StateResponse: ResponseEncodable {
        var state: Attempt.State
        var deadline: Date?
        var remainingSeconds: Int
        var paused: Bool
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

    /// Routes that need no session (`open`) and routes behind `CandidateAuthentication` (`signedIn`).
    func register(open: RouterGroup<ExamRequestContext>, signedIn: RouterGroup<ExamRequestContext>) {
        open.get("time") { _, _ in Time(serverTime: state.configuration.now()) }
        // A route that does nothing, to measure the server's own cost against durable answer saves.
        open.post("noop") { _, _ in Empty() }
        open.post("login", use: login)
        open.post("logout") { _, _ in
            var response = Response(status: .noContent)
            response.setCookie(Cookie(name: Self.cookieName, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict))
            return response
        }
        signedIn.get("me") { _, context in try await me(identity: context.requireCandidate()) }
        signedIn.post("attempt/start", use: start)
        signedIn.post("attempt/events", use: events)
        signedIn.post("attempt/submit", use: submit)
        signedIn.get("attempt/state", use: attemptState)
        signedIn.get("attempt/result") { _, context in
            let who = try context.requireCandidate()
            return try await state.store.attempts.result(exam: who.exam, sbd: who.sbd)
        }
        signedIn.get("media/:sha", use: media)
    }

    /// The body, at most `maxUploadSize` bytes (413 beyond).
    static func body(_ request: Request, _ context: ExamRequestContext) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: context.maxUploadSize)
        } catch {
            throw APIError(.contentTooLarge, code: "tooLarge", "yêu cầu quá \(context.maxUploadSize / 1024) KB / request larger than \(context.maxUploadSize / 1024) KB")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request, _ context: ExamRequestContext) async throws -> T {
        let buffer = try await body(request, context)
        do {
            return try JSONDecoder.api.decode(type, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw APIError.malformed(describe(error))
        } catch {
            throw APIError.malformed("")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case let .keyNotFound(key, context): (context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context):
            context.codingPath.map(\.stringValue).joined(separator: ".")
        @unknown default: ""
        }
    }

    @Sendable func login(_ request: Request, context: ExamRequestContext) async throws -> Response {
        let body = try await Self.decode(LoginRequest.self, request, context)
        let now = state.configuration.now()
        let address = context.remoteAddress?.ipAddress ?? "unknown"
        let candidateKey = "\(body.exam)\n\(body.sbd)"
        guard await state.limiter.allow(candidate: candidateKey, address: address, now: now) else {
            throw APIError(.tooManyRequests, code: "tooManyAttempts", "đăng nhập sai quá nhiều lần; đợi vài phút hoặc gọi giám thị / too many attempts; wait or call the proctor")
        }
        guard try await state.store.attempts.verifyAccessCode(exam: body.exam, sbd: body.sbd, code: body.accessCode) else {
            await state.limiter.recordFailure(candidate: candidateKey, now: now)
            throw APIError(.unauthorized, code: "wrongCredentials", "số báo danh hoặc mã truy cập không đúng / wrong SBD or access code")
        }
        await state.limiter.recordSuccess(candidate: candidateKey)
        var response = try await me(identity: .init(exam: body.exam, sbd: body.sbd, issuedAt: now)).response(from: request, context: context)
        response.setCookie(Cookie(name: Self.cookieName, value: state.signer.token(exam: body.exam, sbd: body.sbd, issuedAt: now),
                                  path: "/", httpOnly: true, sameSite: .strict))
        return response
    }

    func me(identity: SessionSigner.Identity) async throws -> Candidate {
        let info = try await state.store.attempts.candidate(exam: identity.exam, sbd: identity.sbd)
        return Candidate(exam: identity.exam, subject: info.subject, sbd: identity.sbd, fullName: info.fullName, className: info.className,
                         dateOfBirth: info.dateOfBirth, room: info.room, session: info.session, opensAt: info.opensAt,
                         durationMinutes: info.durationSeconds.map { $0 / 60 }, attemptState: info.attemptState, serverTime: state.configuration.now())
    }

    @Sendable func start(_ request: Request, context: ExamRequestContext) async throws -> StartResponse {
        let who = try context.requireCandidate()
        let now = state.configuration.now()
        let started = try await state.store.attempts.start(exam: who.exam, sbd: who.sbd, now: now)
        let view = try await state.papers.view(started.paperID, attempts: state.store.attempts)
        return StartResponse(started: started, paper: view, serverTime: now)
    }

    @Sendable func events(_ request: Request, context: ExamRequestContext) async throws -> EventsResponse {
        let who = try context.requireCandidate()
        // Read by hand: this route runs on every change a candidate makes (see EventsReader).
        let bytes = try await Self.body(request, context)
        let body: EventsRequest
        do {
            let read = try EventsReader.read(Array(bytes.readableBytesView))
            body = EventsRequest(deviceToken: read.deviceToken, events: read.events)
        } catch {
            throw APIError.malformed(error.path)
        }
        guard body.events.count <= Self.maximumEvents else {
            throw APIError(.contentTooLarge, code: "tooLarge", "quá \(Self.maximumEvents) sự kiện một lần / more than \(Self.maximumEvents) events", field: "events")
        }
        let now = state.configuration.now()
        // Acknowledged only after the writer has committed them.
        let status = try await state.store.attempts.record(exam: who.exam, sbd: who.sbd, deviceToken: body.deviceToken, events: body.events, now: now)
        return EventsResponse(acknowledged: body.events.map(\.sequence), deadline: status.deadline, serverTime: now)
    }

    @Sendable func submit(_ request: Request, context: ExamRequestContext) async throws -> SubmitResponse {
        let who = try context.requireCandidate()
        let body = try await Self.decode(SubmitRequest.self, request, context)
        let submitted = try await state.store.attempts.submit(exam: who.exam, sbd: who.sbd, deviceToken: body.deviceToken, now: state.configuration.now())
        let later = submitted.resultsLater
        return SubmitResponse(submitted: true, score: later ? nil : submitted.score.total, parts: later ? nil : submitted.score.parts,
                              pendingEssays: later ? nil : submitted.score.pending, resultsLater: later)
    }

    @Sendable func attemptState(_ request: Request, context: ExamRequestContext) async throws -> StateResponse {
        let who = try context.requireCandidate()
        let now = state.configuration.now()
        let status = try await state.store.attempts.status(exam: who.exam, sbd: who.sbd, now: now)
        let device = request.uri.queryParameters.get("deviceToken")
        return StateResponse(state: status.state, deadline: status.deadline, remainingSeconds: status.remainingSeconds, paused: status.paused,
                             activeHere: device == nil || device == status.deviceToken, serverTime: now)
    }

    /// An image of the candidate's own paper (content-addressed, so it may be cached).
    @Sendable func media(_ request: Request, context: ExamRequestContext) async throws -> Response {
        let who = try context.requireCandidate()
        let sha = try context.parameters.require("sha")
        guard sha.count == 64, sha.allSatisfy(\.isHexDigit),
              let file = try await state.store.attempts.mediaFile(exam: who.exam, sbd: who.sbd, sha256: sha) else {
            throw APIError(.notFound, code: "notFound", "không có ảnh này trên đề / no such image on this paper")
        }
        return Response(status: .ok, headers: [.contentType: file.mimeType], body: .init(byteBuffer: ByteBuffer(data: file.data)))
    }
}

/// The candidate's view of each paper (no keys) and its image addresses, encoded to JSON once per paper.
final class PaperViews: Sendable {
    struct View: Sendable {
        /// `CandidatePaper` as the API's JSONEncoder writes it.
        let paper: [UInt8]
        /// item key → (name in its text → address of the image).
        let media: [UInt8]
    }

    private let views = Mutex<[Int64: View]>([:])

    func view(_ paperID: Int64, attempts: any AttemptRepository) async throws -> View {
        if let known = views.withLock({ $0[paperID] }) { return known }
        let entry = try await attempts.paper(id: paperID)
        let encoder = JSONEncoder.api
        let view = View(paper: Array(try encoder.encode(CandidatePaper(entry.paper))),
                        media: Array(try encoder.encode(entry.media.mapValues { $0.mapValues { "/api/media/" + $0 } })))
        views.withLock { $0[paperID] = view }
        return view
    }
}

/// JSON text written by hand on the hot paths.
enum JSONText {
    /// A JSON string literal, escaped as JSONEncoder escapes it (`/` too).
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "/": out += "\\/"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension JSONEncoder {
    /// How the API writes JSON: ISO 8601 dates, as Hummingbird's response encoder does.
    static let api: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()
}
