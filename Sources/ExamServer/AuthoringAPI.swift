import BankFormats
import ExamCore
import ExamStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// What teachers do in the browser: banks and who may touch them, the bank browser, the question editor
/// with its live preview and history, imports by upload with a dry run, blueprints (ma trận) checked
/// against a bank, papers to print with their keys, and (for admins) the audit log.
///
/// Every route needs a signed-in member whose role authors (teacher, coordinator, admin; a proctor gets
/// 403); what they may do with a given bank or blueprint is decided by the store, where it reads and writes.
struct AuthoringAPI {
    let state: ServerState
    let jobs: Jobs
    let uploads: UploadBatches

    /// The largest upload of one bank file (the readers' own limit).
    static let maximumFileBytes = ImportLimits.maximumFileBytes

    func register(_ group: RouterGroup<ExamRequestContext>) {
        // Banks.
        group.get("banks") { _, context in Views.List(items: try await state.store.banks.banks(for: try actor(context))) }
        group.post("banks") { request, context in
            struct Body: Decodable { var name: String; var subject: String?; var visibility: BankVisibility? }
            let body = try await CandidateAPI.decode(Body.self, request, context)
            let info = try await state.store.banks.createBank(name: body.name, subject: body.subject, visibility: body.visibility ?? .private,
                                                              by: try actor(context), now: state.configuration.now())
            return try Views.created(info, request, context)
        }
        group.put("banks/:bank/sharing") { request, context in
            struct Body: Decodable { var visibility: BankVisibility?; var shares: [BankShare]? }
            let body = try await CandidateAPI.decode(Body.self, request, context)
            return try await state.store.banks.updateBank(name: try StaffAPI.parameter("bank", context), visibility: body.visibility, shares: body.shares,
                                                           by: try actor(context), now: state.configuration.now())
        }
        group.get("banks/:bank/facets") { _, context in
            try await state.store.banks.facets(bank: try StaffAPI.parameter("bank", context), by: try actor(context))
        }
        group.get("banks/:bank/questions", use: browse)
        group.post("banks/:bank/questions") { request, context in
            let body = try await CandidateAPI.decode(SaveBody.self, request, context)
            let saved = try await state.store.banks.save(question: body.question, bank: try StaffAPI.parameter("bank", context), baseRevision: nil,
                                                         media: body.media ?? [:], by: try actor(context), now: state.configuration.now())
            return try Views.created(saved, request, context)
        }
        group.get("banks/:bank/questions/:id", use: detail)
        group.put("banks/:bank/questions/:id") { request, context in
            let body = try await CandidateAPI.decode(SaveBody.self, request, context)
            let id = try StaffAPI.parameter("id", context)
            guard body.question.id == id else { throw APIError.invalid("question.id", "mã câu trong nội dung khác địa chỉ / the question's id differs from the address") }
            guard let base = body.baseRevision else { throw APIError.invalid("baseRevision", "cần baseRevision: phiên bản đã mở / baseRevision: the revision opened") }
            return try await state.store.banks.save(question: body.question, bank: try StaffAPI.parameter("bank", context), baseRevision: base,
                                                    media: body.media ?? [:], by: try actor(context), now: state.configuration.now())
        }
        group.post("banks/:bank/questions/:id/restore") { request, context in
            struct Body: Decodable { var revision: Int; var baseRevision: Int }
            let body = try await CandidateAPI.decode(Body.self, request, context)
            return try await state.store.banks.restore(bank: try StaffAPI.parameter("bank", context), id: try StaffAPI.parameter("id", context),
                                                       revision: body.revision, baseRevision: body.baseRevision, by: try actor(context), now: state.configuration.now())
        }
        group.post("banks/:bank/bulk", use: bulk)
        group.get("banks/:bank/export", use: export)
        // The live preview: the question as the candidate's page will draw it, with ExamCore's problems.
        group.post("questions/preview", use: preview)
        group.post("media", use: uploadImage)
        group.get("media/:sha", use: image)
        group.get("members") { _, context in
            _ = try actor(context)
            return Views.List(items: try await state.store.staff.members().map { Views.Member(username: $0.username, fullName: $0.fullName, role: $0.role.rawValue) })
        }

        // Imports by upload: a batch of files, a dry run, then the import (a job with progress).
        group.post("imports") { request, context in
            let who = try actor(context)
            return try Views.created(Views.Batch(batch: try uploads.create(owner: who.username, now: state.configuration.now()), files: []), request, context)
        }
        group.put("imports/:batch/files/:name", use: uploadFile)
        group.post("imports/:batch/check") { request, context in
            let who = try actor(context)
            let body = try await CandidateAPI.decode(ImportBody.self, request, context)
            let read = try readBatch(try StaffAPI.parameter("batch", context), owner: who.username, body: body)
            var plan = try await state.store.banks.planImport(read.imported, bank: body.bank, by: who)
            plan.entries = Array(plan.entries.prefix(5_000))
            return Views.ImportCheck(plan: plan, files: read.files, problems: read.imported.problems.map(\.description),
                                     warnings: read.imported.warnings.map(\.description), skipped: read.imported.skipped)
        }
        group.post("imports/:batch/run") { request, context in
            let who = try actor(context)
            let body = try await CandidateAPI.decode(ImportBody.self, request, context)
            let batch = try StaffAPI.parameter("batch", context)
            let read = try readBatch(batch, owner: who.username, body: body)
            let store = state.store
            let now = state.configuration.now()
            let uploads = self.uploads
            let job = try jobs.start(kind: "import", owner: who.username, now: now) { progress in
                let summary = try await store.banks.importBank(read.imported, bank: body.bank, partial: body.partial ?? false, by: who, now: now, progress: progress)
                try? uploads.remove(batch, owner: who.username)
                return summary
            }
            return try Views.created(Views.JobStarted(job: job), request, context)
        }
        group.delete("imports/:batch") { _, context in
            try uploads.remove(try StaffAPI.parameter("batch", context), owner: try actor(context).username)
            return Response(status: .noContent)
        }
        group.get("templates/:name", use: template)
        group.get("jobs/:id") { _, context in
            let who = try actor(context)
            guard let job = jobs.job(try StaffAPI.parameter("id", context), owner: who.username) else {
                throw APIError(.notFound, code: "notFound", "không có việc này / no such job")
            }
            return Views.JobState(job)
        }

        // Blueprints.
        group.get("blueprints") { _, context in Views.List(items: try await state.store.blueprints.blueprints(for: try actor(context))) }
        group.get("blueprint-templates") { _, context in
            _ = try actor(context)
            return Views.List(items: ExamTemplate.allCases.map(Views.Template.init))
        }
        group.get("blueprints/:name") { _, context in
            let (blueprint, canEdit) = try await state.store.blueprints.blueprint(named: try StaffAPI.parameter("name", context), for: try actor(context))
            return Views.BlueprintView(blueprint: blueprint, canEdit: canEdit)
        }
        group.post("blueprints") { request, context in
            struct Body: Decodable { var blueprint: Blueprint; var originalName: String? }
            let body = try await CandidateAPI.decode(Body.self, request, context)
            let problems = try await state.store.blueprints.saveBlueprint(body.blueprint, originalName: body.originalName, by: try actor(context),
                                                                          now: state.configuration.now())
            return Views.Saved(name: body.blueprint.name.trimmingCharacters(in: .whitespaces), problems: problems)
        }
        group.delete("blueprints/:name") { _, context in
            try await state.store.blueprints.deleteBlueprint(named: try StaffAPI.parameter("name", context), by: try actor(context), now: state.configuration.now())
            return Response(status: .noContent)
        }
        group.post("blueprint-check") { request, context in
            struct Body: Decodable { var blueprint: Blueprint; var bank: String }
            let body = try await CandidateAPI.decode(Body.self, request, context)
            return try await state.store.blueprints.check(body.blueprint, bank: body.bank, by: try actor(context))
        }
        group.post("blueprint-preview") { request, context in
            struct Body: Decodable { var blueprint: Blueprint; var bank: String; var seed: UInt64? }
            let body = try await CandidateAPI.decode(Body.self, request, context)
            let (paper, media) = try await state.store.blueprints.preview(body.blueprint, bank: body.bank, seed: body.seed ?? UInt64.random(in: 1...UInt64(Int64.max)),
                                                                         by: try actor(context))
            return Views.PaperView(paper: paper, media: media)
        }

        // Print sets.
        group.get("print-sets") { _, context in
            let who = try staff(context)
            return Views.List(items: try await state.store.printSets.printSets(for: Actor(who), coordinator: who.role.coordinates))
        }
        group.post("print-sets", use: createPrintSet)
        group.get("print-sets/:id") { _, context in
            let who = try staff(context)
            let set = try await state.store.printSets.printSet(id: try Self.number("id", context), for: Actor(who), coordinator: who.role.coordinates)
            return Views.PrintSetView(set)
        }
        group.get("print-sets/:id/key", use: printKey)
        group.delete("print-sets/:id") { _, context in
            try await state.store.printSets.deletePrintSet(id: try Self.number("id", context), by: try actor(context), now: state.configuration.now())
            return Response(status: .noContent)
        }

        // The audit log: admins.
        group.get("audit") { request, context in
            _ = try context.requireStaff(\.administers)
            let query = request.uri.queryParameters
            var filter = AuditQuery(actor: query.get("actor").flatMap { $0.isEmpty ? nil : $0 }, action: query.get("action").flatMap { $0.isEmpty ? nil : $0 },
                                    subject: query.get("subject").flatMap { $0.isEmpty ? nil : $0 })
            if let since = query.get("since"), !since.isEmpty {
                guard let date = ISOTime.date(since) else { throw APIError.invalid("since", "since: thời điểm ISO 8601 / an ISO 8601 time") }
                filter.since = date
            }
            if let limit = query.get("limit") {
                guard let value = Int(limit), (1...5_000).contains(value) else { throw APIError.invalid("limit", "limit: 1 đến 5000 / 1 to 5000") }
                filter.limit = value
            }
            return Views.List(items: try await state.store.audit.entries(filter))
        }
    }

