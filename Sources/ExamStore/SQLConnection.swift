import Foundation
internal import GRDB
import Logging
import NIOCore
import PostgresNIO
import Synchronization

// The one seam between ExamStore's repositories and the two engines. Repositories write SQL that both SQLite and
// PostgreSQL accept (placeholders `?`, unquoted identifiers, booleans as 0/1, dates as GRDB's UTC text) and read
// rows by column name or position; `SQLConnection` runs it on a GRDB `Database` or on a PostgreSQL connection.
// Nothing outside ExamStore sees either.

/// Which engine a connection talks to; the few statements that differ (full-text search, sizes) ask.
enum SQLEngine: String, Sendable {
    case sqlite
    case postgresql
}

/// The values bound to a statement's `?`s, in order.
struct SQLArguments: ExpressibleByArrayLiteral, Sendable {
    var values: [DatabaseValue]

    init() { values = [] }
    init(values: [DatabaseValue]) { self.values = values }
    init(arrayLiteral elements: (any DatabaseValueConvertible)?...) { values = elements.map { $0?.databaseValue ?? .null } }
    // Closures, not key paths: in these generic initializers `\.databaseValue` was built at run time on every call
    // (it showed in the answer writer's profile).
    init<S: Sequence>(_ sequence: S) where S.Element: DatabaseValueConvertible { values = sequence.map { $0.databaseValue } }
    init<S: Sequence>(_ sequence: S) where S.Element == any DatabaseValueConvertible { values = sequence.map { $0.databaseValue } }
    init<S: Sequence>(_ sequence: S) where S.Element == (any DatabaseValueConvertible)? { values = sequence.map { $0?.databaseValue ?? .null } }

    var isEmpty: Bool { values.isEmpty }
    /// GRDB's arguments through its initializer for optional existentials: the one for a sequence of a concrete
    /// type maps with a key path that is built at run time on every call, and every SQLite statement comes here.
    var grdb: StatementArguments { StatementArguments(values.map { $0 as (any DatabaseValueConvertible)? }) }

    static func += (lhs: inout SQLArguments, rhs: SQLArguments) { lhs.values += rhs.values }
    static func + (lhs: SQLArguments, rhs: SQLArguments) -> SQLArguments { var sum = lhs; sum += rhs; return sum }
    mutating func append(contentsOf other: SQLArguments) { values += other.values }
}

/// One row of a result, read by position or by column name (without regard to case: PostgreSQL folds unquoted
/// names to lower case). A NULL read as a non-optional value, or a value of the wrong kind, is a programming
/// error and stops the process, as GRDB's rows do.
struct SQLRow: @unchecked Sendable {  // fetched rows are copies nobody changes; a cursor's row is valid until its next step
    /// The names of a result's columns, shared by its rows.
    final class Columns: Sendable {
        let names: [String]
        let index: [String: Int]
        init(_ names: [String]) {
            self.names = names
            var index: [String: Int] = [:]
            for (position, name) in names.enumerated().reversed() { index[name.lowercased()] = position }
            self.index = index
        }
    }

    enum Storage {
        case sqlite(Row)
        case values(Columns, [DatabaseValue])
    }
    let storage: Storage

    init(_ row: Row) { storage = .sqlite(row) }
    init(columns: Columns, values: [DatabaseValue]) { storage = .values(columns, values) }

    var count: Int {
        switch storage {
        case let .sqlite(row): row.count
        case let .values(_, values): values.count
        }
    }

    var columnNames: [String] {
        switch storage {
        case let .sqlite(row): Array(row.columnNames)
        case let .values(columns, _): columns.names
        }
    }

    func databaseValue(at index: Int) -> DatabaseValue {
        switch storage {
        case let .sqlite(row): row[index] as DatabaseValue
        case let .values(_, values): values[index]
        }
    }

    /// The value of the named column; NULL when there is no such column.
    func databaseValue(named name: String) -> DatabaseValue {
        switch storage {
        case let .sqlite(row): return row[name] as DatabaseValue? ?? .null
        case let .values(columns, values):
            guard let index = columns.index[name] ?? columns.index[name.lowercased()] else { return .null }
            return values[index]
        }
    }

