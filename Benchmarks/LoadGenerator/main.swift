// loadgen: plays N candidates through khaothi's real API and checks the database afterwards.
//
//   swift run -c release --package-path Benchmarks loadgen --candidates 10000 [options]
//
// It builds its own database (the Vật lí 12 sample bank, one exam opening now, N synthetic candidates),
// starts `khaothi serve` on it, and runs three phases: a start storm (every candidate signs in and starts
// within --storm seconds), steady autosave (each candidate answers, changes answers and sometimes bursts,
// with pauses of --think seconds on average, for --steady seconds) and a submit storm (everyone submits
// within --submit seconds). Candidates behave like the page: every change is an event with a growing
// sequence number, kept until the server acknowledges it and resent after failures. With --kills K the
// server is killed with SIGKILL K times during the steady phase and restarted; the candidates carry on.
// At the end it stops the server and proves from the database that every acknowledged answer is in the
// event log and that every attempt's final answers are the last ones the client had acknowledged.
//
// With --homework N, N students of --classes C classes do an assignment from home on the same server while the
// lab exam runs: each signs in with their own account at a random moment within --window seconds, opens their
// home page, starts, answers --homework-changes items with pauses of --homework-think seconds, and submits. Their
// acknowledged answers are checked the same way.
//
// Several nodes (issue 15): with --database postgres://… the prepared database is copied there (`khaothi db copy
// --replace`) and the servers run on it; --nodes N starts N servers on ports --port, --port+1, … and every call goes
// to a node picked at random (no sticky routing; a failed call is retried on another). --kills then kills a random
// node; --pg-restarts K runs --pg-restart-command (a shell command: e.g. `pg_ctl stop -m immediate` then start)
// K times during the steady phase; --takeovers T candidates move to another computer mid-exam: they sign in again
// and resume on one node, and their old computer's next save, sent to a third node, must be refused (409
// takenOver) and never stored. The check reads a SQLite copy of the PostgreSQL database (`db copy` back).
import AsyncHTTPClient
import BankFormats
import ExamCore
import ExamStore
import Foundation
import GRDB
import NIOCore
import NIOHTTP1

// MARK: options

struct Options {
    var candidates = 1000
    var connections = 512
    var storm = 10.0
    var steady = 30.0
    var think = 10.0
    var submit = 10.0
    var kills = 0
    var server = "../.build/release/khaothi"
    var root = ".."
    var port = 18000 + Int.random(in: 0..<1000)
    var json: String?
    var keep = false
    var homework = 0
    var classes = 250
    var window = 1800.0
    var homeworkChanges = 8
    var homeworkThink = 20.0
    var database: String?
    var nodes = 1
    var pgRestarts = 0
    var pgRestartCommand: String?
    var takeovers = 0

    static func parse(_ arguments: [String]) -> Options {
        var options = Options()
        var index = 0
        func value() -> String {
            index += 1
            guard index < arguments.count else { fail("\(arguments[index - 1]) needs a value") }
            return arguments[index]
        }
        func integer() -> Int {
            let text = value()
            guard let number = Int(text), number >= 0 else { fail("\(arguments[index - 1]) \(text): a whole number ≥ 0 expected") }
            return number
        }
        func seconds() -> Double {
            let text = value()
            guard let number = Double(text), number >= 0 else { fail("\(arguments[index - 1]) \(text): seconds ≥ 0 expected") }
            return number
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--candidates": options.candidates = max(1, integer())
            case "--connections": options.connections = max(1, integer())
            case "--storm": options.storm = seconds()
            case "--steady": options.steady = seconds()
            case "--think": options.think = max(0.001, seconds())
            case "--submit": options.submit = seconds()
            case "--kills": options.kills = integer()
            case "--server": options.server = value()
            case "--root": options.root = value()
            case "--port": options.port = integer()
            case "--json": options.json = value()
            case "--keep": options.keep = true
            case "--homework": options.homework = integer()
            case "--classes": options.classes = max(1, integer())
            case "--window": options.window = seconds()
            case "--homework-changes": options.homeworkChanges = max(1, integer())
            case "--homework-think": options.homeworkThink = seconds()
            case "--database": options.database = value()
            case "--nodes": options.nodes = max(1, integer())
            case "--pg-restarts": options.pgRestarts = integer()
            case "--pg-restart-command": options.pgRestartCommand = value()
            case "--takeovers": options.takeovers = integer()
            case "--help", "-h":
                print("loadgen --candidates N [--connections 512] [--storm 10] [--steady 30] [--think 10] [--submit 10] [--kills 0] [--server PATH] [--root PATH] [--port P] [--json FILE] [--keep] [--homework N --classes 250 --window 1800 --homework-changes 8 --homework-think 20] [--database postgres://… --nodes N --pg-restarts K --pg-restart-command CMD --takeovers T]")
                exit(0)
            default: fail("unknown option \(arguments[index])")
            }
            index += 1
        }
        return options
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("loadgen: \(message)\n".utf8))
    exit(1)
}