    // MARK: - who

    func staff(_ context: ExamRequestContext) throws -> StaffMember { try context.requireStaff(\.authors) }

    func actor(_ context: ExamRequestContext) throws -> Actor { Actor(try staff(context)) }

    static func number(_ name: String, _ context: ExamRequestContext) throws -> Int64 {
        guard let value = Int64(try context.parameters.require(name)), value > 0 else { throw APIError.invalid(name, "\(name): cần một số / a number") }
        return value
    }

    // MARK: - the bank browser

    struct SaveBody: Decodable {
        var question: Question
        var baseRevision: Int?
        var media: [String: String]?
    }

    @Sendable func browse(_ request: Request, context: ExamRequestContext) async throws -> Views.Page {
        let who = try actor(context)
        let parameters = request.uri.queryParameters
        let query = try Self.browseQuery(bank: try StaffAPI.parameter("bank", context)) { parameters.get($0) }
        let page = try await state.store.banks.browse(query, by: who)
        return Views.Page(total: page.total, page: page.page, pageSize: page.pageSize, rows: page.rows.map(Views.Row.init))
    }

    static func browseQuery(bank: String, _ get: (String) -> String?) throws -> BrowseQuery {
        func text(_ name: String) -> String? { get(name).flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }
        func int(_ name: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let raw = text(name) else { return nil }
            guard let value = Int(raw), range.contains(value) else { throw APIError.invalid(name, "\(name): số từ \(range.lowerBound) đến \(range.upperBound) / a number \(range.lowerBound)–\(range.upperBound)") }
            return value
        }
        func flag(_ name: String) throws -> Bool? {
            guard let raw = text(name) else { return nil }
            switch raw { case "true", "1", "yes": return true; case "false", "0", "no": return false
            default: throw APIError.invalid(name, "\(name): true hoặc false / true or false") }
        }
        var result = BrowseQuery(bank: bank)
        result.text = text("q")
        if let q = result.text, q.count > 200 { throw APIError.invalid("q", "tìm tối đa 200 ký tự / search at most 200 characters") }
        result.subject = text("subject"); result.topic = text("topic"); result.lesson = text("lesson"); result.tag = text("tag")
        result.grade = try int("grade", 1...12)
        if let level = text("level") {
            guard let parsed = Level(rawValue: level) ?? Level(parsing: level) else { throw APIError.invalid("level", "level: nhan-biet, thong-hieu, van-dung, van-dung-cao") }
            result.level = parsed
        }
        if let kind = text("kind") {
            guard let parsed = QuestionKind(rawValue: kind) else { throw APIError.invalid("kind", "kind: " + QuestionKind.allCases.map(\.rawValue).joined(separator: ", ")) }
            result.kind = parsed
        }
        result.unclassified = try flag("unclassified")
        result.used = try flag("used")
        result.retired = try flag("retired") ?? false
        if let sort = text("sort") {
            guard let parsed = BrowseSort(rawValue: sort) else { throw APIError.invalid("sort", "sort: " + BrowseSort.allCases.map(\.rawValue).joined(separator: ", ")) }
            result.sort = parsed
        }
        result.descending = try flag("desc") ?? false
        result.page = try int("page", 1...1_000_000) ?? 1
        result.pageSize = try int("pageSize", 1...BrowseQuery.maximumPageSize) ?? 50
        return result
    }

