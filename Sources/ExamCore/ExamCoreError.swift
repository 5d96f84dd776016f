/// An error of the exam core: a code to branch on, a message that says what to fix, and every problem found
/// (a blueprint or a bank is checked whole, so one run lists all that is wrong).
public struct ExamCoreError: Error, Hashable, Sendable, CustomStringConvertible {
    fileprivate enum Base: String, Hashable, Sendable {
        case invalidBlueprint, infeasible, overlapCap, invalidQuestion, invalidBank, invalidRequest
    }

    /// What went wrong, as a value to compare against.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let base: Base
        /// The blueprint contradicts itself or its template (totals, levels, kinds).
        public static let invalidBlueprint = Code(base: .invalidBlueprint)
        /// The bank cannot fill the blueprint: `problems` lists every short cell.
        public static let infeasible = Code(base: .infeasible)
        /// No set of papers keeps every pair of codes within the overlap cap (this bank, this cap).
        public static let overlapCap = Code(base: .overlapCap)
        /// A question breaks the rules of its kind.
        public static let invalidQuestion = Code(base: .invalidQuestion)
        /// The bank as a whole is inconsistent (duplicate ids, unknown groups).
        public static let invalidBank = Code(base: .invalidBank)
        /// The request itself makes no sense (no codes, too many codes…).
        public static let invalidRequest = Code(base: .invalidRequest)
        public var description: String { base.rawValue }
    }

    public let code: Code
    /// A one-line summary.
    public let message: String
    /// Each problem on its own line, in the words a teacher needs to fix it.
    public let problems: [String]

    public init(_ code: Code, _ message: String, problems: [String] = []) {
        self.code = code; self.message = message; self.problems = problems
    }

    public var description: String {
        ([message] + problems.map { "  - " + $0 }).joined(separator: "\n")
    }
}