func log(_ message: String) {
    FileHandle.standardError.write(Data("[\(String(format: "%7.1f", Clock.seconds()))s] \(message)\n".utf8))
}

enum Clock {
    static let start = DispatchTime.now().uptimeNanoseconds
    static func seconds() -> Double {
        let origin = start
        return Double(Int64(DispatchTime.now().uptimeNanoseconds) - Int64(origin)) / 1e9
    }
}

// MARK: measurements

/// Latencies and errors per request kind.
final class Recorder: @unchecked Sendable {
    private let lock = NSLock()
    private var latencies: [String: [Double]] = [:]
    private var errors: [String: Int] = [:]
    private var firstAt: [String: Double] = [:]
    private var lastAt: [String: Double] = [:]

    func record(_ kind: String, since start: Double) {
        let now = Clock.seconds()
        lock.withLock {
            latencies[kind, default: []].append(now - start)
            if firstAt[kind] == nil { firstAt[kind] = start }
            lastAt[kind] = now
        }
    }

    private var reasons: [String: Int] = [:]

    /// An error of a request kind, and why (an HTTP status from the server, or the client's own error).
    func error(_ kind: String, reason: String = "") {
        lock.withLock {
            errors[kind, default: 0] += 1
            reasons["\(kind): \(reason)", default: 0] += 1
        }
    }

    /// Each kind's errors by reason, most first.
    func errorReasons() -> [(String, Int)] { lock.withLock { reasons.sorted { $0.value > $1.value } } }

    struct Line: Codable {
        var kind: String
        var count: Int
        var errors: Int
        var seconds: Double
        var perSecond: Double
        var p50ms: Double
        var p95ms: Double
        var p99ms: Double
        var maxms: Double
    }

    func lines() -> [Line] {
        lock.withLock {
            Set(latencies.keys).union(errors.keys).sorted().map { kind in
                let sorted = (latencies[kind] ?? []).sorted()
                func percentile(_ p: Double) -> Double {
                    sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)] * 1000
                }
                let span = max(0.001, (lastAt[kind] ?? 0) - (firstAt[kind] ?? 0))
                return Line(kind: kind, count: sorted.count, errors: errors[kind] ?? 0, seconds: span, perSecond: Double(sorted.count) / span,
                            p50ms: percentile(0.5), p95ms: percentile(0.95), p99ms: percentile(0.99), maxms: (sorted.last ?? 0) * 1000)
            }
        }
    }
}

// MARK: the server

/// `khaothi serve` as a child process: started, killed, restarted; its peak memory read from /proc.
final class ServerProcess: @unchecked Sendable {
    let binary: String
    let database: String
    let port: Int
    let logPath: String
    private var process: Process?
    private(set) var peakRSSKiB = 0
    private(set) var restarts = 0

    init(binary: String, database: String, port: Int, logPath: String) {
        self.binary = binary; self.database = database; self.port = port; self.logPath = logPath
    }

    var pid: Int32 { process?.processIdentifier ?? 0 }

    /// Starts the node; one that stops at start because the database is down (PostgreSQL restarting) is started
    /// again a second later, as systemd's `Restart=always` in docs/deploy.md does, for up to a minute.
    func start(client: HTTPClient) async throws {
        for attempt in 1... {
            if try await launch(client: client) { return }
            guard attempt < 60 else { fail("the server stopped at start 60 times; see \(logPath)") }
            try await Task.sleep(for: .seconds(1))
        }
    }

    /// One start: true when the node answers, false when it stopped.
    private func launch(client: HTTPClient) async throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--api-only", "--port", String(port), "--db", database]
        if !FileManager.default.fileExists(atPath: logPath) { FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        for _ in 0..<600 {
            if let response = try? await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/time"), timeout: .seconds(1)), response.status == .ok {
                return true
            }
            guard process.isRunning else { return false }
            try await Task.sleep(for: .milliseconds(50))
        }
        fail("the server did not answer within 30 s; see \(logPath)")
    }

    /// Current and peak resident memory of the running server, in KiB.
    func memory() -> (current: Int, peak: Int) {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (0, peakRSSKiB) }
        func field(_ name: String) -> Int {
            status.split(separator: "\n").first { $0.hasPrefix(name) }.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[1]) } ?? 0
        }
        peakRSSKiB = max(peakRSSKiB, field("VmHWM:"))
        return (field("VmRSS:"), peakRSSKiB)
    }

    func kill(_ signal: Int32) {
        guard let process, process.isRunning else { return }
        _ = memory()
        Foundation.kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }

    func restart(client: HTTPClient) async throws {
        restarts += 1
        try await start(client: client)
    }
}

