import ArgumentParser
import ExamCore
import ExamStore
import Foundation

struct BlueprintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blueprint",
        abstract: "Blueprints (ma trận đề) in the database: import, list, show, check against a bank.",
        subcommands: [Import.self, List.self, Show.self, Check.self]
    )
}

extension BlueprintCommand {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check blueprint files (JSON) and save them under their names (replacing one of the same name).")
        @Argument(help: "Blueprint files.") var files: [String]
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print JSON.") var json = false
        func run() throws {
            try reportingErrors {
                let db = try database.open()
                var saved: [String] = []
                for file in files {
                    let blueprint = try JSONFiles.read(Blueprint.self, from: file, what: "ma trận / blueprint")
                    try db.saveBlueprint(blueprint)
                    saved.append(blueprint.name)
                    if !json { print("\(file) → \(blueprint.name): \(blueprint.questionCount) câu, \(blueprint.totalPoints.formatted(decimalMark: ",")) điểm") }
                }
                if json { try printJSON(saved) }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the blueprints in the database.")
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print JSON.") var json = false
        func run() throws {
            try reportingErrors {
                let names = try database.open().blueprintNames()
                if json { return try printJSON(names) }
                if names.isEmpty { print("Chưa có ma trận nào / no blueprints yet: khaothi blueprint import FILE") }
                names.forEach { print($0) }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a blueprint as JSON.")
        @Argument(help: "The blueprint's name.") var name: String
        @OptionGroup var database: DatabaseOptions
        func run() throws {
            try reportingErrors { try printJSON(try database.open().blueprint(named: name)) }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check that a bank in the database can fill a blueprint; lists every short cell.")
        @Argument(help: "The blueprint's name.") var name: String
        @Option(help: "The bank's name.") var bank: String
        @OptionGroup var database: DatabaseOptions
        func run() throws {
            try reportingErrors {
                let db = try database.open()
                let blueprint = try db.blueprint(named: name)
                let questionBank = try db.loadBank(named: bank)
                _ = try PaperGenerator(blueprint: blueprint, bank: questionBank)
                print("Ngân hàng \"\(bank)\" đủ để lập đề theo ma trận \"\(name)\" / the bank can fill the blueprint")
            }
        }
    }
}