    @Sendable func detail(_ request: Request, context: ExamRequestContext) async throws -> Views.Detail {
        let detail = try await state.store.banks.detail(bank: try StaffAPI.parameter("bank", context), id: try StaffAPI.parameter("id", context), by: try actor(context))
        return Views.Detail(detail)
    }

    @Sendable func bulk(_ request: Request, context: ExamRequestContext) async throws -> BulkResult {
        struct Body: Decodable {
            var ids: [String]
            var action: String
            var subject: String?
            var topic: String?
            var lesson: String?
            var level: String?
            var tags: [String]?
            var toBank: String?
        }
        let body = try await CandidateAPI.decode(Body.self, request, context)
        func level() throws -> Level {
            guard let text = body.level, let level = Level(rawValue: text) ?? Level(parsing: text) else { throw APIError.invalid("level", "cần mức độ / a level is needed") }
            return level
        }
        func required(_ value: String?, _ field: String) throws -> String {
            guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else { throw APIError.invalid(field, "cần \(field) / \(field) is needed") }
            return value.trimmingCharacters(in: .whitespaces)
        }
        let action: BulkAction
        switch body.action {
        case "classify": action = .classify(subject: body.subject, topic: try required(body.topic, "topic"), lesson: body.lesson, level: try level())
        case "set-topic": action = .setTopic(topic: try required(body.topic, "topic"), lesson: body.lesson)
        case "set-level": action = .setLevel(try level())
        case "add-tags": action = .addTags((body.tags ?? []).map { $0.trimmingCharacters(in: .whitespaces) })
        case "remove-tags": action = .removeTags((body.tags ?? []).map { $0.trimmingCharacters(in: .whitespaces) })
        case "move": action = .move(toBank: try required(body.toBank, "toBank"))
        case "copy": action = .copy(toBank: try required(body.toBank, "toBank"))
        case "delete": action = .delete
        case "restore": action = .restore
        default: throw APIError.invalid("action", "action: classify, set-topic, set-level, add-tags, remove-tags, move, copy, delete, restore")
        }
        return try await state.store.banks.bulk(bank: try StaffAPI.parameter("bank", context), ids: body.ids, action: action, by: try actor(context),
                                                now: state.configuration.now())
    }

