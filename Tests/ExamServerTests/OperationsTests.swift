import PostgresTesting
import ExamStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServiceLifecycle
import Testing
@testable import ExamServer

@Suite("Operators' endpoints: /healthz and /metrics")
struct OperationsTests {
    @Test("/healthz reads the database; /metrics counts requests and the writer's groups, for this machine only", .timeLimit(.minutes(1)))
    func healthAndMetrics() async throws {
        let fixture = try Fixture()
        fixture.clock.set(Fixture.at(10))
        try await fixture.app().test(.live) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                let body = Fixture.object(response.body)
                #expect(body["status"] as? String == "ok")
                #expect(body["engine"] as? String == (TestEngine.isPostgres ? "postgresql" : "sqlite"))
                #expect(body["writer"] as? String == "running")
            }
            let cookie = try await fixture.login(client, slip: fixture.slips[0])
            let token = try await client.execute(uri: "/api/attempt/start", method: .post, headers: Fixture.headers(cookie: cookie)) {
                Fixture.object($0.body)["deviceToken"] as! String
            }
            try await client.execute(uri: "/api/attempt/events", method: .post, headers: Fixture.headers(cookie: cookie),
                                     body: Fixture.json(["deviceToken": token, "events": [["sequence": 1, "item": "I.1", "value": "C"]]])) {
                #expect($0.status == .ok)
            }
            let text = try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                return String(buffer: response.body)
            }
            func value(_ prefix: String) -> Double? {
                text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Double($0.split(separator: " ").last ?? "") }
            }
            #expect((value("khaothi_ingestion_groups_total") ?? 0) >= 1, "\(text)")
            #expect((value("khaothi_ingestion_jobs_total") ?? 0) >= 2, "a start and a save")
            #expect(text.contains("khaothi_ingestion_commit_seconds_bucket"))
            #expect(text.contains("khaothi_ingestion_group_jobs_bucket"))
            #expect((value("khaothi_database_bytes") ?? 0) > 0)
            #expect((value("khaothi_candidates_in_memory") ?? 0) >= 40)
            #expect((value("khaothi_resident_bytes") ?? 0) > 0)
            #expect(text.contains(#"khaothi_http_request_seconds_count{route="/api/attempt/events",method="POST",status="200"}"#), "requests by route: \(text)")
            #expect(text.contains(#"khaothi_http_request_seconds_bucket{route="/healthz",method="GET",status="200""#))
            // Relayed by a proxy on this machine: not for the public.
            var forwarded = HTTPFields()
            forwarded[HTTPField.Name("X-Forwarded-For")!] = "203.0.113.9"
            try await client.execute(uri: "/metrics", method: .get, headers: forwarded) { response in
                #expect(response.status == .forbidden)
                #expect(String(buffer: response.body).contains("\"forbidden\""))
            }
        }
        // Without a known peer address (the in-process test client), refused too.
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .forbidden) }
        }
    }

    @Test("the admin's system status: admins only (401 without a session, 403 for every other role)")
    func systemStatusForAdmins() async throws {
        let fixture = try Fixture()
        for (name, role) in [("quantri", StaffRole.admin), ("dieuphoi", .coordinator), ("giamthi", .proctor), ("giaovien", .teacher)] {
            try fixture.addStaff(name, role: role)
        }
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/staff/system", method: .get) { #expect($0.status == .unauthorized) }
            for name in ["dieuphoi", "giamthi", "giaovien"] {
                let cookie = try await fixture.staffLogin(client, name)
                try await client.execute(uri: "/api/staff/system", method: .get, headers: Fixture.headers(cookie: cookie)) {
                    #expect($0.status == .forbidden, "\(name)")
                }
            }
            let candidate = try await fixture.login(client, slip: fixture.slips[0])
            try await client.execute(uri: "/api/staff/system", method: .get, headers: Fixture.headers(cookie: candidate)) {
                #expect($0.status == .unauthorized, "a candidate's cookie is no staff cookie")
            }
            let admin = try await fixture.staffLogin(client, "quantri")
            try await client.execute(uri: "/api/staff/system", method: .get, headers: Fixture.headers(cookie: admin)) { response in
                #expect(response.status == .ok)
                let body = Fixture.object(response.body)
                #expect(body["status"] as? String == "ok")
                #expect(body["engine"] as? String == (TestEngine.isPostgres ? "postgresql" : "sqlite"))
                #expect((body["databaseBytes"] as? Int ?? 0) > 0)
                #expect((body["candidatesInMemory"] as? Int ?? 0) >= 40, "the candidate signed in above")
                #expect(body["writerCommits"] is Int && body["startedAt"] is String)
            }
        }
    }

    @Test("/healthz is 503 once the writer has stopped")
    func healthWhenStopped() async throws {
        let fixture = try Fixture()
        let sqlite = DatabaseStore(database: fixture.database)
        let store = sqlite.store
        #expect(try await store.operations.health().writerRunning)
        // The writer's shutdown path: it drains and stops taking work.
        try await withThrowingTaskGroup(of: Void.self) { group in
            let lifecycle = ServiceGroup(configuration: ServiceGroupConfiguration(services: [sqlite.ingestion], logger: .init(label: "test")))
            group.addTask { try await lifecycle.run() }
            try await Task.sleep(for: .milliseconds(50))
            await lifecycle.triggerGracefulShutdown()
            try await group.waitForAll()
        }
        #expect(try await store.operations.health().writerRunning == false)
        // And the route says so with 503.
        let response = try await OperationsAPI.healthResponse(store: store)
        #expect(response.status == .serviceUnavailable)
    }
}
