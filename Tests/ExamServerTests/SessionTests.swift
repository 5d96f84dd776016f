import ExamCore
import ExamServer
import ExamStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Sessions end when they must: logout, a new access code, a takeover, a disabled or re-passworded staff account")
struct SessionTests {
    static func errorCode(_ body: ByteBuffer) -> String? { (Fixture.object(body)["error"] as? [String: Any])?["code"] as? String }

    @Test("candidate logout ends that session on the server (the copied cookie no longer works); logout needs the same-origin header")
    func candidateLogout() async throws {
        let fixture = try Fixture()
        try await fixture.app().test(.router) { client in
            let cookie = try await fixture.login(client, slip: fixture.slips[0])
            try await client.execute(uri: "/api/logout", method: .post, headers: Fixture.headers(cookie: cookie, sameOrigin: false)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/api/me", method: .get, headers: Fixture.headers(cookie: cookie)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/logout", method: .post, headers: Fixture.headers(cookie: cookie)) { #expect($0.status == .noContent) }
            try await client.execute(uri: "/api/me", method: .get, headers: Fixture.headers(cookie: cookie)) { response in
                #expect(response.status == .unauthorized)
                #expect(Self.errorCode(response.body) == "sessionEnded")
            }
            // Signing in again works.
            let again = try await fixture.login(client, slip: fixture.slips[0])
            try await client.execute(uri: "/api/me", method: .get, headers: Fixture.headers(cookie: again)) { #expect($0.status == .ok) }
        }
    }

    @Test("a new access code ends every session of that candidate, and the old code no longer signs in")
    func newCodeEndsSessions() async throws {
        let fixture = try Fixture()
        try fixture.addStaff("giamthi", role: .proctor)
        try await fixture.app().test(.router) { client in
            let slip = fixture.slips[1]
            let first = try await fixture.login(client, slip: slip)
            let second = try await fixture.login(client, slip: slip)
            let proctor = try await fixture.staffLogin(client, "giamthi")
            fixture.clock.set(fixture.clock.now.addingTimeInterval(1))
            try await client.execute(uri: "/api/staff/exams/\(fixture.examPath)/candidates/\(slip.sbd)/reset-code", method: .post,
                                     headers: Fixture.headers(cookie: proctor)) { #expect($0.status == .ok) }
            for cookie in [first, second] {
                try await client.execute(uri: "/api/me", method: .get, headers: Fixture.headers(cookie: cookie)) { response in
                    #expect(response.status == .unauthorized && Self.errorCode(response.body) == "sessionEnded")
                }
            }
            try await client.execute(uri: "/api/login", method: .post, headers: Fixture.headers(),
                                     body: Fixture.json(["exam": fixture.exam, "sbd": slip.sbd, "accessCode": slip.accessCode])) { #expect($0.status == .unauthorized) }
        }
    }

    @Test("a takeover ends the old computer's session: it cannot start again and take the attempt back, nor submit")
    func takeoverEndsOldSession() async throws {
        let fixture = try Fixture()
        fixture.clock.set(Fixture.at(10))
        try await fixture.app().test(.router) { client in
            let slip = fixture.slips[2]
            let old = try await fixture.login(client, slip: slip)
            let oldStart = try await fixture.start(client, cookie: old)
            fixture.clock.set(Fixture.at(20))
            let new = try await fixture.login(client, slip: slip)
            _ = try await fixture.start(client, cookie: new)
            try await client.execute(uri: "/api/attempt/start", method: .post, headers: Fixture.headers(cookie: old)) { response in
                #expect(response.status == .conflict && Self.errorCode(response.body) == "takenOver")
            }
            try await client.execute(uri: "/api/attempt/submit", method: .post, headers: Fixture.headers(cookie: old),
                                     body: Fixture.json(["deviceToken": oldStart["deviceToken"] as! String])) { response in
                #expect(response.status == .conflict && Self.errorCode(response.body) == "takenOver")
            }
            try await client.execute(uri: "/api/me", method: .get, headers: Fixture.headers(cookie: new)) { #expect($0.status == .ok) }
            // Signing in again on the old computer (with the code) takes it back, as it should.
            fixture.clock.set(Fixture.at(30))
            let back = try await fixture.login(client, slip: slip)
            _ = try await fixture.start(client, cookie: back)
            try await client.execute(uri: "/api/me", method: .get, headers: Fixture.headers(cookie: new)) { #expect($0.status == .conflict) }
        }
    }

    @Test("disabling a member of staff or giving them a new password ends their sessions at once; staff logout ends that session")
    func staffSessions() async throws {
        let fixture = try Fixture()
        try fixture.addStaff("dieuphoi", role: .coordinator)
        try fixture.addStaff("admin", role: .admin)
        try await fixture.app().test(.router) { client in
            let coordinator = try await fixture.staffLogin(client, "dieuphoi")
            try await client.execute(uri: "/api/staff/me", method: .get, headers: Fixture.headers(cookie: coordinator)) { #expect($0.status == .ok) }
            fixture.clock.set(fixture.clock.now.addingTimeInterval(1))
            try fixture.database.saveStaff(username: "dieuphoi", fullName: "Điều phối", role: .coordinator, password: "mat-khau-moi-123", now: fixture.clock.now)
            try await client.execute(uri: "/api/staff/me", method: .get, headers: Fixture.headers(cookie: coordinator)) { #expect($0.status == .unauthorized) }
            let admin = try await fixture.staffLogin(client, "admin")
            try fixture.database.setStaffDisabled(username: "admin", true, now: fixture.clock.now.addingTimeInterval(1))
            try await client.execute(uri: "/api/staff/me", method: .get, headers: Fixture.headers(cookie: admin)) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/api/staff/login", method: .post, headers: Fixture.headers(),
                                     body: Fixture.json(["username": "admin", "password": "mat-khau-admin"])) { #expect($0.status == .unauthorized) }
            try fixture.database.setStaffDisabled(username: "admin", false, now: fixture.clock.now.addingTimeInterval(2))
            fixture.clock.set(fixture.clock.now.addingTimeInterval(3))
            let again = try await fixture.staffLogin(client, "admin")
            try await client.execute(uri: "/api/staff/logout", method: .post, headers: Fixture.headers(cookie: again)) { #expect($0.status == .noContent) }
            try await client.execute(uri: "/api/staff/me", method: .get, headers: Fixture.headers(cookie: again)) { #expect($0.status == .unauthorized) }
        }
    }

    @Test("a proctor unlocks a candidate locked after wrong codes; the monitor shows the lock")
    func unlock() async throws {
        let fixture = try Fixture()
        try fixture.addStaff("giamthi", role: .proctor)
        try fixture.addStaff("giaovien", role: .teacher)
        try await fixture.app(limits: .init(freeFailures: 2)).test(.router) { client in
            let slip = fixture.slips[3]
            for _ in 0..<2 {
                try await client.execute(uri: "/api/login", method: .post, headers: Fixture.headers(),
                                         body: Fixture.json(["exam": fixture.exam, "sbd": slip.sbd, "accessCode": "SAI23456"])) { #expect($0.status == .unauthorized) }
            }
            let proctor = try await fixture.staffLogin(client, "giamthi")
            try await client.execute(uri: "/api/staff/exams/\(fixture.examPath)/monitor", method: .get, headers: Fixture.headers(cookie: proctor)) { response in
                let rows = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [[String: Any]] ?? []
                #expect(rows.first { $0["sbd"] as? String == slip.sbd }?["lockedUntil"] != nil)
            }
            let teacher = try await fixture.staffLogin(client, "giaovien")
            try await client.execute(uri: "/api/staff/exams/\(fixture.examPath)/candidates/\(slip.sbd)/unlock", method: .post,
                                     headers: Fixture.headers(cookie: teacher)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/api/staff/exams/\(fixture.examPath)/candidates/9999/unlock", method: .post,
                                     headers: Fixture.headers(cookie: proctor)) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/staff/exams/\(fixture.examPath)/candidates/\(slip.sbd)/unlock", method: .post,
                                     headers: Fixture.headers(cookie: proctor)) { #expect($0.status == .noContent) }
            _ = try await fixture.login(client, slip: slip)
        }
    }
}
