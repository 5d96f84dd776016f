import Foundation
import PostgresTesting
import Testing

@Suite("khaothi bank, blueprint and db commands")
struct BankCLITests {
    @Test("a folder imports every bank file under it; files that are not banks are named and skipped; an empty file is refused")
    func importFolder() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("k.sqlite").path
        let imported = try CLI.run(["bank", "import", "QuestionBanks", "--db", db, "--json"])
        #expect(imported.status == 0, "\(imported.err)")
        let reports = try JSONSerialization.jsonObject(with: Data(imported.out.utf8)) as! [[String: Any]]
        #expect(reports.count == 6, "five sample banks and the JSON sample")
        #expect(imported.err.contains("blueprint.json: bỏ qua") && imported.err.contains("danh-sach-12A.csv: bỏ qua"))
        let empty = dir.appendingPathComponent("trong.gift")
        try Data("// chỉ có chú thích\n".utf8).write(to: empty)
        let refused = try CLI.run(["bank", "validate", empty.path])
        #expect(refused.status == 1 && (refused.out + refused.err).contains("no question found"))
    }

    @Test("import twice is idempotent; list, search, show, export in every format, validate exit codes")
    func bankLifecycle() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("k.sqlite").path
        let bank = "QuestionBanks/toan-12/toan-12.yaml"
        let first = try CLI.run(["bank", "import", bank, "--db", db, "--json"])
        #expect(first.status == 0, "\(first.err)")
        let report = try JSONSerialization.jsonObject(with: Data(first.out.utf8)) as! [[String: Any]]
        let summary = report[0]["summary"] as! [String: Any]
        #expect(summary["added"] as? Int == 73)
        #expect(summary["mediaAdded"] as? Int == 1)
        let second = try CLI.run(["bank", "import", bank, "--db", db])
        #expect(second.out.contains("0 mới / new, 0 sửa / revised, 73 giữ nguyên / unchanged"))

        let list = try CLI.run(["bank", "list", "--db", db])
        #expect(list.out.contains("Toán 12\tToán\t73 câu"))
        let search = try CLI.run(["bank", "search", "tich phan", "--kind", "numeric", "--db", db, "--json"])
        let hits = try JSONSerialization.jsonObject(with: Data(search.out.utf8)) as! [[String: Any]]
        #expect(!hits.isEmpty && hits.allSatisfy { $0["kind"] as? String == "numeric" })
        let show = try CLI.run(["bank", "show", "toan12-hs-11", "--db", db])
        #expect(show.out.contains("hinh/do-thi-bac-ba.svg"))

        for format in ["native", "json", "qti", "gift", "csv", "xlsx"] {
            let out = dir.appendingPathComponent("export/toan.\(format == "native" ? "yaml" : format == "qti" ? "zip" : format)")
            let exported = try CLI.run(["bank", "export", "--bank", "Toán 12", "--format", format, "--out", out.path, "--db", db])
            #expect(exported.status == 0, "\(format): \(exported.err)")
            #expect(FileManager.default.fileExists(atPath: out.path))
            let validate = try CLI.run(["bank", "validate", out.path, "--level", "biet", "--subject", "Toán", "--topic", "T"])
            #expect(validate.status == 0, "\(format): \(validate.out)")
        }
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("export/hinh/do-thi-bac-ba.svg").path), "images beside the export")

        let bad = try CLI.run(["bank", "validate", "Tests/Fixtures/malformed/bad-level.yaml"])
        #expect(bad.status == 1)
        #expect(bad.out.contains("bad-level.yaml:6: mức độ \"rất khó\" không có"))
        let refused = try CLI.run(["bank", "import", "Tests/Fixtures/malformed/bad-level.yaml", "--db", db])
        #expect(refused.status == 1)
        #expect(refused.err.contains("Không nhập"))
        let partial = try CLI.run(["bank", "import", "Tests/Fixtures/malformed/bad-level.yaml", "--partial", "--db", db])
        #expect(partial.status == 0)
        #expect(partial.out.contains("1 bỏ qua / skipped"))
        let unknown = try CLI.run(["bank", "import", "README.md", "--db", db])
        #expect(unknown.status == 1)
        #expect(unknown.err.contains("--format"))
    }

    @Test("template files read back; blueprints import, list, check; papers from database names")
    func templateAndBlueprints() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("k.sqlite").path
        for format in ["xlsx", "csv"] {
            let file = dir.appendingPathComponent("mau.\(format)").path
            #expect(try CLI.run(["bank", "template", "--format", format, "--out", file]).status == 0)
            let validate = try CLI.run(["bank", "validate", file])
            #expect(validate.status == 0, "\(validate.out)")
            #expect(validate.out.contains("3 câu hợp lệ"))
        }
        #expect(try CLI.run(["bank", "import", "QuestionBanks/vat-li-12/vat-li-12.yaml", "--db", db]).status == 0)
        let imported = try CLI.run(["blueprint", "import", "QuestionBanks/vat-li-12/blueprint.json", "--db", db])
        #expect(imported.status == 0, "\(imported.err)")
        #expect(try CLI.run(["blueprint", "list", "--db", db]).out.contains("Vật lí 12 — đề theo mẫu 2025"))
        let check = try CLI.run(["blueprint", "check", "Vật lí 12 — đề theo mẫu 2025", "--bank", "Vật lí 12", "--db", db])
        #expect(check.status == 0, "\(check.err)")
        let out = dir.appendingPathComponent("papers").path
        let generated = try CLI.run(["paper", "generate", "--bank", "Vật lí 12", "--blueprint", "Vật lí 12 — đề theo mẫu 2025", "--db", db,
                                     "--codes", "48", "--seed", "7", "--out", out])
        #expect(generated.status == 0, "\(generated.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out + "/papers").count == 48)
    }

    @Test("db backup, check and restore")
    func database() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("k.sqlite").path
        _ = try CLI.run(["bank", "import", "QuestionBanks/lich-su-12/lich-su-12.yaml", "--db", db])
        let backup = dir.appendingPathComponent("b.sqlite").path
        #expect(try CLI.run(["db", "backup", backup, "--db", db]).status == 0)
        #expect(try CLI.run(["db", "backup", backup, "--db", db]).status == 1, "never overwrites")
        #expect(try CLI.run(["db", "check", "--db", db]).out.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
        let restored = dir.appendingPathComponent("r.sqlite").path
        #expect(try CLI.run(["db", "restore", backup, "--db", restored]).status == 0)
        #expect(try CLI.run(["bank", "list", "--db", restored]).out.contains("64 câu"))
        let garbage = dir.appendingPathComponent("g.sqlite")
        try Data("not sqlite".utf8).write(to: garbage)
        let refused = try CLI.run(["db", "restore", garbage.path, "--db", restored])
        #expect(refused.status == 1)
        #expect(try CLI.run(["bank", "list", "--db", restored]).out.contains("64 câu"))
    }

    @Test("db copy: a school's file to PostgreSQL and back into a new file, checked; again writes nothing; mistakes named")
    func copyThroughPostgres() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("k.sqlite").path
        _ = try CLI.run(["bank", "import", "QuestionBanks/lich-su-12/lich-su-12.yaml", "--db", db])
        let postgres = try TestPostgres.database("cli")
        let there = try CLI.run(["db", "copy", "--from", db, "--to", postgres])
        #expect(there.status == 0, "\(there.err)")
        #expect(there.out.contains("copied") && there.out.contains("questionRevision"))
        let again = try CLI.run(["db", "copy", "--from", db, "--to", postgres])
        #expect(again.status == 0 && again.out.contains("nothing written"))
        let back = dir.appendingPathComponent("back.sqlite").path
        let returned = try CLI.run(["db", "copy", "--from", postgres, "--to", back, "--json"])
        #expect(returned.status == 0, "\(returned.err)")
        #expect(returned.out.contains("\"outcome\" : \"copied\""))
        #expect(try CLI.run(["bank", "list", "--db", back]).out.contains("64 câu"))
        #expect(try CLI.run(["bank", "search", "nha Tran", "--db", back]).status == 0)

        let other = dir.appendingPathComponent("other.sqlite").path
        _ = try CLI.run(["bank", "import", "QuestionBanks/vat-li-12/vat-li-12.yaml", "--db", other])
        let refused = try CLI.run(["db", "copy", "--from", other, "--to", postgres])
        #expect(refused.status == 1 && refused.err.contains("--replace"))
        let badURL = try CLI.run(["db", "copy", "--from", db, "--to", "postgres://127.0.0.1/k"])
        #expect(badURL.status == 1 && badURL.err.contains("no user name"))
    }
}
