import ExamStore
import Foundation
import Hummingbird
import Metrics
import Prometheus
import Synchronization

/// The operators' endpoints: `GET /healthz` for a load balancer (200 when the database answers a read and the
/// writer takes work, else 503) and `GET /metrics` in Prometheus' text format (requests by route and status
/// with their durations, the answer writer's groups, the store's sizes).
///
/// `/metrics` is answered to the machine itself (a loopback address, not relayed by a proxy: a proxy on the
/// same machine sends `X-Forwarded-For`) and to the addresses given with `--metrics-from`; anyone else gets 403.
struct OperationsAPI {
    let state: ServerState

    func register(on router: Router<ExamRequestContext>, staff: RouterGroup<ExamRequestContext>) {
        router.get("healthz") { _, _ in try await Self.healthResponse(store: state.store) }
        router.get("metrics") { request, context in try await metrics(request, context) }
        // The admin's view of the same, on the staff page.
        staff.get("system") { _, context in
            _ = try context.requireStaff(\.administers)
            return try await system()
        }
    }

    static let startedAt = Date()

    func system() async throws -> Response {
        var body = JSONObject()
        let health = try? await state.store.operations.health()
        let figures: StoreFigures
        do { figures = try await state.store.operations.figures() } catch {
            body.string("status", "unavailable")
            var response = body.response()
            response.status = .serviceUnavailable
            return response
        }
        body.string("status", health.map { $0.writerRunning ? "ok" : "stopping" } ?? "unavailable")
        body.string("engine", figures.engine)
        body.date("startedAt", Self.startedAt)
        body.int("databaseBytes", figures.databaseBytes)
        body.int("walBytes", figures.walBytes)
        body.int("residentBytes", ServerMetrics.residentBytes())
        body.int("examsInMemory", figures.examsInMemory)
        body.int("candidatesInMemory", figures.candidatesInMemory)
        body.int("papersInMemory", figures.papersInMemory)
        body.int("writerCommits", figures.writerCommits)
        body.int("writerJobs", figures.writerJobs)
        body.int("writerWaiting", figures.writerWaiting)
        return body.response()
    }

    static func healthResponse(store: Store) async throws -> Response {
        var body = JSONObject()
        do {
            let health = try await store.operations.health()
            body.string("status", health.writerRunning ? "ok" : "stopping")
            body.string("engine", health.engine)
            body.string("writer", health.writerRunning ? "running" : "stopped")
            body.int("databaseReadMicroseconds", Int(health.readSeconds * 1_000_000))
            var response = body.response()
            if !health.writerRunning { response.status = .serviceUnavailable }
            return response
        } catch {
            body.string("status", "unavailable")
            body.string("database", "không đọc được cơ sở dữ liệu / the database does not answer")
            var response = body.response()
            response.status = .serviceUnavailable
            return response
        }
    }

    func metrics(_ request: Request, _ context: ExamRequestContext) async throws -> Response {
        let peer = context.remoteAddress?.ipAddress ?? ""
        let local = (peer == "127.0.0.1" || peer == "::1") && request.headers[ServerState.forwardedFor] == nil
        guard local || state.configuration.metricsFrom.contains(peer) else {
            throw APIError.forbidden("số liệu chỉ cho máy chủ này và các địa chỉ --metrics-from / metrics are for this machine and the --metrics-from addresses only")
        }
        let figures = try await state.store.operations.figures()
        ServerMetrics.shared.update(figures)
        let text = ServerMetrics.shared.registry.emitToBuffer()
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: text)))
    }
}

/// The process's metrics: one Prometheus registry, also the backend of swift-metrics (the answer writer in
/// ExamStore records through swift-metrics), set up once per process before the store is opened.
final class ServerMetrics: Sendable {
    static let shared = ServerMetrics()

