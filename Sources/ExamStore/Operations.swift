import Foundation
internal import GRDB

/// What the operators' endpoints ask of the store: `/healthz` (is the database there and the writer taking
/// work?) and `/metrics` (sizes read when scraped).
public protocol OperationsRepository: Sendable {
    /// Reads from the database and checks the writer; throws when the database does not answer.
    func health() async throws -> StoreHealth
    /// Figures read when `/metrics` is scraped.
    func figures() async throws -> StoreFigures
}

public struct StoreHealth: Sendable, Hashable {
    /// "sqlite" (or "postgresql").
    public var engine: String
    /// The writer takes work (false once it has stopped for shutdown).
    public var writerRunning: Bool
    /// How long the database took to answer a read.
    public var readSeconds: Double
}

public struct StoreFigures: Sendable, Hashable {
    public var engine: String
    /// Bytes of the database (for SQLite: the main file) and of its write-ahead log.
    public var databaseBytes: Int64
    public var walBytes: Int64
    /// Exams and candidates held in the exam-day read model; papers decoded in memory.
    public var examsInMemory: Int
    public var candidatesInMemory: Int
    public var papersInMemory: Int
    /// Jobs waiting for the writer's next group; groups committed and jobs in them since the process started.
    public var writerWaiting: Int
    public var writerCommits: Int
    public var writerJobs: Int
}

extension DatabaseStore: OperationsRepository {
    public func health() async throws -> StoreHealth {
        let started = ContinuousClock.now
        _ = try await database.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM exam") }
        let elapsed = ContinuousClock.now - started
        return StoreHealth(engine: database.engine, writerRunning: writer.running,
                           readSeconds: elapsed / .seconds(1))
    }

    public func figures() async throws -> StoreFigures {
        func size(_ file: String) -> Int64 {
            ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber)?.int64Value ?? 0
        }
        var bytes: Int64 = 0, walBytes: Int64 = 0
        if let path = database.writer.path {
            if path != ":memory:" { bytes = size(path); walBytes = size(path + "-wal") }
        } else {
            bytes = try await database.writer.read { db in try Int64.fetchOne(db, sql: "SELECT pg_database_size(current_database())") ?? 0 }
        }
        let held = examDay.entriesSummary()
        return StoreFigures(engine: database.engine, databaseBytes: bytes, walBytes: walBytes,
                            examsInMemory: held.exams, candidatesInMemory: held.candidates, papersInMemory: papers.entries.withLock { $0.count },
                            writerWaiting: writer.waiting, writerCommits: writer.transactions, writerJobs: writer.batches)
    }
}
