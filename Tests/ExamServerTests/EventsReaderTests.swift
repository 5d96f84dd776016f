@testable import ExamServer
import ExamCore
import ExamStore
import Foundation
import NIOCore
import Testing

/// The hand-written reader of the answer-save body must agree with JSONDecoder on what it accepts and what
/// it makes of it.
@Suite("EventsReader agrees with JSONDecoder")
struct EventsReaderTests {
    static func decoder(_ text: String) -> (String, [ResponseEvent])? {
        guard let request = try? JSONDecoder.api.decode(CandidateAPI.EventsRequest.self, from: Data(text.utf8)) else { return nil }
        return (request.deviceToken, request.events)
    }

    static func reader(_ text: String) -> (String, [ResponseEvent])? {
        guard let read = try? EventsReader.read(Array(text.utf8)) else { return nil }
        return (read.deviceToken, read.events)
    }

    static let cases: [String] = [
        #"{"deviceToken":"t","events":[{"sequence":1,"item":"I.1","value":"A"}]}"#,
        #" { "events" : [ ] , "deviceToken" : "x" } "#,
        #"{"deviceToken":"t","events":[{"sequence":2,"item":"II.1","value":{"a":"Đ","b":"S","c":null}}]}"#,
        #"{"deviceToken":"t","events":[{"sequence":3,"item":"I.2","value":["A","C"]},{"sequence":4,"item":"III.1","value":0.50}]}"#,
        #"{"deviceToken":"t","events":[{"sequence":5,"item":"I.2","value":[1,true,"x"]}]}"#,
        #"{"deviceToken":"t","events":[{"sequence":5,"item":"I.2","value":[null]}]}"#,
        #"{"deviceToken":"t","events":[{"sequence":5,"item":"I.2","value":[[1]]}]}"#,
        #"{"deviceToken":"t","events":[{"sequence":5,"item":"I.2","value":{"a":{"b":1}}}]}"#,
        #"{"deviceToken":"t","events":[{"sequence":5,"item":"I.2","value":null}]}"#,
        #"{"deviceToken":"t","events":[{"sequence":5,"item":"II.1","value":{"a":[1],"a":"Đ"}}]}"#,
        #"{"deviceToken":"t","events":[{"sequence":5,"item":"II.1","value":{"a":"Đ","a":[1]}}]}"#,
        #"{"deviceToken":"t","events":[{"sequence":5,"sequence":6,"item":"I.2","value":"A","item":"I.3"}]}"#,
        #"{"deviceToken":"a","events":[],"deviceToken":"b"}"#,
        #"{"deviceToken":"t","events":[{"sequence":5,"item":"I.2","value":false}]}"#,
        #"{"deviceToken":"t","events":[{"sequence":5,"item":"I.2","value":-12.5e1}]}"#,
        #"{"deviceToken":"t","events":[{"sequence":5,"item":"I.2","value":"tab\there \"q\" \\ \/ \u00e0 \ud83d\ude00"}]}"#,
        #"{"deviceToken":"t","events":[{"sequence":5,"item":"I.2","value":"A","clientTime":"2026-11-29T03:30:41Z"}]}"#,
        #"{"deviceToken":"t","events":[{"sequence":5,"item":"I.2","value":"A","clientTime":"2026-11-29T03:30:41.123Z"}]}"#,
        #"{"deviceToken":"t","events":[{"sequence":5,"item":"I.2","value":"A","clientTime":"2026-11-29T10:30:41+07:00"}]}"#,
        #"{"deviceToken":"t","events":[{"sequence":5,"item":"I.2","value":"A","clientTime":null}]}"#,
        #"{"deviceToken":"t","events":[{"sequence":5,"item":"I.2","value":"A","clientTime":"hôm qua"}]}"#,
        #"{"deviceToken":"t","events":[{"sequence":5,"item":"I.2","value":"A","extra":[1,2,{"x":null}]}],"other":1}"#,
        #"{"deviceToken":"t","events":[{"sequence":"5","item":"I.2","value":"A"}]}"#,
        #"{"deviceToken":"t","events":[{"sequence":5.5,"item":"I.2","value":"A"}]}"#,
        #"{"deviceToken":"t","events":[{"sequence":99999999999999999999,"item":"I.2","value":"A"}]}"#,
        #"{"deviceToken":"t","events":[{"sequence":5,"item":7,"value":"A"}]}"#,
        #"{"deviceToken":"t","events":[{"sequence":5,"item":"I.2"}]}"#,
        #"{"deviceToken":"t","events":[{"item":"I.2","value":"A"}]}"#,
        #"{"deviceToken":"t","events":{}}"#,
        #"{"deviceToken":1,"events":[]}"#,
        #"{"events":[]}"#,
        #"[]"#, #""#, #"{"#, #"{"deviceToken":"t","events":[]} x"#, #"{"deviceToken":"t","events":[],}"#,
        #"{"deviceToken":"t","events":[{"sequence":05,"item":"I.2","value":"A"}]}"#,
        #"{"deviceToken":"t","events":[{"sequence":5,"item":"I.2","value":"bad \x escape"}]}"#,
        #"{"deviceToken":"t","events":[{"sequence":5,"item":"I.2","value":"line"#, "\nbreak\"}]}",
        #"{"deviceToken":"t","events":[{"sequence":-3,"item":"I.2","value":tru}]}"#,
    ]

