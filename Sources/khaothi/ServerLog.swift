import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The server's log lines on standard error, in the usual `time level label: metadata [source] message` shape.
/// Unlike swift-log's stream handler, metadata is only turned into text when a line is written: the HTTP
/// server gives every request a logger with its own request id, and formatting that on every request (which
/// logs nothing) cost 2–3 % of a request's time (perf, Benchmarks/load/routes.sh).
struct ServerLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    private static let output = Mutex<Void>(())

    /// Makes every `Logger` of the process use this handler; once per process (later calls do nothing).
    static func bootstrap(level: Logger.Level) {
        once.withLock { done in
            guard !done else { return }
            done = true
            LoggingSystem.bootstrap { label in ServerLogHandler(label: label, logLevel: level) }
        }
    }

    private static let once = Mutex<Bool>(false)

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        let fields = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let line = "\(Self.timestamp()) \(event.level) \(label):\(fields) [\(event.source)] \(event.message)\n"
        Self.output.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
    }

    private static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
