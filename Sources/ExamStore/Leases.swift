import Foundation
internal import GRDB

/// An account's wrong logins from one address, as every node sees them (`loginFailure`).
public struct LoginFailures: Sendable, Hashable {
    /// Kept this long after their last change, then deleted by the deadline watcher's holder.
    public static let keptFor: TimeInterval = 24 * 3600

    public var account: String
    public var address: String
    /// 0 once cleared (a right login, an unlock): kept so that the other nodes read the change.
    public var failures: Int
    public var lastFailure: Date
    public var changedAt: Date

    public init(account: String, address: String, failures: Int, lastFailure: Date, changedAt: Date) {
        self.account = account; self.address = address; self.failures = failures; self.lastFailure = lastFailure; self.changedAt = changedAt
    }
}

extension DatabaseStore {
    /// Takes or renews the lease `name` for this store until `now + duration`: true while this store holds it.
    /// Another holder's lease is taken only once it has expired (its node stopped renewing it), so work under a
    /// lease runs on one node at a time.
    func holdLease(_ name: String, for duration: Duration, now: Date) async throws -> Bool {
        let holder = leaseHolder
        let expiresAt = now.addingTimeInterval(TimeInterval(duration.components.seconds) + TimeInterval(duration.components.attoseconds) / 1e18)
        return try await database.writer.write { db in
            try db.execute(sql: """
                INSERT INTO lease(name, holder, expiresAt) VALUES (?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expiresAt = excluded.expiresAt
                WHERE lease.holder = excluded.holder OR lease.expiresAt < ?
                """, arguments: [name, holder, expiresAt, now])
            return try String.fetchOne(db, sql: "SELECT holder FROM lease WHERE name = ?", arguments: [name]) == holder
        }
    }

    /// Gives up the lease `name` if this store holds it.
    func releaseLease(_ name: String) async throws {
        let holder = leaseHolder
        try await database.writer.write { db in try db.execute(sql: "DELETE FROM lease WHERE name = ? AND holder = ?", arguments: [name, holder]) }
    }
}
