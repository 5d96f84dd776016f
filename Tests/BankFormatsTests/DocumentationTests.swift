import Foundation
import Testing
@testable import BankFormats
import ExamCore

/// The examples in QuestionBanks/README.md must stay true: each YAML block reads without a problem.
@Suite("Examples in QuestionBanks/README.md")
struct DocumentationTests {
    static func yamlBlocks() throws -> [String] {
        let text = try String(contentsOf: Support.root.appendingPathComponent("QuestionBanks/README.md"), encoding: .utf8)
        return text.components(separatedBy: "```yaml\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
    }

    @Test("every YAML example reads, with every kind it shows")
    func examples() throws {
        let blocks = try Self.yamlBlocks()
        #expect(blocks.count == 3)
        var kinds = Set<QuestionKind>()
        for (index, block) in blocks.enumerated() {
            let yaml = block.hasPrefix("khaothi:") ? block
                : block.hasPrefix("groups:") ? "bank: Ví dụ\nsubject: Tiếng Anh\n" + block
                : "bank: Ví dụ\nsubject: Toán\nquestions:\n" + block
            let read = try NativeFormat.read(Data(yaml.utf8), context: Support.context("README-\(index).yaml"))
            #expect(read.problems.isEmpty, "block \(index): \(read.problems)")
            #expect(!read.bank.questions.isEmpty)
            kinds.formUnion(read.bank.questions.map(\.kind))
        }
        #expect(kinds == Set(QuestionKind.allCases))
    }
}
