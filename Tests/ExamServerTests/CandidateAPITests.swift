import PostgresTesting
import BankFormats
import ExamCore
import ExamServer
import ExamStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// A clock the tests move by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Date
    init(_ start: Date) { value = start }
    var now: Date { lock.withLock { value } }
    func set(_ date: Date) { lock.withLock { value = date } }
}

/// A prepared exam in a temporary file database, and helpers to call the API as a page does.
struct Fixture {
    static let opens = Date(timeIntervalSince1970: 1_800_000_000)
    static func at(_ seconds: Int) -> Date { opens.addingTimeInterval(TimeInterval(seconds)) }
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let database: AppDatabase
    let exam = "Thi thử Vật lí"
    let slips: [LoginSlip]
    let clock = TestClock(Fixture.at(-600))

    /// An exam of 40 candidates on the bank in QuestionBanks/`bank` (its YAML file and blueprint).
    init(results: ExamDefinition.ResultsPolicy = .immediate, bank folder: String = "vat-li-12", review: ExamDefinition.ReviewPolicy = .score) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("khaothi-api-\(UUID().uuidString)/db.sqlite").path
        database = try TestEngine.database(file: path)
        let banks = Self.root.appendingPathComponent("QuestionBanks")
        let bank = try database.importBank(try BankReaders.read(banks.appendingPathComponent("\(folder)/\(folder).yaml"))).bank
        let blueprint = try JSONDecoder().decode(Blueprint.self, from: Data(contentsOf: banks.appendingPathComponent("\(folder)/blueprint.json")))
        var definition = ExamDefinition(name: exam, bank: bank, blueprint: blueprint, codeCount: 4, seed: 5,
                                        sessions: [.init(name: "Ca 1", timing: SessionTiming(opensAt: Self.opens, durationSeconds: 3000, graceSeconds: 30))],
                                        rooms: ["P101"], results: results)
        definition.review = review
        try database.createExam(definition)
        _ = try database.importCandidates(exam: exam, entries: try RosterFormat.read(banks.appendingPathComponent("samples/danh-sach-12A.csv")).entries)
        slips = try database.prepareExam(exam)
    }

    func app(limits: LoginLimiter.Limits = .init()) async throws -> some ApplicationProtocol {
        let clock = self.clock
        return try await buildApplication(database: database, configuration: ServerConfiguration(loginLimits: limits, autoSubmitInterval: .seconds(3600), now: { clock.now }))
    }

    static func json(_ value: Any) -> ByteBuffer { ByteBuffer(data: try! JSONSerialization.data(withJSONObject: value)) }
    static func object(_ body: ByteBuffer) -> [String: Any] { (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:] }

    static func headers(cookie: String? = nil, sameOrigin: Bool = true) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if sameOrigin { fields[HTTPField.Name("X-Khaothi")!] = "1" }
        if let cookie { fields[.cookie] = cookie }
        return fields
    }

    /// Logs in and returns the session cookie ("name=value").
    func login(_ client: some TestClientProtocol, slip: LoginSlip) async throws -> String {
        try await client.execute(uri: "/api/login", method: .post, headers: Self.headers(),
                                 body: Self.json(["exam": exam, "sbd": slip.sbd, "accessCode": slip.accessCode])) { response in
            #expect(response.status == .ok)
            let setCookie = try #require(response.headers[.setCookie])
            return String(setCookie.split(separator: ";")[0])
        }
    }
}

