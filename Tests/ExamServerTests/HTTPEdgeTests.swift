import ExamCore
import ExamServer
import ExamStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("HTTP edges: HEAD, 405 with Allow, control characters in paths, headers on the HTTP layer's own errors, bounded input")
struct HTTPEdgeTests {
    static let web = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Web").path

    @Test("HEAD works where GET does; a method a path does not take is 405 with Allow; an unknown path is a 404 with a code")
    func methods() async throws {
        let fixture = try Fixture()
        let clock = fixture.clock
        let web = try await WebAssets.load(directory: Self.web, katex: nil)
        let app = try await buildApplication(database: fixture.database, configuration: ServerConfiguration(web: web, now: { clock.now }))
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/time", method: .head) { response in
                #expect(response.status == .ok && response.body.readableBytes == 0)
            }
            try await client.execute(uri: "/", method: .head) { #expect($0.status == .ok) }
            try await client.execute(uri: "/static/app.css", method: .head) { #expect($0.status == .ok) }
            for method in [HTTPRequest.Method.trace, .post, .delete, .put] {
                try await client.execute(uri: "/api/me", method: method, headers: Fixture.headers()) { response in
                    #expect(response.status == .methodNotAllowed, "\(method)")
                    #expect(response.headers[.allow] == "GET, HEAD")
                    #expect(response.headers[.contentSecurityPolicy] != nil)
                }
            }
            try await client.execute(uri: "/api/staff/exams/x/monitor", method: .post, headers: Fixture.headers()) { #expect($0.status == .methodNotAllowed) }
            try await client.execute(uri: "/api/khong-co", method: .get) { response in
                #expect(response.status == .notFound)
                #expect((Fixture.object(response.body)["error"] as? [String: Any])?["code"] as? String == "notFound")
            }
            // A browser asking for a page that is not there gets a page with a way back, still a 404.
            try await client.execute(uri: "/thi-thu", method: .get, headers: [.accept: "text/html,application/xhtml+xml"]) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(String(buffer: response.body).contains("href=\"/staff\""))
                #expect(response.headers[.contentSecurityPolicy] != nil)
            }
            try await client.execute(uri: "/api/khong-co", method: .get, headers: [.accept: "text/html"]) { response in
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            }
        }
    }

    @Test("a NUL or another control character in a static or media path is a 400, never a shorter file", arguments: [
        "/static/app.css%00.js", "/static/app%0A.css", "/api/media/%00", "/static/%ZZ",
    ])
    func controlCharacters(_ path: String) async throws {
        let fixture = try Fixture()
        let web = try await WebAssets.load(directory: Self.web, katex: nil)
        let app = try await buildApplication(database: fixture.database, configuration: ServerConfiguration(web: web))
        try await app.test(.router) { client in
            try await client.execute(uri: path, method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(response.headers[.contentType]?.contains("javascript") != true)
            }
        }
    }

    @Test("over a real socket, the 400 the HTTP layer gives for an oversized header carries the security headers", .timeLimit(.minutes(1)))
    func httpLayerErrors() async throws {
        let fixture = try Fixture()
        try await fixture.app().test(.live) { client in
            var headers = HTTPFields()
            headers[HTTPField.Name("X-Huge")!] = String(repeating: "a", count: 200_000)
            try await client.execute(uri: "/api/time", method: .get, headers: headers) { response in
                #expect(response.status == .badRequest)
                #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
            }
        }
    }

    @Test("over a real socket on one event loop and on three (serve --event-loops): a candidate signs in, starts and saves", .timeLimit(.minutes(1)))
    func eventLoopCounts() async throws {
        let fixture = try Fixture()
        fixture.clock.set(Fixture.at(10))
        for loops in [1, 3] {
            var configuration = ServerConfiguration(autoSubmitInterval: .seconds(3600), now: { fixture.clock.now })
            configuration.eventLoops = loops
            let app = try await buildApplication(database: fixture.database, configuration: configuration)
            try await app.test(.live) { client in
                let cookie = try await fixture.login(client, slip: fixture.slips[loops])
                let start = try await fixture.start(client, cookie: cookie)
                let item = try #require(((start["paper"] as? [String: Any])?["parts"] as? [[String: Any]])?.first?["items"] as? [[String: Any]])[0]["key"] as! String
                let body = #"{"deviceToken":"\#(start["deviceToken"] as! String)","events":[{"sequence":1,"item":"\#(item)","value":"A"}]}"#
                try await client.execute(uri: "/api/attempt/events", method: .post, headers: Fixture.headers(cookie: cookie), body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .ok, "\(loops) loops")
                }
            }
        }
    }

    @Test("add time: an unknown exam or candidate is a 404; a reason over 500 characters is a 400; a sequence past 2^53 is a 400")
    func boundedInput() async throws {
        let fixture = try Fixture()
        try fixture.addStaff("giamthi", role: .proctor)
        fixture.clock.set(Fixture.at(10))
        try await fixture.app().test(.router) { client in
            let proctor = try await fixture.staffLogin(client, "giamthi")
            try await client.execute(uri: "/api/staff/exams/khong-co/candidates/0001/add-time", method: .post, headers: Fixture.headers(cookie: proctor),
                                     body: Fixture.json(["minutes": 5, "reason": "x"])) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/staff/exams/\(fixture.examPath)/candidates/9999/add-time", method: .post, headers: Fixture.headers(cookie: proctor),
                                     body: Fixture.json(["minutes": 5, "reason": "x"])) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/staff/exams/\(fixture.examPath)/candidates/\(fixture.slips[0].sbd)/add-time", method: .post,
                                     headers: Fixture.headers(cookie: proctor), body: Fixture.json(["minutes": 5, "reason": String(repeating: "x", count: 501)])) { response in
                #expect(response.status == .badRequest)
                #expect((Fixture.object(response.body)["error"] as? [String: Any])?["field"] as? String == "reason")
            }
            let cookie = try await fixture.login(client, slip: fixture.slips[0])
            let start = try await fixture.start(client, cookie: cookie)
            let item = try #require(((start["paper"] as? [String: Any])?["parts"] as? [[String: Any]])?.first?["items"] as? [[String: Any]])[0]["key"] as! String
            for sequence in ["9007199254740993", "99999999999999999999999", "-1", "1e3"] {
                let body = #"{"deviceToken":"\#(start["deviceToken"] as! String)","events":[{"sequence":\#(sequence),"item":"\#(item)","value":"A"}]}"#
                try await client.execute(uri: "/api/attempt/events", method: .post, headers: Fixture.headers(cookie: cookie), body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .badRequest, "\(sequence)")
                }
            }
        }
    }
}
