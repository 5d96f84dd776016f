import ExamStore
import Foundation
import HTTPTypes
import Hummingbird

/// Puts the signed-in candidate (from the signed session cookie) into the request context; 401 without a
/// session that still counts (signed, not expired, not logged out, not older than a new access code), 409
/// `takenOver` when another computer has signed in and taken the attempt over since. All of it is checked
/// in memory. Routes behind it read `context.candidate` and never take an exam or an SBD from the request.
struct CandidateAuthentication: RouterMiddleware {
    typealias Context = ExamRequestContext
    let state: ServerState

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = request.cookie(CandidateAPI.cookieName),
              let identity = state.signer.identity(from: token, now: state.configuration.now()) else { throw APIError.notSignedIn }
        guard try await !state.store.sessions.isRevoked(session: identity.session) else { throw APIError.sessionEnded }
        switch try await state.store.attempts.sessionStanding(exam: identity.exam, sbd: identity.sbd, session: identity.issuedAt) {
        case .valid: break
        case .ended: throw APIError.sessionEnded
        case .takenOver: throw APIError.takenOver
        }
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
        guard let token = request.cookie(StaffAPI.cookieName),
              let identity = state.staffSigner.identity(from: token, now: state.configuration.now()),
              let account = try await state.store.staff.account(username: identity.sbd), !account.disabled,
              account.sessionsValidAfter.map({ identity.issuedAt.milliseconds >= $0.milliseconds }) ?? true,
              try await !state.store.sessions.isRevoked(session: identity.session) else { throw APIError.staffNotSignedIn }
        var context = context
        context.staff = account.member
        context.session = identity
        return try await next(request, context)
    }
}

/// Refuses (403) a signed-in member whose role may not use the routes behind it, before their request is read.
struct RequireStaffRole: RouterMiddleware {
    typealias Context = ExamRequestContext
    let allowed: KeyPath<StaffRole, Bool> & Sendable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        _ = try context.requireStaff(allowed)
        return try await next(request, context)
    }
}

/// Every state-changing route must come with the header `X-Khaothi: 1`, which a cross-site form cannot send:
/// with the SameSite=Strict cookies it closes the door on cross-site request forgery.
struct SameOriginHeader: RouterMiddleware {
    typealias Context = ExamRequestContext
    static let name = HTTPField.Name("X-Khaothi")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method != .get && request.method != .head && request.headers[values: Self.name] != ["1"] { throw APIError.sameOriginHeader }
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
