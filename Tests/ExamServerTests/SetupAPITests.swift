import BankFormats
import ExamCore
import ExamServer
import ExamStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Exam setup and staff accounts from the pages")
struct SetupAPITests {
    static func setUp() throws -> (Fixture, String) {
        let fixture = try Fixture()
        let blueprint = try JSONDecoder().decode(Blueprint.self, from: Data(contentsOf: Fixture.root.appendingPathComponent("QuestionBanks/vat-li-12/blueprint.json")))
        try fixture.database.saveBlueprint(blueprint)
        for (name, role) in [("dieuphoi", StaffRole.coordinator), ("giamthi", .proctor), ("giaovien", .teacher), ("quantri", .admin)] {
            try fixture.addStaff(name, role: role)
        }
        return (fixture, blueprint.name)
    }

    static func path(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }

    @Test("a coordinator creates an exam, uploads a class list (bad rows listed, nothing stored), fixes it, prepares it; others may not")
    func createUploadPrepare() async throws {
        let (fixture, blueprint) = try Self.setUp()
        try await fixture.app().test(.router) { client in
            let coordinator = try await fixture.staffLogin(client, "dieuphoi")
            let proctor = try await fixture.staffLogin(client, "giamthi")
            let teacher = try await fixture.staffLogin(client, "giaovien")
            let exam: [String: Any] = [
                "name": "Kiểm tra giữa kỳ Vật lí", "bank": "Vật lí 12", "blueprint": blueprint, "paperMode": "codes", "codes": 4,
                "sessions": [["name": "Ca 1", "opensAt": "2027-03-02T01:30:00Z", "durationMinutes": 50]], "rooms": ["P201", "P202"], "results": "later",
            ]
            for cookie in [proctor, teacher] {
                try await client.execute(uri: "/api/staff/setup/exams", method: .post, headers: Fixture.headers(cookie: cookie), body: Fixture.json(exam)) {
                    #expect($0.status == .forbidden)
                }
                try await client.execute(uri: "/api/staff/setup/exams", method: .get, headers: Fixture.headers(cookie: cookie)) { #expect($0.status == .forbidden) }
            }
            var broken = exam
            broken["sessions"] = [["name": "Ca 1", "opensAt": "mai", "durationMinutes": 50]]
            try await client.execute(uri: "/api/staff/setup/exams", method: .post, headers: Fixture.headers(cookie: coordinator), body: Fixture.json(broken)) { response in
                #expect(response.status == .badRequest)
                #expect((Fixture.object(response.body)["error"] as? [String: Any])?["field"] as? String == "sessions[0].opensAt")
            }
            try await client.execute(uri: "/api/staff/setup/exams", method: .post, headers: Fixture.headers(cookie: coordinator), body: Fixture.json(exam)) { response in
                #expect(response.status == .created)
                let overview = Fixture.object(response.body)
                #expect(overview["state"] as? String == "draft" && overview["rooms"] as? [String] == ["P201", "P202"])
            }
            try await client.execute(uri: "/api/staff/setup/exams", method: .post, headers: Fixture.headers(cookie: coordinator), body: Fixture.json(exam)) {
                #expect($0.status == .conflict)
            }

            let base = "/api/staff/setup/exams/" + Self.path("Kiểm tra giữa kỳ Vật lí")
            let bad = "Mã học sinh,Họ và tên,Ngày sinh,Lớp\nHS1,Nguyễn An,01/02/2009,11A1\n,Trần Bình,03/04/2009,11A1\nHS3,Lê Chi,31/02/2009,11A2\n"
            for name in ["%2E%2E", ".an.csv"] {
                try await client.execute(uri: base + "/class-list/" + name, method: .put, headers: Fixture.headers(cookie: coordinator), body: ByteBuffer(string: bad)) {
                    #expect($0.status == .badRequest, "\(name)")
                }
            }
            try await client.execute(uri: base + "/class-list/lop-11.csv", method: .put, headers: Fixture.headers(cookie: coordinator), body: ByteBuffer(string: bad)) { response in
                #expect(response.status == .unprocessableContent)
                let problems = (Fixture.object(response.body)["error"] as? [String: Any])?["problems"] as? [String] ?? []
                #expect(problems.count == 2)
                #expect(problems.contains { $0.hasPrefix("lop-11.csv:3") } && problems.contains { $0.hasPrefix("lop-11.csv:4") })
            }
            try await client.execute(uri: base, method: .get, headers: Fixture.headers(cookie: coordinator)) { response in
                #expect((Fixture.object(response.body)["candidates"] as? [Any])?.isEmpty == true, "nothing stored from a refused list")
            }
            try await client.execute(uri: base + "/class-list/lop-11.csv", method: .put, headers: Fixture.headers(cookie: proctor), body: ByteBuffer(string: bad)) {
                #expect($0.status == .forbidden)
            }
            let good = "Mã học sinh,Họ và tên,Ngày sinh,Lớp\nHS1,Nguyễn An,01/02/2009,11A1\nHS2,Trần Bình,03/04/2009,11A1\nHS3,Lê Chi,28/02/2009,11A2\nHS4,Phạm Dũng,05/06/2009,11A2\n"
            try await client.execute(uri: base + "/class-list/lop-11.csv", method: .put, headers: Fixture.headers(cookie: coordinator), body: ByteBuffer(string: good)) { response in
                #expect(response.status == .ok)
                #expect(Fixture.object(response.body)["added"] as? Int == 4)
            }
            try await client.execute(uri: base + "/candidates/HS4", method: .delete, headers: Fixture.headers(cookie: coordinator)) { #expect($0.status == .noContent) }
            // One more, typed in: checked like a row of a class list.
            try await client.execute(uri: base + "/candidates", method: .post, headers: Fixture.headers(cookie: coordinator),
                                     body: Fixture.json(["studentID": "HS5", "fullName": "Đỗ Em", "dateOfBirth": "30/02/2009", "className": "11A2"])) { response in
                #expect(response.status == .badRequest)
                #expect(((Fixture.object(response.body)["error"] as? [String: Any])?["problems"] as? [String])?.first?.contains("Ngày sinh") == true)
            }
            try await client.execute(uri: base + "/candidates", method: .post, headers: Fixture.headers(cookie: proctor),
                                     body: Fixture.json(["studentID": "HS5", "fullName": "Đỗ Em"])) { #expect($0.status == .forbidden) }
            try await client.execute(uri: base + "/candidates", method: .post, headers: Fixture.headers(cookie: coordinator),
                                     body: Fixture.json(["studentID": "HS5", "fullName": "Đỗ Em", "dateOfBirth": "01/03/2009", "className": "11A2"])) { response in
                #expect(response.status == .created)
                #expect(Fixture.object(response.body)["total"] as? Int == 4)
            }
            try await client.execute(uri: base + "/prepare", method: .post, headers: Fixture.headers(cookie: proctor)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: base + "/prepare", method: .post, headers: Fixture.headers(cookie: coordinator)) { response in
                #expect(response.status == .ok)
                let slips = Fixture.object(response.body)["slips"] as? [[String: Any]] ?? []
                #expect(slips.count == 4)
                #expect(Set(slips.compactMap { $0["room"] as? String }).isSubset(of: ["P201", "P202"]))
                #expect(slips.allSatisfy { ($0["accessCode"] as? String)?.isEmpty == false })
            }
            try await client.execute(uri: base + "/prepare", method: .post, headers: Fixture.headers(cookie: coordinator)) { #expect($0.status == .conflict) }
            try await client.execute(uri: base + "/class-list/lop-11.csv", method: .put, headers: Fixture.headers(cookie: coordinator), body: ByteBuffer(string: good)) {
                #expect($0.status == .conflict, "a prepared exam's candidates do not change")
            }
            try await client.execute(uri: "/api/staff/exams", method: .get, headers: Fixture.headers(cookie: proctor)) { response in
                #expect(String(buffer: response.body).contains("Kiểm tra giữa kỳ Vật lí"), "a prepared exam reaches the proctors' list")
            }
            // Proctors per room: once assigned, a proctor sees and acts on their room only.
            let examPath = Self.path("Kiểm tra giữa kỳ Vật lí")
            func monitorRooms(_ cookie: String) async throws -> [String] {
                try await client.execute(uri: "/api/staff/exams/\(examPath)/monitor", method: .get, headers: Fixture.headers(cookie: cookie)) { response in
                    ((try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [[String: Any]]) ?? []).compactMap { $0["room"] as? String }
                }
            }
            #expect(Set(try await monitorRooms(proctor)) == ["P201", "P202"], "no assignments: every room")
            try await client.execute(uri: base + "/rooms/P201/proctors", method: .put, headers: Fixture.headers(cookie: proctor),
                                     body: Fixture.json(["usernames": ["giamthi"]])) { #expect($0.status == .forbidden) }
            try await client.execute(uri: base + "/rooms/P201/proctors", method: .put, headers: Fixture.headers(cookie: coordinator),
                                     body: Fixture.json(["usernames": ["giaovien"]])) { #expect($0.status == .badRequest, "a teacher is no proctor") }
            try await client.execute(uri: base + "/rooms/P201/proctors", method: .put, headers: Fixture.headers(cookie: coordinator),
                                     body: Fixture.json(["usernames": ["giamthi"]])) { response in
                #expect(response.status == .ok)
                #expect((Fixture.object(response.body)["proctors"] as? [String: [String]])?["P201"] == ["giamthi"])
            }
            #expect(Set(try await monitorRooms(proctor)) == ["P201"])
            #expect(Set(try await monitorRooms(coordinator)) == ["P201", "P202"])
            let seats = try await client.execute(uri: base, method: .get, headers: Fixture.headers(cookie: coordinator)) { response in
                (Fixture.object(response.body)["candidates"] as? [[String: Any]] ?? []).map { ($0["sbd"] as? String ?? "", $0["room"] as? String ?? "") }
            }
            let mine = try #require(seats.first { $0.1 == "P201" }).0, theirs = try #require(seats.first { $0.1 == "P202" }).0
            let candidates = "/api/staff/exams/\(examPath)/candidates/"
            try await client.execute(uri: candidates + theirs + "/unlock", method: .post, headers: Fixture.headers(cookie: proctor)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: candidates + theirs + "/add-time", method: .post, headers: Fixture.headers(cookie: proctor),
                                     body: Fixture.json(["minutes": 5])) { #expect($0.status == .forbidden) }
            try await client.execute(uri: candidates + theirs + "/absent", method: .post, headers: Fixture.headers(cookie: proctor)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: candidates + mine + "/unlock", method: .post, headers: Fixture.headers(cookie: proctor)) { #expect($0.status == .noContent) }
            try await client.execute(uri: "/api/staff/exams/\(examPath)/rooms/P202/add-time", method: .post, headers: Fixture.headers(cookie: proctor),
                                     body: Fixture.json(["minutes": 5, "reason": "x"])) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/api/staff/exams/\(examPath)/incidents", method: .post, headers: Fixture.headers(cookie: proctor),
                                     body: Fixture.json(["room": "P202", "note": "x"])) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/api/staff/exams/\(examPath)/log", method: .get, headers: Fixture.headers(cookie: proctor)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/api/staff/exams/\(examPath)/log?room=P201", method: .get, headers: Fixture.headers(cookie: proctor)) { #expect($0.status == .ok) }
            try await client.execute(uri: candidates + theirs + "/unlock", method: .post, headers: Fixture.headers(cookie: coordinator)) { #expect($0.status == .noContent) }
            let quantri = try await fixture.staffLogin(client, "quantri")
            try await client.execute(uri: "/api/staff/audit?subject=" + Self.path("exam:Kiểm tra giữa kỳ Vật lí"), method: .get, headers: Fixture.headers(cookie: quantri)) { response in
                let actions = (Fixture.object(response.body)["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
                #expect(actions == ["exam.proctors", "exam.prepare", "exam.candidates", "exam.candidate.remove", "exam.candidates", "exam.create"])
            }
        }
    }

    @Test("a proctor pauses a candidate with a reason (the clock stands, answers wait), then resumes; a teacher may not; audited")
    func pauseAndResume() async throws {
        let (fixture, _) = try Self.setUp()
        try await fixture.app().test(.router) { client in
            let proctor = try await fixture.staffLogin(client, "giamthi")
            let teacher = try await fixture.staffLogin(client, "giaovien")
            let slip = fixture.slips[1]
            let base = "/api/staff/exams/\(fixture.examPath)/candidates/\(slip.sbd)"
            fixture.clock.set(Fixture.at(10))
            let cookie = try await fixture.login(client, slip: slip)
            let token = try #require(try await fixture.start(client, cookie: cookie)["deviceToken"] as? String)
            try await client.execute(uri: base + "/pause", method: .post, headers: Fixture.headers(cookie: teacher), body: Fixture.json(["reason": "x"])) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: base + "/pause", method: .post, headers: Fixture.headers(cookie: proctor), body: Fixture.json(["reason": "  "])) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(uri: base + "/pause", method: .post, headers: Fixture.headers(cookie: proctor), body: Fixture.json(["reason": "Máy treo, đổi máy"])) { response in
                #expect(response.status == .ok)
                #expect(Fixture.object(response.body)["paused"] as? Bool == true)
            }
            fixture.clock.set(Fixture.at(310))
            try await client.execute(uri: "/api/attempt/state?deviceToken=\(token)", method: .get, headers: Fixture.headers(cookie: cookie)) { response in
                let state = Fixture.object(response.body)
                #expect(state["paused"] as? Bool == true)
                #expect(state["remainingSeconds"] as? Int == 2990, "the clock stood still for five minutes")
            }
            try await client.execute(uri: "/api/attempt/events", method: .post, headers: Fixture.headers(cookie: cookie),
                                     body: Fixture.json(["deviceToken": token, "events": [["sequence": 1, "item": "I.1", "value": "A"]]])) { response in
                #expect(response.status == .conflict)
                #expect((Fixture.object(response.body)["error"] as? [String: Any])?["code"] as? String == "paused")
            }
            try await client.execute(uri: base + "/resume", method: .post, headers: Fixture.headers(cookie: proctor), body: Fixture.json(["reason": "Đã đổi máy"])) { response in
                #expect(response.status == .ok)
                #expect(Fixture.object(response.body)["paused"] as? Bool == false)
            }
            try await client.execute(uri: base + "/resume", method: .post, headers: Fixture.headers(cookie: proctor), body: Fixture.json(["reason": "lần nữa"])) {
                #expect($0.status == .conflict)
            }
            // Vắng: only a candidate who has not started; present again undoes it.
            let other = fixture.slips[2].sbd
            try await client.execute(uri: "/api/staff/exams/\(fixture.examPath)/candidates/\(other)/absent", method: .post, headers: Fixture.headers(cookie: proctor),
                                     body: Fixture.json(["reason": "ốm, có giấy xin phép"])) { #expect($0.status == .noContent) }
            try await client.execute(uri: base + "/absent", method: .post, headers: Fixture.headers(cookie: proctor)) { response in
                #expect(response.status == .conflict)
                #expect((Fixture.object(response.body)["error"] as? [String: Any])?["code"] as? String == "alreadyStarted")
            }
            try await client.execute(uri: "/api/staff/exams/\(fixture.examPath)/monitor", method: .get, headers: Fixture.headers(cookie: proctor)) { response in
                let rows = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [[String: Any]] ?? []
                #expect(rows.first { $0["sbd"] as? String == other }?["absent"] as? Bool == true)
                #expect(rows.first { $0["sbd"] as? String == slip.sbd }?["absent"] as? Bool == false)
            }
            try await client.execute(uri: "/api/staff/exams/\(fixture.examPath)/candidates/\(other)/present", method: .post, headers: Fixture.headers(cookie: proctor)) {
                #expect($0.status == .noContent)
            }
            try await client.execute(uri: "/api/staff/exams/\(fixture.examPath)/monitor", method: .get, headers: Fixture.headers(cookie: proctor)) { response in
                let rows = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [[String: Any]] ?? []
                #expect(rows.first { $0["sbd"] as? String == other }?["absent"] as? Bool == false)
            }
            // A whole room: only candidates still working get the minutes, each audited.
            let room = "/api/staff/exams/\(fixture.examPath)/rooms/P101/add-time"
            try await client.execute(uri: room, method: .post, headers: Fixture.headers(cookie: teacher), body: Fixture.json(["minutes": 5, "reason": "x"])) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: room, method: .post, headers: Fixture.headers(cookie: proctor), body: Fixture.json(["minutes": 5])) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/api/staff/exams/\(fixture.examPath)/rooms/P999/add-time", method: .post, headers: Fixture.headers(cookie: proctor),
                                     body: Fixture.json(["minutes": 5, "reason": "x"])) { #expect($0.status == .notFound) }
            try await client.execute(uri: room, method: .post, headers: Fixture.headers(cookie: proctor), body: Fixture.json(["minutes": 5, "reason": "Mất điện"])) { response in
                #expect(response.status == .ok)
                #expect(Fixture.object(response.body)["candidates"] as? [String] == [slip.sbd])
            }
            try await client.execute(uri: "/api/attempt/state?deviceToken=\(token)", method: .get, headers: Fixture.headers(cookie: cookie)) { response in
                #expect(Fixture.object(response.body)["remainingSeconds"] as? Int == 2990 + 300)
            }
            // Biên bản on a candidate and on the room; the room's log in time order holds every action and note.
            let incidents = "/api/staff/exams/\(fixture.examPath)/incidents"
            try await client.execute(uri: incidents, method: .post, headers: Fixture.headers(cookie: teacher), body: Fixture.json(["room": "P101", "note": "x"])) {
                #expect($0.status == .forbidden)
            }
            for bad in [["room": "P101", "note": "  "], ["note": "không nói phòng nào"]] as [[String: Any]] {
                try await client.execute(uri: incidents, method: .post, headers: Fixture.headers(cookie: proctor), body: Fixture.json(bad)) { #expect($0.status == .badRequest) }
            }
            try await client.execute(uri: incidents, method: .post, headers: Fixture.headers(cookie: proctor), body: Fixture.json(["sbd": "9999", "note": "x"])) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: incidents, method: .post, headers: Fixture.headers(cookie: proctor),
                                     body: Fixture.json(["sbd": slip.sbd, "note": "Thí sinh xin đổi máy do máy treo"])) { #expect($0.status == .created) }
            try await client.execute(uri: incidents, method: .post, headers: Fixture.headers(cookie: proctor),
                                     body: Fixture.json(["room": "P101", "note": "Mất điện 5 phút lúc 8:10"])) { #expect($0.status == .created) }
            try await client.execute(uri: "/api/staff/exams/\(fixture.examPath)/log?room=P101", method: .get, headers: Fixture.headers(cookie: proctor)) { response in
                let entries = Fixture.object(response.body)["items"] as? [[String: Any]] ?? []
                let actions = entries.compactMap { $0["action"] as? String }
                #expect(Array(actions.prefix(2)) == ["pause", "resume"])
                #expect(Array(actions.suffix(2)) == ["incident", "incident"])
                #expect(entries.last?["reason"] as? String == "Mất điện 5 phút lúc 8:10")
            }
            try await client.execute(uri: "/api/staff/exams/khong-co/log", method: .get, headers: Fixture.headers(cookie: proctor)) { #expect($0.status == .notFound) }
            let admin = try await fixture.staffLogin(client, "quantri")
            try await client.execute(uri: "/api/staff/audit?action=", method: .get, headers: Fixture.headers(cookie: admin)) { response in
                let entries = Fixture.object(response.body)["items"] as? [[String: Any]] ?? []
                let mine = entries.filter { $0["sbd"] as? String == slip.sbd }
                #expect(mine.compactMap { $0["action"] as? String } == ["incident", "addTime", "resume", "pause"])
                #expect(mine.last?["reason"] as? String == "Máy treo, đổi máy" && mine.last?["actor"] as? String == "giamthi")
            }
        }
    }

    @Test("a proctor reopens a mistaken submit (its grade cleared) and collects an attempt now (graded); reasons required; others may not")
    func reopenAndForceSubmit() async throws {
        let (fixture, _) = try Self.setUp()
        try await fixture.app().test(.router) { client in
            let proctor = try await fixture.staffLogin(client, "giamthi")
            let teacher = try await fixture.staffLogin(client, "giaovien")
            let slip = fixture.slips[3]
            let base = "/api/staff/exams/\(fixture.examPath)/candidates/\(slip.sbd)"
            fixture.clock.set(Fixture.at(10))
            let cookie = try await fixture.login(client, slip: slip)
            let token = try #require(try await fixture.start(client, cookie: cookie)["deviceToken"] as? String)
            try await client.execute(uri: base + "/reopen", method: .post, headers: Fixture.headers(cookie: proctor), body: Fixture.json(["reason": "x"])) {
                #expect($0.status == .conflict, "not submitted yet")
            }
            try await client.execute(uri: "/api/attempt/submit", method: .post, headers: Fixture.headers(cookie: cookie), body: Fixture.json(["deviceToken": token])) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: base + "/reopen", method: .post, headers: Fixture.headers(cookie: teacher), body: Fixture.json(["reason": "x"])) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: base + "/reopen", method: .post, headers: Fixture.headers(cookie: proctor), body: Fixture.json(["reason": ""])) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(uri: base + "/reopen", method: .post, headers: Fixture.headers(cookie: proctor), body: Fixture.json(["reason": "Bấm nộp nhầm"])) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/api/staff/exams/\(fixture.examPath)/monitor", method: .get, headers: Fixture.headers(cookie: proctor)) { response in
                let rows = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [[String: Any]] ?? []
                let row = rows.first { $0["sbd"] as? String == slip.sbd }
                #expect(row?["state"] as? String == "in-progress" && row?["score"] == nil)
            }
            // Working again: an answer is taken.
            try await client.execute(uri: "/api/attempt/events", method: .post, headers: Fixture.headers(cookie: cookie),
                                     body: Fixture.json(["deviceToken": token, "events": [["sequence": 1, "item": "I.1", "value": "A"]]])) { #expect($0.status == .ok) }
            try await client.execute(uri: base + "/force-submit", method: .post, headers: Fixture.headers(cookie: proctor), body: Fixture.json(["reason": "Sử dụng tài liệu"])) { response in
                #expect(response.status == .ok)
                #expect(Fixture.object(response.body)["submitted"] as? Bool == true)
                #expect(Fixture.object(response.body)["score"] != nil)
            }
            try await client.execute(uri: "/api/attempt/events", method: .post, headers: Fixture.headers(cookie: cookie),
                                     body: Fixture.json(["deviceToken": token, "events": [["sequence": 2, "item": "I.1", "value": "B"]]])) { response in
                #expect(response.status == .conflict)
                #expect((Fixture.object(response.body)["error"] as? [String: Any])?["code"] as? String == "alreadySubmitted")
            }
            try await client.execute(uri: base + "/force-submit", method: .post, headers: Fixture.headers(cookie: proctor), body: Fixture.json(["reason": "lần nữa"])) {
                #expect($0.status == .conflict)
            }
            // Past the deadline a submit cannot be reopened.
            fixture.clock.set(Fixture.at(3100))
            try await client.execute(uri: base + "/reopen", method: .post, headers: Fixture.headers(cookie: proctor), body: Fixture.json(["reason": "muộn"])) { response in
                #expect(response.status == .conflict)
                #expect((Fixture.object(response.body)["error"] as? [String: Any])?["code"] as? String == "sessionOver")
            }
        }
    }

    @Test("an exam whose moves need a proctor: a second computer waits (409 moveNeedsProctor) until a proctor allows it, once; every takeover is logged")
    func movesNeedAProctor() async throws {
        let (fixture, blueprint) = try Self.setUp()
        try await fixture.app().test(.router) { client in
            let coordinator = try await fixture.staffLogin(client, "dieuphoi")
            let proctor = try await fixture.staffLogin(client, "giamthi")
            let name = "Chuyển máy có giám thị"
            let exam: [String: Any] = [
                "name": name, "bank": "Vật lí 12", "blueprint": blueprint, "codes": 2, "takeover": "proctor", "results": "immediate",
                "sessions": [["name": "Ca 1", "opensAt": ISO8601DateFormatter().string(from: Fixture.opens), "durationMinutes": 50]], "rooms": ["P301"],
            ]
            try await client.execute(uri: "/api/staff/setup/exams", method: .post, headers: Fixture.headers(cookie: coordinator), body: Fixture.json(exam)) { response in
                #expect(response.status == .created)
                #expect(Fixture.object(response.body)["takeover"] as? String == "proctor")
            }
            let base = "/api/staff/setup/exams/" + Self.path(name)
            let list = "Mã học sinh,Họ và tên,Ngày sinh,Lớp\nHS1,Nguyễn An,01/02/2009,11A\n"
            try await client.execute(uri: base + "/class-list/a.csv", method: .put, headers: Fixture.headers(cookie: coordinator), body: ByteBuffer(string: list)) {
                #expect($0.status == .ok)
            }
            let slip = try await client.execute(uri: base + "/prepare", method: .post, headers: Fixture.headers(cookie: coordinator)) { response in
                try #require((Fixture.object(response.body)["slips"] as? [[String: Any]])?.first)
            }
            let sbd = try #require(slip["sbd"] as? String), code = try #require(slip["accessCode"] as? String)
            func login() async throws -> String {
                try await client.execute(uri: "/api/login", method: .post, headers: Fixture.headers(), body: Fixture.json(["exam": name, "sbd": sbd, "accessCode": code])) { response in
                    #expect(response.status == .ok)
                    return String(try #require(response.headers[.setCookie]).split(separator: ";")[0])
                }
            }
            fixture.clock.set(Fixture.at(10))
            let first = try await login()
            _ = try await fixture.start(client, cookie: first)
            fixture.clock.set(Fixture.at(20))
            let second = try await login()
            try await client.execute(uri: "/api/attempt/start", method: .post, headers: Fixture.headers(cookie: second)) { response in
                #expect(response.status == .conflict)
                #expect((Fixture.object(response.body)["error"] as? [String: Any])?["code"] as? String == "moveNeedsProctor")
            }
            let allow = "/api/staff/exams/\(Self.path(name))/candidates/\(sbd)/allow-move"
            try await client.execute(uri: allow, method: .post, headers: Fixture.headers(cookie: proctor), body: Fixture.json(["reason": ""])) { #expect($0.status == .badRequest) }
            try await client.execute(uri: allow, method: .post, headers: Fixture.headers(cookie: proctor), body: Fixture.json(["reason": "Máy 12 hỏng"])) { #expect($0.status == .ok) }
            _ = try await fixture.start(client, cookie: second)
            // The permission is used up: a third computer waits again.
            fixture.clock.set(Fixture.at(30))
            let third = try await login()
            try await client.execute(uri: "/api/attempt/start", method: .post, headers: Fixture.headers(cookie: third)) { #expect($0.status == .conflict) }
            try await client.execute(uri: "/api/staff/exams/\(Self.path(name))/log?room=P301", method: .get, headers: Fixture.headers(cookie: proctor)) { response in
                let actions = (Fixture.object(response.body)["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
                #expect(actions == ["allowMove", "takeover"])
            }
        }
    }

    @Test("admins add, disable and re-password staff (the member's sessions end at once); nobody else may")
    func accounts() async throws {
        let (fixture, _) = try Self.setUp()
        try await fixture.app().test(.router) { client in
            let admin = try await fixture.staffLogin(client, "quantri")
            let coordinator = try await fixture.staffLogin(client, "dieuphoi")
            try await client.execute(uri: "/api/staff/accounts", method: .get, headers: Fixture.headers(cookie: coordinator)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/api/staff/accounts", method: .post, headers: Fixture.headers(cookie: coordinator),
                                     body: Fixture.json(["username": "gv2", "fullName": "Cô Hoa", "role": "teacher"])) { #expect($0.status == .forbidden) }
            let password = try await client.execute(uri: "/api/staff/accounts", method: .post, headers: Fixture.headers(cookie: admin),
                                                    body: Fixture.json(["username": "gv2", "fullName": "Cô Hoa", "role": "teacher"])) { response in
                #expect(response.status == .created)
                return try #require(Fixture.object(response.body)["password"] as? String)
            }
            try await client.execute(uri: "/api/staff/accounts", method: .post, headers: Fixture.headers(cookie: admin),
                                     body: Fixture.json(["username": "gv2", "fullName": "Cô Hoa", "role": "teacher"])) { #expect($0.status == .conflict) }
            try await client.execute(uri: "/api/staff/accounts", method: .post, headers: Fixture.headers(cookie: admin),
                                     body: Fixture.json(["username": "x", "fullName": "X", "role": "hieu-truong"])) { #expect($0.status == .badRequest) }
            let hoa = try await client.execute(uri: "/api/staff/login", method: .post, headers: Fixture.headers(),
                                               body: Fixture.json(["username": "gv2", "password": password])) { response in
                #expect(response.status == .ok)
                return String(try #require(response.headers[.setCookie]).split(separator: ";")[0])
            }
            try await client.execute(uri: "/api/staff/me", method: .get, headers: Fixture.headers(cookie: hoa)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/staff/accounts/gv2/disable", method: .post, headers: Fixture.headers(cookie: admin)) { #expect($0.status == .noContent) }
            try await client.execute(uri: "/api/staff/me", method: .get, headers: Fixture.headers(cookie: hoa)) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/api/staff/accounts/quantri/disable", method: .post, headers: Fixture.headers(cookie: admin)) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/api/staff/accounts/gv2/enable", method: .post, headers: Fixture.headers(cookie: admin)) { #expect($0.status == .noContent) }
            let renewed = try await client.execute(uri: "/api/staff/accounts/gv2/password", method: .post, headers: Fixture.headers(cookie: admin)) { response in
                #expect(response.status == .ok)
                return try #require(Fixture.object(response.body)["password"] as? String)
            }
            #expect(renewed != password)
            try await client.execute(uri: "/api/staff/login", method: .post, headers: Fixture.headers(),
                                     body: Fixture.json(["username": "gv2", "password": password])) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/api/staff/accounts/khong-co/password", method: .post, headers: Fixture.headers(cookie: admin)) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/staff/accounts", method: .get, headers: Fixture.headers(cookie: admin)) { response in
                let items = Fixture.object(response.body)["items"] as? [[String: Any]] ?? []
                #expect(items.first { $0["username"] as? String == "gv2" }?["disabled"] as? Bool == false)
            }
            try await client.execute(uri: "/api/staff/audit?subject=" + Self.path("staff:gv2"), method: .get, headers: Fixture.headers(cookie: admin)) { response in
                let actions = (Fixture.object(response.body)["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
                #expect(actions == ["staff.password", "staff.enable", "staff.disable", "staff.add"])
            }
        }
    }
}

@Suite("Editing a draft exam, printing a prepared one's papers")
struct ExamEditAPITests {
    @Test("a draft is edited as a whole (rooms, review, name); once prepared it cannot be, and its papers with keys print; roles checked")
    func editAndPrint() async throws {
        let (fixture, blueprint) = try SetupAPITests.setUp()
        try await fixture.app().test(.router) { client in
            let coordinator = try await fixture.staffLogin(client, "dieuphoi")
            let proctor = try await fixture.staffLogin(client, "giamthi")
            var exam: [String: Any] = [
                "name": "Giữa kỳ", "bank": "Vật lí 12", "blueprint": blueprint, "codes": 2, "review": "score",
                "sessions": [["name": "Ca 1", "opensAt": "2027-03-02T01:30:00Z", "durationMinutes": 50]], "rooms": ["P201", "P202"],
            ]
            try await client.execute(uri: "/api/staff/setup/exams", method: .post, headers: Fixture.headers(cookie: coordinator), body: Fixture.json(exam)) {
                #expect($0.status == .created)
            }
            exam["name"] = "Giữa kỳ I"
            exam["rooms"] = ["P201", "P203"]
            exam["review"] = "key"
            exam["sessions"] = [["name": "Ca 1", "opensAt": "2027-03-02T01:30:00Z", "durationMinutes": 45], ["name": "Ca 2", "opensAt": "2027-03-02T03:00:00Z", "durationMinutes": 45]]
            let old = "/api/staff/setup/exams/" + SetupAPITests.path("Giữa kỳ")
            try await client.execute(uri: old, method: .put, headers: Fixture.headers(cookie: proctor), body: Fixture.json(exam)) { #expect($0.status == .forbidden) }
            var bad = exam; bad["rooms"] = ["P1", "P1"]
            try await client.execute(uri: old, method: .put, headers: Fixture.headers(cookie: coordinator), body: Fixture.json(bad)) { #expect($0.status == .badRequest) }
            try await client.execute(uri: old, method: .put, headers: Fixture.headers(cookie: coordinator), body: Fixture.json(exam)) { response in
                #expect(response.status == .ok)
                let overview = Fixture.object(response.body)
                #expect(overview["name"] as? String == "Giữa kỳ I" && overview["rooms"] as? [String] == ["P201", "P203"] && overview["review"] as? String == "key")
                #expect((overview["sessions"] as? [Any])?.count == 2)
            }
            #expect(try fixture.database.auditEntries(AuditQuery(action: "exam.edit")).count == 1)
            let base = "/api/staff/setup/exams/" + SetupAPITests.path("Giữa kỳ I")
            try await client.execute(uri: base + "/papers", method: .get, headers: Fixture.headers(cookie: coordinator)) { #expect($0.status == .conflict, "no papers before preparing") }
            let list = "Mã học sinh,Họ và tên,Ngày sinh,Lớp\nHS1,Nguyễn An,01/02/2009,11A1\nHS2,Trần Bình,03/04/2009,11A1\n"
            try await client.execute(uri: base + "/class-list/lop.csv", method: .put, headers: Fixture.headers(cookie: coordinator), body: ByteBuffer(string: list)) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: base + "/prepare", method: .post, headers: Fixture.headers(cookie: coordinator)) { #expect($0.status == .ok) }
            try await client.execute(uri: base, method: .put, headers: Fixture.headers(cookie: coordinator), body: Fixture.json(exam)) { response in
                #expect(response.status == .conflict && String(buffer: response.body).contains("alreadyPrepared"))
            }
            try await client.execute(uri: base + "/papers", method: .get, headers: Fixture.headers(cookie: proctor)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: base + "/papers", method: .get, headers: Fixture.headers(cookie: coordinator)) { response in
                #expect(response.status == .ok)
                let papers = Fixture.object(response.body)["papers"] as? [[String: Any]] ?? []
                #expect(papers.count == 2)
                #expect((papers.first?["key"] as? [String: Any])?["entries"] != nil, "each code with its key")
            }
        }
    }
}

@Suite("Room capacity")
struct RoomCapacityTests {
    @Test("seats: an even share, never above a room's capacity; refused when the rooms cannot seat everyone")
    func seats() throws {
        #expect(try AppDatabase.seatCountsForTesting(candidates: 40, capacities: [nil, nil]) == [20, 20])
        #expect(try AppDatabase.seatCountsForTesting(candidates: 40, capacities: [30, 12]) == [28, 12])
        #expect(try AppDatabase.seatCountsForTesting(candidates: 40, capacities: [10, nil]) == [10, 30])
        #expect(try AppDatabase.seatCountsForTesting(candidates: 5, capacities: [2, 2, 2]) == [2, 2, 1])
        #expect(throws: StoreError.self) { try AppDatabase.seatCountsForTesting(candidates: 40, capacities: [10, 10]) }
    }

    @Test("a room given as P101:12 seats at most 12 per session; prepare says when the rooms are too small")
    func prepareWithCapacity() async throws {
        let (fixture, blueprint) = try SetupAPITests.setUp()
        try await fixture.app().test(.router) { client in
            let coordinator = try await fixture.staffLogin(client, "dieuphoi")
            for (name, rooms, status) in [("Nhỏ", ["P1:10", "P2:10"], HTTPResponse.Status.badRequest), ("Vừa", ["P1:12", "P2"], .ok)] {
                let exam: [String: Any] = ["name": name, "bank": "Vật lí 12", "blueprint": blueprint, "codes": 2,
                                           "sessions": [["name": "Ca 1", "opensAt": "2027-03-02T01:30:00Z", "durationMinutes": 50]], "rooms": rooms]
                try await client.execute(uri: "/api/staff/setup/exams", method: .post, headers: Fixture.headers(cookie: coordinator), body: Fixture.json(exam)) {
                    #expect($0.status == .created)
                }
                let base = "/api/staff/setup/exams/" + SetupAPITests.path(name)
                let list = "Mã học sinh,Họ và tên,Ngày sinh,Lớp\n" + (1...30).map { "HS\($0),Học sinh \($0),01/02/2009,11A1" }.joined(separator: "\n") + "\n"
                try await client.execute(uri: base + "/class-list/lop.csv", method: .put, headers: Fixture.headers(cookie: coordinator), body: ByteBuffer(string: list)) {
                    #expect($0.status == .ok)
                }
                try await client.execute(uri: base + "/prepare", method: .post, headers: Fixture.headers(cookie: coordinator)) { response in
                    #expect(response.status == status, "\(name): \(String(buffer: response.body))")
                    guard status == .ok else { return }
                    let slips = Fixture.object(response.body)["slips"] as? [[String: Any]] ?? []
                    #expect(slips.filter { ($0["room"] as? String) == "P1" }.count == 12 && slips.filter { ($0["room"] as? String) == "P2" }.count == 18)
                }
            }
        }
    }
}

@Suite("Preparing as a job with progress")
struct PrepareJobTests {
    @Test("prepare?job=1 answers 201 with a job; the job reports progress and ends with the slips, for its member only")
    func prepareJob() async throws {
        let (fixture, blueprint) = try SetupAPITests.setUp()
        try fixture.addStaff("dieuphoi2", role: .coordinator)
        try await fixture.app().test(.router) { client in
            let coordinator = try await fixture.staffLogin(client, "dieuphoi")
            let other = try await fixture.staffLogin(client, "dieuphoi2")
            let exam: [String: Any] = ["name": "Có tiến độ", "bank": "Vật lí 12", "blueprint": blueprint, "codes": 3,
                                       "sessions": [["name": "Ca 1", "opensAt": "2027-03-02T01:30:00Z", "durationMinutes": 50]], "rooms": ["P1"]]
            try await client.execute(uri: "/api/staff/setup/exams", method: .post, headers: Fixture.headers(cookie: coordinator), body: Fixture.json(exam)) {
                #expect($0.status == .created)
            }
            let base = "/api/staff/setup/exams/" + SetupAPITests.path("Có tiến độ")
            let list = "Mã học sinh,Họ và tên,Ngày sinh,Lớp\n" + (1...120).map { "HS\($0),Học sinh \($0),01/02/2009,11A1" }.joined(separator: "\n") + "\n"
            try await client.execute(uri: base + "/class-list/lop.csv", method: .put, headers: Fixture.headers(cookie: coordinator), body: ByteBuffer(string: list)) {
                #expect($0.status == .ok)
            }
            let job = try await client.execute(uri: base + "/prepare?job=1", method: .post, headers: Fixture.headers(cookie: coordinator)) { response in
                #expect(response.status == .created)
                return Fixture.object(response.body)["job"] as? String ?? ""
            }
            var finished: [String: Any] = [:]
            for _ in 0..<200 {
                finished = try await client.execute(uri: "/api/staff/jobs/" + job, method: .get, headers: Fixture.headers(cookie: coordinator)) { Fixture.object($0.body) }
                if (finished["state"] as? [String: Any])?["finished"] as? Bool == true { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let state = try #require(finished["state"] as? [String: Any])
            #expect(state["total"] as? Int == 123 && state["done"] as? Int == 123, "3 papers and 120 candidates")
            #expect(((finished["result"] as? [String: Any])?["slips"] as? [Any])?.count == 120)
            try await client.execute(uri: "/api/staff/jobs/" + job, method: .get, headers: Fixture.headers(cookie: other)) { #expect($0.status == .notFound) }
        }
    }
}
