import ArgumentParser
import ExamStore
import Foundation

struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "The database: online backup, restore, integrity check.",
        subcommands: [Backup.self, Restore.self, Check.self]
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
                try AppDatabase.restore(from: path, to: database.path)
                if json { return try printJSON(["restored": database.path, "from": path]) }
                print("Đã khôi phục \(database.path) từ \(path) / restored")
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
