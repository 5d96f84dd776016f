import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL server for tests, started once per test process from Debian's `postgresql` package (a new
/// cluster in a temporary directory, on a free port of 127.0.0.1) and stopped when the process exits; each test
/// takes a new database on it. `KHAOTHI_TEST_POSTGRES=postgres://USER@HOST:PORT` uses a running server instead
/// (its user may create databases). Not part of any product.
public enum TestPostgres {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    struct Server: Sendable {
        let base: String  // postgres://USER@HOST:PORT
        let psql: String
    }

    nonisolated(unsafe) private static var stopCommand: [String]?
    nonisolated(unsafe) private static var directory: String?
    private static let server: Result<Server, Failure> = Result { try start() }.mapError { $0 as? Failure ?? Failure(description: "\($0)") }

    /// A new, empty database: its URL.
    public static func database(_ prefix: String = "t") throws -> String {
        let server = try server.get()
        let name = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        try run([server.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "\(server.base)/postgres", "-c", "CREATE DATABASE \(name)"])
        return "\(server.base)/\(name)"
    }

    /// Runs SQL with psql (as the test's superuser): for tests that set a database up behind khaothi's back.
    public static func psql(_ url: String, _ sql: String) throws -> String {
        let server = try server.get()
        return try run([server.psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", url, "-c", sql])
    }

    private static func start() throws -> Server {
        let environment = ProcessInfo.processInfo.environment
        let bin = try binaries(environment["KHAOTHI_PG_BIN"])
        if let base = environment["KHAOTHI_TEST_POSTGRES"], !base.isEmpty {
            return Server(base: base, psql: bin + "/psql")
        }
        let dir = NSTemporaryDirectory() + "khaothi-pg-\(getpid())-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        directory = dir
        // initdb refuses to run as root: as root (CI), the cluster belongs to Debian's postgres user.
        let asOwner: [String] = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []
        if getuid() == 0 { try run(["/bin/chown", "postgres", dir]) }
        let held = try LocalPort.hold()
        close(held.fd)
        let port = held.port
        try run(asOwner + [bin + "/initdb", "-D", dir + "/data", "-A", "trust", "-U", "khaothi", "-E", "UTF8", "--locale=C", "--no-sync"])
        try run(asOwner + [bin + "/pg_ctl", "-D", dir + "/data", "-l", dir + "/log", "-w", "-o",
                           "-p \(port) -k \(dir) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=500", "start"])
        stopCommand = asOwner + [bin + "/pg_ctl", "-D", dir + "/data", "-m", "immediate", "stop"]
        atexit {
            if let command = TestPostgres.stopCommand { _ = try? TestPostgres.run(command) }
            if let directory = TestPostgres.directory { try? FileManager.default.removeItem(atPath: directory) }
        }
        return Server(base: "postgres://khaothi@127.0.0.1:\(port)", psql: bin + "/psql")
    }

    private static func binaries(_ given: String?) throws -> String {
        if let given, FileManager.default.isExecutableFile(atPath: given + "/initdb") { return given }
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        guard let version = versions.last(where: { FileManager.default.isExecutableFile(atPath: "\(root)/\($0)/bin/initdb") }) else {
            throw Failure(description: "PostgreSQL is needed for these tests: apt-get install postgresql (no initdb under \(root)/*/bin; or set KHAOTHI_TEST_POSTGRES)")
        }
        return "\(root)/\(version)/bin"
    }

    /// Runs a program to its end (posix_spawn and waitpid: Foundation's Process waited forever here for a
    /// `runuser` whose child, the server, lives on), its output in a file (a pipe would stay open as long as the
    /// server runs).
    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let log = NSTemporaryDirectory() + "khaothi-pg-run-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: log) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, &argv, environ)
        guard spawned == 0 else { throw Failure(description: "\(arguments[0]): cannot start (\(String(cString: strerror(spawned))))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        let exited = status & 0x7f == 0, code = (status >> 8) & 0xff
        guard exited && code == 0 else {
            throw Failure(description: "\(arguments.joined(separator: " ")) failed (status \(status)): \(text)")
        }
        return text
    }
}

/// A port of 127.0.0.1 bound by the test (and listened on): free for a server to take once closed, or held to
/// see a server refuse it.
public enum LocalPort {
    public static func hold() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound, listen(fd, 1) == 0 else {
            close(fd)
            throw TestPostgres.Failure(description: "no free port on 127.0.0.1")
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }
}