    func hasColumn(_ name: String) -> Bool {
        switch storage {
        case let .sqlite(row): row.hasColumn(name)
        case let .values(columns, _): columns.index[name.lowercased()] != nil
        }
    }

    // As GRDB's rows: `row["x"] as String?` reads NULL as nil (Optional is DatabaseValueConvertible).
    subscript<T: DatabaseValueConvertible>(_ index: Int) -> T { Self.convert(databaseValue(at: index), "#\(index)") }
    subscript<T: DatabaseValueConvertible>(_ name: String) -> T { Self.convert(databaseValue(named: name), name) }
    /// SQLite's rows read these straight from the statement.
    subscript<T: DatabaseValueConvertible & StatementColumnConvertible>(_ index: Int) -> T {
        switch storage {
        case let .sqlite(row): row[index]
        case let .values(_, values): Self.convert(values[index], "#\(index)")
        }
    }
    subscript<T: DatabaseValueConvertible & StatementColumnConvertible>(_ name: String) -> T {
        switch storage {
        case let .sqlite(row): row[name]
        case .values: Self.convert(databaseValue(named: name), name)
        }
    }

    /// Dates as the store writes them are read by `UTCText.date(database:)`; anything else as GRDB reads it.
    subscript(_ index: Int) -> Date? {
        switch storage {
        case let .sqlite(row):
            guard let text = row[index] as String? else { return nil }
            return UTCText.date(database: text) ?? row[index]
        case let .values(_, values): return Self.date(values[index], "#\(index)")
        }
    }
    subscript(_ name: String) -> Date? { Self.date(databaseValue(named: name), name) }
    subscript(_ index: Int) -> Date {
        guard let date = self[index] as Date? else { fatalError("column #\(index): NULL is not a Date") }
        return date
    }
    subscript(_ name: String) -> Date {
        guard let date = self[name] as Date? else { fatalError("column \(name): NULL is not a Date") }
        return date
    }

    private static func date(_ value: DatabaseValue, _ column: String) -> Date? {
        if value.isNull { return nil }
        if case let .string(text) = value.storage, let date = UTCText.date(database: text) { return date }
        return convert(value, column) as Date
    }

    private static func convert<T: DatabaseValueConvertible>(_ value: DatabaseValue, _ column: String) -> T {
        guard let converted = T.fromDatabaseValue(value) else { fatalError("column \(column): \(value) is not a \(T.self)") }
        return converted
    }

    /// The same row as GRDB's, for decoding records.
    var grdb: Row {
        switch storage {
        case let .sqlite(row): return row
        case let .values(columns, values):
            var dictionary: [String: DatabaseValue] = [:]
            for (name, value) in zip(columns.names, values) where dictionary[name] == nil { dictionary[name] = value }
            return Row(dictionary)
        }
    }
}

/// How a savepoint ends.
enum SavepointEnd {
    case commit
    case rollback
}

/// One connection inside a transaction (or a savepoint of one): what every repository function takes.
final class SQLConnection {
    enum Backend {
        case sqlite(Database)
        case postgres(PostgresLink)
    }
    let backend: Backend

    init(_ db: Database) { backend = .sqlite(db) }
    init(_ link: PostgresLink) { backend = .postgres(link) }

    var engine: SQLEngine {
        switch backend {
        case .sqlite: .sqlite
        case .postgres: .postgresql
        }
    }

    /// Rows changed by the last statement.
    private(set) var changesCount = 0

    /// Runs one statement (on SQLite, several separated by `;` when there are no arguments).
    func execute(sql: String, arguments: SQLArguments = []) throws {
        switch backend {
        case let .sqlite(db):
            try db.execute(sql: sql, arguments: arguments.grdb)
            changesCount = db.changesCount
        case let .postgres(link):
            changesCount = try link.run(sql, arguments.values)
        }
    }

    /// Runs an INSERT into a table with an `id` column and returns the id the database gave the row.
    func insert(sql: String, arguments: SQLArguments = []) throws -> Int64 {
        try cachedStatement(sql: sql + " RETURNING id").insertedID(arguments: arguments)
    }

