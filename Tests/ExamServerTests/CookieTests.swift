@testable import ExamServer
import Hummingbird
import Testing

/// The session routes read their one cookie by hand (`Request.cookie`); it must find what Hummingbird's
/// `cookies[name]` finds, for every way a browser or a client may send the Cookie header.
@Suite("Cookie reading agrees with Hummingbird")
struct CookieTests {
    static let headers: [[String]] = [
        [],
        [""],
        ["khaothi_session=abc.def"],
        ["a=1; khaothi_session=abc.def; b=2"],
        ["a=1;khaothi_session=abc.def"],
        ["  khaothi_session=x"],
        ["khaothi_session=first; khaothi_session=second"],
        ["other=1", "khaothi_session=in-the-second-header"],
        ["khaothi_session"],
        ["khaothi_session=; a=1"],
        ["khaothi_session=a=b=c"],
        ["khaothi_sessionX=1; Xkhaothi_session=2"],
        ["khaothi_session =spaced"],
        ["a=%41%42; khaothi_session=%7Bpercent%7D"],
        ["lang=en; khaothi_staff=s.t; khaothi_session=v.w"],
        [";;; khaothi_session=after-empties ;"],
        ["tên=Đức; khaothi_session=ô.ư"],
        ["a=1;\u{00A0}khaothi_session=after-a-no-break-space"],
        ["\u{3000}khaothi_session=after-an-ideographic-space; lang=vi"],
        ["a=1;\u{00A0}khaothi_session=x", "khaothi_session=y"],
    ]

    @Test("the same value or the same absence", arguments: headers)
    func agrees(_ cookieHeaders: [String]) {
        for name in ["khaothi_session", "khaothi_staff", "lang", "a", "missing"] {
            let expected = Cookies(from: cookieHeaders)[name]?.value
            #expect(Request.cookie(name, in: cookieHeaders) == expected, "\(cookieHeaders) \(name)")
        }
    }
}
