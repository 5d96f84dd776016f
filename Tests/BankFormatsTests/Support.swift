import Foundation
@testable import BankFormats
import ExamCore

enum Support {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = root.appendingPathComponent("Tests/Fixtures")

    static func allKinds() throws -> QuestionBank {
        try JSONDecoder().decode(QuestionBank.self, from: Data(contentsOf: fixtures.appendingPathComponent("all-kinds.json")))
    }

    static func data(_ text: String) -> Data { Data(text.utf8) }

    static func context(_ name: String = "bank.yaml", defaults: QuestionDefaults = QuestionDefaults()) -> ImportContext {
        ImportContext(fileName: name, baseDirectory: fixtures, defaults: defaults)
    }
}