    static let durationBuckets: [Duration] = [.microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                                              .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                                              .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10)]

    let registry: PrometheusCollectorRegistry
    /// Requests by route (see `RequestFigures`).
    let requests: RequestFigures.Table
    private let gauges: [String: Prometheus.Gauge]

    private init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        self.requests = RequestFigures.Table(registry: registry)
        var factory = PrometheusMetricsFactory(registry: registry)
        // Prometheus names take letters, digits and underscores: a library's "a.b.c" becomes a_b_c.
        factory.nameAndLabelSanitizer = { name, labels in
            func clean(_ text: String) -> String { String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" }) }
            return (clean(name), labels.map { (clean($0.0), $0.1) })
        }
        factory.defaultDurationHistogramBuckets = Self.durationBuckets
        factory.valueHistogramBuckets["khaothi_ingestion_group_jobs"] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
        MetricsSystem.bootstrap(factory)
        gauges = Dictionary(uniqueKeysWithValues: [
            ("khaothi_database_bytes", "Bytes of the database file"),
            ("khaothi_database_wal_bytes", "Bytes of the database's write-ahead log"),
            ("khaothi_exams_in_memory", "Exams held in the exam-day read model"),
            ("khaothi_candidates_in_memory", "Candidates held in the exam-day read model"),
            ("khaothi_papers_in_memory", "Papers decoded in memory"),
            ("khaothi_ingestion_waiting", "Jobs waiting for the answer writer's next group"),
            ("khaothi_resident_bytes", "Resident memory of the process"),
        ].map { name, help in (name, registry.makeGauge(name: name, help: help)) })
    }

    /// Sets up the metrics backend (once per process; later calls do nothing). Call before opening the store.
    static func bootstrap() { _ = shared }

    func update(_ figures: StoreFigures) {
        gauges["khaothi_database_bytes"]?.set(Double(figures.databaseBytes))
        gauges["khaothi_database_wal_bytes"]?.set(Double(figures.walBytes))
        gauges["khaothi_exams_in_memory"]?.set(Double(figures.examsInMemory))
        gauges["khaothi_candidates_in_memory"]?.set(Double(figures.candidatesInMemory))
        gauges["khaothi_papers_in_memory"]?.set(Double(figures.papersInMemory))
        gauges["khaothi_ingestion_waiting"]?.set(Double(figures.writerWaiting))
        gauges["khaothi_resident_bytes"]?.set(Double(Self.residentBytes()))
    }

    /// VmRSS from /proc (0 where there is none).
    static func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kilobytes * 1024
    }
}

/// Requests by route, method and status with how long they took to handle (to the handler's answer; the
/// body's writing is not in it): one histogram per (route, method, status), its `_count` the requests. Kept
/// cheap on purpose: one lookup under a lock and one histogram update per request (Hummingbird's own metrics
/// middleware cost a third of the no-op route's throughput in Benchmarks/load/routes.sh).
enum RequestFigures {
    fileprivate struct Key: Hashable {
        let route: String
        let method: HTTPRequest.Method
        let status: Int
    }

    final class Table: Sendable {
        private let histograms = Mutex<[Key: DurationHistogram]>([:])
        private let registry: PrometheusCollectorRegistry

        init(registry: PrometheusCollectorRegistry) { self.registry = registry }

        /// One request answered (`route` nil when none matched), timed from `started`.
        func record(route: String?, method: HTTPRequest.Method, status: Int, since started: ContinuousClock.Instant) {
            record(Key(route: route ?? "unmatched", method: method, status: status), ContinuousClock.now - started)
        }

        fileprivate func record(_ key: Key, _ elapsed: Duration) {
            let histogram = histograms.withLock { table in
                if let known = table[key] { return known }
                let made = registry.makeDurationHistogram(
                    name: "khaothi_http_request_seconds",
                    labels: [("route", key.route), ("method", key.method.rawValue), ("status", String(key.status))],
                    buckets: ServerMetrics.durationBuckets)
                table[key] = made
                return made
            }
            histogram.record(elapsed)
        }
    }
}