@Suite("Candidate API")
struct CandidateAPITests {
    @Test("login: wrong code 401, right code sets an HttpOnly SameSite=Strict cookie; /me needs it; CSP on every response")
    func login() async throws {
        let fixture = try Fixture()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/login", method: .post, headers: Fixture.headers(),
                                     body: Fixture.json(["exam": fixture.exam, "sbd": fixture.slips[0].sbd, "accessCode": "WRONG234"])) { response in
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body).contains("mã truy cập không đúng"))
                #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
            }
            try await client.execute(uri: "/api/login", method: .post, headers: Fixture.headers(),
                                     body: Fixture.json(["exam": fixture.exam, "sbd": fixture.slips[0].sbd, "accessCode": fixture.slips[0].accessCode])) { response in
                #expect(response.status == .ok)
                let cookie = response.headers[.setCookie] ?? ""
                #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
                #expect(Fixture.object(response.body)["fullName"] as? String == fixture.slips[0].fullName)
            }
            try await client.execute(uri: "/api/me", method: .get) { #expect($0.status == .unauthorized) }
            let cookie = try await fixture.login(client, slip: fixture.slips[1])
            try await client.execute(uri: "/api/me", method: .get, headers: Fixture.headers(cookie: cookie)) { response in
                #expect(response.status == .ok)
                #expect(Fixture.object(response.body)["sbd"] as? String == fixture.slips[1].sbd)
            }
            // A forged cookie (someone else's SBD with a made-up signature) is refused.
            let forged = cookie.replacingOccurrences(of: ".", with: "A.", options: [], range: nil)
            try await client.execute(uri: "/api/me", method: .get, headers: Fixture.headers(cookie: forged)) { #expect($0.status == .unauthorized) }
        }
    }

    @Test("state-changing routes need the X-Khaothi header (CSRF); malformed and oversized bodies get 4xx with a message")
    func csrfAndMalformed() async throws {
        let fixture = try Fixture()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/login", method: .post, headers: Fixture.headers(sameOrigin: false),
                                     body: Fixture.json(["exam": fixture.exam, "sbd": fixture.slips[0].sbd, "accessCode": fixture.slips[0].accessCode])) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/api/login", method: .post, headers: Fixture.headers(), body: ByteBuffer(string: "{not json")) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("JSON"))
            }
            let huge = ByteBuffer(string: "{\"exam\":\"" + String(repeating: "x", count: 1_100_000) + "\"}")
            try await client.execute(uri: "/api/login", method: .post, headers: Fixture.headers(), body: huge) { #expect($0.status == .contentTooLarge) }
        }
    }

    @Test("start before opening is refused; then the paper comes without keys, solutions or option ids")
    func startAndPaper() async throws {
        let fixture = try Fixture()
        try await fixture.app().test(.router) { client in
            let cookie = try await fixture.login(client, slip: fixture.slips[0])
            try await client.execute(uri: "/api/attempt/start", method: .post, headers: Fixture.headers(cookie: cookie)) { response in
                #expect(response.status == .conflict)
                #expect(String(buffer: response.body).contains("chưa mở"))
            }
            fixture.clock.set(Fixture.at(60))
            try await client.execute(uri: "/api/attempt/start", method: .post, headers: Fixture.headers(cookie: cookie)) { response in
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                for secret in ["\"answer\"", "isTrue", "explanation", "\"pairs\"", "\"order\"", "\"id\" :", "\"id\":\"a\""] {
                    #expect(!text.contains(secret), "the paper leaks \(secret)")
                }
                let body = Fixture.object(response.body)
                #expect(body["remainingSeconds"] as? Int == 2940)
                let paper = try #require(body["paper"] as? [String: Any])
                #expect((paper["parts"] as? [[String: Any]])?.count == 3)
            }
        }
    }

    @Test("events: acknowledged after commit, replays and old sequences harmless, checks refused with 4xx, takeover, deadline")
    func events() async throws {
        let fixture = try Fixture()
        fixture.clock.set(Fixture.at(10))
        try await fixture.app().test(.router) { client in
            let cookie = try await fixture.login(client, slip: fixture.slips[0])
            let token = try await client.execute(uri: "/api/attempt/start", method: .post, headers: Fixture.headers(cookie: cookie)) {
                Fixture.object($0.body)["deviceToken"] as! String
            }
            func send(_ events: [[String: Any]], token: String, expect status: HTTPResponse.Status) async throws {
                try await client.execute(uri: "/api/attempt/events", method: .post, headers: Fixture.headers(cookie: cookie),
                                         body: Fixture.json(["deviceToken": token, "events": events])) { response in
                    #expect(response.status == status, "\(String(buffer: response.body))")
                }
            }
            try await send([["sequence": 2, "item": "I.1", "value": "C"], ["sequence": 3, "item": "II.1", "value": ["a": "Đ", "b": "S"]]], token: token, expect: .ok)
            try await send([["sequence": 1, "item": "I.1", "value": "A"]], token: token, expect: .ok)
            try await send([["sequence": 2, "item": "I.1", "value": "C"]], token: token, expect: .ok)
            try await send([["sequence": 4, "item": "IX.1", "value": "A"]], token: token, expect: .badRequest)
            try await send([["sequence": 4, "item": "I.2", "value": ["a": "b"]]], token: token, expect: .badRequest)
            try await send([["sequence": 4, "item": "I.2"]], token: token, expect: .badRequest)
            try await send(Array(repeating: ["sequence": 5, "item": "I.2", "value": "A"], count: 501), token: token, expect: .contentTooLarge)
            // Resuming on another PC takes the attempt over; the old page's token stops working.
            let cookie2 = try await fixture.login(client, slip: fixture.slips[0])
            let resumed = try await client.execute(uri: "/api/attempt/start", method: .post, headers: Fixture.headers(cookie: cookie2)) { Fixture.object($0.body) }
            #expect((resumed["responses"] as? [String: Any])?["I.1"] as? String == "C", "the newest answer wins")
            #expect(resumed["lastSequence"] as? Int == 3)
            try await send([["sequence": 6, "item": "I.2", "value": "A"]], token: token, expect: .conflict)
            let newToken = resumed["deviceToken"] as! String
            fixture.clock.set(Fixture.at(3030))
            try await send([["sequence": 7, "item": "I.2", "value": "A"]], token: newToken, expect: .ok)
            fixture.clock.set(Fixture.at(3031))
            try await send([["sequence": 8, "item": "I.3", "value": "A"]], token: newToken, expect: .conflict)
        }
    }

    @Test("submit grades; a second submit and a submit after the grace are refused; results can wait")
    func submit() async throws {
        for policy in [ExamDefinition.ResultsPolicy.immediate, .later] {
            let fixture = try Fixture(results: policy)
            fixture.clock.set(Fixture.at(5))
            try await fixture.app().test(.router) { client in
                let cookie = try await fixture.login(client, slip: fixture.slips[2])
                let start = try await client.execute(uri: "/api/attempt/start", method: .post, headers: Fixture.headers(cookie: cookie)) { Fixture.object($0.body) }
                let token = start["deviceToken"] as! String
                let paper = try fixture.database.paper(exam: fixture.exam, code: fixture.slips[2].paperCode)
                let first = paper.items[0]
                try await client.execute(uri: "/api/attempt/events", method: .post, headers: Fixture.headers(cookie: cookie),
                                         body: Fixture.json(["deviceToken": token, "events": [["sequence": 1, "item": first.key, "value": first.question.keyText]]])) {
                    #expect($0.status == .ok)
                }
                try await client.execute(uri: "/api/attempt/submit", method: .post, headers: Fixture.headers(cookie: cookie),
                                         body: Fixture.json(["deviceToken": token])) { response in
                    #expect(response.status == .ok)
                    let body = Fixture.object(response.body)
                    if policy == .immediate {
                        #expect((body["score"] as? NSNumber)?.decimalValue == Decimal(string: "0.25"))
                    } else {
                        #expect(body["score"] == nil && body["resultsLater"] as? Bool == true)
                    }
                }
                try await client.execute(uri: "/api/attempt/submit", method: .post, headers: Fixture.headers(cookie: cookie),
                                         body: Fixture.json(["deviceToken": token])) { #expect($0.status == .conflict) }
            }
        }
    }

    @Test("wrong codes are limited per SBD, and a whole lab behind one address can still log in")
    func rateLimits() async throws {
        let fixture = try Fixture()
        try await fixture.app(limits: .init(freeFailures: 3)).test(.router) { client in
            for _ in 0..<3 {
                try await client.execute(uri: "/api/login", method: .post, headers: Fixture.headers(),
                                         body: Fixture.json(["exam": fixture.exam, "sbd": fixture.slips[0].sbd, "accessCode": "XXXXXXXX"])) { #expect($0.status == .unauthorized) }
            }
            try await client.execute(uri: "/api/login", method: .post, headers: Fixture.headers(),
                                     body: Fixture.json(["exam": fixture.exam, "sbd": fixture.slips[0].sbd, "accessCode": fixture.slips[0].accessCode])) { response in
                #expect(response.status == .tooManyRequests, "from the address that guessed, even the right code waits")
                #expect(response.headers[.retryAfter] != nil)
            }
            for slip in fixture.slips.dropFirst() { _ = try await fixture.login(client, slip: slip) }
        }
    }

    @Test("over a real socket: time, no-op and login", .timeLimit(.minutes(1)))
    func live() async throws {
        let fixture = try Fixture()
        try await fixture.app().test(.live) { client in
            try await client.execute(uri: "/api/time", method: .get) { #expect($0.status == .ok) }
            // Every POST needs the same-origin header, the no-op too.
            try await client.execute(uri: "/api/noop", method: .post) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/api/noop", method: .post, headers: Fixture.headers()) { #expect($0.status == .ok) }
            _ = try await fixture.login(client, slip: fixture.slips[5])
        }
    }
}

@Suite("docs/openapi.yaml")
struct OpenAPIDocumentTests {
    /// Every path the document names answers (never 404), with the method it names.
    @Test("every documented route exists")
    func documentedRoutesExist() async throws {
        let text = try String(contentsOf: Fixture.root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        var routes: [(String, HTTPRequest.Method)] = []
        var path: String?
        for line in text.split(separator: "\n") {
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                // Path parameters get a sample value: the route must answer (401, 403, 404 for an unknown exam is not
                // reached without a session), never "no such route".
                path = String(line.dropFirst(2).dropLast()).replacingOccurrences(of: #"\{[^}]+\}"#, with: "x", options: .regularExpression)
            }
            for method in [HTTPRequest.Method.get, .post, .put, .delete] where line == "    \(method.rawValue.lowercased()):" {
                if let current = path { routes.append((current, method)) }
            }
        }
        #expect(routes.count == 129)
        let documented = routes
        let fixture = try Fixture()
        try await fixture.app().test(.router) { client in
            for (uri, method) in documented {
                try await client.execute(uri: uri, method: method, headers: Fixture.headers()) { response in
                    #expect(response.status != .notFound && response.status != .methodNotAllowed, "\(method) \(uri): \(response.status)")
                }
            }
        }
    }
}
