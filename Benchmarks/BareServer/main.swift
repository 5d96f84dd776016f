// bare-server: Hummingbird with nothing of khaothi, the ceiling the route benchmark compares every khaothi
// route with (Benchmarks/load/routes.sh). `POST /noop` reads and decodes the same body as an answer save
// (JSONDecoder) and answers 204; `GET /noop` answers 204.
//
//   bare-server PORT
import Foundation
import Hummingbird

struct Event: Decodable { var sequence: Int; var item: String; var value: String }
struct Save: Decodable { var deviceToken: String; var events: [Event] }

let port = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 18999 : 18999
let router = Router()
router.post("noop") { request, context -> HTTPResponse.Status in
    _ = try await request.decode(as: Save.self, context: context)
    return .noContent
}
router.get("noop") { _, _ -> HTTPResponse.Status in .noContent }
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "bare"))
try await app.runService()
