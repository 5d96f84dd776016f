import ArgumentParser
import ExamStore
import Foundation

struct StaffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff",
        abstract: "Staff logins for the /staff page: admins, coordinators, proctors, teachers.",
        subcommands: [Add.self, List.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a member of staff, or change the name, role or password of one.",
            discussion: "The password is read from standard input (--password-stdin) or made up and printed once. Passwords are stored as bcrypt hashes.")
        @Argument(help: "Username.") var username: String
        @Option(help: "admin, coordinator, proctor or teacher.") var role: String
        @Option(help: "Full name.") var name: String?
        @Flag(help: "Read the password from standard input (one line).") var passwordStdin = false
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try reportingErrors {
                guard let role = StaffRole(rawValue: role) else {
                    throw UserError("--role: \(StaffRole.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                let password: String
                if passwordStdin {
                    guard let line = readLine(strippingNewline: true) else { throw UserError("không đọc được mật khẩu / no password on standard input") }
                    password = line
                } else {
                    password = StaffPasswords.newPassword()
                }
                try database.open().saveStaff(username: username, fullName: name ?? username, role: role, password: password)
                print("Đã lưu \(username) (\(role.rawValue)) / saved" + (passwordStdin ? "" : "; mật khẩu / password: \(password)"))
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the staff.")
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print JSON.") var json = false
        func run() throws {
            try reportingErrors {
                let members = try database.open().staffMembers()
                if json { return try printJSON(members) }
                for member in members { print("\(member.username)\t\(member.role.rawValue)\t\(member.fullName)") }
            }
        }
    }
}
