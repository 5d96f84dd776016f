import ExamStore
import Foundation

/// The engine the store's and the server's suites run on: SQLite unless `KHAOTHI_TEST_ENGINE=postgresql`, when
/// every test that asks here gets a new database on the test cluster instead. One suite, two engines: CI runs
/// them once on each.
public enum TestEngine {
    public static var isPostgres: Bool { ProcessInfo.processInfo.environment["KHAOTHI_TEST_ENGINE"] == "postgresql" }

    /// A new, empty database: in memory on SQLite.
    public static func database() throws -> AppDatabase {
        isPostgres ? try AppDatabase.open(try TestPostgres.database()) : try AppDatabase.inMemory()
    }

    /// A new, empty database: the file at `path` on SQLite (for tests that reopen it or read its pages).
    public static func database(file path: String) throws -> AppDatabase {
        try AppDatabase.open(try location(file: path))
    }

    /// Where a new database is: `path` on SQLite, a new database's URL on PostgreSQL (`AppDatabase.open` takes
    /// either, as `--database` does).
    public static func location(file path: String) throws -> String {
        isPostgres ? try TestPostgres.database() : path
    }
}
