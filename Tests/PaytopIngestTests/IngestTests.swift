import Foundation
import Testing
import PaytopJSON
import PaytopProtobuf
import PaytopVocabulary
@testable import PaytopIngest
@testable import PaytopStore
@testable import PaytopConsole

final class TempStore {
    let path: String
    init(_ tag: String) { path = NSTemporaryDirectory() + "paytop-ingest-\(tag)-\(UUID().uuidString.prefix(8)).db" }
    deinit { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
}

/// The pieces between a request body and the store's rows.
@Suite struct IngestTests {
    static let now: Int64 = 1_796_138_770_000_000_000

    @Test func timestampsInEverySpellingTheLogsUse() {
        #expect(LogTimestamp.nanos("2026-12-01 15:26:10,608+0000") == 1_796_138_770_608_000_000, "Powertools Logger")
        #expect(LogTimestamp.nanos("2026-12-01T15:26:10.608Z") == 1_796_138_770_608_000_000)
        #expect(LogTimestamp.nanos("2026-12-01T16:26:10.608123+01:00") == 1_796_138_770_608_123_000, "Python's isoformat")
        #expect(LogTimestamp.nanos("2026-12-01T15:26:10") == 1_796_138_770_000_000_000, "no zone: UTC")
        #expect(LogTimestamp.nanos("1969-12-31T23:59:59Z") == -1_000_000_000)
        for bad in ["", "2026-13-01T00:00:00Z", "2026-12-01", "2026-12-01T15:26:10.Z", "2026-12-01T15:26:10+0", "yesterday"] {
            #expect(LogTimestamp.nanos(bad) == nil, "\(bad)")
        }
        #expect(LogTimestamp.nanos(number: 1_796_138_770) == 1_796_138_770_000_000_000, "seconds")
        #expect(LogTimestamp.nanos(number: 1_796_138_770_608) == 1_796_138_770_608_000_000, "milliseconds")
    }

    @Test func anXRayTraceIDIsItsW3CTraceID() {
        #expect(PowertoolsLogLine.xrayTraceID("1-5759e988-bd862e3fe1be46a994272793") == Hex.bytes("5759e988bd862e3fe1be46a994272793"))
        #expect(PowertoolsLogLine.xrayTraceID("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
                    == Hex.bytes("5759e988bd862e3fe1be46a994272793"))
        #expect(PowertoolsLogLine.xrayTraceID("1-5759e988-bd86") == nil)
    }

