import BankFormats
import ExamCore
@testable import ExamServer
import ExamStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Domain codes to HTTP, and the hand-made JSON of the hot routes")
struct ErrorMappingTests {
    @Test("each store code has its status", arguments: [
        (StoreError.Code.notFound, HTTPResponse.Status.notFound), (.invalid, .badRequest), (.importRefused, .unprocessableContent),
        (.forbidden, .forbidden), (.shuttingDown, .serviceUnavailable), (.unavailable, .serviceUnavailable), (.takenOver, .conflict), (.timeUp, .conflict),
        (.alreadySubmitted, .conflict), (.notOpenYet, .conflict), (.lateEntryClosed, .conflict), (.notStarted, .conflict),
        (.paused, .conflict), (.notPaused, .conflict), (.sessionOver, .conflict), (.notSubmitted, .conflict), (.notPrepared, .conflict),
        (.alreadyPrepared, .conflict), (.exists, .conflict), (.inUse, .conflict), (.staleRevision, .conflict), (.sessionRunning, .conflict), (.alreadyStarted, .conflict), (.moveNeedsProctor, .conflict),
    ])
    func statuses(_ code: StoreError.Code, _ status: HTTPResponse.Status) {
        #expect(StoreError(code, "x").status == status)
    }

    @Test("the body carries the code, the message and the field")
    func body() throws {
        let error = APIError(.badRequest, code: "invalid", "số phút / minutes", field: "minutes")
        let object = try #require(try JSONSerialization.jsonObject(with: error.body) as? [String: [String: String]])
        #expect(object["error"] == ["code": "invalid", "message": "số phút / minutes", "field": "minutes"])
    }

    @Test("over the API: a takeover, a time-up, a bad item, a missing session and a missing header each answer with their code")
    func routes() async throws {
        let fixture = try Fixture()
        fixture.clock.set(Fixture.at(10))
        try await fixture.app().test(.router) { client in
            let cookie = try await fixture.login(client, slip: fixture.slips[0])
            let first = try await fixture.start(client, cookie: cookie)
            let item = try #require(((first["paper"] as? [String: Any])?["parts"] as? [[String: Any]])?.first?["items"] as? [[String: Any]])[0]["key"] as! String
            _ = try await fixture.start(client, cookie: cookie)
            func send(_ token: String, _ item: String, sequence: Int = 1) async throws -> (HTTPResponse.Status, [String: Any]) {
                try await client.execute(uri: "/api/attempt/events", method: .post, headers: Fixture.headers(cookie: cookie),
                                         body: Fixture.json(["deviceToken": token, "events": [["sequence": sequence, "item": item, "value": "A"]]])) {
                    ($0.status, (Fixture.object($0.body)["error"] as? [String: Any]) ?? [:])
                }
            }
            let (status, error) = try await send(first["deviceToken"] as! String, item)
            #expect(status == .conflict && error["code"] as? String == "takenOver")
            let current = try await fixture.start(client, cookie: cookie)
            let (badStatus, bad) = try await send(current["deviceToken"] as! String, "IX.99")
            #expect(badStatus == .badRequest && bad["code"] as? String == "invalid" && bad["field"] as? String == "events[0].item")
            fixture.clock.set(Fixture.at(3100))
            let (lateStatus, late) = try await send(current["deviceToken"] as! String, item, sequence: 2)
            #expect(lateStatus == .conflict && late["code"] as? String == "timeUp")
            try await client.execute(uri: "/api/me", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect((Fixture.object(response.body)["error"] as? [String: Any])?["code"] as? String == "notSignedIn")
            }
            try await client.execute(uri: "/api/attempt/submit", method: .post, headers: Fixture.headers(cookie: cookie, sameOrigin: false),
                                     body: Fixture.json(["deviceToken": "x"])) { response in
                #expect(response.status == .forbidden)
                #expect((Fixture.object(response.body)["error"] as? [String: Any])?["code"] as? String == "missingHeader")
            }
        }
    }

    @Test("the start answer made by hand reads as JSONEncoder's, and its paper is the encoder's bytes exactly")
    func startBytes() throws {
        let fixture = try Fixture()
        let paper = try fixture.database.paper(exam: fixture.exam, code: fixture.slips[0].paperCode)
        let encoder = JSONEncoder.api
        let paperBytes = Array(try encoder.encode(CandidatePaper(paper)))
        let media: [String: [String: String]] = ["I.3": ["hình 1.png": "/api/media/abc"]]
        let started = StartedAttempt(attemptID: 7, deviceToken: "tok\"en/1",
                                     status: AttemptStatus(state: .inProgress, deadline: Date(timeIntervalSince1970: 1_800_003_000), remainingSeconds: 2990,
                                                           paused: false, deviceToken: "tok\"en/1"),
                                     lastSequence: 4, responses: ["I.1": "\"B\"", "II.1": "{\"a\":\"Đ\"}", "I.2\t": "[\"A\",\"C\"]"], paperID: 1)
        let response = CandidateAPI.StartResponse(started: started, paper: .init(paper: paperBytes, media: Array(try encoder.encode(media)), revision: 0),
                                                  serverTime: Date(timeIntervalSince1970: 1_800_000_010))
        struct Expected: Encodable {
            var attemptID: Int64; var deviceToken: String; var state: Attempt.State; var deadline: Date?; var remainingSeconds: Int; var paused: Bool
            var lastSequence: Int; var responses: [String: ResponseValue]; var paper: CandidatePaper; var media: [String: [String: String]]; var serverTime: Date
        }
        let expected = Expected(attemptID: 7, deviceToken: "tok\"en/1", state: .inProgress, deadline: Date(timeIntervalSince1970: 1_800_003_000),
                                remainingSeconds: 2990, paused: false, lastSequence: 4,
                                responses: ["I.1": .text("B"), "II.1": .map(["a": "Đ"]), "I.2\t": .list(["A", "C"])],
                                paper: CandidatePaper(paper), media: media, serverTime: Date(timeIntervalSince1970: 1_800_000_010))
        var json = response.json
        let bytes = json.close()
        let made = try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary
        let encoded = try JSONSerialization.jsonObject(with: try encoder.encode(expected)) as? NSDictionary
        #expect(made != nil && made == encoded)
        #expect(String(decoding: bytes, as: UTF8.self).contains(String(decoding: paperBytes, as: UTF8.self)))
    }

