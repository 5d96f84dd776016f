import AsyncHTTPClient
import BankFormats
import ExamCore
import Foundation
import NIOCore
import NIOHTTP1

// The teachers' pages against a 20,000-question bank, through the real server (`khaothi serve` started here
// on a free port): the bank browser's page of 50 rows with a filter and a search, over many different
// queries (latency per request on loopback: an upper bound of server time), and the dry run of a
// 2,000-question upload (upload, then the check: reading the file and matching every question).
//
//   swift build -c release --product khaothi
//   swift build -c release --package-path Benchmarks --product authoring-bench
//   Benchmarks/.build/release/authoring-bench --server .build/release/khaothi [--requests 600]

struct Options {
    var server = ".build/release/khaothi"
    var requests = 600
    var dryRuns = 5

    init(_ arguments: [String]) {
        var rest = arguments.dropFirst()
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { fail("\(flag) needs a value") }
            switch flag {
            case "--server": server = value
            case "--requests": requests = Int(value) ?? requests
            case "--dry-runs": dryRuns = Int(value) ?? dryRuns
            default: fail("unknown option \(flag) (use --server PATH, --requests N, --dry-runs N)")
            }
        }
    }
}

/// The server this run started: stopped on the way out, also when the run fails.
nonisolated(unsafe) var serverProcess: Process?

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("authoring-bench: \(message)\n".utf8))
    if let serverProcess, serverProcess.isRunning { serverProcess.terminate(); serverProcess.waitUntilExit() }
    exit(1)
}

func run(_ executable: String, _ arguments: [String], input: String? = nil) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardInput = pipe
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { fail("cannot run \(executable): \(error)") }
    if let input { pipe.fileHandleForWriting.write(Data(input.utf8)) }
    try? pipe.fileHandleForWriting.close()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { fail("\(executable) \(arguments.joined(separator: " ")) failed") }
}

