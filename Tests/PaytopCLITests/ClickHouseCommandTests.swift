import Foundation
import PaytopJSON
import PaytopTestSupport
import Testing

/// The read commands and the console on ClickHouse, as a user runs them: a simulation
/// exported with `paytop export --clickhouse`, then every `--json` twin asked of both stores.
@Suite(.serialized) struct ClickHouseCommandTests {
    static var ready: Bool { KillNineTests.binary != nil && ClickHouseFront.available }

    @Test(.enabled(if: ready, "the paytop executable and python3 with chdb"))
    func everyReadCommandsJSONTwinIsTheSameFromClickHouseAndTheConsoleDrawsIt() throws {
        let t = CommandLineTests.Temp("clickhouse-cli")
        #expect(try ReconcileCommandTests.paytop(["simulate", "--checkouts", "400", "--seed", "12", "--db", t.path]).status == 0)
        let front = try ClickHouseFront()
        let url = front.url + "/?database=otel"
        let exported = try ReconcileCommandTests.paytop(["export", "--db", t.path, "--clickhouse", url])
        try #require(exported.status == 0, "\(exported.err)")
        #expect(exported.err.contains("metric points"))

        func both(_ args: [String]) throws -> (String, String) {
            let a = try ReconcileCommandTests.paytop(args + ["--db", t.path]), b = try ReconcileCommandTests.paytop(args + ["--clickhouse", url])
            #expect(a.status == 0 && b.status == 0, "\(args): \(a.err) \(b.err)")
            return (a.out, b.out)
        }
        // The reports: byte for byte (the clock is the same: the simulation's last event is its last record).
        for args in [["business", "--json"], ["business", "--json", "--since", "5m"], ["functions", "--json"], ["functions", "--json", "--since", "1m"],
                     ["slo", "--json"], ["metrics", "Invocations", "--json"], ["metrics", "SloGoodEvents", "--json"]] {
            let (a, b) = try both(args)
            #expect(a == b && !a.isEmpty, "\(args)")
        }
        // Prepared (paytop's projection), the business views and the SLOs read it, and say the same.
        let prepared = try ReconcileCommandTests.paytop(["clickhouse", "prepare", "--clickhouse", url])
        #expect(prepared.status == 0 && prepared.err.contains("business projection"), "\(prepared.err)")
        for args in [["business", "--json"], ["business", "--json", "--since", "5m"], ["slo", "--json"]] {
            let (a, b) = try both(args)
            #expect(a == b && !a.isEmpty, "prepared: \(args)")
        }
        // The event feed: the same events (ties at one nanosecond may come in another order).
        let (events, chEvents) = try both(["events", "--json", "--last", "0"])
        #expect(events.split(separator: "\n").sorted() == chEvents.split(separator: "\n").sorted() && events.count > 1_000)
        // A checkout's trace: the same spans and events; received data says so.
        let checkout = try #require(events.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
            .first { $0["event_name"]?.stringValue == "payment.checkout.settled" }?["checkout_id"]?.stringValue)
        let (trace, chTrace) = try both(["trace", checkout, "--json"])
        let (w, cw) = (try JSONValue.parse(trace), try JSONValue.parse(chTrace))
        func spans(_ v: JSONValue) -> [String] {
            (v["traces"]?.arrayValue ?? []).flatMap { $0["spans"]?.arrayValue ?? [] }.map { s in
                ["span_id", "parent_span_id", "name", "kind", "service_name", "start", "duration_ms", "status"].map { s[$0]?.encoded ?? "" }.joined(separator: " ")
            }.sorted()
        }
        #expect(!spans(w).isEmpty && spans(w) == spans(cw) && cw["received"]?.boolValue == true)
        #expect(w["critical_path"] == cw["critical_path"] && w["statistics"] == cw["statistics"])
        // Bad input: one sentence, exit 2.
        let refused = try ReconcileCommandTests.paytop(["business", "--clickhouse", front.url + "/?database=nobody"])
        #expect(refused.status == 2 && refused.err.contains("has no table nobody.otel_traces"))
        for args in [["checkouts"], ["problems"], ["problems", "show", "1"]] {
            let r = try ReconcileCommandTests.paytop(args + ["--clickhouse", url])
            #expect(r.status == 2 && r.err.contains("not built on ClickHouse yet"), "\(args)")
        }
        let both = try ReconcileCommandTests.paytop(["slo", "--db", t.path, "--clickhouse", url])
        #expect(both.status != 0 && both.err.contains("not both"))

        // Tables not named as the exporter names them: renamed on export and on read alike.
        let renamed = front.url + "/?database=renamed"
        let rename = ["--clickhouse-table", "traces=spans", "--clickhouse-table", "logs=records", "--clickhouse-table", "sum=counters"]
        let exportedRenamed = try ReconcileCommandTests.paytop(["export", "--db", t.path, "--clickhouse", renamed] + rename)
        #expect(exportedRenamed.status == 0 && exportedRenamed.err.contains("renamed.spans, records, counters"), "\(exportedRenamed.err)")
        let renamedFunctions = try ReconcileCommandTests.paytop(["functions", "--json", "--clickhouse", renamed] + rename)
        let storeFunctions = try ReconcileCommandTests.paytop(["functions", "--json", "--db", t.path])
        #expect(renamedFunctions.status == 0 && renamedFunctions.out == storeFunctions.out, "\(renamedFunctions.err)")
        let unrenamed = try ReconcileCommandTests.paytop(["functions", "--clickhouse", renamed])
        #expect(unrenamed.status == 2 && unrenamed.err.contains("has no table renamed.otel_traces"), "\(unrenamed.err)")
        let badKind = try ReconcileCommandTests.paytop(["slo", "--clickhouse", renamed, "--clickhouse-table", "spans=x"])
        #expect(badKind.status == 2 && badKind.err.contains("unknown kind spans"), "\(badKind.err)")

        // The console on ClickHouse in a real terminal.
        guard TmuxConsoleTests.tmuxAvailable else { return }
        let s = try TmuxConsoleTests.Session("\(KillNineTests.binary!) console --clickhouse '\(url)'", width: 140, height: 40)
        #expect(s.waitFor("ClickHouse 127.0.0.1"), "\(s.screen())")
        #expect(s.waitFor("received"))
        s.keys("7")
        #expect(s.waitFor("settled ÷ received"), "\(s.screen())")
        s.keys("o")
        #expect(s.waitFor("never written"), "\(s.screen())")
        s.keys("0")
        #expect(s.waitFor("detected into paytop's own store"), "\(s.screen())")
        s.keys("t")
        s.type(checkout)
        s.keys("Enter")
        #expect(s.waitFor("Trace \(checkout)") && s.waitFor("received"), "\(s.screen())")
        s.keys("q")
        #expect(s.exitCode() == "0")
    }
}
