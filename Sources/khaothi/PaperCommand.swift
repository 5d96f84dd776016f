import ArgumentParser
import BankFormats
import ExamCore
import ExamStore
import Foundation

struct PaperCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paper",
        abstract: "Generate exam papers from a blueprint and a bank, and grade responses.",
        subcommands: [Generate.self, Grade.self, Check.self]
    )
}

extension PaperCommand {
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate K exam codes or one paper per candidate, each with its answer key.",
            discussion: """
            Writes DIR/papers/CODE.json (the paper with questions as shown and their key), DIR/keys/CODE.json \
            (the key in the paper's labels), DIR/keys.csv (every code's key, one row per code) and \
            DIR/manifest.json (request, codes, question use). The same inputs and seed give byte-identical files.
            """
        )

        @Option(help: "The bank: a bank file in any format (YAML, JSON, GIFT, XLSX…), or the name of a bank in the database.") var bank: String
        @Option(help: "The blueprint: a JSON file, or the name of a blueprint in the database.") var blueprint: String
        @Option(name: .customLong("db"), help: "The database, for bank and blueprint names.") var database: String = AppDatabase.defaultPath
        @Option(help: "Number of exam codes (mã đề).") var codes: Int?
        @Option(help: "Number of candidates: one unique paper each.") var candidates: Int?
        @Option(help: "The random seed: same seed, same papers.") var seed: UInt64
        @Option(help: "Directory to write into (created if missing).") var out: String
        @Option(help: "First code number.") var firstCode = 101
        @Option(help: "Step between code numbers.") var codeStep = 1
        @Option(help: "Prefix before each code number.") var codePrefix = ""
        @Option(help: "Most questions any two papers may share.") var overlapCap: Int?
        @Flag(help: "Print the manifest as JSON instead of a summary.") var json = false

        func validate() throws {
            guard (codes == nil) != (candidates == nil) else {
                throw ValidationError("give exactly one of --codes K or --candidates N")
            }
            if let codes, !(1...1000).contains(codes) { throw ValidationError("--codes must be 1…1000") }
            if let candidates, !(1...PaperGenerator.maximumPapers).contains(candidates) {
                throw ValidationError("--candidates must be 1…\(PaperGenerator.maximumPapers)")
            }
        }

        func run() throws {
            try reportingErrors {
                let bank = try Inputs.bank(self.bank, database: database)
                let blueprint = try Inputs.blueprint(self.blueprint, database: database)
                let generator = try PaperGenerator(blueprint: blueprint, bank: bank)
                let mode: PaperRequest.Mode = if let codes {
                    .codes(PaperRequest.numberedCodes(codes, first: firstCode, step: codeStep, prefix: codePrefix))
                } else {
                    .candidates(candidates ?? 1)
                }
                let request = PaperRequest(mode: mode, seed: seed, overlapCap: overlapCap)

                let root = URL(fileURLWithPath: out, isDirectory: true)
                let papersDir = root.appendingPathComponent("papers", isDirectory: true)
                let keysDir = root.appendingPathComponent("keys", isDirectory: true)
                do {
                    try FileManager.default.createDirectory(at: papersDir, withIntermediateDirectories: true)
                    try FileManager.default.createDirectory(at: keysDir, withIntermediateDirectories: true)
                } catch {
                    throw UserError("\(out): không tạo được thư mục / cannot create the directory")
                }

                var manifest = Manifest(blueprint: blueprint.name, subject: blueprint.subject, seed: seed,
                                        overlapCap: overlapCap, codes: [], questionUse: [:])
                var csv = ""
                try generator.generate(request) { paper in
                    try JSONFiles.write(paper, to: papersDir.appendingPathComponent("\(paper.code).json"))
                    let key = paper.answerKey()
                    try JSONFiles.write(key, to: keysDir.appendingPathComponent("\(paper.code).json"))
                    if csv.isEmpty { csv = (["code"] + key.entries.map(\.key)).map(CSV.field).joined(separator: ",") + "\r\n" }
                    csv += ([paper.code] + key.entries.map(\.answer)).map(CSV.field).joined(separator: ",") + "\r\n"
                    manifest.codes.append(paper.code)
                    for item in paper.items { manifest.questionUse[item.question.id, default: 0] += 1 }
                }
                try Data(("\u{FEFF}" + csv).utf8).write(to: root.appendingPathComponent("keys.csv"), options: .atomic)
                try JSONFiles.write(manifest, to: root.appendingPathComponent("manifest.json"))

                if json {
                    print(String(decoding: try JSONFiles.encoder.encode(manifest), as: UTF8.self))
                } else {
                    let uses = manifest.questionUse.values
                    print("Đã tạo \(manifest.codes.count) đề (\(manifest.codes.first ?? "")…\(manifest.codes.last ?? "")) vào \(out) / wrote \(manifest.codes.count) papers")
                    print("Câu hỏi đã dùng / questions used: \(uses.count) of \(bank.questions.count); lần dùng / uses per question: \(uses.min() ?? 0)…\(uses.max() ?? 0)")
                }
            }
        }
    }

    struct Manifest: Codable {
        var blueprint: String
        var subject: String
        var seed: UInt64
        var overlapCap: Int?
        var codes: [String]
        var questionUse: [String: Int]
    }

    struct Grade: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Grade a response file against a paper and print the score breakdown.",
            discussion: """
            The response file maps item keys to answers: {"I.1": "B", "II.1": "ĐSĐS", "III.1": "0,5"}, \
            or wraps them: {"code": "101", "responses": {…}}. See README.md for every kind's answer shape.
            """
        )

        @Option(help: "A paper written by `paper generate` (papers/CODE.json).") var paper: String
        @Option(help: "The responses (JSON).") var responses: String
        @Flag(help: "Print the breakdown as JSON.") var json = false

        func run() throws {
            try reportingErrors {
                let paper = try JSONFiles.read(Paper.self, from: self.paper, what: "đề / paper")
                let file = try JSONFiles.read(ResponseFile.self, from: self.responses, what: "bài làm / responses")
                if let code = file.code, code != paper.code {
                    throw UserError("\(self.responses): bài làm của đề \(code), không phải đề \(paper.code) / responses are for code \(code), not \(paper.code)")
                }
                let score = paper.grade(file.responses)
                if json {
                    print(String(decoding: try JSONFiles.encoder.encode(score), as: UTF8.self))
                } else {
                    print(Report.text(score, paper: paper))
                }
            }
        }
    }

    /// A response file: the answers, bare or wrapped with the paper code.
    struct ResponseFile: Decodable {
        var code: String?
        var responses: [String: ResponseValue]

        enum CodingKeys: String, CodingKey { case code, responses }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            if c.contains(.responses) {
                code = try c.decodeIfPresent(String.self, forKey: .code)
                responses = try c.decode([String: ResponseValue].self, forKey: .responses)
            } else {
                code = nil
                responses = try [String: ResponseValue](from: decoder)
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a blueprint and a bank without writing anything: totals, template, every short cell."
        )
        @Option(help: "The bank: a bank file in any format, or the name of a bank in the database.") var bank: String
        @Option(help: "The blueprint: a JSON file, or the name of a blueprint in the database.") var blueprint: String
        @Option(name: .customLong("db"), help: "The database, for bank and blueprint names.") var database: String = AppDatabase.defaultPath

        func run() throws {
            try reportingErrors {
                let bank = try Inputs.bank(self.bank, database: database)
                let blueprint = try Inputs.blueprint(self.blueprint, database: database)
                _ = try PaperGenerator(blueprint: blueprint, bank: bank)
                print("Ma trận \"\(blueprint.name)\": \(blueprint.questionCount) câu, \(blueprint.totalPoints.formatted(decimalMark: ",")) điểm; ngân hàng \"\(bank.name)\" (\(bank.questions.count) câu) đủ để lập đề / the bank can fill the blueprint")
            }
        }
    }
}

