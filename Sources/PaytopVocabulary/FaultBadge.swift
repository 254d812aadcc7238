/// Each active fault as the operator would name it, in a few words: the console's header
/// badges, `paytop run`'s progress line and `paytop status` print these.
public enum FaultBadge: Equatable, Sendable {
    case pspOutage
    case pspSlow(factor: Double)
    case declines(rate: Double)
    case functionErrors(FunctionName, rate: Double)
    case settlementDrift(rate: Double)

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
        return out
    }

    public var label: String {
        switch self {
        case .pspOutage: return "PSP OUTAGE"
        case .pspSlow(let x): return "PSP SLOW ×\(Int(x))"
        case .declines(let r): return "DECLINES \(percent(r))%"
        case .functionErrors(let fn, let r): return "\(fn.rawValue.uppercased()) ERRORS \(percent(r))%"
        case .settlementDrift(let r): return "SETTLEMENT DRIFT \(percent(r))%"
        }
    }

    private func percent(_ r: Double) -> Int { Int((r * 100).rounded()) }
}
