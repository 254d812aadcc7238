import PaytopVocabulary

/// Rows of the settlement and reconciliation tables (migration v4, docs/store.md). Times
/// are engine time in Unix nanoseconds; amounts are decimal `Money`.

public struct SettlementBatchRow: Sendable, Equatable {
    public var batchNo: Int64
    /// The batch settles the charges the PSP completed in [periodStart, periodEnd).
    public var periodStart: Int64
    public var periodEnd: Int64
    public var closedAt: Int64
    public var settledLines: Int
    public var reconciledAt: Int64?
    /// Set by the reconciliation job: lines matched clean, and their mean charge → reconciled time.
    public var matched: Int?
    public var meanLatencyNanos: Int64?

    public init(batchNo: Int64, periodStart: Int64, periodEnd: Int64, closedAt: Int64, settledLines: Int, reconciledAt: Int64? = nil,
                matched: Int? = nil, meanLatencyNanos: Int64? = nil) {
        self.batchNo = batchNo; self.periodStart = periodStart; self.periodEnd = periodEnd
        self.closedAt = closedAt; self.settledLines = settledLines; self.reconciledAt = reconciledAt
        self.matched = matched; self.meanLatencyNanos = meanLatencyNanos
    }
}

/// One line of a Settlement Details Report: a Settled charge or the batch's MerchantPayout.
public struct SettlementLineRow: Sendable, Equatable {
    public var batchNo: Int64
    public var lineNo: Int64
    public var type: SettlementLineType
    public var pspReference: String
    public var merchantReference: String?
    public var paymentMethod: String?
    public var createdAt: Int64
    public var grossCurrency: String?
    public var grossCredit: Money?
    public var netCurrency: String
    public var netDebit: Money?
    public var netCredit: Money?
    public var fees: SettlementFees

    public init(batchNo: Int64, lineNo: Int64, type: SettlementLineType, pspReference: String, merchantReference: String?,
                paymentMethod: String?, createdAt: Int64, grossCurrency: String?, grossCredit: Money?, netCurrency: String,
                netDebit: Money?, netCredit: Money?, fees: SettlementFees) {
        self.batchNo = batchNo; self.lineNo = lineNo; self.type = type; self.pspReference = pspReference
        self.merchantReference = merchantReference; self.paymentMethod = paymentMethod; self.createdAt = createdAt
        self.grossCurrency = grossCurrency; self.grossCredit = grossCredit; self.netCurrency = netCurrency
        self.netDebit = netDebit; self.netCredit = netCredit; self.fees = fees
    }
}

/// The four fee columns of a settled line, in the net currency.
public struct SettlementFees: Sendable, Equatable {
    public var commission: Money
    public var markup: Money
    public var schemeFees: Money
    public var interchange: Money

    public static let none = SettlementFees(commission: .zero, markup: .zero, schemeFees: .zero, interchange: .zero)

    public init(commission: Money, markup: Money, schemeFees: Money, interchange: Money) {
        self.commission = commission; self.markup = markup; self.schemeFees = schemeFees; self.interchange = interchange
    }

    public var total: Money { commission + markup + schemeFees + interchange }
}

/// A successful charge in the PSP's own record (psp_charge), as a batch settles it.
public struct SettlingCharge: Sendable, Equatable {
    public var idempotencyKey: String
    public var pspReference: String
    public var checkoutID: String
    public var amount: Money
    public var currency: String
    public var completedAt: Int64
}

/// A settlement posting of the ledger: one per batch, currency and account.
public struct SettlementEntryRow: Sendable, Equatable {
    public var batchNo: Int64
    public var currency: String
    public var account: String
    public var direction: String
    public var amount: Money
    public var createdAt: Int64

    public init(batchNo: Int64, currency: String, account: String, direction: String, amount: Money, createdAt: Int64) {
        self.batchNo = batchNo; self.currency = currency; self.account = account; self.direction = direction
        self.amount = amount; self.createdAt = createdAt
    }
}

/// What the ledger captured for one checkout: the debits of PSP receivable of its orders.
public struct LedgerCharge: Sendable, Equatable {
    public var checkoutID: String
    public var amount: Money
    public var currency: String
    /// When the first of its orders was captured.
    public var capturedAt: Int64