    static let texts = ["", "Hà Nội", "a\"b\\c/d", "tab\there\nnew\r\u{08}\u{0C}", "\u{01}\u{1F}\u{7F}", "😀 ₫"]

    @Test("JSON strings escaped as JSONEncoder escapes them", arguments: texts)
    func strings(_ text: String) throws {
        let expected = Array(try JSONEncoder().encode([text]).dropFirst().dropLast())
        var made: [UInt8] = []
        JSONObject.append(string: text, to: &made)
        #expect(made == expected)
    }

    /// JSONEncoder writes an object's keys in no fixed order on Linux, so the objects are compared (every key and
    /// value the same, nothing more or less); the strings in them are held byte-exact by `strings` above.
    @Test("me, state and events answers say what JSONEncoder says, with and without their optional fields")
    func handWrittenAnswers() throws {
        let encoder = JSONEncoder.api
        func same<T: Encodable>(_ value: T, _ json: JSONObject) throws {
            var json = json
            let made = try JSONSerialization.jsonObject(with: Data(json.close())) as? NSDictionary
            let encoded = try JSONSerialization.jsonObject(with: try encoder.encode(value)) as? NSDictionary
            #expect(made != nil && made == encoded)
        }
        let now = Date(timeIntervalSince1970: 1_800_000_123)
        for text in Self.texts {
            let full = CandidateAPI.Candidate(exam: "Thi \(text)", subject: "Vật lí", sbd: "0001", fullName: text, className: "12A/1", dateOfBirth: "2008-05-01",
                                              room: "P101", session: "Ca 1", opensAt: now, durationMinutes: 50, attemptState: .inProgress, serverTime: now)
            try same(full, full.json)
        }
        let bare = CandidateAPI.Candidate(exam: "E", subject: "S", sbd: "1", fullName: "N", className: nil, dateOfBirth: nil, room: nil, session: nil,
                                          opensAt: nil, durationMinutes: nil, attemptState: .notStarted, serverTime: now)
        try same(bare, bare.json)
        for deadline in [now, nil] {
            let state = CandidateAPI.StateResponse(state: .submitted, deadline: deadline, remainingSeconds: 0, paused: true, activeHere: false, serverTime: now)
            try same(state, state.json)
            let events = CandidateAPI.EventsResponse(acknowledged: [1, 20, 300], deadline: deadline, serverTime: now)
            try same(events, events.json)
        }
    }
}

@Suite("A hostile class list cannot reach a spreadsheet as formulas")
struct HostileClassListTests {
    @Test("names like =cmd|… and @SUM(…) in the class list come out of the score sheet neutralised")
    func scoreSheet() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("khaothi-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let list = directory.appendingPathComponent("lop.csv")
        try Data("""
            Mã học sinh,Họ và tên,Ngày sinh,Lớp
            HS001,=cmd|' /C calc'!A0,01/02/2008,12A
            HS002,"=HYPERLINK(""http://x"",""bấm"")",02/03/2008,12A
            HS003,@SUM(1+1),03/04/2008,+12A
            """.utf8).write(to: list)
        let (entries, problems) = try RosterFormat.read(list)
        #expect(problems.isEmpty && entries.count == 3)
        let fixture = try Fixture()
        let database = fixture.database
        let blueprint = try JSONDecoder().decode(Blueprint.self, from: Data(contentsOf: Fixture.root.appendingPathComponent("QuestionBanks/vat-li-12/blueprint.json")))
        try database.createExam(ExamDefinition(name: "Độc hại", bank: "Vật lí 12", blueprint: blueprint, codeCount: 2, seed: 1,
                                               sessions: [.init(name: "Ca 1", timing: SessionTiming(opensAt: Fixture.opens, durationSeconds: 600))], rooms: ["P1"]))
        _ = try database.importCandidates(exam: "Độc hại", entries: entries)
        _ = try database.prepareExam("Độc hại")
        let sheet = String(decoding: ScoreSheet.csv(try database.examResults("Độc hại")), as: UTF8.self)
        for line in sheet.split(separator: "\r\n").dropFirst() {
            for cell in line.split(separator: ",") {
                let value = cell.hasPrefix("\"") ? cell.dropFirst() : cell
                #expect(!(value.first.map { "=+-@".contains($0) } ?? false), "\(line)")
            }
        }
        #expect(sheet.contains("'=cmd|' /C calc'!A0") && sheet.contains("'@SUM(1+1)") && sheet.contains("'+12A"))
    }
}
