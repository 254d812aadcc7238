/// The words of problems (docs/problems.md): what a detector saw, where, how bad, and why.
/// The detectors write them, the store keeps them as text, the console and the CLI print them.

/// What a detector found wrong in a minute of engine time.
public enum SignalKind: String, CaseIterable, Sendable, Codable {
    /// An SLO burning its budget as fast as the SRE Workbook's page rule (1 h and 5 min above 14.4).
    case sloBurn = "slo-burn"
    /// A function's errors per invocation against its baseline.
    case errorRate = "error-rate"
    /// The PSP's 5xx answers per call against its baseline.
    case pspErrors = "psp-errors"
    /// API Gateway's 5XXError per request against its baseline.
    case api5xx = "api-5xx"
    /// A p95 latency against its baseline (a function, the PSP, the API).
    case latency
    /// A message in a dead-letter queue: a dead payment (the seed).
    case deadLetters = "dead-letters"
    /// The oldest dead letter older than the limit.
    case dlqAge = "dlq-age"
    /// A queue's oldest message growing older than its baseline allows.
    case backlog
    /// Checkouts ending settled falling against the recent baseline.
    case conversion
    /// One decline code's share of PSP calls surging against its baseline.
    case declines
    /// API 429s or function throttles.
    case throttling
    /// A reconciliation run that found items no rule explains (a red batch).
    case reconciliation
}

/// Where a signal was seen: the pipeline's parts as the vocabulary names them.
public enum SignalSubject: Hashable, Sendable, Comparable {
    case psp
    case api
    case function(FunctionName)
    case queue(QueueName)
    case slo(SloName)
    case declineCode(String)
    case business
    case reconciliation

    /// The text the store and the JSON carry: "psp", "api", a function's or queue's name,
    /// "slo:settlement", "decline:CARD_DECLINED", "business", "reconciliation".
    public var text: String {
        switch self {
        case .psp: return "psp"
        case .api: return "api"
        case .function(let f): return f.rawValue
        case .queue(let q): return q.rawValue
        case .slo(let s): return "slo:" + s.rawValue
        case .declineCode(let c): return "decline:" + c
        case .business: return "business"
        case .reconciliation: return "reconciliation"
        }
    }

    public init?(text: String) {
        switch text {
        case "psp": self = .psp
        case "api": self = .api
        case "business": self = .business
        case "reconciliation": self = .reconciliation
        default:
            if let f = FunctionName(rawValue: text) { self = .function(f) }
            else if let q = QueueName(rawValue: text) { self = .queue(q) }
            else if text.hasPrefix("slo:"), let s = SloName(rawValue: String(text.dropFirst(4))) { self = .slo(s) }
            else if text.hasPrefix("decline:"), text.count > 8 { self = .declineCode(String(text.dropFirst(8))) }
            else { return nil }
        }
    }

    /// How far down the checkout's path this part sits: the PSP is the deepest dependency,
    /// then the executor that calls it, its queue and DLQ, the settlement SLO that counts
    /// what they delay. A problem's root is its signal with the lowest depth.
    public var depth: Int {
        switch self {
        case .psp, .declineCode: return 0
        case .function(.executor): return 1
        case .function(.wallet): return 1
        case .function(.initializer): return 1
        case .reconciliation: return 1
        case .api: return 2
        case .queue(let q): return q.isDeadLetterQueue ? 4 : 3
        case .slo, .business: return 5
        }
    }

    public static func < (a: SignalSubject, b: SignalSubject) -> Bool { (a.depth, a.text) < (b.depth, b.text) }

    /// The subject in a title: "the PSP", "executor", "payment-execution-queue-dlq".
    public var title: String {
        switch self {
        case .psp: return "the PSP"
        case .api: return "the API"
        case .function(let f): return f.rawValue
        case .queue(let q): return q.rawValue
        case .slo(let s): return "the \(s.rawValue) SLO"
        case .declineCode(let c): return c
        case .business: return "checkouts"
        case .reconciliation: return "reconciliation"
        }
    }
}

/// How bad a problem is; it only rises while the problem lives.
public enum ProblemSeverity: String, CaseIterable, Sendable, Comparable, Codable {
    /// Slower or backed up, no money or SLO budget at stake yet.
    case minor
    /// Errors, declines, dead letters: checkouts failing or delayed.
    case major
    /// An SLO paging: its budget burning 14.4 times too fast.
    case critical

    private var rank: Int { ProblemSeverity.allCases.firstIndex(of: self)! }
    public static func < (a: ProblemSeverity, b: ProblemSeverity) -> Bool { a.rank < b.rank }
}

public enum ProblemState: String, Sendable {
    case open, closed
}

/// What a ranked cause points at.
public enum CauseKind: String, CaseIterable, Sendable {
    case fault, deploy, rollback, traffic, attribute
}

/// The dimensions a problem's affected checkouts are compared along (BubbleUp-style).
public enum CauseDimension: String, CaseIterable, Sendable {
    case release
    case pspErrorCode = "psp_error_code"
    case declineCode = "decline_code"
    case merchant
    case currency
    case amountBand = "amount_band"
}
