import PaytopVocabulary

/// How well a control command explains one signal (0: not at all, 1: exactly): which
/// signals each kind of change produces when it goes wrong.
public enum CauseRelevance {
    public static func of(_ command: ControlCommand, _ kind: SignalKind, _ subject: SignalSubject) -> Double {
        switch command {
        case .pspOutage:
            switch (kind, subject) {
            case (.pspErrors, _): return 1
            case (.errorRate, .function(.executor)): return 0.8
            case (.backlog, _), (.deadLetters, _), (.sloBurn, _), (.conversion, _): return 0.5
            default: return 0.2
            }
        case .pspLatency:
            switch (kind, subject) {
            case (.latency, .psp): return 1
            case (.latency, .function(.executor)), (.errorRate, .function(.executor)): return 0.8
            case (.backlog, _), (.sloBurn, _), (.deadLetters, _): return 0.5
            default: return 0.2
            }
        case .pspPartialOutage(let rate) where rate > 0:
            // A share of the PSP's answers fail: its 5xx, the executor's failed records, the late retries.
            switch (kind, subject) {
            case (.pspErrors, _): return 1
            case (.errorRate, .function(.executor)): return 0.8
            case (.sloBurn, _), (.backlog, _), (.deadLetters, _): return 0.5
            default: return 0.2
            }
        case .hopLatency(.executorPsp, let ms) where ms > 0:
            // As the executor times it, the PSP is slow.
            switch (kind, subject) {
            case (.latency, .psp): return 1
            case (.latency, .function(.executor)), (.errorRate, .function(.executor)): return 0.8
            case (.backlog, _), (.sloBurn, _), (.deadLetters, _): return 0.5
            default: return 0.2
            }
        case .hopLatency(.apiInitializer, let ms) where ms > 0:
            switch (kind, subject) {
            case (.latency, .api), (.api5xx, _): return 1
            case (.sloBurn, _): return 0.5
            default: return 0.1
            }
        case .functionConcurrency(let f, _?):
            // Throttles, the backlog behind them, healthy messages dead-lettered.
            switch (kind, subject) {
            case (.throttling, .function(let g)): return f == g ? 1 : 0.3
            case (.backlog, _), (.deadLetters, _), (.dlqAge, _): return 0.8
            case (.api5xx, _), (.latency, .api): return f == .initializer ? 0.8 : 0.2
            case (.sloBurn, _), (.errorRate, .function(f)): return 0.5
            default: return 0.2
            }
        case .visibilityTimeout(_, _?):
            // Duplicate deliveries: more receives, dead letters once the receives run out.
            switch kind {
            case .deadLetters, .dlqAge, .backlog: return 0.8
            case .sloBurn: return 0.4
            default: return 0.2
            }
        case .lambdaError(let f, let p, _) where p > 0:
            switch (kind, subject) {
            case (.errorRate, .function(let g)): return f == g ? 1 : 0.3
            case (.api5xx, _): return f == .initializer ? 1 : 0.1
            case (.deadLetters, _), (.backlog, _), (.sloBurn, _): return 0.5
            default: return 0.1
            }
        case .lambdaDelay(let f, let ms, _) where ms > 0:
            switch (kind, subject) {
            case (.latency, .function(let g)): return f == g ? 1 : 0.3
            case (.latency, .api): return f == .initializer ? 1 : 0.2
            case (.errorRate, .function(let g)): return f == g ? 0.6 : 0.1
            case (.backlog, _), (.sloBurn, _): return 0.5
            default: return 0.1
            }
        case .dynamoLatency(_, let ms) where ms > 0:
            // Every function that calls the table is slower.
            switch kind {
            case .latency: return 0.8
            case .errorRate, .backlog, .sloBurn, .api5xx: return 0.5
            default: return 0.1
            }
        case .dynamoThrottle(_, let r) where r > 0:
            // The SDK retries: latency first, errors (and then retries, dead letters) when they run out.
            switch kind {
            case .latency: return 0.8
            case .errorRate, .backlog, .sloBurn, .api5xx: return 0.6
            default: return 0.1
            }
        case .poisonMessage:
            switch kind {
            case .deadLetters, .dlqAge: return 1
            case .errorRate: return 0.6
            default: return 0.1
            }
        case .pspDeclines(_, _, let code):
            switch (kind, subject) {
            case (.declines, .declineCode(let c)): return c == code ? 1 : 0.3
            case (.conversion, _), (.sloBurn, _): return 0.6
            default: return 0.1
            }
        case .functionErrors(let f, _):
            switch (kind, subject) {
            case (.errorRate, .function(let g)): return f == g ? 1 : 0.3
            case (.deadLetters, _), (.backlog, _), (.sloBurn, _), (.reconciliation, _): return 0.5
            default: return 0.1
            }
        case .settlementDrift:
            return kind == .reconciliation ? 1 : 0
        case .deploy(let f, _, _), .rollback(let f):
            let weight = { if case .rollback = command { return 0.5 } else { return 1.0 } }()
            switch (kind, subject) {
            case (.errorRate, .function(let g)), (.latency, .function(let g)): return (f == g ? 0.9 : 0.2) * weight
            case (.api5xx, _), (.latency, .api): return (f == .initializer ? 0.7 : 0.2) * weight
            case (.deadLetters, _), (.backlog, _), (.sloBurn, _): return 0.3 * weight
            default: return 0.1 * weight
            }
        case .rate:
            switch kind {
            case .throttling: return 1
            case .backlog: return 0.8
            case .latency, .sloBurn: return 0.5
            default: return 0.1
            }
        default:
            return 0
        }
    }
}