enum CSV {
    /// One CSV field, quoted when it must be.
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

enum Report {
    static func text(_ score: PaperScore, paper: Paper) -> String {
        var lines: [String] = []
        lines.append("Mã đề \(paper.code) — \(paper.subject) (\(paper.blueprint))")
        for part in score.parts {
            lines.append("  Phần \(part.id): \(part.awarded.fixed2) / \(part.maximum.fixed2)")
        }
        let provisional = score.pending > 0 ? " (tạm tính: \(score.pending) câu tự luận chờ chấm / provisional: \(score.pending) essays pending)" : ""
        lines.append("Tổng điểm / total: \(score.total.fixed2) / \(score.scale.fixed2)\(provisional)")
        for item in score.items {
            let status = switch item.score.status {
            case .correct: "đúng"
            case .partial: "đúng một phần"
            case .incorrect: "sai"
            case .unanswered: "bỏ trống"
            case .invalid: "không hợp lệ"
            case .pending: "chờ chấm"
            }
            lines.append("  Câu \(item.key): \(item.score.awarded.fixed2) / \(item.score.maximum.fixed2)  \(status)\(item.score.note.map { " (\($0))" } ?? "")")
        }
        if !score.extraKeys.isEmpty {
            lines.append("Bỏ qua các khóa không có trên đề / ignored keys not on the paper: \(score.extraKeys.joined(separator: ", "))")
        }
        return lines.joined(separator: "\n")
    }
}

/// Where a bank or a blueprint comes from: a file if one exists at that path, else a name in the database.
enum Inputs {
    static func bank(_ argument: String, database: String) throws -> QuestionBank {
        if FileManager.default.fileExists(atPath: argument) {
            let imported: ImportedBank
            do { imported = try BankReaders.read(URL(fileURLWithPath: argument)) } catch let error as BankFormatError { throw UserError(error.description) }
            guard imported.problems.isEmpty else {
                throw UserError("\(argument): ngân hàng có \(imported.problems.count) lỗi / the bank has problems\n" + imported.problems.map { "  - \($0)" }.joined(separator: "\n"))
            }
            return imported.bank
        }
        return try openNamed(argument, database: database).loadBank(named: argument)
    }

    /// The database that holds what `argument` names (a file of that name does not exist).
    private static func openNamed(_ argument: String, database: String) throws -> AppDatabase {
        if case .sqlite(let path)? = try? DatabaseAddress(database), !FileManager.default.fileExists(atPath: path) {
            throw UserError("\(argument): không có tệp này, và chưa có cơ sở dữ liệu \(database) / no such file, and no database at \(database)")
        }
        return try DatabaseOptions.open(database)
    }

    static func blueprint(_ argument: String, database: String) throws -> Blueprint {
        if FileManager.default.fileExists(atPath: argument) {
            return try JSONFiles.read(Blueprint.self, from: argument, what: "ma trận / blueprint")
        }
        return try openNamed(argument, database: database).blueprint(named: argument)
    }
}