    @Test func businessEventFieldsInTheBlogsTheCodesAndTheExportersSpelling() throws {
        let blog = BusinessEventFields.read([
            "event_name": .string("payment.checkout.initiated"), "payment_checkout_id": .string("chk-1"),
            "payment_outcome": .string("VALIDATED"), "payment_stage": .string("INITIALIZATION"), "amount_total": .string("149.9"),
            "amount_currency": .string("USD"), "order_count": .int(3),
        ])
        #expect(blog?.name == .checkoutInitiated && blog?.checkoutID == "chk-1" && blog?.outcome == .validated)
        #expect(blog?.amountTotal == "149.90" && blog?.orderCount == 3, "amounts become two-decimal text")
        let code = BusinessEventFields.read(BusinessEventFields.fields(attributes: [
            KeyValue("event_type", .string("payment.psp.response")), KeyValue("biz_checkout_id", .string("chk-2")),
            KeyValue("outcome", .string("FAILURE")), KeyValue("psp.latency.ms", .int(311)),
            KeyValue("psp.response.error_code", .string("EXPIRED_CARD")), KeyValue("biz_timestamp", .string("2026-12-01T15:26:10.608Z")),
        ], body: .string(#"{"amount": {"total": 20, "currency": "EUR"}, "merchant": {"id": "m-1"}}"#)))
        #expect(code?.name == .pspResponse && code?.checkoutID == "chk-2" && code?.errorCode == "EXPIRED_CARD")
        #expect(code?.pspLatencyMillis == 311 && code?.timestamp == 1_796_138_770_608_000_000)
        #expect(code?.amountTotal == "20.00" && code?.currency == "EUR" && code?.merchantID == "m-1", "a JSON body's nested fields, dotted")
        let short = BusinessEventFields.read(["event_type": .string("queued"), "payment_stage": .string("EXECUTION"),
                                              "payment_checkout_id": .string("c")])
        #expect(short?.name == .walletQueued, "the blog's short type with its stage")
        let exported = BusinessEventFields.read(["payment.outcome": .string("SUCCESS"), "checkout_id": .string("c")],
                                                eventName: "payment.order.settled")
        #expect(exported?.name == .orderSettled && exported?.outcome == .success)
        #expect(BusinessEventFields.read(["event_name": .string("user.signed.up")]) == nil, "not the seed's taxonomy: a plain log")
        #expect(BusinessEventFields.read(["amount_total": .string("1.00"), "event_name": .string("payment.request.received")])?
            .amountTotal == "1.00")
        #expect(BusinessEventFields.read(["amount_total": .string("1.005"), "event_name": .string("payment.request.received")])?
            .amountTotal == nil, "three decimals is not an amount paytop records")
    }

    @Test func jsonAndProtobufBodiesDecodeToTheSameTelemetry() throws {
        var w = ProtobufWriter()
        w.message(1) { rs in
            rs.message(1) { r in r.message(1) { kv in kv.string(1, "service.name"); kv.message(2) { $0.oneofString(1, "svc") } } }
            rs.message(2) { ss in
                ss.message(2) { s in
                    s.bytes(1, Array(repeating: 0xab, count: 16)); s.bytes(2, Array(repeating: 0xcd, count: 8))
                    s.string(5, "op"); s.int(6, 3); s.fixed64(7, 100); s.fixed64(8, 250)
                    s.message(9) { kv in kv.string(1, "n"); kv.message(2) { $0.oneofInt(3, -5) } }
                    s.message(11) { e in e.fixed64(1, 200); e.string(2, "exception") }
                    s.message(13) { l in l.bytes(1, Array(repeating: 1, count: 16)); l.bytes(2, Array(repeating: 2, count: 8)) }
                    s.message(15) { st in st.string(2, "boom"); st.int(3, 2) }
                }
            }
        }
        let fromProto = try OTLPProtobufDecoding.decode(.traces, w.bytes)
        let json = """
            {"resource_spans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},
              "scopeSpans":[{"spans":[{"traceId":"abababababababababababababababab","spanId":"cdcdcdcdcdcdcdcd","name":"op",
                "kind":"SPAN_KIND_CLIENT","startTimeUnixNano":"100","endTimeUnixNano":250,
                "attributes":[{"key":"n","value":{"intValue":"-5"}}],"events":[{"timeUnixNano":"200","name":"exception"}],
                "links":[{"traceId":"01010101010101010101010101010101","spanId":"0202020202020202"}],
                "status":{"code":"STATUS_CODE_ERROR","message":"boom"}}]}]}]}
            """
        let fromJSON = try OTLPJSONDecoding.decode(.traces, Array(json.utf8))
        #expect(fromProto == fromJSON)
        #expect(fromProto.spans.first?.kind == 3 && fromProto.spans.first?.statusCode == 2 && fromProto.spans.first?.links.count == 1)
        #expect(throws: OTLPJSONDecoding.Invalid.self) { try OTLPJSONDecoding.decode(.traces, Array(#"{"resourceSpans": 3}"#.utf8)) }
        #expect(throws: ProtobufError.self) { try OTLPProtobufDecoding.decode(.traces, Array(w.bytes.dropLast(3))) }
    }

    @Test func transcodedAttributesEqualDecodedOnes() throws {
        let attributes: [KeyValue] = [
            KeyValue("s", .string("a \"quoted\" \\ line\nnext\u{1}")), KeyValue("b", .bool(true)), KeyValue("i", .int(-9_007_199_254_740_993)),
            KeyValue("d", .double(0.25)), KeyValue("nan", .double(.nan)), KeyValue("bytes", .bytes([0, 1, 255])),
            KeyValue("arr", .array([.string("x"), .int(2), .array([])])), KeyValue("map", .map([KeyValue("k", .string("v"))])),
            KeyValue("payment.checkout_id", .string("second-choice")), KeyValue("checkout_id", .string("chk-1")),
            KeyValue("http.response.status_code", .int(402)), KeyValue("ünïcode", .string("ok ✓")),
        ]
        func encode(_ pairs: [KeyValue]) -> [UInt8] {
            func any(_ w: inout ProtobufWriter, _ v: AttributeValue) {
                switch v {
                case .string(let s): w.oneofString(1, s)
                case .bool(let b): w.oneofInt(2, b ? 1 : 0)
                case .int(let i): w.oneofInt(3, i)
                case .double(let d): w.double(4, d)
                case .bytes(let b): w.bytes(7, b)
                case .array(let items): w.message(5) { a in for item in items { a.message(1) { any(&$0, item) } } }
                case .map(let kvs): w.message(6) { m in for kv in kvs { m.message(1) { p in p.string(1, kv.key); p.message(2) { any(&$0, kv.value) } } } }
                }
            }
            var w = ProtobufWriter()
            w.message(1) { rs in rs.message(2) { ss in ss.message(2) { s in
                for kv in pairs { s.message(9) { p in p.string(1, kv.key); p.message(2) { any(&$0, kv.value) } } }
            } } }
            return w.bytes
        }
        let transcoded = try OTLPProtobufDecoding.decode(.traces, encode(attributes)).spans[0].attributes
        let decoded = SpanAttributes(attributes)
        #expect(transcoded.json == decoded.json, "\(transcoded.json ?? "")\n\(decoded.json ?? "")")
        #expect(transcoded.checkoutID == "chk-1" && decoded.checkoutID == "chk-1", "checkout_id ranks before payment.checkout_id")
        #expect(transcoded.httpStatusCode == 402 && decoded.httpStatusCode == 402)
        #expect((try? JSONValue.parse(transcoded.json ?? "")) != nil, "valid JSON")
        // A key sent twice: the last wins, in both.
        let twice = attributes + [KeyValue("b", .string("later"))]
        #expect(try OTLPProtobufDecoding.decode(.traces, encode(twice)).spans[0].attributes == SpanAttributes(twice))
    }

    @Test func aSpansPatchOverItsNamesAttributesGivesItsOwnBackInAnyKeyOrder() throws {
        let name = SharedSpanAttributes(SpanAttributes([
            KeyValue("a", .string("1")), KeyValue("b", .int(2)), KeyValue("c", .bool(true)), KeyValue("d", .string("x")),
        ]))
        let spans: [(kvs: [KeyValue], same: Bool)] = [
            ([KeyValue("a", .string("1")), KeyValue("b", .int(2)), KeyValue("c", .bool(true)), KeyValue("d", .string("x"))], true),
            ([KeyValue("d", .string("x")), KeyValue("c", .bool(true)), KeyValue("a", .string("1")), KeyValue("b", .int(2))], true),
            ([KeyValue("a", .string("1")), KeyValue("b", .int(3)), KeyValue("c", .bool(true)), KeyValue("d", .string("x"))], false),
            ([KeyValue("d", .string("x")), KeyValue("c", .bool(false)), KeyValue("b", .int(2)), KeyValue("a", .string("1"))], false),
            ([KeyValue("b", .int(2)), KeyValue("e", .string("new")), KeyValue("a", .string("0"))], false),
            ([KeyValue("e", .string("only"))], false),
            ([], false),
        ]
        var present: [Bool] = []
        for (kvs, same) in spans {
            let own = SpanAttributes(kvs)
            let patch = name.patch(own, present: &present)
            #expect((patch == nil) == same, "\(kvs.map(\.key)): patch \(patch ?? "nil")")
            // RFC 7396 as the span view's json_patch applies it: null removes, anything else replaces.
            var merged = try JSONValue.parse(name.json).objectValue ?? [:]
            for (key, value) in try JSONValue.parse(patch ?? "{}").objectValue ?? [:] {
                if value == .null { merged[key] = nil } else { merged[key] = value }
            }
            let wanted = try JSONValue.parse(own.json ?? "{}").objectValue ?? [:]
            #expect(merged == wanted, "\(kvs.map(\.key)): patch \(patch ?? "nil")")
        }
    }

    @Test func valuesNestedWithoutEndAreRefusedNotFollowed() throws {
        // A map in a map in a map …, 1,000 deep: refused at depth 32 (each level used to start counting again).
        var inner: [UInt8] = []
        for _ in 0..<1_000 {
            var w = ProtobufWriter()
            w.message(6) { list in list.message(1) { kv in kv.string(1, "k"); kv.raw([0x12] + Self.varint(inner.count) + inner) } }
            inner = w.bytes
        }
        var body = ProtobufWriter()
        body.message(1) { rs in rs.message(2) { ss in ss.message(2) { s in
            s.message(9) { kv in kv.string(1, "deep"); kv.raw([0x12] + Self.varint(inner.count) + inner) }
        } } }
        #expect(throws: ProtobufError.malformed("values nested deeper than 32")) { try OTLPProtobufDecoding.decode(.traces, body.bytes) }
        var logs = ProtobufWriter()
        logs.message(1) { rl in rl.message(2) { sl in sl.message(2) { l in l.raw([0x2a] + Self.varint(inner.count) + inner) } } }
        #expect(throws: ProtobufError.malformed("values nested deeper than 32")) { try OTLPProtobufDecoding.decode(.logs, logs.bytes) }
    }

    static func varint(_ n: Int) -> [UInt8] {
        var v = UInt64(n), out: [UInt8] = []
        while v >= 0x80 { out.append(UInt8(truncatingIfNeeded: v) | 0x80); v >>= 7 }
        out.append(UInt8(v))
        return out
    }

    @Test func gzipRoundTripsAndABombIsStopped() throws {
        let data = Array("hello, otlp ".utf8) + [UInt8](repeating: 7, count: 100_000)
        #expect(try Gzip.inflate(Gzip.deflate(data), limit: 200_000) == data)
        #expect(throws: Gzip.Failure.tooLarge(limit: 50_000)) { try Gzip.inflate(Gzip.deflate(data), limit: 50_000) }
        #expect(throws: Gzip.Failure.invalid) { try Gzip.inflate(Array(Gzip.deflate(data).dropLast(20)), limit: 200_000) }
        #expect(throws: Gzip.Failure.invalid) { try Gzip.inflate([0x1f, 0x8b, 1, 2, 3], limit: 100) }
    }

    /// A received request with spans, a business log, and metrics, through the intake.
    static func receive(_ path: String, _ t: ReceivedTelemetry) throws -> IngestMapper.Outcome {
        let intake = try Intake(storePath: path, listen: "test")
        defer { intake.close() }
        return try intake.submitAndWait(t)
    }

    static func metric(_ name: String, _ kind: ReceivedMetricPoint.Kind, value: Double, at: Int64, start: Int64 = 0,
                       dims: [KeyValue] = [KeyValue("QueueName", .string(QueueName.execution.rawValue))]) -> ReceivedMetricPoint {
        var p = ReceivedMetricPoint(resource: 0, name: name, unit: "1", kind: kind)
        p.value = value; p.timeNanos = at; p.startNanos = start; p.attributes = dims
        return p
    }

    @Test func metricPointsMergeIntoTheirMinuteAndCumulativeSumsBecomeDeltas() throws {
        let t = TempStore("metrics")
        var r = ReceivedTelemetry()
        r.resources = [ReceivedResource(attributes: [])]
        let m0 = Period.start(of: Self.now, length: Period.minute)
        r.metricPoints = [
            Self.metric("NumberOfMessagesSent", .sum(monotonic: true, cumulative: false), value: 5, at: m0 + 1),
            Self.metric("NumberOfMessagesSent", .sum(monotonic: true, cumulative: false), value: 7, at: m0 + 2),
            Self.metric("ApproximateNumberOfMessagesVisible", .gauge, value: 9, at: m0 + 1),
            Self.metric("ApproximateNumberOfMessagesVisible", .gauge, value: 3, at: m0 + 2),
            // A cumulative counter: 100 is the baseline, then +20, then a reset to 4.
            Self.metric("NumberOfMessagesDeleted", .sum(monotonic: true, cumulative: true), value: 100, at: m0 + 1, start: 1),
            Self.metric("NumberOfMessagesDeleted", .sum(monotonic: true, cumulative: true), value: 120, at: m0 + 2, start: 1),
            Self.metric("NumberOfMessagesDeleted", .sum(monotonic: true, cumulative: true), value: 4, at: m0 + Period.minute, start: 1),
        ]
        let o = try Self.receive(t.path, r)
        #expect(o.metricPoints == 7)
        // A second request into the same minute adds to it.
        var again = ReceivedTelemetry()
        again.resources = [ReceivedResource(attributes: [])]
        again.metricPoints = [Self.metric("NumberOfMessagesSent", .sum(monotonic: true, cumulative: false), value: 1, at: m0 + 3)]
        _ = try Self.receive(t.path, again)
        let c = try Store.openForReading(path: t.path)
        func value(_ name: String, _ start: Int64) throws -> Double? {
            let s = try c.cached("SELECT value, max FROM metric_point WHERE name = ? AND period_start = ?")
            s.bind(1, name).bind(2, start)
            defer { s.reset() }
            return try s.step() ? s.double(0) : nil
        }
        #expect(try value("NumberOfMessagesSent", m0) == 13)
        #expect(try value("ApproximateNumberOfMessagesVisible", m0) == 3, "a gauge's latest reading")
        #expect(try c.scalarInt("SELECT max FROM metric_point WHERE name = 'ApproximateNumberOfMessagesVisible'") == 9)
        #expect(try value("NumberOfMessagesDeleted", m0) == 20)
        #expect(try value("NumberOfMessagesDeleted", m0 + Period.minute) == 4)
        #expect(try c.scalarInt("SELECT count(*) FROM metric_series WHERE name = 'NumberOfMessagesSent' AND dimensions = '{\"QueueName\":\"payment-execution-queue\"}'") == 1,
                "dimensions keyed as the engine keys them")
    }