    /// JSON that Foundation's decoder lets through (a trailing comma, an unknown escape) but the grammar
    /// forbids: the reader refuses it.
    static let invalidButTolerated: Set<String> = [
        #"{"deviceToken":"t","events":[],}"#,
        #"{"deviceToken":"t","events":[{"sequence":5,"item":"I.2","value":"bad \x escape"}]}"#,
    ]

    @Test("hand-written cases", arguments: cases)
    func written(_ text: String) {
        if Self.invalidButTolerated.contains(text) {
            #expect(Self.reader(text) == nil)
            return
        }
        let expected = Self.decoder(text), got = Self.reader(text)
        #expect(expected?.0 == got?.0 && expected?.1 == got?.1, "\(text): decoder \(String(describing: expected)), reader \(String(describing: got))")
    }

    @Test("random requests")
    func random() {
        var generator = SeededGenerator(seed: 7)
        func scalar() -> String {
            switch Int.random(in: 0..<6, using: &generator) {
            case 0: return "\"" + ["A", "Đ", "0,5", "", "x y", "\\u0041\\n"].randomElement(using: &generator)! + "\""
            case 1: return ["0", "-1", "2.25", "1e3", "0.10", "7"].randomElement(using: &generator)!
            case 2: return Bool.random(using: &generator) ? "true" : "false"
            case 3: return "null"
            case 4: return "[" + (0..<Int.random(in: 0..<3, using: &generator)).map { _ in "\"B\"" }.joined(separator: ",") + "]"
            default: return "{\"a\":\"Đ\",\"b\":" + (Bool.random(using: &generator) ? "null" : "\"S\"") + "}"
            }
        }
        for _ in 0..<400 {
            let events = (0..<Int.random(in: 0..<4, using: &generator)).map { index -> String in
                var fields = ["\"sequence\":\(Int.random(in: -2..<100_000, using: &generator))", "\"item\":\"I.\(index)\"", "\"value\":" + scalar()]
                if Bool.random(using: &generator) { fields.append("\"clientTime\":" + ["null", "\"2026-11-29T03:30:41.5Z\"", "\"2026-11-29T03:30:41Z\""].randomElement(using: &generator)!) }
                if Int.random(in: 0..<8, using: &generator) == 0 { fields.removeFirst() }
                fields.shuffle(using: &generator)
                let space = [" ", "", "\n"].randomElement(using: &generator)!
                return "{" + fields.joined(separator: "," + space) + "}"
            }
            let text = "{\"deviceToken\":\"tok\",\"events\":[" + events.joined(separator: ",") + "]}"
            let expected = Self.decoder(text), got = Self.reader(text)
            #expect(expected?.0 == got?.0 && expected?.1 == got?.1, "\(text)")
        }
    }

    static let logins: [String] = [
        #"{"exam":"Thi thử","sbd":"0001","accessCode":"ABCD1234"}"#,
        #" { "accessCode" : "x" , "sbd" : "\u0030\u0031", "exam" : "Đề \"1\"" } "#,
        #"{"exam":"a","sbd":"b","accessCode":"c","extra":[1,{"d":null}]}"#,
        #"{"exam":"a","exam":"z","sbd":"b","accessCode":"c"}"#,
        #"{"exam":"a","sbd":"b","accessCode":"c",}"#,
        #"{"exam":"a","sbd":"b"}"#,
        #"{"exam":"a","sbd":1,"accessCode":"c"}"#,
        #"{"exam":"a","sbd":null,"accessCode":"c"}"#,
        #"{"exam":"a","sbd":"b","accessCode":"\x"}"#,
        #"["exam","a"]"#,
        #"{"exam":"a","sbd":"b","accessCode":"c"} x"#,
        "", "{", "null",
    ]

    @Test("the login body: the same request or the same error as JSONDecoder", arguments: logins)
    func login(_ text: String) {
        var buffer = ByteBuffer()
        buffer.writeString(text)
        let expected = Result { try CandidateAPI.decode(CandidateAPI.LoginRequest.self, from: buffer) }
        let got = Result { try CandidateAPI.loginRequest(buffer) }
        switch (expected, got) {
        case let (.success(a), .success(b)): #expect(a == b, "\(text)")
        case let (.failure(a as APIError), .failure(b as APIError)): #expect(a.message == b.message && a.field == b.field && a.status == b.status, "\(text)")
        default: Issue.record("\(text): decoder \(expected), reader \(got)")
        }
    }
}
