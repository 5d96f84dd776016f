import ExamStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An error as the API answers it: an HTTP status and the body
/// `{"error": {"code": "takenOver", "message": "…", "field": "…"}}`. Pages and scripts switch on `code`;
/// `message` is for people ("Vietnamese / English") and may change. Every error the server gives has this
/// shape (docs/openapi.yaml, `Error`).
public struct APIError: Error, HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public let field: String?
    /// Every problem, when there are several (a refused file: "file:line: what is wrong" each).
    public let problems: [String]
    /// Extra headers (`Allow` on a 405, `Retry-After` on a 429).
    public let headers: HTTPFields

    public init(_ status: HTTPResponse.Status, code: String, _ message: String, field: String? = nil, problems: [String] = [], headers: HTTPFields = [:]) {
        self.status = status; self.code = code; self.message = message; self.field = field; self.problems = problems; self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: headers.merging([.contentType: "application/json; charset=utf-8"]), body: .init(byteBuffer: ByteBuffer(data: body)))
    }

    var body: Data {
        struct Body: Encodable {
            struct Inner: Encodable { var code: String; var message: String; var field: String?; var problems: [String]? }
            var error: Inner
        }
        return (try? JSONEncoder().encode(Body(error: .init(code: code, message: message, field: field, problems: problems.isEmpty ? nil : problems)))) ?? Data()
    }

    // The server's own refusals.
    static let notSignedIn = APIError(.unauthorized, code: "notSignedIn", "chưa đăng nhập hoặc phiên đã hết / not signed in, or the session has ended")
    static let staffNotSignedIn = APIError(.unauthorized, code: "notSignedIn", "cán bộ chưa đăng nhập / staff not signed in")
    static let sessionEnded = APIError(.unauthorized, code: "sessionEnded",
                                       "phiên đăng nhập đã hết; đăng nhập lại — các câu trả lời chưa gửi vẫn được giữ / the session has ended; sign in again — unsent answers are kept")
    static let takenOver = APIError(.conflict, code: "takenOver",
                                    "Bài thi đang được làm trên máy khác / the attempt was taken over by another computer")
    static let sameOriginHeader = APIError(.forbidden, code: "missingHeader", "thiếu tiêu đề X-Khaothi: 1 / missing the X-Khaothi: 1 header")

    static func malformed(_ place: String) -> APIError {
        APIError(.badRequest, code: "malformed", "nội dung JSON không hợp lệ\(place.isEmpty ? "" : ": " + place) / malformed JSON body",
                 field: place.isEmpty ? nil : place)
    }

    static func invalid(_ field: String, _ message: String) -> APIError { APIError(.badRequest, code: "invalid", message, field: field) }

    static func forbidden(_ message: String) -> APIError { APIError(.forbidden, code: "forbidden", message) }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var merged = self
        for field in other { merged[field.name] = field.value }
        return merged
    }
}

extension StoreError: HTTPResponseError {
    /// Domain codes to HTTP: what is missing 404, what the caller got wrong 400 (422 for a refused file),
    /// what the state of an exam or attempt refuses 409, a shutdown or a database that does not answer 503.
    public var status: HTTPResponse.Status {
        switch code {
        case .notFound: .notFound
        case .invalid: .badRequest
        case .importRefused: .unprocessableContent
        case .forbidden: .forbidden
        case .shuttingDown, .unavailable: .serviceUnavailable
        default: .conflict
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try APIError(status, code: code.description, message, field: field, problems: problems).response(from: request, context: context)
    }
}