    @Sendable func export(_ request: Request, context: ExamRequestContext) async throws -> Response {
        let who = try actor(context)
        let name = try StaffAPI.parameter("bank", context)
        // Reading the page of one question checks access; the export reads the bank as the CLI does.
        _ = try await state.store.banks.facets(bank: name, by: who)
        let bank = try await state.store.banks.exportBank(named: name)
        let format = request.uri.queryParameters.get("format") ?? "native"
        let (data, type, ext): (Data, String, String)
        switch format {
        case "native": (data, type, ext) = (Data(try NativeFormat.write(bank).utf8), "application/yaml; charset=utf-8", "yaml")
        case "json": (data, type, ext) = (try JSONBankFormat.write(bank), "application/json; charset=utf-8", "json")
        case "csv": (data, type, ext) = (CSVFormat.write(rows: TableFormat.rows(bank).rows), "text/csv; charset=utf-8", "csv")
        case "xlsx": (data, type, ext) = (try XLSXFormat.write(rows: TableFormat.rows(bank).rows), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
        default: throw APIError.invalid("format", "format: native, json, csv, xlsx")
        }
        return Views.download(data, type: type, fileName: Views.fileName(name, extension: ext))
    }

    // MARK: - the editor

    @Sendable func preview(_ request: Request, context: ExamRequestContext) async throws -> Views.Preview {
        _ = try actor(context)
        struct Body: Decodable { var question: Question; var media: [String: String]? }
        // A draft being typed may not decode yet: that is a problem to show, not a refusal.
        let bytes = Data(buffer: try await CandidateAPI.body(request, context))
        // Not JSON, or no question object at all, is a malformed request; a question that does not decode is not.
        guard let object = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any], object["question"] is [String: Any] else {
            throw APIError.malformed("question")
        }
        if let media = object["media"], !(media is NSNull), !(media is [String: String]) { throw APIError.malformed("media") }
        let body: Body
        do {
            body = try JSONDecoder.api.decode(Body.self, from: bytes)
        } catch let error as DecodingError {
            return Views.Preview(valid: false, problems: [JSONBankFormat.describe(error)], item: nil, key: nil, media: [:])
        }
        let question = body.question
        let media = (body.media ?? [:]).filter { $0.value.count == 64 && $0.value.allSatisfy(\.isHexDigit) }.mapValues { "/api/staff/media/" + $0 }
        let problems = question.problems()
        return Views.Preview(valid: problems.isEmpty, problems: problems,
                             item: CandidatePaper.Item(key: "preview", number: 1, points: question.points, question: question), key: question.keyText, media: media)
    }

