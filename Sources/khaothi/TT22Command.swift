import ArgumentParser
import ExamCore
import Foundation

struct TT22Command: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tt22",
        abstract: "Thông tư 22 calculators: regular-score count, recorded score, semester and year averages, result level.",
        subcommands: [RegularCount.self, Record.self, Semester.self, Year.self, Level.self]
    )

    static func score(_ text: String, _ what: String) throws -> RecordedScore {
        guard let score = RecordedScore(parsing: text) else {
            throw UserError("\(what) \"\(text)\": cần điểm 0–10, tối đa một chữ số thập phân / needs a score 0–10 with at most one decimal")
        }
        return score
    }
}

extension TT22Command {
    struct RegularCount: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "regular-count", abstract: "Số ĐĐGtx per semester from the periods per year.")
        @Option(help: "Periods per year (số tiết/năm).") var periods: Int
        func run() throws {
            try reportingErrors {
                guard periods > 0 else { throw UserError("--periods phải dương / must be positive") }
                print(ContinuousAssessment.regularScoreCount(periodsPerYear: periods))
            }
        }
    }

    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a test score to one decimal, half-up (7.25 → 7.3).")
        @Argument(help: "The test score, e.g. 7.25 or 7,25.") var score: String
        func run() throws {
            try reportingErrors {
                guard let points = Points(parsing: score), let recorded = RecordedScore(recording: points) else {
                    throw UserError("\"\(score)\": cần điểm 0–10 với tối đa hai chữ số thập phân / needs a score 0–10 with at most two decimals")
                }
                print(recorded.formatted(decimalMark: ","))
            }
        }
    }

    struct Semester: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "ĐTBmhk = (ΣĐĐGtx + 2·ĐĐGgk + 3·ĐĐGck) / (n + 5).")
        @Option(parsing: .upToNextOption, help: "The regular scores ĐĐGtx.") var regular: [String]
        @Option(help: "The mid-term score ĐĐGgk.") var midterm: String
        @Option(name: .customLong("final"), help: "The end-of-term score ĐĐGck.") var finalScore: String
        @Option(help: "Periods per year: checks the number of regular scores.") var periods: Int?
        func run() throws {
            try reportingErrors {
                let regular = try self.regular.map { try TT22Command.score($0, "ĐĐGtx") }
                if let periods {
                    let expected = ContinuousAssessment.regularScoreCount(periodsPerYear: periods)
                    guard regular.count == expected else {
                        throw UserError("môn \(periods) tiết/năm cần \(expected) ĐĐGtx, có \(regular.count) / \(periods) periods a year need \(expected) regular scores, got \(regular.count)")
                    }
                }
                let average = try ContinuousAssessment.semesterAverage(
                    regular: regular, midterm: try TT22Command.score(midterm, "ĐĐGgk"), final: try TT22Command.score(finalScore, "ĐĐGck"))
                print(average.formatted(decimalMark: ","))
            }
        }
    }

    struct Year: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "ĐTBmcn = (ĐTBmhkI + 2·ĐTBmhkII) / 3.")
        @Option(help: "ĐTBmhk of semester I.") var first: String
        @Option(help: "ĐTBmhk of semester II.") var second: String
        func run() throws {
            try reportingErrors {
                let average = ContinuousAssessment.yearAverage(first: try TT22Command.score(first, "HK I"), second: try TT22Command.score(second, "HK II"))
                print(average.formatted(decimalMark: ","))
            }
        }
    }

    struct Level: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Kết quả học tập (Tốt/Khá/Đạt/Chưa đạt) from subject averages and comment subjects.",
            discussion: "Example: khaothi tt22 level --scored Toán=8.5 --scored 'Ngữ văn=7' --comment 'Giáo dục thể chất=Đ'"
        )
        @Option(help: "A scored subject and its average: NAME=SCORE (repeat).") var scored: [String] = []
        @Option(help: "A comment subject and its result: NAME=Đ or NAME=CĐ (repeat).") var comment: [String] = []
        func run() throws {
            try reportingErrors {
                var scores: [String: RecordedScore] = [:]
                for entry in scored {
                    let (name, value) = try Self.split(entry)
                    guard scores[name] == nil else { throw UserError("môn \"\(name)\" lặp lại / subject given twice") }
                    scores[name] = try TT22Command.score(value, name)
                }
                var comments: [String: CommentResult] = [:]
                for entry in comment {
                    let (name, value) = try Self.split(entry)
                    guard let result = CommentResult(parsing: value) else {
                        throw UserError("\(name)=\(value): cần Đ hoặc CĐ / needs Đ or CĐ")
                    }
                    guard comments[name] == nil else { throw UserError("môn \"\(name)\" lặp lại / subject given twice") }
                    comments[name] = result
                }
                guard !scores.isEmpty || !comments.isEmpty else { throw UserError("cần ít nhất một môn / at least one subject") }
                print(ContinuousAssessment.resultLevel(scored: scores, comments: comments).rawValue)
            }
        }

        static func split(_ entry: String) throws -> (String, String) {
            guard let equals = entry.lastIndex(of: "=") else { throw UserError("\"\(entry)\": cần dạng TÊN=GIÁ TRỊ / expected NAME=VALUE") }
            let name = entry[..<equals].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { throw UserError("\"\(entry)\": thiếu tên môn / missing subject name") }
            return (name, String(entry[entry.index(after: equals)...]).trimmingCharacters(in: .whitespaces))
        }
    }
}
