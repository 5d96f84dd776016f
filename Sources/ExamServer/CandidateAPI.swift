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

    struct LoginRequest: Decodable, Equatable { var exam: String; var sbd: String; var accessCode: String }
    /// The candidate as the pages show them (login and `me`); written by hand (see `JSONObject`).
    struct Candidate: ResponseGenerator, Encodable {
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

        var json: JSONObject {
            var object = JSONObject()
            object.string("exam", exam); object.string("subject", subject); object.string("sbd", sbd); object.string("fullName", fullName)
            object.string("className", className); object.string("dateOfBirth", dateOfBirth); object.string("room", room)
            object.string("session", session); object.date("opensAt", opensAt); object.int("durationMinutes", durationMinutes)
            object.string("attemptState", attemptState.rawValue); object.date("serverTime", serverTime)
            return object
        }

        func response(from request: Request, context: some RequestContext) throws -> Response { json.response() }
    }
    /// The answer of `start`, as JSONEncoder would write it (a test keeps them equal) but made by hand: the
    /// paper and its images are encoded once per paper and spliced in, answers are spliced as stored.
    struct StartResponse: ResponseGenerator {
        var started: StartedAttempt
        var paper: PaperViews.View
        var serverTime: Date

        var json: JSONObject {
            var object = JSONObject(capacity: paper.paper.count + paper.media.count + 256 + started.responses.count * 32)
            let status = started.status
            object.int("attemptID", started.attemptID); object.string("deviceToken", started.deviceToken); object.string("state", status.state.rawValue)
            object.date("deadline", status.deadline); object.int("remainingSeconds", status.remainingSeconds); object.bool("paused", status.paused)
            object.int("lastSequence", started.lastSequence); object.rawObject("responses", started.responses)
            object.raw("paper", paper.paper); object.raw("media", paper.media); object.date("serverTime", serverTime)
            return object
        }

        func response(from request: Request, context: some RequestContext) throws -> Response { json.response() }
    }
    /// Where the attempt stands, polled by the page: added time and pauses show up here. Written by hand.
    struct StateResponse: ResponseGenerator, Encodable {
        var state: Attempt.State
        var deadline: Date?
        var remainingSeconds: Int
        var paused: Bool
        /// False when another device has taken the attempt over.
        var activeHere: Bool
        var serverTime: Date

        var json: JSONObject {
            var object = JSONObject()
            object.string("state", state.rawValue); object.date("deadline", deadline); object.int("remainingSeconds", remainingSeconds)
            object.bool("paused", paused); object.bool("activeHere", activeHere); object.date("serverTime", serverTime)
            return object
        }

        func response(from request: Request, context: some RequestContext) throws -> Response { json.response() }
    }
    struct EventsRequest: Decodable { var deviceToken: String; var events: [ResponseEvent] }
    /// Written by hand: this answer goes back for every save, and JSONEncoder's ISO 8601 dates were a
    /// measurable share of the route's cost.
    struct EventsResponse: ResponseGenerator, Encodable {
        var acknowledged: [Int]
        var deadline: Date?
        var serverTime: Date

        var json: JSONObject {
            var object = JSONObject()
            object.ints("acknowledged", acknowledged); object.date("deadline", deadline); object.date("serverTime", serverTime)
            return object
        }

        func response(from request: Request, context: some RequestContext) throws -> Response { json.response() }
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
        open.post("logout") { request, context in try await state.logout(request, context, cookie: Self.cookieName, signer: state.signer) }
        signedIn.get("me") { _, context in try await me(identity: context.requireCandidate()) }
        signedIn.post("attempt/start", use: start)
        signedIn.post("attempt/events", use: events)
        signedIn.post("attempt/submit", use: submit)
        signedIn.get("attempt/state", use: attemptState)
        signedIn.get("attempt/result") { _, context in
            let who = try context.requireCandidate()
            let result = try await state.store.attempts.result(exam: who.exam, sbd: who.sbd, now: state.configuration.now())
            guard let paperId = result.paperId else { return ResultView(result: result) }
            let entry = try await state.store.attempts.paper(id: paperId)
            return ResultView(result: result, paper: CandidatePaper(entry.paper), media: entry.media.mapValues { $0.mapValues { "/api/media/" + $0 } })
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

    /// A plain login body read by `EventsReader`'s reader (a start storm signs in every candidate at once, and
    /// JSONDecoder was its dearest part); anything else by JSONDecoder, so a mistake is named as for any route.
    static func loginRequest(_ buffer: ByteBuffer) throws -> LoginRequest {
        var reader = EventsReader(bytes: Array(buffer.readableBytesView))
        if case let .object(fields)? = try? reader.document(), case let .string(exam)? = fields["exam"],
           case let .string(sbd)? = fields["sbd"], case let .string(accessCode)? = fields["accessCode"] {
            return LoginRequest(exam: exam, sbd: sbd, accessCode: accessCode)
        }
        return try decode(LoginRequest.self, from: buffer)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request, _ context: ExamRequestContext) async throws -> T {
        try decode(type, from: try await body(request, context))
    }

    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
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
        let body = try Self.loginRequest(try await Self.body(request, context))
        let now = state.configuration.now()
        _ = try await state.limiter.attempt(.candidate(exam: body.exam, sbd: body.sbd), address: state.clientAddress(request, context), now: now,
                                            wrong: APIError(.unauthorized, code: "wrongCredentials", "số báo danh hoặc mã truy cập không đúng / wrong SBD or access code")) {
            try await state.store.attempts.verifyAccessCode(exam: body.exam, sbd: body.sbd, code: body.accessCode) ? true : nil
        }
        let (token, identity) = state.signer.issue(exam: body.exam, sbd: body.sbd, issuedAt: now)
        var response = try await me(identity: identity).json.response()
        response.setCookie(state.sessionCookie(Self.cookieName, token, request, context))
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
        let started = try await state.store.attempts.start(exam: who.exam, sbd: who.sbd, session: who.issuedAt, now: now)
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

/// The candidate's view of each paper (no keys) and its image addresses, encoded to JSON once per paper and
/// revision: a regrade on any node bumps the paper's revision, and the store's paper (compared with the
/// database at most once a second) then no longer matches the kept view.
final class PaperViews: Sendable {
    struct View: Sendable {
        /// `CandidatePaper` as the API's JSONEncoder writes it.
        let paper: [UInt8]
        /// item key → (name in its text → address of the image).
        let media: [UInt8]
        let revision: Int
    }

    private let views = Mutex<[Int64: View]>([:])

    func view(_ paperID: Int64, attempts: any AttemptRepository) async throws -> View {
        let entry = try await attempts.paper(id: paperID)
        if let known = views.withLock({ $0[paperID] }), known.revision == entry.revision { return known }
        let encoder = JSONEncoder.api
        let view = View(paper: Array(try encoder.encode(CandidatePaper(entry.paper))),
                        media: Array(try encoder.encode(entry.media.mapValues { $0.mapValues { "/api/media/" + $0 } })), revision: entry.revision)
        // Bounded like the decoded papers : one kept view makes room.
        views.withLock { views in
            if views.count >= PaperCache.capacity, views[paperID] == nil { views.remove(at: views.startIndex) }
            views[paperID] = view
        }
        return view
    }

    /// After a regrade changed papers' points: every paper is encoded again on its next start.
    func forgetAll() { views.withLock { $0.removeAll() } }
}

/// A JSON object written by hand on the hot routes, byte for byte as the API's JSONEncoder writes the same
/// Encodable struct (fields in declaration order, nil fields left out, ISO 8601 dates, `/` escaped): tests
/// keep them equal.
struct JSONObject {
    private(set) var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var first = true

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    private mutating func key(_ name: StaticString) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    mutating func string(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        Self.append(string: value, to: &bytes)
    }

    mutating func int<T: BinaryInteger>(_ name: StaticString, _ value: T?) {
        guard let value else { return }
        key(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func bool(_ name: StaticString, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    mutating func date(_ name: StaticString, _ value: Date?) {
        guard let value else { return }
        key(name)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: ISOTime.string(value).utf8)
        bytes.append(UInt8(ascii: "\""))
    }

    /// A value that is JSON already (encoded once elsewhere, or stored as canonical JSON).
    mutating func raw(_ name: StaticString, _ json: some Sequence<UInt8>) {
        key(name)
        bytes.append(contentsOf: json)
    }

    /// An object of strings to raw JSON values.
    mutating func rawObject(_ name: StaticString, _ members: [String: String]) {
        key(name)
        bytes.append(UInt8(ascii: "{"))
        var firstMember = true
        for (member, json) in members {
            if !firstMember { bytes.append(UInt8(ascii: ",")) }
            firstMember = false
            Self.append(string: member, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: json.utf8)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    mutating func ints(_ name: StaticString, _ values: [Int]) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: String(value).utf8)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// The finished object.
    mutating func close() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    func response() -> Response {
        var bytes = self
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: bytes.close())))
    }

    /// A JSON string literal, escaped as JSONEncoder escapes it (`/` too).
    static func append(string text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
            case UInt8(ascii: "/"): out.append(contentsOf: [92, 47])
            case 0x0A: out.append(contentsOf: [92, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [92, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [92, UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [92, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [92, UInt8(ascii: "f")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
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
