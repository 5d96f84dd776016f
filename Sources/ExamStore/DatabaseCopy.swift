import Crypto
import Foundation
internal import GRDB

/// `khaothi db copy`: a whole khaothi database from one engine to the other (a school's SQLite file to the
/// province's PostgreSQL and back), checked by counts and content hashes, and idempotent.
///
/// The source is read inside one transaction (a consistent snapshot, so a server may keep running on it); the
/// target is written inside one transaction that commits only when every table's count and hash equal the
/// source's. Run again on a target that already holds the same content, it changes nothing and says so. A
/// target holding other data is refused unless `replace` (PostgreSQL targets only: a SQLite target is a new
/// file, and its audit and answer log refuse deletion by design).
public enum DatabaseCopy {
    /// Every table, parents before children (the order the copy inserts in). `PostgresTests` fails when a
    /// table is added to the SQLite schema and not here.
    static let tableOrder = [
        "bank", "passage", "passageRevision", "question", "questionRevision", "questionTag", "media",
        "questionRevisionMedia", "questionSearch", "blueprint", "setting", "exam", "examSession", "room", "paper",
        "paperItem", "candidate", "attempt", "response", "responseEvent", "staff", "timeAddition", "revokedSession",
        "audit", "bankShare", "printSet", "printPaper", "printPaperItem", "roomProctor", "manualGrade", "examGrader",
        "questionStatistic", "gradebookSubject", "schoolClass", "student", "classStudent", "gradeEntry",
        "gradePush", "reviewQuestion", "classTeacher", "assignment", "assignmentClass", "practice", "practiceAnswer",
        "lease", "loginFailure",
    ]

    public struct TableSummary: Sendable, Equatable, Codable {
        public let table: String
        public let rows: Int
        /// SHA-256 of the row count and the sum (modulo 2²⁵⁶) of each row's SHA-256 over its typed values (1 and
        /// "1" differ): equal on both engines for equal content, whatever order the rows come in, in constant
        /// memory however large the table.
        public let sha256: String
    }

    public struct Report: Sendable, Codable {
        public enum Outcome: String, Sendable, Codable {
            /// The target now holds the source's content.
            case copied
            /// The target already held the same content; nothing was written.
            case unchanged
        }
        public let outcome: Outcome
        public let tables: [TableSummary]
        public var rows: Int { tables.reduce(0) { $0 + $1.rows } }
    }