    @Test func histogramQuantilesAreTheBoundsOfTheBucketsHoldingTheirRanks() {
        var p = ReceivedMetricPoint(resource: 0, name: "Duration", unit: "ms", kind: .histogram(cumulative: false))
        p.bucketCounts = [50, 45, 4, 1]; p.explicitBounds = [10, 100, 1000]; p.max = 4000
        let q = IngestMapper.bucketQuantiles(p)
        #expect(q.0 == 10 && q.1 == 100 && q.2 == 1000)
        p.bucketCounts = [0, 0, 0, 3]
        #expect(IngestMapper.bucketQuantiles(p).0 == 4000, "the overflow bucket: the max")
    }

    /// The seed's flow for one checkout as received spans and business logs.
    static func checkoutTelemetry(_ checkout: String, traceByte: UInt8, at: Int64, settled: Bool, apiMillis: Int64) -> ReceivedTelemetry {
        var t = ReceivedTelemetry()
        t.resources = [ReceivedResource(attributes: [KeyValue("service.name", .string("o11y-lab-payments-initializer"))])]
        var api = ReceivedSpan(resource: 0)
        api.traceID = Array(repeating: traceByte, count: 16); api.spanID = [0, 0, 0, 0, 0, 0, 0, traceByte]
        api.name = PipelineNames.paymentsRequestSpan; api.kind = 2; api.startNanos = at; api.endNanos = at + apiMillis * 1_000_000
        api.attributes = SpanAttributes([KeyValue("checkout_id", .string(checkout)), KeyValue("http.response.status_code", .int(202))])
        t.spans = [api]
        func log(_ name: BusinessEventName, _ offset: Int64, _ extra: [KeyValue] = []) -> ReceivedLog {
            var l = ReceivedLog(resource: 0)
            l.timeNanos = at + offset
            l.traceID = api.traceID
            l.attributes = [KeyValue("event_name", .string(name.name)), KeyValue("payment_checkout_id", .string(checkout)),
                            KeyValue("payment_outcome", .string("X")), KeyValue("amount_total", .string("10.00")),
                            KeyValue("amount_currency", .string("USD"))] + extra
            return l
        }
        t.logs = [log(.requestReceived, 0), log(.checkoutInitiated, 1_000),
                  settled ? log(.checkoutSettled, 90_000_000_000)
                      : log(.checkoutFailed, 200_000_000_000, [KeyValue("error_code", .string("PSP_SERVER_ERROR")),
                                                                KeyValue("error_category", .string("TECHNICAL"))])]
        return t
    }

