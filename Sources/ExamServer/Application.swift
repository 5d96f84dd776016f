import Crypto
import ExamCore
import ExamStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Where and how the server runs. Keys and their defaults are listed here, where they are read.
public struct ServerConfiguration: Sendable {
    /// 127.0.0.1 unless told otherwise: a lab server is opened to the LAN on purpose, with --host 0.0.0.0.
    public var host: String
    public var port: Int
    public var loginLimits: LoginLimiter.Limits
    /// Addresses of reverse proxies (nginx) whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed; from
    /// anyone else they are ignored.
    public var trustedProxies: Set<String>
    /// Session cookies are marked `Secure` (sent over HTTPS only): always when set, otherwise when a trusted
    /// proxy says the request came over HTTPS.
    public var secureCookies = false
    /// How often expired attempts are auto-submitted.
    public var autoSubmitInterval: Duration
    /// The clock; tests inject their own.
    public var now: @Sendable () -> Date
    /// The pages' templates and assets; without them only the JSON API is served.
    public var web: WebAssets?
    /// Addresses (besides this machine's own) that may read `/metrics`: a Prometheus server elsewhere.
    public var metricsFrom: Set<String> = []
    /// NIO's event loops (the threads that read and write the sockets); nil: NIO's shared group, one per core.
    /// One loop on 2 cores used less CPU per request on one machine and gave 10–20 % fewer saves and no-ops a
    /// second on another (BENCHMARKS.md, issue 16): a knob to measure, not a rule.
    public var eventLoops: Int?

    public init(host: String = "127.0.0.1", port: Int = 8080, loginLimits: LoginLimiter.Limits = .init(), trustedProxies: Set<String> = [],
                autoSubmitInterval: Duration = .seconds(5), web: WebAssets? = nil, now: @escaping @Sendable () -> Date = { Date() }) {
        self.host = host; self.port = port; self.loginLimits = loginLimits; self.trustedProxies = trustedProxies
        self.autoSubmitInterval = autoSubmitInterval; self.web = web; self.now = now
    }
}

/// The request context of khaothi's routes: bodies are capped; the authentication middleware puts the
/// signed-in candidate or member of staff here.
public struct ExamRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client's address, for the per-address login limit.
    public let remoteAddress: SocketAddress?
    /// The signed-in candidate (`CandidateAuthentication`).
    public var candidate: SessionSigner.Identity?
    /// The signed-in member of staff (`StaffAuthentication`).
    public var staff: StaffMember?
    /// The signed-in student (`StudentAuthentication`).
    public var student: StudentAccount?
    /// The staff session (for logout).
    public var session: SessionSigner.Identity?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
    /// 1 MB: room for one essay at its longest (100,000 characters of Vietnamese, about 300 KB of JSON).
    public var maxUploadSize: Int { 1024 * 1024 }
}

/// Everything the routes share.
struct ServerState: Sendable {
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!

    /// Signs out: the session ends on the server too (its cookie no longer works, wherever it was copied), and
    /// the browser's cookie is cleared.
    func logout(_ request: Request, _ context: ExamRequestContext, cookie: String, signer: SessionSigner) async throws -> Response {
        if let token = request.cookie(cookie), let identity = signer.identity(from: token, now: configuration.now()) {
            try await store.sessions.revoke(session: identity.session, expiresAt: identity.issuedAt.addingTimeInterval(SessionSigner.maximumAge))
        }
        var response = Response(status: .noContent)
        response.setCookie(sessionCookie(cookie, "", request, context, clear: true))
        return response
    }

    /// A session cookie: HttpOnly, SameSite=Strict, and Secure when the page came over HTTPS.
    func sessionCookie(_ name: String, _ value: String, _ request: Request, _ context: ExamRequestContext, clear: Bool = false) -> Cookie {
        let peer = context.remoteAddress?.ipAddress ?? ""
        let https = configuration.secureCookies || (configuration.trustedProxies.contains(peer) && request.headers[Self.forwardedProto]?.lowercased() == "https")
        return Cookie(name: name, value: clear ? "" : value, maxAge: clear ? 0 : nil, path: "/", secure: https, httpOnly: true, sameSite: .strict)
    }

    /// The client's address as the login limits count it: the peer, or the last `X-Forwarded-For` entry when
    /// the peer is a trusted proxy.
    func clientAddress(_ request: Request, _ context: ExamRequestContext) -> String {
        let peer = context.remoteAddress?.ipAddress ?? "unknown"
        guard configuration.trustedProxies.contains(peer), let forwarded = request.headers[Self.forwardedFor],
              let last = forwarded.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty else { return peer }
        return last
    }

    let store: Store
    let signer: SessionSigner
    /// Staff sessions are signed with another key: a candidate's cookie can never pass for staff.
    let staffSigner: SessionSigner
    /// Students' own accounts: a third key.
    let studentSigner: SessionSigner
    let limiter: LoginLimiter
    let papers: PaperViews
    let configuration: ServerConfiguration
}

extension JSONDecoder {
    /// How the API reads JSON: ISO 8601 dates, like the responses.
    static let api: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}

/// Builds the application on a SQLite database (the default engine), for `serve` and for the tests.
public func buildApplication(database: AppDatabase, configuration: ServerConfiguration = .init(),
                             logger: Logger = Logger(label: "khaothi"),
                             onServerRunning: @escaping @Sendable () -> Void = {}) async throws -> some ApplicationProtocol {
    // Before the store exists: its writer's figures bind to the metrics backend when made.
    ServerMetrics.bootstrap()
    let store = database.makeStore(now: configuration.now, deadlineInterval: configuration.autoSubmitInterval, logger: logger)
    return try await buildApplication(store: store, configuration: configuration, logger: logger, onServerRunning: onServerRunning)
}

