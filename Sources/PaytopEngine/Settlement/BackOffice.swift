import PaytopStore
import PaytopVocabulary

/// The finance side of the pipeline: the PSP's settlement batches and the reconciliation
/// job, on their schedule in engine time, with the business events and metrics each run
/// leaves. Both work on the store directly (batches can hold a million charges), so the
/// engine hands them its connection once the writer has committed everything.
final class BackOffice {
    let schedule: SettlementSchedule
    let settlement: SettlementService
    let reconciliation: ReconciliationService
    private let ctx: EngineContext
    /// Cut-off and reconciliation events in the scheduler (they never keep a run alive).
    private(set) var eventsPending = 0
    /// Reconciliation items no rule explains, as the last run left them (the detectors' red batch).
    private(set) var openInvestigateItems: Int?

    init(_ ctx: EngineContext, storePath: String) throws {
        self.ctx = ctx
        schedule = try SettlementSchedule(ctx.settings)
        settlement = SettlementService(ctx)
        reconciliation = ReconciliationService(ctx, storePath: storePath)
    }

    func restore(_ c: Connection) throws { settlement.restore(after: try SettlementBook.lastBatch(c)) }

    func scheduleNextCutoff() { schedule(.settlementCutoff, at: schedule.nextCutoff(after: ctx.now)) }

    func scheduleReconciliation() { schedule(.reconcile, at: ctx.now + schedule.reconcileAfter) }

    private func schedule(_ e: EngineEvent, at t: EngineTime) {
        ctx.scheduler.schedule(e, at: t)
        eventsPending += 1
    }

    /// One of this office's events was taken from the scheduler.
    func eventTaken() { eventsPending -= 1 }

    /// Closes the PSP's next batch; a final one takes every charge completed so far.
    @discardableResult
    func closeBatch(on c: Connection, final: Bool) throws -> SettlementService.Closed {
        let closed = try settlement.close(on: c, schedule: schedule, final: final)
        let psp = PipelineNames.pspService
        let service = ctx.telemetry.serviceCode(psp.name, psp.version)
        for (currency, gross) in closed.gross.sorted(by: { $0.key < $1.key }) {
            ctx.recordBackOfficeEvent(.settlementBatchClosed, outcome: .success, traceNo: nil, service: service,
                                      amount: gross, currency: currency, count: closed.settledLines,
                                      errorCode: nil, errorCategory: nil)
        }
        return closed
    }

    /// Runs the reconciliation job and records what it found.
    @discardableResult
    func reconcile(on c: Connection, source: String) throws -> ReconciliationService.Outcome {
        let out = try reconciliation.run(on: c, schedule: schedule, source: source)
        let job = PipelineNames.reconciliationService
        let service = ctx.telemetry.serviceCode(job.name, job.version)
        for m in out.found {
            let at = ReconciliationReport.unreconciledAmount(m)
            let trace = try m.checkoutID.flatMap { try ReconciliationBook.traceNo(c, checkoutID: $0) }
            ctx.recordBackOfficeEvent(.reconciliationMismatch, outcome: .failure, traceNo: trace, service: service,
                                      amount: at?.1, currency: at?.0, count: nil, errorCode: m.kind.rawValue,
                                      errorCategory: ErrorCategory(rawValue: m.mismatchClass.rawValue))
        }
        ctx.recordBackOfficeEvent(.reconciliationCompleted, outcome: .success, traceNo: nil, service: service, amount: nil,
                                  currency: nil, count: out.lines, errorCode: nil, errorCategory: nil)
        if let m = ctx.metrics {
            let report = try ReconciliationReport.load(c, batchLimit: 0, mismatchLimit: 0)
            openInvestigateItems = report.open[.investigate] ?? 0
            for cls in MismatchClass.allCases {
                m.recorder.gauge(m.reconciliationMismatches(cls), Double(report.open[cls] ?? 0))
            }
            var currencies = Set(report.unreconciled.keys)
            for b in out.found { if let cur = ReconciliationReport.unreconciledAmount(b)?.0 { currencies.insert(cur) } }
            for cur in currencies.sorted() {
                m.recorder.gauge(m.unreconciledAmount(cur), Double((report.unreconciled[cur] ?? .zero).minorUnits))
            }
            if out.lines > 0 { m.recorder.gauge(m.autoMatchRate, Double(out.matched) / Double(out.lines) * 100) }
            let latency = m.reconciliationLatency
            for l in out.latencies { m.recorder.observe(latency, micros: l / 1_000) }
        }
        return out
    }
}
