import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTPTypes
import Synchronization

/// The routes the router knows, by path pattern, filled once they are all registered: a method the path does
/// not take is a 405 with `Allow`, not a 404.
final class RouteTable: Sendable {
    private let patterns = Mutex<[(segments: [Substring], methods: Set<HTTPRequest.Method>)]>([])

    func fill(_ routes: [(path: String, method: HTTPRequest.Method)]) {
        var byPath: [String: Set<HTTPRequest.Method>] = [:]
        for route in routes {
            byPath[route.path, default: []].insert(route.method)
            // HEAD endpoints are made from GET ones when the router is built.
            if route.method == .get { byPath[route.path, default: []].insert(.head) }
        }
        patterns.withLock { $0 = byPath.map { (segments: Self.segments($0.key), methods: $0.value) } }
    }

    /// The methods a path takes (empty when no route has that path).
    func methods(for path: String) -> Set<HTTPRequest.Method> {
        let asked = Self.segments(path)
        return patterns.withLock { patterns in
            patterns.filter { pattern in
                pattern.segments.count == asked.count
                    && zip(pattern.segments, asked).allSatisfy { $0.hasPrefix(":") || $0.hasPrefix("{") || $0.contains("*") || $0 == $1 }
            }.reduce(into: Set<HTTPRequest.Method>()) { $0.formUnion($1.methods) }
        }
    }

    static func segments(_ path: String) -> [Substring] { path.split(separator: "/", omittingEmptySubsequences: true) }
}

/// The outermost net: an error that is no answer of ours (a database failure, a bug) is logged with its
/// request and answered 500 in the API's error shape, its details kept out of the body.
enum UnexpectedErrors {
    static func answer(_ error: any Error, _ request: Request, _ context: ExamRequestContext) -> APIError {
        context.logger.error("\(request.method.rawValue) \(request.uri.path): \(String(reflecting: error))")
        return APIError(.internalServerError, code: "internal", "lỗi máy chủ; đã ghi vào nhật ký / server error; it was logged")
    }
}

/// What the router answers when nothing matched: 405 with `Allow` when the path exists for other methods,
/// else a 404 in the API's error shape (a page for a browser).
enum UnmatchedRoutes {
    static var notFoundPage: Response {
        let html = """
            <!doctype html>
            <html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Không có trang này — khaothi</title><link rel="stylesheet" href="/static/app.css"></head>
            <body><header class="bar"><a class="brand" href="/">khaothi</a></header>
            <main class="panel narrow"><h1>Không có trang này</h1><p>Địa chỉ này không có trên máy chủ thi. Kiểm tra lại địa chỉ, hoặc:</p>
            <p><a href="/">Vào thi (thí sinh)</a> · <a href="/staff">Cán bộ</a></p>
            <p lang="en" class="hint">No such page. <a href="/?lang=en">Candidates</a> · <a href="/staff?lang=en">Staff</a></p></main></body></html>
            """
        return Response(status: .notFound, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The answer when the router found no route (its 404): a page, or a 405/404 error thrown.
    static func answer(_ request: Request, table: RouteTable) throws -> Response {
        let allowed = table.methods(for: request.uri.path)
        if !allowed.isEmpty && !allowed.contains(request.method) {
            throw APIError(.methodNotAllowed, code: "methodNotAllowed", "phương thức \(request.method.rawValue) không dùng được ở đây / method not allowed here",
                           headers: [.allow: allowed.map(\.rawValue).sorted().joined(separator: ", ")])
        }
        // A person who mistyped an address gets a page with a way back; programs get the API's error.
        if request.method == .get, !request.uri.path.hasPrefix("/api/"), request.headers[.accept]?.contains("text/html") == true {
            return Self.notFoundPage
        }
        throw APIError(.notFound, code: "notFound", "không có trang hoặc đường dẫn này / no such page or route")
    }
}

/// A path whose decoded form holds a NUL or another control character is refused before any file is looked
/// up: `/static/app.css%00.js` must never serve app.css as JavaScript.
enum ControlCharactersInPath {
    static func check(_ request: Request) throws {
        let raw = request.uri.path
        // Almost every path has neither a "%" nor a control character: one pass over its bytes, no decoding.
        guard raw.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 < 0x20 || $0 == 0x7F }) else { return }
        let decoded = raw.removingPercentEncoding ?? raw
        if decoded.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) || raw.removingPercentEncoding == nil {
            throw APIError(.badRequest, code: "invalid", "đường dẫn có ký tự điều khiển / the path holds a control character", field: "path")
        }
    }
}

