import ArgumentParser
import BankFormats
import ExamCore
import ExamStore
import Foundation

/// The khaothi command line.
@main
struct Khaothi: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "khaothi",
        abstract: "Khảo thí: computer-based tests for Vietnamese schools.",
        version: version,
        subcommands: [DemoCommand.self, ServeCommand.self, StaffCommand.self, BankCommand.self, BlueprintCommand.self, PaperCommand.self, ExamCommand.self, ExportCommand.self, DatabaseCommand.self, TT22Command.self, AuditCommand.self]
    )
}

/// A failure the user can fix: printed as it is, exit code 1.
struct UserError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension ParsableCommand {
    /// Runs `work`, printing a user error (ours or the core's) to standard error with exit code 1.
    func reportingErrors(_ work: () throws -> Void) throws {
        do { try work() } catch { try Self.report(error) }
    }

    /// The same for commands that wait on the network (PostgreSQL).
    func reportingErrors(_ work: () async throws -> Void) async throws {
        do { try await work() } catch { try Self.report(error) }
    }

    /// Errors that say what to fix are printed as they are (exit code 1); anything else is a bug and propagates.
    private static func report(_ error: any Error) throws -> Never {
        guard error is UserError || error is ExamCoreError || error is StoreError || error is BankFormatError else { throw error }
        var text = "lỗi / error: \(error)\n"
        if let error = error as? StoreError, let hint = Self.hint(for: error) { text += "→ \(hint)\n" }
        FileHandle.standardError.write(Data(text.utf8))
        throw ExitCode(1)
    }
}

extension ParsableCommand {
    /// What to type next, by the store's code and field: the store names no flag (its messages also reach the
    /// HTTP API); the command line does.
    static func hint(for error: StoreError) -> String? {
        switch (error.code, error.field) {
        case (.invalid, "sessions"?): "thêm --session \"Ca 1=yyyy-mm-dd hh:mm\" / add --session"
        case (.invalid, "rooms"?): "thêm --room P101 (mỗi phòng một lần) / add --room for each room"
        case (.invalid, "candidates"?): "nhập danh sách bằng exam candidates import / import the class list with exam candidates import"
        case (.invalid, "bank"?) where !error.problems.isEmpty: "thêm --bank TÊN / add --bank NAME"
        case (.invalid, "password"?): "dùng --password-stdin với mật khẩu dài hơn / use a longer password with --password-stdin"
        case (.alreadyPrepared, _): "in lại phiếu với mã mới bằng exam slips --reset-codes / reprint slips with new codes: exam slips --reset-codes"
        case (.notPrepared, _): "chuẩn bị kỳ thi bằng exam prepare / prepare the exam with exam prepare"
        case (.importRefused, _): "sửa rồi nhập lại, hoặc dùng --partial để bỏ qua câu lỗi / fix and import again, or skip bad questions with --partial"
        default: nil
        }
    }
}
