import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PaytopTestSupport
import Testing
import PaytopJSON
import PaytopProtobuf
@testable import PaytopIngest
@testable import PaytopStore

/// `paytop collect` and `paytop ingest --logs` as a user runs them: real processes, the
/// official OpenTelemetry Python SDK and paytop's own exporter as clients, SIGTERM and
/// SIGKILL to stop.
@Suite(.serialized) struct CollectCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    typealias Temp = CommandLineTests.Temp

    /// Starts `paytop collect` on a free port; returns it and its base URL.
    func startCollect(db: String) throws -> (Process, String) {
        let (p, url, _) = try ListeningProcess.start(["collect", "--db", db, "--listen", "127.0.0.1:0"], tag: "collect") { _ in true }
        return (p, url)
    }

    func stop(_ p: Process) -> Int32 {
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        return p.terminationStatus
    }

    struct Answer { let status: Int; let headers: [String: String]; let body: [UInt8] }

    /// One POST with URLSession, waited for.
    func post(_ url: String, _ body: [UInt8], headers: [String: String]) -> Answer {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var answer = Answer(status: 0, headers: [:], body: [])
        URLSession.shared.dataTask(with: request) { data, response, _ in
            let r = response as? HTTPURLResponse
            var h: [String: String] = [:]
            for (k, v) in r?.allHeaderFields ?? [:] { h[String(describing: k).lowercased()] = String(describing: v) }
            answer = Answer(status: r?.statusCode ?? 0, headers: h, body: Array(data ?? Data()))
            done.signal()
        }.resume()
        done.wait()
        return answer
    }

    static let protobuf = ["Content-Type": "application/x-protobuf"]

    /// An ExportTraceServiceRequest of `count` spans in one trace, one resource.
    static func traces(traceID: [UInt8], firstSpan: UInt64, count: Int) -> [UInt8] {
        var w = ProtobufWriter()
        w.message(1) { rs in
            rs.message(1) { res in
                res.message(1) { kv in kv.string(1, "service.name"); kv.message(2) { $0.oneofString(1, "kill-test") } }
            }
            rs.message(2) { ss in
                for i in 0..<count {
                    ss.message(2) { s in
                        s.bytes(1, traceID)
                        s.bytes(2, (0..<8).map { UInt8(truncatingIfNeeded: (firstSpan + UInt64(i)) >> (56 - 8 * UInt64($0))) })
                        s.string(5, "work")
                        s.int(6, 1)
                        s.fixed64(7, 1_700_000_000_000_000_000 + UInt64(i))
                        s.fixed64(8, 1_700_000_000_000_001_000 + UInt64(i))
                    }
                }
            }
        }
        return w.bytes
    }

    @Test(.enabled(if: KillNineTests.binary != nil, "the paytop executable is built"))
    func theOfficialSDKsTracesAndBusinessLogsShowAsTheCheckoutsWholeTrace() throws {
        let t = Temp("collect-sdk")
        let (collect, url) = try startCollect(db: t.path)
        for (checkout, decline) in [("chk-sdk-ok", false), ("chk-sdk-declined", true)] {
            try Python.seedPipeline(endpoint: url, checkout: checkout, decline: decline)
        }
        // The SDK's exporters got their 200s before the script exited: everything is committed.
        let r = try ReconcileCommandTests.paytop(["trace", "chk-sdk-ok", "--db", t.path, "--json"])
        try #require(r.status == 0, "\(r.err)")
        let w = try JSONValue.parse(r.out)
        #expect(w["received"]?.boolValue == true)
        #expect(w["outcome_from_events"]?.stringValue == "SUCCESS")
        let traces = try #require(w["traces"]?.arrayValue)
        #expect(traces.count == 3, "the initializer's trace and the executor's and wallet's batch traces, each naming the checkout")
        let spans = traces.flatMap { $0["spans"]?.arrayValue ?? [] }
        let names = spans.compactMap { $0["name"]?.stringValue }
        for name in ["POST /v1/payments", "PutItem PaymentEvent", "BatchWriteItem PaymentOrder", "send payment-execution-queue",
                     "process payment-execution-queue", "POST /process", "send payment-results-queue", "process payment-results-queue",
                     "Query PaymentOrder", "TransactWriteItems Wallet", "UpdateItem PaymentEvent"] {
            #expect(names.contains(name), "\(name) is in the waterfall")
        }
        let kinds = Dictionary(spans.map { ($0["name"]!.stringValue!, $0["kind"]!.stringValue!) }, uniquingKeysWith: { a, _ in a })
        #expect(kinds["POST /v1/payments"] == "SERVER" && kinds["send payment-execution-queue"] == "PRODUCER"
                && kinds["process payment-execution-queue"] == "CONSUMER" && kinds["PutItem PaymentEvent"] == "CLIENT")
        let producer = try #require(spans.first { $0["name"]?.stringValue == "send payment-execution-queue" })
        #expect(producer["linked_from"]?.arrayValue?.first?.stringValue?.hasPrefix("process payment-execution-queue ") == true,
                "the consumer's link to the producer, across traces")
        #expect(spans.first { $0["name"]?.stringValue == "POST /v1/payments" }?["service_name"]?.stringValue == "o11y-lab-payments-initializer")
        let failing = try #require(spans.first { $0["name"]?.stringValue == "UpdateItem PaymentEvent" })
        #expect(failing["events"]?.arrayValue?.first?["name"]?.stringValue == "exception", "the span's own event, from record_exception")
        #expect(failing["events"]?.arrayValue?.first?["attributes"]?["exception.message"]?.stringValue == "ConditionalCheckFailed (retried)")
        let events = traces.flatMap { $0["business_events"]?.arrayValue ?? [] }
        #expect(events.compactMap { $0["event_name"]?.stringValue }.sorted() == [
            "payment.checkout.initiated", "payment.checkout.queued", "payment.checkout.settled", "payment.order.settled",
            "payment.order.settled", "payment.psp.response", "payment.request.received", "payment.wallet.queued"],
                "both spellings: the blog's (initializer) and the code's (executor, wallet)")
        let psp = try #require(events.first { $0["event_name"]?.stringValue == "payment.psp.response" })
        #expect(psp["psp_latency_ms"]?.numberValue == 212 && psp["amount_total"]?.stringValue == "149.99")
        #expect(events.filter { $0["event_name"]?.stringValue == "payment.order.settled" }.compactMap { $0["merchant_id"]?.stringValue }.sorted()
                == ["merchant-7", "merchant-9"])

        let declined = try JSONValue.parse(try ReconcileCommandTests.paytop(["trace", "chk-sdk-declined", "--db", t.path, "--json"]).out)
        #expect(declined["outcome_from_events"]?.stringValue == "FAILED")
        let declinedEvents = (declined["traces"]?.arrayValue ?? []).flatMap { $0["business_events"]?.arrayValue ?? [] }
        #expect(declinedEvents.first { $0["event_name"]?.stringValue == "payment.psp.response" }?["error_code"]?.stringValue == "CARD_DECLINED")

        // The span event the SDK recorded (record_exception) is kept.
        let c = try Store.openForReading(path: t.path)
        #expect(try c.scalarInt("SELECT count(*) FROM span_event WHERE name = 'exception'") == 2)
        // The funnel of the received events.
        let b = try JSONValue.parse(try ReconcileCommandTests.paytop(["business", "--db", t.path, "--json", "--since", "1d"]).out)
        #expect(b["funnel"]?["received"]?.numberValue == 2 && b["funnel"]?["settled"]?.numberValue == 1, "\(b["funnel"] ?? .null)")
        #expect(stop(collect) == 143)
    }

    @Test(.enabled(if: KillNineTests.binary != nil, "the paytop executable is built"))
    func anExportedSimulationArrivesWithTheSameSpansAndBusinessEvents() throws {
        let simulated = Temp("collect-sim"), received = Temp("collect-recv")
        #expect(try ReconcileCommandTests.paytop(["simulate", "--checkouts", "400", "--seed", "11", "--db", simulated.path]).status == 0)
        let (collect, url) = try startCollect(db: received.path)
        let export = try ReconcileCommandTests.paytop(["export", "--db", simulated.path, "--otlp-endpoint", url])
        #expect(export.status == 0, "\(export.err)")
        #expect(stop(collect) == 143)
        let spans = """
            SELECT trace_id, span_id, coalesce(parent_span_id, ''), name, kind, service_name, service_version, start_time_unix_nano,
                   end_time_unix_nano, status_code, coalesce(status_message, ''), coalesce(checkout_id, ''), attributes
            FROM span ORDER BY trace_id, span_id
            """
        let events = """
            SELECT event_name, coalesce(checkout_id, ''), outcome, stage, biz_timestamp, coalesce(amount_total, ''),
                   coalesce(amount_currency, ''), coalesce(order_count, ''), coalesce(payment_order_id, ''), coalesce(merchant_id, ''),
                   coalesce(error_code, ''), coalesce(error_category, ''), coalesce(psp_latency_ms, ''), coalesce(trace_id, ''),
                   coalesce(span_id, ''), service_name, service_version
            FROM business_event ORDER BY trace_id, biz_timestamp, event_name, payment_order_id
            """
        let links = "SELECT * FROM span_link ORDER BY 1, 2, 3, 4"
        for (what, sql) in [("spans", spans), ("business events", events), ("links", links)] {
            let a = try rows(simulated.path, sql), b = try rows(received.path, sql)
            #expect(a.count > 100 && a.count == b.count, "\(what): \(a.count) sent, \(b.count) received")
            let first = zip(a, b).first { !sameRow($0, $1) }
            #expect(first == nil, "\(what) differ: \(first.map { "\($0.0)\n\($0.1)" } ?? "")")
        }
        #expect(try rows(received.path, "SELECT count(*) FROM received_trace") == rows(received.path, "SELECT count(*) FROM trace"))

        // And on again: the received store (each span a patch over its name's attributes,
        // null for a shared key it lacks) exported into a third store gives the same spans.
        let again = Temp("collect-again")
        let (second, secondURL) = try startCollect(db: again.path)
        let forward = try ReconcileCommandTests.paytop(["export", "--db", received.path, "--otlp-endpoint", secondURL])
        #expect(forward.status == 0, "\(forward.err)")
        #expect(stop(second) == 143)
        let a = try rows(simulated.path, spans), c = try rows(again.path, spans)
        #expect(a.count == c.count && zip(a, c).allSatisfy(sameRow), "spans forwarded from a received store differ")
        #expect(try rows(received.path, "SELECT count(*) FROM span_data WHERE attributes LIKE '%:null%'").first?.first != "0",
                "some received spans do lack a shared key (the patch's null is exercised)")
    }

    /// Rows as text columns; the last column of span rows (attributes) is compared as JSON.
    func rows(_ path: String, _ sql: String) throws -> [[String]] {
        let c = try Store.openForReading(path: path)
        let s = try c.cached(sql)
        defer { s.reset() }
        var out: [[String]] = []
        while try s.step() {
            out.append((0..<sqlite3ColumnCount(s)).map { s.isNull(Int32($0)) ? "NULL" : s.string(Int32($0)) })
        }
        return out
    }

    func sqlite3ColumnCount(_ s: Statement) -> Int { Int(s.columnCount) }

    func sameRow(_ a: [String], _ b: [String]) -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where x != y {
            guard x.hasPrefix("{"), let jx = try? JSONValue.parse(x), let jy = try? JSONValue.parse(y), jx == jy else { return false }
        }
        return true
    }

    @Test(.enabled(if: KillNineTests.binary != nil, "the paytop executable is built"))
    func badInputGetsAClearStatusAndTheReceiverKeepsRunning() throws {
        let t = Temp("collect-bad")
        let (collect, url) = try startCollect(db: t.path)
        let good = Self.traces(traceID: Array(repeating: 7, count: 16), firstSpan: 1, count: 3)

        var a = post(url + "/v1/traces", [0xff, 0xff, 0xff, 0x0f], headers: Self.protobuf)
        #expect(a.status == 400, "garbage protobuf")
        a = post(url + "/v1/traces", Array(good.dropLast(5)), headers: Self.protobuf)
        #expect(a.status == 400, "truncated protobuf")
        try a.body.withUnsafeBufferPointer { buf in
            var r = ProtobufReader(buf)
            var message = ""
            while let (f, w) = try r.next() { if f == 2 { message = try r.string() } else { try r.skip(w) } }
            #expect(message.contains("truncated"), "a google.rpc.Status saying why: \(message)")
        }
        a = post(url + "/v1/traces", Array("{\"resourceSpans\": [".utf8), headers: ["Content-Type": "application/json"])
        #expect(a.status == 400, "broken JSON")
        #expect((try? JSONValue.parse(a.body))?["message"]?.stringValue?.contains("not JSON") == true)
        a = post(url + "/v1/traces", good, headers: ["Content-Type": "text/plain"])
        #expect(a.status == 415, "wrong content type")
        a = post(url + "/v1/traces", good, headers: ["Content-Type": "application/x-protobuf", "Content-Encoding": "br"])
        #expect(a.status == 415, "an encoding other than gzip")
        a = post(url + "/v1/traces", [1, 2, 3, 4], headers: ["Content-Type": "application/x-protobuf", "Content-Encoding": "gzip"])
        #expect(a.status == 400, "gzip that is not gzip")
        a = post(url + "/v1/traces", [UInt8](repeating: 0, count: ReceiverLimits.maxBodyBytes + 1), headers: Self.protobuf)
        #expect(a.status == 413, "oversized body")
        let bomb = Gzip.deflate([UInt8](repeating: 0, count: ReceiverLimits.maxBodyBytes + 1024))
        a = post(url + "/v1/traces", bomb, headers: ["Content-Type": "application/x-protobuf", "Content-Encoding": "gzip"])
        #expect(a.status == 413, "a small gzip body that inflates past the limit")
        var get = URLRequest(url: URL(string: url + "/v1/logs")!)
        get.httpMethod = "GET"
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var getStatus = 0
        URLSession.shared.dataTask(with: get) { _, r, _ in getStatus = (r as? HTTPURLResponse)?.statusCode ?? 0; done.signal() }.resume()
        done.wait()
        #expect(getStatus == 405)

        // Still running: a good protobuf request, gzip'd, then JSON with one bad span (partial success).
        a = post(url + "/v1/traces", Gzip.deflate(good), headers: ["Content-Type": "application/x-protobuf", "Content-Encoding": "gzip"])
        #expect(a.status == 200 && a.body.isEmpty, "a full success is an empty ExportTraceServiceResponse")
        let json = """
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"json-client"}}]},
              "scopeSpans":[{"spans":[
                {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"1112131415161718","name":"ok","kind":2,
                 "startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000500000000",
                 "attributes":[{"key":"n","value":{"intValue":"9007199254740993"}}]},
                {"traceId":"0102","spanId":"1112131415161719","name":"bad id"}]}]}]}
            """
        a = post(url + "/v1/traces", Array(json.utf8), headers: ["Content-Type": "application/json"])
        #expect(a.status == 200)
        let partial = try JSONValue.parse(a.body)
        #expect(partial["partialSuccess"]?["rejectedSpans"]?.stringValue == "1", "\(partial)")
        #expect(partial["partialSuccess"]?["errorMessage"]?.stringValue?.contains("trace_id") == true)
        #expect(stop(collect) == 143)

        let c = try Store.openForReading(path: t.path)
        #expect(try c.scalarInt("SELECT count(*) FROM span") == 4)
        #expect(try rows(t.path, "SELECT json_extract(attributes, '$.n') FROM span WHERE name = 'ok'") == [["9007199254740993"]],
                "a 64-bit integer attribute stays exact")
        #expect(try c.scalarInt("SELECT start_time_unix_nano FROM span WHERE name = 'ok'") == 1_700_000_000_000_000_000)
        let status = try rows(t.path, "SELECT requests, spans_accepted, refused, rejected FROM otlp_receiver")
        #expect(status == [["2", "4", "8", "1"]], "8 refused requests (one item each), 1 rejected span: \(status)")
    }

    @Test(.enabled(if: KillNineTests.binary != nil, "the paytop executable is built"))
    func killNineLosesNoAcknowledgedSpan() throws {
        let t = Temp("collect-kill")
        let (collect, url) = try startCollect(db: t.path)
        let traceID = (0..<16).map { UInt8($0 + 1) }
        nonisolated(unsafe) var acknowledged: [UInt64] = []
        let lock = NSLock()
        let group = DispatchGroup()
        for client in 0..<4 {
            group.enter()
            Thread {
                defer { group.leave() }
                for i in 0..<400 {
                    let first = UInt64(client * 1_000_000 + i * 50 + 1)
                    let a = self.post(url + "/v1/traces", Self.traces(traceID: traceID, firstSpan: first, count: 50), headers: Self.protobuf)
                    guard a.status == 200 else { return }
                    lock.lock(); acknowledged.append(first); lock.unlock()
                }
            }.start()
        }
        // Kill once a good number of requests have been answered.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            lock.lock(); let n = acknowledged.count; lock.unlock()
            if n >= 200 { break }
            usleep(1_000)
        }
        kill(collect.processIdentifier, SIGKILL)
        group.wait()
        collect.waitUntilExit()
        lock.lock(); let acked = acknowledged; lock.unlock()
        #expect(acked.count >= 200)
        let c = try Store.openForReading(path: t.path)
        let stored = Set(try rows(t.path, "SELECT span_id FROM span").map { UInt64($0[0], radix: 16)! })
        let missing = acked.flatMap { first in (0..<50).map { first + UInt64($0) } }.filter { !stored.contains($0) }
        #expect(missing.isEmpty, "\(missing.count) acknowledged spans missing after kill -9")
        #expect(try c.scalarInt("SELECT count(*) FROM span") ?? 0 >= Int64(acked.count * 50))
    }

    @Test(.enabled(if: KillNineTests.binary != nil, "the paytop executable is built"))
    func lambdaLogLinesInBothSpellingsBecomeBusinessEvents() throws {
        let t = Temp("ingest-logs")
        let file = t.path + ".log"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let lines = [
            // The blog's spelling, with dt.trace_id as Dynatrace injects it.
            #"{"level":"INFO","location":"log_business_event:42","message":"Payment checkout initiated","timestamp":"2026-12-01 15:26:10,608+0000","service":"payments-initializer","cold_start":true,"function_name":"o11y-lab-payments-initializer","function_memory_size":"192","function_request_id":"abc-123","event_name":"payment.checkout.initiated","event_type":"initiated","event_domain":"payments","payment_checkout_id":"chk-log-1","payment_outcome":"VALIDATED","payment_stage":"INITIALIZATION","amount_total":"149.99","amount_currency":"USD","order_count":3,"biz_timestamp":"2026-12-01T15:26:10.600Z","dt.trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","dt.span_id":"00f067aa0ba902b7"}"#,
            // The code's spelling, X-Ray trace id, dotted details.
            #"{"level":"INFO","message":"PSP response received","timestamp":"2026-12-01 15:26:11,020+0000","service":"payments-executor","function_name":"o11y-lab-payments-executor","event_type":"payment.psp.response","biz_checkout_id":"chk-log-1","outcome":"FAILURE","stage":"PSP_INTEGRATION","psp.latency.ms":311,"psp.response.error_code":"INSUFFICIENT_FUNDS","error.category":"BUSINESS","amount.total":"149.99","amount.currency":"USD","xray_trace_id":"1-5759e988-bd862e3fe1be46a994272793"}"#,
            "this line is not JSON",
            // A plain Powertools log: kept as a log record, not an error.
            #"{"level":"WARNING","message":"retrying PSP call","timestamp":"2026-12-01 15:26:11,100+0000","service":"payments-executor"}"#,
            "",
            #"["an array, not an object"]"#,
        ]
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let r = try ReconcileCommandTests.paytop(["ingest", "--logs", file, "--db", t.path])
        #expect(r.status == 1, "malformed lines: exit 1")
        #expect(r.out.contains("3 log records, 2 business events, 2 malformed"), "\(r.out)")
        #expect(r.err.contains("line 3: not JSON") && r.err.contains("line 6: not a JSON object"), "\(r.err)")
        let events = try rows(t.path, """
            SELECT event_name, checkout_id, outcome, biz_timestamp, coalesce(amount_total, ''), coalesce(order_count, ''),
                   coalesce(error_code, ''), coalesce(psp_latency_ms, ''), coalesce(trace_id, ''), coalesce(span_id, ''), service_name
            FROM business_event ORDER BY event_no
            """)
        #expect(events == [
            ["payment.checkout.initiated", "chk-log-1", "VALIDATED", "1796138770600000000", "149.99", "3", "", "",
             "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", "payments-initializer"],
            ["payment.psp.response", "chk-log-1", "FAILURE", "1796138771020000000", "149.99", "", "INSUFFICIENT_FUNDS", "311",
             "5759e988bd862e3fe1be46a994272793", "", "payments-executor"],
        ], "\(events)")
        #expect(try rows(t.path, "SELECT severity_text, body FROM log_record WHERE event_no IS NULL") == [["WARNING", "retrying PSP call"]])
        #expect(try rows(t.path, "SELECT time_unix_nano FROM log_record WHERE body = 'retrying PSP call'") == [["1796138771100000000"]])
        let trace = try ReconcileCommandTests.paytop(["trace", "chk-log-1", "--db", t.path])
        #expect(trace.status == 0 && trace.out.contains("payment.psp.response"), "\(trace.out)\(trace.err)")
    }

    /// The seed's handlers run locally log with no X-Ray trace id: their events keep their
    /// checkout everywhere — `events --json` (checkout_id present, trace_id absent),
    /// `events --checkout`, and `trace`, which shows the events timeline and says no spans
    /// arrived.
    @Test(.enabled(if: KillNineTests.binary != nil, "the paytop executable is built"))
    func logLinesWithoutATraceKeepTheirCheckout() throws {
        let t = Temp("ingest-untraced")
        let file = t.path + ".log"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let lines = [
            #"{"level":"INFO","message":"Payment request received","timestamp":"2026-12-01 15:26:10,500+0000","service":"payments-initializer","event_name":"payment.request.received","payment_checkout_id":"chk-local-1","payment_outcome":"RECEIVED","payment_stage":"INITIALIZATION","amount_total":"42.00","amount_currency":"EUR"}"#,
            #"{"level":"INFO","message":"PSP response received","timestamp":"2026-12-01 15:26:11,020+0000","service":"payments-executor","event_type":"payment.psp.response","biz_checkout_id":"chk-local-1","outcome":"SUCCESS","stage":"PSP_INTEGRATION","psp.latency.ms":211}"#,
            #"{"level":"INFO","message":"Checkout settled","timestamp":"2026-12-01 15:26:12,000+0000","service":"payments-wallet","event_name":"payment.checkout.settled","payment_checkout_id":"chk-local-1","payment_outcome":"SUCCESS","payment_stage":"SETTLEMENT"}"#,
            #"{"level":"INFO","message":"Payment request received","timestamp":"2026-12-01 15:26:13,000+0000","service":"payments-initializer","event_name":"payment.request.received","payment_checkout_id":"chk-local-2","payment_outcome":"RECEIVED","payment_stage":"INITIALIZATION"}"#,
        ]
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try ReconcileCommandTests.paytop(["ingest", "--logs", file, "--db", t.path]).status == 0)
        let all = try ReconcileCommandTests.paytop(["events", "--json", "--db", t.path]).out
            .split(separator: "\n").map { try JSONValue.parse(String($0)) }
        #expect(all.count == 4)
        #expect(all.map { $0["checkout_id"]?.stringValue } == ["chk-local-1", "chk-local-1", "chk-local-1", "chk-local-2"])
        #expect(all.allSatisfy { $0["trace_id"] == nil }, "no trace id: the key is absent, not empty")
        let one = try ReconcileCommandTests.paytop(["events", "--json", "--checkout", "chk-local-1", "--db", t.path]).out
            .split(separator: "\n")
        #expect(one.count == 3)
        let trace = try ReconcileCommandTests.paytop(["trace", "chk-local-1", "--db", t.path])
        #expect(trace.status == 0, "\(trace.err)")
        #expect(trace.out.contains("no spans arrived") && trace.out.contains("payment.checkout.settled")
                && trace.out.contains("SUCCESS"), "\(trace.out)")
        let json = try JSONValue.parse(try ReconcileCommandTests.paytop(["trace", "chk-local-1", "--json", "--db", t.path]).out)
        #expect(json["traces"]?.arrayValue?.first?["business_events"]?.arrayValue?.count == 3)
        #expect(json["traces"]?.arrayValue?.first?["trace_id"] == nil && json["traces"]?.arrayValue?.first?["no_spans"] == .bool(true))
        #expect(json["outcome_from_events"]?.stringValue == "SUCCESS")
    }
}
