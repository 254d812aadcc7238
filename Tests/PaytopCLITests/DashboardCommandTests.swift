import Foundation
import Testing
@testable import PaytopCLI
import PaytopJSON
@testable import PaytopStore

/// `paytop business` and `paytop functions` as a user runs them: the JSON twins'
/// contracts, the window option, and a bad window refused.
@Suite struct DashboardCommandTests {
    /// A small store says what it cannot judge: `slo` gives SLIs and "not enough data yet"
    /// with no policy, burn rate or alert (null in JSON); `status` names its faults in words.
    @Test(.enabled(if: KillNineTests.binary != nil, "the paytop executable is built"))
    func figuresFromTooLittleDataAreNotGiven() throws {
        let t = CommandLineTests.Temp("nodata")
        let scenario = t.path + ".toml"
        try """
            name = "declines from the start"
            [[timeline]]
            at = "0s"
            command = "fault"
            kind = "psp-declines"
            on = true
            """.write(toFile: scenario, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: scenario) }
        #expect(try ReconcileCommandTests.paytop(["simulate", "--checkouts", "300", "--seed", "3", "--db", t.path,
                                                  "--scenario", scenario]).status == 0)
        let text = try ReconcileCommandTests.paytop(["slo", "--db", t.path])
        #expect(text.out.contains("not enough data yet") && !text.out.contains("budget consumed") && !text.out.contains("FREEZE"), "\(text.out)")
        #expect(text.out.contains("5m —"))
        let json = try JSONValue.parse(try ReconcileCommandTests.paytop(["slo", "--db", t.path, "--json"]).out)
        for slo in json["slos"]?.arrayValue ?? [] {
            #expect(slo["enough_data"] == .bool(false))
            #expect(slo["policy"] == .null && slo["budget_consumed_pct"] == .null && slo["alert"]?.stringValue == "none")
            #expect(slo["burn_rates"]?["5m"] == .null)
        }
        let status = try ReconcileCommandTests.paytop(["status", "--db", t.path])
        #expect(status.out.contains("faults       DECLINES 30%"), "\(status.out)")
        #expect(!status.out.contains("{"))
        let statusJSON = try JSONValue.parse(try ReconcileCommandTests.paytop(["status", "--db", t.path, "--json"]).out)
        #expect(statusJSON["faults"] == .array([.string("DECLINES 30%")]))
    }

    @Test(.enabled(if: KillNineTests.binary != nil, "the paytop executable is built"))
    func theBusinessTwinsContract() throws {
        let t = CommandLineTests.Temp("business")
        #expect(try ReconcileCommandTests.paytop(["simulate", "--checkouts", "400", "--seed", "3", "--db", t.path]).status == 0)
        let r = try ReconcileCommandTests.paytop(["business", "--db", t.path, "--json"])
        #expect(r.status == 0, "\(r.err)")
        let json = try JSONValue.parse(r.out)
        for key in ["received", "initiated", "queued", "psp_success", "wallet_queued", "settled"] {
            #expect(json["funnel"]?[key]?.numberValue != nil, "funnel.\(key)")
        }
        #expect(json["funnel"]?["received"]?.numberValue == 400)
        #expect(json["revenue"]?.objectValue?.isEmpty == false)
        for (_, amount) in json["revenue"]?.objectValue ?? [:] { #expect(amount.stringValue?.contains(".") == true, "amounts are decimal text") }
        #expect(json["lost_revenue"]?.objectValue != nil)
        let merchants = json["merchants"]?.arrayValue ?? []
        #expect(!merchants.isEmpty)
        for m in merchants {
            for key in ["merchant_id", "orders", "settled", "failed", "revenue"] { #expect(m[key] != nil, "merchant field \(key)") }
        }
        #expect(json["stages"]?.arrayValue?.count == 4)
        #expect(json["error_codes"]?.arrayValue != nil)
        #expect(json["conversion_definition"]?.stringValue == "settled ÷ received")

        // The twin's figures against SQL over business_event.
        let c = try Store.openForReading(path: t.path)
        func count(_ sql: String) throws -> Double { Double(try c.scalarInt(sql) ?? -1) }
        #expect(json["funnel"]?["settled"]?.numberValue == (try count("SELECT count(*) FROM business_event WHERE event_name = 'payment.checkout.settled'")))
        #expect(json["funnel"]?["psp_success"]?.numberValue == (try count("SELECT count(*) FROM business_event WHERE event_name = 'payment.psp.response' AND outcome = 'SUCCESS'")))
        let usd = try count("SELECT sum(CAST(replace(amount_total, '.', '') AS INTEGER)) FROM business_event WHERE event_name = 'payment.checkout.settled' AND amount_currency = 'USD'")
        #expect(json["revenue"]?["USD"]?.stringValue.flatMap { Money(decimalString: $0) }.map { Double($0.minorUnits) } == usd)
        for m in merchants {
            let id = m["merchant_id"]!.stringValue!
            #expect(m["orders"]?.numberValue == (try count("SELECT count(*) FROM business_event WHERE merchant_id = '\(id)' AND event_name IN ('payment.order.settled', 'payment.order.failed')")))
            #expect(m["failed"]?.numberValue == (try count("SELECT count(*) FROM business_event WHERE merchant_id = '\(id)' AND event_name = 'payment.order.failed'")))
        }

        let windowed = try JSONValue.parse(try ReconcileCommandTests.paytop(["business", "--db", t.path, "--json", "--since", "1m"]).out)
        #expect(windowed["window"]?["since"]?.stringValue == "1m")
        #expect(windowed["window"]?["from"]?.stringValue != nil)
        let bad = try ReconcileCommandTests.paytop(["business", "--db", t.path, "--since", "soon"])
        #expect(bad.status != 0)
        #expect(bad.err.contains("--since must be a duration"))
        let text = try ReconcileCommandTests.paytop(["business", "--db", t.path])
        #expect(text.status == 0 && text.out.contains("conversion (settled ÷ received)"))
    }

    @Test(.enabled(if: KillNineTests.binary != nil, "the paytop executable is built"))
    func theFunctionsTwinsContract() throws {
        let t = CommandLineTests.Temp("functions")
        #expect(try ReconcileCommandTests.paytop(["simulate", "--checkouts", "400", "--seed", "3", "--db", t.path]).status == 0)
        let r = try ReconcileCommandTests.paytop(["functions", "--db", t.path, "--json"])
        #expect(r.status == 0, "\(r.err)")
        let json = try JSONValue.parse(r.out)
        let functions = json["functions"]?.arrayValue ?? []
        #expect(functions.compactMap { $0["function"]?.stringValue } == ["initializer", "executor", "wallet", "psp"])
        for f in functions {
            for key in ["invocations", "errors", "throttles", "cold_starts", "duration_ms", "cold_duration_ms", "warm_duration_ms"] {
                #expect(f[key] != nil, "function field \(key)")
            }
            for p in ["p50", "p95", "p99"] { #expect(f["duration_ms"]?[p]?.numberValue != nil, "duration_ms.\(p)") }
        }
        for key in ["latency_ms", "integration_latency_ms", "initializer_duration_ms"] {
            #expect(json["api"]?[key]?["p95"]?.numberValue != nil, "api.\(key)")
        }
        let dynamo = json["dynamodb"]?.arrayValue ?? []
        #expect(dynamo.contains { $0["table"]?.stringValue == "PaymentEvent" && $0["operation"]?.stringValue == "PutItem" })
        for d in dynamo { for key in ["calls", "failures", "latency_ms"] { #expect(d[key] != nil, "dynamodb field \(key)") } }
        #expect(json["step_success"]?["1_7"]?.numberValue != nil)
        let windowed = try ReconcileCommandTests.paytop(["functions", "--db", t.path, "--json", "--since", "2m"])
        #expect(try JSONValue.parse(windowed.out)["window"]?["since"]?.stringValue == "2m")
        #expect(try ReconcileCommandTests.paytop(["functions", "--db", t.path, "--since", "-1h"]).status != 0)
    }

    /// A store recorded without telemetry has checkouts and no events or metrics: the
    /// twins say so instead of presenting zeros as figures.
    @Test(.enabled(if: KillNineTests.binary != nil, "the paytop executable is built"))
    func aStoreWithoutTelemetrySaysSo() throws {
        let t = CommandLineTests.Temp("no-telemetry")
        #expect(try ReconcileCommandTests.paytop(["simulate", "--checkouts", "100", "--no-telemetry", "--db", t.path]).status == 0)
        let b = try ReconcileCommandTests.paytop(["business", "--db", t.path])
        #expect(b.status == 0 && b.err.contains("holds no business events"))
        let f = try ReconcileCommandTests.paytop(["functions", "--db", t.path, "--json"])
        #expect(f.status == 0 && f.err.contains("holds no metrics"))
        #expect(try JSONValue.parse(f.out)["functions"]?.arrayValue?.count == 4)
    }
}