    /// The engine's detectors run over what a receiver takes in: five quiet minutes of the
    /// executor and its PSP calls, then a burst of errors, open a problem naming both.
    @Test func aBurstOfReceivedErrorsOpensAProblem() throws {
        let t = TempStore("problem")
        let intake = try Intake(storePath: t.path, listen: "test")
        var next: UInt8 = 0
        func minute(_ m: Int64, failing: Bool) -> ReceivedTelemetry {
            var r = ReceivedTelemetry()
            r.resources = [ReceivedResource(attributes: [KeyValue("service.name", .string("o11y-lab-payments-executor"))])]
            for i in 0..<40 {
                next &+= 1
                let at = Self.now + m * 60_000_000_000 + Int64(i) * 1_000_000_000
                var consumer = ReceivedSpan(resource: 0)
                consumer.traceID = [UInt8(m + 1)] + Array(repeating: next, count: 15); consumer.spanID = [1, 0, 0, 0, 0, 0, 0, next]
                consumer.name = "process payment-execution-queue"; consumer.kind = 5
                consumer.startNanos = at; consumer.endNanos = at + 150_000_000
                consumer.statusCode = failing ? 2 : 1
                var call = consumer
                call.spanID = [2, 0, 0, 0, 0, 0, 0, next]; call.parentSpanID = consumer.spanID
                call.name = "POST /process"; call.kind = 3; call.statusCode = failing ? 2 : 0
                call.attributes = SpanAttributes([KeyValue("http.response.status_code", .int(failing ? 500 : 200))])
                r.spans += [consumer, call]
            }
            return r
        }
        for m in 0..<6 { _ = try intake.submitAndWait(minute(Int64(m), failing: false)) }
        var c = try Store.openForReading(path: t.path)
        #expect(try ProblemBook.list(c).isEmpty, "quiet minutes open nothing")
        for m in 6..<12 { _ = try intake.submitAndWait(minute(Int64(m), failing: m < 10)) }
        intake.close()
        c = try Store.openForReading(path: t.path)
        let problems = try ProblemBook.list(c)
        #expect(problems.count == 1, "one problem, not one per signal: \(problems.map(\.title))")
        let p = try #require(problems.first)
        let signals = Set(p.signals.map { "\($0.kind) \($0.subject)" })
        #expect(signals.contains("psp-errors psp") && signals.contains("error-rate executor"), "\(signals)")
        #expect(p.firstSignalAt == Period.start(of: Self.now + 6 * 60_000_000_000, length: Period.minute), "the burst's first minute")
        // Analysed as the engine's are (no control events arrive: no fault is named).
        let a = try #require(try ProblemAnalysis.one(c, id: p.id))
        #expect(!a.causes.contains { $0.kind == .fault })
    }

