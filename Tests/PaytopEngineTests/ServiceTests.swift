import Foundation
import Testing
@testable import PaytopEngine
import PaytopJSON
import PaytopStore
import PaytopVocabulary

/// The services driven with plain inputs, without a store: a context and the pipeline
/// the engine would run, and a loop that plays its events.
final class ServiceWorld {
    let ctx: EngineContext
    let pipeline: Pipeline
    var runtime: PipelineRuntime { pipeline.runtime }
    var psp: PspSimulator { pipeline.psp }
    var initializer: InitializerService { pipeline.initializer }
    var executor: ExecutorService { pipeline.executor }
    var wallet: WalletService { pipeline.wallet }
    var answers: [ApiResponse] = []

    init(seed: UInt64 = 1, stored: InitializerService.StoredSubmissions = .none, telemetry: Bool = false) {
        var settings = EngineSettings()
        settings.seed = seed
        settings.telemetry = telemetry
        ctx = EngineContext(settings: settings, startTime: EngineTime.simulationEpoch)
        pipeline = Pipeline(ctx, stored: stored)
    }

    func submit(_ body: JSONValue) {
        initializer.receive(ApiCall(body: body, arrivedAt: ctx.now, respond: { [unowned self] in answers.append($0) }))
    }

    /// Runs every event until none is left (or `limit` events), delivering answers as if
    /// every flush committed at once.
    func run(limit: Int = 100_000) {
        var n = 0
        while n < limit, let entry = ctx.scheduler.pop() {
            ctx.now = entry.time
            pipeline.handle(entry.event)
            for (response, respond) in initializer.takeAnswers() { respond(response) }
            n += 1
        }
    }
}

@Suite struct ServiceTests {
    static func order(_ id: String, amount: String = "25.00", seller: String = "seller-acct-001") -> Checkout.Order {
        let request = try! PaymentRequestValidator.validate(requestBody(checkoutID: "chk-" + id, amount: amount)).get()
        let c = Checkout(request: request, requestHash: "h", createdAt: EngineTime.simulationEpoch)
        c.orders[0].status = .success
        return c.orders[0]
    }

    @Test func aCreditWritesABalancedPairAndNeverCreditsTwice() {
        let w = ServiceWorld()
        let o = Self.order("a", amount: "25.50")
        #expect(w.wallet.credit(o, at: w.ctx.now))
        #expect(!w.wallet.credit(o, at: w.ctx.now))  // the same payment_order_id again
        let key = WalletService.WalletKey(merchant: "seller-acct-001", currency: "USD")
        #expect(w.wallet.balances[key] == Money(decimalString: "25.50"))
        let rows = w.wallet.newLedgerRows
        #expect(rows.count == 2)
        #expect(Set(rows.map(\.direction)) == ["debit", "credit"] && rows.allSatisfy { $0.amount == Money(decimalString: "25.50") })
        var b = WriteBatch()
        w.wallet.drain(into: &b, at: w.ctx.now)
        #expect(b.walletUpserts.count == 1 && b.ledgerInserts.count == 2)
        #expect(w.wallet.newLedgerRows.isEmpty)
        var again = WriteBatch()
        w.wallet.drain(into: &again, at: w.ctx.now)
        #expect(again.walletUpserts.isEmpty)  // nothing changed since
    }

    @Test func balancesNeverMixCurrencies() {
        let w = ServiceWorld()
        let usd = Self.order("usd")
        w.wallet.credit(usd, at: w.ctx.now)
        let body = requestBody(checkoutID: "chk-eur", amount: "10.00")
        var o = body.objectValue!
        var orders = o["payment_orders"]!.arrayValue!
        var first = orders[0].objectValue!
        first["currency"] = "EUR"
        orders[0] = .object(first)
        o["payment_orders"] = .array(orders)
        let request = try! PaymentRequestValidator.validate(.object(o)).get()
        let c = Checkout(request: request, requestHash: "h", createdAt: w.ctx.now)
        c.orders[0].status = .success
        w.wallet.credit(c.orders[0], at: w.ctx.now)
        #expect(w.wallet.balances.count == 2)
        #expect(w.wallet.balances[.init(merchant: "seller-acct-001", currency: "EUR")] == Money(decimalString: "10.00"))
    }

    /// A request through the initializer, the executor, the PSP and the wallet — and a
    /// duplicate results message afterwards changes nothing.
    @Test func aCheckoutSettlesThroughEveryServiceWithoutAStore() {
        let w = ServiceWorld(seed: 3)
        w.submit(requestBody(checkoutID: "chk-one", amount: "40.00", orders: 2))
        w.run()
        #expect(w.answers.map(\.status) == [202])
        let c = w.ctx.checkouts["chk-one"]
        #expect(c?.isPaymentDone == true && c?.outcome == "SUCCESS")
        #expect(c?.orders.allSatisfy { $0.walletUpdated && $0.status == .success } == true)
        #expect(w.wallet.balances[.init(merchant: "seller-acct-001", currency: "USD")] == Money(decimalString: "80.00"))
        #expect(w.wallet.newLedgerRows.count == 4)
        #expect(w.psp.counters.calls == 1 && w.psp.newRows.count == 1)
        #expect(w.executor.recordsInFlight == 0)  // scratch state dropped when the batch ended
        #expect(w.ctx.stats.settled == 1)
        // The same verdict delivered again: the checkout is done, nothing is credited twice.
        w.runtime.send(.result(.success(pspReference: "psp_again")), for: c!, to: .results, context: nil)
        w.run()
        #expect(w.wallet.newLedgerRows.count == 4)
        #expect(w.ctx.stats.settled == 1)
    }

