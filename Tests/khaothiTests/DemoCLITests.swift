import Foundation
import PostgresTesting
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("khaothi demo and staff")
struct DemoCLITests {
    @Test("demo builds its database from QuestionBanks/: every bank, two exams open now with 40 candidates each, staff logins for every role")
    func demo() throws {
        let directory = try CLI.temporaryDirectory()
        let db = directory.appendingPathComponent("demo.sqlite").path
        let logins = directory.appendingPathComponent("logins.json").path
        let result = try CLI.run(["demo", "--no-serve", "--db", db, "--logins-out", logins, "--port", "8123"])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("http://127.0.0.1:8123/"))
        #expect(result.out.contains("http://127.0.0.1:8123/staff"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: logins))) as? [String: Any] ?? [:]
        let exams = json["exams"] as? [[String: Any]] ?? []
        #expect(exams.count == 2)
        #expect(exams.allSatisfy { ($0["candidates"] as? [Any])?.count == 40 })
        #expect((json["staff"] as? [[String: Any]])?.map { $0["role"] as? String } == ["admin", "coordinator", "proctor", "teacher"])
        let banks = try CLI.run(["bank", "list", "--db", db])
        for bank in ["Toán 12", "Vật lí 12", "Lịch sử 12", "Tiếng Anh 12", "Làm quen — các dạng câu hỏi"] { #expect(banks.out.contains(bank)) }
        let status = try CLI.run(["exam", "status", "Demo — Làm quen (mọi dạng câu hỏi)", "--db", db, "--json"])
        #expect(status.out.contains("\"state\" : \"prepared\"") || status.out.contains("\"state\":\"prepared\""))
        // Run again: the demo database is rebuilt, not added to.
        #expect(try CLI.run(["demo", "--no-serve", "--db", db]).status == 0)
        #expect(try CLI.run(["exam", "list", "--db", db]).out.split(separator: "\n").count == 2)
    }

    @Test("a missing Web/ directory is named, with how to give it")
    func missingWeb() throws {
        let result = try CLI.run(["serve", "--web", "/nonexistent/Web", "--port", "8124", "--db", try CLI.temporaryDirectory().appendingPathComponent("x.sqlite").path])
        #expect(result.status == 1)
        #expect(result.err.contains("/nonexistent/Web") && result.err.contains("KHAOTHI_WEB"))
    }

    @Test("--event-loops outside 1…256 is refused with the range, before anything is opened")
    func eventLoopsRange() throws {
        for count in ["0", "257"] {
            let result = try CLI.run(["serve", "--api-only", "--event-loops", count, "--db", try CLI.temporaryDirectory().appendingPathComponent("e.sqlite").path])
            #expect(result.status != 0 && result.err.contains("--event-loops") && result.err.contains("1 to 256"), "\(result.err)")
        }
    }

    @Test("a port already in use is named, with what to do, exit 1")
    func portInUse() throws {
        // Hold a port on 127.0.0.1, then ask the server for it.
        let (fd, port) = try LocalPort.hold()
        defer { close(fd) }
        let result = try CLI.run(["serve", "--api-only", "--port", String(port), "--db", try CLI.temporaryDirectory().appendingPathComponent("p.sqlite").path])
        #expect(result.status == 1)
        #expect(result.err.contains("127.0.0.1:\(port)") && result.err.contains("--port"), "\(result.err)")
    }

    @Test("staff add makes up a password and stores a bcrypt hash; bad roles refused; list")
    func staff() throws {
        let db = try CLI.temporaryDirectory().appendingPathComponent("staff.sqlite").path
        let added = try CLI.run(["staff", "add", "giamthi1", "--role", "proctor", "--name", "Nguyễn Văn Giám", "--db", db])
        #expect(added.status == 0, "\(added.err)")
        #expect(added.out.range(of: #"password: \S{12}"#, options: .regularExpression) != nil)
        let bad = try CLI.run(["staff", "add", "x", "--role", "boss", "--db", db])
        #expect(bad.status == 1 && bad.err.contains("proctor"))
        let listed = try CLI.run(["staff", "list", "--db", db])
        #expect(listed.out.contains("giamthi1\tproctor\tNguyễn Văn Giám"))
    }
}