/// Builds the application (routes, services) over any store: nothing here knows which engine is underneath.
public func buildApplication(store: Store, configuration: ServerConfiguration = .init(), logger: Logger = Logger(label: "khaothi"),
                             onServerRunning: @escaping @Sendable () -> Void = {}) async throws -> some ApplicationProtocol {
    let state = ServerState(store: store, signer: SessionSigner(key: SymmetricKey(data: try await store.secrets.secret(named: "sessionKey"))),
                            staffSigner: SessionSigner(key: SymmetricKey(data: try await store.secrets.secret(named: "staffSessionKey"))),
                            studentSigner: SessionSigner(key: SymmetricKey(data: try await store.secrets.secret(named: "studentSessionKey"))),
                            limiter: LoginLimiter(limits: configuration.loginLimits, shared: store.sessions), papers: PaperViews(), configuration: configuration)
    ServerMetrics.bootstrap()
    let router = Router(context: ExamRequestContext.self, options: .autoGenerateHeadEndpoints)
    let routes = RouteTable()
    router.add(middleware: ServerEdges(figures: ServerMetrics.shared.requests, routes: routes))
    if let web = configuration.web {
        router.add(middleware: FileMiddleware(web.directory + "/static", urlBasePath: "/static", logger: logger))
        if let katex = web.katexDirectory { router.add(middleware: FileMiddleware(katex, urlBasePath: "/katex", logger: logger)) }
        Pages(state: state, web: web).register(on: router)
    }
    let api = router.group("api").add(middleware: SameOriginHeader())
    CandidateAPI(state: state).register(open: api, signedIn: router.group("api").add(middleware: SameOriginHeader()).add(middleware: CandidateAuthentication(state: state)))
    let staffGroup = router.group("api/staff").add(middleware: SameOriginHeader()).add(middleware: StaffAuthentication(state: state))
    OperationsAPI(state: state).register(on: router, staff: staffGroup)
    StaffAPI(state: state).register(open: router.group("api/staff").add(middleware: SameOriginHeader()), signedIn: staffGroup)
    let jobs = Jobs()
    SetupAPI(state: state, jobs: jobs).register(staffGroup)
    GradingAPI(state: state).register(staffGroup)
    GradebookAPI(state: state).register(staffGroup)
    ClassworkAPI(state: state).register(staff: staffGroup, open: router.group("api/student").add(middleware: SameOriginHeader()),
                                        student: router.group("api/student").add(middleware: SameOriginHeader()).add(middleware: StudentAuthentication(state: state)))
    // Authoring: every route for a role that authors (a proctor gets 403 before anything is read).
    AuthoringAPI(state: state, jobs: jobs, uploads: UploadBatches()).register(
        router.group("api/staff").add(middleware: SameOriginHeader()).add(middleware: StaffAuthentication(state: state)).add(middleware: RequireStaffRole(allowed: \.authors)))
    routes.fill(router.routes.map { (path: $0.path.description, method: $0.method) })
    var app = Application(
        router: router,
        server: .http1(configuration: .init(additionalChannelHandlers: [HTTPLayerSecurityHeaders()])),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "khaothi"),
        onServerRunning: { _ in onServerRunning() },
        eventLoopGroupProvider: configuration.eventLoops.map { .shared(EventLoops.group(threads: $0)) } ?? .singleton,
        logger: logger)
    app.addServices(store.services)
    return app
}

/// One event-loop group per size for the life of the process, as NIO's own singleton is (tests build many
/// applications; they share the loops instead of leaving threads behind).
enum EventLoops {
    private static let groups = Mutex<[Int: MultiThreadedEventLoopGroup]>([:])

    static func group(threads: Int) -> MultiThreadedEventLoopGroup {
        groups.withLock { groups in
            if let group = groups[threads] { return group }
            let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
            groups[threads] = group
            return group
        }
    }
}

/// Headers every response carries: a strict Content-Security-Policy (no inline scripts, no other origins),
/// no sniffing, no framing, no caching of answers.
enum SecurityHeaders {
    static let frameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    // KaTeX sizes its output with style attributes, hence style-src-attr; no inline script anywhere.
    static let policy = "default-src 'self'; img-src 'self' data:; style-src 'self'; style-src-attr 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

    /// Scripts, styles and fonts may be kept an hour (old lab PCs, one server); answers and pages never.
    static func cacheable(_ path: String) -> Bool {
        path.hasPrefix("/static/") || path.hasPrefix("/katex/") || path.hasPrefix("/api/media/") || path.hasPrefix("/api/staff/media/")
    }

    /// The fields made (and their values checked) once, not on every response.
    static let fields = [HTTPField(name: .contentSecurityPolicy, value: policy), HTTPField(name: .xContentTypeOptions, value: "nosniff"),
                         HTTPField(name: frameOptions, value: "DENY"), HTTPField(name: referrerPolicy, value: "no-referrer")]
    static let cacheFields = (yes: HTTPField(name: .cacheControl, value: "private, max-age=3600"), no: HTTPField(name: .cacheControl, value: "no-store"))

    static func apply(to headers: inout HTTPFields, cacheable: Bool) {
        func set(_ field: HTTPField) {
            // `contains`, not `headers[name] != nil`: that joins the values into a new string, five times per answer.
            if headers.contains(field.name) { headers[field.name] = nil }
            headers.append(field)
        }
        for field in fields { set(field) }
        set(cacheable ? cacheFields.yes : cacheFields.no)
    }
}
