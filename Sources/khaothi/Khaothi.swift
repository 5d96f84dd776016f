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
        subcommands: [DemoCommand.self, ServeCommand.self, StaffCommand.self, BankCommand.self, BlueprintCommand.self, PaperCommand.self, ExamCommand.self, DatabaseCommand.self, TT22Command.self]
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
        do {
            try work()
        } catch {
            // Errors that say what to fix are printed as they are; anything else is a bug and propagates.
            guard error is UserError || error is ExamCoreError || error is StoreError || error is BankFormatError else { throw error }
            FileHandle.standardError.write(Data("lỗi / error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
