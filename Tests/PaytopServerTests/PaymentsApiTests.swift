import Foundation
import Testing
import PaytopEngine
@testable import PaytopServer
import PaytopJSON
@testable import PaytopStore

/// The HTTP API from a real client over loopback: every status it answers, idempotent
/// resubmission, traceparent continuation, and the seed's sample requests.
@Suite(.serialized) struct PaymentsApiTests {
    /// Which Content-Type a POST may carry (the 415 rule), without a server.
    @Test func aJSONMediaTypeIsRecognisedWithParametersCaseAndWhitespace() {
        for ok in ["application/json", "Application/JSON", " application/json\t; charset=utf-8", "application/json;charset=UTF-8",
                   "application/merge-patch+json", "application/vnd.api+json ; v=1"] {
            #expect(PaymentsAPI.isJSON(ok), "\(ok)")
        }
        for bad in ["text/plain", "text/json", "application/jsonx", "application/json-seq", "", ";application/json",
                    "application/x-www-form-urlencoded", "json", "+json", "text/+json"] {
            #expect(!PaymentsAPI.isJSON(bad), "\(bad)")
        }
    }

    @Test func acceptedCheckoutIsCommittedAndReadableBack() throws {
        let api = try LiveApi()
        let r = try api.post(paymentRequest("chk-api-1"))
        #expect(r.status == 202)
        #expect(r.headers["content-type"] == "application/json")
        // The seed's envelope: the checkout as validated under payment_event, and its message.
        #expect(r.json?["message"] == "Payment event initiated")
        let event = r.json?["payment_event"]
        #expect(event?["checkout_id"] == "chk-api-1")
        #expect(event?["status"] == "ACCEPTED")
        #expect(event?["buyer_info"]?["user_id"] != nil)
        #expect(event?["credit_card_info"] == nil)
        #expect(event?["payment_orders"]?.arrayValue?.first?["payment_order_status"] == "NOT_STARTED")
        #expect(event?["payment_orders"]?.arrayValue?.first?["amount"] == "25.00")
        #expect(!r.text.contains("tok_visa_4242"), "the 202 never echoes card data")
        // The 202 came after the commit: a fresh reader sees the checkout at once.
        #expect(try api.rows("SELECT count(*) FROM payment_event WHERE checkout_id = 'chk-api-1'") == [["1"]])

        let g = try api.get("/v1/payments/chk-api-1")
        #expect(g.status == 200)
        #expect(g.json?["checkout_id"] == "chk-api-1")
        #expect(g.json?["amount_total"] == "25.00")
        #expect(g.json?["payment_orders"]?.arrayValue?.first?["payment_order_id"] == "po-chk-api-1-1")
        #expect(!g.text.contains("tok_visa_4242"))
        try api.stop()
        // After the engine stopped, the checkout has settled (speed ×100) and nothing broke.
        let report = try InvariantCheck.run(try Store.openForReading(path: api.path))
        #expect(report.violations.isEmpty, "\(report.violations)")
    }

    /// A checkout whose id holds a space, a slash and a non-ASCII letter is found by its
    /// percent-encoded path, as any HTTP client sends it.
    @Test func aPercentEncodedIdIsFound() throws {
        let api = try LiveApi()
        let id = "chk a/é"
        #expect(try api.post(paymentRequest(id)).status == 202)
        let g = try api.get("/v1/payments/chk%20a%2F%C3%A9")
        #expect(g.status == 200)
        #expect(g.json?["checkout_id"]?.stringValue == id)
        // Not valid percent-encoding: taken as written, and no checkout has that id.
        #expect(try api.get("/v1/payments/chk%zz").status == 404)
        try api.stop()
    }