    /// `progress` is told the rows copied so far and the rows to copy, after each batch.
    public static func copy(from source: DatabaseAddress, to target: DatabaseAddress, replace: Bool = false,
                            progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> Report {
        guard source != target else {
            throw StoreError(.invalid, "nguồn và đích là một / the source and the target are the same database", field: "to")
        }
        if case .sqlite(let path) = source, !FileManager.default.fileExists(atPath: path) {
            throw StoreError(.notFound, "\(path): không có tệp này / no such file", field: "from")
        }
        let shapes = try TableShape.all()
        let from = try await named(source, field: "from") { try await endpoint(source) }
        let to: any CopyEndpoint
        do { to = try await named(target, field: "to") { try await endpoint(target) } } catch {
            await from.close()
            throw error
        }
        do {
            let report = try await named(target, field: "to") { try await copy(shapes, from: from, to: to, target: target, replace: replace, progress: progress) }
            await from.close()
            await to.close()
            return report
        } catch {
            try? await to.rollback()
            try? await from.rollback()
            await from.close()
            await to.close()
            throw error
        }
    }

    /// SQLite's own errors (a file that is not a database, a database locked by a running server) and the file
    /// system's (a folder that cannot be made) as store errors naming the database, like PostgreSQL's.
    private static func named<T>(_ address: DatabaseAddress, field: String, _ work: () async throws -> T) async throws -> T {
        do { return try await work() } catch let error as StoreError { throw error } catch let error as DatabaseError {
            throw StoreError(.invalid, "\(address): \(error.message ?? "\(error)")", field: field)
        } catch {
            throw StoreError(.invalid, "\(address): \(error.localizedDescription)", field: field)
        }
    }

    static func copy(_ shapes: [TableShape], from: any CopyEndpoint, to: any CopyEndpoint, target: DatabaseAddress, replace: Bool,
                     progress: (@Sendable (Int, Int) -> Void)?) async throws -> Report {
        try await from.beginReading()
        let wanted = try await summaries(of: from, shapes)
        try await to.beginWriting()
        let found = try await summaries(of: to, shapes)
        if found == wanted {
            try await to.rollback()
            try await from.rollback()
            return Report(outcome: .unchanged, tables: wanted)
        }
        if let occupied = found.first(where: { $0.rows > 0 }) {
            guard replace else {
                throw StoreError(.exists, "\(target): đã có dữ liệu khác (\(occupied.table): \(occupied.rows) dòng); thêm --replace để ghi đè / already holds other data (\(occupied.table): \(occupied.rows) rows); add --replace to overwrite it", field: "to")
            }
            try await to.clear(shapes)
        }
        let total = wanted.reduce(0) { $0 + $1.rows }
        var done = 0
        for shape in shapes {
            try await from.read(shape) { rows in
                try await to.insert(shape, rows)
                done += rows.count
                progress?(done, total)
            }
        }
        try await to.finish(shapes)
        let written = try await summaries(of: to, shapes)
        for (expected, actual) in zip(wanted, written) where expected != actual {
            throw StoreError(.invalid, "\(target): \(actual.table) không khớp sau khi chép (\(actual.rows) dòng, nguồn \(expected.rows)) / differs after the copy (\(actual.rows) rows, source \(expected.rows)); nothing was kept", field: "to")
        }
        try await to.commit()
        try await from.rollback()
        return Report(outcome: .copied, tables: wanted)
    }

    static func endpoint(_ address: DatabaseAddress) async throws -> any CopyEndpoint {
        switch address {
        case .sqlite(let path): try SQLiteEndpoint(path: path)
        case .postgres(let address): try await PostgresEndpoint(address: address)
        }
    }

    static func summaries(of endpoint: any CopyEndpoint, _ shapes: [TableShape]) async throws -> [TableSummary] {
        var summaries: [TableSummary] = []
        for shape in shapes {
            var sum = RowHash.Sum()
            try await endpoint.read(shape) { rows in
                for row in rows { sum.add(SHA256.hash(data: RowHash.bytes(of: row))) }
            }
            summaries.append(TableSummary(table: shape.name, rows: sum.count, sha256: sum.digest))
        }
        return summaries
    }
}

/// A table as the copy sees it: its columns and the kind of value each holds, from the SQLite schema (the
/// reference; PostgreSQL's is checked equal to it by `PostgresTests`).
struct TableShape: Sendable {
    enum Kind: Sendable { case integer, real, text, blob }
    struct Column: Sendable {
        let name: String
        let kind: Kind
        /// How SQLite names it in a SELECT or INSERT (`rowid` for the search table's id).
        let sqliteName: String
    }
    let name: String
    let columns: [Column]
    var hasIdentity: Bool { name != "questionSearch" && columns.contains { $0.name == "id" && $0.kind == .integer } }

    static func all() throws -> [TableShape] {
        let reference = try AppDatabase.inMemory()
        return try reference.writer.sqlite!.read { db in
            try DatabaseCopy.tableOrder.map { table in
                if table == "questionSearch" {
                    return TableShape(name: table, columns: [
                        Column(name: "id", kind: .integer, sqliteName: "rowid"),
                        Column(name: "folded", kind: .text, sqliteName: "folded"),
                    ])
                }
                let columns = try Row.fetchAll(db, sql: "SELECT name, type FROM pragma_table_info(?) ORDER BY cid", arguments: [table])
                guard !columns.isEmpty else { throw StoreError(.notFound, "no table \(table) in the schema", field: "table") }
                return TableShape(name: table, columns: columns.map { row in
                    let name: String = row["name"]
                    return Column(name: name, kind: Kind(declared: row["type"]), sqliteName: "\"\(name)\"")
                })
            }
        }
    }
}

extension TableShape.Kind {
    /// SQLite's affinity rules, for the declared types khaothi's migrations use.
    init(declared type: String) {
        let type = type.uppercased()
        if type.contains("INT") || type == "BOOLEAN" { self = .integer }
        else if type.contains("DOUB") || type.contains("REAL") || type.contains("FLOA") { self = .real }
        else if type.contains("BLOB") { self = .blob }
        else { self = .text }
    }