/// Runs `khaothi ARGUMENTS` to the end (output appended to `log`); fails the run when it fails.
func runKhaothi(_ binary: String, _ arguments: [String], log path: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
    let output = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    output.seekToEndOfFile()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { fail("khaothi \(arguments.joined(separator: " ")) failed; see \(path)") }
}

/// Runs a shell command to the end on a thread of its own (posix_spawn and waitpid: Foundation's Process did not
/// always notice the end of a shell whose child, a database server, stays running); fails the run when it fails.
func runShell(_ command: String) async throws {
    let status: Int32 = await withCheckedContinuation { continuation in
        Thread.detachNewThread {
            var pid: pid_t = 0
            let arguments = ["/bin/sh", "-c", command]
            var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
            defer { for pointer in argv { free(pointer) } }
            guard posix_spawn(&pid, "/bin/sh", nil, nil, &argv, environ) == 0 else { continuation.resume(returning: -1); return }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            continuation.resume(returning: status)
        }
    }
    guard status == 0 else { fail("\(command): exit status \(status)") }
}

/// A count shared by tasks.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

// MARK: the exam

/// A fresh database: the Vật lí 12 sample bank, an exam open now for two hours, N candidates.
func prepareExam(root: String, directory: String, candidates: Int) throws -> (database: String, slips: [LoginSlip]) {
    let path = directory + "/load.sqlite"
    let db = try AppDatabase.open(at: path)
    let banks = URL(fileURLWithPath: root).appendingPathComponent("QuestionBanks/vat-li-12")
    _ = try db.importBank(try BankReaders.read(banks.appendingPathComponent("vat-li-12.yaml")))
    let blueprint = try JSONDecoder().decode(Blueprint.self, from: Data(contentsOf: banks.appendingPathComponent("blueprint.json")))
    let rooms = (1...max(1, (candidates + 39) / 40)).map { String(format: "P%03d", $0) }
    try db.createExam(ExamDefinition(
        name: "Tải", bank: "Vật lí 12", blueprint: blueprint, codeCount: 24, seed: 2025,
        sessions: [.init(name: "Ca 1", timing: SessionTiming(opensAt: Date().addingTimeInterval(-60), durationSeconds: 4 * 3600,
                                                             lateEntrySeconds: 4 * 3600, graceSeconds: 120, policy: .fromStart))],
        rooms: rooms))
    let family = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
    let middle = ["Văn", "Thị", "Minh", "Ngọc", "Đức", "Thu", "Hoài", "Gia"]
    let given = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Khánh", "Linh", "Mai", "Nam", "Phúc", "Quân", "Sơn", "Trang", "Uyên", "Vy"]
    let entries = (0..<candidates).map { i in
        RosterEntry(studentID: String(format: "HS%06d", i), fullName: "\(family[i % 12]) \(middle[(i / 12) % 8]) \(given[(i / 96) % 16])",
                    dateOfBirth: "2008-01-01", className: "12A\(i % 10 + 1)")
    }
    _ = try db.importCandidates(exam: "Tải", entries: entries)
    return (path, try db.prepareExam("Tải"))
}

/// N students in C classes of the current year with one password (a bcrypt hash set directly: issuing slips would
/// hash N times), and one assignment for all the classes, open now for the window and a margin.
func prepareHomework(database path: String, root: String, students: Int, classes: Int, window: Double) async throws -> (slips: [LoginSlip], assignment: Int64) {
    let db = try AppDatabase.open(at: path)
    let store = db.makeStore()
    let banks = URL(fileURLWithPath: root).appendingPathComponent("QuestionBanks/vat-li-12")
    let blueprint = try JSONDecoder().decode(Blueprint.self, from: Data(contentsOf: banks.appendingPathComponent("blueprint.json")))
    let coordinator = Actor(username: "loadgen", isAdmin: true)
    var ids: [Int64] = []
    var slips: [LoginSlip] = []
    for index in 0..<classes {
        let members = (0..<students).filter { $0 % classes == index }
        let entries = members.map { RosterEntry(studentID: String(format: "BT%06d", $0), fullName: "Học sinh \($0)", dateOfBirth: nil, className: nil) }
        let info = try await store.classwork.saveClass(year: "2026-2027", name: String(format: "L%03d", index + 1), students: entries, teacherSubject: nil,
                                                       by: coordinator, coordinator: true, now: Date())
        ids.append(info.id)
        slips += entries.map { LoginSlip(sbd: "", studentID: $0.studentID, fullName: $0.fullName, dateOfBirth: nil, className: info.name, room: "",
                                         session: "", opensAt: Date(), paperCode: "", accessCode: "") }
    }
    let hash = try await StudentPasswords.hash(homeworkPassword)
    let queue = try DatabaseQueue(path: path)
    try await queue.write { db in try db.execute(sql: "UPDATE student SET passwordHash = ?, mustChangePassword = 0 WHERE studentId LIKE 'BT%'", arguments: [hash]) }
    try queue.close()
    let summary = try await store.classwork.createAssignment(
        AssignmentDefinition(title: "Bài tập tải", classIDs: ids, bank: "Vật lí 12", blueprint: blueprint, opensAt: Date().addingTimeInterval(-60),
                             closesAt: Date().addingTimeInterval(window + 3600), timeLimitMinutes: 45, attemptsAllowed: 1, seed: 7),
        by: coordinator, coordinator: true, now: Date())
    return (slips, summary.id)
}