    @Sendable func uploadImage(_ request: Request, context: ExamRequestContext) async throws -> Response {
        _ = try actor(context)
        let data = try await Self.collect(request, upTo: AppDatabase.maximumImageBytes)
        let (sha, type) = try await state.store.banks.storeImage(data)
        return try Views.created(Views.Image(sha256: sha, mimeType: type, url: "/api/staff/media/" + sha), request, context)
    }

    @Sendable func image(_ request: Request, context: ExamRequestContext) async throws -> Response {
        _ = try staff(context)
        let sha = try context.parameters.require("sha")
        guard sha.count == 64, sha.allSatisfy(\.isHexDigit), let file = try await state.store.media.file(sha256: sha) else {
            throw APIError(.notFound, code: "notFound", "không có ảnh này / no such image")
        }
        return Response(status: .ok, headers: [.contentType: file.mimeType], body: .init(byteBuffer: ByteBuffer(data: file.data)))
    }

    static func collect(_ request: Request, upTo limit: Int) async throws -> Data {
        do {
            return Data(buffer: try await request.body.collect(upTo: limit))
        } catch {
            throw APIError(.contentTooLarge, code: "tooLarge", "tệp lớn hơn \(limit / 1024 / 1024) MB / larger than \(limit / 1024 / 1024) MB")
        }
    }

    // MARK: - imports

    struct ImportBody: Decodable {
        var bank: String?
        var subject: String?
        var grade: Int?
        var topic: String?
        var lesson: String?
        var level: String?
        var partial: Bool?
    }

