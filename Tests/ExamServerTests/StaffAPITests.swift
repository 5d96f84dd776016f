import ExamCore
import ExamServer
import ExamStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

extension Fixture {
    /// Adds a member of staff with a known password (bcrypt at the lowest cost the tests can afford).
    func addStaff(_ username: String, role: StaffRole) throws {
        try database.saveStaff(username: username, fullName: username, role: role, password: "mat-khau-\(username)")
    }

    func staffLogin(_ client: some TestClientProtocol, _ username: String) async throws -> String {
        try await client.execute(uri: "/api/staff/login", method: .post, headers: Self.headers(),
                                 body: Self.json(["username": username, "password": "mat-khau-\(username)"])) { response in
            #expect(response.status == .ok)
            return String(try #require(response.headers[.setCookie]).split(separator: ";")[0])
        }
    }

    /// The exam's name as it sits in a URL path.
    var examPath: String { exam.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/")))! }

    func start(_ client: some TestClientProtocol, cookie: String) async throws -> [String: Any] {
        try await client.execute(uri: "/api/attempt/start", method: .post, headers: Self.headers(cookie: cookie)) { response in
            #expect(response.status == .ok)
            return Self.object(response.body)
        }
    }
}

@Suite("Staff API")
struct StaffAPITests {
    @Test("staff login: wrong password 401, right one a cookie; a candidate's cookie is no staff cookie; each role its routes (403 otherwise)")
    func rolesAndSessions() async throws {
        let fixture = try Fixture()
        for (name, role) in [("giamthi", StaffRole.proctor), ("dieuphoi", .coordinator), ("giaovien", .teacher)] { try fixture.addStaff(name, role: role) }
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/staff/login", method: .post, headers: Fixture.headers(),
                                     body: Fixture.json(["username": "giamthi", "password": "sai-mat-khau"])) { response in
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body).contains("mật khẩu không đúng"))
            }
            try await client.execute(uri: "/api/staff/login", method: .post, headers: Fixture.headers(),
                                     body: Fixture.json(["username": "khong-co", "password": "bat-ky-gi-do"])) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/api/staff/login", method: .post, headers: Fixture.headers(sameOrigin: false),
                                     body: Fixture.json(["username": "giamthi", "password": "mat-khau-giamthi"])) { #expect($0.status == .forbidden) }
            let proctor = try await fixture.staffLogin(client, "giamthi")
            let coordinator = try await fixture.staffLogin(client, "dieuphoi")
            let teacher = try await fixture.staffLogin(client, "giaovien")
            let candidate = try await fixture.login(client, slip: fixture.slips[0])
            // The candidate's cookie under the staff cookie's name: signed with the other key, refused.
            let disguised = "khaothi_staff=" + candidate.split(separator: "=", maxSplits: 1)[1]
            for cookie in [nil, candidate, disguised] {
                try await client.execute(uri: "/api/staff/exams", method: .get, headers: Fixture.headers(cookie: cookie)) { #expect($0.status == .unauthorized) }
            }
            try await client.execute(uri: "/api/staff/me", method: .get, headers: Fixture.headers(cookie: proctor)) { response in
                #expect(Fixture.object(response.body)["role"] as? String == "proctor")
            }
            let monitor = "/api/staff/exams/\(fixture.examPath)/monitor"
            try await client.execute(uri: monitor, method: .get, headers: Fixture.headers(cookie: teacher)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: monitor, method: .get, headers: Fixture.headers(cookie: proctor)) { response in
                #expect(response.status == .ok)
                let rows = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [[String: Any]] ?? []
                #expect(rows.count == fixture.slips.count)
                #expect(rows.first?["state"] as? String == "not-started")
            }
            let release = "/api/staff/exams/\(fixture.examPath)/release-results"
            let results = "/api/staff/exams/\(fixture.examPath)/results?format=csv"
            try await client.execute(uri: release, method: .post, headers: Fixture.headers(cookie: proctor)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: results, method: .get, headers: Fixture.headers(cookie: proctor)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: results, method: .get, headers: Fixture.headers(cookie: coordinator)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/csv") == true)
                #expect(Array(Data(buffer: response.body).prefix(3)) == [0xEF, 0xBB, 0xBF])
            }
            try await client.execute(uri: "/api/staff/exams/khong-co/monitor", method: .get, headers: Fixture.headers(cookie: proctor)) {
                #expect($0.status == .notFound)
            }
            // A lost slip: the proctor issues a new code; the old one stops working, the new one signs in.
            let slip = fixture.slips[9]
            let newCode = try await client.execute(uri: "/api/staff/exams/\(fixture.examPath)/candidates/\(slip.sbd)/reset-code", method: .post,
                                                   headers: Fixture.headers(cookie: proctor)) { response in
                #expect(response.status == .ok)
                return Fixture.object(response.body)["accessCode"] as? String ?? ""
            }
            #expect(newCode.count == 8 && newCode != slip.accessCode)
            #expect(try fixture.database.verifyAccessCode(exam: fixture.exam, sbd: slip.sbd, code: slip.accessCode) == false)
            #expect(try fixture.database.verifyAccessCode(exam: fixture.exam, sbd: slip.sbd, code: newCode))
            try await client.execute(uri: "/api/staff/exams/\(fixture.examPath)/candidates/9999/reset-code", method: .post,
                                     headers: Fixture.headers(cookie: proctor)) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/staff/exams/\(fixture.examPath)/candidates/\(slip.sbd)/reset-code", method: .post,
                                     headers: Fixture.headers(cookie: teacher)) { #expect($0.status == .forbidden) }
            // Removing the role takes effect at once, with the same cookie.
            try fixture.database.saveStaff(username: "giamthi", fullName: "giamthi", role: .teacher, password: "mat-khau-giamthi")
            try await client.execute(uri: monitor, method: .get, headers: Fixture.headers(cookie: proctor)) { #expect($0.status == .forbidden) }
        }
    }

    @Test("a proctor adds time: recorded, the candidate's deadline moves, answers after the old deadline are taken; bad requests 4xx")
    func addTime() async throws {
        let fixture = try Fixture()
        try fixture.addStaff("giamthi", role: .proctor)
        try await fixture.app().test(.router) { client in
            let proctor = try await fixture.staffLogin(client, "giamthi")
            let slip = fixture.slips[0]
            let addTime = "/api/staff/exams/\(fixture.examPath)/candidates/\(slip.sbd)/add-time"
            fixture.clock.set(Fixture.at(10))
            // Not started yet: nothing to add time to.
            try await client.execute(uri: addTime, method: .post, headers: Fixture.headers(cookie: proctor), body: Fixture.json(["minutes": 5])) { response in
                #expect(response.status == .conflict)
                #expect(String(buffer: response.body).contains("chưa bắt đầu"))
            }
            let cookie = try await fixture.login(client, slip: slip)
            let started = try await fixture.start(client, cookie: cookie)
            let token = try #require(started["deviceToken"] as? String)
            let item = try #require(((started["paper"] as? [String: Any])?["parts"] as? [[String: Any]])?.first?["items"] as? [[String: Any]])[0]["key"] as! String
            for bad in [["minutes": 0], ["minutes": 500], ["minute": 5]] as [[String: Any]] {
                try await client.execute(uri: addTime, method: .post, headers: Fixture.headers(cookie: proctor), body: Fixture.json(bad)) { #expect($0.status == .badRequest) }
            }
            try await client.execute(uri: addTime, method: .post, headers: Fixture.headers(cookie: proctor, sameOrigin: false), body: Fixture.json(["minutes": 5])) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: addTime, method: .post, headers: Fixture.headers(cookie: proctor),
                                     body: Fixture.json(["minutes": 10, "reason": "Mất điện phòng P101"])) { response in
                #expect(response.status == .ok)
            }
            // 3000 s + 600 s from the opening (fixed end): after the old deadline and its grace, an answer is taken.
            fixture.clock.set(Fixture.at(3100))
            try await client.execute(uri: "/api/attempt/state?deviceToken=\(token)", method: .get, headers: Fixture.headers(cookie: cookie)) { response in
                let state = Fixture.object(response.body)
                #expect(state["remainingSeconds"] as? Int == 500)
                #expect(state["activeHere"] as? Bool == true)
            }
            try await client.execute(uri: "/api/attempt/events", method: .post, headers: Fixture.headers(cookie: cookie),
                                     body: Fixture.json(["deviceToken": token, "events": [["sequence": 1, "item": item, "value": "A"]]])) { response in
                #expect(response.status == .ok)
            }
            let recorded = try await fixture.database.makeStore().exams.monitor(exam: fixture.exam, now: Fixture.at(3100)).first { $0.sbd == slip.sbd }
            #expect(recorded?.extraSeconds == 600)
            #expect(recorded?.answered == 1)
            #expect(recorded?.lastSavedAt != nil)
            #expect(recorded?.state == "in-progress")
            // Someone else's device token: the state says this page is not the active one.
            try await client.execute(uri: "/api/attempt/state?deviceToken=other", method: .get, headers: Fixture.headers(cookie: cookie)) { response in
                #expect(Fixture.object(response.body)["activeHere"] as? Bool == false)
            }
        }
    }

    @Test("results later: a submitted candidate sees no score until a coordinator releases them; then score and breakdown, and the sheet has it")
    func releaseResults() async throws {
        let fixture = try Fixture(results: .later)
        try fixture.addStaff("dieuphoi", role: .coordinator)
        try fixture.addStaff("quantri", role: .admin)
        try await fixture.app().test(.router) { client in
            fixture.clock.set(Fixture.at(10))
            let slip = fixture.slips[2]
            let cookie = try await fixture.login(client, slip: slip)
            let started = try await fixture.start(client, cookie: cookie)
            let token = try #require(started["deviceToken"] as? String)
            try await client.execute(uri: "/api/attempt/submit", method: .post, headers: Fixture.headers(cookie: cookie), body: Fixture.json(["deviceToken": token])) { response in
                #expect(response.status == .ok)
                #expect(Fixture.object(response.body)["resultsLater"] as? Bool == true)
                #expect(Fixture.object(response.body)["score"] == nil)
            }
            try await client.execute(uri: "/api/attempt/result", method: .get, headers: Fixture.headers(cookie: cookie)) { response in
                let result = Fixture.object(response.body)
                #expect(result["released"] as? Bool == false)
                #expect(result["score"] == nil && result["items"] == nil)
            }
            try await client.execute(uri: "/api/me", method: .get, headers: Fixture.headers(cookie: cookie)) { response in
                #expect(Fixture.object(response.body)["attemptState"] as? String == "submitted")
            }
            let coordinator = try await fixture.staffLogin(client, "dieuphoi")
            // The session still runs: a release waits, or is forced with a reason (audited), and can be withdrawn.
            let release = "/api/staff/exams/\(fixture.examPath)/release-results"
            try await client.execute(uri: release, method: .post, headers: Fixture.headers(cookie: coordinator)) { response in
                #expect(response.status == .conflict)
                #expect((Fixture.object(response.body)["error"] as? [String: Any])?["code"] as? String == "sessionRunning")
            }
            try await client.execute(uri: release, method: .post, headers: Fixture.headers(cookie: coordinator), body: Fixture.json(["force": true])) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: release, method: .post, headers: Fixture.headers(cookie: coordinator),
                                     body: Fixture.json(["force": true, "reason": "cả phòng đã nộp"])) { response in
                #expect(response.status == .ok)
                #expect(Fixture.object(response.body)["releasedBy"] as? String == "dieuphoi")
            }
            try await client.execute(uri: "/api/staff/exams/\(fixture.examPath)/withdraw-results", method: .post, headers: Fixture.headers(cookie: coordinator),
                                     body: Fixture.json(["reason": "sai đáp án câu 3"])) { response in
                #expect(response.status == .ok)
                #expect(Fixture.object(response.body)["resultsReleasedAt"] == nil)
            }
            try await client.execute(uri: "/api/attempt/result", method: .get, headers: Fixture.headers(cookie: cookie)) { response in
                #expect(Fixture.object(response.body)["released"] as? Bool == false)
            }
            try await client.execute(uri: release, method: .post, headers: Fixture.headers(cookie: coordinator),
                                     body: Fixture.json(["force": true, "reason": "đã sửa đáp án"])) { #expect($0.status == .ok) }
            let admin = try await fixture.staffLogin(client, "quantri")
            let subject = "exam:\(fixture.exam)".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            try await client.execute(uri: "/api/staff/audit?subject=\(subject)", method: .get, headers: Fixture.headers(cookie: admin)) { response in
                let entries = Fixture.object(response.body)["items"] as? [[String: Any]] ?? []
                #expect(entries.map { $0["action"] as? String } == ["exam.results.release-forced", "exam.results.withdraw", "exam.results.release-forced"])
                #expect(entries.first?["reason"] as? String == "đã sửa đáp án" && entries.first?["actor"] as? String == "dieuphoi")
            }
            try await client.execute(uri: "/api/attempt/result", method: .get, headers: Fixture.headers(cookie: cookie)) { response in
                let result = Fixture.object(response.body)
                #expect(result["released"] as? Bool == true)
                #expect(result["score"] != nil)
                let items = result["items"] as? [[String: Any]] ?? []
                #expect(items.count == 28)  // 18 + 4 + 6 in the 2025 physics format
                #expect(items.allSatisfy { $0["answered"] as? Bool == false })
                // No keys, no explanations in a result.
                #expect(!String(buffer: response.body).contains("explanation") && !String(buffer: response.body).contains("answer\""))
            }
            try await client.execute(uri: "/api/staff/exams/\(fixture.examPath)/results?format=json", method: .get, headers: Fixture.headers(cookie: coordinator)) { response in
                let rows = Fixture.object(response.body)["rows"] as? [[String: Any]] ?? []
                #expect(rows.first { $0["sbd"] as? String == slip.sbd }?["score"] != nil)
            }
        }
    }

    @Test("before a start, state and result are 409 with a message; malformed staff bodies 400; an unknown exam 404 — never 5xx")
    func edges() async throws {
        let fixture = try Fixture()
        try fixture.addStaff("dieuphoi", role: .coordinator)
        try await fixture.app().test(.router) { client in
            let cookie = try await fixture.login(client, slip: fixture.slips[4])
            for uri in ["/api/attempt/state", "/api/attempt/result"] {
                try await client.execute(uri: uri, method: .get, headers: Fixture.headers(cookie: cookie)) { response in
                    #expect(response.status == .conflict)
                    #expect(String(buffer: response.body).contains("chưa bắt đầu"))
                }
            }
            let staff = try await fixture.staffLogin(client, "dieuphoi")
            let addTime = "/api/staff/exams/\(fixture.examPath)/candidates/\(fixture.slips[4].sbd)/add-time"
            for body in ["{", "[]", "{\"minutes\":\"năm\"}", String(repeating: "x", count: 300_000)] {
                try await client.execute(uri: addTime, method: .post, headers: Fixture.headers(cookie: staff), body: ByteBuffer(string: body)) { response in
                    #expect((400..<500).contains(Int(response.status.code)), "\(body.prefix(20)): \(response.status)")
                }
            }
            try await client.execute(uri: "/api/staff/login", method: .post, headers: Fixture.headers(), body: ByteBuffer(string: "{\"username\":1}")) {
                #expect($0.status == .badRequest)
            }
            for uri in ["/api/staff/exams/kh%C3%B4ng-c%C3%B3/release-results", "/api/staff/exams/%ZZ/release-results"] {
                try await client.execute(uri: uri, method: .post, headers: Fixture.headers(cookie: staff)) { response in
                    #expect((400..<500).contains(Int(response.status.code)), "\(uri): \(response.status)")
                }
            }
            try await client.execute(uri: "/api/staff/exams/kh%C3%B4ng-c%C3%B3/results", method: .get, headers: Fixture.headers(cookie: staff)) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/api/staff/exams/\(fixture.examPath)/results?format=pdf", method: .get, headers: Fixture.headers(cookie: staff)) {
                #expect($0.status == .badRequest)
            }
        }
    }

    @Test("images of the candidate's own paper only; other hashes 404")
    func media() async throws {
        let fixture = try Fixture()
        try await fixture.app().test(.router) { client in
            fixture.clock.set(Fixture.at(10))
            var seen: [String] = []
            for slip in fixture.slips.prefix(8) {
                let cookie = try await fixture.login(client, slip: slip)
                let started = try await fixture.start(client, cookie: cookie)
                let media = started["media"] as? [String: [String: String]] ?? [:]
                for url in media.values.flatMap(\.values) {
                    try await client.execute(uri: url, method: .get, headers: Fixture.headers(cookie: cookie)) { response in
                        #expect(response.status == .ok)
                        #expect(response.headers[.contentType] == "image/svg+xml")
                    }
                    seen.append(url)
                }
                try await client.execute(uri: "/api/media/" + String(repeating: "a", count: 64), method: .get, headers: Fixture.headers(cookie: cookie)) {
                    #expect($0.status == .notFound)
                }
                try await client.execute(uri: "/api/media/not-a-hash", method: .get, headers: Fixture.headers(cookie: cookie)) { #expect($0.status == .notFound) }
            }
            if let url = seen.first {
                try await client.execute(uri: url, method: .get) { #expect($0.status == .unauthorized) }
            }
        }
    }
}

@Suite("Pages")
struct PagesTests {
    static let web = Fixture.root.appendingPathComponent("Web").path

    @Test("Web/ is found from a flag, the environment or the package; a missing one is named with what was tried")
    func locate() throws {
        #expect(try WebAssets.locate(explicit: Self.web) == Self.web)
        #expect(try WebAssets.locate(explicit: nil, environment: ["KHAOTHI_WEB": Self.web]) == Self.web)
        #expect(try WebAssets.locate(explicit: nil, environment: [:], executable: Fixture.root.appendingPathComponent(".build/debug/khaothi").path) == Self.web)
        #expect {
            try WebAssets.locate(explicit: "/nonexistent/Web")
        } throws: { error in
            "\(error)".contains("/nonexistent/Web") && "\(error)".contains("--web")
        }
    }

    @Test("the pages in Vietnamese, ?lang=en switches and is remembered; assets served with a cache header; CSP everywhere")
    func pages() async throws {
        let fixture = try Fixture()
        let clock = fixture.clock
        let web = try await WebAssets.load(directory: Self.web, katex: nil)
        let app = try await buildApplication(database: fixture.database, configuration: ServerConfiguration(web: web, now: { clock.now }))
        try await app.test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(html.contains("<html lang=\"vi\">") && html.contains("Đăng nhập làm bài thi") && html.contains(fixture.exam))
                #expect(!html.contains("katex.min.js"))
                #expect(response.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
                #expect(response.headers[.cacheControl] == "no-store")
            }
            let cookie = try await client.execute(uri: "/?lang=en", method: .get) { response in
                #expect(String(buffer: response.body).contains("Sign in to your test"))
                return String(try #require(response.headers[.setCookie]).split(separator: ";")[0])
            }
            #expect(cookie == "khaothi_lang=en")
            try await client.execute(uri: "/thi", method: .get, headers: [.cookie: cookie]) { response in
                #expect(String(buffer: response.body).contains("Check your details"))
            }
            try await client.execute(uri: "/staff", method: .get) { #expect(String(buffer: $0.body).contains("Cán bộ coi thi")) }
            try await client.execute(uri: "/static/test.js", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.cacheControl] == "private, max-age=3600")
            }
            try await client.execute(uri: "/static/../Package.swift", method: .get) { #expect($0.status != .ok) }
        }
    }
}

@Suite("Large answers")
struct LargeAnswerTests {
    @Test("an answer of 100,000 Vietnamese characters (about 300 KB of JSON) is taken; one character more is refused with 400")
    func longestEssay() async throws {
        let fixture = try Fixture()
        fixture.clock.set(Fixture.at(10))
        try await fixture.app().test(.router) { client in
            let cookie = try await fixture.login(client, slip: fixture.slips[6])
            let started = try await fixture.start(client, cookie: cookie)
            let token = try #require(started["deviceToken"] as? String)
            let text = String(repeating: "ầ", count: 100_000)
            try await client.execute(uri: "/api/attempt/events", method: .post, headers: Fixture.headers(cookie: cookie),
                                     body: Fixture.json(["deviceToken": token, "events": [["sequence": 1, "item": "I.1", "value": text]]])) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body).prefix(200))")
            }
            try await client.execute(uri: "/api/attempt/events", method: .post, headers: Fixture.headers(cookie: cookie),
                                     body: Fixture.json(["deviceToken": token, "events": [["sequence": 2, "item": "I.1", "value": text + "a"]]])) { response in
                #expect(response.status == .badRequest)
            }
        }
    }
}
