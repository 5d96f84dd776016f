import ArgumentParser
import ExamServer
import ExamStore
import Foundation

/// `khaothi demo`: a database built from QuestionBanks/, two exams open now with the 40 students of the
/// sample class list, staff logins, and the server, ready to try in a browser.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build a demo database from QuestionBanks/ (every sample bank, two exams open now, 40 candidates, staff), start the server and print the URL and the logins.",
        discussion: "The demo database (--db, default data/demo.sqlite) is rebuilt at every start; your own database is never touched.")

    @OptionGroup var server: ServerOptions
    @OptionGroup var webOptions: WebOptions
    @Option(name: .customLong("db"), help: "The demo database file (replaced), or an empty PostgreSQL database (postgres://…).") var path = "data/demo.sqlite"
    @Option(help: "The QuestionBanks/ directory. Default: next to Web/, or ./QuestionBanks.") var banks: String?
    @Option(help: "Also write every login (staff and candidates) as JSON to this file.") var loginsOut: String?
    @Flag(help: "Build the database and print the logins, but do not start the server.") var noServe = false

    func run() async throws {
        let logger = ServerOptions.logger()
        try await exitOnUserError {
            let web = try await webOptions.load(logger: logger)
            let shownHost = server.host == "0.0.0.0" ? "127.0.0.1" : server.host
            let (db, logins): (AppDatabase, DemoSeed.Logins)
            do {
                (db, logins) = try await DemoSeed.build(path: path, banksDirectory: try DemoSeed.locateBanks(explicit: banks, web: web),
                                                  url: "http://\(shownHost):\(server.port)/")
            } catch let failure as DemoSeed.Failure { throw UserError(failure.description) }
            if let loginsOut { try JSONFiles.write(logins, to: URL(fileURLWithPath: loginsOut)) }
            let summary = DemoSeed.summary(logins)
            guard !noServe else { return print(summary) }
            try await server.run(database: db, web: web, logger: logger) { FileHandle.standardOutput.write(Data((summary + "\n").utf8)) }
        }
    }
}
