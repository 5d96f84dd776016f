import BankFormats
import ExamCore
import ExamServer
import ExamStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

extension Fixture {
    static func array(_ body: ByteBuffer) -> [[String: Any]] {
        ((try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any])?["items"] as? [[String: Any]] ?? []
    }

    static func path(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/")))! }

    /// Polls a job until it finishes; returns its final state.
    func finish(_ client: some TestClientProtocol, job: String, cookie: String) async throws -> [String: Any] {
        for _ in 0..<400 {
            let state = try await client.execute(uri: "/api/staff/jobs/\(job)", method: .get, headers: Self.headers(cookie: cookie)) { response in
                #expect(response.status == .ok)
                return Self.object(response.body)
            }
            if (state["state"] as? [String: Any])?["finished"] as? Bool == true { return state }
            try await Task.sleep(for: .milliseconds(25))
        }
        Issue.record("job \(job) did not finish")
        return [:]
    }

    /// Uploads files into a new batch and returns the batch id.
    func upload(_ client: some TestClientProtocol, cookie: String, files: [(String, Data)]) async throws -> String {
        let batch = try await client.execute(uri: "/api/staff/imports", method: .post, headers: Self.headers(cookie: cookie)) { response in
            #expect(response.status == .created)
            return try #require(Self.object(response.body)["batch"] as? String)
        }
        for (name, data) in files {
            try await client.execute(uri: "/api/staff/imports/\(batch)/files/\(Self.path(name))", method: .put, headers: Self.headers(cookie: cookie),
                                     body: ByteBuffer(data: data)) { #expect($0.status == .created) }
        }
        return batch
    }
}

@Suite("Authoring API")
struct AuthoringAPITests {
    static let staff: [(String, StaffRole)] = [("lan", .teacher), ("minh", .teacher), ("dieuphoi", .coordinator), ("giamthi", .proctor), ("quantri", .admin)]

    static func fixture() throws -> Fixture {
        let fixture = try Fixture()
        for (name, role) in staff { try fixture.addStaff(name, role: role) }
        return fixture
    }

    static let azota = """
    Câu 1. Đạo hàm của $x^2$ là
    A. $x$  B. $2x$  C. $2$  D. $x^2$
    Câu 2. $\\int_0^1 1\\,dx$ bằng
    A. 0  B. 1  C. 2  D. 3
    ĐÁP ÁN
    1-B 2-B
    """

    @Test("every authoring route: no session 401, a candidate's 401, a proctor's 403")
    func roles() async throws {
        let fixture = try Self.fixture()
        try await fixture.app().test(.router) { client in
            let proctor = try await fixture.staffLogin(client, "giamthi")
            let candidate = try await fixture.login(client, slip: fixture.slips[0])
            let routes: [(HTTPRequest.Method, String)] = [
                (.get, "/api/staff/banks"), (.post, "/api/staff/banks"), (.put, "/api/staff/banks/x/sharing"), (.get, "/api/staff/banks/x/facets"),
                (.get, "/api/staff/banks/x/questions"), (.post, "/api/staff/banks/x/questions"), (.get, "/api/staff/banks/x/questions/q"),
                (.put, "/api/staff/banks/x/questions/q"), (.post, "/api/staff/banks/x/questions/q/restore"), (.post, "/api/staff/banks/x/bulk"),
                (.get, "/api/staff/banks/x/export"), (.post, "/api/staff/questions/preview"), (.post, "/api/staff/media"),
                (.get, "/api/staff/media/\(String(repeating: "a", count: 64))"), (.get, "/api/staff/members"), (.post, "/api/staff/imports"),
                (.put, "/api/staff/imports/b/files/f.txt"), (.post, "/api/staff/imports/b/check"), (.post, "/api/staff/imports/b/run"),
                (.delete, "/api/staff/imports/b"), (.get, "/api/staff/templates/mau.xlsx"), (.get, "/api/staff/jobs/j"), (.get, "/api/staff/blueprints"),
                (.get, "/api/staff/blueprint-templates"), (.get, "/api/staff/blueprints/x"), (.post, "/api/staff/blueprints"), (.delete, "/api/staff/blueprints/x"),
                (.post, "/api/staff/blueprint-check"), (.post, "/api/staff/blueprint-preview"), (.get, "/api/staff/print-sets"), (.post, "/api/staff/print-sets"),
                (.get, "/api/staff/print-sets/1"), (.get, "/api/staff/print-sets/1/key"), (.delete, "/api/staff/print-sets/1"), (.get, "/api/staff/audit"),
            ]
            for (method, uri) in routes {
                try await client.execute(uri: uri, method: method, headers: Fixture.headers(), body: Fixture.json([:])) { #expect($0.status == .unauthorized, "\(method) \(uri)") }
                try await client.execute(uri: uri, method: method, headers: Fixture.headers(cookie: candidate), body: Fixture.json([:])) {
                    #expect($0.status == .unauthorized, "\(method) \(uri) with a candidate's cookie")
                }
                try await client.execute(uri: uri, method: method, headers: Fixture.headers(cookie: proctor), body: Fixture.json([:])) { response in
                    #expect(response.status == .forbidden, "\(method) \(uri) as a proctor")
                    #expect(Fixture.object(response.body)["error"] != nil)
                }
            }
        }
    }

    @Test("a teacher's bank: another teacher 404 until shared, read share 403 on writes, edit share writes; coordinator like a teacher; admin everything")
    func bankBoundaries() async throws {
        let fixture = try Self.fixture()
        try await fixture.app().test(.router) { client in
            let lan = try await fixture.staffLogin(client, "lan")
            let minh = try await fixture.staffLogin(client, "minh")
            let coordinator = try await fixture.staffLogin(client, "dieuphoi")
            let admin = try await fixture.staffLogin(client, "quantri")
            try await client.execute(uri: "/api/staff/banks", method: .post, headers: Fixture.headers(cookie: lan),
                                     body: Fixture.json(["name": "Toán 12 của Lan", "subject": "Toán"])) { response in
                #expect(response.status == .created)
                #expect(Fixture.object(response.body)["access"] as? String == "owner")
                #expect(Fixture.object(response.body)["visibility"] as? String == "private")
            }
            try await client.execute(uri: "/api/staff/banks", method: .post, headers: Fixture.headers(cookie: minh),
                                     body: Fixture.json(["name": "Toán 12 của Lan"])) { response in
                #expect(response.status == .conflict)
                #expect((Fixture.object(response.body)["error"] as? [String: Any])?["code"] as? String == "exists")
            }
            let bank = "/api/staff/banks/\(Fixture.path("Toán 12 của Lan"))"
            let question: [String: Any] = ["id": "", "subject": "Toán", "topic": "Đạo hàm", "level": "nhan-biet", "points": "0.25", "stem": "$(x^2)'$ bằng",
                                           "kind": "single-choice", "options": [["id": "a", "text": "$2x$"], ["id": "b", "text": "$x$"]], "answer": "a"]
            let id = try await client.execute(uri: bank + "/questions", method: .post, headers: Fixture.headers(cookie: lan), body: Fixture.json(["question": question])) { response in
                #expect(response.status == .created, "\(String(buffer: response.body))")
                return try #require(Fixture.object(response.body)["id"] as? String)
            }
            let one = bank + "/questions/" + id
            for cookie in [minh, coordinator] {
                for uri in [bank + "/questions", bank + "/facets", one, bank + "/export"] {
                    try await client.execute(uri: uri, method: .get, headers: Fixture.headers(cookie: cookie)) { response in
                        #expect(response.status == .notFound, "\(uri): a private bank is not found for others")
                        #expect(!String(buffer: response.body).contains("Đạo hàm"))
                    }
                }
            }
            try await client.execute(uri: bank + "/sharing", method: .put, headers: Fixture.headers(cookie: minh), body: Fixture.json(["visibility": "school"])) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: bank + "/questions", method: .get, headers: Fixture.headers(cookie: admin)) { #expect($0.status == .ok) }
            try await client.execute(uri: bank + "/sharing", method: .put, headers: Fixture.headers(cookie: lan),
                                     body: Fixture.json(["shares": [["username": "minh", "access": "read"]]])) { #expect($0.status == .ok) }
            var edited = question
            edited["id"] = id
            edited["stem"] = "$(x^2)'$ bằng bao nhiêu"
            try await client.execute(uri: bank + "/questions?page=1&pageSize=10", method: .get, headers: Fixture.headers(cookie: minh)) { response in
                #expect(response.status == .ok)
                let rows = Fixture.object(response.body)["rows"] as? [[String: Any]] ?? []
                #expect(rows.count == 1 && rows[0]["key"] as? String == "A")
                #expect((rows[0]["item"] as? [String: Any])?["options"] as? [String] == ["$2x$", "$x$"], "the row carries the candidate's view")
            }
            try await client.execute(uri: one, method: .put, headers: Fixture.headers(cookie: minh), body: Fixture.json(["question": edited, "baseRevision": 1])) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: bank + "/bulk", method: .post, headers: Fixture.headers(cookie: minh),
                                     body: Fixture.json(["ids": [id], "action": "delete"])) { #expect($0.status == .forbidden) }
            try await client.execute(uri: bank + "/sharing", method: .put, headers: Fixture.headers(cookie: lan),
                                     body: Fixture.json(["shares": [["username": "minh", "access": "edit"]]])) { #expect($0.status == .ok) }
            try await client.execute(uri: one, method: .put, headers: Fixture.headers(cookie: minh), body: Fixture.json(["question": edited, "baseRevision": 1])) { response in
                #expect(response.status == .ok)
                #expect(Fixture.object(response.body)["revision"] as? Int == 2)
            }
            try await client.execute(uri: one, method: .put, headers: Fixture.headers(cookie: lan), body: Fixture.json(["question": edited, "baseRevision": 1])) { response in
                #expect(response.status == .conflict)
                #expect((Fixture.object(response.body)["error"] as? [String: Any])?["code"] as? String == "staleRevision")
            }
            try await client.execute(uri: one, method: .get, headers: Fixture.headers(cookie: lan)) { response in
                let detail = Fixture.object(response.body)
                #expect(detail["currentRevision"] as? Int == 2)
                let revisions = detail["revisions"] as? [[String: Any]] ?? []
                #expect(revisions.map { $0["createdBy"] as? String } == ["lan", "minh"])
                #expect((revisions[1]["changes"] as? [[String: Any]])?.first?["field"] as? String == "stem")
            }
            try await client.execute(uri: one + "/restore", method: .post, headers: Fixture.headers(cookie: lan),
                                     body: Fixture.json(["revision": 1, "baseRevision": 2])) { response in
                #expect(response.status == .ok)
                #expect(Fixture.object(response.body)["revision"] as? Int == 3)
            }
            // The school's bank (imported from the command line, no owner): teachers read it, only admins change it.
            let school = "/api/staff/banks/\(Fixture.path("Vật lí 12"))"
            let schoolQuestion = try await client.execute(uri: school + "/questions?pageSize=1", method: .get, headers: Fixture.headers(cookie: minh)) { response in
                #expect(response.status == .ok)
                return try #require((Fixture.object(response.body)["rows"] as? [[String: Any]])?.first?["id"] as? String)
            }
            try await client.execute(uri: school + "/bulk", method: .post, headers: Fixture.headers(cookie: minh),
                                     body: Fixture.json(["ids": [schoolQuestion], "action": "add-tags", "tags": ["ôn tập"]])) { #expect($0.status == .forbidden) }
            try await client.execute(uri: school + "/bulk", method: .post, headers: Fixture.headers(cookie: admin),
                                     body: Fixture.json(["ids": [schoolQuestion], "action": "add-tags", "tags": ["ôn tập"]])) { response in
                #expect(response.status == .ok)
                #expect(Fixture.object(response.body)["changed"] as? Int == 1)
            }
            // Audit: admins only; it names who changed which question, revision before and after.
            try await client.execute(uri: "/api/staff/audit?action=question.", method: .get, headers: Fixture.headers(cookie: lan)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/api/staff/audit?action=question.edit", method: .get, headers: Fixture.headers(cookie: admin)) { response in
                let entries = Fixture.array(response.body)
                #expect(entries.count == 1 && entries[0]["actor"] as? String == "minh")
                #expect((entries[0]["details"] as? String)?.contains("\"from\":1") == true)
            }
            try await client.execute(uri: "/api/staff/audit?since=yesterday", method: .get, headers: Fixture.headers(cookie: admin)) { response in
                #expect(response.status == .badRequest)
                #expect((Fixture.object(response.body)["error"] as? [String: Any])?["field"] as? String == "since")
            }
        }
    }

    @Test("import by upload: a file with a mistake is named with its line; fixed, it imports as a job; the same file again adds nothing; templates import cleanly")
    func importByUpload() async throws {
        let fixture = try Self.fixture()
        try await fixture.app().test(.router) { client in
            let lan = try await fixture.staffLogin(client, "lan")
            let broken = Self.azota.replacingOccurrences(of: "A. 0  B. 1", with: "A. 0  E. 1")
            let batch = try await fixture.upload(client, cookie: lan, files: [("đề 1.txt", Data(broken.utf8))])
            try await client.execute(uri: "/api/staff/imports/\(batch)/check", method: .post, headers: Fixture.headers(cookie: lan),
                                     body: Fixture.json(["bank": "Ôn tập", "subject": "Toán"])) { response in
                #expect(response.status == .ok)
                let check = Fixture.object(response.body)
                let problems = check["problems"] as? [String] ?? []
                #expect(problems.contains { $0.hasPrefix("đề 1.txt:3:") }, "\(problems)")
                #expect((check["plan"] as? [String: Any])?["added"] as? Int == 1)
            }
            // All or nothing refuses the file; fixed, it goes in.
            let refused = try await client.execute(uri: "/api/staff/imports/\(batch)/run", method: .post, headers: Fixture.headers(cookie: lan),
                                                   body: Fixture.json(["bank": "Ôn tập", "subject": "Toán"])) { Fixture.object($0.body)["job"] as? String }
            let failed = try await fixture.finish(client, job: try #require(refused), cookie: lan)
            #expect((failed["error"] as? [String: Any])?["code"] as? String == "importRefused")
            try await client.execute(uri: "/api/staff/imports/\(batch)/files/\(Fixture.path("đề 1.txt"))", method: .put, headers: Fixture.headers(cookie: lan),
                                     body: ByteBuffer(string: Self.azota)) { #expect($0.status == .created) }
            let job = try await client.execute(uri: "/api/staff/imports/\(batch)/run", method: .post, headers: Fixture.headers(cookie: lan),
                                               body: Fixture.json(["bank": "Ôn tập", "subject": "Toán"])) { response in
                #expect(response.status == .created)
                return try #require(Fixture.object(response.body)["job"] as? String)
            }
            let minh = try await fixture.staffLogin(client, "minh")
            try await client.execute(uri: "/api/staff/jobs/\(job)", method: .get, headers: Fixture.headers(cookie: minh)) { #expect($0.status == .notFound) }
            let done = try await fixture.finish(client, job: job, cookie: lan)
            #expect((done["result"] as? [String: Any])?["added"] as? Int == 2, "\(done)")
            try await client.execute(uri: "/api/staff/banks/\(Fixture.path("Ôn tập"))/questions?unclassified=true", method: .get, headers: Fixture.headers(cookie: lan)) { response in
                #expect(Fixture.object(response.body)["total"] as? Int == 2, "a plain Azota file imports unclassified")
            }
            let again = try await fixture.upload(client, cookie: lan, files: [("ban-sao.txt", Data(Self.azota.utf8))])
            try await client.execute(uri: "/api/staff/imports/\(again)/check", method: .post, headers: Fixture.headers(cookie: lan),
                                     body: Fixture.json(["bank": "Ôn tập"])) { response in
                let plan = Fixture.object(response.body)["plan"] as? [String: Any] ?? [:]
                #expect(plan["added"] as? Int == 0 && plan["unchanged"] as? Int == 2)
            }
            try await client.execute(uri: "/api/staff/imports/\(again)/check", method: .post, headers: Fixture.headers(cookie: minh),
                                     body: Fixture.json(["bank": "Ôn tập"])) { #expect($0.status == .notFound, "a batch is its uploader's") }
            for name in BankTemplates.names {
                let data = try await client.execute(uri: "/api/staff/templates/\(name)", method: .get, headers: Fixture.headers(cookie: lan)) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentDisposition]?.contains(name) == true)
                    return Data(buffer: response.body)
                }
                let batch = try await fixture.upload(client, cookie: lan, files: [(name, data)])
                try await client.execute(uri: "/api/staff/imports/\(batch)/check", method: .post, headers: Fixture.headers(cookie: lan),
                                         body: Fixture.json(["bank": "Mẫu", "subject": "Toán"])) { response in
                    let check = Fixture.object(response.body)
                    #expect((check["problems"] as? [String])?.isEmpty == true, "\(name): \(check)")
                    #expect(((check["plan"] as? [String: Any])?["added"] as? Int ?? 0) > 0, "\(name)")
                }
            }
            try await client.execute(uri: "/api/staff/templates/khong-co.txt", method: .get, headers: Fixture.headers(cookie: lan)) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/staff/imports/\(again)/files/..%2F..%2Fetc%2Fpasswd", method: .put, headers: Fixture.headers(cookie: lan),
                                     body: ByteBuffer(string: "x")) { response in
                #expect(response.status == .created, "the name is reduced to its last part, inside the batch")
                #expect((Fixture.object(response.body)["files"] as? [String])?.contains("passwd") == true)
            }
        }
    }

    @Test("the live preview: the candidate's view and key of a draft, ExamCore's problems (the 4-character rule), a draft that does not decode yet")
    func preview() async throws {
        let fixture = try Self.fixture()
        try await fixture.app().test(.router) { client in
            let lan = try await fixture.staffLogin(client, "lan")
            let numeric: [String: Any] = ["id": "x", "subject": "Toán", "topic": "T", "level": "van-dung", "stem": "Tính $\\sqrt{2}$", "kind": "numeric", "answer": "1,414"]
            try await client.execute(uri: "/api/staff/questions/preview", method: .post, headers: Fixture.headers(cookie: lan), body: Fixture.json(["question": numeric])) { response in
                #expect(response.status == .ok)
                let preview = Fixture.object(response.body)
                #expect(preview["valid"] as? Bool == false)
                #expect((preview["problems"] as? [String])?.contains { $0.contains("4") } == true, "\(preview)")
            }
            var good = numeric
            good["answer"] = "1,41"
            try await client.execute(uri: "/api/staff/questions/preview", method: .post, headers: Fixture.headers(cookie: lan), body: Fixture.json(["question": good])) { response in
                let preview = Fixture.object(response.body)
                #expect(preview["valid"] as? Bool == true && preview["key"] as? String == "1,41")
                #expect((preview["item"] as? [String: Any])?["boxes"] as? Int == 4)
            }
            var half = numeric
            half["kind"] = "khong-co"
            try await client.execute(uri: "/api/staff/questions/preview", method: .post, headers: Fixture.headers(cookie: lan), body: Fixture.json(["question": half])) { response in
                #expect(response.status == .ok)
                #expect(Fixture.object(response.body)["valid"] as? Bool == false)
            }
            // Images: real ones stored and served; anything else refused.
            let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 1, count: 16))
            let url = try await client.execute(uri: "/api/staff/media", method: .post, headers: Fixture.headers(cookie: lan), body: ByteBuffer(data: png)) { response in
                #expect(response.status == .created)
                return try #require(Fixture.object(response.body)["url"] as? String)
            }
            try await client.execute(uri: url, method: .get, headers: Fixture.headers(cookie: lan)) { response in
                #expect(response.headers[.contentType] == "image/png" && Data(buffer: response.body) == png)
            }
            try await client.execute(uri: "/api/staff/media", method: .post, headers: Fixture.headers(cookie: lan), body: ByteBuffer(string: "<html>")) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test("blueprints and print sets: save, check with shortfalls, preview; four codes as a job; the key table as XLSX and CSV; only the maker sees them")
    func blueprintsAndPrint() async throws {
        let fixture = try Self.fixture()
        let blueprintData = try Data(contentsOf: Fixture.root.appendingPathComponent("QuestionBanks/vat-li-12/blueprint.json"))
        try await fixture.app().test(.router) { client in
            let blueprint = try JSONSerialization.jsonObject(with: blueprintData) as! [String: Any]
            let lan = try await fixture.staffLogin(client, "lan")
            let minh = try await fixture.staffLogin(client, "minh")
            var mine = blueprint
            mine["name"] = "Ma trận Lí"
            try await client.execute(uri: "/api/staff/blueprints", method: .post, headers: Fixture.headers(cookie: lan), body: Fixture.json(["blueprint": mine])) { response in
                #expect(response.status == .ok)
                #expect((Fixture.object(response.body)["problems"] as? [String])?.isEmpty == true)
            }
            try await client.execute(uri: "/api/staff/blueprints", method: .post, headers: Fixture.headers(cookie: minh),
                                     body: Fixture.json(["blueprint": mine, "originalName": "Ma trận Lí"])) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/api/staff/blueprint-check", method: .post, headers: Fixture.headers(cookie: lan),
                                     body: Fixture.json(["blueprint": mine, "bank": "Vật lí 12"])) { response in
                let check = Fixture.object(response.body)
                #expect(check["ready"] as? Bool == true, "\(check["shortfalls"] ?? "")")
                #expect(((check["cells"] as? [[String: Any]])?.count ?? 0) > 0)
            }
            try await client.execute(uri: "/api/staff/blueprint-preview", method: .post, headers: Fixture.headers(cookie: lan),
                                     body: Fixture.json(["blueprint": mine, "bank": "Vật lí 12", "seed": 3])) { response in
                #expect(response.status == .ok)
                let body = Fixture.object(response.body)
                #expect(((body["paper"] as? [String: Any])?["parts"] as? [[String: Any]])?.count == 3)
                #expect(((body["key"] as? [String: Any])?["entries"] as? [Any])?.count == 28)
            }
            let job = try await client.execute(uri: "/api/staff/print-sets", method: .post, headers: Fixture.headers(cookie: lan),
                                               body: Fixture.json(["name": "Giữa kỳ Lí", "blueprint": "Ma trận Lí", "bank": "Vật lí 12", "codes": 4, "seed": 9,
                                                                   "school": "THPT Nguyễn Trãi"])) { response in
                #expect(response.status == .created)
                return try #require(Fixture.object(response.body)["job"] as? String)
            }
            let done = try await fixture.finish(client, job: job, cookie: lan)
            let id = try #require((done["result"] as? [String: Any])?["id"] as? Int)
            try await client.execute(uri: "/api/staff/print-sets/\(id)", method: .get, headers: Fixture.headers(cookie: lan)) { response in
                let set = Fixture.object(response.body)
                let papers = set["papers"] as? [[String: Any]] ?? []
                #expect(papers.compactMap { ($0["paper"] as? [String: Any])?["code"] as? String } == ["101", "102", "103", "104"])
            }
            try await client.execute(uri: "/api/staff/print-sets/\(id)", method: .get, headers: Fixture.headers(cookie: minh)) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/staff/print-sets/\(id)/key?format=csv", method: .get, headers: Fixture.headers(cookie: lan)) { response in
                let text = String(decoding: Data(buffer: response.body), as: UTF8.self)
                #expect(text.contains("Mã đề 101") && text.contains("Mã đề 104"))
                #expect(text.split(whereSeparator: \.isNewline).count == 29, "a header and one row per item")
            }
            try await client.execute(uri: "/api/staff/print-sets/\(id)/key?format=xlsx", method: .get, headers: Fixture.headers(cookie: lan)) { response in
                #expect(response.status == .ok)
                #expect(Array(Data(buffer: response.body).prefix(2)) == [0x50, 0x4B])
            }
            try await client.execute(uri: "/api/staff/print-sets", method: .post, headers: Fixture.headers(cookie: lan),
                                     body: Fixture.json(["name": "x", "blueprint": "Ma trận Lí", "bank": "Vật lí 12", "codes": 4, "candidates": 3])) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/api/staff/print-sets/\(id)", method: .delete, headers: Fixture.headers(cookie: minh)) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/staff/print-sets/\(id)", method: .delete, headers: Fixture.headers(cookie: lan)) { #expect($0.status == .noContent) }
        }
    }

    @Test("the browser's query is checked: a bad level, page size or flag is a 400 naming the field")
    func badQueries() async throws {
        let fixture = try Self.fixture()
        try await fixture.app().test(.router) { client in
            let lan = try await fixture.staffLogin(client, "lan")
            let bank = "/api/staff/banks/\(Fixture.path("Vật lí 12"))/questions"
            for (query, field) in [("level=rat-kho", "level"), ("pageSize=0", "pageSize"), ("used=maybe", "used"), ("kind=x", "kind"), ("sort=x", "sort"), ("grade=13", "grade")] {
                try await client.execute(uri: bank + "?" + query, method: .get, headers: Fixture.headers(cookie: lan)) { response in
                    #expect(response.status == .badRequest, "\(query)")
                    #expect((Fixture.object(response.body)["error"] as? [String: Any])?["field"] as? String == field)
                }
            }
            try await client.execute(uri: bank + "?q=%C4%91%E1%BB%99ng%20n%C4%83ng&level=nhan-biet&pageSize=5", method: .get, headers: Fixture.headers(cookie: lan)) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/api/staff/banks/\(Fixture.path("Vật lí 12"))/bulk", method: .post, headers: Fixture.headers(cookie: lan),
                                     body: Fixture.json(["ids": ["x"], "action": "explode"])) { response in
                #expect(response.status == .badRequest)
            }
        }
    }
}