    @Test func sloEventsAreCountedFromReceivedSpansAndBusinessEvents() throws {
        let t = TempStore("slo")
        _ = try Self.receive(t.path, Self.checkoutTelemetry("chk-a", traceByte: 1, at: Self.now, settled: true, apiMillis: 120))
        _ = try Self.receive(t.path, Self.checkoutTelemetry("chk-b", traceByte: 2, at: Self.now, settled: false, apiMillis: 900))
        let c = try Store.openForReading(path: t.path)
        let report = try SloReport.load(c, definitions: SloDefinition.defaults)
        func counts(_ name: SloName) -> (Int64, Int64)? {
            report.objectives.first { $0.definition.name == name.rawValue }.map { ($0.good, $0.valid) }
        }
        #expect(counts(.apiLatency)! == (1, 2), "chk-b's request took 900 ms")
        #expect(counts(.paymentSuccess)! == (1, 2), "a technical failure counts against payment-success")
        #expect(counts(.settlement)! == (1, 2), "chk-b ended after 200 s, past two minutes")
        // The business report's window ends at the newest received item.
        let business = try BusinessReport.load(c, since: 3_600_000_000_000)
        #expect(business.at == Self.now + 200_000_000_000)
        #expect(business.funnel.first { $0.step == .received }?.count == 2)
    }