let homeworkPassword = "bai-tap-tai"

// MARK: candidates

struct PaperItem { var key: String; var kind: String; var options: Int }

struct Event: Codable, Sendable {
    var sequence: Int
    var item: String
    var value: ResponseValue
}

/// One simulated candidate: their session and their queue of unacknowledged events, like the page's.
final class Candidate: @unchecked Sendable {
    var slip: LoginSlip
    var cookie = ""
    var token = ""
    var items: [PaperItem] = []
    var sequence = 0
    var pending: [Event] = []
    var acknowledged: [Event] = []
    /// Saves the server refused on purpose (an old computer's after a takeover): never to be stored.
    var refused: [Event] = []
    var submitted = false
    var generator: SeededGenerator

    init(slip: LoginSlip, seed: UInt64) { self.slip = slip; generator = SeededGenerator(seed: seed) }

    func randomValue(for item: PaperItem) -> ResponseValue {
        switch item.kind {
        case "single-choice": return .text(Labels.option(Int.random(in: 0..<max(1, item.options), using: &generator)))
        case "true-false":
            return .map(Dictionary(uniqueKeysWithValues: (0..<max(1, item.options)).map { (Labels.statement($0), Bool.random(using: &generator) ? "Đ" : "S") }))
        case "numeric": return .text(["0,5", "1,2", "12", "-3", "2,25", "0"].randomElement(using: &generator)!)
        default: return .text("x")
        }
    }

    func change() {
        guard let item = items.randomElement(using: &generator) else { return }
        sequence += 1
        pending.append(Event(sequence: sequence, item: item.key, value: randomValue(for: item)))
    }
}

/// A 5xx from a node (retried like a connection failure).
struct ServerRefused: Error { var status: UInt }

struct Driver: Sendable {
    let client: HTTPClient
    /// One address per node.
    let bases: [String]
    let recorder: Recorder
    let encoder = JSONEncoder()

