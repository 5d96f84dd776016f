import BankFormats
import ExamCore
import ExamStore
import Foundation
import Hummingbird
import NIOCore

/// Grading by hand in the browser (chấm tự luận): an exam's essays per question, blind, points in steps with a
/// comment; the settings (one or two rounds, the threshold, who grades) for coordinators. Teachers, coordinators
/// and admins only (a proctor gets 403 before anything is read); a teacher the exam does not list as a grader
/// (when it lists any) gets 403 from the store.
struct GradingAPI {
    let state: ServerState

    func register(_ group: RouterGroup<ExamRequestContext>) {
        group.get("grading/exams") { _, context in
            let who = try context.requireStaff(\.authors)
            return Views.List(items: try await state.store.grading.gradingExams(for: Actor(who), coordinator: who.role.coordinates))
        }
        group.get("grading/exams/:exam") { _, context in
            let who = try context.requireStaff(\.authors)
            return try await state.store.grading.gradingOverview(exam: try StaffAPI.parameter("exam", context), for: Actor(who),
                                                                 coordinator: who.role.coordinates)
        }
        group.get("grading/exams/:exam/questions/:question") { request, context in
            let who = try context.requireStaff(\.authors)
            // Names only for a coordinator who asks: graders see số báo danh alone.
            let names = request.uri.queryParameters.get("names") == "1"
            return try await state.store.grading.gradingSheet(exam: try StaffAPI.parameter("exam", context), question: try AuthoringAPI.number("question", context),
                                                              for: Actor(who), coordinator: who.role.coordinates, names: names)
        }
        // A coordinator sends an autoscored question to graders (review: true), or takes it back before any grade.
        group.put("grading/exams/:exam/review/:question") { request, context in
            let who = try context.requireStaff(\.coordinates)
            struct Body: Decodable { var review: Bool }
            let body = try await CandidateAPI.decode(Body.self, request, context)
            try await state.store.grading.setReview(exam: try StaffAPI.parameter("exam", context), question: try AuthoringAPI.number("question", context),
                                                    review: body.review, by: Actor(who), now: state.configuration.now())
            return Response(status: .noContent)
        }
        group.post("grading/exams/:exam/grades") { request, context in
            let who = try context.requireStaff(\.authors)
            struct Body: Decodable { var attempt: Int64; var item: String; var points: Points; var comment: String? }
            let body = try await CandidateAPI.decode(Body.self, request, context)
            return try await state.store.grading.grade(exam: try StaffAPI.parameter("exam", context), attempt: body.attempt, item: body.item, points: body.points,
                                                       comment: body.comment ?? "", by: Actor(who), coordinator: who.role.coordinates,
                                                       now: state.configuration.now())
        }
        // A coordinator looks into one candidate's attempt: answers beside the key, the event log per item.
        group.get("exams/:exam/candidates/:sbd/attempt") { _, context in
            _ = try context.requireStaff(\.coordinates)
            let result = try await state.store.grading.attemptDetail(exam: try StaffAPI.parameter("exam", context), sbd: try StaffAPI.parameter("sbd", context))
            guard let paperId = result.paperId else { return ResultView(result: result) }
            let entry = try await state.store.attempts.paper(id: paperId)
            return ResultView(result: result, paper: CandidatePaper(entry.paper), media: entry.media.mapValues { $0.mapValues { "/api/staff/media/" + $0 } })
        }
        // Item analysis: JSON, or the sheet as CSV / XLSX; the charts as SVG; the observed figures kept per revision.
        group.get("exams/:exam/statistics") { request, context in
            _ = try context.requireStaff(\.coordinates)
            let exam = try StaffAPI.parameter("exam", context)
            let statistics = try await state.store.statistics.statistics(exam: exam)
            switch request.uri.queryParameters.get("format") ?? "json" {
            case "json": return try statistics.response(from: request, context: context)
            case "csv":
                return Self.file(CSVFormat.write(rows: ScoreSheet.itemAnalysis(statistics).rows, separator: request.uri.queryParameters.get("sep") == ";" ? ";" : ","),
                                 type: "text/csv; charset=utf-8", name: ScoreSheet.fileName(exam: exam, extension: "csv", prefix: "thong-ke"))
            case "xlsx":
                let (rows, numeric) = ScoreSheet.itemAnalysis(statistics)
                return Self.file(try XLSXFormat.write(rows: rows, sheetName: "Thống kê", numericColumns: numeric),
                                 type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                 name: ScoreSheet.fileName(exam: exam, extension: "xlsx", prefix: "thong-ke"))
            default: throw APIError.invalid("format", "format: json, csv, xlsx")
            }
        }
        group.get("exams/:exam/statistics/charts/:chart") { _, context in
            _ = try context.requireStaff(\.coordinates)
            let statistics = try await state.store.statistics.statistics(exam: try StaffAPI.parameter("exam", context))
            let svg: String
            switch try StaffAPI.parameter("chart", context) {
            case "histogram.svg": svg = StatisticsCharts.histogram(statistics)
            case "scatter.svg": svg = StatisticsCharts.scatter(statistics)
            case let name where name.hasPrefix("options-") && name.hasSuffix(".svg"):
                guard let revision = Int64(name.dropFirst(8).dropLast(4)), let question = statistics.questions.first(where: { $0.revision == revision }),
                      question.options != nil else {
                    throw APIError(.notFound, code: "notFound", "không có câu trắc nghiệm \(name) / no choice question \(name)")
                }
                svg = StatisticsCharts.distractors(question)
            default: throw APIError(.notFound, code: "notFound", "biểu đồ: histogram.svg, scatter.svg, options-N.svg / charts: histogram.svg, scatter.svg, options-N.svg")
            }
            return Response(status: .ok, headers: [.contentType: "image/svg+xml; charset=utf-8", .cacheControl: "no-store"],
                            body: .init(byteBuffer: ByteBuffer(string: svg)))
        }
        group.post("exams/:exam/statistics/store") { _, context in
            let who = try context.requireStaff(\.coordinates)
            return StoredStatistics(questions: try await state.store.statistics.storeStatistics(exam: try StaffAPI.parameter("exam", context), by: Actor(who),
                                                                                      now: state.configuration.now()))
        }
        // Regrade after a key or points change: a dry run by default, `commit: true` to store (refused while a
        // session runs); audited.
        group.post("exams/:exam/regrade") { request, context in
            let who = try context.requireStaff(\.coordinates)
            struct Body: Decodable { var revisions: [String: Int]?; var points: [String: Points]?; var commit: Bool?; var force: Bool?; var reason: String? }
            let body = try await CandidateAPI.decode(Body.self, request, context)
            let report = try await state.store.regrade.regrade(exam: try StaffAPI.parameter("exam", context),
                                                               plan: RegradePlan(revisions: body.revisions ?? [:], points: body.points ?? [:]),
                                                               commit: body.commit ?? false, force: body.force ?? false, reason: body.reason ?? "",
                                                               by: Actor(who), now: state.configuration.now())
            // New points change what candidates are shown: papers encoded for the start route are encoded again.
            if report.committed, !report.questions.isEmpty { state.papers.forgetAll() }
            return report
        }
        group.put("setup/exams/:exam/grading") { request, context in
            let who = try context.requireStaff(\.coordinates)
            struct Body: Decodable { var rounds: Int; var threshold: Points?; var graders: [String]? }
            let body = try await CandidateAPI.decode(Body.self, request, context)
            return try await state.store.grading.setGrading(exam: try StaffAPI.parameter("exam", context),
                                                            GradingSettings(rounds: body.rounds, threshold: body.threshold ?? Points(hundredths: 50),
                                                                            graders: body.graders ?? []),
                                                            by: Actor(who), now: state.configuration.now())
        }
    }
}

struct StoredStatistics: ResponseEncodable { var questions: Int }

extension GradingAPI {
    static func file(_ data: Data, type: String, name: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .contentDisposition: "attachment; filename=\"\(name)\""], body: .init(byteBuffer: ByteBuffer(data: data)))
    }
}

extension ExamStatistics: ResponseEncodable {}
extension RegradeReport: ResponseEncodable {}
extension GradingOverview: ResponseEncodable {}
extension GradingSheet: ResponseEncodable {}
extension GradingAnswer: ResponseEncodable {}
extension GradingSettings: ResponseEncodable {}

/// A candidate's result as their page shows it: the store's result, and the paper drawn by the page's renderer
/// when the exam lets candidates review their answers.
struct ResultView: ResponseEncodable {
    var result: CandidateResult
    var paper: CandidatePaper?
    var media: [String: [String: String]]?

    func encode(to encoder: Encoder) throws {
        try result.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encodeIfPresent(paper, forKey: .paper)
        try container.encodeIfPresent(media, forKey: .media)
    }
    enum Keys: String, CodingKey { case paper, media }
}
