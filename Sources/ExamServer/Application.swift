import Crypto
import ExamCore
import ExamStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Where and how the server runs. Keys and their defaults are listed here, where they are read.
public struct ServerConfiguration: Sendable {
    /// 127.0.0.1 unless told otherwise: a lab server is opened to the LAN on purpose, with --host 0.0.0.0.
    public var host: String
    public var port: Int
    public var loginLimits: LoginLimiter.Limits
    /// How often expired attempts are auto-submitted.
    public var autoSubmitInterval: Duration
    /// The clock; tests inject their own.
    public var now: @Sendable () -> Date
    /// The pages' templates and assets; without them only the JSON API is served.
    public var web: WebAssets?

    public init(host: String = "127.0.0.1", port: Int = 8080, loginLimits: LoginLimiter.Limits = .init(),
                autoSubmitInterval: Duration = .seconds(5), web: WebAssets? = nil, now: @escaping @Sendable () -> Date = { Date() }) {
        self.host = host; self.port = port; self.loginLimits = loginLimits; self.autoSubmitInterval = autoSubmitInterval; self.web = web; self.now = now
    }
}

/// The request context of khaothi's routes: bodies are capped.
public struct ExamRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client's address, for the per-address login limit.
    public let remoteAddress: SocketAddress?
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
    /// 1 MB: room for one essay at its longest (100,000 characters of Vietnamese, about 300 KB of JSON).
    public var maxUploadSize: Int { 1024 * 1024 }
}

/// Everything the routes share.
struct ServerState: Sendable {
    let database: AppDatabase
    let writer: IngestionWriter
    let signer: SessionSigner
    /// Staff sessions are signed with another key: a candidate's cookie can never pass for staff.
    let staffSigner: SessionSigner
    let limiter: LoginLimiter
    let attempts: AttemptCache
    let configuration: ServerConfiguration
}

/// Attempts in memory (paper, timing, device), so an answer save costs no read and no JSON decoding of the
/// paper. Filled on start (which also hands the attempt to the new device), dropped on submit. Papers are
/// shared through `papers`: 10,000 attempts on 24 codes hold 24 decoded papers.
/// A lock rather than an actor: a look-up is a few hundred nanoseconds, not worth a suspension.
final class AttemptCache: Sendable {
    private let contexts = Mutex<[String: AttemptContext]>([:])
    private let shown = Mutex<[Int64: CandidatePaper]>([:])
    let papers = PaperCache()

    static func key(_ exam: String, _ sbd: String) -> String { exam + "\u{0}" + sbd }

    func context(exam: String, sbd: String, database: AppDatabase) throws -> AttemptContext {
        let key = Self.key(exam, sbd)
        if let known = contexts.withLock({ $0[key] }) { return known }
        let loaded = try database.attemptContext(database.attemptID(exam: exam, sbd: sbd), papers: papers)
        contexts.withLock { $0[key] = loaded }
        return loaded
    }

    /// Reloads the attempt from the database (after a start, which changes the device).
    func reload(_ attemptID: Int64, exam: String, sbd: String, database: AppDatabase) throws -> AttemptContext {
        let loaded = try database.attemptContext(attemptID, papers: papers)
        contexts.withLock { $0[Self.key(exam, sbd)] = loaded }
        return loaded
    }

    /// The paper as the candidate sees it, made once per paper.
    func candidatePaper(_ context: AttemptContext) -> CandidatePaper {
        if let known = shown.withLock({ $0[context.paperID] }) { return known }
        let made = CandidatePaper(context.paper)
        shown.withLock { $0[context.paperID] = made }
        return made
    }

    func drop(exam: String, sbd: String) { _ = contexts.withLock { $0.removeValue(forKey: Self.key(exam, sbd)) } }
}

extension JSONDecoder {
    /// How the API reads JSON: ISO 8601 dates, like the responses.
    static let api: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}

/// Builds the application (routes, services) for `serve` and for the tests.
public func buildApplication(database: AppDatabase, configuration: ServerConfiguration = .init(),
                             logger: Logger = Logger(label: "khaothi"),
                             onServerRunning: @escaping @Sendable () -> Void = {}) throws -> some ApplicationProtocol {
    let writer = IngestionWriter(database: database)
    let key = try database.serverKey(named: "sessionKey")
    let staffKey = try database.serverKey(named: "staffSessionKey")
    let state = ServerState(database: database, writer: writer, signer: SessionSigner(key: key), staffSigner: SessionSigner(key: staffKey),
                            limiter: LoginLimiter(limits: configuration.loginLimits), attempts: AttemptCache(), configuration: configuration)
    let router = Router(context: ExamRequestContext.self)
    router.add(middleware: SecurityHeaders())
    if let web = configuration.web {
        router.add(middleware: FileMiddleware(web.directory + "/static", urlBasePath: "/static", logger: logger))
        if let katex = web.katexDirectory { router.add(middleware: FileMiddleware(katex, urlBasePath: "/katex", logger: logger)) }
        Pages(state: state, web: web).register(on: router)
    }
    CandidateAPI(state: state).register(on: router.group("api"))
    StaffAPI(state: state).register(on: router.group("api/staff"))
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "khaothi"),
        onServerRunning: { _ in onServerRunning() },
        logger: logger)
    app.addServices(WriterService(writer: writer), AutoSubmitService(database: database, papers: state.attempts.papers, interval: configuration.autoSubmitInterval,
                                                                     now: configuration.now, logger: logger))
    return app
}

/// Headers every response carries: a strict Content-Security-Policy (no inline scripts, no other origins),
/// no sniffing, no framing, no caching of answers.
struct SecurityHeaders: RouterMiddleware {
    typealias Context = ExamRequestContext
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPResponseError {
            // Errors carry the same headers as answers.
            response = try error.response(from: request, context: context)
        }
        // KaTeX sizes its output with style attributes, hence style-src-attr; no inline script anywhere.
        response.headers[.contentSecurityPolicy] = "default-src 'self'; img-src 'self' data:; style-src 'self'; style-src-attr 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
        response.headers[.xContentTypeOptions] = "nosniff"
        // Scripts, styles and fonts may be kept an hour (old lab PCs, one server); answers and pages never.
        let path = request.uri.path
        response.headers[.cacheControl] = response.status == .ok && (path.hasPrefix("/static/") || path.hasPrefix("/katex/") || path.hasPrefix("/api/media/"))
            ? "private, max-age=3600" : "no-store"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return response
    }
}

/// On SIGINT/SIGTERM the writer commits everything it has accepted before the process ends.
struct WriterService: Service {
    let writer: IngestionWriter
    func run() async throws {
        try? await gracefulShutdown()
        await writer.drain()
    }
}

/// Submits attempts whose time (and grace) is over, every few seconds, until shutdown.
struct AutoSubmitService: Service {
    let database: AppDatabase
    let papers: PaperCache
    let interval: Duration
    let now: @Sendable () -> Date
    let logger: Logger
    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let count = try database.autoSubmitExpired(now: now(), papers: papers)
                if count > 0 { logger.info("auto-submitted \(count) attempts") }
            } catch {
                logger.error("auto-submit failed: \(error)")
            }
            // Wakes at once on shutdown instead of finishing the sleep.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}

extension StoreError: HTTPResponseError {
    public var status: HTTPResponse.Status {
        switch code {
        case .notFound: .notFound
        case .conflict: .conflict
        case .importRefused: .unprocessableContent
        default: .badRequest
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try HTTPError(status, message: message).response(from: request, context: context)
    }
}