    /// One call, to `node` or to a node picked at random each try; retried after connection failures and 5xx (a
    /// node or the database may be restarting) until `until`.
    func call(_ kind: String, _ method: HTTPMethod, _ path: String, cookie: String? = nil, body: Data? = nil,
              retryUntil: Double = .infinity, node: Int? = nil) async throws -> (status: UInt, body: Data, cookie: String?) {
        var delay = 0.05
        while true {
            var request = HTTPClientRequest(url: (node.map { bases[$0] } ?? bases.randomElement()!) + path)
            request.method = method
            request.headers.add(name: "X-Khaothi", value: "1")
            if let cookie { request.headers.add(name: "Cookie", value: cookie) }
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: body))
            }
            let started = Clock.seconds()
            do {
                let response = try await client.execute(request, timeout: .seconds(60))
                let data = Data(try await response.body.collect(upTo: 8 << 20).readableBytesView)
                if response.status.code >= 500 { throw ServerRefused(status: response.status.code) }
                recorder.record(kind, since: started)
                let setCookie = response.headers["set-cookie"].first.map { String($0.split(separator: ";")[0]) }
                return (response.status.code, data, setCookie)
            } catch {
                recorder.error(kind, reason: (error as? ServerRefused).map { "HTTP \($0.status)" } ?? "client: \(String(describing: error).prefix(60))")
                guard Clock.seconds() < retryUntil else { throw error }
                try await Task.sleep(for: .seconds(delay))
                delay = min(delay * 2, 1)
            }
        }
    }

    func login(_ candidate: Candidate, node: Int? = nil) async throws {
        let body = try JSONSerialization.data(withJSONObject: ["exam": "Tải", "sbd": candidate.slip.sbd, "accessCode": candidate.slip.accessCode])
        let response = try await call("login", .POST, "/api/login", body: body, node: node)
        guard response.status == 200, let cookie = response.cookie else { fail("login \(candidate.slip.sbd): HTTP \(response.status)") }
        candidate.cookie = cookie
    }

    func start(_ candidate: Candidate, kind: String = "start", node: Int? = nil) async throws {
        let response = try await call(kind, .POST, "/api/attempt/start", cookie: candidate.cookie, node: node)
        guard response.status == 200, let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let token = object["deviceToken"] as? String, let paper = object["paper"] as? [String: Any],
              let parts = paper["parts"] as? [[String: Any]] else {
            fail("start \(candidate.slip.sbd): HTTP \(response.status) \(String(decoding: response.body.prefix(200), as: UTF8.self))")
        }
        candidate.token = token
        candidate.sequence = max(candidate.sequence, object["lastSequence"] as? Int ?? 0)
        candidate.items = parts.flatMap { ($0["items"] as? [[String: Any]]) ?? [] }.map {
            PaperItem(key: $0["key"] as? String ?? "", kind: $0["kind"] as? String ?? "", options: ($0["options"] as? [Any])?.count ?? 0)
        }
    }

    struct EventsBody: Encodable { var deviceToken: String; var events: [Event] }

    /// Sends the candidate's whole queue; on 200 the events move to `acknowledged`.
    func flush(_ candidate: Candidate, kind: String = "events") async throws {
        guard !candidate.pending.isEmpty else { return }
        let batch = candidate.pending
        let body = try encoder.encode(EventsBody(deviceToken: candidate.token, events: batch))
        let response = try await call(kind, .POST, "/api/attempt/events", cookie: candidate.cookie, body: body)
        guard response.status == 200 else { fail("events \(candidate.slip.sbd): HTTP \(response.status) \(String(decoding: response.body, as: UTF8.self))") }
        let done = Set(((try JSONSerialization.jsonObject(with: response.body) as? [String: Any])?["acknowledged"] as? [Int]) ?? [])
        candidate.acknowledged += batch.filter { done.contains($0.sequence) }
        candidate.pending.removeAll { done.contains($0.sequence) }
    }

    /// The candidate moves to another computer: everything acknowledged first, then a new sign-in and resume on
    /// node `to`; the old computer then saves through node `via`. True when that save is refused as taken over.
    func takeover(_ candidate: Candidate, to: Int, via: Int) async throws -> Bool {
        while !candidate.pending.isEmpty { try await flush(candidate) }
        let oldCookie = candidate.cookie, oldToken = candidate.token
        try await login(candidate, node: to)
        try await start(candidate, kind: "takeover-start", node: to)
        guard let item = candidate.items.first else { return false }
        candidate.sequence += 1
        let stale = Event(sequence: candidate.sequence, item: item.key, value: candidate.randomValue(for: item))
        candidate.refused.append(stale)
        let body = try encoder.encode(EventsBody(deviceToken: oldToken, events: [stale]))
        let response = try await call("takeover-old", .POST, "/api/attempt/events", cookie: oldCookie, body: body, node: via)
        let code = ((try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]).flatMap { $0["error"] as? [String: Any] }?["code"] as? String
        return response.status == 409 && code == "takenOver"
    }

    /// A student from home: their own sign-in, their page, the assignment's attempt (its test page's session), the
    /// paper. The kinds are named apart from the lab's ("hw-…").
    func homeworkStart(_ candidate: Candidate, assignment: Int64) async throws {
        let body = try JSONSerialization.data(withJSONObject: ["studentID": candidate.slip.studentID, "password": homeworkPassword])
        let login = try await call("hw-login", .POST, "/api/student/login", body: body)
        guard login.status == 200, let account = login.cookie else { fail("student login \(candidate.slip.studentID): HTTP \(login.status)") }
        let home = try await call("hw-home", .GET, "/api/student/home", cookie: account)
        guard home.status == 200 else { fail("home \(candidate.slip.studentID): HTTP \(home.status)") }
        let opened = try await call("hw-open", .POST, "/api/student/assignments/\(assignment)/start", cookie: account)
        guard opened.status == 200, let cookie = opened.cookie,
              let sbd = (try JSONSerialization.jsonObject(with: opened.body) as? [String: Any])?["sbd"] as? String else {
            fail("open \(candidate.slip.studentID): HTTP \(opened.status) \(String(decoding: opened.body.prefix(200), as: UTF8.self))")
        }
        candidate.cookie = cookie
        candidate.slip.sbd = sbd
        try await start(candidate, kind: "hw-start")
    }

    func submit(_ candidate: Candidate, kind: String = "submit", events: String = "events") async throws {
        while !candidate.pending.isEmpty { try await flush(candidate, kind: events) }
        let body = try JSONSerialization.data(withJSONObject: ["deviceToken": candidate.token])
        let response = try await call(kind, .POST, "/api/attempt/submit", cookie: candidate.cookie, body: body)
        // 409 after a retry: the first try was committed before its answer was lost.
        guard response.status == 200 || response.status == 409 else { fail("submit \(candidate.slip.sbd): HTTP \(response.status)") }
        candidate.submitted = true
    }
}