    @Sendable func uploadFile(_ request: Request, context: ExamRequestContext) async throws -> Response {
        let who = try actor(context)
        let batch = try StaffAPI.parameter("batch", context)
        let name = try StaffAPI.parameter("name", context)
        _ = try uploads.batch(batch, owner: who.username)
        let data = try await Self.collect(request, upTo: Self.maximumFileBytes)
        guard !data.isEmpty else { throw APIError.invalid("file", "\(name): tệp rỗng / the file is empty") }
        try uploads.add(batch, owner: who.username, name: name, data: data)
        return try Views.created(Views.Batch(batch: batch, files: try uploads.batch(batch, owner: who.username).files), request, context)
    }

    /// Every bank file of a batch read (images in it serve the files that name them), as one bank.
    func readBatch(_ id: String, owner: String, body: ImportBody) throws -> (imported: ImportedBank, files: [Views.FileReport]) {
        let batch = try uploads.batch(id, owner: owner)
        var level: Level?
        if let text = body.level, !text.isEmpty {
            guard let parsed = Level(rawValue: text) ?? Level(parsing: text) else { throw APIError.invalid("level", "mức độ không có / unknown level") }
            level = parsed
        }
        if let grade = body.grade, !(1...12).contains(grade) { throw APIError.invalid("grade", "lớp từ 1 đến 12 / grade 1 to 12") }
        let defaults = QuestionDefaults(bankName: body.bank, subject: body.subject.flatMap { $0.isEmpty ? nil : $0 }, grade: body.grade,
                                        topic: body.topic.flatMap { $0.isEmpty ? nil : $0 }, lesson: body.lesson.flatMap { $0.isEmpty ? nil : $0 }, level: level)
        var reads: [ImportedBank] = []
        var files: [Views.FileReport] = []
        for name in batch.files.sorted() where !ImageFiles.isImage(name) {
            let url = batch.directory.appendingPathComponent(name)
            do {
                let read = try BankReaders.read(url, defaults: defaults, partial: body.partial ?? false)
                files.append(Views.FileReport(name: name, format: BankFormat.detect(fileName: name, data: (try? Data(contentsOf: url)) ?? Data())?.rawValue,
                                              questions: read.bank.questions.count, problems: read.problems.count, error: nil))
                reads.append(read)
            } catch let error as BankFormatError {
                files.append(Views.FileReport(name: name, format: nil, questions: 0, problems: 1, error: error.description))
                reads.append(ImportedBank(bank: QuestionBank(name: name, questions: []), problems: [BankProblem(place: error.place, error.message)]))
            }
        }
        guard !reads.isEmpty else { throw APIError.invalid("files", "chưa có tệp ngân hàng nào (chỉ có ảnh?) / no bank file uploaded (only images?)") }
        var merged = BankReaders.merge(reads)
        if let bank = body.bank, !bank.trimmingCharacters(in: .whitespaces).isEmpty { merged.bank.name = bank }
        return (merged, files)
    }

    @Sendable func template(_ request: Request, context: ExamRequestContext) async throws -> Response {
        _ = try actor(context)
        let name = try StaffAPI.parameter("name", context)
        guard let template = BankTemplates.file(named: name) else {
            throw APIError(.notFound, code: "notFound", "không có mẫu \(name); có: \(BankTemplates.names.joined(separator: ", ")) / no such template")
        }
        return Views.download(template.data, type: template.mimeType, fileName: name)
    }

    // MARK: - print sets

