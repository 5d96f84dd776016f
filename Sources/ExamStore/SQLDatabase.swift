import Foundation
internal import GRDB
import Logging
import Synchronization

/// The database under the store: transactions on either engine, with GRDB's shapes (`read`, `write`, each
/// synchronous on the caller's thread or awaited off it).
///
/// SQLite: GRDB's pool (WAL; reads run beside the one writer). PostgreSQL: a pool of connections used from
/// the store's own threads; a read is one REPEATABLE READ READ ONLY transaction (one snapshot, as a SQLite
/// read), and a write takes one advisory lock for its transaction, so writes run one at a time across every
/// node, as on SQLite: a check and the write it decides are never interleaved with another write.
final class SQLDatabase: Sendable {
    enum Engine: Sendable {
        case sqlite(any DatabaseWriter)
        case postgres(PostgresPool)
    }
    let engine: Engine

    init(_ writer: any DatabaseWriter) { engine = .sqlite(writer) }
    init(_ pool: PostgresPool) { engine = .postgres(pool) }

    var kind: SQLEngine {
        switch engine {
        case .sqlite: .sqlite
        case .postgres: .postgresql
        }
    }

    /// GRDB's writer, for what only SQLite has (online backup, pragmas); nil on PostgreSQL.
    var sqlite: (any DatabaseWriter)? {
        if case let .sqlite(writer) = engine { return writer }
        return nil
    }

    /// The SQLite file (":memory:" for an in-memory database); nil on PostgreSQL.
    var path: String? { sqlite?.path }

    func read<T>(_ body: (SQLConnection) throws -> T) throws -> T {
        switch engine {
        case let .sqlite(writer): try writer.read { try body(SQLConnection($0)) }
        case let .postgres(pool): try pool.transaction(writing: false, body)
        }
    }

    func write<T>(_ body: (SQLConnection) throws -> T) throws -> T {
        switch engine {
        case let .sqlite(writer): try writer.write { try body(SQLConnection($0)) }
        case let .postgres(pool): try pool.transaction(writing: true, body)
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (SQLConnection) throws -> T) async throws -> T {
        switch engine {
        case let .sqlite(writer): try await writer.read { try body(SQLConnection($0)) }
        case let .postgres(pool): try await pool.offThread { try pool.transaction(writing: false, body) }
        }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (SQLConnection) throws -> T) async throws -> T {
        switch engine {
        case let .sqlite(writer): try await writer.write { try body(SQLConnection($0)) }
        case let .postgres(pool): try await pool.offThread { try pool.transaction(writing: true, body) }
        }
    }

    func close() {
        if case let .postgres(pool) = engine { pool.close() }
    }

    deinit { close() }
}

/// Connections to one PostgreSQL database, opened as needed up to `size` and kept. Work awaited by the store
/// runs on an operation queue of `size` threads: blocking calls never run on an event loop or on Swift's
/// cooperative threads.
final class PostgresPool: Sendable {
    let address: PostgresAddress
    let size: Int
    private let logger: Logger
    private let idle = Mutex<[PostgresLink]>([])
    private let opened = Atomic<Int>(0)
    private let slots: DispatchSemaphore
    private let queue: OperationQueue

    /// The advisory lock every write transaction holds ("khaothi" in ASCII, plus one; the migrations take the
    /// number before it).
    static let writeLock: Int64 = PostgresSession.migrationLock + 1

    init(address: PostgresAddress, size: Int = 8, logger: Logger = Logger(label: "khaothi.postgres")) {
        self.address = address
        self.size = size
        self.logger = logger
        slots = DispatchSemaphore(value: size)
        let queue = OperationQueue()
        queue.name = "khaothi.postgres"
        queue.maxConcurrentOperationCount = size
        self.queue = queue
    }

    /// Runs `body` with a connection of its own (waiting for one while all are busy).
    func withLink<T>(_ body: (PostgresLink) throws -> T) throws -> T {
        slots.wait()
        defer { slots.signal() }
        var link = idle.withLock { $0.popLast() }
        if let stale = link, stale.isClosed { link = nil }
        let held = try link ?? PostgresLink.connect(address, id: opened.add(1, ordering: .relaxed).newValue, logger: logger)
        let value: T
        do {
            value = try body(held)
        } catch {
            if !held.isClosed { idle.withLock { $0.append(held) } }
            throw error
        }
        idle.withLock { $0.append(held) }
        return value
    }

    func transaction<T>(writing: Bool, _ body: (SQLConnection) throws -> T) throws -> T {
        try withLink { link in
            do {
                if writing {
                    // One round trip for both.
                    try link.runTogether(["BEGIN", "SELECT pg_advisory_xact_lock(\(Self.writeLock))"])
                } else {
                    try link.run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", [])
                }
                let value = try body(SQLConnection(link))
                try link.run("COMMIT", [])
                return value
            } catch {
                // A link whose transaction cannot be rolled back (the connection lost, no answer) is not used again.
                if !link.isClosed, (try? link.run("ROLLBACK", [])) == nil { link.close() }
                throw error
            }
        }
    }

    /// Runs blocking work on the pool's queue and awaits it.
    func offThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.addOperation { continuation.resume(with: Result { try work() }) }
        }
    }

    func close() {
        for link in idle.withLock({ links in defer { links.removeAll() }; return links }) { link.close() }
    }
}
