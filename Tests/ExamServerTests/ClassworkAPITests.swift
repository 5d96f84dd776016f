import ExamCore
import ExamServer
import ExamStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Classwork from home: classes, students' own accounts, assignments, practice — every route with its role and
/// object boundaries (a student of another class, another teacher, a proctor).
@Suite("Classwork from home")
struct ClassworkAPITests {
    static let year = "2026-2027"
    static let blueprint = "Làm quen — mọi dạng câu hỏi"

    /// The lam-quen bank with its blueprint saved, staff of every kind, and the fixture's clock.
    static func fixture() throws -> Fixture {
        let fixture = try Fixture(bank: "lam-quen")
        let blueprint = try JSONDecoder().decode(Blueprint.self, from: Data(contentsOf: Fixture.root.appendingPathComponent("QuestionBanks/lam-quen/blueprint.json")))
        try fixture.database.saveBlueprint(blueprint, owner: "giaovien")
        try fixture.addStaff("giaovien", role: .teacher)
        try fixture.addStaff("giaovien2", role: .teacher)
        try fixture.addStaff("dieuphoi", role: .coordinator)
        try fixture.addStaff("giamthi", role: .proctor)
        return fixture
    }

    static func cookie(_ response: TestResponse) throws -> String {
        String(try #require(response.headers[.setCookie]).split(separator: ";")[0])
    }

    /// A class made by `cookie` with these students (Mã học sinh, name, date of birth); returns its id.
    static func makeClass(_ client: some TestClientProtocol, _ cookie: String, name: String, students: [(String, String, String?)]) async throws -> Int {
        try await client.execute(uri: "/api/staff/classes", method: .post, headers: Fixture.headers(cookie: cookie), body: Fixture.json([
            "year": year, "name": name, "subject": "Toán",
            "students": students.map { ["studentID": $0.0, "fullName": $0.1, "dateOfBirth": $0.2 as Any? ?? NSNull()] },
        ])) { response in
            #expect(response.status == .created, "\(String(buffer: response.body))")
            return try #require(Fixture.object(response.body)["id"] as? Int)
        }
    }

    /// Temporary passwords of the class's students without one.
    static func slips(_ client: some TestClientProtocol, _ cookie: String, classID: Int) async throws -> [String: String] {
        try await client.execute(uri: "/api/staff/classes/\(classID)/slips", method: .post, headers: Fixture.headers(cookie: cookie)) { response in
            #expect(response.status == .ok)
            let items = Fixture.object(response.body)["items"] as? [[String: Any]] ?? []
            return Dictionary(uniqueKeysWithValues: items.map { ($0["studentID"] as! String, $0["password"] as! String) })
        }
    }

    /// Signs a student in with a slip's password and sets their own; returns the session cookie.
    static func student(_ client: some TestClientProtocol, _ fixture: Fixture, _ id: String, temporary: String, password: String = "mat-khau-hs") async throws -> String {
        let first = try await client.execute(uri: "/api/student/login", method: .post, headers: Fixture.headers(),
                                             body: Fixture.json(["studentID": id, "password": temporary])) { response in
            #expect(response.status == .ok)
            #expect(Fixture.object(response.body)["mustChangePassword"] as? Bool == true)
            return try cookie(response)
        }
        return try await client.execute(uri: "/api/student/password", method: .post, headers: Fixture.headers(cookie: first),
                                        body: Fixture.json(["current": temporary, "password": password])) { response in
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            return try cookie(response)
        }
    }

    static func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    @Test("classes and accounts: a teacher's own classes only, slips and changing a temporary password, join code with date of birth, reset, sign out everywhere; audited")
    func classesAndAccounts() async throws {
        let fixture = try Self.fixture()
        try await fixture.app().test(.router) { client in
            let teacher = try await fixture.staffLogin(client, "giaovien"), other = try await fixture.staffLogin(client, "giaovien2")
            let coordinator = try await fixture.staffLogin(client, "dieuphoi"), proctor = try await fixture.staffLogin(client, "giamthi")
            let classID = try await Self.makeClass(client, teacher, name: "12A", students: [("HS1", "Nguyễn Văn An", "2010-03-12"), ("HS2", "Trần Thị Bình", nil), ("HS3", "Lê Cường", "2010-01-02")])
            _ = try await Self.makeClass(client, other, name: "12B", students: [("HS9", "Phạm Duy", nil)])
            // Who sees which class.
            for (cookie, status) in [(teacher, HTTPResponse.Status.ok), (other, .forbidden), (coordinator, .ok), (proctor, .forbidden)] {
                try await client.execute(uri: "/api/staff/classes/\(classID)", method: .get, headers: Fixture.headers(cookie: cookie)) { #expect($0.status == status) }
            }
            try await client.execute(uri: "/api/staff/classes/99999", method: .get, headers: Fixture.headers(cookie: coordinator)) { #expect($0.status == .notFound) }
            let mine = try await client.execute(uri: "/api/staff/classes", method: .get, headers: Fixture.headers(cookie: other)) {
                (Fixture.object($0.body)["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            }
            #expect(mine == ["12B"])
            try await client.execute(uri: "/api/staff/classes/\(classID)/slips", method: .post, headers: Fixture.headers(cookie: other)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/api/staff/classes/\(classID)/teachers", method: .put, headers: Fixture.headers(cookie: teacher),
                                     body: Fixture.json(["teachers": [["username": "giaovien2"]]])) { #expect($0.status == .forbidden, "teachers are assigned by coordinators") }

            // The join code: HS3 sets a first password with it and the right date of birth.
            let code = try await client.execute(uri: "/api/staff/classes/\(classID)/join-code", method: .post, headers: Fixture.headers(cookie: teacher)) {
                try #require(Fixture.object($0.body)["joinCode"] as? String)
            }
            try await client.execute(uri: "/api/student/join", method: .post, headers: Fixture.headers(),
                                     body: Fixture.json(["studentID": "HS3", "joinCode": code, "dateOfBirth": "03/01/2010", "password": "cuong-123"])) { #expect($0.status == .unauthorized) }
            let joined = try await client.execute(uri: "/api/student/join", method: .post, headers: Fixture.headers(),
                                                  body: Fixture.json(["studentID": "HS3", "joinCode": code.lowercased(), "dateOfBirth": "02/01/2010", "password": "cuong-123"])) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                #expect(Fixture.object(response.body)["mustChangePassword"] as? Bool == false)
                return try Self.cookie(response)
            }
            try await client.execute(uri: "/api/student/join", method: .post, headers: Fixture.headers(),
                                     body: Fixture.json(["studentID": "HS3", "joinCode": code, "dateOfBirth": "02/01/2010", "password": "again-123"])) {
                #expect($0.status == .conflict, "a join code never replaces a password")
            }
            try await client.execute(uri: "/api/student/home", method: .get, headers: Fixture.headers(cookie: joined)) { #expect($0.status == .ok) }

            // Slips go to the two without a password; a temporary one must be changed before anything else.
            let slips = try await Self.slips(client, teacher, classID: classID)
            #expect(Set(slips.keys) == ["HS1", "HS2"])
            let temporary = try await client.execute(uri: "/api/student/login", method: .post, headers: Fixture.headers(),
                                                     body: Fixture.json(["studentID": "HS1", "password": slips["HS1"]!])) { try Self.cookie($0) }
            try await client.execute(uri: "/api/student/home", method: .get, headers: Fixture.headers(cookie: temporary)) { response in
                #expect(response.status == .forbidden)
                #expect((Fixture.object(response.body)["error"] as? [String: Any])?["code"] as? String == "passwordChangeRequired")
            }
            try await client.execute(uri: "/api/student/password", method: .post, headers: Fixture.headers(cookie: temporary),
                                     body: Fixture.json(["current": "wrong", "password": "an-12345"])) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/api/student/password", method: .post, headers: Fixture.headers(cookie: temporary),
                                     body: Fixture.json(["current": slips["HS1"]!, "password": "ngan"])) { #expect($0.status == .badRequest, "too short") }
            fixture.clock.set(fixture.clock.now.addingTimeInterval(1))
            let changed = try await client.execute(uri: "/api/student/password", method: .post, headers: Fixture.headers(cookie: temporary),
                                                   body: Fixture.json(["current": slips["HS1"]!, "password": "an-12345"])) { try Self.cookie($0) }
            try await client.execute(uri: "/api/student/home", method: .get, headers: Fixture.headers(cookie: temporary)) { #expect($0.status == .unauthorized, "older sessions end") }
            try await client.execute(uri: "/api/student/home", method: .get, headers: Fixture.headers(cookie: changed)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/student/login", method: .post, headers: Fixture.headers(),
                                     body: Fixture.json(["studentID": "HS1", "password": slips["HS1"]!])) { #expect($0.status == .unauthorized) }
            // Staff cookies are not student cookies, and the other way round.
            try await client.execute(uri: "/api/student/home", method: .get, headers: Fixture.headers(cookie: teacher)) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/api/staff/classes", method: .get, headers: Fixture.headers(cookie: changed)) { #expect($0.status == .unauthorized) }

            // A reset ends the student's sessions and issues a new temporary password.
            fixture.clock.set(fixture.clock.now.addingTimeInterval(1))
            try await client.execute(uri: "/api/staff/classes/\(classID)/students/HS9/reset-password", method: .post, headers: Fixture.headers(cookie: teacher)) {
                #expect($0.status == .notFound, "HS9 is in another class")
            }
            let reset = try await client.execute(uri: "/api/staff/classes/\(classID)/students/HS1/reset-password", method: .post, headers: Fixture.headers(cookie: teacher)) {
                try #require(Fixture.object($0.body)["password"] as? String)
            }
            try await client.execute(uri: "/api/student/home", method: .get, headers: Fixture.headers(cookie: changed)) { #expect($0.status == .unauthorized) }
            _ = try await Self.student(client, fixture, "HS1", temporary: reset, password: "an-67890")
            // Sign out everywhere.
            fixture.clock.set(fixture.clock.now.addingTimeInterval(1))
            let again = try await client.execute(uri: "/api/student/login", method: .post, headers: Fixture.headers(),
                                                 body: Fixture.json(["studentID": "HS3", "password": "cuong-123"])) { try Self.cookie($0) }
            fixture.clock.set(fixture.clock.now.addingTimeInterval(1))
            try await client.execute(uri: "/api/student/logout-all", method: .post, headers: Fixture.headers(cookie: again)) { #expect($0.status == .noContent) }
            for cookie in [joined, again] {
                try await client.execute(uri: "/api/student/me", method: .get, headers: Fixture.headers(cookie: cookie)) { #expect($0.status == .unauthorized) }
            }
            let detail = try await client.execute(uri: "/api/staff/classes/\(classID)", method: .get, headers: Fixture.headers(cookie: teacher)) { Fixture.object($0.body) }
            let accounts = Dictionary(uniqueKeysWithValues: (detail["students"] as? [[String: Any]] ?? []).map { ($0["studentID"] as! String, $0["account"] as! String) })
            #expect(accounts == ["HS1": "active", "HS2": "temporary", "HS3": "active"])
            let audited = try await fixture.database.makeStore().audit.entries(AuditQuery()).map(\.action)
            #expect(audited.filter { $0 == "student.password" }.count >= 3 && audited.contains("class.joinCode") && audited.contains("student.join"))
        }
    }

    @Test("an assignment: own papers through the lab's answer path, two attempts the highest counts, late marked, the window enforced, the class table, push to ĐĐGtx 1; boundaries")
    func assignment() async throws {
        let fixture = try Self.fixture()
        try await fixture.app().test(.router) { client in
            let teacher = try await fixture.staffLogin(client, "giaovien"), other = try await fixture.staffLogin(client, "giaovien2")
            let coordinator = try await fixture.staffLogin(client, "dieuphoi")
            let classID = try await Self.makeClass(client, teacher, name: "12A", students: [("HS1", "Nguyễn Văn An", nil), ("HS2", "Trần Thị Bình", nil)])
            let otherClass = try await Self.makeClass(client, other, name: "12B", students: [("HS9", "Phạm Duy", nil)])
            let slips = try await Self.slips(client, teacher, classID: classID)
            let otherSlips = try await Self.slips(client, other, classID: otherClass)
            let opens = fixture.clock.now
            let body: [String: Any] = ["title": "Bài tập 1", "classes": [classID], "bank": "Làm quen — các dạng câu hỏi", "blueprint": Self.blueprint,
                                       "opensAt": Self.iso(opens), "closesAt": Self.iso(opens.addingTimeInterval(3600)), "lateUntil": Self.iso(opens.addingTimeInterval(7200)),
                                       "timeLimitMinutes": 10, "attempts": 2, "counting": "highest", "review": "key", "reviewAfter": "submit"]
            var forOther = body; forOther["classes"] = [otherClass]
            try await client.execute(uri: "/api/staff/assignments", method: .post, headers: Fixture.headers(cookie: teacher), body: Fixture.json(forOther)) {
                #expect($0.status == .forbidden, "not a class of this teacher")
            }
            var backwards = body; backwards["closesAt"] = Self.iso(opens.addingTimeInterval(-60))
            try await client.execute(uri: "/api/staff/assignments", method: .post, headers: Fixture.headers(cookie: teacher), body: Fixture.json(backwards)) { #expect($0.status == .badRequest) }
            let assignment = try await client.execute(uri: "/api/staff/assignments", method: .post, headers: Fixture.headers(cookie: teacher), body: Fixture.json(body)) { response in
                #expect(response.status == .created, "\(String(buffer: response.body))")
                return try #require(Fixture.object(response.body)["id"] as? Int)
            }
            // Not on the lab's lists.
            try await client.execute(uri: "/api/staff/exams", method: .get, headers: Fixture.headers(cookie: coordinator)) { response in
                #expect(!String(buffer: response.body).contains("Bài tập 1"))
            }
            let a = try await Self.student(client, fixture, "HS1", temporary: slips["HS1"]!)
            let b = try await Self.student(client, fixture, "HS2", temporary: slips["HS2"]!)
            let stranger = try await Self.student(client, fixture, "HS9", temporary: otherSlips["HS9"]!)
            try await client.execute(uri: "/api/student/assignments/\(assignment)/start", method: .post, headers: Fixture.headers(cookie: stranger)) {
                #expect($0.status == .notFound, "a student of another class")
            }
            let home = try await client.execute(uri: "/api/student/home", method: .get, headers: Fixture.headers(cookie: stranger)) { Fixture.object($0.body) }
            #expect((home["assignments"] as? [Any])?.isEmpty == true)

            /// One attempt through the test page's own routes: start, answer every single-choice item "A", submit.
            func attempt(_ student: String, number: Int) async throws -> [String: Any] {
                let candidate = try await client.execute(uri: "/api/student/assignments/\(assignment)/start", method: .post, headers: Fixture.headers(cookie: student)) { response in
                    #expect(response.status == .ok, "\(String(buffer: response.body))")
                    #expect((Fixture.object(response.body)["sbd"] as? String)?.hasSuffix("-\(number)") == true)
                    return try Self.cookie(response)
                }
                let started = try await fixture.start(client, cookie: candidate)
                let token = try #require(started["deviceToken"] as? String)
                let parts = (started["paper"] as? [String: Any])?["parts"] as? [[String: Any]] ?? []
                let keys = parts.flatMap { ($0["items"] as? [[String: Any]] ?? []).filter { ($0["kind"] as? String) == "single-choice" }.compactMap { $0["key"] as? String } }
                #expect(!keys.isEmpty)
                try await client.execute(uri: "/api/attempt/events", method: .post, headers: Fixture.headers(cookie: candidate), body: Fixture.json([
                    "deviceToken": token, "events": keys.enumerated().map { ["sequence": $0.offset + 1, "item": $0.element, "value": number == 1 ? "A" : "B"] },
                ])) { #expect($0.status == .ok, "\(String(buffer: $0.body))") }
                try await client.execute(uri: "/api/attempt/submit", method: .post, headers: Fixture.headers(cookie: candidate), body: Fixture.json(["deviceToken": token])) {
                    #expect($0.status == .ok)
                }
                return try await client.execute(uri: "/api/attempt/result", method: .get, headers: Fixture.headers(cookie: candidate)) { Fixture.object($0.body) }
            }
            let first = try await attempt(a, number: 1)
            #expect(first["released"] as? Bool == true && first["review"] as? String == "key")
            #expect((first["items"] as? [[String: Any]])?.contains { $0["keyText"] != nil } == true, "the key and lời giải at once")
            _ = try await attempt(a, number: 2)
            try await client.execute(uri: "/api/student/assignments/\(assignment)/start", method: .post, headers: Fixture.headers(cookie: a)) { #expect($0.status == .badRequest, "two attempts used") }

            // After the window's end, before the late limit: taken and marked late.
            fixture.clock.set(opens.addingTimeInterval(5400))
            _ = try await attempt(b, number: 1)
            fixture.clock.set(opens.addingTimeInterval(7300))
            let lateHome = try await client.execute(uri: "/api/student/home", method: .get, headers: Fixture.headers(cookie: b)) { Fixture.object($0.body) }
            let mine = try #require((lateHome["assignments"] as? [[String: Any]])?.first)
            #expect(mine["state"] as? String == "done" && mine["canStart"] as? Bool == false)
            #expect(((mine["attempts"] as? [[String: Any]])?.first?["late"] as? Bool) == true)
            try await client.execute(uri: "/api/student/assignments/\(assignment)/start", method: .post, headers: Fixture.headers(cookie: b)) { #expect($0.status == .badRequest, "closed") }
            try await client.execute(uri: "/api/student/assignments/\(assignment)/attempts/1/review", method: .post, headers: Fixture.headers(cookie: b)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/student/assignments/\(assignment)/attempts/2/review", method: .post, headers: Fixture.headers(cookie: b)) { #expect($0.status == .notFound) }

            // The class table: a teacher of the class and coordinators; not another teacher.
            for (cookie, status) in [(teacher, HTTPResponse.Status.ok), (coordinator, .ok), (other, .forbidden)] {
                try await client.execute(uri: "/api/staff/assignments/\(assignment)", method: .get, headers: Fixture.headers(cookie: cookie)) { #expect($0.status == status) }
            }
            let table = try await client.execute(uri: "/api/staff/assignments/\(assignment)", method: .get, headers: Fixture.headers(cookie: teacher)) { Fixture.object($0.body) }
            let lines = Dictionary(uniqueKeysWithValues: (table["lines"] as? [[String: Any]] ?? []).map { ($0["studentID"] as! String, $0) })
            #expect(lines["HS1"]?["state"] as? String == "submitted" && lines["HS2"]?["state"] as? String == "late")
            let scores = ((lines["HS1"]?["attempts"] as? [[String: Any]]) ?? []).compactMap { Points(parsing: "\($0["score"] ?? "")") }
            #expect(scores.count == 2)
            #expect(Points(parsing: "\(lines["HS1"]?["counted"] ?? "")") == scores.max(), "the highest counts")
            #expect(!(table["facility"] as? [Any] ?? []).isEmpty)

            // Into the gradebook as ĐĐGtx 1: the class's teacher (a dry run first), not another teacher.
            try await client.execute(uri: "/api/staff/gradebook/subjects/To%C3%A1n", method: .put, headers: Fixture.headers(cookie: coordinator),
                                     body: Fixture.json(["periodsPerYear": 105])) { #expect($0.status == .ok) }
            let push: [String: Any] = ["subject": "Toán", "semester": 1, "slot": "tx1"]
            try await client.execute(uri: "/api/staff/assignments/\(assignment)/push", method: .post, headers: Fixture.headers(cookie: other), body: Fixture.json(push)) {
                #expect($0.status == .forbidden)
            }
            var commit = push; commit["commit"] = true
            let pushed = try await client.execute(uri: "/api/staff/assignments/\(assignment)/push", method: .post, headers: Fixture.headers(cookie: teacher), body: Fixture.json(commit)) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                return (Fixture.object(response.body)["pushes"] as? [[String: Any]])?.first ?? [:]
            }
            #expect(pushed["written"] as? Int == 2 && pushed["year"] as? String == Self.year)
            let sheet = try await client.execute(uri: "/api/staff/gradebook/sheet" + GradebookAPITests.query(["year": Self.year, "class": "12A", "subject": "Toán"]), method: .get,
                                                 headers: Fixture.headers(cookie: coordinator)) { Fixture.object($0.body) }
            let row = try #require((sheet["rows"] as? [[String: Any]])?.first { ($0["studentID"] as? String) == "HS1" })
            let recorded = ((row["semesters"] as? [[String: Any]])?.first?["slots"] as? [String: String])?["tx1"]
            #expect(recorded == RecordedScore(recording: scores.max()!)!.formatted(decimalMark: ","))
            // One student across the class's assignments.
            try await client.execute(uri: "/api/staff/classes/\(classID)/students/HS1", method: .get, headers: Fixture.headers(cookie: teacher)) { response in
                #expect(response.status == .ok)
                #expect((Fixture.object(response.body)["items"] as? [Any])?.count == 1)
            }
            try await client.execute(uri: "/api/staff/classes/\(classID)/students/HS1", method: .get, headers: Fixture.headers(cookie: other)) { #expect($0.status == .forbidden) }
        }
    }

    @Test("review after the window closes: no score until then; practice: drawn without keys, scored against what was shown, history by topic; another class cannot")
    func reviewLaterAndPractice() async throws {
        let fixture = try Self.fixture()
        try await fixture.app().test(.router) { client in
            let teacher = try await fixture.staffLogin(client, "giaovien"), other = try await fixture.staffLogin(client, "giaovien2")
            let classID = try await Self.makeClass(client, teacher, name: "12A", students: [("HS1", "Nguyễn Văn An", nil)])
            let otherClass = try await Self.makeClass(client, other, name: "12B", students: [("HS9", "Phạm Duy", nil)])
            let a = try await Self.student(client, fixture, "HS1", temporary: try await Self.slips(client, teacher, classID: classID)["HS1"]!)
            let stranger = try await Self.student(client, fixture, "HS9", temporary: try await Self.slips(client, other, classID: otherClass)["HS9"]!)
            let opens = fixture.clock.now
            let assignment = try await client.execute(uri: "/api/staff/assignments", method: .post, headers: Fixture.headers(cookie: teacher), body: Fixture.json([
                "title": "Bài tập sau hạn", "classes": [classID], "bank": "Làm quen — các dạng câu hỏi", "blueprint": Self.blueprint, "opensAt": Self.iso(opens),
                "closesAt": Self.iso(opens.addingTimeInterval(3600)), "attempts": 0, "ownPapers": false, "review": "answers", "reviewAfter": "close",
            ])) { try #require(Fixture.object($0.body)["id"] as? Int) }
            let candidate = try await client.execute(uri: "/api/student/assignments/\(assignment)/start", method: .post, headers: Fixture.headers(cookie: a)) { try Self.cookie($0) }
            let started = try await fixture.start(client, cookie: candidate)
            try await client.execute(uri: "/api/attempt/submit", method: .post, headers: Fixture.headers(cookie: candidate),
                                     body: Fixture.json(["deviceToken": started["deviceToken"] as! String])) { response in
                #expect(Fixture.object(response.body)["resultsLater"] as? Bool == true)
            }
            try await client.execute(uri: "/api/attempt/result", method: .get, headers: Fixture.headers(cookie: candidate)) { #expect(Fixture.object($0.body)["released"] as? Bool == false) }
            let during = try await client.execute(uri: "/api/student/home", method: .get, headers: Fixture.headers(cookie: a)) { Fixture.object($0.body) }
            let item = try #require((during["assignments"] as? [[String: Any]])?.first)
            #expect(item["counted"] == nil && item["canStart"] as? Bool == true, "unlimited attempts; no score yet")
            fixture.clock.set(opens.addingTimeInterval(3700))
            try await client.execute(uri: "/api/attempt/result", method: .get, headers: Fixture.headers(cookie: candidate)) { response in
                let result = Fixture.object(response.body)
                #expect(result["released"] as? Bool == true && result["review"] as? String == "answers")
            }

            // Practice on one topic of the bank, for 12A only.
            try await client.execute(uri: "/api/staff/practice", method: .post, headers: Fixture.headers(cookie: other),
                                     body: Fixture.json(["classID": classID, "bank": "Làm quen — các dạng câu hỏi"])) { #expect($0.status == .forbidden) }
            let practice = try await client.execute(uri: "/api/staff/practice", method: .post, headers: Fixture.headers(cookie: teacher),
                                                    body: Fixture.json(["classID": classID, "bank": "Làm quen — các dạng câu hỏi"])) { response in
                #expect(response.status == .created, "\(String(buffer: response.body))")
                return try #require(Fixture.object(response.body)["id"] as? Int)
            }
            try await client.execute(uri: "/api/student/practice/\(practice)/draw", method: .post, headers: Fixture.headers(cookie: stranger), body: Fixture.json(["count": 3])) {
                #expect($0.status == .notFound)
            }
            let drawn = try await client.execute(uri: "/api/student/practice/\(practice)/draw", method: .post, headers: Fixture.headers(cookie: a), body: Fixture.json(["count": 50])) {
                Fixture.object($0.body)["items"] as? [[String: Any]] ?? []
            }
            #expect(!drawn.isEmpty && !drawn.contains { ($0["item"] as? [String: Any])?["kind"] as? String == "essay" })
            #expect(!String(describing: drawn).contains("explanation"), "no key or lời giải before the answer")
            let choice = try #require(drawn.first { ($0["item"] as? [String: Any])?["kind"] as? String == "single-choice" })
            let options = ((choice["item"] as? [String: Any])?["options"] as? [String])?.count ?? 0
            // Every option tried: exactly one is right, as the student saw them.
            var verdicts: [Bool] = []
            for index in 0..<options {
                let letter = String(UnicodeScalar(UInt8(65 + index)))
                let outcome = try await client.execute(uri: "/api/student/practice/\(practice)/answer", method: .post, headers: Fixture.headers(cookie: a),
                                                       body: Fixture.json(["questionID": choice["questionID"]!, "response": letter])) { response in
                    #expect(response.status == .ok, "\(String(buffer: response.body))")
                    return Fixture.object(response.body)
                }
                #expect(outcome["keyText"] as? String != nil)
                verdicts.append(outcome["correct"] as? Bool == true)
            }
            #expect(verdicts.filter { $0 }.count == 1)
            let after = try await client.execute(uri: "/api/student/home", method: .get, headers: Fixture.headers(cookie: a)) { Fixture.object($0.body) }
            let progress = try #require((after["progress"] as? [[String: Any]])?.first)
            #expect(progress["answered"] as? Int == options && progress["correct"] as? Int == 1)
            try await client.execute(uri: "/api/staff/practice/\(practice)", method: .delete, headers: Fixture.headers(cookie: other)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/api/staff/practice/\(practice)", method: .delete, headers: Fixture.headers(cookie: teacher)) { #expect($0.status == .noContent) }
            try await client.execute(uri: "/api/student/practice/\(practice)/draw", method: .post, headers: Fixture.headers(cookie: a), body: Fixture.json(["count": 3])) {
                #expect($0.status == .notFound, "closed")
            }
        }
    }

    @Test("a fixed set of questions: every paper holds exactly them (own order), on the 10-point scale; an unknown id is named")
    func fixedSet() async throws {
        let fixture = try Self.fixture()
        try await fixture.app().test(.router) { client in
            let teacher = try await fixture.staffLogin(client, "giaovien")
            let classID = try await Self.makeClass(client, teacher, name: "12A", students: [("HS1", "Nguyễn Văn An", nil), ("HS2", "Trần Thị Bình", nil)])
            let slips = try await Self.slips(client, teacher, classID: classID)
            let opens = fixture.clock.now
            var body: [String: Any] = ["title": "Ba câu", "classes": [classID], "bank": "Làm quen — các dạng câu hỏi", "questions": ["lq-chon-1", "lq-so-2", "khong-co"],
                                       "opensAt": Self.iso(opens), "closesAt": Self.iso(opens.addingTimeInterval(3600))]
            try await client.execute(uri: "/api/staff/assignments", method: .post, headers: Fixture.headers(cookie: teacher), body: Fixture.json(body)) { response in
                #expect(response.status == .badRequest)
                #expect(((Fixture.object(response.body)["error"] as? [String: Any])?["problems"] as? [String]) == ["khong-co"])
            }
            body["questions"] = ["lq-chon-1", "lq-so-2", "lq-ds-1"]
            let assignment = try await client.execute(uri: "/api/staff/assignments", method: .post, headers: Fixture.headers(cookie: teacher), body: Fixture.json(body)) { response in
                #expect(response.status == .created, "\(String(buffer: response.body))")
                #expect(Fixture.object(response.body)["questions"] as? Int == 3)
                return try #require(Fixture.object(response.body)["id"] as? Int)
            }
            for id in ["HS1", "HS2"] {
                let student = try await Self.student(client, fixture, id, temporary: slips[id]!)
                let candidate = try await client.execute(uri: "/api/student/assignments/\(assignment)/start", method: .post, headers: Fixture.headers(cookie: student)) { try Self.cookie($0) }
                let started = try await fixture.start(client, cookie: candidate)
                let items = ((started["paper"] as? [String: Any])?["parts"] as? [[String: Any]] ?? []).flatMap { $0["items"] as? [[String: Any]] ?? [] }
                #expect(Set(items.compactMap { $0["stem"] as? String }) == ["Giá trị của $\\sqrt{16} + 2^3$ bằng bao nhiêu?",
                                                                           "Một hình chữ nhật có chiều dài $7$ cm và chiều rộng $3$ cm. Tính chu vi (cm).",
                                                                           "Cho hàm số $f(x) = x^2 - 4x + 3$."])
                // Every answer right: 10 of 10 whatever the points add up to (0.5 + 0.5 + 1).
                var events: [[String: Any]] = []
                for (index, item) in items.enumerated() {
                    let value: Any
                    switch item["kind"] as? String {
                    case "single-choice": value = String(UnicodeScalar(UInt8(65 + ((item["options"] as? [String])?.firstIndex(of: "$12$") ?? 0))))
                    case "numeric": value = "20"
                    default:
                        let statements = item["options"] as? [String] ?? []
                        value = Dictionary(uniqueKeysWithValues: statements.enumerated().map { (String(UnicodeScalar(UInt8(97 + $0.offset))),
                                                                                                 $0.element.contains("f(1) = 0") || $0.element.contains("nhỏ nhất") ? "Đ" : "S") })
                    }
                    events.append(["sequence": index + 1, "item": item["key"]!, "value": value])
                }
                try await client.execute(uri: "/api/attempt/events", method: .post, headers: Fixture.headers(cookie: candidate),
                                         body: Fixture.json(["deviceToken": started["deviceToken"]!, "events": events])) { #expect($0.status == .ok, "\(String(buffer: $0.body))") }
                try await client.execute(uri: "/api/attempt/submit", method: .post, headers: Fixture.headers(cookie: candidate),
                                         body: Fixture.json(["deviceToken": started["deviceToken"]!])) { response in
                    #expect(Points(parsing: "\(Fixture.object(response.body)["score"] ?? "")") == Points(10), "\(String(buffer: response.body))")
                }
            }
        }
    }

    @Test("cookies are Secure behind a trusted HTTPS proxy, not from anyone else")
    func secureCookies() async throws {
        let fixture = try Self.fixture()
        let clock = fixture.clock
        let app = try await buildApplication(database: fixture.database, configuration: ServerConfiguration(trustedProxies: ["127.0.0.1"], now: { clock.now }))
        try await app.test(.live) { client in
            for (proto, secure) in [("https", true), ("http", false)] {
                var headers = Fixture.headers()
                headers[HTTPField.Name("X-Forwarded-Proto")!] = proto
                try await client.execute(uri: "/api/staff/login", method: .post, headers: headers,
                                         body: Fixture.json(["username": "giaovien", "password": "mat-khau-giaovien"])) { response in
                    #expect(response.status == .ok)
                    #expect((response.headers[.setCookie] ?? "").contains("Secure") == secure)
                }
            }
        }
    }
}