/// A free local port (bind to 0, read it, close).
enum FreePort {
    static func find() -> Int {
        let fd = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        close(fd)
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

let options = Options(CommandLine.arguments)
guard FileManager.default.isExecutableFile(atPath: options.server) else { fail("no server at \(options.server) (build it: swift build -c release --product khaothi)") }
let root = FileManager.default.temporaryDirectory.appendingPathComponent("khaothi-authoring-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
// KHAOTHI_KEEP=1 keeps the database for a look with sqlite3.
defer { if ProcessInfo.processInfo.environment["KHAOTHI_KEEP"] == nil { try? FileManager.default.removeItem(at: root) } else { print("kept \(root.path)") } }
let db = root.appendingPathComponent("bench.sqlite").path

// A 20,000-question bank owned by a teacher.
let bank = SyntheticBank.bank(multiplier: 500)
let bankFile = root.appendingPathComponent("tong-hop.yaml")
try NativeFormat.write(bank).write(to: bankFile, atomically: true, encoding: .utf8)
let password = "mat-khau-dai-cho-bench"
run(options.server, ["staff", "add", "gv", "--role", "teacher", "--name", "Giáo viên", "--password-stdin", "--db", db], input: password + "\n")
let started = Date()
run(options.server, ["bank", "import", bankFile.path, "--owner", "gv", "--visibility", "private", "--db", db])
print(String(format: "imported 20,000 questions in %.1f s (CLI, release)", Date().timeIntervalSince(started)))

// A 2,000-question upload in the Azota text layout (no metadata: unclassified), 1,000 of them already in the bank.
var azota = "PHẦN I. Trắc nghiệm\n"
for n in 0..<2_000 {
    let known = bank.questions[n * 7]
    if n % 2 == 0, case let .singleChoice(body) = known.body {
        azota += "Câu \(n + 1). \(known.stem)\n" + body.options.enumerated().map { "\($0.element.id == body.answer ? "*" : "")\(Labels.option($0.offset)). \($0.element.text)" }.joined(separator: "\n") + "\n"
    } else {
        azota += "Câu \(n + 1). Câu mới số \(n): tính $\\int_0^{\(n)} x\\,dx$.\n*A. $\(n * n / 2)$\nB. $\(n)$\nC. $\(n + 1)$\nD. $0$\n"
    }
}
let uploadData = Data(azota.utf8)

let port = FreePort.find()
let server = Process()
server.executableURL = URL(fileURLWithPath: options.server)
server.arguments = ["serve", "--port", String(port), "--db", db]
server.standardOutput = FileHandle.nullDevice
server.standardError = FileHandle.nullDevice
try server.run()
serverProcess = server
defer { server.terminate(); server.waitUntilExit() }

let client = HTTPClient(eventLoopGroupProvider: .singleton)
let base = "http://127.0.0.1:\(port)"

func call(_ method: HTTPMethod, _ path: String, cookie: String? = nil, body: Data? = nil, json: Bool = true) async throws -> (UInt, Data, String?) {
    var request = HTTPClientRequest(url: base + path)
    request.method = method
    request.headers.add(name: "X-Khaothi", value: "1")
    if json { request.headers.add(name: "Content-Type", value: "application/json") }
    if let cookie { request.headers.add(name: "Cookie", value: cookie) }
    if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
    let response = try await client.execute(request, timeout: .seconds(120))
    let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
    return (response.status.code, Data(bytes.readableBytesView), response.headers["set-cookie"].first.map { String($0.split(separator: ";")[0]) })
}

do {
    // Wait for the server.
    var ready = false
    for _ in 0..<200 {
        if (try? await call(.GET, "/api/time")) != nil { ready = true; break }
        try await Task.sleep(for: .milliseconds(100))
    }
    guard ready else { fail("the server did not start") }
    let (status, _, setCookie) = try await call(.POST, "/api/staff/login", body: try JSONSerialization.data(withJSONObject: ["username": "gv", "password": password]))
    guard status == 200, let cookie = setCookie else { fail("login: HTTP \(status)") }
    let bankPath = "/api/staff/banks/" + "Ngân hàng tổng hợp".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!

    // The browser: a filter and (mostly) a search on every request, pages of 50, many different queries.
    // ("" is no search: the filter alone over the whole bank, sorted.)
    let searches = ["chu de 3", "gia tri", "phuong an 2", "câu hỏi 17", "tinh", "", "menh de", "f(12", "chủ đề 7 tính"]
    let filters = ["topic=Ch%E1%BB%A7%20%C4%91%E1%BB%81%203", "level=thong-hieu", "kind=single-choice", "kind=true-false&level=thong-hieu", "grade=12", "topic=Ch%E1%BB%A7%20%C4%91%E1%BB%81%209&level=van-dung"]
    var latencies: [Double] = []
    var totals = Set<Int>()
    for index in 0..<(options.requests + 50) {
        let query = "q=" + searches[index % searches.count].addingPercentEncoding(withAllowedCharacters: .alphanumerics)! + "&" + filters[index % filters.count]
            + "&page=\(1 + index % 3)&pageSize=50&sort=\(["added", "updated", "topic", "level"][index % 4])"
        let start = DispatchTime.now().uptimeNanoseconds
        let (code, body, _) = try await call(.GET, bankPath + "/questions?" + query, cookie: cookie)
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        guard code == 200 else { fail("browse: HTTP \(code) \(String(decoding: body, as: UTF8.self))") }
        if index >= 50 { latencies.append(elapsed) } // the first 50 warm up
        if let object = try JSONSerialization.jsonObject(with: body) as? [String: Any], let total = object["total"] as? Int { totals.insert(total) }
    }
    latencies.sort()
    print(String(format: "bank browser, 50 rows of 20,000 with a filter and a search (1 in 9 no search): %d requests, p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms (%d different totals)",
                 latencies.count, percentile(latencies, 0.5), percentile(latencies, 0.95), percentile(latencies, 0.99), latencies.last!, totals.count))

    // The dry run of a 2,000-question upload.
    var uploads: [Double] = []
    var checks: [Double] = []
    for _ in 0..<options.dryRuns {
        let (code, body, _) = try await call(.POST, "/api/staff/imports", cookie: cookie)
        guard code == 201, let batch = (try JSONSerialization.jsonObject(with: body) as? [String: Any])?["batch"] as? String else { fail("batch: HTTP \(code)") }
        var start = DispatchTime.now().uptimeNanoseconds
        let (uploaded, _, _) = try await call(.PUT, "/api/staff/imports/\(batch)/files/de-2000.txt", cookie: cookie, body: uploadData, json: false)
        guard uploaded == 201 else { fail("upload: HTTP \(uploaded)") }
        uploads.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        start = DispatchTime.now().uptimeNanoseconds
        let (checked, report, _) = try await call(.POST, "/api/staff/imports/\(batch)/check", cookie: cookie,
                                                  body: try JSONSerialization.data(withJSONObject: ["bank": "Ngân hàng tổng hợp"]))
        checks.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        guard checked == 200, let plan = (try JSONSerialization.jsonObject(with: report) as? [String: Any])?["plan"] as? [String: Any] else { fail("check: HTTP \(checked)") }
        guard plan["added"] as? Int == 1_000, plan["unchanged"] as? Int == 1_000 else {
            fail("check: unexpected plan \(plan["added"] ?? "?") new, \(plan["revised"] ?? "?") changed, \(plan["unchanged"] ?? "?") unchanged")
        }
        _ = try await call(.DELETE, "/api/staff/imports/\(batch)", cookie: cookie)
    }
    uploads.sort(); checks.sort()
    guard !checks.isEmpty else { throw CancellationError() }
    print(String(format: "dry run of a 2,000-question upload (%d KB Azota text, 1,000 new, 1,000 already in the bank): upload median %.0f ms, check median %.0f ms, max %.0f ms (%d runs)",
                 uploadData.count / 1024, percentile(uploads, 0.5), percentile(checks, 0.5), checks.last!, checks.count))
} catch is CancellationError {
} catch {
    fail("\(error)")
}
try await client.shutdown()