    @Sendable func createPrintSet(_ request: Request, context: ExamRequestContext) async throws -> Response {
        struct Body: Decodable {
            var name: String
            var blueprint: String
            var bank: String
            var codes: Int?
            var firstCode: Int?
            var candidates: Int?
            var seed: UInt64?
            var school: String?
            var examTitle: String?
        }
        let who = try actor(context)
        let body = try await CandidateAPI.decode(Body.self, request, context)
        let mode: PaperRequest.Mode
        switch (body.codes, body.candidates) {
        case let (codes?, nil):
            guard (1...200).contains(codes) else { throw APIError.invalid("codes", "số mã đề từ 1 đến 200 / 1 to 200 codes") }
            let first = body.firstCode ?? 101
            guard (0...99_000).contains(first) else { throw APIError.invalid("firstCode", "mã đề đầu tiên từ 0 đến 99000 / first code 0 to 99000") }
            mode = .codes(PaperRequest.numberedCodes(codes, first: first))
        case let (nil, candidates?):
            guard (1...1_000).contains(candidates) else { throw APIError.invalid("candidates", "số thí sinh từ 1 đến 1000 / 1 to 1000 candidates") }
            mode = .candidates(candidates)
        default:
            throw APIError.invalid("codes", "cần codes (số mã đề) hoặc candidates (số thí sinh), một trong hai / give codes or candidates, one of them")
        }
        for (field, value) in [("school", body.school), ("examTitle", body.examTitle), ("name", body.name)] where (value ?? "").count > 300 {
            throw APIError.invalid(field, "\(field): tối đa 300 ký tự / at most 300 characters")
        }
        let printRequest = PrintRequest(name: body.name, blueprint: body.blueprint, bank: body.bank, mode: mode,
                                        seed: body.seed ?? UInt64.random(in: 1...UInt64(Int64.max)), school: body.school, examTitle: body.examTitle)
        let store = state.store
        let now = state.configuration.now()
        let job = try jobs.start(kind: "print", owner: who.username, now: now) { progress in
            try await store.printSets.createPrintSet(printRequest, by: who, now: now, progress: progress)
        }
        return try Views.created(Views.JobStarted(job: job), request, context)
    }

    /// Bảng đáp án: one row per item, one column per code, as XLSX or CSV.
    @Sendable func printKey(_ request: Request, context: ExamRequestContext) async throws -> Response {
        let who = try staff(context)
        let set = try await state.store.printSets.printSet(id: try Self.number("id", context), for: Actor(who), coordinator: who.role.coordinates)
        let rows = AnswerKeyTable.rows(set.papers)
        switch request.uri.queryParameters.get("format") ?? "xlsx" {
        case "xlsx":
            return Views.download(try XLSXFormat.write(rows: rows), type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                  fileName: Views.fileName("dap-an " + set.summary.name, extension: "xlsx"))
        case "csv":
            return Views.download(CSVFormat.write(rows: rows), type: "text/csv; charset=utf-8", fileName: Views.fileName("dap-an " + set.summary.name, extension: "csv"))
        default:
            throw APIError.invalid("format", "format: xlsx hoặc csv / xlsx or csv")
        }
    }
}

/// The key table of several papers: "Câu" and one column per code (Phần I 1, …).
enum AnswerKeyTable {
    static func rows(_ papers: [Paper]) -> [[String]] {
        guard let first = papers.first else { return [["Câu"]] }
        let keys = papers.map { Dictionary(uniqueKeysWithValues: $0.answerKey().entries.map { ($0.key, $0.answer) }) }
        var rows = [["Câu"] + papers.map { "Mã đề \($0.code)" }]
        for item in first.items {
            rows.append(["Phần \(item.part) — Câu \(item.number)"] + keys.map { $0[item.key] ?? "" })
        }
        return rows
    }
}

/// Files of an upload that are images (they serve the bank files that name them).
enum ImageFiles {
    static func isImage(_ name: String) -> Bool {
        ["png", "jpg", "jpeg", "gif", "webp", "svg", "bmp"].contains((name as NSString).pathExtension.lowercased())
    }
}

extension Actor {
    init(_ member: StaffMember) { self.init(username: member.username, isAdmin: member.role == .admin) }
}

extension StaffRole {
    /// Whether this role writes questions, blueprints and papers (a proctor does not).
    var authors: Bool { self != .proctor }
    /// Whether this role reads the audit log and manages staff.
    var administers: Bool { self == .admin }
}

extension StoreError: StoreErrorConvertible {
    var apiError: APIError { APIError(status, code: code.description, message, field: field, problems: problems) }
}