    /// As `paytop serve` runs: the 202 once the checkout is in the redo log, the file behind
    /// it, and GET and /healthz answering from what is durable.
    @Test func aCheckoutInTheRedoLogIsReadableBeforeTheFileHasIt() throws {
        let api = try LiveApi(redoLogHoldingCommits: true)
        let r = try api.post(paymentRequest("chk-api-redo"))
        #expect(r.status == 202)
        #expect(try api.rows("SELECT count(*) FROM payment_event WHERE checkout_id = 'chk-api-redo'") == [["0"]], "the file lags")
        let g = try api.get("/v1/payments/chk-api-redo")
        #expect(g.status == 200)
        #expect(g.json?["amount_total"] == "25.00")
        #expect(g.json?["payment_orders"]?.arrayValue?.first?["payment_order_id"] == "po-chk-api-redo-1")
        let traceID = try #require(r.headers["traceparent"]).split(separator: "-")[1]
        #expect(g.json?["trace_id"]?.stringValue == String(traceID))
        let h = try api.get("/healthz")
        #expect((h.json?["uncommitted_batches"]?.numberValue ?? 0) > 0)
        #expect((h.json?["redo_log_bytes"]?.numberValue ?? 0) > 0)
        #expect(h.json?["store_lag_ms"] != nil)
        try api.stop()
        #expect(try api.rows("SELECT count(*) FROM payment_event WHERE checkout_id = 'chk-api-redo'") == [["1"]])
        #expect(!FileManager.default.fileExists(atPath: api.path + "-redo"), "a clean stop commits and removes the log")
    }

    @Test func stoppingAnswersTheRequestsTheEngineHolds() throws {
        let api = try LiveApi()
        // 10 s in the initializer is 100 ms of wall time at ×100: in flight when the stop comes.
        let reply = api.postInBackground(paymentRequest("chk-api-drain", simulate: ["initializer": ["latency": 10]]))
        try api.waitUntilEngineHolds(1)
        try api.stop()
        let r = try reply().get()
        #expect(r.status == 202, "the stopping engine ran on until the initializer answered: \(r.text)")
        #expect(try api.rows("SELECT count(*) FROM payment_event WHERE checkout_id = 'chk-api-drain'") == [["1"]])
        let report = try InvariantCheck.run(try Store.openForReading(path: api.path))
        #expect(report.violations.isEmpty, "\(report.violations)")
    }

    @Test func requestsStillHeldAfterTheDrainAreRefusedAndNotWritten() throws {
        let api = try LiveApi(drainSeconds: 0)
        let reply = api.postInBackground(paymentRequest("chk-api-cut", simulate: ["initializer": ["latency": 10]]))
        try api.waitUntilEngineHolds(1)
        try api.stop()
        let r = try reply().get()
        #expect(r.status == 503)
        #expect(r.json?["message"] == "the engine is stopping")
        #expect(r.headers["retry-after"] == "1")
        #expect(try api.rows("SELECT count(*) FROM payment_event WHERE checkout_id = 'chk-api-cut'") == [["0"]])
        #expect(api.inbox.inFlight == 0)
    }

    /// The redo log's disk fills while callers wait: each hears an answer — 202 for what
    /// the log holds, 503 for what it could not take — none is left hanging, the engine
    /// stops with the error, and the store then holds exactly the accepted checkouts.
    @Test func aFullDiskAnswersEveryCallerAndKeepsExactlyTheAccepted() throws {
        let api = try LiveApi(redoLogHoldingCommits: true)
        // Three accepted before the disk fills: some are, however the burst is batched.
        for i in 0..<3 { #expect(try api.post(paymentRequest("chk-api-full-before-\(i)")).status == 202) }
        api.writer.fillRedoLogDevice(after: 40_000)  // about a dozen checkouts (~3.4 KB each)
        let ids = (0..<3).map { "chk-api-full-before-\($0)" } + (0..<160).map { "chk-api-full-\($0)" }
        // 16 callers at once, so that answers wait on the append that fails.
        let callers = stride(from: 3, to: ids.count, by: 10).map { first in
            let mine = Array(ids[first..<min(first + 10, ids.count)])
            let done = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var statuses: [(String, Result<Reply, Error>)] = []
            Thread {
                for id in mine { statuses.append((id, Result { try api.post(paymentRequest(id)) })) }
                done.signal()
            }.start()
            return { done.wait(); return statuses }
        }
        let replies = callers.flatMap { $0() }
        #expect { try api.stop() } throws: { "\($0)".contains("No space left on device") }

        var accepted = Set(ids.prefix(3))
        for (id, result) in replies {
            let reply = try result.get()  // an answer, not a client timeout
            #expect(reply.status == 202 || reply.status == 503, "\(id): \(reply.status) \(reply.text)")
            if reply.status == 202 { accepted.insert(id) }
            if reply.status == 503 {
                #expect(reply.json?["message"]?.stringValue?.contains("its store failed") == true
                        || reply.json?["message"] == "the engine is stopping", "\(reply.text)")
            }
        }
        #expect(accepted.count < ids.count, "the disk filled part-way: \(accepted.count) accepted")
        // Opening the store applies the log the stopped engine left.
        let stored = Set(try api.rows("SELECT checkout_id FROM payment_event").map { $0[0] })
        #expect(stored == accepted)
        #expect(!FileManager.default.fileExists(atPath: api.path + "-redo"), "the log was applied")
    }

