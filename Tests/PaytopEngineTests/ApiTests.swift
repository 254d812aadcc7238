import Foundation
import Testing
@testable import PaytopEngine
@testable import PaytopStore
import PaytopJSON

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// API Gateway and the initializer: the seed's validation, paytop's tightenings,
/// idempotent resubmission, and every sample request.
@Suite struct ApiTests {
    func validate(_ body: JSONValue) -> [ValidationIssue] {
        if case .failure(let f) = PaymentRequestValidator.validate(body) { return f.issues }
        return []
    }

    @Test func anAmountSentAsANumberIsRejectedWithItsFieldPath() {
        var body = requestBody()
        if case .object(var o) = body, case .array(var orders) = o["payment_orders"]!, case .object(var first) = orders[0] {
            first["amount"] = .number(149.99)
            orders[0] = .object(first)
            o["payment_orders"] = .array(orders)
            body = .object(o)
        }
        let issues = validate(body)
        #expect(issues == [ValidationIssue(field: "payment_orders.0.amount", message: "Input should be a valid string", value: .number(149.99))])
    }

    @Test(arguments: [
        ("10", "10.00"), ("10.5", "10.50"), ("0.01", "0.01"), ("0", "0.00"), ("1000000000000.00", "1000000000000.00"),
    ])
    func moneyParsesDecimalStrings(text: String, normalized: String) {
        #expect(Money(decimalString: text)?.description == normalized)
    }

    @Test(arguments: ["-1", "1e3", " 1", "1.234", ".5", "5.", "", "abc", "1000000000000.01", "99999999999999999999"])
    func moneyRejectsEverythingElse(text: String) {
        #expect(Money(decimalString: text) == nil)
    }

    @Test func paytopTightensWhatTheOriginalLetThrough() {
        let empty: JSONValue = ["checkout_id": "c", "buyer_info": ["user_id": "u", "email": "nobody"],
                                "credit_card_info": [:], "payment_orders": []]
        let fields = validate(empty).map(\.field)
        #expect(fields.contains("payment_orders"))
        #expect(fields.contains("buyer_info.email"))
        let mixed: JSONValue = ["checkout_id": "c", "buyer_info": ["user_id": "u", "email": "a@b"], "credit_card_info": [:],
                                "payment_orders": [["payment_order_id": "p1", "seller_account": "s", "amount": "1", "currency": "USD"],
                                                   ["payment_order_id": "p1", "seller_account": "s", "amount": "1", "currency": "EUR"],
                                                   ["payment_order_id": "p3", "seller_account": "s", "amount": "1", "currency": "XYZ"]]]
        let issues = validate(mixed)
        #expect(issues.contains { $0.field == "payment_orders.1.payment_order_id" && $0.message.contains("duplicate") })
        #expect(issues.contains { $0.field == "payment_orders.2.currency" && $0.message.contains("ISO 4217") })
        #expect(validate(requestBody()).isEmpty)
    }

    @Test func theAcceptedResponseNeverEchoesCardData() throws {
        let store = TempStore()
        let engine = try makeEngine(store, testSettings())
        var body = requestBody(checkoutID: "chk-card")
        if case .object(var o) = body {
            o["credit_card_info"] = ["payment_token": "tok_secret", "number": "4242424242424242", "cvc": "123"]
            body = .object(o)
        }
        let responses = try submitAndDrain(engine, [body])
        try engine.close()
        #expect(responses.count == 1 && responses[0].status == 202)
        let text = responses[0].body.encoded
        #expect(!text.contains("4242") && !text.contains("tok_secret") && !text.contains("cvc"))
        #expect(try store.rows("SELECT credit_card_info FROM payment_event") == [["{\"payment_token\":\"tok_secret\"}"]])
    }

    @Test func resubmittingACheckoutIsIdempotentAndADifferentBodyConflicts() throws {
        let store = TempStore()
        let engine = try makeEngine(store, testSettings())
        let first = try submitAndDrain(engine, [requestBody(checkoutID: "chk-again")])
        let again = try submitAndDrain(engine, [requestBody(checkoutID: "chk-again")])
        let different = try submitAndDrain(engine, [requestBody(checkoutID: "chk-again", amount: "999.00")])
        // Another checkout may not take over an order id that already belongs to one.
        var thief = requestBody(checkoutID: "chk-thief")
        if case .object(var o) = thief {
            o["payment_orders"] = [["payment_order_id": "chk-again-po-1", "seller_account": "seller-acct-009", "amount": "1.00", "currency": "USD"]]
            thief = .object(o)
        }
        let stolen = try submitAndDrain(engine, [thief])
        try engine.close()
        #expect(stolen.map(\.status) == [409])
        #expect(stolen[0].body["message"]?.stringValue == "payment_order_id chk-again-po-1 already belongs to checkout chk-again")
        #expect(first.map(\.status) == [202])
        #expect(again.map(\.status) == [202])
        #expect(again[0].body == first[0].body)
        #expect(different.map(\.status) == [409])
        #expect(try store.int("SELECT count(*) FROM payment_event") == 1)
        #expect(try store.int("SELECT count(*) FROM ledger_entry WHERE direction = 'credit'") == 1)
        #expect(engine.stats.idempotentReplays == 1 && engine.stats.conflicts == 2)
    }

