import ArgumentParser
import ExamStore
import Foundation

/// `khaothi audit list`: the audit log, newest first — who changed keys, points, questions, banks,
/// blueprints, time and attempts, when, and revision before → after.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Read the audit log.", subcommands: [List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List audit entries, newest first.")
        @Option(help: "Only this member of staff.") var actor: String?
        @Option(help: "An action or its start: question.edit, question., bank., blueprint., pause…") var action: String?
        @Option(help: "An object or its start: \"question:Toán 12/\", \"bank:Toán 12\".") var subject: String?
        @Option(help: "From this time on (ISO 8601, e.g. 2026-11-30 or 2026-11-30T08:00:00Z).") var since: String?
        @Option(help: "At most this many entries.") var limit = 200
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            try reportingErrors {
                var query = AuditQuery(actor: actor, action: action, subject: subject, limit: limit)
                guard (1...10_000).contains(limit) else { throw UserError("--limit: 1 đến 10000 / 1 to 10000") }
                if let since {
                    let formatter = ISO8601DateFormatter()
                    let day = ISO8601DateFormatter()
                    day.formatOptions = [.withFullDate]
                    guard let date = formatter.date(from: since) ?? day.date(from: since) else {
                        throw UserError("--since \"\(since)\": dùng 2026-11-30 hoặc 2026-11-30T08:00:00Z / use an ISO 8601 date")
                    }
                    query.since = date
                }
                let entries = try database.open().auditEntries(query)
                if json { try printJSON(entries); return }
                if entries.isEmpty { print("Không có mục nào / no entries"); return }
                let formatter = ISO8601DateFormatter()
                for entry in entries {
                    var line = "\(formatter.string(from: entry.at))  \(entry.actor)  \(entry.action)"
                    if let exam = entry.exam { line += "  \(exam)" + (entry.sbd.map { " SBD \($0)" } ?? "") }
                    if let subject = entry.subject { line += "  \(subject)" }
                    if let details = entry.details { line += "  \(details)" }
                    if !entry.reason.isEmpty { line += "  — \(entry.reason)" }
                    print(line)
                }
            }
        }
    }
}
