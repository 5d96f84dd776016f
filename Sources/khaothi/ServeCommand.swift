import ArgumentParser
import ExamServer
import ExamStore
import Foundation
import Hummingbird
import Logging
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Where the pages' files are, shared by `serve` and `demo`.
struct WebOptions: ParsableArguments {
    @Option(help: "The Web/ directory (templates, static, i18n). Default: $KHAOTHI_WEB, ./Web, or the one next to the program.")
    var web: String?
    @Option(help: "KaTeX's directory (Debian: apt install libjs-katex). Without it the pages show TeX as typed.")
    var katex = "/usr/share/javascript/katex"
    @Flag(help: "Serve only the JSON API, without the pages.") var apiOnly = false

    func load(logger: Logger) async throws -> WebAssets? {
        guard !apiOnly else { return nil }
        let directory: String
        do { directory = try WebAssets.locate(explicit: web) } catch let error as WebAssets.NotFound { throw UserError(error.description) }
        let assets: WebAssets
        do { assets = try await WebAssets.load(directory: directory, katex: katex) } catch {
            throw UserError("\(directory): \(error)")
        }
        if assets.katexDirectory == nil {
            logger.warning("KaTeX not found at \(katex): formulas are shown as TeX (apt install libjs-katex, or --katex PATH)")
        }
        return assets
    }
}

struct ServerOptions: ParsableArguments {
    @Option(help: "Address to listen on (0.0.0.0 to open it to the lab's network).") var host = "127.0.0.1"
    @Option(help: "Port.") var port = 8080
    @Option(help: "Wrong logins a minute from one address before they are answered 429 (right ones always pass: a lab shares one NAT address).")
    var failuresPerAddress = 600
    @Option(help: "A reverse proxy (nginx) whose X-Forwarded-For and X-Forwarded-Proto are believed (repeat for several).") var trustedProxy: [String] = []
    @Option(help: "An address besides this machine that may read /metrics (a Prometheus server; repeat for several).") var metricsFrom: [String] = []
    @Option(help: "NIO event loops (threads reading and writing the sockets). Default: one per core.")
    var eventLoops: Int?
    @Flag(help: "Mark session cookies Secure always (served over HTTPS only). Without it they are Secure when a trusted proxy says the request came over HTTPS.")
    var secureCookies = false

    func validate() throws {
        if let eventLoops, !(1...256).contains(eventLoops) {
            throw ValidationError("--event-loops: 1 đến 256 / from 1 to 256 (got \(eventLoops))")
        }
    }

    static func logger() -> Logger {
        let level = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        ServerLogHandler.bootstrap(level: level)
        var logger = Logger(label: "khaothi")
        logger.logLevel = level
        return logger
    }

    /// Runs the server until SIGINT/SIGTERM; `ready` runs once the server listens.
    func run(database: AppDatabase, web: WebAssets?, logger: Logger, ready: @escaping @Sendable () -> Void = {}) async throws {
        let app = try await buildApplication(
            database: database,
            configuration: {
                var configuration = ServerConfiguration(host: host, port: port, loginLimits: .init(failuresPerAddress: failuresPerAddress),
                                                        trustedProxies: Set(trustedProxy), web: web)
                configuration.secureCookies = secureCookies
                configuration.metricsFrom = Set(metricsFrom)
                configuration.eventLoops = eventLoops
                return configuration
            }(),
            logger: logger, onServerRunning: ready)
        do {
            try await app.runService()
        } catch let error as IOError where error.errnoCode == EADDRINUSE || error.errnoCode == EACCES {
            throw UserError("\(host):\(port): \(error.errnoCode == EACCES ? "không được phép dùng cổng này / not allowed to use this port" : "địa chỉ đang được chương trình khác dùng / the address is in use"); chọn --port khác / pick another --port")
        }
    }
}

/// Prints a user error and exits 1, for the async commands.
func exitOnUserError<T>(_ work: () async throws -> T) async throws -> T {
    do { return try await work() } catch let error as UserError {
        FileHandle.standardError.write(Data("lỗi / error: \(error.description)\n".utf8))
        throw ExitCode(1)
    }
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the exam server: the candidates' pages (/), the staff page (/staff) and the JSON API (docs/openapi.yaml). Stops cleanly on Ctrl-C / SIGTERM after committing every accepted answer."
    )
    @OptionGroup var server: ServerOptions
    @OptionGroup var webOptions: WebOptions
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let logger = ServerOptions.logger()
        try await exitOnUserError {
            let db = try database.open()
            let web = try await webOptions.load(logger: logger)
            let (host, port, path) = (server.host, server.port, database.shown)
            try await server.run(database: db, web: web, logger: logger) {
                logger.info("khaothi \(Khaothi.version) on http://\(host):\(port) with \(path)")
            }
        }
    }
}