    /// A statement prepared once per connection (SQLite) and run many times.
    func cachedStatement(sql: String) throws -> SQLStatement {
        switch backend {
        case let .sqlite(db): SQLStatement(connection: self, sql: sql, sqlite: try db.cachedStatement(sql: sql))
        case .postgres: SQLStatement(connection: self, sql: sql, sqlite: nil)
        }
    }

    /// The rows one by one. SQLite steps the statement as they are read (a row is valid until the next one);
    /// PostgreSQL's arrive whole first (PostgreSQL cannot keep two results of one connection open at once).
    func cursor(sql: String, arguments: SQLArguments = []) throws -> SQLCursor<SQLRow> {
        switch backend {
        case let .sqlite(db):
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments.grdb)
            return SQLCursor { try cursor.next().map(SQLRow.init) }
        case .postgres:
            var rows = try self.rows(sql: sql, arguments: arguments).makeIterator()
            return SQLCursor { rows.next() }
        }
    }

    func rows(sql: String, arguments: SQLArguments = [], statement: Statement? = nil, limit: Int = .max) throws -> [SQLRow] {
        switch backend {
        case let .sqlite(db):
            // Rows of a cursor are reused: each one kept is copied.
            let cursor = try statement.map { try Row.fetchCursor($0, arguments: arguments.grdb) }
                ?? Row.fetchCursor(db, sql: sql, arguments: arguments.grdb)
            var rows: [SQLRow] = []
            while rows.count < limit, let row = try cursor.next() { rows.append(SQLRow(row.copy())) }
            return rows
        case let .postgres(link):
            var rows: [SQLRow] = []
            try link.run(sql, arguments.values) { rows.append($0) }
            return rows.count > limit ? Array(rows.prefix(limit)) : rows
        }
    }

    /// Runs `body` in a savepoint: released when it returns `.commit`, rolled back when it returns `.rollback`
    /// or throws.
    func inSavepoint(_ body: () throws -> SavepointEnd) throws {
        switch backend {
        case let .sqlite(db):
            try db.inSavepoint {
                switch try body() {
                case .commit: .commit
                case .rollback: .rollback
                }
            }
        case let .postgres(link):
            let name = "khaothi_\(link.nextSavepoint())"
            _ = try link.run("SAVEPOINT \(name)", [])
            do {
                switch try body() {
                case .commit: _ = try link.run("RELEASE SAVEPOINT \(name)", [])
                case .rollback:
                    _ = try link.run("ROLLBACK TO SAVEPOINT \(name)", [])
                    _ = try link.run("RELEASE SAVEPOINT \(name)", [])
                }
            } catch {
                // The transaction stays usable: only the savepoint's work is undone.
                _ = try? link.run("ROLLBACK TO SAVEPOINT \(name)", [])
                _ = try? link.run("RELEASE SAVEPOINT \(name)", [])
                throw error
            }
        }
    }
}

/// A statement for `SQLConnection.cachedStatement`: prepared on SQLite, sent as it is to PostgreSQL.
struct SQLStatement {
    let connection: SQLConnection
    let sql: String
    let sqlite: Statement?

    func execute(arguments: SQLArguments = []) throws {
        if let sqlite {
            try sqlite.execute(arguments: arguments.grdb)
        } else {
            try connection.execute(sql: sql, arguments: arguments)
        }
    }

    /// Runs an `INSERT … RETURNING id` and returns the id.
    func insertedID(arguments: SQLArguments = []) throws -> Int64 {
        guard let id = try Int64.fetchOne(self, arguments: arguments) else { throw StoreError(.invalid, "no id returned by: \(sql)") }
        return id
    }

    func rows(arguments: SQLArguments, limit: Int = .max) throws -> [SQLRow] {
        try connection.rows(sql: sql, arguments: arguments, statement: sqlite, limit: limit)
    }
}

/// Rows (or values) read one at a time.
final class SQLCursor<Element> {
    private let step: () throws -> Element?
    init(_ step: @escaping () throws -> Element?) { self.step = step }
    func next() throws -> Element? { try step() }
}

