import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO

/// Where a khaothi database lives: a SQLite file (the default) or a PostgreSQL database named by a URL.
public enum DatabaseAddress: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresAddress)

    /// `postgres://…` or `postgresql://…` is PostgreSQL; anything else is a SQLite file's path.
    public init(_ text: String) throws {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(try PostgresAddress(url: text))
        } else {
            guard !text.isEmpty else { throw StoreError(.invalid, "thiếu đường dẫn cơ sở dữ liệu / no database path", field: "database") }
            self = .sqlite(path: text)
        }
    }

    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let address): address.description
        }
    }
}

/// A PostgreSQL database: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|require]`, or
/// `postgres://USER@/DATABASE?host=/run/postgresql` for a Unix socket. The password is never printed.
/// `connect_timeout=S` (libpq's name; 15 by default) and `answer_timeout=S` (khaothi's; 30) bound the seconds
/// a connection and a statement's answer are waited for before the work fails as unavailable (503).
public struct PostgresAddress: Sendable, Equatable, CustomStringConvertible {
    public enum TLSMode: String, Sendable { case disable, require }
    public var host: String
    public var port: Int
    public var socketPath: String?
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    public var connectTimeout: Double = 15
    public var answerTimeout: Double = 30

    public init(url text: String) throws {
        func refuse(_ why: String) -> StoreError {
            StoreError(.invalid, "\(Self.redacted(text)): \(why)", field: "database")
        }
        guard let url = URLComponents(string: text), let scheme = url.scheme, ["postgres", "postgresql"].contains(scheme) else {
            throw refuse("không phải địa chỉ PostgreSQL / not a PostgreSQL URL (postgres://user@host:port/database)")
        }
        let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        for name in query.keys where !["sslmode", "host", "connect_timeout", "answer_timeout"].contains(name) {
            throw refuse("không hiểu tham số \(name) / unknown parameter \(name) (sslmode, host, connect_timeout, answer_timeout)")
        }
        func seconds(_ name: String) throws -> Double? {
            guard let text = query[name] else { return nil }
            guard let value = Double(text), value > 0, value <= 3600 else {
                throw refuse("\(name)=\(text): số giây, lớn hơn 0, tối đa 3600 / seconds, above 0, at most 3600")
            }
            return value
        }
        if let value = try seconds("connect_timeout") { connectTimeout = value }
        if let value = try seconds("answer_timeout") { answerTimeout = value }
        socketPath = query["host"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        host = url.host ?? ""
        if host.isEmpty && socketPath == nil { throw refuse("thiếu máy chủ / no host") }
        port = url.port ?? 5432
        guard (1...65535).contains(port) else { throw refuse("cổng không hợp lệ / bad port") }
        username = url.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? ""
        guard !username.isEmpty else { throw refuse("thiếu tên người dùng / no user name (postgres://user@host/database)") }
        password = url.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        database = String(url.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else { throw refuse("thiếu tên cơ sở dữ liệu / no database name") }
        switch query["sslmode"] ?? "disable" {
        case "disable": tls = .disable
        case "require": tls = .require
        case let other: throw refuse("sslmode=\(other): dùng disable hoặc require / use disable or require")
        }
    }

    /// Seconds as people write them: "30", "0.5".
    static func seconds(_ value: Double) -> String { String(format: "%g", value) }

    /// The address without its password.
    public var description: String {
        if let socketPath { return "postgres://\(username)@/\(database)?host=\(socketPath)" }
        return "postgres://\(username)@\(host):\(port)/\(database)" + (tls == .require ? "?sslmode=require" : "")
    }

    static func redacted(_ text: String) -> String {
        guard var url = URLComponents(string: text), url.password != nil else { return text }
        url.password = "***"
        return url.string ?? text
    }

    func configuration() throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if let socketPath {
            configuration = .init(unixSocketPath: socketPath, username: username, password: password, database: database)
        } else {
            let mode: PostgresConnection.Configuration.TLS
            switch tls {
            case .disable: mode = .disable
            case .require: mode = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
            configuration = .init(host: host, port: port, username: username, password: password, database: database, tls: mode)
        }
        configuration.options.connectTimeout = .milliseconds(Int64(connectTimeout * 1000))
        return configuration
    }
}

/// One value of a row, as both engines store it: SQLite's storage classes, which PostgreSQL's `bigint`,
/// `smallint`, `double precision`, `text` and `bytea` columns hold without loss.
enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// One connection to PostgreSQL, for commands and tests: statements with bound values, whole scripts, the
/// migrations. Errors become `StoreError`s that name the server's message (PostgresNIO hides it by default).
final class PostgresSession: Sendable {
    let connection: PostgresConnection
    let address: PostgresAddress
    let logger: Logger

    private init(connection: PostgresConnection, address: PostgresAddress, logger: Logger) {
        self.connection = connection
        self.address = address
        self.logger = logger
    }

    static func connect(_ address: PostgresAddress, logger: Logger = Logger(label: "khaothi.postgres")) async throws -> PostgresSession {
        do {
            let connection = try await PostgresConnection.connect(configuration: try address.configuration(), id: 1, logger: logger)
            return PostgresSession(connection: connection, address: address, logger: logger)
        } catch {
            throw PostgresLink.connectionError(error, address: address)
        }
    }

    func close() async {
        try? await connection.close()
    }

    /// Runs one statement; `values` are bound to `$1`, `$2`…
    func execute(_ sql: String, _ values: [SQLValue] = []) async throws {
        _ = try await rows(sql, values)
    }

    /// Runs one statement and returns its rows, each value read by its column's type.
    func rows(_ sql: String, _ values: [SQLValue] = []) async throws -> [[SQLValue]] {
        var all: [[SQLValue]] = []
        try await forEachBatch(sql, values, size: .max) { all = $0 }
        return all
    }

    /// Runs one query and hands its rows over in batches of `size`: the whole result is never in memory
    /// (PostgresNIO streams rows with back-pressure). The server's errors, while sending the query or its rows,
    /// become `StoreError`s naming the database; `body`'s own errors pass through as they are.
    func forEachBatch(_ sql: String, _ values: [SQLValue] = [], size: Int, _ body: ([[SQLValue]]) async throws -> Void) async throws {
        struct Passed: Error { let error: any Error }
        func deliver(_ rows: [[SQLValue]]) async throws {
            do { try await body(rows) } catch { throw Passed(error: error) }
        }
        do {
            let sequence = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: Self.bindings(values)), logger: logger)
            var rows: [[SQLValue]] = []
            for try await row in sequence {
                rows.append(try Self.values(of: row))
                if rows.count == size {
                    try await deliver(rows)
                    rows.removeAll(keepingCapacity: true)
                }
            }
            if !rows.isEmpty { try await deliver(rows) }
        } catch let passed as Passed {
            throw passed.error
        } catch {
            throw PostgresLink.storeError(error, address: address)
        }
    }

