import Crypto
import ExamCore
import Foundation
import GRDB
import PostgresTesting
import Synchronization
import Testing
@testable import ExamStore

/// The PostgreSQL engine's schema and `db copy`, against a real PostgreSQL server (Debian's `postgresql`,
/// started by `TestPostgres`).
@Suite("PostgreSQL: the schema beside SQLite's, migrations, db copy both ways")
struct PostgresTests {
    static func fresh() async throws -> (PostgresAddress, PostgresSession) {
        let address = try PostgresAddress(url: try TestPostgres.database())
        let session = try await PostgresSession.connect(address)
        return (address, session)
    }

    static func text(_ value: SQLValue) -> String? {
        if case .text(let text) = value { return text }
        return nil
    }

    @Test("every SQLite table and column exists on PostgreSQL with the same kind of value and the same NOT NULL")
    func schemaMatches() async throws {
        let (_, session) = try await Self.fresh()
        defer { Task { await session.close() } }
        try await session.migrate()
        let reference = try AppDatabase.inMemory()
        for table in DatabaseCopy.tableOrder where table != "questionSearch" {
            let sqlite = try reference.writer.sqlite!.read { db in
                try Row.fetchAll(db, sql: "SELECT name, type, \"notnull\" AS required, pk FROM pragma_table_info(?)", arguments: [table])
            }
            let postgres = try await session.rows(
                "SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = $1 AND table_schema = 'public'",
                [.text(table.lowercased())])
            let columns = Dictionary(uniqueKeysWithValues: postgres.map { (Self.text($0[0])!, (type: Self.text($0[1])!, nullable: Self.text($0[2]) == "YES")) })
            #expect(columns.count == sqlite.count, "\(table): \(columns.keys.sorted()) against \(sqlite.map { $0["name"] as String })")
            for column in sqlite {
                let name: String = column["name"]
                guard let found = columns[name.lowercased()] else {
                    Issue.record("\(table).\(name) has no column on PostgreSQL")
                    continue
                }
                let expected: Set<String> = switch TableShape.Kind(declared: column["type"]) {
                case .integer: ["bigint", "smallint"]
                case .real: ["double precision"]
                case .blob: ["bytea"]
                case .text: ["text"]
                }
                #expect(expected.contains(found.type), "\(table).\(name): \(found.type) for SQLite's \(column["type"] as String)")
                let required = (column["required"] as Int) == 1 || ((column["pk"] as Int) > 0 && (column["type"] as String) == "INTEGER")
                #expect(found.nullable == !required || (column["pk"] as Int) > 0, "\(table).\(name): NOT NULL differs")
            }
        }
    }