// MARK: checking the database

struct Verdict: Codable {
    var attempts: Int
    var submitted: Int
    var acknowledgedEvents: Int
    var missingEvents: Int
    var differentEvents: Int
    var finalAnswersChecked: Int
    var finalAnswersWrong: Int
    /// Saves refused on purpose (an old computer's after a takeover) found stored anyway.
    var refusedStored: Int
}

func verify(database: String, candidates: [Candidate]) throws -> Verdict {
    let queue = try DatabaseQueue(path: database)
    return try queue.read { db in
        var verdict = Verdict(attempts: 0, submitted: 0, acknowledgedEvents: 0, missingEvents: 0, differentEvents: 0, finalAnswersChecked: 0, finalAnswersWrong: 0, refusedStored: 0)
        let decoder = JSONDecoder()
        for candidate in candidates {
            guard let attempt = try Row.fetchOne(db, sql: """
                SELECT a.id, a.state FROM attempt a JOIN candidate c ON c.id = a.candidateId WHERE c.sbd = ?
                """, arguments: [candidate.slip.sbd]) else { continue }
            verdict.attempts += 1
            if (attempt["state"] as String) == "submitted" { verdict.submitted += 1 }
            let id: Int64 = attempt["id"]
            var logged: [Int: ResponseValue] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT sequence, value FROM responseEvent WHERE attemptId = ?", arguments: [id]) {
                logged[row["sequence"]] = try decoder.decode(ResponseValue.self, from: Data((row["value"] as String).utf8))
            }
            verdict.refusedStored += candidate.refused.filter { logged[$0.sequence] != nil }.count
            var last: [String: Event] = [:]
            for event in candidate.acknowledged {
                verdict.acknowledgedEvents += 1
                if let stored = logged[event.sequence] {
                    if stored != event.value { verdict.differentEvents += 1 }
                } else {
                    verdict.missingEvents += 1
                }
                if (last[event.item]?.sequence ?? 0) < event.sequence { last[event.item] = event }
            }
            var final: [String: ResponseValue] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT itemKey, value FROM response WHERE attemptId = ?", arguments: [id]) {
                final[row["itemKey"]] = try decoder.decode(ResponseValue.self, from: Data((row["value"] as String).utf8))
            }
            for (item, event) in last {
                verdict.finalAnswersChecked += 1
                if final[item] != event.value { verdict.finalAnswersWrong += 1 }
            }
        }
        return verdict
    }
}

// MARK: main

struct Report: Codable {
    var date: String
    var candidates: Int
    var homework: Int
    var homeworkSeconds: Double
    var homeworkVerdict: Verdict?
    var connections: Int
    var kills: Int
    var restarts: Int
    var nodes: Int
    var engine: String
    var pgRestarts: Int
    var takeovers: Int
    var takeoversRefused: Int
    var startStormSeconds: Double
    var rssAfterStartKiB: Int
    var peakRSSKiB: Int
    var requests: [Recorder.Line]
    var verdict: Verdict
}

@main
struct LoadGenerator {
    static func main() async throws {
        let options = Options.parse(Array(CommandLine.arguments.dropFirst()))
        guard FileManager.default.isExecutableFile(atPath: options.server) else {
            fail("\(options.server): no khaothi there (swift build -c release --product khaothi, or --server PATH)")
        }
        guard FileManager.default.fileExists(atPath: options.root + "/QuestionBanks/vat-li-12/vat-li-12.yaml") else {
            fail("\(options.root): not the khaothi package (QuestionBanks/vat-li-12 missing; --root PATH)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("khaothi-load-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        log("preparing \(options.candidates) candidates in \(directory)")
        let (prepared, slips) = try prepareExam(root: options.root, directory: directory, candidates: options.candidates)
        var homeworkSlips: [LoginSlip] = [], assignment: Int64 = 0
        if options.homework > 0 {
            log("preparing \(options.homework) students in \(options.classes) classes and their assignment")
            (homeworkSlips, assignment) = try await prepareHomework(database: prepared, root: options.root, students: options.homework,
                                                                    classes: options.classes, window: options.window)
        }
        var database = prepared
        if let url = options.database {
            log("copying the prepared database to PostgreSQL")
            try runKhaothi(options.server, ["db", "copy", "--from", prepared, "--to", url, "--replace"], log: directory + "/copy.log")
            database = url
        }
        if options.pgRestarts > 0 && options.pgRestartCommand == nil { fail("--pg-restarts needs --pg-restart-command") }

        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: options.connections)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let servers = (0..<options.nodes).map {
            ServerProcess(binary: options.server, database: database, port: options.port + $0, logPath: directory + "/server\($0).log")
        }
        for server in servers {
            try await server.start(client: client)
            log("server pid \(server.pid) on port \(server.port)")
        }
        @Sendable func memory() -> (current: Int, peak: Int) {
            var largest = (current: 0, peak: 0)
            for server in servers {
                let figures = server.memory()
                largest = (max(largest.current, figures.current), max(largest.peak, figures.peak))
            }
            return largest
        }

        let recorder = Recorder()
        let driver = Driver(client: client, bases: servers.map { "http://127.0.0.1:\($0.port)" }, recorder: recorder)
        let candidates = slips.enumerated().map { Candidate(slip: $1, seed: UInt64($0) + 1) }
        let students = homeworkSlips.enumerated().map { Candidate(slip: $1, seed: UInt64($0) + 1_000_001) }

        // 0. The homework crowd runs beside the whole lab exam: each student arrives at a random moment of the
        //    window, answers with pauses, and submits.
        let homeworkBegan = Clock.seconds()
        let assignmentID = assignment
        let homework = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for student in students {
                    let arrival = Double.random(in: 0..<max(0.001, options.window))
                    group.addTask {
                        try await Task.sleep(for: .seconds(arrival))
                        try await driver.homeworkStart(student, assignment: assignmentID)
                        for _ in 0..<options.homeworkChanges {
                            student.change()
                            try await driver.flush(student, kind: "hw-events")
                            try await Task.sleep(for: .seconds(-Foundation.log(Double.random(in: 0.0001..<1)) * options.homeworkThink))
                        }
                        try await driver.submit(student, kind: "hw-submit", events: "hw-events")
                    }
                }
                try await group.waitForAll()
            }
            return Clock.seconds() - homeworkBegan
        }

