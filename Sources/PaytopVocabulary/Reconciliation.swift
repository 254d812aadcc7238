/// Settlement and reconciliation as every room names them: the classes and kinds of a
/// mismatch, a batch's colour, the PSP's drift rehearsal, the ledger's accounts and the
/// settlement report's columns. docs/reconciliation.md explains each.

/// How a mismatch is handled (the seed's three categories, section 3.4).
public enum MismatchClass: String, CaseIterable, Sendable, Codable {
    /// Resolvable by a rule, resolved without a person (a timing difference).
    case auto
    /// Classifiable, needs a person (a finance queue).
    case manual
    /// No rule explains it (an investigation queue).
    case investigate
}

/// What a mismatch is; each kind belongs to one class.
public enum MismatchKind: String, CaseIterable, Sendable, Codable {
    /// A capture in the ledger that this batch did not settle; it may settle in the next.
    case timing
    /// A capture the PSP's next batch did not settle either.
    case notSettled = "not_settled"
    case amountMismatch = "amount_mismatch"
    case feeMismatch = "fee_mismatch"
    case currencyMismatch = "currency_mismatch"
    /// The PSP settled one charge twice.
    case duplicate
    /// Settled by the PSP, the seller never credited (the results-DLQ case).
    case capturedNotCredited = "captured_not_credited"
    /// A settled line for a checkout the pipeline knows but never charged successfully.
    case noLedgerCharge = "no_ledger_charge"
    /// A settled line whose references nobody knows.
    case unknownReference = "unknown_reference"

    public var mismatchClass: MismatchClass {
        switch self {
        case .timing: return .auto
        case .notSettled, .amountMismatch, .feeMismatch, .currencyMismatch, .duplicate, .capturedNotCredited: return .manual
        case .noLedgerCharge, .unknownReference: return .investigate
        }
    }
}

public enum MismatchStatus: String, Sendable, Codable {
    case open, resolved
}

/// A settlement batch's reconciliation status, as the seed's dashboard tile colours it.
public enum BatchStatus: String, Sendable, Codable {
    /// Every line matched or auto-resolved.
    case green
    /// Manual items open.
    case yellow
    /// Investigate items open, or more open items than the alert threshold.
    case red
    /// Closed by the PSP, not reconciled yet.
    case pending
}

/// How the PSP's batches may deviate from its own charges, for rehearsing reconciliation.
public enum SettlementDriftKind: String, CaseIterable, Sendable, Codable {
    /// A charge never settles.
    case missing
    /// A line's gross amount, or its fees, differ from the charge and the agreed fees.
    case amount
    /// A charge settles twice.
    case duplicate
    /// A charge settles one batch late.
    case late
    /// A line for a reference nobody knows.
    case unknown
}

/// The operator's settlement-drift rehearsal: which kinds, at what rate per charge.
public struct SettlementDrift: Codable, Equatable, Sendable {
    public var kinds: [SettlementDriftKind]
    public var rate: Double

    public static let defaultRate = 0.02

    public init(kinds: [SettlementDriftKind], rate: Double) {
        self.kinds = kinds
        self.rate = rate
    }
}

/// The accounts of paytop's ledger (docs/store.md, "Chart of accounts").
public enum LedgerAccount {
    /// Asset: what the PSP owes the platform for captured charges.
    public static let pspReceivable = "platform:psp-receivable"
    /// Asset: money the PSP has paid out to the platform's bank account.
    public static let cash = "platform:cash"
    /// Expense: the PSP's fees on settled charges.
    public static let pspFees = "platform:psp-fees"
    /// Liability: what the platform owes a seller.
    public static func seller(_ account: String) -> String { "seller:" + account }
}

/// Adyen's Settlement Details Report: its header, in order, and the line types paytop writes.
public enum SettlementReportColumn: String, CaseIterable, Sendable {
    case companyAccount = "Company Account"
    case merchantAccount = "Merchant Account"
    case pspReference = "Psp Reference"
    case merchantReference = "Merchant Reference"
    case paymentMethod = "Payment Method"
    case creationDate = "Creation Date"
    case timeZone = "TimeZone"
    case type = "Type"
    case modificationReference = "Modification Reference"
    case grossCurrency = "Gross Currency"
    case grossDebit = "Gross Debit (GC)"
    case grossCredit = "Gross Credit (GC)"
    case exchangeRate = "Exchange Rate"
    case netCurrency = "Net Currency"
    case netDebit = "Net Debit (NC)"
    case netCredit = "Net Credit (NC)"
    case commission = "Commission (NC)"
    case markup = "Markup (NC)"
    case schemeFees = "Scheme Fees (NC)"
    case interchange = "Interchange (NC)"
    case paymentMethodVariant = "Payment Method Variant"
    case modificationMerchantReference = "Modification Merchant Reference"
    case batchNumber = "Batch Number"
    case reserved4 = "Reserved4", reserved5 = "Reserved5", reserved6 = "Reserved6", reserved7 = "Reserved7"
    case reserved8 = "Reserved8", reserved9 = "Reserved9", reserved10 = "Reserved10"
}

public enum SettlementLineType: String, Sendable, Codable {
    case settled = "Settled"
    case merchantPayout = "MerchantPayout"
}

extension BatchStatus {
    /// A reconciled batch's colour from its open items; `threshold` is the alert's (the seed's 10).
    public static func of(reconciled: Bool, openManual: Int, openInvestigate: Int, threshold: Int) -> BatchStatus {
        guard reconciled else { return .pending }
        if openInvestigate > 0 || openManual + openInvestigate > threshold { return .red }
        return openManual > 0 ? .yellow : .green
    }
}