    /// Runs statements one by one (PostgreSQL's extended protocol takes one at a time). Statements end with `;`
    /// at the end of a line; `$$`-quoted function bodies are kept whole.
    func script(_ text: String) async throws {
        for statement in Self.statements(of: text) { try await execute(statement) }
    }

    /// In a transaction: commits when `body` returns, rolls back when it throws.
    func transaction<T: Sendable>(_ begin: String = "BEGIN", _ body: () async throws -> T) async throws -> T {
        try await execute(begin)
        do {
            let value = try await body()
            try await execute("COMMIT")
            return value
        } catch {
            try? await execute("ROLLBACK")
            throw error
        }
    }

    /// Brings the schema up to date (see `PostgresLink.migrate`), off the caller's thread.
    func migrate() async throws {
        let link = PostgresLink(connection: connection, address: address, logger: logger)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            DispatchQueue.global().async { continuation.resume(with: Result { try link.migrate() }) }
        }
    }

    /// The advisory lock taken while migrating (any fixed number; "khaothi" in ASCII).
    static let migrationLock: Int64 = 0x6B68_616F_7468_69

    static func statements(of text: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var inBody = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("--") && current.isEmpty { continue }
            current += line + "\n"
            if line.components(separatedBy: "$$").count % 2 == 0 { inBody.toggle() }
            if !inBody && trimmed.hasSuffix(";") {
                statements.append(current.trimmingCharacters(in: .whitespacesAndNewlines))
                current = ""
            }
        }
        let rest = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty { statements.append(rest) }
        return statements
    }

    static func bindings(_ values: [SQLValue]) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .null: bindings.appendNull()
            case .integer(let integer): bindings.append(integer)
            case .real(let real): bindings.append(real)
            case .text(let text): bindings.append(text)
            case .blob(let bytes): bindings.append(ByteBuffer(bytes: bytes))
            }
        }
        return bindings
    }

    static func values(of row: PostgresRow) throws -> [SQLValue] {
        try row.map { cell -> SQLValue in
            guard cell.bytes != nil else { return .null }
            switch cell.dataType {
            case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
            case .float4, .float8: return .real(try cell.decode(Double.self))
            case .bytea: return .blob(Array(buffer: try cell.decode(ByteBuffer.self)))
            case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
            // sum() and avg() of integers: whole numbers stay integers, as SQLite's sum() gives them.
            case .numeric:
                let number = try cell.decode(Decimal.self)
                var rounded = Decimal()
                var copy = number
                NSDecimalRound(&rounded, &copy, 0, .plain)
                if rounded == number, let integer = Int64(exactly: NSDecimalNumber(decimal: number).int64Value), Decimal(integer) == number {
                    return .integer(integer)
                }
                return .real(NSDecimalNumber(decimal: number).doubleValue)
            default: return .text(try cell.decode(String.self))
            }
        }
    }

    /// The server's own words for what went wrong (PostgresNIO's `description` hides them on purpose).
    static func explain(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                let detail = error.serverInfo?[.detail].map { " — \($0)" } ?? ""
                return message + detail
            }
            if let underlying = error.underlying { return "\(underlying)" }
            return "\(error.code)"
        }
        return "\(error)"
    }
}