        // 1. Start storm: everyone signs in and starts at a random moment within --storm seconds.
        let stormBegan = Clock.seconds()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for candidate in candidates {
                let delay = Double.random(in: 0..<max(0.001, options.storm))
                group.addTask {
                    try await Task.sleep(for: .seconds(delay))
                    try await driver.login(candidate)
                    try await driver.start(candidate)
                }
            }
            try await group.waitForAll()
        }
        let stormSeconds = Clock.seconds() - stormBegan
        let afterStart = memory()
        log("start storm: \(candidates.count) started in \(String(format: "%.2f", stormSeconds)) s; server RSS \(afterStart.current / 1024) MiB (the largest node)")

        // 2. Steady autosave (with the kills, if asked): pauses around --think seconds, now and then a burst
        //    of quick changes, every change sent at once with whatever is still waiting.
        let steadyEnds = Clock.seconds() + options.steady
        let takeoversRefused = Counter(), takeoversMade = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            if options.kills > 0 {
                group.addTask {
                    let gap = options.steady / Double(options.kills + 1)
                    for kill in 1...options.kills {
                        try await Task.sleep(for: .seconds(Double.random(in: gap * 0.5...gap * 1.5)))
                        let server = servers.randomElement()!
                        server.kill(SIGKILL)
                        log("kill \(kill): SIGKILL to the node on port \(server.port)")
                        try await server.restart(client: client)
                    }
                }
            }
            if options.pgRestarts > 0, let command = options.pgRestartCommand {
                group.addTask {
                    let gap = options.steady / Double(options.pgRestarts + 1)
                    for restart in 1...options.pgRestarts {
                        try await Task.sleep(for: .seconds(Double.random(in: gap * 0.5...gap * 1.5)))
                        log("PostgreSQL restart \(restart): \(command)")
                        try await runShell(command)
                        log("PostgreSQL restart \(restart): back")
                    }
                }
            }
            group.addTask {
                while Clock.seconds() < steadyEnds {
                    _ = memory()
                    try await Task.sleep(for: .milliseconds(500))
                }
            }
            for (index, candidate) in candidates.enumerated() {
                group.addTask {
                    try await Task.sleep(for: .seconds(Double.random(in: 0..<options.think)))
                    // Some move to another computer once, a little into the phase: sign in again on one node,
                    // the old computer's save through another.
                    var movesAt = index < options.takeovers ? Clock.seconds() + Double.random(in: 0..<options.steady / 2) : .infinity
                    while Clock.seconds() < steadyEnds {
                        if Clock.seconds() >= movesAt {
                            movesAt = .infinity
                            let to = Int.random(in: 0..<options.nodes), via = options.nodes > 1 ? (to + 1) % options.nodes : to
                            takeoversMade.add()
                            if try await driver.takeover(candidate, to: to, via: via) { takeoversRefused.add() }
                        }
                        let burst = Int.random(in: 0..<10) == 0 ? Int.random(in: 2...4) : 1
                        for _ in 0..<burst {
                            candidate.change()
                            try await driver.flush(candidate)
                        }
                        let pause = -Foundation.log(Double.random(in: 0.0001..<1)) * options.think
                        try await Task.sleep(for: .seconds(max(0, min(pause, options.think * 4, steadyEnds - Clock.seconds()))))
                    }
                }
            }
            try await group.waitForAll()
        }
        log("steady autosave done")

        // 3. Submit storm: everyone submits within --submit seconds, as at the deadline.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for candidate in candidates {
                let delay = Double.random(in: 0..<max(0.001, options.submit))
                group.addTask {
                    try await Task.sleep(for: .seconds(delay))
                    try await driver.submit(candidate)
                }
            }
            try await group.waitForAll()
        }
        log("lab exam done")
        let homeworkSeconds = try await homework.value
        if options.homework > 0 { log("homework done: \(students.count) students in \(String(format: "%.1f", homeworkSeconds)) s") }
        let peak = memory().peak
        log("stopping the servers (SIGTERM) and checking the database")
        for server in servers { server.kill(SIGTERM) }
        try await client.shutdown()

        var checked = database
        if options.database != nil {
            checked = directory + "/check.sqlite"
            try runKhaothi(options.server, ["db", "copy", "--from", database, "--to", checked], log: directory + "/copy.log")
        }
        let verdict = try verify(database: checked, candidates: candidates)
        let homeworkVerdict = options.homework > 0 ? try verify(database: checked, candidates: students) : nil
        let report = Report(date: ISO8601DateFormatter().string(from: Date()), candidates: options.candidates, homework: options.homework,
                            homeworkSeconds: homeworkSeconds, homeworkVerdict: homeworkVerdict, connections: options.connections,
                            kills: options.kills, restarts: servers.map(\.restarts).reduce(0, +), nodes: options.nodes,
                            engine: options.database == nil ? "sqlite" : "postgresql", pgRestarts: options.pgRestarts, takeovers: takeoversMade.value,
                            takeoversRefused: takeoversRefused.value, startStormSeconds: stormSeconds, rssAfterStartKiB: afterStart.current,
                            peakRSSKiB: peak, requests: recorder.lines(), verdict: verdict)
        print("candidates \(report.candidates), connections \(report.connections), \(report.engine), nodes \(report.nodes), kills \(report.kills) (restarts \(report.restarts)), "
              + "PostgreSQL restarts \(report.pgRestarts), takeovers \(report.takeoversRefused) of \(report.takeovers) refused the old computer")
        print("start storm: \(String(format: "%.2f", stormSeconds)) s; server RSS after the start storm \(afterStart.current / 1024) MiB, peak \(peak / 1024) MiB")
        print("kind      count   errors  req/s     p50 ms   p95 ms   p99 ms   max ms")
        for line in report.requests {
            print(String(format: "%-8@ %7d %7d %8.0f %8.1f %8.1f %8.1f %8.1f", line.kind as NSString, line.count, line.errors, line.perSecond, line.p50ms, line.p95ms, line.p99ms, line.maxms))
        }
        for (reason, count) in recorder.errorReasons() { print("  errors, \(reason): \(count)") }
        print("""
            check: \(verdict.attempts) attempts, \(verdict.submitted) submitted; \(verdict.acknowledgedEvents) acknowledged events, \
            \(verdict.missingEvents) missing, \(verdict.differentEvents) different; \(verdict.finalAnswersChecked) final answers, \(verdict.finalAnswersWrong) wrong; \
            \(verdict.refusedStored) refused saves stored
            """)
        if let homeworkVerdict {
            print("homework: \(options.homework) students in \(options.classes) classes over \(String(format: "%.0f", homeworkSeconds)) s; "
                  + "\(homeworkVerdict.attempts) attempts, \(homeworkVerdict.submitted) submitted; \(homeworkVerdict.acknowledgedEvents) acknowledged events, "
                  + "\(homeworkVerdict.missingEvents) missing, \(homeworkVerdict.differentEvents) different; \(homeworkVerdict.finalAnswersWrong) final answers wrong")
        }
        if let json = options.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: json))
        }
        if !options.keep { try? FileManager.default.removeItem(atPath: directory) }
        let homeworkOK = homeworkVerdict.map { $0.missingEvents == 0 && $0.differentEvents == 0 && $0.finalAnswersWrong == 0
            && $0.submitted == options.homework && $0.attempts == options.homework } ?? true
        let answersOK = verdict.missingEvents == 0 && verdict.differentEvents == 0 && verdict.finalAnswersWrong == 0 && verdict.refusedStored == 0
        let takeoversOK = takeoversRefused.value == takeoversMade.value
        let attemptsOK = verdict.submitted == options.candidates && verdict.attempts == options.candidates
        let ok = answersOK && takeoversOK && attemptsOK && homeworkOK
        if !ok { fail("the database does not hold what was acknowledged") }
    }
}