    @Test func resubmissionIsIdempotentAndADifferentBodyConflicts() throws {
        let api = try LiveApi()
        defer { try? api.stop() }
        let first = try api.post(paymentRequest("chk-api-2"))
        let again = try api.post(paymentRequest("chk-api-2"))
        #expect(first.status == 202 && again.status == 202)
        #expect(first.json == again.json)
        let changed = try api.post(paymentRequest("chk-api-2", amount: "26.00"))
        #expect(changed.status == 409)
        #expect(changed.json?["error"] == "Conflict")
        // Another checkout reusing this one's order id is refused too.
        var other = paymentRequest("chk-api-3")
        if case .object(var o) = other {
            o["payment_orders"] = [["payment_order_id": "po-chk-api-2-1", "seller_account": "seller-acct-002",
                                    "amount": "1.00", "currency": "USD"]]
            other = .object(o)
        }
        #expect(try api.post(other).status == 409)
        #expect(try api.rows("SELECT count(*) FROM payment_order WHERE payment_order_id = 'po-chk-api-2-1'") == [["1"]])
    }

    @Test func clientTraceparentIsContinued() throws {
        let api = try LiveApi()
        let client = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        let r = try api.post(paymentRequest("chk-api-tp"), headers: ["traceparent": client])
        #expect(r.status == 202)
        let answered = try #require(r.headers["traceparent"])
        #expect(answered.hasPrefix("00-0af7651916cd43dd8448eb211c80319c-"))
        #expect(answered != client, "the answer names API Gateway's span, a child of the client's")
        let apiSpan = String(answered.split(separator: "-")[2])

        // An invalid traceparent (uppercase hex) is ignored: a trace of our own.
        let bad = try api.post(paymentRequest("chk-api-tp-bad"), headers: ["traceparent": client.uppercased()])
        #expect(bad.status == 202)
        #expect(bad.headers["traceparent"].map { !$0.contains("0af7651916cd43dd8448eb211c80319c") } == true)
        try api.stop()

        let span = try api.rows("""
            SELECT trace_id, span_id, parent_span_id FROM span
            WHERE checkout_id = 'chk-api-tp' AND name = 'POST /v1/payments'
            """)
        #expect(span == [["0af7651916cd43dd8448eb211c80319c", apiSpan, "b7ad6b7169203331"]])
        // Every span of the checkout's trace is in the client's trace.
        #expect(try api.rows("SELECT DISTINCT trace_id FROM span WHERE checkout_id = 'chk-api-tp'")
                == [["0af7651916cd43dd8448eb211c80319c"]])
        #expect(try api.rows("SELECT parent_span_id FROM span WHERE checkout_id = 'chk-api-tp-bad' AND name = 'POST /v1/payments'")
                == [["NULL"]])
    }

    @Test func badRequestsGetClearStatusesAndTheEngineLosesNothing() throws {
        let api = try LiveApi()
        let ok = try api.post(paymentRequest("chk-api-ok"))
        #expect(ok.status == 202)

        let invalid = try api.post(Data("{\"checkout_id\": ".utf8))
        #expect(invalid.status == 400 && invalid.json == ["error": "Invalid JSON"])
        #expect(try api.post(Data()).json == ["error": "Invalid JSON"])
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(try api.post(Data(deep.utf8)).status == 400)

        var numeric = paymentRequest("chk-api-num")
        if case .object(var o) = numeric {
            o["payment_orders"] = [["payment_order_id": "po-num", "seller_account": "seller-acct-001", "amount": 25, "currency": "USD"]]
            numeric = .object(o)
        }
        let wrongType = try api.post(numeric)
        #expect(wrongType.status == 400)
        #expect(wrongType.json?["error"] == "Validation failed")
        #expect(wrongType.json?["details"]?.arrayValue?.isEmpty == false)
        #expect(try api.post(["checkout_id": "chk-missing"]).status == 400)

        let text = try api.post(Data("hello".utf8), contentType: "text/plain")
        #expect(text.status == 415 && text.json?["error"] == "Unsupported Media Type")
        #expect(try api.post(paymentRequest("chk-api-cs"), headers: ["Content-Type": "application/json; charset=utf-8"]).status == 202)

        let huge = Data(repeating: UInt8(ascii: " "), count: PaymentsAPI.maxBodyBytes + 1)
        let tooLarge = try api.post(huge)
        #expect(tooLarge.status == 413 && tooLarge.json?["error"] == "Payload Too Large")

        let unknown = try api.get("/v1/refunds")
        #expect(unknown.status == 404 && unknown.json?["error"] == "Not Found")
        let missing = try api.get("/v1/payments/chk-nobody")
        #expect(missing.status == 404)
        let wrongMethod = Reply(try api.client.send("DELETE", api.url("/v1/payments")))
        #expect(wrongMethod.status == 405 && wrongMethod.headers["allow"] == "POST")
        let health = try api.get("/healthz")
        #expect(health.status == 200 && health.json?["status"] == "ok")

        // After all that, the engine still takes requests and nothing was lost.
        #expect(try api.post(paymentRequest("chk-api-after")).status == 202)
        try api.stop()
        #expect(try api.rows("SELECT checkout_id FROM payment_event ORDER BY checkout_id")
                == [["chk-api-after"], ["chk-api-cs"], ["chk-api-ok"]])
        let report = try InvariantCheck.run(try Store.openForReading(path: api.path))
        #expect(report.violations.isEmpty, "\(report.violations)")
    }

    @Test func gatewayThrottleAnswers429() throws {
        var settings = LiveApi.quietSettings()
        settings.api.throttleRate = 1
        settings.api.throttleBurst = 2
        let api = try LiveApi(settings: settings, speed: 1)
        defer { try? api.stop() }
        var replies: [Reply] = []
        for i in 0..<6 { replies.append(try api.post(paymentRequest("chk-api-throttle-\(i)"))) }
        #expect(replies.prefix(2).map(\.status) == [202, 202])
        let throttled = try #require(replies.first { $0.status == 429 }, "\(replies.map(\.status))")
        #expect(throttled.json == ["message": "Too Many Requests"])
        #expect(throttled.headers["retry-after"] == "1")
    }

    @Test func simulatedInitializerErrorIs500() throws {
        let api = try LiveApi()
        defer { try? api.stop() }
        let r = try api.post(paymentRequest("chk-api-500", simulate: ["initializer": ["error": true]]))
        #expect(r.status == 500)
        #expect(try api.rows("SELECT count(*) FROM payment_event WHERE checkout_id = 'chk-api-500'") == [["0"]])
    }

    /// Every file of sample-data/payments/ gets the status its README table gives.
    @Test func sampleRequestsGetTheirDocumentedStatuses() throws {
        let api = try LiveApi()
        defer { try? api.stop() }
        let dir = repositoryRoot.appendingPathComponent("sample-data/payments")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count >= 18)
        for file in files {
            let body = try Data(contentsOf: dir.appendingPathComponent(file))
            let expected = file.hasPrefix("invalid-") ? 400 : file == "simulate-initializer-error.json" ? 500 : 202
            let r = try api.post(body)
            #expect(r.status == expected, "\(file): \(r.status) \(r.text)")
        }
    }

    @Test func aPortInUseIsAClearError() throws {
        let api = try LiveApi()
        defer { try? api.stop() }
        #expect {
            try ApiServer.start(host: "127.0.0.1", port: api.server.port, api: PaymentsAPI(inbox: EngineInbox(), storePath: api.path))
        } throws: { error in
            "\(error)".contains("address already in use")
        }
    }

    static let docsFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/openapi.json")

    /// The OpenAPI document: the one served is the one in docs/, and it names every route.
    @Test func theServedOpenAPIDocumentIsTheOneInDocs() throws {
        let docs = try JSONValue.parse(Array(try Data(contentsOf: Self.docsFile)))
        let api = try LiveApi()
        let r = try api.get("/openapi.json")
        try api.stop()
        #expect(r.status == 200 && r.headers["content-type"] == "application/json")
        let served = try JSONValue.parse(Array(r.text.utf8))
        #expect(served == docs, "Sources/PaytopServer/OpenAPIDocument.swift differs from docs/openapi.json")
        #expect(served["openapi"] == "3.1.0")
        let paths = Set(served["paths"]?.objectValue?.keys.map { $0 } ?? [])
        #expect(paths == ["/v1/payments", "/v1/payments/{checkout_id}", "/healthz", "/openapi.json"])
    }
}