    /// A received checkout with no end two minutes after its start is a bad settlement
    /// event once newer telemetry shows the time has passed; its end, when it comes, does
    /// not count it again.
    @Test func anUnendedReceivedCheckoutIsBadAtItsObjective() throws {
        let t = TempStore("late")
        let intake = try Intake(storePath: t.path, listen: "test")  // one receiver remembers the open checkouts
        defer { intake.close() }
        var open = Self.checkoutTelemetry("chk-late", traceByte: 4, at: Self.now, settled: true, apiMillis: 100)
        var end = open.logs.removeLast()
        end.timeNanos = Self.now + 400_000_000_000  // it ends after 400 s, later than chk-next
        _ = try intake.submitAndWait(open)
        func settlement() throws -> SloReport.Objective {
            try #require(try SloReport.load(try Store.openForReading(path: t.path)).objectives.first { $0.definition.name == "settlement" })
        }
        #expect(try settlement().valid == 0, "not two minutes yet")
        // Another checkout five minutes later: chk-late's two minutes have run out.
        _ = try intake.submitAndWait(Self.checkoutTelemetry("chk-next", traceByte: 5, at: Self.now + 300_000_000_000, settled: true,
                                                            apiMillis: 100))
        var s = try settlement()
        #expect(s.valid == 2 && s.good == 1 && s.badInFlight == 1, "chk-late bad, chk-next good")
        var ending = ReceivedTelemetry()
        ending.resources = open.resources
        ending.logs = [end]
        _ = try intake.submitAndWait(ending)
        s = try settlement()
        #expect(s.valid == 2 && s.good == 1 && s.badInFlight == 0, "counted once: \(s)")
    }

