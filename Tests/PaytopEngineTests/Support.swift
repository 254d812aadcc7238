import Foundation
import Testing
@testable import PaytopEngine
@testable import PaytopStore
import PaytopJSON

/// A temporary store file, removed when the test ends.
final class TempStore: Sendable {
    let path: String

    init(_ name: String = #function) {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        path = NSTemporaryDirectory() + "paytop-test-\(safe)-\(UUID().uuidString.prefix(8)).db"
    }

    deinit {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// Rows of a query, each column as text ("NULL" for null).
    func rows(_ sql: String) throws -> [[String]] {
        let c = try Store.openForReading(path: path)
        let s = try c.cached(sql)
        var out: [[String]] = []
        let n = s.columnCount
        while try s.step() {
            out.append((0..<n).map { s.isNull($0) ? "NULL" : s.string($0) })
        }
        return out
    }

    func int(_ sql: String) throws -> Int { Int(try rows(sql).first?.first ?? "0") ?? 0 }

    func invariants() throws -> InvariantReport { try InvariantCheck.run(try Store.openForReading(path: path)) }
}




/// Settings for small, quick runs: quiet traffic, no background errors unless asked.
func testSettings(seed: UInt64 = 1, rate: Double = 20, errorMix: Bool = false) -> EngineSettings {
    var s = EngineSettings()
    s.seed = seed
    s.ratePerSecond = rate
    s.errorMix = errorMix
    return s
}

func makeEngine(_ store: TempStore, _ settings: EngineSettings, scenario: Scenario? = nil,
                crashAfterCommits: Int? = nil, flushThreshold: Int = 20_000) throws -> Engine {
    var options = Engine.Options(storePath: store.path, mode: .simulated, settings: settings, scenario: scenario)
    options.crashAfterCommits = crashAfterCommits
    options.flushThreshold = flushThreshold
    return try Engine(options)
}

/// Runs `checkouts` to quiescence and closes the engine.
@discardableResult
func simulate(_ store: TempStore, _ settings: EngineSettings, checkouts: Int, scenario: Scenario? = nil,
              before: (Engine) throws -> Void = { _ in }) throws -> (Engine, SimulationRunner.Result) {
    let engine = try makeEngine(store, settings, scenario: scenario)
    try before(engine)
    let result = try SimulationRunner.run(engine, checkouts: checkouts)
    try engine.close()
    return (engine, result)
}

/// A valid request body with the given simulate flags.
func requestBody(checkoutID: String = "chk-test-1", amount: String = "100.00", orders: Int = 1,
                 simulate: JSONValue? = nil) -> JSONValue {
    var o: [String: JSONValue] = [
        "checkout_id": .string(checkoutID),
        "buyer_info": ["user_id": "user-1", "email": "buyer@example.com"],
        "credit_card_info": ["payment_token": "tok_test"],
        "payment_orders": .array((1...orders).map {
            ["payment_order_id": .string("\(checkoutID)-po-\($0)"), "seller_account": "seller-acct-001",
             "amount": .string(amount), "currency": "USD"]
        }),
    ]
    if let simulate { o["simulate"] = simulate }
    return .object(o)
}

/// Submits bodies through the API at the engine's current time and runs to quiescence.
func submitAndDrain(_ engine: Engine, _ bodies: [JSONValue]) throws -> [ApiResponse] {
    var responses: [ApiResponse] = []
    for b in bodies { engine.submit(b) { responses.append($0) } }
    _ = try SimulationRunner.run(engine, checkouts: 0)
    return responses
}
