import Foundation
import Testing

@Suite("khaothi exam commands")
struct ExamCLITests {
    @Test("create, import candidates, prepare with slips, status, results as CSV with BOM; bad input refused")
    func examFlow() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("k.sqlite").path
        let exam = "Giữa kỳ I – Lịch sử 12"
        #expect(try CLI.run(["bank", "import", "QuestionBanks/lich-su-12/lich-su-12.yaml", "--db", db]).status == 0)
        #expect(try CLI.run(["blueprint", "import", "QuestionBanks/lich-su-12/blueprint.json", "--db", db]).status == 0)
        let noSession = try CLI.run(["exam", "create", exam, "--bank", "Lịch sử 12", "--blueprint", "Lịch sử 12 — đề theo mẫu 2025", "--room", "P1", "--db", db])
        #expect(noSession.status == 1 && noSession.err.contains("--session"))
        let badTime = try CLI.run(["exam", "create", exam, "--bank", "Lịch sử 12", "--blueprint", "Lịch sử 12 — đề theo mẫu 2025",
                                   "--session", "Ca 1=ngày mai", "--room", "P1", "--db", db])
        #expect(badTime.status == 1 && badTime.err.contains("ngày mai"))
        let created = try CLI.run(["exam", "create", exam, "--bank", "Lịch sử 12", "--blueprint", "Lịch sử 12 — đề theo mẫu 2025", "--codes", "6",
                                   "--session", "Ca 1=2026-12-01 07:30", "--room", "P101", "--room", "P102", "--db", db])
        #expect(created.status == 0, "\(created.err)")
        let imported = try CLI.run(["exam", "candidates", "import", exam, "QuestionBanks/samples/danh-sach-12A.csv", "--db", db])
        #expect(imported.out.contains("40 thí sinh mới"), "\(imported.err)")
        let slips = dir.appendingPathComponent("slips").path
        let prepared = try CLI.run(["exam", "prepare", exam, "--slips", slips, "--db", db])
        #expect(prepared.status == 0, "\(prepared.err)")
        let pages = try FileManager.default.contentsOfDirectory(atPath: slips).sorted()
        #expect(pages == ["phieu-giua-ky-i-lich-su-12-ca-1-p101.html", "phieu-giua-ky-i-lich-su-12-ca-1-p102.html"], "named after the exam too: two exams never overwrite each other")
        let page = try String(contentsOfFile: slips + "/" + pages[0], encoding: .utf8)
        #expect(page.components(separatedBy: "class=\"slip\"").count - 1 == 20)
        #expect(page.contains("Mã truy cập"))
        let status = try CLI.run(["exam", "status", exam, "--json", "--db", db])
        let json = try JSONSerialization.jsonObject(with: Data(status.out.utf8)) as! [String: Any]
        #expect(json["papers"] as? Int == 6 && json["candidates"] as? Int == 40)
        let csv = dir.appendingPathComponent("kq.csv").path
        #expect(try CLI.run(["exam", "results", exam, "--out", csv, "--db", db]).status == 0)
        let raw = try Data(contentsOf: URL(fileURLWithPath: csv))
        #expect(Array(raw.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let sheet = String(decoding: raw.dropFirst(3), as: UTF8.self)
        #expect(sheet.hasPrefix("SBD,Mã học sinh,Họ và tên,Lớp,Phòng,Ca thi,Mã đề,Điểm,Trạng thái,Người chấm"))
        #expect(sheet.contains(",chưa thi,"), "every candidate's state is written")
        let table = try CLI.run(["exam", "results", exam, "--format", "table", "--room", "P102", "--db", db])
        #expect(table.status == 0 && table.out.contains("chưa thi") && !table.out.contains("P101"))
        #expect(try CLI.run(["exam", "results", exam, "--separator", "|", "--db", db]).status == 1)
        let stats = try CLI.run(["exam", "stats", exam, "--json", "--db", db])
        let statsJSON = try JSONSerialization.jsonObject(with: Data(stats.out.utf8)) as? [String: Any]
        #expect(stats.status == 0 && statsJSON?["attempts"] as? Int == 0)
        let regrade = try CLI.run(["exam", "regrade", exam, "--dry-run", "--db", db])
        #expect(regrade.status == 0 && regrade.out.contains("dry run"))
        #expect(try CLI.run(["exam", "regrade", exam, "--revision", "khong-co=2", "--db", db]).status == 1)
        let exported = dir.appendingPathComponent("kq.xlsx").path
        #expect(try CLI.run(["export", "results", exam, "--out", exported, "--db", db]).status == 0)
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: exported)).prefix(2)) == [0x50, 0x4B])
        #expect(try CLI.run(["export", "stats", exam, "--format", "csv", "--separator", ";", "--out", dir.appendingPathComponent("tk.csv").path, "--db", db]).status == 0)
        #expect(try CLI.run(["export", "gradebook", "--year", "2026-2027", "--class", "12A1", "--subject", "Toán", "--out", exported, "--db", db]).status == 1,
                "no such subject or class yet")
        #expect(try CLI.run(["exam", "prepare", exam, "--slips", slips, "--db", db]).status == 1, "prepared once")
        #expect(try CLI.run(["exam", "slips", exam, "--out", slips, "--db", db]).status == 1, "reprinting needs --reset-codes")
        #expect(try CLI.run(["exam", "slips", exam, "--room", "P102", "--reset-codes", "--out", dir.appendingPathComponent("new").path, "--db", db]).status == 0)
    }
}
