import ExamCore
import ExamStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The JSON the authoring pages receive. A question always travels with its candidate view (`item`, drawn by
/// the one renderer the test page uses), its key as a candidate would write it, and its images' addresses.
enum Views {
    struct List<T: Encodable & Sendable>: ResponseEncodable, Sendable { var items: [T] }

    static func mediaURLs(_ media: [String: String]) -> [String: String] { media.mapValues { "/api/staff/media/" + $0 } }

    /// A 201 with the value as JSON.
    static func created(_ value: some ResponseEncodable, _ request: Request, _ context: some RequestContext) throws -> Response {
        var response = try value.response(from: request, context: context)
        response.status = .created
        return response
    }

    /// A file to download, named in ASCII and in UTF-8.
    static func download(_ data: Data, type: String, fileName: String) -> Response {
        let encoded = fileName.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._"))) ?? "file"
        let ascii = String(TextFolding.fold(fileName).map { $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) ? $0 : "-" })
        return Response(status: .ok, headers: [.contentType: type, .contentDisposition: "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"],
                        body: .init(byteBuffer: ByteBuffer(data: data)))
    }

    /// "de-kiem-tra-toan-12.xlsx" from any name.
    static func fileName(_ base: String, extension ext: String) -> String {
        let folded = TextFolding.fold(base).map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }
        let collapsed = String(folded).split(separator: "-").joined(separator: "-")
        return (collapsed.isEmpty ? "khaothi" : String(collapsed.prefix(80))) + "." + ext
    }

    struct Member: Encodable, Sendable { var username: String; var fullName: String; var role: String }

    /// A row of the bank browser.
    struct Row: Encodable, Sendable {
        var id: String
        var revision: Int
        var kind: QuestionKind
        var subject: String
        var grade: Int?
        var topic: String
        var lesson: String?
        var level: Level
        var points: Points
        var unclassified: Bool
        var retired: Bool
        var uses: Int
        var tags: [String]
        var updatedAt: Date
        var updatedBy: String?
        var key: String
        var explanation: String?
        var item: CandidatePaper.Item
        var media: [String: String]
        var observed: ObservedStatistics?

        init(_ row: BrowseRow) {
            let q = row.question
            id = q.id; revision = q.revision; kind = q.kind; subject = q.subject; grade = q.grade; topic = q.topic; lesson = q.lesson; level = q.level
            points = q.points; unclassified = q.unclassified; retired = row.retired; uses = row.uses; tags = q.tags; updatedAt = row.updatedAt
            updatedBy = row.updatedBy; key = q.keyText; explanation = q.explanation
            item = CandidatePaper.Item(key: q.id, number: 1, points: q.points, question: q)
            media = Views.mediaURLs(row.media)
            observed = row.observed
        }
    }

    struct Page: ResponseEncodable, Sendable {
        var total: Int
        var page: Int
        var pageSize: Int
        var rows: [Row]
    }

    /// A question for the editor: the question itself (as the editor edits it), how it looks, its history.
    struct Detail: ResponseEncodable, Sendable {
        struct Revision: Encodable, Sendable {
            var revision: Int
            var createdAt: Date
            var createdBy: String?
            var changes: [QuestionChange]
            var question: Question
            var item: CandidatePaper.Item
            var key: String
        }
        var bank: String
        var question: Question
        var item: CandidatePaper.Item
        var key: String
        /// Name → address, and name → SHA-256 (what saving sends back).
        var media: [String: String]
        var mediaSha: [String: String]
        var currentRevision: Int
        var revisions: [Revision]
        var uses: Int
        var retired: Bool
        var access: BankAccess

        init(_ detail: QuestionDetail) {
            bank = detail.bank; question = detail.question; key = detail.question.keyText
            item = CandidatePaper.Item(key: detail.question.id, number: 1, points: detail.question.points, question: detail.question)
            media = Views.mediaURLs(detail.media); mediaSha = detail.media; currentRevision = detail.currentRevision; uses = detail.uses
            retired = detail.retired; access = detail.access
            revisions = detail.revisions.map {
                Revision(revision: $0.revision, createdAt: $0.createdAt, createdBy: $0.createdBy, changes: $0.changes, question: $0.question,
                         item: CandidatePaper.Item(key: $0.question.id, number: 1, points: $0.question.points, question: $0.question), key: $0.question.keyText)
            }
        }
    }

    struct Preview: ResponseEncodable, Sendable {
        var valid: Bool
        var problems: [String]
        var item: CandidatePaper.Item?
        var key: String?
        var media: [String: String]
    }

    struct Image: ResponseEncodable, Sendable { var sha256: String; var mimeType: String; var url: String }

    struct Batch: ResponseEncodable, Sendable { var batch: String; var files: [String] }

    struct FileReport: Encodable, Sendable {
        var name: String
        var format: String?
        var questions: Int
        var problems: Int
        /// Why the whole file could not be read.
        var error: String?
    }

    struct ImportCheck: ResponseEncodable, Sendable {
        var plan: ImportPlan
        var files: [FileReport]
        /// "file:line: what is wrong", every one.
        var problems: [String]
        var warnings: [String]
        var skipped: Int
    }

    struct JobStarted: ResponseEncodable, Sendable { var job: String }

    struct JobState: ResponseGenerator, Sendable {
        let job: Jobs.Job
        init(_ job: Jobs.Job) { self.job = job }

        struct Head: Encodable { var kind: String; var done: Int; var total: Int; var finished: Bool; var failed: Bool }

        func response(from request: Request, context: some RequestContext) throws -> Response {
            var object = JSONObject()
            object.raw("state", try JSONEncoder.api.encode(Head(kind: job.kind, done: job.done, total: job.total, finished: job.finished, failed: job.error != nil)))
            if let result = job.result { object.raw("result", result) }
            if let error = job.error { object.raw("error", try Self.inner(error.body)) }
            return object.response()
        }

        /// The `error` member of an error body.
        static func inner(_ body: Data) throws -> Data {
            guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any], let inner = object["error"] else { return Data("{}".utf8) }
            return try JSONSerialization.data(withJSONObject: inner)
        }
    }

    struct Template: Encodable, Sendable {
        struct Part: Encodable, Sendable { var id: String; var kind: QuestionKind; var count: Int; var points: Points }
        var id: String
        var name: String
        var minutes: Int
        var parts: [Part]

        init(_ template: ExamTemplate) {
            id = template.rawValue
            name = switch template {
            case .math2025: "Toán (2025)"
            case .science2025: "Vật lí, Hóa học, Sinh học, Địa lí (2025)"
            case .history2025: "Lịch sử, Tin học, Công nghệ, GDKT&PL (2025)"
            case .english2025: "Tiếng Anh (2025)"
            }
            minutes = template.minutes
            parts = template.parts.map { Part(id: $0.id, kind: $0.kind, count: $0.count, points: $0.points) }
        }
    }

    struct BlueprintView: ResponseEncodable, Sendable { var blueprint: Blueprint; var canEdit: Bool }

    struct Saved: ResponseEncodable, Sendable { var name: String; var problems: [String] }

    /// A paper for the page: its candidate view (the renderer's input), images, and its key.
    struct PaperView: ResponseEncodable, Sendable {
        var paper: CandidatePaper
        var media: [String: [String: String]]
        var key: AnswerKey
        /// Item key → worked solution, for the teacher's copy.
        var explanations: [String: String]

        init(paper: Paper, media: [String: [String: String]]) {
            self.paper = CandidatePaper(paper)
            self.media = media.mapValues(Views.mediaURLs)
            key = paper.answerKey()
            explanations = Dictionary(paper.items.compactMap { item in item.question.explanation.map { (item.key, $0) } }, uniquingKeysWith: { first, _ in first })
        }
    }

    struct PrintSetView: ResponseEncodable, Sendable {
        var summary: PrintSetSummary
        var blueprint: Blueprint
        var papers: [PaperView]

        init(_ set: PrintSet) {
            summary = set.summary
            blueprint = set.blueprint
            papers = set.papers.map { PaperView(paper: $0, media: set.media[$0.code] ?? [:]) }
        }
    }
}

extension BankInfo: ResponseEncodable {}
extension BankFacets: ResponseEncodable {}
extension SavedQuestion: ResponseEncodable {}
extension BulkResult: ResponseEncodable {}
extension BlueprintCheck: ResponseEncodable {}
extension ImportSummary: ResponseEncodable {}
extension PrintSetSummary: ResponseEncodable {}
