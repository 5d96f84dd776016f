import ArgumentParser
import ExamServer
import ExamStore
import Foundation
import Hummingbird
import Logging

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the exam server: the candidates' JSON API (docs/openapi.yaml). Stops cleanly on Ctrl-C / SIGTERM after committing every accepted answer."
    )
    @Option(help: "Address to listen on (0.0.0.0 to open it to the lab's network).") var host = "127.0.0.1"
    @Option(help: "Port.") var port = 8080
    @Option(help: "Most logins a minute from one address (a lab behind one NAT address shares it).") var loginsPerAddress = 600
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        var logger = Logger(label: "khaothi")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let db: AppDatabase
        do { db = try database.open() } catch let error as UserError {
            FileHandle.standardError.write(Data("lỗi / error: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
        let app = try buildApplication(
            database: db,
            configuration: ServerConfiguration(host: host, port: port, loginLimits: .init(attemptsPerAddress: loginsPerAddress)),
            logger: logger)
        logger.info("khaothi \(Khaothi.version) on http://\(host):\(port) with \(database.path)")
        try await app.runService()
    }
}
