import Crypto
import ExamCore
import Foundation
import Synchronization

/// The candidate's session: exam and số báo danh, signed with HMAC-SHA256 under a server key, in an
/// HttpOnly, SameSite=Strict cookie. No server-side session table is needed, which keeps thousands of
/// simultaneous logins cheap.
public struct SessionSigner: Sendable {
    /// The key's bytes (swift-crypto's `SymmetricKey` is not `Sendable`).
    let keyData: Data
    var key: SymmetricKey { SymmetricKey(data: keyData) }
    /// Tokens already verified: a page sends its cookie with every answer, and checking the signature each
    /// time was a tenth of the server's work under load. Bounded; cleared when full.
    let verified = VerifiedTokens()

    public init(key: SymmetricKey) { self.keyData = key.withUnsafeBytes { Data($0) } }

    final class VerifiedTokens: Sendable {
        static let capacity = 100_000
        let tokens = Mutex<[String: Identity]>([:])
        func get(_ token: String) -> Identity? { tokens.withLock { $0[token] } }
        func put(_ token: String, _ identity: Identity) {
            tokens.withLock { table in
                if table.count >= Self.capacity { table.removeAll(keepingCapacity: true) }
                table[token] = identity
            }
        }
    }

    public struct Identity: Sendable, Hashable {
        public var exam: String
        public var sbd: String
        public var issuedAt: Date
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func fromBase64URL(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }

    public func token(exam: String, sbd: String, issuedAt: Date) -> String {
        let payload = Data("\(Int(issuedAt.timeIntervalSince1970))\n\(sbd)\n\(exam)".utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: payload, using: key)
        return Self.base64URL(payload) + "." + Self.base64URL(Data(mac))
    }

    /// The identity in a token, if the signature holds and it is younger than `maxAge`.
    public func identity(from token: String, now: Date, maxAge: TimeInterval = 12 * 3600) -> Identity? {
        if let known = verified.get(token) {
            return now.timeIntervalSince(known.issuedAt) <= maxAge ? known : nil
        }
        let parts = token.split(separator: ".")
        guard parts.count == 2, let payload = Self.fromBase64URL(parts[0]), let mac = Self.fromBase64URL(parts[1]),
              HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: payload, using: key) else { return nil }
        let fields = String(decoding: payload, as: UTF8.self).split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, let seconds = Int(fields[0]) else { return nil }
        let issued = Date(timeIntervalSince1970: TimeInterval(seconds))
        guard now.timeIntervalSince(issued) <= maxAge, issued.timeIntervalSince(now) < 300 else { return nil }
        let identity = Identity(exam: String(fields[2]), sbd: String(fields[1]), issuedAt: issued)
        verified.put(token, identity)
        return identity
    }
}

/// Wrong access codes per SBD and logins per address, counted in a sliding minute. The per-address limit is
/// high by default: a lab of 60 PCs behind one NAT address logs in within the same minute.
public actor LoginLimiter {
    public struct Limits: Sendable {
        public var wrongCodesPerCandidate: Int
        public var window: TimeInterval
        public var attemptsPerAddress: Int
        public init(wrongCodesPerCandidate: Int = 5, window: TimeInterval = 300, attemptsPerAddress: Int = 600) {
            self.wrongCodesPerCandidate = wrongCodesPerCandidate; self.window = window; self.attemptsPerAddress = attemptsPerAddress
        }
    }

    let limits: Limits
    private var failures: [String: [Date]] = [:]
    private var attempts: [String: [Date]] = [:]

    public init(limits: Limits = Limits()) { self.limits = limits }

    /// Whether a login for `candidate` from `address` may be tried now; records the try.
    public func allow(candidate: String, address: String, now: Date) -> Bool {
        let since = now.addingTimeInterval(-limits.window)
        failures[candidate] = failures[candidate]?.filter { $0 > since }
        attempts[address] = (attempts[address] ?? []).filter { $0 > now.addingTimeInterval(-60) }
        guard (failures[candidate]?.count ?? 0) < limits.wrongCodesPerCandidate else { return false }
        guard attempts[address]!.count < limits.attemptsPerAddress else { return false }
        attempts[address]!.append(now)
        return true
    }

    public func recordFailure(candidate: String, now: Date) {
        failures[candidate, default: []].append(now)
    }

    public func recordSuccess(candidate: String) {
        failures[candidate] = nil
    }
}
