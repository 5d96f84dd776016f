@testable import ExamServer
import Foundation
import Testing

@Suite("Hand-written JSON of the answer-save route")
struct ISOTimeTests {
    @Test("ISO 8601 dates as the API's JSONEncoder writes them", arguments: [0, 1, 951_782_400, 1_800_000_000, 1_800_000_000.9, 4_102_444_799, -86_401])
    func dates(_ seconds: Double) throws {
        let date = Date(timeIntervalSince1970: seconds)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let expected = String(decoding: try encoder.encode([date]), as: UTF8.self).dropFirst(2).dropLast(2)
        #expect(ISOTime.string(date) == String(expected))
    }

    @Test("the events answer reads back with the API's decoder")
    func eventsResponse() throws {
        struct Read: Decodable { var acknowledged: [Int]; var deadline: Date?; var serverTime: Date }
        let response = CandidateAPI.EventsResponse(acknowledged: [3, 4, 9], deadline: Date(timeIntervalSince1970: 1_800_003_000),
                                                   serverTime: Date(timeIntervalSince1970: 1_800_000_000))
        var json = response.json
        let read = try JSONDecoder.api.decode(Read.self, from: Data(json.close()))
        #expect(read.acknowledged == [3, 4, 9])
        #expect(read.deadline == Date(timeIntervalSince1970: 1_800_003_000))
        #expect(read.serverTime == Date(timeIntervalSince1970: 1_800_000_000))
        let noDeadline = CandidateAPI.EventsResponse(acknowledged: [], deadline: nil, serverTime: Date(timeIntervalSince1970: 0))
        var empty = noDeadline.json
        #expect(String(decoding: empty.close(), as: UTF8.self) == #"{"acknowledged":[],"serverTime":"1970-01-01T00:00:00Z"}"#)
    }
}
