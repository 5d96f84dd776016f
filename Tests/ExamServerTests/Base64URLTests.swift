@testable import ExamServer
import Foundation
import Testing

/// Session tokens are written in base64url by hand (`SessionSigner.base64URL`); it must spell what Foundation's
/// base64 spells with `+/` turned into `-_` and the padding dropped, and read back exactly that.
@Suite("Base64url of session tokens agrees with Foundation")
struct Base64URLTests {
    static func foundation(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func foundation(decoding text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }

    @Test("every length from 0 to 80, random bytes: the same text as Foundation's, read back to the same bytes")
    func roundTrip() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...80 {
            for _ in 0..<50 {
                let data = Data((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
                let text = SessionSigner.base64URL(data)
                #expect(text == Self.foundation(data))
                #expect(SessionSigner.fromBase64URL(Substring(text)) == data)
            }
        }
        // All 64 digits, in both directions.
        let all = Data((0..<48).map { UInt8($0 * 5 % 256) })
        #expect(SessionSigner.base64URL(Data([0xfb, 0xff, 0xbf])) == "-_-_")
        #expect(SessionSigner.fromBase64URL("-_-_") == Data([0xfb, 0xff, 0xbf]))
        #expect(SessionSigner.fromBase64URL(Substring(SessionSigner.base64URL(all))) == all)
    }

    @Test("refused: other characters, padding, a length no encoding has, bits left over; what is read, Foundation reads the same")
    func refusals() {
        for text in ["A", "AAAAA", "a+b0", "ab/0", "QQ==", "QQ=", "é0", "ab c", "AB", "QR", "QUJ"] {
            #expect(SessionSigner.fromBase64URL(Substring(text)) == nil, "\(text)")
        }
        #expect(SessionSigner.fromBase64URL("QQ") == Data("A".utf8))
        #expect(SessionSigner.fromBase64URL("QUI") == Data("AB".utf8))
        #expect(SessionSigner.fromBase64URL("") == Data())
        let digits = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/.")
        for _ in 0..<20_000 {
            let text = String((0..<Int.random(in: 0...9)).map { _ in digits.randomElement()! })
            if let data = SessionSigner.fromBase64URL(Substring(text)) {
                #expect(Self.foundation(decoding: text) == data, "\(text)")
                #expect(SessionSigner.base64URL(data) == text, "\(text)")
            }
        }
    }
}
