import Foundation
import Mustache

/// The pages' files: Mustache templates (`Web/templates`), static assets (`Web/static`) and the interface
/// strings in Vietnamese and English (`Web/i18n/vi.json`, `en.json`), loaded once at start.
public struct WebAssets: Sendable {
    public let directory: String
    let library: MustacheLibrary
    /// Strings by language; every language has every key of Vietnamese (missing ones fall back to it).
    let strings: [String: [String: String]]
    /// Where KaTeX is (Debian's libjs-katex), or nil: the pages then show TeX as typed.
    public let katexDirectory: String?

    public static let languages = ["vi", "en"]
    static let required = ["templates", "static", "i18n/vi.json", "i18n/en.json"]

    public struct NotFound: Error, CustomStringConvertible {
        public let tried: [String]
        public var description: String {
            "không tìm thấy thư mục Web/ (cần \(WebAssets.required.joined(separator: ", "))); chỉ rõ bằng --web ĐƯỜNG_DẪN hoặc KHAOTHI_WEB / "
                + "cannot find the Web/ directory; give it with --web PATH or KHAOTHI_WEB. Tried: " + tried.joined(separator: ", ")
        }
    }

    /// Finds `Web/`: the path given (flag or KHAOTHI_WEB), else `Web/` in the working directory, else next to
    /// the executable or in one of its parent directories (a `swift build` tree sits in the package).
    public static func locate(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                              executable: String = CommandLine.arguments.first ?? "") throws -> String {
        var candidates: [String] = []
        if let explicit { candidates = [explicit] } else if let fromEnvironment = environment["KHAOTHI_WEB"], !fromEnvironment.isEmpty {
            candidates = [fromEnvironment]
        } else {
            candidates.append(FileManager.default.currentDirectoryPath + "/Web")
            var folder = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<6 {
                candidates.append(folder.appendingPathComponent("Web").path)
                candidates.append(folder.appendingPathComponent("share/khaothi/Web").path)
                folder = folder.deletingLastPathComponent()
            }
        }
        for candidate in candidates where isComplete(candidate) { return URL(fileURLWithPath: candidate).standardizedFileURL.path }
        throw NotFound(tried: candidates)
    }

    static func isComplete(_ path: String) -> Bool {
        required.allSatisfy { FileManager.default.fileExists(atPath: path + "/" + $0) }
    }

    /// Loads the templates and strings under `directory`; KaTeX from `katex` if it holds katex.min.js.
    public static func load(directory: String, katex: String? = "/usr/share/javascript/katex") async throws -> WebAssets {
        guard isComplete(directory) else { throw NotFound(tried: [directory]) }
        let library = try await MustacheLibrary(directory: directory + "/templates")
        var strings: [String: [String: String]] = [:]
        for language in languages {
            let file = directory + "/i18n/\(language).json"
            do {
                strings[language] = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: URL(fileURLWithPath: file)))
            } catch {
                throw WebError(file: file, message: "không đọc được bảng chữ / cannot read the strings: \(error)")
            }
        }
        let base = strings["vi"]!
        for language in languages where language != "vi" { strings[language] = base.merging(strings[language]!) { _, translated in translated } }
        let katexDirectory = katex.flatMap { FileManager.default.fileExists(atPath: $0 + "/katex.min.js") ? $0 : nil }
        return WebAssets(directory: directory, library: library, strings: strings, katexDirectory: katexDirectory)
    }

    public struct WebError: Error, CustomStringConvertible {
        public let file: String
        public let message: String
        public var description: String { "\(file): \(message)" }
    }

    /// A page: the template with the strings of `language`, the strings again as JSON for the scripts, and `values`.
    func render(_ template: String, language: String, values: [String: Any] = [:]) -> String? {
        let table = strings[language] ?? strings["vi"]!
        var context: [String: Any] = values
        context["t"] = table
        context["lang"] = language
        context["otherLang"] = language == "vi" ? "en" : "vi"
        context["otherLangName"] = language == "vi" ? "English" : "Tiếng Việt"
        context["katex"] = katexDirectory != nil
        context["stringsJSON"] = Self.scriptSafeJSON(table)
        return library.render(context, withTemplate: template)
    }

    /// JSON that can sit inside a <script type="application/json"> element: no "<" can close it.
    static func scriptSafeJSON(_ value: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: (try? encoder.encode(value)) ?? Data("{}".utf8), as: UTF8.self)
        return json.replacingOccurrences(of: "<", with: "\\u003c").replacingOccurrences(of: ">", with: "\\u003e").replacingOccurrences(of: "&", with: "\\u0026")
    }
}