    public init(checkoutID: String, amount: Money, currency: String, capturedAt: Int64) {
        self.checkoutID = checkoutID; self.amount = amount; self.currency = currency; self.capturedAt = capturedAt
    }

    /// The charge with another of its checkout's orders captured (a checkout has one currency).
    public func adding(_ order: LedgerCharge) -> LedgerCharge {
        LedgerCharge(checkoutID: checkoutID, amount: amount + order.amount, currency: currency,
                     capturedAt: min(capturedAt, order.capturedAt))
    }

    /// Sums one order's capture into what is known of its checkout's charge.
    public static func adding(_ order: LedgerCharge, to charge: LedgerCharge?) -> LedgerCharge {
        charge?.adding(order) ?? order
    }
}

/// How the pipeline stands with a checkout a settled line names but the ledger lacks.
public enum CheckoutStanding: Sendable, Equatable {
    /// No such checkout.
    case unknown
    /// The PSP charged it and its orders succeeded, but no seller was credited.
    case capturedNotCredited(traceNo: Int64?)
    /// Known, but never charged successfully (declined, failed, in flight).
    case notCharged(traceNo: Int64?)
    /// Credited: the ledger holds its capture.
    case credited(traceNo: Int64?)
}

/// A charge matched to a settled line.
public struct ReconciledChargeRow: Sendable, Equatable {
    public enum MatchedBy: String, Sendable { case merchantReference = "merchant_reference", pspReference = "psp_reference", amount }
    public var checkoutID: String
    public var batchNo: Int64
    public var lineNo: Int64
    public var matchedBy: MatchedBy
    /// When the PSP says it charged (the line's Creation Date) and the ledger captured.
    public var chargedAt: Int64
    public var capturedAt: Int64
    public var reconciledAt: Int64

    public init(checkoutID: String, batchNo: Int64, lineNo: Int64, matchedBy: MatchedBy, chargedAt: Int64, capturedAt: Int64,
                reconciledAt: Int64) {
        self.checkoutID = checkoutID; self.batchNo = batchNo; self.lineNo = lineNo; self.matchedBy = matchedBy
        self.chargedAt = chargedAt; self.capturedAt = capturedAt; self.reconciledAt = reconciledAt
    }
}

/// One mismatch the reconciliation job found.
public struct MismatchRow: Sendable, Equatable {
    public var id: Int64
    public var kind: MismatchKind
    public var mismatchClass: MismatchClass
    public var checkoutID: String?
    public var pspReference: String?
    public var ledgerAmount: Money?
    public var ledgerCurrency: String?
    public var pspAmount: Money?
    public var pspCurrency: String?
    public var batchNo: Int64
    public var lineNo: Int64?
    public var firstSeen: Int64
    public var status: MismatchStatus
    public var resolvedAt: Int64?
    public var resolution: String?

    public init(id: Int64 = 0, kind: MismatchKind, checkoutID: String?, pspReference: String?, ledgerAmount: Money?,
                ledgerCurrency: String?, pspAmount: Money?, pspCurrency: String?, batchNo: Int64, lineNo: Int64?,
                firstSeen: Int64, status: MismatchStatus = .open, resolvedAt: Int64? = nil, resolution: String? = nil) {
        self.id = id; self.kind = kind; self.mismatchClass = kind.mismatchClass; self.checkoutID = checkoutID
        self.pspReference = pspReference; self.ledgerAmount = ledgerAmount; self.ledgerCurrency = ledgerCurrency
        self.pspAmount = pspAmount; self.pspCurrency = pspCurrency; self.batchNo = batchNo; self.lineNo = lineNo
        self.firstSeen = firstSeen; self.status = status; self.resolvedAt = resolvedAt; self.resolution = resolution
    }
}

/// One run of the reconciliation job.
public struct ReconciliationRunRow: Sendable, Equatable {
    public var at: Int64
    public var source: String
    public var batches: [Int64]
    public var lines: Int
    public var matched: Int
    public var found: Int
    public var resolved: Int
    /// The alert's threshold the run judged by (open manual and investigate items).
    public var alertThreshold: Int

    public init(at: Int64, source: String, batches: [Int64], lines: Int, matched: Int, found: Int, resolved: Int,
                alertThreshold: Int) {
        self.at = at; self.source = source; self.batches = batches; self.lines = lines; self.matched = matched
        self.found = found; self.resolved = resolved; self.alertThreshold = alertThreshold
    }
}