    /// The same content whichever engine it came from: SQLite may hand back text in a BLOB column or an
    /// integer in a REAL one.
    func normalize(_ value: SQLValue) -> SQLValue {
        switch (self, value) {
        case (.blob, .text(let text)): .blob(Array(text.utf8))
        case (.real, .integer(let integer)): .real(Double(integer))
        default: value
        }
    }
}

enum RowHash {
    /// An order-independent digest of a multiset of rows: their SHA-256 digests added as 256-bit numbers.
    struct Sum {
        private var words: [UInt64] = [0, 0, 0, 0]
        private(set) var count = 0

        mutating func add(_ digest: SHA256.Digest) {
            let bytes = Array(digest)
            var carry: UInt64 = 0
            for index in (0..<4).reversed() {
                let word = bytes[index * 8..<index * 8 + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                let (partial, overflow1) = words[index].addingReportingOverflow(word)
                let (total, overflow2) = partial.addingReportingOverflow(carry)
                words[index] = total
                carry = (overflow1 ? 1 : 0) + (overflow2 ? 1 : 0)
            }
            count += 1
        }

        var digest: String {
            var bytes: [UInt8] = []
            withUnsafeBytes(of: UInt64(count).bigEndian) { bytes.append(contentsOf: $0) }
            for word in words { withUnsafeBytes(of: word.bigEndian) { bytes.append(contentsOf: $0) } }
            return SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        }
    }

    static func bytes(of row: [SQLValue]) -> [UInt8] {
        var bytes: [UInt8] = []
        func append(_ integer: UInt64) { withUnsafeBytes(of: integer.bigEndian) { bytes.append(contentsOf: $0) } }
        for value in row {
            switch value {
            case .null: bytes.append(0)
            case .integer(let integer): bytes.append(1); append(UInt64(bitPattern: integer))
            case .real(let real): bytes.append(2); append(real.bitPattern)
            case .text(let text): bytes.append(3); append(UInt64(text.utf8.count)); bytes.append(contentsOf: text.utf8)
            case .blob(let blob): bytes.append(4); append(UInt64(blob.count)); bytes.append(contentsOf: blob)
            }
        }
        return bytes
    }
}

/// One side of a copy.
protocol CopyEndpoint: Sendable {
    func beginReading() async throws
    func beginWriting() async throws
    /// Every row of the table, in batches, values normalized by the shape's kinds.
    func read(_ shape: TableShape, _ batch: ([[SQLValue]]) async throws -> Void) async throws
    func insert(_ shape: TableShape, _ rows: [[SQLValue]]) async throws
    /// Empties every table (only where `replace` is allowed).
    func clear(_ shapes: [TableShape]) async throws
    /// After the inserts: identity counters past the copied ids.
    func finish(_ shapes: [TableShape]) async throws
    func commit() async throws
    func rollback() async throws
    func close() async
}

/// A SQLite file, opened (and migrated) like every khaothi command opens it, through one connection whose
/// transaction spans the whole copy.
struct SQLiteEndpoint: CopyEndpoint {
    let path: String
    let queue: DatabaseQueue
    static let batchSize = 1000

    init(path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.allowsUnsafeTransactions = true
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        _ = try AppDatabase(queue)
    }

    func beginReading() async throws {
        try queue.inDatabase { db in
            try db.execute(sql: "BEGIN DEFERRED")
            _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master")  // the snapshot starts here
        }
    }

    func beginWriting() async throws {
        try queue.inDatabase { try $0.execute(sql: "BEGIN IMMEDIATE") }
    }

    func read(_ shape: TableShape, _ batch: ([[SQLValue]]) async throws -> Void) async throws {
        let select = "SELECT rowid, \(shape.columns.map(\.sqliteName).joined(separator: ", ")) FROM \"\(shape.name)\" WHERE rowid > ? ORDER BY rowid LIMIT \(Self.batchSize)"
        var after = Int64.min
        while true {
            let rows = try queue.inDatabase { db in try Row.fetchAll(db, sql: select, arguments: [after]) }
            guard let last = rows.last else { return }
            after = last[0]
            try await batch(rows.map { row in
                shape.columns.indices.map { index in shape.columns[index].kind.normalize(SQLValue(row[index + 1] as DatabaseValue)) }
            })
            if rows.count < Self.batchSize { return }
        }
    }

