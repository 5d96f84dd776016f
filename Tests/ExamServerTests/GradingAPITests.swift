import ExamCore
import ExamServer
import ExamStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Grading by hand, results with states, review after the attempt")
struct GradingAPITests {
    /// The practice bank (every kind, one essay) with teachers, a proctor and a coordinator.
    static func fixture(review: ExamDefinition.ReviewPolicy = .key, results: ExamDefinition.ResultsPolicy = .immediate) throws -> Fixture {
        let fixture = try Fixture(results: results, bank: "lam-quen", review: review)
        for (name, role) in [("dieuphoi", StaffRole.coordinator), ("giamthi", .proctor), ("giaovien", .teacher), ("giaovien2", .teacher), ("giaovien3", .teacher)] {
            try fixture.addStaff(name, role: role)
        }
        fixture.clock.set(Fixture.at(60))
        return fixture
    }

    /// Signs a candidate in, answers every item (the key for the first item, an essay text) and submits.
    /// `choice`: the letter every choice item after the first gets (blank when nil).
    static func sit(_ fixture: Fixture, _ client: some TestClientProtocol, slip: LoginSlip, choice: String? = nil) async throws -> String {
        let cookie = try await fixture.login(client, slip: slip)
        let start = try await fixture.start(client, cookie: cookie)
        let token = start["deviceToken"] as! String
        let paper = try fixture.database.paper(exam: fixture.exam, code: slip.paperCode)
        var events: [[String: Any]] = []
        for (index, item) in paper.items.enumerated() {
            let value: Any
            switch item.question.body {
            case .essay: value = "Bài viết của \(slip.sbd)"
            case .singleChoice where index > 0: value = choice ?? ""
            default: value = index == 0 ? item.question.keyText : ""
            }
            events.append(["sequence": index + 1, "item": item.key, "value": value])
        }
        try await client.execute(uri: "/api/attempt/events", method: .post, headers: Fixture.headers(cookie: cookie),
                                 body: Fixture.json(["deviceToken": token, "events": events])) { #expect($0.status == .ok) }
        try await client.execute(uri: "/api/attempt/submit", method: .post, headers: Fixture.headers(cookie: cookie),
                                 body: Fixture.json(["deviceToken": token])) { #expect($0.status == .ok) }
        return cookie
    }

    static func essayKey(_ fixture: Fixture, _ slip: LoginSlip) throws -> String {
        try fixture.database.paper(exam: fixture.exam, code: slip.paperCode).items.first { if case .essay = $0.question.body { true } else { false } }!.key
    }


    @Test("a teacher grades an essay blind: the total turns final, the candidate sees points and comment; roles and steps are checked; audited")
    func gradeOneRound() async throws {
        let fixture = try Self.fixture()
        let grading = "/api/staff/grading/exams/" + fixture.examPath
        try await fixture.app().test(.router) { client in
            let candidate = try await Self.sit(fixture, client, slip: fixture.slips[0])
            _ = try await Self.sit(fixture, client, slip: fixture.slips[1])
            let teacher = try await fixture.staffLogin(client, "giaovien")
            let proctor = try await fixture.staffLogin(client, "giamthi")
            let coordinator = try await fixture.staffLogin(client, "dieuphoi")

            // Before grading: provisional everywhere.
            try await client.execute(uri: "/api/attempt/result", method: .get, headers: Fixture.headers(cookie: candidate)) { response in
                let result = Fixture.object(response.body)
                #expect(result["pendingEssays"] as? Int == 1)
            }
            try await client.execute(uri: "/api/staff/exams/\(fixture.examPath)/results?format=json", method: .get, headers: Fixture.headers(cookie: coordinator)) { response in
                let rows = Fixture.object(response.body)["rows"] as? [[String: Any]] ?? []
                #expect(rows.filter { ($0["state"] as? String) == "pending" }.count == 2)
                #expect(rows.filter { ($0["state"] as? String) == "not-started" }.count == 38)
            }
            try await client.execute(uri: "/api/staff/exams/\(fixture.examPath)/results?format=csv&sep=%3B", method: .get, headers: Fixture.headers(cookie: coordinator)) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("chờ chấm (điểm tạm tính)") && text.contains(";Phần TL;"))
            }

            // Who may grade.
            for (cookie, status) in [(proctor, HTTPResponse.Status.forbidden), (candidate, .unauthorized)] {
                try await client.execute(uri: grading, method: .get, headers: Fixture.headers(cookie: cookie)) { #expect($0.status == status) }
            }
            let overview = try await client.execute(uri: grading, method: .get, headers: Fixture.headers(cookie: teacher)) { response in
                #expect(response.status == .ok)
                return Fixture.object(response.body)
            }
            #expect(overview["pending"] as? Int == 2)
            let question = try #require((overview["questions"] as? [[String: Any]])?.first)
            let sheet = try await client.execute(uri: grading + "/questions/\(question["id"] as! Int)?names=1", method: .get, headers: Fixture.headers(cookie: teacher)) {
                Fixture.object($0.body)
            }
            let answers = sheet["answers"] as? [[String: Any]] ?? []
            #expect(answers.count == 2)
            #expect(answers.allSatisfy { $0["fullName"] == nil }, "blind: a teacher never gets names")
            #expect((answers.first?["answer"] as? String)?.hasPrefix("Bài viết của") == true)
            #expect(sheet["step"] as? Double == 0.25)
            let first = try #require(answers.first { ($0["sbd"] as? String) == fixture.slips[0].sbd })

            let body: [String: Any] = ["attempt": first["attempt"]!, "item": first["item"]!, "points": "1.5", "comment": "Đủ ý, lập luận tốt"]
            var wrongStep = body; wrongStep["points"] = "1.3"
            var tooMany = body; tooMany["points"] = "9"
            var notEssay = body; notEssay["item"] = "I.1"
            for (bad, status) in [(wrongStep, HTTPResponse.Status.badRequest), (tooMany, .badRequest), (notEssay, .notFound)] {
                try await client.execute(uri: grading + "/grades", method: .post, headers: Fixture.headers(cookie: teacher), body: Fixture.json(bad)) {
                    #expect($0.status == status)
                }
            }
            try await client.execute(uri: grading + "/grades", method: .post, headers: Fixture.headers(cookie: proctor), body: Fixture.json(body)) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: grading + "/grades", method: .post, headers: Fixture.headers(cookie: teacher), body: Fixture.json(body)) { response in
                #expect(response.status == .ok)
                #expect(Fixture.object(response.body)["final"] as? Double == 1.5)
            }

            // The candidate: final now, with the grader's points and comment, the rubric as the key of the essay.
            try await client.execute(uri: "/api/attempt/result", method: .get, headers: Fixture.headers(cookie: candidate)) { response in
                let result = Fixture.object(response.body)
                #expect(result["pendingEssays"] as? Int == 0)
                let items = result["items"] as? [[String: Any]] ?? []
                let essay = try #require(items.first { ($0["key"] as? String) == first["item"] as? String })
                #expect(essay["awarded"] as? Double == 1.5 && essay["comment"] as? String == "Đủ ý, lập luận tốt")
                #expect(essay["keyText"] as? String != nil)
                #expect(result["paper"] != nil)
            }
            try await client.execute(uri: "/api/staff/exams/\(fixture.examPath)/results?format=json", method: .get, headers: Fixture.headers(cookie: coordinator)) { response in
                let rows = Fixture.object(response.body)["rows"] as? [[String: Any]] ?? []
                let row = try #require(rows.first { ($0["sbd"] as? String) == fixture.slips[0].sbd })
                #expect(row["state"] as? String == "final" && row["graders"] as? [String] == ["giaovien"])
            }
            // A teacher's own grade can change; audited each time with the old and new total.
            var again = body; again["points"] = "1.75"
            try await client.execute(uri: grading + "/grades", method: .post, headers: Fixture.headers(cookie: teacher), body: Fixture.json(again)) {
                #expect($0.status == .ok)
            }
            let entries = try fixture.database.auditEntries(AuditQuery(action: "grade"))
            #expect(entries.count == 2)
            #expect(entries.contains { ($0.details ?? "").contains("\"previous\":\"1,5\"") && ($0.details ?? "").contains("\"points\":\"1,75\"") })

            // A coordinator sees the attempt beside the key with the answer log; a teacher may not.
            try await client.execute(uri: "/api/staff/exams/\(fixture.examPath)/candidates/\(fixture.slips[0].sbd)/attempt", method: .get,
                                     headers: Fixture.headers(cookie: coordinator)) { response in
                #expect(response.status == .ok)
                let detail = Fixture.object(response.body)
                let events = detail["events"] as? [String: Any] ?? [:]
                #expect(!events.isEmpty)
                #expect((detail["items"] as? [[String: Any]])?.first?["keyText"] != nil)
            }
            try await client.execute(uri: "/api/staff/exams/\(fixture.examPath)/candidates/\(fixture.slips[0].sbd)/attempt", method: .get,
                                     headers: Fixture.headers(cookie: teacher)) { #expect($0.status == .forbidden) }
        }
    }

    @Test("two rounds: blind to each other, mean within the threshold, a third grading beyond it; only listed graders")
    func twoRounds() async throws {
        let fixture = try Self.fixture()
        let grading = "/api/staff/grading/exams/" + fixture.examPath
        try await fixture.app().test(.router) { client in
            _ = try await Self.sit(fixture, client, slip: fixture.slips[0])
            _ = try await Self.sit(fixture, client, slip: fixture.slips[1])
            let coordinator = try await fixture.staffLogin(client, "dieuphoi")
            let first = try await fixture.staffLogin(client, "giaovien")
            let second = try await fixture.staffLogin(client, "giaovien2")
            let outsider = try await fixture.staffLogin(client, "giaovien3")
            let settings: [String: Any] = ["rounds": 2, "threshold": "0.5", "graders": ["giaovien", "giaovien2"]]
            try await client.execute(uri: "/api/staff/setup/exams/\(fixture.examPath)/grading", method: .put, headers: Fixture.headers(cookie: first),
                                     body: Fixture.json(settings)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/api/staff/setup/exams/\(fixture.examPath)/grading", method: .put, headers: Fixture.headers(cookie: coordinator),
                                     body: Fixture.json(settings)) { #expect($0.status == .ok) }
            try await client.execute(uri: grading, method: .get, headers: Fixture.headers(cookie: outsider)) { #expect($0.status == .forbidden) }

            let (a, b) = (fixture.slips[0], fixture.slips[1])
            let attempts = try await client.execute(uri: grading + "/questions/" + String(try Self.questionID(client, grading, first)), method: .get,
                                                    headers: Fixture.headers(cookie: first)) { Fixture.object($0.body)["answers"] as? [[String: Any]] ?? [] }
            func grade(_ cookie: String, _ slip: LoginSlip, _ points: String) async throws -> [String: Any] {
                let answer = attempts.first { ($0["sbd"] as? String) == slip.sbd }!
                return try await client.execute(uri: grading + "/grades", method: .post, headers: Fixture.headers(cookie: cookie),
                                                body: Fixture.json(["attempt": answer["attempt"]!, "item": answer["item"]!, "points": points])) { response in
                    #expect(response.status == .ok)
                    return Fixture.object(response.body)
                }
            }
            let one = try await grade(first, a, "1")
            #expect(one["final"] == nil && one["awaiting"] as? Int == 2)
            // The second grader does not see the first's points.
            let sheet = try await client.execute(uri: grading + "/questions/" + String(try Self.questionID(client, grading, second)), method: .get,
                                                 headers: Fixture.headers(cookie: second)) { Fixture.object($0.body)["answers"] as? [[String: Any]] ?? [] }
            let seen = try #require(sheet.first { ($0["sbd"] as? String) == a.sbd }?["rounds"] as? [[String: Any]])
            #expect(seen.count == 1 && seen[0]["points"] == nil && seen[0]["grader"] == nil)
            let two = try await grade(second, a, "1.25")
            #expect(two["final"] as? Double == 1.13, "the mean 1.125 rounded half-up")
            _ = try await grade(first, b, "0.5")
            let far = try await grade(second, b, "1.5")
            #expect(far["final"] == nil && far["awaiting"] as? Int == 3)
            let third = try await grade(coordinator, b, "1")
            #expect(third["final"] as? Double == 1)
            try await client.execute(uri: grading, method: .get, headers: Fixture.headers(cookie: coordinator)) { response in
                #expect(Fixture.object(response.body)["pending"] as? Int == 0)
            }
        }
    }

    static func questionID(_ client: some TestClientProtocol, _ grading: String, _ cookie: String) async throws -> Int {
        try await client.execute(uri: grading, method: .get, headers: Fixture.headers(cookie: cookie)) { response in
            ((Fixture.object(response.body)["questions"] as? [[String: Any]])?.first?["id"] as? Int) ?? -1
        }
    }

    @Test("review policies: none shows nothing, score the points, answers the candidate's own, key also the key and lời giải")
    func reviewPolicies() async throws {
        for policy in [ExamDefinition.ReviewPolicy.none, .score, .answers, .key] {
            let fixture = try Self.fixture(review: policy)
            try await fixture.app().test(.router) { client in
                let cookie = try await Self.sit(fixture, client, slip: fixture.slips[0])
                try await client.execute(uri: "/api/attempt/result", method: .get, headers: Fixture.headers(cookie: cookie)) { response in
                    let result = Fixture.object(response.body)
                    let items = result["items"] as? [[String: Any]]
                    #expect(result["review"] as? String == policy.rawValue)
                    #expect((result["score"] != nil) == (policy != .none), "\(policy)")
                    #expect((result["paper"] != nil) == (policy >= .answers), "\(policy)")
                    #expect((items?.first?["answer"] != nil) == (policy >= .answers), "\(policy)")
                    #expect((items?.first?["keyText"] != nil) == (policy == .key), "\(policy)")
                    if policy != .key { #expect(!String(buffer: response.body).contains("keyText")) }
                }
            }
        }
        // After release only, when the exam keeps results for later.
        let later = try Self.fixture(review: .key, results: .later)
        try await later.app().test(.router) { client in
            let cookie = try await Self.sit(later, client, slip: later.slips[0])
            try await client.execute(uri: "/api/attempt/result", method: .get, headers: Fixture.headers(cookie: cookie)) { response in
                #expect(!String(buffer: response.body).contains("keyText") && !String(buffer: response.body).contains("\"paper\""))
            }
            let coordinator = try await later.staffLogin(client, "dieuphoi")
            try await client.execute(uri: "/api/staff/exams/\(later.examPath)/release-results", method: .post, headers: Fixture.headers(cookie: coordinator),
                                     body: Fixture.json(["force": true, "reason": "đã hết giờ"])) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/attempt/result", method: .get, headers: Fixture.headers(cookie: cookie)) { response in
                #expect(String(buffer: response.body).contains("keyText"))
            }
        }
    }
}

@Suite("Item analysis from the pages")
struct StatisticsAPITests {
    @Test("coordinators get the statistics, the SVG charts and the sheets; others 403; stored figures are audited")
    func statistics() async throws {
        let fixture = try GradingAPITests.fixture()
        try await fixture.app().test(.router) { client in
            for (index, slip) in fixture.slips.prefix(8).enumerated() {
                _ = try await GradingAPITests.sit(fixture, client, slip: slip, choice: ["A", "B", "C", nil][index % 4])
            }
            let coordinator = try await fixture.staffLogin(client, "dieuphoi")
            let teacher = try await fixture.staffLogin(client, "giaovien")
            let base = "/api/staff/exams/\(fixture.examPath)/statistics"
            // Essays pending: every attempt is left out until graded.
            try await client.execute(uri: base, method: .get, headers: Fixture.headers(cookie: coordinator)) { response in
                let body = Fixture.object(response.body)
                #expect(response.status == .ok && body["attempts"] as? Int == 0 && body["pendingLeftOut"] as? Int == 8)
            }
            let grading = "/api/staff/grading/exams/" + fixture.examPath
            let question = try await GradingAPITests.questionID(client, grading, teacher)
            let answers = try await client.execute(uri: grading + "/questions/\(question)", method: .get, headers: Fixture.headers(cookie: teacher)) {
                Fixture.object($0.body)["answers"] as? [[String: Any]] ?? []
            }
            for (index, answer) in answers.enumerated() {
                try await client.execute(uri: grading + "/grades", method: .post, headers: Fixture.headers(cookie: teacher),
                                         body: Fixture.json(["attempt": answer["attempt"]!, "item": answer["item"]!, "points": ["0", "0.5", "1", "1.5", "2"][index % 5]])) {
                    #expect($0.status == .ok)
                }
            }
            try await client.execute(uri: base, method: .get, headers: Fixture.headers(cookie: coordinator)) { response in
                let body = Fixture.object(response.body)
                #expect(body["attempts"] as? Int == 8)
                let questions = body["questions"] as? [[String: Any]] ?? []
                #expect(!questions.isEmpty)
                // Two passes that must agree: the scores say how many got a single-choice question right, the
                // answers which option each picked (mapped back to the bank's order).
                var checked = 0
                for question in questions where question["kind"] as? String == "single-choice" {
                    let options = try #require(question["options"] as? [[String: Any]])
                    let facility = try #require((question["statistics"] as? [String: Any])?["facility"] as? Double)
                    let correct = options.filter { ($0["correct"] as? Bool) == true }.compactMap { $0["overall"] as? Double }.reduce(0, +)
                    #expect(abs(correct - facility) < 1e-9, "\(question["keys"] ?? "")")
                    let total = options.compactMap { $0["overall"] as? Double }.reduce(0, +) + (question["blank"] as? Double ?? 0)
                    #expect(abs(total - 1) < 1e-9, "every attempt picked one option or left it blank")
                    for group in ["top", "bottom"] {
                        let share = options.compactMap { $0[group] as? Double }.reduce(0, +)
                        #expect(share <= 1 + 1e-9)
                    }
                    checked += 1
                }
                #expect(checked > 0, "choice questions have their options counted")
            }
            for chart in ["histogram.svg", "scatter.svg"] {
                try await client.execute(uri: base + "/charts/" + chart, method: .get, headers: Fixture.headers(cookie: coordinator)) { response in
                    #expect(response.status == .ok && response.headers[.contentType]?.hasPrefix("image/svg+xml") == true)
                    #expect(String(buffer: response.body).hasPrefix("<svg") && String(buffer: response.body).contains("<rect"))
                }
                try await client.execute(uri: base + "/charts/" + chart, method: .get, headers: Fixture.headers(cookie: teacher)) { #expect($0.status == .forbidden) }
            }
            try await client.execute(uri: base + "/charts/nothing.svg", method: .get, headers: Fixture.headers(cookie: coordinator)) { #expect($0.status == .notFound) }
            try await client.execute(uri: base + "?format=xlsx", method: .get, headers: Fixture.headers(cookie: coordinator)) { response in
                #expect(response.status == .ok && Array(Data(buffer: response.body).prefix(2)) == [0x50, 0x4B])
            }
            try await client.execute(uri: base + "/store", method: .post, headers: Fixture.headers(cookie: teacher)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: base + "/store", method: .post, headers: Fixture.headers(cookie: coordinator)) { response in
                #expect(response.status == .ok && (Fixture.object(response.body)["questions"] as? Int ?? 0) > 0)
            }
            #expect(try fixture.database.auditEntries(AuditQuery(action: "exam.statistics")).count == 1)
        }
    }
}

@Suite("Regrade after a key is fixed")
struct RegradeAPITests {
    @Test("a teacher fixes a key in the bank; the coordinator's dry run lists the changes, nothing stored; the commit waits for the session's end, stores, audits; again changes nothing")
    func fixKeyAndRegrade() async throws {
        let fixture = try GradingAPITests.fixture()
        try await fixture.app().test(.router) { client in
            for slip in fixture.slips.prefix(6) { _ = try await GradingAPITests.sit(fixture, client, slip: slip) }
            let coordinator = try await fixture.staffLogin(client, "dieuphoi")
            let teacher = try await fixture.staffLogin(client, "giaovien")
            try fixture.database.setBankOwner(bank: "Làm quen — các dạng câu hỏi", owner: "giaovien", visibility: .school)
            // The first item of every paper was answered with its key; fix that question's key to another option.
            let paper = try fixture.database.paper(exam: fixture.exam, code: fixture.slips[0].paperCode)
            let questionID = paper.items[0].question.id
            let bank = "/api/staff/banks/" + "Làm quen — các dạng câu hỏi".addingPercentEncoding(withAllowedCharacters: .alphanumerics)! + "/questions/" + questionID
            let detail = try await client.execute(uri: bank, method: .get, headers: Fixture.headers(cookie: teacher)) { Fixture.object($0.body) }
            var question = try #require(detail["question"] as? [String: Any])
            let options = try #require(question["options"] as? [[String: Any]]).map { $0["id"] as! String }
            let old = try #require(question["answer"] as? String)
            question["answer"] = options.first { $0 != old }!
            try await client.execute(uri: bank, method: .put, headers: Fixture.headers(cookie: teacher),
                                     body: Fixture.json(["question": question, "baseRevision": detail["currentRevision"]!])) { #expect($0.status == .ok) }

            // Those whose first item is this question answered it with the old key; the others left it blank.
            let affected = try fixture.slips.prefix(6).filter { try fixture.database.paper(exam: fixture.exam, code: $0.paperCode).items[0].question.id == questionID }
            let regrade = "/api/staff/exams/\(fixture.examPath)/regrade"
            let before = try fixture.database.examResults(fixture.exam).compactMap(\.score)
            try await client.execute(uri: regrade, method: .post, headers: Fixture.headers(cookie: teacher), body: Fixture.json([:])) { #expect($0.status == .forbidden) }
            try await client.execute(uri: regrade, method: .post, headers: Fixture.headers(cookie: coordinator), body: Fixture.json([:])) { response in
                #expect(response.status == .ok)
                let report = Fixture.object(response.body)
                #expect(report["committed"] as? Bool == false)
                let questions = report["questions"] as? [[String: Any]] ?? []
                #expect(questions.count == 1 && questions.first?["questionID"] as? String == questionID)
                #expect((report["candidates"] as? [Any])?.count == affected.count && report["lowered"] as? Int == affected.count)
            }
            #expect(try fixture.database.examResults(fixture.exam).compactMap(\.score) == before, "a dry run stores nothing")
            try await client.execute(uri: regrade, method: .post, headers: Fixture.headers(cookie: coordinator), body: Fixture.json(["commit": true])) { response in
                #expect(response.status == .conflict && String(buffer: response.body).contains("sessionRunning"))
            }
            fixture.clock.set(Fixture.at(3100))
            try await client.execute(uri: regrade, method: .post, headers: Fixture.headers(cookie: coordinator), body: Fixture.json(["commit": true])) { response in
                #expect(response.status == .ok && Fixture.object(response.body)["committed"] as? Bool == true)
            }
            let after = try fixture.database.examResults(fixture.exam).compactMap(\.score)
            #expect(zip(before, after).filter { $1 < $0 }.count == affected.count && zip(before, after).allSatisfy { $1 <= $0 })
            #expect(try fixture.database.auditEntries(AuditQuery(action: "exam.key")).count == 1)
            #expect(try fixture.database.auditEntries(AuditQuery(action: "exam.regrade")).count == 1)
            // The candidate sees the new key and score; a second regrade finds nothing to do.
            try await client.execute(uri: regrade, method: .post, headers: Fixture.headers(cookie: coordinator), body: Fixture.json(["commit": true])) { response in
                let report = Fixture.object(response.body)
                #expect((report["questions"] as? [Any])?.isEmpty == true && (report["candidates"] as? [Any])?.isEmpty == true)
            }
            #expect(try fixture.database.examResults(fixture.exam).compactMap(\.score) == after)
            // Bad plans: a question not on the papers, a revision that does not exist.
            for plan in [["revisions": ["khong-co": 1]], ["revisions": [questionID: 99]], ["points": [questionID: "0"]]] as [[String: Any]] {
                try await client.execute(uri: regrade, method: .post, headers: Fixture.headers(cookie: coordinator), body: Fixture.json(plan)) { response in
                    #expect(response.status == .notFound || response.status == .badRequest)
                }
            }
        }
    }
}

@Suite("Autoscored questions sent to graders")
struct ReviewQuestionTests {
    @Test("a coordinator sends a choice question to graders; its score stands until graded, then the grade replaces it; taken back only before any grade")
    func reviewAChoiceQuestion() async throws {
        let fixture = try GradingAPITests.fixture()
        let grading = "/api/staff/grading/exams/" + fixture.examPath
        try await fixture.app().test(.router) { client in
            let slip = fixture.slips[0]
            _ = try await GradingAPITests.sit(fixture, client, slip: slip, choice: "A")
            let coordinator = try await fixture.staffLogin(client, "dieuphoi")
            let teacher = try await fixture.staffLogin(client, "giaovien")
            let paper = try fixture.database.paper(exam: fixture.exam, code: slip.paperCode)
            // A single choice after the first item, answered "A".
            let target = try #require(paper.items.dropFirst().first { if case .singleChoice = $0.question.body { true } else { false } })
            let revisions = try await client.execute(uri: grading, method: .get, headers: Fixture.headers(cookie: coordinator)) { Fixture.object($0.body) }
            #expect((revisions["questions"] as? [[String: Any]])?.allSatisfy { ($0["review"] as? Bool) == false } == true)
            let revision = try fixture.database.questionRevisionIDForTesting(exam: fixture.exam, code: slip.paperCode, key: target.key)
            let essay = try fixture.database.questionRevisionIDForTesting(exam: fixture.exam, code: slip.paperCode,
                                                                         key: paper.items.first { if case .essay = $0.question.body { true } else { false } }!.key)
            try await client.execute(uri: grading + "/review/\(essay)", method: .put, headers: Fixture.headers(cookie: coordinator), body: Fixture.json(["review": true])) {
                #expect($0.status == .badRequest, "essays are graded by hand anyway")
            }
            try await client.execute(uri: grading + "/review/\(revision)", method: .put, headers: Fixture.headers(cookie: teacher), body: Fixture.json(["review": true])) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: grading + "/review/\(revision)", method: .put, headers: Fixture.headers(cookie: coordinator), body: Fixture.json(["review": true])) {
                #expect($0.status == .noContent)
            }
            let sheet = try await client.execute(uri: grading + "/questions/\(revision)", method: .get, headers: Fixture.headers(cookie: teacher)) { response in
                #expect(response.status == .ok)
                return Fixture.object(response.body)
            }
            #expect((sheet["question"] as? [String: Any])?["review"] as? Bool == true)
            let answer = try #require((sheet["answers"] as? [[String: Any]])?.first { ($0["sbd"] as? String) == slip.sbd })
            #expect(answer["answer"] as? String == "A" && answer["scored"] != nil)
            let before = try #require(try fixture.database.examResults(fixture.exam).first { $0.sbd == slip.sbd }?.score)
            let full = target.points
            let scored = Points(hundredths: Int(((answer["scored"] as? Double) ?? 0) * 100 + 0.5))
            try await client.execute(uri: grading + "/grades", method: .post, headers: Fixture.headers(cookie: teacher),
                                     body: Fixture.json(["attempt": answer["attempt"]!, "item": answer["item"]!, "points": full.formatted()])) { #expect($0.status == .ok) }
            let after = try #require(try fixture.database.examResults(fixture.exam).first { $0.sbd == slip.sbd }?.score)
            #expect(after.hundredths - before.hundredths == (full - scored).hundredths, "the grade replaced the automatic score")
            try await client.execute(uri: grading + "/review/\(revision)", method: .put, headers: Fixture.headers(cookie: coordinator), body: Fixture.json(["review": false])) {
                #expect($0.status == .conflict, "graded answers keep the question with the graders")
            }
        }
    }
}
