import ArgumentParser
import ExamStore
import Foundation

struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "The database: online backup, restore, integrity check, copy between SQLite and PostgreSQL.",
        subcommands: [Backup.self, Restore.self, Check.self, Copy.self]
    )
}

extension DatabaseCommand {
    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Copy the database consistently to a new file (safe while the server runs).")
        @Argument(help: "The backup file to create.") var path: String
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print JSON.") var json = false
        func run() throws {
            try reportingErrors {
                try database.open().backup(to: path)
                if json { return try printJSON(["backup": path]) }
                print("Đã sao lưu vào \(path) / backed up to \(path)")
            }
        }
    }

    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Replace the database with a checked backup. Stop the server first.")
        @Argument(help: "The backup file.") var path: String
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print JSON.") var json = false
        func run() throws {
            try reportingErrors {
                let target = try database.sqlitePath("dùng pg_restore hoặc khaothi db copy / use pg_restore or khaothi db copy")
                try AppDatabase.restore(from: path, to: target)
                if json { return try printJSON(["restored": target, "from": path]) }
                print("Đã khôi phục \(target) từ \(path) / restored")
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run SQLite's integrity and foreign-key checks; exit 1 on any problem.")
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print JSON.") var json = false
        func run() throws {
            try reportingErrors {
                let problems = try database.open().check()
                if json {
                    try printJSON(["ok": problems.isEmpty ? "true" : "false", "problems": problems.joined(separator: "\n")])
                    if !problems.isEmpty { throw ExitCode(1) }
                    return
                }
                if problems.isEmpty {
                    print("ok")
                } else {
                    problems.forEach { print($0) }
                    throw ExitCode(1)
                }
            }
        }
    }
}

extension DatabaseCommand {
    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a whole database between SQLite and PostgreSQL, checked by counts and content hashes.",
            discussion: """
            Each side is a SQLite file or postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=require]. The \
            source is read as one consistent snapshot (a server may keep running on it); the target is written in \
            one transaction, kept only if every table's row count and content hash equal the source's. Run again, it \
            finds the same content and changes nothing. A target with other data is refused unless --replace \
            (PostgreSQL only; copy back to SQLite into a new file).
            """
        )
        @Option(help: "The database to read: a SQLite file or a postgres:// URL.") var from: String
        @Option(help: "The database to write: a SQLite file or a postgres:// URL (migrated first).") var to: String
        @Flag(help: "Empty a PostgreSQL target that holds other data first.") var replace = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let bar = ProgressBar(label: "db copy", enabled: !json && isatty(2) != 0)
                let report = try await DatabaseCopy.copy(from: try DatabaseAddress(from), to: try DatabaseAddress(to), replace: replace,
                                                         progress: { done, total in bar.update(done, of: total) })
                bar.finish()
                if json { return try printJSON(report) }
                let width = report.tables.map(\.table.count).max() ?? 0
                for table in report.tables where table.rows > 0 {
                    print(table.table.padding(toLength: width, withPad: " ", startingAt: 0), String(table.rows).leftPadded(to: 9), String(table.sha256.prefix(16)))
                }
                switch report.outcome {
                case .copied: print("Đã chép \(report.rows) dòng, khớp số dòng và mã băm từng bảng / copied \(report.rows) rows; every table's count and hash match")
                case .unchanged: print("Đích đã có đúng nội dung này, không ghi gì / the target already holds this content; nothing written")
                }
            }
        }
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