// MARK: - fetching, with the shapes GRDB's fetchers have

extension SQLRow {
    static func fetchAll(_ db: SQLConnection, sql: String, arguments: SQLArguments = []) throws -> [SQLRow] {
        try db.rows(sql: sql, arguments: arguments)
    }
    static func fetchOne(_ db: SQLConnection, sql: String, arguments: SQLArguments = []) throws -> SQLRow? {
        try db.rows(sql: sql, arguments: arguments, limit: 1).first
    }
    static func fetchAll(_ statement: SQLStatement, arguments: SQLArguments = []) throws -> [SQLRow] {
        try statement.rows(arguments: arguments)
    }
    static func fetchCursor(_ db: SQLConnection, sql: String, arguments: SQLArguments = []) throws -> SQLCursor<SQLRow> {
        try db.cursor(sql: sql, arguments: arguments)
    }
    static func fetchOne(_ statement: SQLStatement, arguments: SQLArguments = []) throws -> SQLRow? {
        try statement.rows(arguments: arguments, limit: 1).first
    }
}

extension DatabaseValueConvertible {
    static func fetchOne(_ db: SQLConnection, sql: String, arguments: SQLArguments = []) throws -> Self? {
        try db.rows(sql: sql, arguments: arguments, limit: 1).first.flatMap { Self.fromDatabaseValue($0.databaseValue(at: 0)) }
    }
    static func fetchOne(_ statement: SQLStatement, arguments: SQLArguments = []) throws -> Self? {
        try statement.rows(arguments: arguments, limit: 1).first.flatMap { Self.fromDatabaseValue($0.databaseValue(at: 0)) }
    }
    /// The first column of every row; a NULL or a value of another kind is refused.
    static func fetchAll(_ db: SQLConnection, sql: String, arguments: SQLArguments = []) throws -> [Self] {
        try values(of: db.rows(sql: sql, arguments: arguments), sql: sql)
    }
    static func fetchAll(_ statement: SQLStatement, arguments: SQLArguments = []) throws -> [Self] {
        try values(of: statement.rows(arguments: arguments), sql: statement.sql)
    }
    static func fetchCursor(_ db: SQLConnection, sql: String, arguments: SQLArguments = []) throws -> SQLCursor<Self> {
        let rows = try db.cursor(sql: sql, arguments: arguments)
        return SQLCursor {
            guard let row = try rows.next() else { return nil }
            guard let value = Self.fromDatabaseValue(row.databaseValue(at: 0)) else {
                throw StoreError(.invalid, "\(row.databaseValue(at: 0)) is not a \(Self.self) in: \(sql)")
            }
            return value
        }
    }

    private static func values(of rows: [SQLRow], sql: String) throws -> [Self] {
        try rows.map { row in
            guard let value = Self.fromDatabaseValue(row.databaseValue(at: 0)) else {
                throw StoreError(.invalid, "\(row.databaseValue(at: 0)) is not a \(Self.self) in: \(sql)")
            }
            return value
        }
    }
}

extension DatabaseValueConvertible where Self: Hashable {
    static func fetchSet(_ db: SQLConnection, sql: String, arguments: SQLArguments = []) throws -> Set<Self> {
        Set(try fetchAll(db, sql: sql, arguments: arguments))
    }
}

extension FetchableRecord {
    static func fetchAll(_ db: SQLConnection, sql: String, arguments: SQLArguments = []) throws -> [Self] {
        try db.rows(sql: sql, arguments: arguments).map { try Self(row: $0.grdb) }
    }
    static func fetchOne(_ db: SQLConnection, sql: String, arguments: SQLArguments = []) throws -> Self? {
        try db.rows(sql: sql, arguments: arguments, limit: 1).first.map { try Self(row: $0.grdb) }
    }
}

// MARK: - records

/// A Codable struct stored as one row of `databaseTableName` (its properties are the columns).
protocol StoredRecord: Codable, FetchableRecord, EncodableRecord {
    static var databaseTableName: String { get }
}

