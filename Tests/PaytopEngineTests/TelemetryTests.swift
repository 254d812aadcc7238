import Foundation
import Testing
@testable import PaytopEngine
@testable import PaytopStore
import PaytopJSON

/// A fixed-seed run's telemetry: whole traces, the right span kinds, queue waits, batch
/// links, and business events that point at real spans.
@Suite struct TelemetryTests {
    static func run(_ store: TempStore, checkouts: Int = 400, before: (Engine) throws -> Void = { _ in }) throws {
        var settings = testSettings(seed: 21, rate: 10, errorMix: true)
        settings.duplicateDeliveryProbability = 0.05
        try simulate(store, settings, checkouts: checkouts, before: before)
    }

    @Test func everyAcceptedCheckoutHasOneWholeTrace() throws {
        let store = TempStore()
        try Self.run(store)
        #expect(try store.int("""
            SELECT count(*) FROM payment_event e
            WHERE (SELECT count(*) FROM trace t WHERE t.checkout_id = e.checkout_id) != 1
               OR e.trace_no != (SELECT trace_no FROM trace t WHERE t.checkout_id = e.checkout_id)
            """) == 0)
        // Every parent exists in its own trace; each checkout trace has one root, the API span.
        #expect(try store.int("""
            SELECT count(*) FROM span_data s WHERE s.parent_span_id IS NOT NULL AND NOT EXISTS
              (SELECT 1 FROM span_data p WHERE p.trace_no = s.trace_no AND p.span_id = s.parent_span_id)
            """) == 0)
        #expect(try store.rows("""
            SELECT DISTINCT n.name FROM span_data s JOIN span_name n USING (name_code) JOIN trace t USING (trace_no)
            WHERE s.parent_span_id IS NULL AND t.checkout_id IS NOT NULL
            """) == [["POST /v1/payments"]])
        #expect(try store.int("SELECT count(*) FROM span WHERE service_name IS NULL OR service_version IS NULL") == 0)
        #expect(try store.int("SELECT count(DISTINCT trace_id) FROM span") == store.int("SELECT count(*) FROM trace"))
    }

    @Test func spanKindsAndAttributesFollowTheConventions() throws {
        let store = TempStore()
        try Self.run(store) { try $0.apply(.functionErrors(.wallet, rate: 0.1)) }
        let kinds = Dictionary(uniqueKeysWithValues: try store.rows("SELECT DISTINCT name, kind FROM span").map { ($0[0], $0[1]) })
        #expect(kinds["POST /v1/payments"] == "SERVER")
        #expect(kinds["initializer"] == "SERVER" && kinds["executor"] == "SERVER" && kinds["wallet"] == "SERVER")
        #expect(kinds["send payment-execution-queue"] == "PRODUCER" && kinds["send payment-results-queue"] == "PRODUCER")
        #expect(kinds["process payment-execution-queue"] == "CONSUMER" && kinds["process payment-results-queue"] == "CONSUMER")
        #expect(kinds["PutItem PaymentEvent"] == "CLIENT" && kinds["POST /process"] == "CLIENT" && kinds["charge"] == "SERVER")
        #expect(try store.int("SELECT count(*) FROM span WHERE kind = 'CLIENT' AND name LIKE '%Item%' AND json_extract(attributes, '$.\"db.system.name\"') != 'aws.dynamodb'") == 0)
        #expect(try store.int("SELECT count(*) FROM span WHERE kind = 'PRODUCER' AND json_extract(attributes, '$.\"messaging.system\"') = 'aws_sqs' AND json_extract(attributes, '$.\"messaging.operation.type\"') = 'send'")
                == store.int("SELECT count(*) FROM span WHERE kind = 'PRODUCER'"))
        #expect(try store.int("SELECT count(*) FROM span WHERE json_extract(attributes, '$.\"faas.coldstart\"') = 1") > 0)
        // Errors carry status ERROR with a message.
        #expect(try store.int("SELECT count(*) FROM span WHERE status_code = 'ERROR'") > 0)
        #expect(try store.int("SELECT count(*) FROM span WHERE status_code = 'ERROR' AND (status_message IS NULL OR status_message = '')") == 0)
    }

    /// A span's row keeps only the attributes whose value differs from its name's (the
    /// constant ones and the usual values); the `span` view gives every span all of them.
    @Test func aSpanStoresOnlyTheAttributesThatDifferFromItsNames() throws {
        let store = TempStore()
        try Self.run(store)
        #expect(try store.int("""
            SELECT count(*) FROM span_data s JOIN span_name n USING (name_code), json_each(s.attributes) a, json_each(n.attributes) b
            WHERE s.attributes IS NOT NULL AND a.key = b.key AND a.type = b.type AND a.atom IS b.atom
            """) == 0)
        // Every span still has the varying attributes, usual or not.
        for (name, key) in [("process payment-execution-queue", "messaging.aws_sqs.receive_count"),
                            ("process payment-results-queue", "messaging.aws_sqs.receive_count"),
                            ("executor", "messaging.batch.message_count"), ("wallet", "messaging.batch.message_count"),
                            ("UpdateItem PaymentOrder", "paytop.payment_order_status"), ("UpdateItem PaymentEvent", "paytop.is_payment_done"),
                            ("POST /process", "http.response.status_code"), ("charge", "http.response.status_code"),
                            ("POST /v1/payments", "http.response.status_code")] {
            let spans = try store.int("SELECT count(*) FROM span WHERE name = '\(name)'")
            #expect(spans > 0, "\(name)")
            #expect(try store.int("SELECT count(*) FROM span WHERE name = '\(name)' AND json_extract(attributes, '$.\"\(key)\"') IS NOT NULL") == spans,
                    "\(name) \(key)")
        }
        // The usual values are the usual ones: most spans store nothing of them.
        #expect(try store.int("SELECT count(*) FROM span WHERE name = 'process payment-execution-queue' AND json_extract(attributes, '$.\"messaging.aws_sqs.receive_count\"') = 1")
                > store.int("SELECT count(*) FROM span WHERE name = 'process payment-execution-queue'") / 2)
        #expect(try store.int("SELECT count(*) FROM span WHERE name = 'UpdateItem PaymentOrder' AND json_extract(attributes, '$.\"paytop.payment_order_status\"') = 'SUCCESS'") > 0)
        // The API's root span keeps its status code (what marks an HTTP request's first span).
        #expect(try store.int("SELECT count(*) FROM span_data s JOIN span_name n USING (name_code) WHERE n.name = 'POST /v1/payments' AND instr(s.attributes, '\"http.response.status_code\":') = 0") == 0)
    }

    @Test func queueWaitsAreGapsAndBatchesLinkTheirMessages() throws {
        let store = TempStore()
        try Self.run(store)
        // A CONSUMER span is a child of its PRODUCER and starts after it ended.
        #expect(try store.int("""
            SELECT count(*) FROM span_data c JOIN span_name cn ON cn.name_code = c.name_code
            JOIN span_data p ON p.trace_no = c.trace_no AND p.span_id = c.parent_span_id
            JOIN span_name pn ON pn.name_code = p.name_code
            WHERE cn.kind = 'CONSUMER' AND (pn.kind != 'PRODUCER' OR c.start_offset_ns < p.start_offset_ns + p.duration_ns)
            """) == 0)
        #expect(try store.int("SELECT count(*) FROM span WHERE kind = 'CONSUMER'") > 0)
        // Every invocation span links the producers of its batch's messages (duplicates share one).
        #expect(try store.int("""
            SELECT count(*) FROM span_data s JOIN span_name n USING (name_code)
            WHERE n.name IN ('executor', 'wallet')
              AND (json_extract(json_patch(n.attributes, coalesce(s.attributes, '{}')), '$."messaging.batch.message_count"')
                     < (SELECT count(*) FROM span_link_data l WHERE l.trace_no = s.trace_no AND l.span_id = s.span_id)
                   OR NOT EXISTS (SELECT 1 FROM span_link_data l WHERE l.trace_no = s.trace_no AND l.span_id = s.span_id))
            """) == 0)
        #expect(try store.int("SELECT count(*) FROM span_link") > 0)
        #expect(try store.int("""
            SELECT count(*) FROM span_link_data l JOIN span_data p ON p.trace_no = l.linked_trace_no AND p.span_id = l.linked_span_id
            JOIN span_name n USING (name_code) WHERE n.kind != 'PRODUCER'
            """) == 0)
    }

    @Test func businessEventsMatchTheirSpansAndTheTaxonomy() throws {
        let store = TempStore()
        try Self.run(store)
        #expect(try store.int("""
            SELECT count(*) FROM business_event_data e WHERE e.span_id IS NOT NULL AND NOT EXISTS
              (SELECT 1 FROM span_data s WHERE s.trace_no = e.trace_no AND s.span_id = e.span_id)
            """) == 0)
        let settled = try store.rows("""
            SELECT checkout_id FROM payment_event WHERE outcome = 'SUCCESS' LIMIT 1
            """)[0][0]
        let names = try store.rows("SELECT event_name FROM business_event WHERE checkout_id = '\(settled)' ORDER BY biz_timestamp, event_no").map { $0[0] }
        #expect(names.first == "payment.request.received")
        #expect(names.contains("payment.checkout.initiated") && names.contains("payment.checkout.queued"))
        #expect(names.contains("payment.psp.response") && names.contains("payment.wallet.queued"))
        #expect(names.contains("payment.order.settled") && names.last == "payment.checkout.settled")
        // Every FAILED checkout ends with the checkout-level failure the original forgot.
        #expect(try store.int("""
            SELECT count(*) FROM payment_event p WHERE p.outcome = 'FAILED' AND NOT EXISTS
              (SELECT 1 FROM business_event b WHERE b.checkout_id = p.checkout_id AND b.event_name = 'payment.checkout.failed')
            """) == 0)
        #expect(try store.int("SELECT count(*) FROM business_event WHERE event_name = 'payment.checkout.rejected'")
                == store.int("SELECT count(*) FROM business_event WHERE event_name = 'payment.checkout.rejected' AND stage = 'VALIDATION' AND outcome = 'REJECTED'"))
        #expect(try store.int("SELECT count(*) FROM business_event WHERE event_name = 'payment.checkout.rejected'") > 0)
        #expect(try store.int("SELECT count(DISTINCT event_domain || event_provider || event_version) FROM business_event") == 1)
    }

    @Test func aBadReleaseMovesItsServicesLatencyInTheSpans() throws {
        let scenario = try Scenario.parse("""
            name = "regress"
            [[timeline]]
            at = "60s"
            command = "deploy"
            service = "executor"
            version = "1.3.0"
            regression = "latency"
            """)
        let s2 = TempStore("regress")
        try simulate(s2, testSettings(seed: 4, rate: 10), checkouts: 1_200, scenario: scenario)
        let means = try s2.rows("""
            SELECT service_version, avg(end_time_unix_nano - start_time_unix_nano) / 1e6 FROM span
            WHERE name = 'process payment-execution-queue' GROUP BY service_version ORDER BY service_version
            """)
        #expect(means.map { $0[0] } == ["1.0.0", "1.3.0"])
        #expect(Double(means[1][1])! > Double(means[0][1])! + 300)
    }

    @Test func telemetryOffRecordsStateOnly() throws {
        let store = TempStore()
        var settings = testSettings(seed: 3)
        settings.telemetry = false
        try simulate(store, settings, checkouts: 200)
        #expect(try store.int("SELECT count(*) FROM span_data") == 0)
        #expect(try store.int("SELECT count(*) FROM payment_event") > 150)
        #expect(try store.invariants().isClean)
    }

    @Test(arguments: [
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", true),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", true),
        ("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future", true),
        ("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", false),   // uppercase
        ("00-00000000000000000000000000000000-00f067aa0ba902b7-01", false),   // zero trace id
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", false),   // zero parent id
        ("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false),   // version ff
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x", false), // v00 with extra
        ("00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", false),    // short
        ("garbage", false),
    ])
    func traceparentsAreParsedByTheW3CRules(header: String, valid: Bool) {
        #expect((W3CTraceContext.parse(header) != nil) == valid)
    }

    @Test func messagesCarryTheirProducersTraceparent() throws {
        let store = TempStore()
        let engine = try makeEngine(store, testSettings())
        try engine.apply(.pspOutage(on: true))
        _ = try submitAndDrain(engine, [requestBody(checkoutID: "chk-tp")])
        try engine.close()
        let attributes = try store.rows("SELECT attributes FROM queue_message WHERE checkout_id = 'chk-tp'")[0][0]
        let header = try JSONValue.parse(attributes)["traceparent"]?.stringValue ?? ""
        let parsed = try #require(W3CTraceContext.parse(header))
        let producer = String(parsed.parentID, radix: 16)
        #expect(try store.rows("SELECT name FROM span WHERE checkout_id = 'chk-tp' AND ltrim(span_id, '0') = '\(producer)'")
                == [["send payment-execution-queue"]])
        let traceID = try store.rows("SELECT DISTINCT trace_id FROM span WHERE checkout_id = 'chk-tp'")
        #expect(traceID.count == 1 && header.contains(traceID[0][0]))
    }
}

@Suite struct ReleaseTelemetryTests {
    @Test func deploysAndRollbacksAreSdlcEventsAndTheBadOneIsSuspect() throws {
        let store = TempStore()
        let scenario = try Scenario.load(path: repositoryRoot.appendingPathComponent("sample-data/scenarios/bad-release.toml").path)
        var settings = testSettings(seed: 8, rate: 10, errorMix: true)
        try scenario.apply(to: &settings)
        settings.seed = 8
        try simulate(store, settings, checkouts: 12_000, scenario: scenario)
        #expect(try store.rows("SELECT event_status, artifact_name, artifact_version, previous_version, regression FROM sdlc_event ORDER BY id")
                == [["started", "o11y-lab-payments-executor", "1.3.0", "1.0.0", "errors"],
                    ["finished", "o11y-lab-payments-executor", "1.3.0", "1.0.0", "errors"],
                    ["started", "o11y-lab-payments-executor", "1.0.0", "1.3.0", "NULL"],
                    ["finished", "o11y-lab-payments-executor", "1.0.0", "1.3.0", "NULL"]])
        #expect(try store.int("SELECT count(DISTINCT cicd_deployment_id) FROM sdlc_event") == 2)
        // Spans carry the version that served them.
        #expect(try store.rows("SELECT DISTINCT service_version FROM span WHERE service_name = 'executor' ORDER BY 1") == [["1.0.0"], ["1.3.0"]])
        let report = try ReleaseReport.load(try Store.openForReading(path: store.path))
        #expect(report.deployments.count == 2)
        #expect(report.suspect?.version == "1.3.0")
        #expect((report.deployments[0].after.errorRate ?? 0) > 0.1 && (report.deployments[0].before.errorRate ?? 1) < 0.05)
        #expect(!report.deployments[1].suspect)
    }

    /// A deploy with no traffic after it has no "after": no error rate of 0 % and no p95
    /// of 0 ms, and it is not a suspect.
    @Test func aDeployWithNoTrafficAfterItHasNoFigures() throws {
        let store = TempStore()
        try simulate(store, testSettings(rate: 10), checkouts: 600) { _ in }
        let engine = try makeEngine(store, testSettings(rate: 10))
        try engine.apply(.deploy(service: .executor, version: "2.0.0", regression: nil))
        try engine.close()
        let d = try #require(try ReleaseReport.load(try Store.openForReading(path: store.path)).deployments.last)
        #expect(d.before.errorRate != nil && d.before.p95Millis != nil)
        #expect(d.after.count == 0 && d.after.errorRate == nil && d.after.p95Millis == nil && d.after.meanMillis == nil)
        #expect(d.after.errorRateText == "— (0)" && d.after.p95Text == "— (0)")
        #expect(!d.suspect)
    }
}