    func insert(_ shape: TableShape, _ rows: [[SQLValue]]) async throws {
        let names = shape.columns.map(\.sqliteName).joined(separator: ", ")
        let marks = Array(repeating: "?", count: shape.columns.count).joined(separator: ", ")
        try queue.inDatabase { db in
            let statement = try db.cachedStatement(sql: "INSERT INTO \"\(shape.name)\" (\(names)) VALUES (\(marks))")
            for row in rows { try statement.execute(arguments: StatementArguments(row.map(\.databaseValue))) }
        }
    }

    func clear(_ shapes: [TableShape]) async throws {
        throw StoreError(.exists, "\(path): chép vào một tệp SQLite mới, không ghi đè / copy into a new SQLite file; --replace is for PostgreSQL", field: "to")
    }

    func finish(_ shapes: [TableShape]) async throws {}  // AUTOINCREMENT follows explicit ids by itself

    func commit() async throws { try queue.inDatabase { try $0.execute(sql: "COMMIT") } }

    func rollback() async throws {
        try queue.inDatabase { db in if db.isInsideTransaction { try db.execute(sql: "ROLLBACK") } }
    }

    func close() async { try? queue.close() }
}

/// A PostgreSQL database, migrated on connect; reads inside one REPEATABLE READ transaction, writes inside one
/// transaction, many rows per INSERT.
struct PostgresEndpoint: CopyEndpoint {
    let session: PostgresSession

    init(address: PostgresAddress) async throws {
        session = try await PostgresSession.connect(address)
        try await session.migrate()
    }

    func beginReading() async throws { try await session.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") }
    func beginWriting() async throws { try await session.execute("BEGIN") }

    func read(_ shape: TableShape, _ batch: ([[SQLValue]]) async throws -> Void) async throws {
        let select = "SELECT \(shape.columns.map(\.name).joined(separator: ", ")) FROM \(shape.name)"
        try await session.forEachBatch(select, size: SQLiteEndpoint.batchSize) { rows in
            try await batch(rows.map { row in shape.columns.indices.map { shape.columns[$0].kind.normalize(row[$0]) } })
        }
    }

    func insert(_ shape: TableShape, _ rows: [[SQLValue]]) async throws {
        // PostgreSQL binds at most 65,535 values per statement.
        let perStatement = max(1, min(500, 60_000 / shape.columns.count))
        let names = shape.columns.map(\.name).joined(separator: ", ")
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + perStatement)]
            var marks: [String] = []
            var values: [SQLValue] = []
            for row in chunk {
                marks.append("(" + (1...row.count).map { "$\(values.count + $0)" }.joined(separator: ", ") + ")")
                values.append(contentsOf: row)
            }
            try await session.execute("INSERT INTO \(shape.name) (\(names)) VALUES \(marks.joined(separator: ", "))", values)
            start += chunk.count
        }
    }

    func clear(_ shapes: [TableShape]) async throws {
        // TRUNCATE does not fire the append-only row triggers; it is the deliberate way to empty a database.
        try await session.execute("TRUNCATE \(shapes.map(\.name).joined(separator: ", ")) RESTART IDENTITY CASCADE")
    }

    func finish(_ shapes: [TableShape]) async throws {
        for shape in shapes where shape.hasIdentity {
            try await session.execute("SELECT setval(pg_get_serial_sequence('\(shape.name.lowercased())', 'id'), coalesce(max(id), 0) + 1, false) FROM \(shape.name)")
        }
    }

    func commit() async throws { try await session.execute("COMMIT") }
    func rollback() async throws { try await session.execute("ROLLBACK") }
    func close() async { await session.close() }
}

extension SQLValue {
    init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let integer): self = .integer(integer)
        case .double(let real): self = .real(real)
        case .string(let text): self = .text(text)
        case .blob(let data): self = .blob([UInt8](data))
        }
    }

    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .integer(let integer): integer.databaseValue
        case .real(let real): real.databaseValue
        case .text(let text): text.databaseValue
        case .blob(let bytes): Data(bytes).databaseValue
        }
    }
}
