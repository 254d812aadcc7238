import Foundation
import PaytopTestSupport
import Testing
@testable import PaytopClickHouse
import PaytopIngest
import PaytopJSON
@testable import PaytopStore
import PaytopVocabulary

/// The official OpenTelemetry Python SDK's spans and logs (Tests/otlp/seed_pipeline.py: the
/// seed's three Lambdas, business logs in the blog's spelling and the code's) sent once, to
/// the test front standing in for a Collector with the clickhouseexporter (it maps them into
/// the exporter's tables and keeps each request), and the very same requests given to
/// paytop's own receiver: every reading contract answers alike from both stores.
@Suite(.serialized) struct ClickHouseSDKTests {
    static var sdkAvailable: Bool {
        ClickHouseFront.available && Python.has(["opentelemetry.sdk", "opentelemetry.exporter.otlp.proto.http", "opentelemetry.proto"])
    }

    @Test(.enabled(if: sdkAvailable, "python3 with chdb and the OpenTelemetry SDK (CI installs them)"))
    func theSDKsTelemetryReadsAlikeFromClickHouseAndFromPaytopsStore() throws {
        let dir = NSTemporaryDirectory() + "paytop-chsdk-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let front = try ClickHouseFront(saveDir: dir)
        let client = ClickHouseClient(try ClickHouseEndpoint(url: front.url + "/?database=otel", environment: [:]))
        for statement in ExporterTables.traces(client.endpoint) + ExporterTables.logs(client.endpoint) { try client.write(statement) }
        let checkouts = [("chk-sdk-ok", false), ("chk-sdk-declined", true)]
        for (checkout, decline) in checkouts { try Python.seedPipeline(endpoint: front.url, checkout: checkout, decline: decline) }
        // paytop's own receiver takes the same requests, in the order they came.
        let path = dir + "/received.db"
        let intake = try Intake(storePath: path, listen: "test")
        var requests = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: dir).filter({ $0.hasSuffix(".pb") }).sorted() {
            let signal: Signal = name.contains("-traces") ? .traces : .logs
            let body = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))
            _ = try intake.submitAndWait(try OTLPProtobufDecoding.decode(signal, body))
            requests += 1
        }
        // Lambda log lines as a CloudWatch Logs receiver writes them (the Powertools JSON in Body, no
        // attributes), in both of the seed's spellings and with nested details; paytop ingests the same lines.
        var lines = ReceivedTelemetry()
        for line in Self.powertoolsLines { try PowertoolsLogLine.append(Array(line.utf8)[...], to: &lines) }
        _ = try intake.submitAndWait(lines)
        let rows = zip(Self.powertoolsLines, ["1796605570.608000000", "1796605571.020000000", "1796605572.500000000"]).map { line, time in
            JSONValue.object(["Timestamp": .string(time), "Body": .string(line), "ServiceName": .string(""), "LogAttributes": .object([:])]).encoded
        }
        try client.write("INSERT INTO otel.otel_logs (Timestamp, Body, ServiceName, LogAttributes) FORMAT JSONEachRow",
                         data: Data(rows.joined(separator: "\n").utf8))
        intake.close()
        #expect(requests >= 4)
        let c = try Store.openForReading(path: path)

        // Traces: span by span, with their own events (the SDK's exception) and links across traces.
        let sqlite = StoreTraceReading(c), ch = try ClickHouseTraceReading(client)
        for (checkout, _) in checkouts {
            let a = try #require(try sqlite.waterfall(checkoutID: checkout)), b = try #require(try ch.waterfall(checkoutID: checkout))
            #expect(a.received && b.received && a.outcomeFromEvents == b.outcomeFromEvents && a.outcomeFromEvents != nil)
            #expect(a.traces.count == 3 && b.traces.count == 3, "the initializer's trace and the executor's and wallet's batch traces")
            for (x, y) in zip(a.traces, b.traces) {
                // Where the waterfall starts (paytop's receiver anchors a trace at the first item it took, which
                // may be a log record sent before the span ended; ClickHouse has no such anchor).
                #expect(x.traceID == y.traceID && x.spans.map(\.start).min() == y.spans.map(\.start).min())
                #expect(Self.spans(x) == Self.spans(y))
                #expect(x.events == y.events, "\(checkout) \(x.traceID ?? "")")
            }
            #expect(b.traces.flatMap(\.spans).contains { $0.events.contains { $0.name == "exception" } },
                    "the SDK's record_exception on a retried write, from the Nested Events columns")
        }
        // The event feed, all of it and a checkout's.
        let feed = StoreEventReading(c), chFeed = try ClickHouseEventReading(client)
        func comparable(_ events: [BusinessEventFeed.Event]) -> [String] {
            events.map { e in
                var e = e
                e.eventNo = 0
                return "\(e)"
            }.sorted()
        }
        let all = try feed.events(last: nil, checkoutID: nil), chAll = try chFeed.events(last: nil, checkoutID: nil)
        #expect(all.count >= 14 && comparable(all) == comparable(chAll),
                "\(Set(comparable(all)).symmetricDifference(comparable(chAll)).sorted().joined(separator: "\n"))")
        let declined = try feed.events(last: nil, checkoutID: "chk-sdk-declined")
        let chDeclined = try chFeed.events(last: nil, checkoutID: "chk-sdk-declined")
        #expect(!declined.isEmpty && comparable(declined) == comparable(chDeclined))
        // The business report: ClickHouse's GROUP BY over both spellings equals the roll-ups.
        let report = try StoreBusinessReading(c).business(since: nil), chReport = try ClickHouseBusinessReading(client).business(since: nil)
        #expect(report.count(.received) == 2 && report.count(.settled) == 2 && report.count(.initiated) == 3)
        #expect(report.revenue.contains { $0.currency == "EUR" && $0.amount == Money(minorUnits: 4_250) }, "the JSON body's nested amount")
        #expect(BusinessFigures(report) == BusinessFigures(chReport))
        // Through paytop's projection, JSON bodies included.
        try ExporterTables.prepare(client)
        #expect(BusinessFigures(report) == BusinessFigures(try ClickHouseBusinessReading(client).business(since: nil)))
    }

    /// Powertools lines: the blog's spelling, the code's (dotted keys), and nested objects.
    static let powertoolsLines = [
        #"{"level":"INFO","message":"Payment checkout initiated","timestamp":"2026-12-07 01:06:10,608+0000","service":"payments-initializer","function_name":"o11y-lab-payments-initializer","event_name":"payment.checkout.initiated","event_type":"initiated","payment_checkout_id":"chk-json-1","payment_outcome":"VALIDATED","payment_stage":"INITIALIZATION","amount_total":"42.50","amount_currency":"EUR","order_count":1}"#,
        #"{"level":"INFO","message":"PSP response received","timestamp":"2026-12-07 01:06:11,020+0000","service":"payments-executor","function_name":"o11y-lab-payments-executor","event_type":"payment.psp.response","biz_checkout_id":"chk-json-1","outcome":"SUCCESS","stage":"PSP_INTEGRATION","psp.latency.ms":311,"amount.total":"42.50","amount.currency":"EUR"}"#,
        #"{"level":"INFO","message":"Checkout settled","timestamp":"2026-12-07 01:06:12,500+0000","service":"payments-wallet","event":{"name":"payment.checkout.settled","type":"settled"},"payment":{"checkout_id":"chk-json-1","outcome":"SUCCESS","stage":"SETTLEMENT"},"amount":{"total":"42.50","currency":"EUR"}}"#,
    ]

    /// A span's fields both stores keep alike (attribute values are strings in ClickHouse).
    static func spans(_ t: TraceWaterfall.Trace) -> [[String]] {
        t.spans.sorted { $0.spanID < $1.spanID }.map { s in
            [s.spanID, s.parentSpanID ?? "", s.name, s.kind.rawValue, s.serviceName, s.serviceVersion, "\(s.start)", "\(s.end)",
             "\(s.status)", s.statusMessage ?? "", "\(s.coldStart)", s.linkedFrom.joined(separator: ","),
             s.events.map { "\($0.name)@\($0.at) " + Self.strings($0.attributes) }.joined(separator: ";")]
        }
    }

    /// A JSON object's values as text, keys sorted.
    static func strings(_ json: String) -> String {
        let o = (try? JSONValue.parse(json))?.objectValue ?? [:]
        return o.keys.sorted().map { k in
            let v = o[k]!
            return k + "=" + (v.stringValue ?? v.boolValue.map { $0 ? "true" : "false" } ?? v.numberValue.map { "\($0)" } ?? v.encoded)
        }.joined(separator: ",")
    }
}

/// Every figure of a business report except its clock (the stores keep different clocks).
struct BusinessFigures: Equatable, CustomStringConvertible {
    let text: String

    init(_ r: BusinessReport) {
        var lines = r.funnel.map { "\($0.step) \($0.count)" }
        lines.append("revenue \(r.revenue) lost \(r.lostRevenue)")
        lines += r.stages.map { "\($0.stage) \($0.loss)" }
        lines += r.errorCodes.map { "\($0)" }
        lines += r.merchants.map { m in
            "\(m.merchantID) \(m.orders) \(m.settled) \(m.failed) \(m.revenue) "
                + m.settledByCurrency.keys.sorted().map { "\($0)=\(m.settledByCurrency[$0]!)" }.joined(separator: ",")
        }
        lines.append("psp \(String(describing: r.pspLatency)) \(r.pspResponses) \(r.pspTechnicalFailures) recorded \(r.eventsRecorded)")
        text = lines.joined(separator: "\n")
    }

    var description: String { text }
}
