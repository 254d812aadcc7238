/// Each active fault as the operator would name it, in a few words: the console's header
/// badges, `paytop run`'s progress line and `paytop status` print these.
public enum FaultBadge: Equatable, Sendable {
    case pspOutage
    case pspSlow(factor: Double)
    case declines(rate: Double)
    case functionErrors(FunctionName, rate: Double)
    case settlementDrift(rate: Double)
    case pspPartialOutage(rate: Double)
    case hopLatency(NetworkHop, millis: Double)
    case concurrency(FunctionName, reserved: Int)
    case visibilityTimeout(QueueName, seconds: Double)
    case lambdaDelay(FunctionName, millis: Double)
    case lambdaError(FunctionName, percentage: Double)
    case dynamoLatency(DynamoTable, millis: Double)
    case dynamoThrottle(DynamoTable, rate: Double)
    case poisonNext(QueueName)

    /// The active faults in a fixed order: PSP outage, slowness, declines, then functions by name.
    public static func active(_ f: FaultState) -> [FaultBadge] {
        var out: [FaultBadge] = []
        if f.pspOutage { out.append(.pspOutage) }
        if f.pspLatencyFactor != 1 { out.append(.pspSlow(factor: f.pspLatencyFactor)) }
        if f.pspDeclineRate > 0 { out.append(.declines(rate: f.pspDeclineRate)) }
        for (fn, r) in f.functionErrorRates.sorted(by: { $0.key < $1.key }) where r > 0 {
            out.append(.functionErrors(fn, rate: r))
        }
        if let d = f.settlementDrift { out.append(.settlementDrift(rate: d.rate)) }
        if let r = f.pspErrorRate { out.append(.pspPartialOutage(rate: r)) }
        if let ms = f.apiInitializerDelayMillis { out.append(.hopLatency(.apiInitializer, millis: ms)) }
        if let ms = f.executorPspDelayMillis { out.append(.hopLatency(.executorPsp, millis: ms)) }
        for (fn, n) in (f.reservedConcurrency ?? [:]).sorted(by: { $0.key < $1.key }) { out.append(.concurrency(fn, reserved: n)) }
        for (q, s) in (f.visibilityTimeoutSeconds ?? [:]).sorted(by: { $0.key.rawValue < $1.key.rawValue }) { out.append(.visibilityTimeout(q, seconds: s)) }
        for (fn, d) in (f.invocationDelays ?? [:]).sorted(by: { $0.key < $1.key }) { out.append(.lambdaDelay(fn, millis: d.millis)) }
        for (fn, e) in (f.invocationErrors ?? [:]).sorted(by: { $0.key < $1.key }) { out.append(.lambdaError(fn, percentage: e.percentage)) }
        for (t, ms) in (f.dynamoDelayMillis ?? [:]).sorted(by: { $0.key.rawValue < $1.key.rawValue }) { out.append(.dynamoLatency(t, millis: ms)) }
        for (t, r) in (f.dynamoThrottleRates ?? [:]).sorted(by: { $0.key.rawValue < $1.key.rawValue }) { out.append(.dynamoThrottle(t, rate: r)) }
        for q in f.poisonNext ?? [] { out.append(.poisonNext(q)) }
        return out
    }

    public var label: String {
        switch self {
        case .pspOutage: return "PSP OUTAGE"
        case .pspSlow(let x): return "PSP SLOW ×\(Int(x))"
        case .declines(let r): return "DECLINES \(percent(r))%"
        case .functionErrors(let fn, let r): return "\(fn.rawValue.uppercased()) ERRORS \(percent(r))%"
        case .settlementDrift(let r): return "SETTLEMENT DRIFT \(percent(r))%"
        case .pspPartialOutage(let r): return "PSP 500s \(percent(r))%"
        case .hopLatency(let hop, let ms): return "\(hop.rawValue.uppercased()) +\(Int(ms.rounded())) MS"
        case .concurrency(let fn, let n): return "\(fn.rawValue.uppercased()) CONCURRENCY \(n)"
        case .visibilityTimeout(let q, let s): return "\(q.rawValue.uppercased()) VISIBILITY \(Int(s.rounded()))S"
        case .lambdaDelay(let fn, let ms): return "\(fn.rawValue.uppercased()) +\(Int(ms.rounded())) MS START"
        case .lambdaError(let fn, let p): return "\(fn.rawValue.uppercased()) INVOCATIONS FAIL \(Int(p.rounded()))%"
        case .dynamoLatency(let t, let ms): return "\(t.rawValue.uppercased()) +\(Int(ms.rounded())) MS"
        case .dynamoThrottle(let t, let r): return "\(t.rawValue.uppercased()) THROTTLED \(percent(r))%"
        case .poisonNext(let q): return "POISON NEXT \(q.rawValue.uppercased())"
        }
    }

    private func percent(_ r: Double) -> Int { Int((r * 100).rounded()) }
}