/// A record whose table numbers its rows (`id`, given by the database on insert).
protocol IdentifiedRecord: StoredRecord {
    var id: Int64? { get set }
}

extension StoredRecord {
    static func fetchAll(_ db: SQLConnection, where condition: String, arguments: SQLArguments = []) throws -> [Self] {
        try fetchAll(db, sql: "SELECT * FROM \(databaseTableName) WHERE \(condition)", arguments: arguments)
    }
    static func fetchOne(_ db: SQLConnection, where condition: String, arguments: SQLArguments = []) throws -> Self? {
        try fetchOne(db, sql: "SELECT * FROM \(databaseTableName) WHERE \(condition)", arguments: arguments)
    }

    fileprivate func columns(without skipped: String? = nil) throws -> (names: [String], values: SQLArguments) {
        let dictionary = try databaseDictionary
        let names = dictionary.keys.filter { $0 != skipped }.sorted()
        return (names, SQLArguments(names.map { dictionary[$0]! }))
    }

    func insert(_ db: SQLConnection) throws {
        let (names, values) = try columns()
        try db.cachedStatement(sql: Self.insertSQL(names, returning: false)).execute(arguments: values)
    }

    fileprivate static func insertSQL(_ names: [String], returning: Bool) -> String {
        "INSERT INTO \(databaseTableName)(\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))"
            + (returning ? " RETURNING id" : "")
    }
}

extension IdentifiedRecord {
    /// Inserts the row and takes the id the database gave it.
    mutating func insert(_ db: SQLConnection) throws {
        if id != nil {
            let (names, values) = try columns()
            try db.cachedStatement(sql: Self.insertSQL(names, returning: false)).execute(arguments: values)
            return
        }
        let (names, values) = try columns(without: "id")
        guard let given = try Int64.fetchOne(try db.cachedStatement(sql: Self.insertSQL(names, returning: true)), arguments: values) else {
            throw StoreError(.invalid, "\(Self.databaseTableName): no id given")
        }
        id = given
    }

    /// Writes every column of the row with this id.
    func update(_ db: SQLConnection) throws {
        guard let id else { throw StoreError(.invalid, "\(Self.databaseTableName): update without an id") }
        let (names, values) = try columns(without: "id")
        try db.cachedStatement(sql: "UPDATE \(Self.databaseTableName) SET \(names.map { "\($0) = ?" }.joined(separator: ", ")) WHERE id = ?")
            .execute(arguments: values + [id])
    }

    /// Updates the row with this id, or inserts a new one.
    mutating func save(_ db: SQLConnection) throws {
        if id == nil { try insert(db) } else { try update(db) }
    }
}

// MARK: - PostgreSQL

/// One PostgreSQL connection used synchronously from the store's own threads (never from an event loop, as
/// GRDB's calls): each statement is sent and its rows read before the call returns. `?` placeholders become
/// `$1`, `$2`…; values are sent and read as SQLite's storage classes (see `SQLValue`).
final class PostgresLink: @unchecked Sendable {
    let connection: PostgresConnection
    let address: PostgresAddress
    let logger: Logger
    private var savepoints = 0

    init(connection: PostgresConnection, address: PostgresAddress, logger: Logger) {
        self.connection = connection
        self.address = address
        self.logger = logger
    }

