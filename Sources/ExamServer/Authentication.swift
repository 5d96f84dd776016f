import ExamStore
import Foundation
import HTTPTypes
import Hummingbird

/// Puts the signed-in candidate (from the signed session cookie) into the request context; 401 without a
/// valid session. Routes behind it read `context.candidate` and never take an exam or an SBD from the request.
struct CandidateAuthentication: RouterMiddleware {
    typealias Context = ExamRequestContext
    let state: ServerState

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = request.cookies[CandidateAPI.cookieName]?.value,
              let identity = state.signer.identity(from: token, now: state.configuration.now()) else { throw APIError.notSignedIn }
        var context = context
        context.candidate = identity
        return try await next(request, context)
    }
}

/// Puts the signed-in member of staff into the request context, read again from the store on every request
/// so that a change of role or a removal takes effect at once; 401 without a valid session.
struct StaffAuthentication: RouterMiddleware {
    typealias Context = ExamRequestContext
    let state: ServerState

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = request.cookies[StaffAPI.cookieName]?.value,
              let identity = state.staffSigner.identity(from: token, now: state.configuration.now()),
              let member = try await state.store.staff.member(username: identity.sbd) else { throw APIError.staffNotSignedIn }
        var context = context
        context.staff = member
        return try await next(request, context)
    }
}

/// Every state-changing route must come with the header `X-Khaothi: 1`, which a cross-site form cannot send:
/// with the SameSite=Strict cookies it closes the door on cross-site request forgery.
struct SameOriginHeader: RouterMiddleware {
    typealias Context = ExamRequestContext
    static let name = HTTPField.Name("X-Khaothi")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method != .get && request.method != .head && request.headers[Self.name] != "1" { throw APIError.sameOriginHeader }
        return try await next(request, context)
    }
}

extension ExamRequestContext {
    /// The signed-in candidate (routes behind `CandidateAuthentication`).
    func requireCandidate() throws -> SessionSigner.Identity {
        guard let candidate else { throw APIError.notSignedIn }
        return candidate
    }

    /// The signed-in member of staff, refused with 403 when their role may not do this.
    func requireStaff(_ allowed: KeyPath<StaffRole, Bool>? = nil) throws -> StaffMember {
        guard let staff else { throw APIError.staffNotSignedIn }
        if let allowed, !staff.role[keyPath: allowed] {
            throw APIError.forbidden("vai trò \(staff.role.vietnameseName) không được làm việc này / the \(staff.role.rawValue) role may not do this")
        }
        return staff
    }
}

extension StaffRole {
    /// The role's name in the Vietnamese interface.
    var vietnameseName: String {
        switch self {
        case .admin: "quản trị"
        case .coordinator: "điều phối"
        case .proctor: "giám thị"
        case .teacher: "giáo viên"
        }
    }
}