    /// Ids that differ only after a U+0000 are two checkouts in the store as in the
    /// engine: the store once cut text at the first U+0000, so the second checkout's
    /// ledger rows collided with the first's and the writer stopped the engine.
    @Test func idsThatDifferAfterANulCharacterAreTwoCheckouts() throws {
        let store = TempStore()
        let engine = try makeEngine(store, testSettings())
        let responses = try submitAndDrain(engine, [requestBody(checkoutID: "chk-nul\u{0}a"), requestBody(checkoutID: "chk-nul\u{0}b")])
        try engine.close()
        #expect(responses.map(\.status) == [202, 202])
        #expect(try store.rows("SELECT checkout_id FROM payment_event ORDER BY checkout_id") == [["chk-nul\u{0}a"], ["chk-nul\u{0}b"]])
        #expect(try store.int("SELECT count(*) FROM ledger_entry WHERE direction = 'credit'") == 2)
    }

    @Test func anInitializerSlowerThanTheGatewayTimeoutGets504() throws {
        let store = TempStore()
        let engine = try makeEngine(store, testSettings())
        let slow = requestBody(checkoutID: "chk-504", simulate: ["initializer": ["latency": 29.5]])
        let timedOut = requestBody(checkoutID: "chk-timeout", simulate: ["initializer": ["latency": 45]])
        let responses = try submitAndDrain(engine, [slow, timedOut])
        try engine.close()
        #expect(responses.map(\.status) == [504, 504])
        // The first still finished within the function's 30 s and was stored; the second timed out.
        #expect(try store.rows("SELECT checkout_id FROM payment_event") == [["chk-504"]])
        #expect(engine.function(.initializer).counters.timeouts == 1)
    }

    /// Each file in sample-data/payments goes through API Gateway; its README lists the outcome.
    @Test func everySampleRequestEndsAsDocumented() throws {
        let expected: [String: (Int, String?)] = [
            "success": (202, "SUCCESS"), "multi-seller": (202, "SUCCESS"),
            "simulate-psp-decline": (202, "FAILED"), "simulate-psp-server-error": (202, "DLQ"),
            "simulate-initializer-error": (500, nil), "simulate-initializer-latency": (202, "SUCCESS"),
            "simulate-executor-error": (202, "DLQ"), "simulate-executor-latency": (202, "SUCCESS"),
            "simulate-wallet-error": (202, "DLQ"), "simulate-wallet-latency": (202, "SUCCESS"),
            "escape-sequences": (202, "SUCCESS"),
            "invalid-amount-number": (400, nil), "invalid-negative-amount": (400, nil), "invalid-missing-fields": (400, nil),
            "invalid-empty-orders": (400, nil), "invalid-currency": (400, nil), "invalid-email": (400, nil),
            "invalid-json": (400, nil),
        ]
        let dir = repositoryRoot.appendingPathComponent("sample-data/payments")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(Set(files.map { String($0.dropLast(5)) }) == Set(expected.keys))

        let store = TempStore()
        let engine = try makeEngine(store, testSettings())
        var statuses: [String: ApiResponse] = [:]
        for f in files {
            let bytes = try [UInt8](Data(contentsOf: dir.appendingPathComponent(f)))
            engine.submit(rawBody: bytes) { statuses[String(f.dropLast(5))] = $0 }
        }
        _ = try SimulationRunner.run(engine, checkouts: 0)
        try engine.close()
        for (name, (status, outcome)) in expected {
            #expect(statuses[name]?.status == status, "\(name)")
            guard let outcome, let id = statuses[name]?.checkoutID else { continue }
            let ended = outcome == "DLQ"
                ? try store.int("SELECT count(*) FROM queue_message WHERE checkout_id = '\(id)' AND queue_name LIKE '%-dlq'") == 1
                : try store.rows("SELECT outcome FROM payment_event WHERE checkout_id = '\(id)'") == [[outcome]]
            #expect(ended, "\(name) should end \(outcome)")
        }
        #expect(statuses["invalid-json"]?.body == ["error": "Invalid JSON"])
        let missing = statuses["invalid-missing-fields"]?.body["details"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []
        #expect(Set(missing) == ["buyer_info", "credit_card_info", "payment_orders.0.seller_account"])
        #expect(try store.invariants().isClean)
    }
}