    /// Connects, waiting for the connection (call off the event loops).
    static func connect(_ address: PostgresAddress, id: Int, logger: Logger) throws -> PostgresLink {
        let connecting: EventLoopFuture<PostgresConnection>
        do {
            connecting = PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.any(), configuration: try address.configuration(),
                                                    id: id, logger: logger)
        } catch {
            throw connectionError(error, address: address)
        }
        // A server that crashed or a network that lost the connection without a word must not hold a store
        // thread (the answer writer among them) for ever: past the address's timeouts the connection is dropped
        // and the call fails as `.unavailable`. The store's statements take milliseconds; these are guards.
        let connectWithin = address.connectTimeout
        switch Self.outcome(of: connecting, within: connectWithin) {
        case let .success(connection)?:
            return PostgresLink(connection: connection, address: address, logger: logger)
        case let .failure(error)?:
            throw connectionError(error, address: address)
        case nil:
            // A connection that comes after all is closed at once, not left open on the server.
            connecting.whenSuccess { Self.drop($0) }
            throw StoreError(.unavailable, "\(address): không kết nối được trong \(PostgresAddress.seconds(connectWithin)) giây / no connection within \(PostgresAddress.seconds(connectWithin)) s", field: "database")
        }
    }

    /// Closes the connection; waits a little for the server's goodbye, never for ever.
    func close() {
        abandoned.store(true, ordering: .relaxed)
        _ = Self.outcome(of: Self.drop(connection), within: 2)
    }

    /// Closes a connection without waiting, keeping it alive until it is closed (PostgresNIO requires that).
    @discardableResult
    static func drop(_ connection: PostgresConnection) -> EventLoopFuture<Void> {
        let closing: EventLoopFuture<Void> = connection.close()
        closing.whenComplete { _ in withExtendedLifetime(connection) {} }
        return closing
    }

    /// A connection given up on (no answer in time) counts as closed though its channel may still be open.
    private let abandoned = Atomic<Bool>(false)

    var isClosed: Bool { abandoned.load(ordering: .relaxed) || connection.isClosed }

    /// The future's result, or nil when it did not come within `seconds`. (`EventLoopFuture.wait()` waits for
    /// ever; a semaphore with a deadline does not.)
    static func outcome<T: Sendable>(of future: EventLoopFuture<T>, within seconds: Double) -> Result<T, any Error>? {
        let arrived = DispatchSemaphore(value: 0)
        let result = Mutex<Result<T, any Error>?>(nil)
        future.whenComplete { outcome in
            result.withLock { $0 = outcome }
            arrived.signal()
        }
        guard arrived.wait(timeout: .now() + seconds) == .success else { return nil }
        return result.withLock { $0 }
    }

    func nextSavepoint() -> Int {
        savepoints += 1
        return savepoints
    }

    /// Sends statements without values one after another without waiting in between (PostgreSQL runs them in
    /// order on the connection), then waits for each answer: one round trip instead of one each. The first
    /// refusal is thrown; the rows are not read.
    func runTogether(_ statements: [String]) throws {
        let answers = statements.map { connection.query(PostgresQuery(unsafeSQL: $0), logger: logger) }
        var refusal: (any Error)?
        for (answer, sql) in zip(answers, statements) {
            do {
                try settle(answer, sql: sql)
            } catch {
                if refusal == nil { refusal = error }
            }
        }
        if let refusal { throw refusal }
    }

    /// Runs one statement, hands each row to `body`, and returns the rows it changed.
    @discardableResult
    func run(_ sql: String, _ values: [DatabaseValue]) throws -> Int {
        try run(sql, values) { _ in }
    }

    /// Runs one statement, hands each row to `body`, and returns the rows it changed.
    @discardableResult
    func run(_ sql: String, _ values: [DatabaseValue], _ body: (SQLRow) throws -> Void) throws -> Int {
        let query = PostgresQuery(unsafeSQL: Self.numbered(sql), binds: PostgresSession.bindings(values.map(SQLValue.init)))
        let result = try settle(connection.query(query, logger: logger), sql: sql)
        if !result.rows.isEmpty {
            let columns = SQLRow.Columns(result.rows[0].map(\.columnName))
            for row in result.rows {
                let values = try PostgresSession.values(of: row).map(\.databaseValue)
                try body(SQLRow(columns: columns, values: values))
            }
        }
        return result.metadata.rows ?? 0
    }

    /// A statement's answer, waited for at most the address's `answer_timeout`: past it the connection is
    /// dropped and the call fails as `.unavailable`.
    @discardableResult
    private func settle(_ answer: EventLoopFuture<PostgresQueryResult>, sql: String) throws -> PostgresQueryResult {
        let answerWithin = address.answerTimeout
        switch Self.outcome(of: answer, within: answerWithin) {
        case let .success(result)?:
            return result
        case let .failure(error)?:
            throw Self.storeError(error, address: address)
        case nil:
            abandoned.store(true, ordering: .relaxed)
            Self.drop(connection)
            logger.error("PostgreSQL: no answer in \(PostgresAddress.seconds(answerWithin)) s, connection dropped", metadata: ["sql": "\(sql.prefix(80))"])
            throw StoreError(.unavailable, "\(address): không có trả lời trong \(PostgresAddress.seconds(answerWithin)) giây / no answer within \(PostgresAddress.seconds(answerWithin)) s",
                             field: "database")
        }
    }

    static func connectionError(_ error: any Error, address: PostgresAddress) -> StoreError {
        StoreError(.unavailable, "\(address): không kết nối được / cannot connect (\(PostgresSession.explain(error)))", field: "database")
    }

    /// The server's refusals as the store's own errors, naming the database and the server's words: a
    /// duplicate is `.exists`; a lost connection or a server shutting down, starting or out of connections
    /// `.unavailable` (a moment later it may work: 503 to a client); anything else `.invalid`.
    static func storeError(_ error: any Error, address: PostgresAddress) -> StoreError {
        let state = (error as? PSQLError)?.serverInfo?[.sqlState]
        let code: StoreError.Code
        switch state {
        case "23505": code = .exists
        // No answer from the server at all (the connection closed, a network error), a connection exception
        // (class 08), an operator or crash shutdown or a server still starting (57P01–57P03), too many connections.
        case nil where Self.lostConnection(error), .some("57P01"), .some("57P02"), .some("57P03"), .some("53300"): code = .unavailable
        case let .some(state) where state.hasPrefix("08"): code = .unavailable
        default: code = .invalid
        }
        return StoreError(code, "\(address): \(PostgresSession.explain(error))", field: "database", cause: error)
    }

    static func lostConnection(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return false }
        return [.serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown, .poolClosed].contains(error.code)
    }

    /// Brings the schema up to date: each of `PostgresSchema.migrations` not yet applied, in order, in one
    /// transaction under an advisory lock, so nodes starting together migrate once. Refuses a database that a
    /// newer khaothi migrated (a migration this build does not know).
    func migrate() throws {
        try run("BEGIN", [])
        do {
            try run("SELECT pg_advisory_xact_lock(\(PostgresSession.migrationLock))", [])
            try run("CREATE TABLE IF NOT EXISTS khaothi_migration (identifier text PRIMARY KEY, appliedAt timestamptz NOT NULL DEFAULT now())", [])
            var applied: Set<String> = []
            try run("SELECT identifier FROM khaothi_migration", []) { applied.insert($0[0] as String) }
            let known = Set(PostgresSchema.migrations.map(\.identifier))
            if let unknown = applied.subtracting(known).sorted().first {
                throw StoreError(.invalid, "\(address): cơ sở dữ liệu do bản khaothi mới hơn tạo (\(unknown)) / migrated by a newer khaothi", field: "database")
            }
            for migration in PostgresSchema.migrations where !applied.contains(migration.identifier) {
                for statement in PostgresSession.statements(of: migration.sql) { try run(statement, []) }
                try run("INSERT INTO khaothi_migration(identifier) VALUES (?)", [migration.identifier.databaseValue])
            }
            try run("COMMIT", [])
        } catch {
            _ = try? run("ROLLBACK", [])
            throw error
        }
    }

    /// `?` → `$1`, `$2`… outside quoted text, identifiers and comments; remembered per statement text.
    static func numbered(_ sql: String) -> String {
        if let known = numberedCache.withLock({ $0[sql] }) { return known }
        var result = ""
        result.reserveCapacity(sql.utf8.count + 16)
        var count = 0
        var quote: Character?
        var previous: Character = " "
        var inComment = false
        for character in sql {
            if inComment {
                if character == "\n" { inComment = false }
            } else if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "-" && previous == "-" {
                inComment = true
            } else if character == "?" {
                count += 1
                result += "$\(count)"
                previous = character
                continue
            }
            result.append(character)
            previous = character
        }
        numberedCache.withLock { cache in
            if cache.count > 4096 { cache.removeAll() }
            cache[sql] = result
        }
        return result
    }

    private static let numberedCache = Mutex<[String: String]>([:])
}
