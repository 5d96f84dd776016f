import Crypto
import ExamCore
import Foundation
import ExamStore
import Synchronization

/// A session: who (exam and số báo danh, or a member of staff) and when it began (to the millisecond),
/// signed with HMAC-SHA256 under a server key, in an HttpOnly, SameSite=Strict cookie. Logging in writes
/// nothing, which keeps thousands of simultaneous logins cheap; a session still ends at once when it must,
/// by what the store holds in memory: a logout revokes its id, a new access code or password moves the
/// moment before which sessions no longer count, and a takeover records the session that now holds the
/// attempt.
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
        /// This session's id (from its signature): what a logout revokes.
        public var session: String
    }

    /// Base64url without padding (RFC 4648 §5), by hand: Foundation's `replacingOccurrences` goes through
    /// NSString, and every login issues a token (3–4 % of the server's time in a start storm).
    static func base64URL(_ data: Data) -> String {
        let bytes = [UInt8](data)
        var text: [UInt8] = []
        text.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let left = bytes.count - index
            let a = bytes[index], b = left > 1 ? bytes[index + 1] : 0, c = left > 2 ? bytes[index + 2] : 0
            text.append(base64URLDigits[Int(a >> 2)])
            text.append(base64URLDigits[Int((a & 0x03) << 4 | b >> 4)])
            if left > 1 { text.append(base64URLDigits[Int((b & 0x0f) << 2 | c >> 6)]) }
            if left > 2 { text.append(base64URLDigits[Int(c & 0x3f)]) }
            index += 3
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static let base64URLDigits = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The bytes of unpadded base64url text; nil for any other character, a length no encoding gives (1 more than
    /// a multiple of 4) or bits left over that are not zero (so one token has one spelling).
    static func fromBase64URL(_ text: Substring) -> Data? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for character in text.utf8 {
            let digit: UInt8
            switch character {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): digit = character - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): digit = character - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = character - UInt8(ascii: "0") + 52
            case UInt8(ascii: "-"): digit = 62
            case UInt8(ascii: "_"): digit = 63
            default: return nil
            }
            buffer = (buffer << 6 | UInt32(digit)) & 0xFFFF
            bits += 6
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        guard text.utf8.count % 4 != 1, buffer & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return Data(bytes)
    }

    /// A new session's token. The time is kept to the millisecond (a session begun just after a new access
    /// code counts; one begun just before does not).
    public func token(exam: String, sbd: String, issuedAt: Date) -> String { issue(exam: exam, sbd: sbd, issuedAt: issuedAt).token }

    /// A new session: its token, and its identity (known already, so the token is not verified again).
    public func issue(exam: String, sbd: String, issuedAt: Date) -> (token: String, identity: Identity) {
        let milliseconds = Int64((issuedAt.timeIntervalSince1970 * 1000).rounded(.down))
        let payload = Data("\(milliseconds)\n\(sbd)\n\(AppDatabase.randomCode(length: 8, alphabet: Self.nonceAlphabet))\n\(exam)".utf8)
        let mac = Self.base64URL(Data(HMAC<SHA256>.authenticationCode(for: payload, using: key)))
        let token = Self.base64URL(payload) + "." + mac
        let identity = Identity(exam: exam, sbd: sbd, issuedAt: Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000), session: String(mac.prefix(22)))
        verified.put(token, identity)
        return (token, identity)
    }

    static let nonceAlphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    /// How long a session lasts at most.
    public static let maximumAge: TimeInterval = 12 * 3600

    /// The identity in a token, if the signature holds and it is younger than `maxAge`.
    public func identity(from token: String, now: Date, maxAge: TimeInterval = maximumAge) -> Identity? {
        if let known = verified.get(token) {
            return now.timeIntervalSince(known.issuedAt) <= maxAge ? known : nil
        }
        let parts = token.split(separator: ".")
        guard parts.count == 2, let payload = Self.fromBase64URL(parts[0]), let mac = Self.fromBase64URL(parts[1]),
              HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: payload, using: key) else { return nil }
        let fields = String(decoding: payload, as: UTF8.self).split(separator: "\n", maxSplits: 3, omittingEmptySubsequences: false)
        guard fields.count == 4, let milliseconds = Int64(fields[0]) else { return nil }
        let issued = Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000)
        guard now.timeIntervalSince(issued) <= maxAge, issued.timeIntervalSince(now) < 300 else { return nil }
        let identity = Identity(exam: String(fields[3]), sbd: String(fields[1]), issuedAt: issued, session: String(parts[1].prefix(22)))
        verified.put(token, identity)
        return identity
    }
}