    @Test func aResubmissionIsIdempotentAndAConflictIsRefused() {
        let w = ServiceWorld()
        let body = requestBody(checkoutID: "chk-twice")
        w.submit(body)
        w.run()
        w.submit(body)
        w.submit(requestBody(checkoutID: "chk-twice", amount: "99.00"))
        w.run()
        #expect(w.answers.map(\.status) == [202, 202, 409])
        #expect(w.ctx.stats.accepted == 1 && w.ctx.stats.idempotentReplays == 1 && w.ctx.stats.conflicts == 1)
    }

    @Test func theStoreIsAskedOnlyForWhatMemoryDoesNotHold() {
        let w = ServiceWorld(stored: .init { r in r.checkoutID == "chk-old" ? .sameCheckout(hash: "other") : .none })
        w.submit(requestBody(checkoutID: "chk-old"))
        w.submit(requestBody(checkoutID: "chk-new"))
        w.run()
        #expect(w.answers.map(\.status).sorted() == [202, 409])
    }

    /// A PSP outage fails every record; after three receives the message dead-letters.
    @Test func anOutageDeadLettersAfterThreeReceives() {
        let w = ServiceWorld()
        w.ctx.faults.pspOutage = true
        w.submit(requestBody(checkoutID: "chk-down"))
        w.run()
        #expect(w.runtime.queue(.executionDLQ).count == 1)
        #expect(w.runtime.queue(.execution).count == 0)
        #expect(w.psp.counters.serverErrors == 3)
        #expect(w.ctx.checkouts["chk-down"]?.isPaymentDone == false)
        #expect(w.runtime.redrive(.executionDLQ) == 1)
        w.ctx.faults.pspOutage = false
        w.run()
        #expect(w.ctx.checkouts["chk-down"]?.outcome == "SUCCESS")
    }

    @Test func aFinishedCheckoutLeavesMemoryOnlyAfterItsCommit() {
        let w = ServiceWorld()
        w.submit(requestBody(checkoutID: "chk-evict"))
        w.run()
        let book = w.ctx.checkouts
        _ = book.takeDirty()
        book.candidatesAwait(commit: 5)
        #expect(book.evict(committed: 4).isEmpty && book["chk-evict"] != nil)
        #expect(book.evict(committed: 5) == ["chk-evict"] && book["chk-evict"] == nil)
    }
}

/// The seed's business events for each kind of request, in order.
@Suite struct SeedEventSequenceTests {
    static func events(_ body: JSONValue) -> [String] {
        let w = ServiceWorld(telemetry: true)
        w.submit(body)
        w.run()
        var b = WriteBatch()
        w.ctx.telemetry.drain(into: &b)
        return b.businessEvents.sorted { ($0.bizTimestamp, $0.eventCode) < ($1.bizTimestamp, $1.eventCode) }
            .map { BusinessEventName(rawValue: $0.eventCode)!.name }
    }

    @Test func aSuccessLogsTheSeedsSequence() {
        #expect(Self.events(requestBody(checkoutID: "chk-ok")) == [
            "payment.request.received", "payment.checkout.initiated", "payment.checkout.queued", "payment.psp.response",
            "payment.wallet.queued", "payment.order.settled", "payment.checkout.settled",
        ])
    }

    @Test func aRejectionAndADeclineLogTheSeedsSequences() {
        var bad = requestBody(checkoutID: "chk-bad").objectValue!
        bad["buyer_info"] = nil
        #expect(Self.events(.object(bad)) == ["payment.request.received", "payment.checkout.rejected"])
        #expect(Self.events(requestBody(checkoutID: "chk-decl", orders: 2, simulate: ["psp": ["error": true, "error_code": "EXPIRED_CARD"]])) == [
            "payment.request.received", "payment.checkout.initiated", "payment.checkout.queued", "payment.psp.response",
            "payment.wallet.queued", "payment.order.failed", "payment.order.failed", "payment.checkout.failed",
        ])
    }

    /// The seed logs initiated, then fails before the send; paytop ends the checkout too.
    @Test func anInitializerErrorLogsInitiatedThenTheCheckoutsFailure() {
        let w = ServiceWorld(telemetry: true)
        w.submit(requestBody(checkoutID: "chk-init-err", simulate: ["initializer": ["error": true]]))
        w.run()
        #expect(w.answers.map(\.status) == [500])
        #expect(w.ctx.checkouts["chk-init-err"] == nil && w.runtime.queue(.execution).count == 0)  // nothing written
        var b = WriteBatch()
        w.ctx.telemetry.drain(into: &b)
        let events = b.businessEvents.sorted { ($0.bizTimestamp, $0.eventCode) < ($1.bizTimestamp, $1.eventCode) }
        #expect(events.map { BusinessEventName(rawValue: $0.eventCode)!.name }
                == ["payment.request.received", "payment.checkout.initiated", "payment.checkout.failed"])
        #expect(events.last?.errorCode == "INITIALIZER_ERROR" && events.last?.errorCategory == .technical)
        #expect(events.last?.amountTotal == "100.00")
    }
}
