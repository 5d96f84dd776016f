import ExamCore
import ExamServer
import ExamStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("The continuous-assessment record (sổ điểm)")
struct GradebookAPITests {
    static func query(_ fields: [String: String]) -> String {
        "?" + fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }.joined(separator: "&")
    }

    @Test("push an exam into ĐĐGgk: dry run, pending refused, conflicts kept unless named, undo; typed cells checked; ĐTBmhk and ĐTBmcn computed; roles")
    func pushAndSheet() async throws {
        let fixture = try GradingAPITests.fixture()
        try await fixture.app().test(.router) { client in
            // Four sat; the essay of two is graded (final), two stay pending.
            for slip in fixture.slips.prefix(4) { _ = try await GradingAPITests.sit(fixture, client, slip: slip) }
            let coordinator = try await fixture.staffLogin(client, "dieuphoi")
            let teacher = try await fixture.staffLogin(client, "giaovien")
            let grading = "/api/staff/grading/exams/" + fixture.examPath
            let question = try await GradingAPITests.questionID(client, grading, teacher)
            let answers = try await client.execute(uri: grading + "/questions/\(question)", method: .get, headers: Fixture.headers(cookie: teacher)) {
                Fixture.object($0.body)["answers"] as? [[String: Any]] ?? []
            }
            for answer in answers.prefix(2) {
                try await client.execute(uri: grading + "/grades", method: .post, headers: Fixture.headers(cookie: teacher),
                                         body: Fixture.json(["attempt": answer["attempt"]!, "item": answer["item"]!, "points": "1.25"])) { #expect($0.status == .ok) }
            }
            for cookie in [teacher, coordinator] {
                try await client.execute(uri: "/api/staff/gradebook/subjects/" + "Vật lí".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!, method: .put,
                                         headers: Fixture.headers(cookie: cookie), body: Fixture.json(["periodsPerYear": 70])) {
                    #expect($0.status == (cookie == teacher ? .forbidden : .ok))
                }
            }
            let push: [String: Any] = ["exam": fixture.exam, "year": "2026-2027", "subject": "Vật lí", "semester": 1, "slot": "gk"]
            let dry = try await client.execute(uri: "/api/staff/gradebook/push", method: .post, headers: Fixture.headers(cookie: coordinator), body: Fixture.json(push)) {
                #expect($0.status == .ok)
                return Fixture.object($0.body)
            }
            #expect(dry["written"] as? Int == 2 && dry["pending"] as? Int == 2 && dry["committed"] as? Bool == false)
            let lines = dry["lines"] as? [[String: Any]] ?? []
            #expect(lines.filter { ($0["outcome"] as? String) == "not-submitted" }.count == 36)
            #expect(lines.filter { ($0["outcome"] as? String) == "written" }.count == 2)
            var slotTooHigh = push; slotTooHigh["slot"] = "tx4"
            try await client.execute(uri: "/api/staff/gradebook/push", method: .post, headers: Fixture.headers(cookie: coordinator), body: Fixture.json(slotTooHigh)) {
                #expect($0.status == .badRequest, "70 periods a year: 3 regular scores")
            }
            var committed = push; committed["commit"] = true
            let first = try await client.execute(uri: "/api/staff/gradebook/push", method: .post, headers: Fixture.headers(cookie: coordinator),
                                                 body: Fixture.json(committed)) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                return Fixture.object(response.body)
            }
            let pushed = lines.filter { ($0["outcome"] as? String) == "written" }
            let className = try #require(pushed.first?["className"] as? String)
            let studentID = try #require(pushed.first?["studentID"] as? String)
            let sheetQuery = Self.query(["year": "2026-2027", "class": className, "subject": "Vật lí"])
            // The coordinator types the rest of semester I for one student: ĐTBmhk follows; a bad cell stores nothing.
            var cells = [["studentID": studentID, "semester": 1, "slot": "tx1", "value": "8"], ["studentID": studentID, "semester": 1, "slot": "tx2", "value": "7,5"],
                         ["studentID": studentID, "semester": 1, "slot": "tx3", "value": "9"], ["studentID": studentID, "semester": 1, "slot": "ck", "value": "8,5"]] as [[String: Any]]
            try await client.execute(uri: "/api/staff/gradebook/sheet" + sheetQuery, method: .put, headers: Fixture.headers(cookie: coordinator),
                                     body: Fixture.json(["cells": cells + [["studentID": studentID, "semester": 1, "slot": "tx1", "value": "7,25"]]])) { response in
                #expect(response.status == .badRequest)
                #expect((Fixture.object(response.body)["error"] as? [String: Any])?["problems"] as? [String] != nil)
            }
            let sheet = try await client.execute(uri: "/api/staff/gradebook/sheet" + sheetQuery, method: .put, headers: Fixture.headers(cookie: coordinator),
                                                 body: Fixture.json(["cells": cells])) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                return Fixture.object(response.body)
            }
            let row = try #require((sheet["rows"] as? [[String: Any]])?.first { ($0["studentID"] as? String) == studentID })
            let semester = try #require((row["semesters"] as? [[String: Any]])?.first)
            let gk = try #require(RecordedScore(parsing: (semester["slots"] as? [String: String])?["gk"] ?? ""))
            let expected = try ContinuousAssessment.semesterAverage(regular: [80, 75, 90].map { RecordedScore(tenths: $0)! }, midterm: gk, final: RecordedScore(tenths: 85)!)
            #expect(semester["average"] as? String == expected.formatted(decimalMark: ","))
            // A second push: unchanged; after a typed change, a conflict, kept unless overwritten by name.
            cells = [["studentID": studentID, "semester": 1, "slot": "gk", "value": "1"]]
            _ = try await client.execute(uri: "/api/staff/gradebook/sheet" + sheetQuery, method: .put, headers: Fixture.headers(cookie: coordinator),
                                         body: Fixture.json(["cells": cells])) { $0.status }
            let again = try await client.execute(uri: "/api/staff/gradebook/push", method: .post, headers: Fixture.headers(cookie: coordinator),
                                                 body: Fixture.json(committed)) { Fixture.object($0.body) }
            #expect(again["conflicts"] as? Int == 1 && again["written"] as? Int == 0)
            var overwrite = committed; overwrite["overwrite"] = [studentID]
            let third = try await client.execute(uri: "/api/staff/gradebook/push", method: .post, headers: Fixture.headers(cookie: coordinator),
                                                 body: Fixture.json(overwrite)) { Fixture.object($0.body) }
            #expect(third["written"] as? Int == 1 && third["conflicts"] as? Int == 0)
            // Undo the third push: the typed 1 comes back.
            try await client.execute(uri: "/api/staff/gradebook/pushes/\(third["id"] as! Int)/undo", method: .post, headers: Fixture.headers(cookie: coordinator)) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/api/staff/gradebook/sheet" + sheetQuery, method: .get, headers: Fixture.headers(cookie: coordinator)) { response in
                let rows = Fixture.object(response.body)["rows"] as? [[String: Any]] ?? []
                let slots = ((rows.first { ($0["studentID"] as? String) == studentID }?["semesters"] as? [[String: Any]])?.first?["slots"] as? [String: String]) ?? [:]
                #expect(slots["gk"] == "1")
            }
            try await client.execute(uri: "/api/staff/gradebook/pushes/\(third["id"] as! Int)/undo", method: .post, headers: Fixture.headers(cookie: coordinator)) {
                #expect($0.status == .conflict, "undone once")
            }
            #expect(first["id"] != nil)
            #expect(try fixture.database.auditEntries(AuditQuery(action: "gradebook.")).count >= 6)
            // The detailed sheet as XLSX; the levels; a teacher may not.
            try await client.execute(uri: "/api/staff/gradebook/sheet" + sheetQuery + "&format=xlsx&semester=1&school=THPT%20Demo", method: .get,
                                     headers: Fixture.headers(cookie: coordinator)) { response in
                #expect(response.status == .ok && Array(Data(buffer: response.body).prefix(2)) == [0x50, 0x4B])
            }
            try await client.execute(uri: "/api/staff/gradebook/sheet" + sheetQuery + "&format=csv", method: .get, headers: Fixture.headers(cookie: coordinator)) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("BẢNG ĐIỂM CHI TIẾT - MÔN VẬT LÍ - HỌC KỲ I - NĂM HỌC 2026-2027"))
                #expect(text.contains("STT,Mã học sinh,Họ và tên đệm,Tên,ĐĐGtx 1,ĐĐGtx 2,ĐĐGtx 3,ĐĐGgk,ĐĐGck,ĐTBmhk,Nhận xét"))
            }
            try await client.execute(uri: "/api/staff/gradebook/levels" + Self.query(["year": "2026-2027", "class": className]), method: .get,
                                     headers: Fixture.headers(cookie: coordinator)) { #expect($0.status == .ok) }
            for uri in ["/api/staff/gradebook", "/api/staff/gradebook/sheet" + sheetQuery] {
                try await client.execute(uri: uri, method: .get, headers: Fixture.headers(cookie: teacher)) { #expect($0.status == .forbidden) }
            }
        }
    }
}
