import PaytopStore
import PaytopVocabulary

/// The PSP's settlement: at each cut-off it closes a batch of the charges it completed
/// since the last one (less those within the lag, which wait for the next), each a
/// Settled line with its fees, and one MerchantPayout line per currency; the ledger posts
/// the settlement (debit cash and PSP fees, credit PSP receivable) in the same commit.
/// Under the settlement-drift rehearsal it deviates from its own record on purpose.
///
/// It owns the batch numbering and the period the next batch covers; the charges
/// themselves are read from the store at the cut-off, so memory does not grow with a
/// batch's size.
final class SettlementService {
    struct Closed: Equatable {
        let batchNo: Int64
        let settledLines: Int
        let gross: [String: Money]
    }

    private let ctx: EngineContext
    private(set) var nextBatchNo: Int64 = 1
    /// The next batch settles charges completed at or after this instant.
    private(set) var periodStart: Int64 = 0

    static let paymentMethod = "visa"

    init(_ ctx: EngineContext) { self.ctx = ctx }

    /// Continues the numbering and the period after the store's last batch.
    func restore(after last: SettlementBatchRow?) {
        guard let last else { return }
        nextBatchNo = last.batchNo + 1
        periodStart = last.periodEnd
    }

    /// Closes the next batch at `now` on the engine's connection (the writer idle). A
    /// final batch, when a simulation ends, takes every charge completed by then.
    func close(on c: Connection, schedule: SettlementSchedule, final: Bool) throws -> Closed {
        let now = ctx.now.nanos
        let no = nextBatchNo
        let periodEnd = final ? now + 1 : max(periodStart, now - schedule.lag)
        var random = SeededRandom(seed: ctx.settings.seed &+ UInt64(no) &* 0x9E37_79B9_7F4A_7C15)
        let drift = ctx.faults.settlementDrift
        var lineNo: Int64 = 0
        var gross: [String: Money] = [:], fees: [String: Money] = [:], net: [String: Money] = [:]
        var settled = 0
        try SettlementBook.close(c) { closing in
            func settle(_ charge: SettlingCharge, reference: String? = nil, pspReference: String? = nil,
                        gross amount: Money? = nil, extraMarkup: Money = .zero) throws {
                let g = amount ?? charge.amount
                var f = schedule.fees.fees(on: g)
                f.markup += extraMarkup
                let n = g - f.total
                lineNo += 1
                settled += 1
                try closing.insert(SettlementLineRow(
                    batchNo: no, lineNo: lineNo, type: .settled, pspReference: pspReference ?? charge.pspReference,
                    merchantReference: reference ?? charge.checkoutID, paymentMethod: Self.paymentMethod,
                    createdAt: charge.completedAt, grossCurrency: charge.currency, grossCredit: g,
                    netCurrency: charge.currency, netDebit: nil, netCredit: n, fees: f))
                gross[charge.currency, default: .zero] += g
                fees[charge.currency, default: .zero] += f.total
                net[charge.currency, default: .zero] += n
            }
            for charge in try closing.deferredCharges(to: no) { try settle(charge) }
            try closing.forEachCharge(completedFrom: periodStart, before: periodEnd) { charge in
                guard let drift, !drift.kinds.isEmpty, random.chance(drift.rate) else { return try settle(charge) }
                switch random.pick(drift.kinds) {
                case .missing: return
                case .late: try closing.deferCharge(idempotencyKey: charge.idempotencyKey, to: no + 1)
                case .amount:
                    if random.chance(0.5) {
                        try settle(charge, gross: charge.amount + Money(minorUnits: 100))
                    } else {
                        try settle(charge, extraMarkup: Money(minorUnits: 50))
                    }
                case .duplicate:
                    try settle(charge)
                    try settle(charge)
                case .unknown:
                    try settle(charge)
                    try settle(charge, reference: "unknown-" + random.hex(12), pspReference: "psp_" + random.hex(16),
                               gross: Money(minorUnits: 1_000 + Int64(random.int(in: 0...99_000))))
                }
            }
            for currency in net.keys.sorted() {
                lineNo += 1
                try closing.insert(SettlementLineRow(
                    batchNo: no, lineNo: lineNo, type: .merchantPayout, pspReference: "payout-\(no)-\(currency)",
                    merchantReference: nil, paymentMethod: nil, createdAt: now, grossCurrency: nil, grossCredit: nil,
                    netCurrency: currency, netDebit: net[currency], netCredit: nil, fees: .none))
                for (account, direction, amount) in [(LedgerAccount.cash, "debit", net[currency]!),
                                                     (LedgerAccount.pspFees, "debit", fees[currency]!),
                                                     (LedgerAccount.pspReceivable, "credit", gross[currency]!)] {
                    try closing.insert(SettlementEntryRow(batchNo: no, currency: currency, account: account,
                                                          direction: direction, amount: amount, createdAt: now))
                }
            }
            return SettlementBatchRow(batchNo: no, periodStart: periodStart, periodEnd: periodEnd, closedAt: now,
                                      settledLines: settled)
        }
        nextBatchNo = no + 1
        periodStart = periodEnd
        return Closed(batchNo: no, settledLines: settled, gross: gross)
    }
}
