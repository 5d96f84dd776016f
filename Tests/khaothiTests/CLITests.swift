import Foundation
import Testing

/// Runs the real `khaothi` binary, as a user would.
enum CLI {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var binary: URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            beside.appendingPathComponent("khaothi"),
            beside.deletingLastPathComponent().appendingPathComponent("khaothi"),
            root.appendingPathComponent(".build/debug/khaothi"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[2]
    }

    struct Result { var status: Int32; var out: String; var err: String }

    static func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = root
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, out: String(decoding: outData, as: UTF8.self), err: String(decoding: errData, as: UTF8.self))
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("khaothi-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

@Suite("The khaothi command line")
struct CLITests {
    let bank = "QuestionBanks/samples/toan12.json"
    let blueprint = "QuestionBanks/samples/toan12-blueprint.json"

    @Test("--version prints the version")
    func version() throws {
        let result = try CLI.run(["--version"])
        #expect(result.status == 0)
        #expect(result.out.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }

    @Test("48 codes from the sample bank: files, keys, byte-identical on a second run")
    func generate48() throws {
        let first = try CLI.temporaryDirectory(), second = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: first); try? FileManager.default.removeItem(at: second) }
        for dir in [first, second] {
            let result = try CLI.run(["paper", "generate", "--bank", bank, "--blueprint", blueprint, "--codes", "48", "--seed", "2025", "--out", dir.path])
            #expect(result.status == 0, "\(result.err)")
        }
        let papers = try FileManager.default.contentsOfDirectory(atPath: first.appendingPathComponent("papers").path).sorted()
        #expect(papers == (101...148).map { "\($0).json" })
        for name in ["papers/101.json", "papers/148.json", "keys/123.json", "keys.csv", "manifest.json"] {
            let a = try Data(contentsOf: first.appendingPathComponent(name)), b = try Data(contentsOf: second.appendingPathComponent(name))
            #expect(a == b, "\(name) differs between runs")
        }
        let raw = try Data(contentsOf: first.appendingPathComponent("keys.csv"))
        #expect(Array(raw.prefix(3)) == [0xEF, 0xBB, 0xBF], "UTF-8 BOM so Excel reads Vietnamese")
        let csv = String(decoding: raw.dropFirst(3), as: UTF8.self)
        #expect(csv.hasPrefix("code,I.1,"))
        #expect(csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 49)
    }

    @Test("grading a response file: text and JSON breakdown")
    func grade() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try CLI.run(["paper", "generate", "--bank", bank, "--blueprint", blueprint, "--codes", "2", "--seed", "1", "--out", dir.path])
        let key = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("keys/101.json"))) as! [String: Any]
        var responses: [String: String] = [:]
        for entry in key["entries"] as! [[String: Any]] { responses[entry["key"] as! String] = entry["answer"] as? String }
        // One Part I wrong, one Part II with two statements right (0.25 of 1), one Part III blank, one extra key.
        let wrongChoice = responses["I.1"] == "A" ? "B" : "A"
        responses["I.1"] = wrongChoice
        let tf = Array(responses["II.1"]!)
        responses["II.1"] = String([tf[0], tf[1], tf[2] == "Đ" ? "S" : "Đ", tf[3] == "Đ" ? "S" : "Đ"])
        responses["III.1"] = ""
        responses["IX.9"] = "A"
        let file = dir.appendingPathComponent("responses.json")
        try JSONSerialization.data(withJSONObject: ["code": "101", "responses": responses]).write(to: file)

        let json = try CLI.run(["paper", "grade", "--paper", dir.appendingPathComponent("papers/101.json").path, "--responses", file.path, "--json"])
        #expect(json.status == 0, "\(json.err)")
        let score = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as! [String: Any]
        // 10 − 0.25 (I.1) − 0.75 (II.1: 0.25 of 1) − 0.5 (III.1) = 8.5
        #expect((score["total"] as? NSNumber)?.decimalValue == Decimal(string: "8.5"))
        #expect(score["extraKeys"] as? [String] == ["IX.9"])

        let text = try CLI.run(["paper", "grade", "--paper", dir.appendingPathComponent("papers/101.json").path, "--responses", file.path])
        #expect(text.out.contains("Tổng điểm / total: 8.50 / 10.00"))
        #expect(text.out.contains("Phần II: 3.25 / 4.00"))

        let wrongCode = dir.appendingPathComponent("wrong.json")
        try JSONSerialization.data(withJSONObject: ["code": "102", "responses": responses]).write(to: wrongCode)
        let refused = try CLI.run(["paper", "grade", "--paper", dir.appendingPathComponent("papers/101.json").path, "--responses", wrongCode.path])
        #expect(refused.status == 1)
        #expect(refused.err.contains("102"))
    }

    @Test("the README's two steps: 48 codes from the sample bank, then grading the sample responses to 101 gives 6.25")
    func readmeWalkthrough() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("toan12").path
        #expect(try CLI.run(["paper", "generate", "--bank", bank, "--blueprint", blueprint, "--codes", "48", "--seed", "2025", "--out", out]).status == 0)
        let graded = try CLI.run(["paper", "grade", "--paper", out + "/papers/101.json", "--responses", "QuestionBanks/samples/responses-101.json"])
        #expect(graded.status == 0, "\(graded.err)")
        for line in ["Phần I: 2.50 / 3.00", "Phần II: 1.75 / 4.00", "Phần III: 2.00 / 3.00", "Tổng điểm / total: 6.25 / 10.00"] {
            #expect(graded.out.contains(line), "\(line)")
        }
    }

    @Test("bad input: clear message with the file and the field, exit code 1 or 64")
    func badInput() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = try CLI.run(["paper", "generate", "--bank", "nope.json", "--blueprint", blueprint, "--codes", "2", "--seed", "1", "--out", dir.path])
        #expect(missing.status == 1)
        #expect(missing.err.contains("nope.json"))

        let broken = dir.appendingPathComponent("broken.json")
        try Data(#"{"name":"x","questions":[{"id":"q","subject":"Toán","topic":"t","level":"biet","kind":"numeric","stem":"s"}]}"#.utf8).write(to: broken)
        let field = try CLI.run(["paper", "check", "--bank", broken.path, "--blueprint", blueprint])
        #expect(field.status == 1)
        #expect(field.err.contains("broken.json: questions[0]"))
        #expect(field.err.contains("answer"))

        let notJSON = dir.appendingPathComponent("text.json")
        try Data("Câu 1. Hello".utf8).write(to: notJSON)
        let garbage = try CLI.run(["paper", "check", "--bank", notJSON.path, "--blueprint", blueprint])
        #expect(garbage.status == 1)
        #expect(garbage.err.contains("không phải JSON hợp lệ"))

        let both = try CLI.run(["paper", "generate", "--bank", bank, "--blueprint", blueprint, "--codes", "2", "--candidates", "3", "--seed", "1", "--out", dir.path])
        #expect(both.status == 64)
        #expect(both.err.contains("exactly one of --codes"))
    }

    @Test("an infeasible blueprint names every short cell")
    func infeasible() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var blueprintJSON = try JSONSerialization.jsonObject(with: Data(contentsOf: CLI.root.appendingPathComponent(blueprint))) as! [String: Any]
        var parts = blueprintJSON["parts"] as! [[String: Any]]
        var rows = parts[0]["rows"] as! [[String: Any]]
        rows[0]["cells"] = [["level": "nhan-biet", "count": 5], ["level": "thong-hieu", "count": 1]]
        rows[1]["cells"] = [["level": "nhan-biet", "count": 0], ["level": "thong-hieu", "count": 0]]
        parts[0]["rows"] = rows
        blueprintJSON["parts"] = parts
        let file = dir.appendingPathComponent("bp.json")
        try JSONSerialization.data(withJSONObject: blueprintJSON).write(to: file)
        let result = try CLI.run(["paper", "check", "--bank", bank, "--blueprint", file.path])
        #expect(result.status == 1)
        #expect(result.err.contains("Phần I / Ứng dụng đạo hàm để khảo sát hàm số / Biết: cần 5, ngân hàng có 4"))
    }

    @Test("Thông tư 22 calculators from the command line", arguments: [
        (["tt22", "record", "7.25"], "7,3"),
        (["tt22", "semester", "--regular", "8", "7,5", "9", "--midterm", "7", "--final", "8.5"], "8"),
        (["tt22", "semester", "--regular", "8", "8", "7.4", "--midterm", "7", "--final", "7.4", "--periods", "70"], "7,5"),
        (["tt22", "year", "--first", "7", "--second", "8"], "7,7"),
        (["tt22", "regular-count", "--periods", "105"], "4"),
        (["tt22", "level", "--scored", "Toán=9", "--scored", "Văn=9", "--scored", "Anh=9", "--scored", "Sử=9", "--scored", "Lí=9",
          "--scored", "Hóa=9", "--scored", "Sinh=3", "--comment", "Thể dục=Đ"], "Đạt"),
    ])
    func tt22(arguments: [String], expected: String) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.trimmingCharacters(in: .whitespacesAndNewlines) == expected)
    }

    @Test("Thông tư 22 refuses bad scores", arguments: [
        ["tt22", "record", "11"],
        ["tt22", "semester", "--regular", "8", "--midterm", "7.25", "--final", "8"],
        ["tt22", "semester", "--regular", "8", "--midterm", "7", "--final", "8", "--periods", "70"],
        ["tt22", "level", "--scored", "Toán"],
        ["tt22", "level", "--comment", "Thể dục=tốt"],
    ])
    func tt22Refuses(arguments: [String]) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 1)
        #expect(result.err.contains("lỗi / error"))
    }
}
