import ExamStore
import Foundation
import HTTPTypes
import Hummingbird

/// The HTML pages. Each is a small shell rendered from a Mustache template in the chosen language; the
/// scripts in Web/static do the rest through the JSON API, so a page never holds an answer key.
struct Pages {
    let state: ServerState
    let web: WebAssets

    static let languageCookie = "khaothi_lang"

    func register(on router: Router<ExamRequestContext>) {
        router.get("/") { request, _ in
            let exams = try await examChoices()
            // The only exam open is chosen for the candidate; with several, none is (a wrong default is worse).
            return try page("login", request) { ["exams": exams, "hasExams": !exams.isEmpty, "chooseExam": exams.count > 1] }
        }
        router.get("thi") { request, _ in try page("test", request) }
        // A student's own page: assignments from home and practice.
        router.get("hoc") { request, _ in try page("hoc", request) }
        // The staff's pages: each a shell the scripts fill through the API (which checks every role and object).
        router.get("staff") { request, _ in try page("staff", request) }
        for (path, template) in Self.staffPages {
            router.get(RouterPath("staff/" + path)) { request, _ in try page(template, request) }
        }
    }

    /// /staff/… → template.
    static let staffPages = [("banks", "banks"), ("question", "question"), ("import", "import"), ("blueprints", "blueprints"),
                             ("print", "print"), ("print/view", "printview"), ("exams", "exams"), ("exams/log", "roomlog"), ("audit", "audit"),
                             ("setup", "setup"), ("setup/slips", "slips"), ("people", "people"), ("grading", "grading"), ("results", "results"), ("statistics", "statistics"), ("gradebook", "gradebook"), ("classes", "classes")]

    func examChoices() async throws -> [[String: Any]] {
        let exams = try await state.store.exams.preparedExams()
        return exams.map { exam in ["name": exam.name, "subject": exam.subject, "first": exams.count == 1] }
    }

    /// `?lang=en` switches the language and remembers it in a cookie; otherwise the cookie, else Vietnamese.
    func language(_ request: Request) -> (language: String, remember: Bool) {
        if let asked = request.uri.queryParameters.get("lang"), WebAssets.languages.contains(asked) { return (asked, true) }
        if let kept = request.cookie(Self.languageCookie), WebAssets.languages.contains(kept) { return (kept, false) }
        return ("vi", false)
    }

    func page(_ template: String, _ request: Request, values: () throws -> [String: Any] = { [:] }) throws -> Response {
        let (language, remember) = language(request)
        var values = try values()
        // The language switch keeps the page's own query (?bank=…&id=…).
        let kept = (request.uri.query ?? "").split(separator: "&").filter { !$0.hasPrefix("lang=") }.joined(separator: "&")
        values["langHref"] = "?" + (kept.isEmpty ? "" : kept + "&") + "lang=" + (language == "vi" ? "en" : "vi")
        guard let html = web.render(template, language: language, values: values) else {
            throw APIError(.internalServerError, code: "missingTemplate", "thiếu mẫu trang \(template).mustache / missing template")
        }
        var response = Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
        if remember {
            response.setCookie(Cookie(name: Self.languageCookie, value: language, maxAge: 365 * 86400, path: "/", sameSite: .lax))
        }
        return response
    }
}