/// Everything every request passes through, in one middleware (one async step instead of five on every
/// request): from the outside in, the request figures, the security headers on every answer (errors too),
/// the net for unexpected errors, the control-character check of the path, and the answer when no route
/// matched.
struct ServerEdges: RouterMiddleware {
    typealias Context = ExamRequestContext
    let figures: RequestFigures.Table
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var response: Response
        do {
            do {
                do {
                    try ControlCharactersInPath.check(request)
                    response = try await next(request, context)
                } catch let error as HTTPError where error.status == .notFound {
                    response = try UnmatchedRoutes.answer(request, table: routes)
                }
            } catch let error as any HTTPResponseError {
                response = try error.response(from: request, context: context)
            } catch {
                response = try UnexpectedErrors.answer(error, request, context).response(from: request, context: context)
            }
        } catch {
            figures.record(route: context.endpointPath, method: request.method, status: 500, since: started)
            throw error
        }
        SecurityHeaders.apply(to: &response.headers, cacheable: response.status == .ok && SecurityHeaders.cacheable(request.uri.path))
        figures.record(route: context.endpointPath, method: request.method, status: response.status.code, since: started)
        return response
    }
}

/// The headers every response carries, also on the 400s the HTTP layer answers by itself (an oversized URL or
/// header never reaches the router): added on the way out to any response head that lacks them.
final class HTTPLayerSecurityHeaders: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let part = unwrapOutboundIn(data)
        guard case var .head(head) = part, !head.headerFields.contains(.contentSecurityPolicy) else {
            context.write(data, promise: promise)
            return
        }
        SecurityHeaders.apply(to: &head.headerFields, cacheable: false)
        context.write(wrapOutboundOut(.head(head)), promise: promise)
    }
}

extension Request {
    /// The value of the first cookie called `name`, found as Hummingbird's `cookies[name]` finds it (the pairs
    /// of every Cookie header split at ";", leading spaces dropped, the name before the first "=") but without
    /// parsing the others: every signed-in request reads one cookie.
    func cookie(_ name: String) -> String? { Self.cookie(name, in: headers[values: .cookie]) }

    static func cookie(_ name: String, in cookieHeaders: [String]) -> String? {
        // Non-ASCII bytes (Unicode spaces Hummingbird drops as whitespace, say): Hummingbird's own reading.
        if cookieHeaders.contains(where: { $0.utf8.contains { $0 >= 0x80 } }) { return Cookies(from: cookieHeaders)[name]?.value }
        let wanted = name.utf8
        for header in cookieHeaders {
            var rest = header.utf8[...]
            while !rest.isEmpty {
                let end = rest.firstIndex(of: UInt8(ascii: ";")) ?? rest.endIndex
                let pair = rest[..<end].drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0x0B || $0 == 0x0C }
                if let equals = pair.firstIndex(of: UInt8(ascii: "=")), pair[..<equals].elementsEqual(wanted) {
                    // An empty value counts as no cookie, as Hummingbird has it (and stops there too).
                    let value = pair[pair.index(after: equals)...]
                    return value.isEmpty ? nil : String(Substring(value))
                }
                rest = end == rest.endIndex ? rest[end...] : rest[rest.index(after: end)...]
            }
        }
        return nil
    }
}
