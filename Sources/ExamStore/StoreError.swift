/// An error of the store: a code, a message that says what to fix, and the problems behind it.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    fileprivate enum Base: String, Hashable, Sendable { case notFound, invalidRequest, conflict, importRefused }
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let base: Base
        public static let notFound = Code(base: .notFound)
        public static let invalidRequest = Code(base: .invalidRequest)
        public static let conflict = Code(base: .conflict)
        /// The file had problems and nothing was imported.
        public static let importRefused = Code(base: .importRefused)
        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String
    public let problems: [String]

    public init(_ code: Code, _ message: String, problems: [String] = []) {
        self.code = code; self.message = message; self.problems = problems
    }

    public var description: String { ([message] + problems.map { "  - " + $0 }).joined(separator: "\n") }
}