    @Test func aFullIntakeRefusesAtOnceAndCountsWhatItRefused() throws {
        let t = TempStore("full")
        let intake = try Intake(storePath: t.path, listen: "test", maxQueuedItems: 10)
        let request = Self.checkoutTelemetry("chk-big", traceByte: 3, at: Self.now, settled: true, apiMillis: 1)
        #expect(request.itemCount == 4)
        // A's answer holds the writer's thread (answers run there after each commit), so
        // what is submitted next stays queued: B and C fit in 10 items, D does not.
        let gate = DispatchSemaphore(value: 0), answering = DispatchSemaphore(value: 0), done = DispatchGroup()
        done.enter()
        try intake.submit(request) { _ in answering.signal(); gate.wait(); done.leave() }
        answering.wait()
        for _ in 0..<2 {
            done.enter()
            try intake.submit(request) { _ in done.leave() }
        }
        #expect(throws: Intake.Refused.self) { try intake.submit(request) { _ in } }
        #expect(intake.status.refused == 4)
        gate.signal()
        done.wait()
        #expect(intake.queuedItems == 0)
        try intake.submit(request) { _ in }  // room again
        intake.close()
    }

    @Test func receivedTelemetryIsKeptForADayCountedBackFromTheNewest() throws {
        let t = TempStore("retention")
        let intake = try Intake(storePath: t.path, listen: "test", pruneEvery: 0)
        let day: Int64 = 86_400_000_000_000
        _ = try intake.submitAndWait(Self.checkoutTelemetry("chk-old", traceByte: 4, at: Self.now - 2 * day, settled: true, apiMillis: 1))
        _ = try intake.submitAndWait(Self.checkoutTelemetry("chk-new", traceByte: 5, at: Self.now, settled: true, apiMillis: 1))
        intake.close()
        let c = try Store.openForReading(path: t.path)
        #expect(try TraceWaterfall.load(c, checkoutID: "chk-old") == nil, "two days older than the newest: gone")
        #expect(try TraceWaterfall.load(c, checkoutID: "chk-new") != nil)
        #expect(try c.scalarInt("SELECT count(*) FROM received_trace") == 1)
        #expect(try c.scalarInt("SELECT count(*) FROM log_record") == 3, "the old checkout's records went with its trace")
        #expect(try c.scalarInt("SELECT count(*) FROM business_rollup WHERE period_seconds = 60") ?? 0 > 0, "roll-ups stay a week")
    }

