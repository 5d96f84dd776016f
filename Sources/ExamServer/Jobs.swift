import ExamCore
import Foundation
import Hummingbird
import Synchronization

/// Work a page starts and then watches (a large import, generating 48 codes): it runs in a task of its own;
/// the page polls `GET /api/staff/jobs/:id` for how far it is and, at the end, its result or its error.
/// Kept in this process's memory for an hour: a job belongs to the node that runs it.
final class Jobs: Sendable {
    struct Job: Sendable {
        var owner: String
        var kind: String
        var done: Int
        var total: Int
        var finished: Bool
        /// The result as JSON, once finished well.
        var result: Data?
        var error: APIError?
        var startedAt: Date
    }

    private let jobs = Mutex<[String: Job]>([:])
    static let keep: TimeInterval = 3600
    /// The most jobs one member may have running at once.
    static let perMember = 3

    /// Starts `work`, which reports progress and returns an Encodable result.
    func start<T: Encodable & Sendable>(kind: String, owner: String, now: Date,
                                        _ work: @escaping @Sendable (_ progress: @escaping @Sendable (Int, Int) -> Void) async throws -> T) throws -> String {
        let id = UUID().uuidString.lowercased()
        try jobs.withLock { jobs in
            jobs = jobs.filter { now.timeIntervalSince($0.value.startedAt) < Self.keep }
            guard jobs.values.filter({ $0.owner == owner && !$0.finished }).count < Self.perMember else {
                throw APIError(.tooManyRequests, code: "tooManyJobs", "đang chạy \(Self.perMember) việc; chờ xong rồi thử lại / \(Self.perMember) jobs are running; wait for them")
            }
            jobs[id] = Job(owner: owner, kind: kind, done: 0, total: 0, finished: false, startedAt: now)
        }
        Task {
            let progress: @Sendable (Int, Int) -> Void = { [weak self] done, total in
                self?.jobs.withLock { if var job = $0[id] { job.done = done; job.total = total; $0[id] = job } }
            }
            do {
                let value = try await work(progress)
                let data = try JSONEncoder.api.encode(value)
                jobs.withLock { if var job = $0[id] { job.finished = true; job.result = data; job.done = max(job.done, job.total); $0[id] = job } }
            } catch {
                let failure = APIError.from(error)
                jobs.withLock { if var job = $0[id] { job.finished = true; job.error = failure; $0[id] = job } }
            }
        }
        return id
    }

    /// The job, if it is the member's (a job of someone else is "not found").
    func job(_ id: String, owner: String) -> Job? {
        jobs.withLock { jobs in jobs[id].flatMap { $0.owner == owner ? $0 : nil } }
    }
}

extension APIError {
    /// Any error as the API reports it: a domain code where there is one, else a 500 that names no internals.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError: return error
        case let error as StoreErrorConvertible: return error.apiError
        case let error as ExamCoreError:
            return APIError(.unprocessableContent, code: error.code.description, error.message, problems: error.problems)
        default:
            return APIError(.internalServerError, code: "internal", "lỗi máy chủ / server error")
        }
    }
}

/// Errors that know their API form (StoreError, BankFormatError).
protocol StoreErrorConvertible { var apiError: APIError { get } }

/// Files uploaded for one import, kept in a private directory until imported or an hour old. A batch is its
/// member's: nobody else can add to it, check it or import it.
final class UploadBatches: Sendable {
    struct Batch: Sendable {
        var owner: String
        var directory: URL
        var createdAt: Date
        var bytes: Int
        var files: [String]
    }

    private let batches = Mutex<[String: Batch]>([:])
    let root: URL

    static let maximumFiles = 50
    static let maximumBatchBytes = 256 * 1024 * 1024
    static let keep: TimeInterval = 3600
    static let maximumBatches = 100

    init(root: URL = FileManager.default.temporaryDirectory.appendingPathComponent("khaothi-uploads-\(ProcessInfo.processInfo.processIdentifier)")) {
        self.root = root
    }

    func create(owner: String, now: Date) throws -> String {
        let id = UUID().uuidString.lowercased()
        let directory = root.appendingPathComponent(id)
        let expired = batches.withLock { batches -> [URL] in
            let old = batches.filter { now.timeIntervalSince($0.value.createdAt) >= Self.keep }
            for key in old.keys { batches.removeValue(forKey: key) }
            return old.values.map(\.directory)
        }
        for folder in expired { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try batches.withLock { batches in
            guard batches.count < Self.maximumBatches else {
                throw APIError(.tooManyRequests, code: "tooManyUploads", "máy chủ đang giữ quá nhiều lượt tải lên; thử lại sau / too many uploads in progress; try later")
            }
            batches[id] = Batch(owner: owner, directory: directory, createdAt: now, bytes: 0, files: [])
        }
        return id
    }

    func batch(_ id: String, owner: String) throws -> Batch {
        guard let batch = batches.withLock({ $0[id] }), batch.owner == owner else {
            throw APIError(.notFound, code: "notFound", "không có lượt tải lên này (hết hạn sau 1 giờ) / no such upload (they expire after an hour)")
        }
        return batch
    }

    /// A file name as given by the browser, made safe: its last component, no control characters, no
    /// leading dot, at most 200 characters.
    static func safeName(_ name: String) throws -> String {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let cleaned = String(last.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init)).precomposedStringWithCanonicalMapping
        guard !cleaned.isEmpty, !cleaned.hasPrefix("."), cleaned.count <= 200 else {
            throw APIError.invalid("name", "tên tệp không hợp lệ / not an acceptable file name")
        }
        return cleaned
    }

    func add(_ id: String, owner: String, name: String, data: Data) throws {
        let name = try Self.safeName(name)
        let batch = try batch(id, owner: owner)
        try batches.withLock { batches in
            guard var current = batches[id] else { return }
            guard current.files.count < Self.maximumFiles || current.files.contains(name) else {
                throw APIError.invalid("files", "tối đa \(Self.maximumFiles) tệp mỗi lần / at most \(Self.maximumFiles) files at once")
            }
            guard current.bytes + data.count <= Self.maximumBatchBytes else {
                throw APIError(.contentTooLarge, code: "tooLarge", "quá \(Self.maximumBatchBytes / 1024 / 1024) MB mỗi lần / more than \(Self.maximumBatchBytes / 1024 / 1024) MB at once")
            }
            current.bytes += data.count
            if !current.files.contains(name) { current.files.append(name) }
            batches[id] = current
        }
        try data.write(to: batch.directory.appendingPathComponent(name), options: .atomic)
    }

    func remove(_ id: String, owner: String) throws {
        let batch = try batch(id, owner: owner)
        batches.withLock { _ = $0.removeValue(forKey: id) }
        try? FileManager.default.removeItem(at: batch.directory)
    }
}