    @Test("the copy's table order names every table of the SQLite schema, parents before children")
    func tableOrderIsComplete() throws {
        let reference = try AppDatabase.inMemory()
        let (tables, parents) = try reference.writer.read { db in
            let tables = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                  AND name NOT LIKE 'questionSearch_%' AND name <> 'grdb_migrations'
                """)
            var parents: [String: [String]] = [:]
            for table in tables {
                parents[table] = try String.fetchAll(db, sql: "SELECT \"table\" FROM pragma_foreign_key_list(?)", arguments: [table])
            }
            return (tables, parents)
        }
        #expect(Set(tables) == Set(DatabaseCopy.tableOrder))
        #expect(DatabaseCopy.tableOrder.count == Set(DatabaseCopy.tableOrder).count)
        for (index, table) in DatabaseCopy.tableOrder.enumerated() {
            for parent in parents[table] ?? [] where parent != table {
                let position = DatabaseCopy.tableOrder.firstIndex(of: parent)
                #expect(position != nil && position! < index, "\(table) refers to \(parent), which comes later")
            }
        }
    }

    @Test("migrations: three connections at once migrate once; a database migrated by a newer khaothi is refused")
    func migrationsOnce() async throws {
        let (address, first) = try await Self.fresh()
        defer { Task { await first.close() } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    let session = try await PostgresSession.connect(address)
                    try await session.migrate()
                    await session.close()
                }
            }
            try await group.waitForAll()
        }
        let applied = try await first.rows("SELECT identifier FROM khaothi_migration")
        #expect(applied.count == PostgresSchema.migrations.count)
        try await first.execute("INSERT INTO khaothi_migration(identifier) VALUES ('99: from the future')")
        await #expect(throws: StoreError.self) { try await first.migrate() }
    }

    @Test("on PostgreSQL too: the audit and the answer log refuse UPDATE and DELETE; a question follows its current revision")
    func rulesHold() async throws {
        let (_, session) = try await Self.fresh()
        defer { Task { await session.close() } }
        try await session.migrate()
        try await session.execute("INSERT INTO audit(at, actor, action) VALUES ('2026-12-01 08:00:00.000', 'admin', 'key.change')")
        await #expect(throws: StoreError.self) { try await session.execute("UPDATE audit SET actor = 'someone else'") }
        await #expect(throws: StoreError.self) { try await session.execute("DELETE FROM audit") }
        #expect(try await session.rows("SELECT actor FROM audit") == [[.text("admin")]])

        try await session.execute("INSERT INTO bank(name, createdAt, updatedAt) VALUES ('B', 'x', 'x')")
        try await session.execute("INSERT INTO question(bankId, externalId, currentRevision) VALUES (1, 'q1', 2)")
        let hash = String(repeating: "a", count: 64)
        for (revision, topic) in [(1, "Cũ"), (2, "Mới")] {
            try await session.execute("""
                INSERT INTO questionRevision(questionId, revision, kind, subject, topic, level, pointsHundredths, content, contentHash, createdAt)
                VALUES (1, $1, 'essay', 'Toán', $2, 'nhan-biet', 100, '{}', $3, 'x')
                """, [.integer(Int64(revision)), .text(topic), .text(hash)])
        }
        #expect(try await session.rows("SELECT currentTopic FROM question") == [[.text("Mới")]])
        try await session.execute("UPDATE question SET currentRevision = 1")
        #expect(try await session.rows("SELECT currentTopic FROM question") == [[.text("Cũ")]])
    }

    /// A SQLite database with something in most tables: a bank with media, a prepared exam, started attempts
    /// with answers (the event log), a submitted one, a statistic with a fraction.
    static func filledDatabase() async throws -> String {
        let (db, exam, slips, path) = try IngestionTests.prepared(at: BankStoreTests.temporaryPath())
        let store = IngestionTests.store(db)
        for (index, slip) in slips.prefix(5).enumerated() {
            let started = try await store.start(exam: exam, sbd: slip.sbd, session: IngestionTests.at(10 + index), now: IngestionTests.at(10 + index))
            _ = try await store.record(exam: exam, sbd: slip.sbd, deviceToken: started.deviceToken,
                                       events: [IngestionTests.event(1, "I.1", "A"), IngestionTests.event(2, "I.2", "Đáp án \(index)")], now: IngestionTests.at(30))
            if index == 0 { _ = try await store.submit(exam: exam, sbd: slip.sbd, deviceToken: started.deviceToken, now: IngestionTests.at(60)) }
        }
        try await db.writer.write { db in
            try db.execute(sql: """
                INSERT INTO questionStatistic(questionRevisionId, examId, attempts, facility, discrimination, computedAt)
                VALUES (1, 1, 5, 0.1, NULL, '2026-12-01 08:00:00.000'), (2, 1, 5, 1.0 / 3, -0.25, '2026-12-01 08:00:00.000')
                """)
        }
        await store.ingestion.drain()
        return path
    }

    @Test("db copy: SQLite → PostgreSQL → a new SQLite file gives back every row with its type; a second run changes nothing")
    func roundTrip() async throws {
        let source = try await Self.filledDatabase()
        let postgres = try DatabaseAddress(try TestPostgres.database())
        let reported = Mutex<[(Int, Int)]>([])
        let first = try await DatabaseCopy.copy(from: .sqlite(path: source), to: postgres, progress: { done, total in reported.withLock { $0.append((done, total)) } })
        #expect(first.outcome == .copied)
        let steps = reported.withLock { $0 }
        #expect(steps.count > 10 && steps.last! == (first.rows, first.rows) && zip(steps, steps.dropFirst()).allSatisfy { $0.0 < $1.0 })
        #expect(first.tables.first { $0.table == "responseEvent" }!.rows == 10)
        #expect(first.tables.first { $0.table == "media" }!.rows > 0)
        let again = try await DatabaseCopy.copy(from: .sqlite(path: source), to: postgres)
        #expect(again.outcome == .unchanged && again.tables == first.tables)

        let back = BankStoreTests.temporaryPath()
        let returned = try await DatabaseCopy.copy(from: postgres, to: .sqlite(path: back))
        #expect(returned.outcome == .copied && returned.tables == first.tables)
        // Row by row, with SQLite's storage class of every value, the search index and the id counters.
        let dump = { (path: String) throws -> [String] in
            let queue = try DatabaseQueue(path: path)
            defer { try? queue.close() }
            return try queue.read { db in
                var lines: [String] = []
                for table in DatabaseCopy.tableOrder + ["sqlite_sequence"] {
                    let columns = table == "questionSearch" ? ["rowid", "folded"]
                        : try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [table])
                    let typed = columns.map { "typeof(\($0)) || ':' || quote(\($0))" }.joined(separator: " || '|' || ")
                    let order = table == "sqlite_sequence" ? "name" : "rowid"
                    lines += try String.fetchAll(db, sql: "SELECT '\(table)|' || \(typed) FROM \"\(table)\" ORDER BY \(order)")
                }
                return lines
            }
        }
        let original = try dump(source), copied = try dump(back)
        #expect(original.count > 400)
        #expect(original.count == copied.count)
        if let first = zip(original, copied).first(where: { $0.0 != $0.1 }) { Issue.record("differs after the round trip:\n\(first.0)\n\(first.1)") }
        #expect(original.contains { $0.hasPrefix("questionStatistic|") && $0.contains("real:3.33333333333333314829e-01|real:-0.25") })
        #expect(original.contains { $0.hasPrefix("media|") && $0.contains("blob:X'") })
        #expect(try await DatabaseCopy.copy(from: .sqlite(path: back), to: postgres).outcome == .unchanged)
    }

    @Test("db copy refuses a target with other data (nothing changed), replaces it when asked; ids continue after the copied ones")
    func otherDataAndReplace() async throws {
        let source = try await Self.filledDatabase()
        let url = try TestPostgres.database()
        let postgres = try DatabaseAddress(url)
        let other = BankStoreTests.temporaryPath()
        let db = try AppDatabase.open(at: other)
        _ = try db.importBank(try BankStoreTests.allKinds())
        _ = try await DatabaseCopy.copy(from: .sqlite(path: other), to: postgres)
        let before = try TestPostgres.psql(url, "SELECT count(*) FROM question")

        do {
            _ = try await DatabaseCopy.copy(from: .sqlite(path: source), to: postgres)
            Issue.record("copied over other data")
        } catch let error as StoreError {
            #expect(error.code == .exists && error.message.contains("--replace"))
        }
        #expect(try TestPostgres.psql(url, "SELECT count(*) FROM question") == before)

        let replaced = try await DatabaseCopy.copy(from: .sqlite(path: source), to: postgres, replace: true)
        #expect(replaced.outcome == .copied)
        let maxId = try TestPostgres.psql(url, "SELECT max(id) FROM audit").trimmingCharacters(in: .whitespacesAndNewlines)
        let next = try TestPostgres.psql(url, "INSERT INTO audit(at, actor, action) VALUES ('x', 'y', 'z') RETURNING id").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Int(next)! == Int(maxId)! + 1)

        // A SQLite target is a new file: never emptied.
        let sqliteTarget = BankStoreTests.temporaryPath()
        _ = try await DatabaseCopy.copy(from: .sqlite(path: other), to: .sqlite(path: sqliteTarget))
        await #expect(throws: StoreError.self) { try await DatabaseCopy.copy(from: .sqlite(path: source), to: .sqlite(path: sqliteTarget), replace: true) }
    }

    @Test("table hashes: the same rows in any order give the same digest; a changed type, value or count does not")
    func tableHashes() {
        func digest(_ rows: [[SQLValue]]) -> String {
            var sum = RowHash.Sum()
            for row in rows { sum.add(SHA256.hash(data: RowHash.bytes(of: row))) }
            return sum.digest
        }
        let rows: [[SQLValue]] = (0..<300).map { (index: Int) -> [SQLValue] in
            let fraction: SQLValue = index % 3 == 0 ? .null : .real(Double(index) / 7)
            return [.integer(Int64(index)), .text("câu \(index)"), fraction, .blob([UInt8(index % 256)])]
        }
        #expect(digest(rows) == digest(rows.reversed()) && digest(rows) == digest(rows.shuffled()))
        #expect(digest(rows) != digest(Array(rows.dropLast())))
        #expect(digest(rows + [rows[0]]) != digest(rows))
        #expect(digest([[.integer(1)]]) != digest([[.text("1")]]))
        #expect(digest([[.text("ab"), .text("c")]]) != digest([[.text("a"), .text("bc")]]))
        #expect(digest([]) == digest([]) && digest([]) != digest([[.null]]))
    }

    @Test("addresses: postgres URLs are read with their parts, bad ones refused with what is wrong; passwords never printed")
    func addresses() throws {
        let address = try PostgresAddress(url: "postgres://thi:b%C3%AD@db.so-gd.vn:6432/khaothi?sslmode=require")
        #expect(address.host == "db.so-gd.vn" && address.port == 6432 && address.username == "thi" && address.password == "bí")
        #expect(address.database == "khaothi" && address.tls == .require)
        #expect(!address.description.contains("bí") && !address.description.contains("%C3"))
        let socket = try PostgresAddress(url: "postgresql://khaothi@/khaothi?host=/run/postgresql")
        #expect(socket.socketPath == "/run/postgresql")
        #expect(try DatabaseAddress("data/khaothi.sqlite") == .sqlite(path: "data/khaothi.sqlite"))
        #expect(socket.connectTimeout == 15 && socket.answerTimeout == 30)
        let patient = try PostgresAddress(url: "postgres://thi@db/k?connect_timeout=3&answer_timeout=0.5")
        #expect(patient.connectTimeout == 3 && patient.answerTimeout == 0.5)
        for (bad, why) in [("postgres://db/khaothi", "user"), ("postgres://u@db/", "database"), ("postgres://u@db/k?sslmode=maybe", "sslmode"),
                           ("postgres://u@db/k?pool=3", "pool"), ("postgres://u:secret@db:99999/k", "port"),
                           ("postgres://u@db/k?answer_timeout=0", "answer_timeout=0"), ("postgres://u@db/k?connect_timeout=soon", "connect_timeout=soon")] {
            do {
                _ = try PostgresAddress(url: bad)
                Issue.record("accepted \(bad)")
            } catch let error as StoreError {
                #expect(error.message.contains(why), "\(bad): \(error.message)")
                #expect(!error.message.contains("secret"))
            }
        }
    }

    @Test("a server that does not answer: no connection past connect_timeout, a statement waiting past answer_timeout is unavailable, the next one works")
    func timeouts() async throws {
        // A port that accepts connections (the kernel's backlog) and never says a word: a server that hangs.
        let silent = try LocalPort.hold()
        defer { close(silent.fd) }
        let nothing = try #require(throws: StoreError.self) {
            try AppDatabase.open("postgres://khaothi@127.0.0.1:\(silent.port)/k?connect_timeout=1")
        }
        // PostgresNIO's own connect timeout (the same seconds) or the store's wait, whichever comes first.
        #expect(nothing.code == .unavailable && nothing.message.contains("1 s"), "\(nothing.message)")

        // Another session holds the lock every write transaction takes, as a stuck node would: the write gives up.
        let (address, holder) = try await Self.fresh()
        let db = try AppDatabase.open(address.description + (address.description.contains("?") ? "&" : "?") + "answer_timeout=1")
        defer { db.close() }
        let store = DatabaseStore(database: db)
        let t = Date(timeIntervalSince1970: 1_900_000_000)
        try await holder.execute("SELECT pg_advisory_lock(\(PostgresPool.writeLock))")
        let waited = try await #require(throws: StoreError.self) {
            try await store.recordLoginFailure(account: "candidate\u{1F}Thi thử\u{1F}0001", address: "10.0.0.5", at: t, forgetBefore: t.addingTimeInterval(-900))
        }
        #expect(waited.code == .unavailable && waited.message.contains("no answer within 1 s"), "\(waited.message)")
        try await holder.execute("SELECT pg_advisory_unlock(\(PostgresPool.writeLock))")
        await holder.close()
        let row = try await store.recordLoginFailure(account: "candidate\u{1F}Thi thử\u{1F}0001", address: "10.0.0.5", at: t, forgetBefore: t.addingTimeInterval(-900))
        #expect(row.failures == 1)
    }

    @Test("db copy: an unreachable server, a missing source and the same database on both sides get clear errors")
    func refusals() async throws {
        let missing = try await #require(throws: StoreError.self) {
            try await DatabaseCopy.copy(from: .sqlite(path: "/nonexistent/x.sqlite"), to: try DatabaseAddress("postgres://u@127.0.0.1:1/k"))
        }
        #expect(missing.code == .notFound)
        let source = BankStoreTests.temporaryPath()
        _ = try AppDatabase.open(at: source)
        let unreachable = try await #require(throws: StoreError.self) {
            try await DatabaseCopy.copy(from: .sqlite(path: source), to: try DatabaseAddress("postgres://u@127.0.0.1:1/k"))
        }
        #expect(unreachable.message.contains("cannot connect") && unreachable.code == .unavailable)
        await #expect(throws: StoreError.self) { try await DatabaseCopy.copy(from: .sqlite(path: source), to: .sqlite(path: source)) }
        let notADatabase = BankStoreTests.temporaryPath()
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: notADatabase).deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(String(repeating: "không phải SQLite ", count: 300).utf8).write(to: URL(fileURLWithPath: notADatabase))
        let garbage = try await #require(throws: StoreError.self) {
            try await DatabaseCopy.copy(from: .sqlite(path: notADatabase), to: .sqlite(path: BankStoreTests.temporaryPath()))
        }
        #expect(garbage.message.hasPrefix(notADatabase) && garbage.message.contains("not a database"), "\(garbage.message)")
        let nowhere = try await #require(throws: StoreError.self) {
            try await DatabaseCopy.copy(from: .sqlite(path: source), to: .sqlite(path: "/proc/no-such-folder/copy.sqlite"))
        }
        #expect(nowhere.message.hasPrefix("/proc/no-such-folder/copy.sqlite: "), "\(nowhere.message)")
    }
}