    @Test func theConsoleOnReceivedDataSaysWhatItCannotShowAndShowsWhatItCan() throws {
        let t = TempStore("console")
        _ = try Self.receive(t.path, Self.checkoutTelemetry("chk-a", traceByte: 1, at: Self.now, settled: true, apiMillis: 120))
        let c = try Store.openForReading(path: t.path)
        let snap = try ConsoleSnapshot.load(c, limits: ConsoleLimits.snapshot, windowNanos: ConsoleState().timeRange.nanos)
        #expect(snap.holdsReceived && !snap.hasPipelineMetrics)
        var d = ConsoleData(snapshot: snap, trace: try TraceWaterfall.load(c, checkoutID: "chk-a"))
        d.receiverURL = "http://127.0.0.1:4318"
        var s = ConsoleState()
        s.width = 120; s.height = 36
        _ = Reducer.reduce(&s, .watchingReceived(true), data: d)
        func screen(_ view: ViewID) -> String {
            var v = s
            v.view = view
            v.traceCheckoutID = "chk-a"
            return Screen.render(v, d, theme: Theme.builtIn("monochrome")!, glyphs: .unicode).lines.joined(separator: "\n")
        }
        let overview = screen(.overview)
        #expect(overview.contains("receiving") && overview.contains("otlp in 127.0.0.1:4318"))
        #expect(overview.contains("no pipeline metrics received yet") && !overview.contains("0/s"), "no zeros presented as figures")
        #expect(screen(.payments).contains("payment state (checkouts, orders, wallets) is the embedded engine's own"))
        #expect(screen(.queues).contains("no queue metrics received yet"))
        #expect(screen(.trace).contains("received · SUCCESS"))
        #expect(screen(.business).contains("USD"))
        _ = Reducer.reduce(&s, .key(.char("o")), data: d)
        #expect(s.status?.text.contains("act on paytop's embedded engine only") == true)
    }
}
