import PaytopJSON
import PaytopVocabulary

/// A problem's causes: the control events before its first signal, and the attributes its
/// affected checkouts share more than the others.
extension ProblemAnalysis {
    /// Control events from the lookback to a minute after the first signal, each scored by
    /// how near it came before the first signal and how well its kind explains the
    /// problem's signals (the deepest one most); a deploy also by how much more often the
    /// affected checkouts ran its version than the unaffected ones of the same window.
    static func controlCauses(_ c: Connection, problem: ProblemRow, checkouts: [WindowCheckout]) throws -> [Cause] {
        let delay = expectedDelay(firstKind(problem))
        let s = try c.cached("SELECT at, command, args FROM control_event WHERE at >= ? AND at <= ? ORDER BY at, id")
        s.bind(1, problem.firstSignalAt - causeLookback - delay).bind(2, problem.firstSignalAt + 60_000_000_000)
        let signals = problem.signals.compactMap { r -> (SignalKind, SignalSubject)? in
            guard let k = SignalKind(rawValue: r.kind), let sub = SignalSubject(text: r.subject) else { return nil }
            return (k, sub)
        }
        let rootDepth = signals.map(\.1.depth).min() ?? 0
        var out: [Cause] = []
        while try s.step() {
            let at = s.int(0)
            guard let args = try? JSONValue.parse(s.string(2)),
                  let command = try? ControlCommand.parse(name: s.string(1), args: args),
                  var cause = candidate(command) else { continue }
            let relevance = signals.map { k, sub in
                CauseRelevance.of(command, k, sub) * (sub.depth == rootDepth ? 1 : 0.6)
            }.max() ?? 0
            guard relevance > 0 else { continue }
            let lead = problem.firstSignalAt - at
            let nearness = lead >= 0 ? max(0.1, 1 - Double(max(0, lead - delay)) / Double(causeLookback)) : 0.5
            var score = relevance * nearness
            var evidence = "\(cause.evidence) at \(ISO8601.time(nanos: at)), \(Self.lead(lead)) the first signal"
            if case .deploy(let f, let v, _) = command {
                let tag = f.rawValue + " " + v
                let (inAffected, inRest) = shares(checkouts) { $0.releases.contains(tag) }
                score *= 0.4 + 0.6 * max(0, inAffected - inRest)
                evidence += "; \(pct(inAffected)) of affected checkouts ran \(tag), \(pct(inRest)) of the others"
            }
            cause.score = (score * 1000).rounded() / 1000
            cause.evidence = evidence
            cause.at = at
            out.append(cause)
        }
        s.reset()
        return out
    }

    private static func candidate(_ command: ControlCommand) -> Cause? {
        switch command {
        case .pspOutage(true): return Cause(kind: .fault, fault: "psp-outage", score: 0, evidence: "PSP outage switched on")
        case .pspLatency(true, let x):
            return Cause(kind: .fault, fault: "psp-latency", score: 0, evidence: "PSP latency ×\(Int(x)) switched on")
        case .pspDeclines(true, let rate, let code):
            return Cause(kind: .fault, fault: "psp-declines", dimension: .declineCode, value: code, score: 0,
                         evidence: "PSP declines (\(Int((rate * 100).rounded())) % \(code)) switched on")
        case .functionErrors(let f, let rate) where rate > 0:
            return Cause(kind: .fault, fault: "function-errors", function: f, score: 0,
                         evidence: "\(f.rawValue) errors (\(Int((rate * 100).rounded())) %) switched on")
        case .settlementDrift(let d?) where d.rate > 0:
            return Cause(kind: .fault, fault: "settlement-drift", score: 0, evidence: "settlement drift switched on")
        case .pspPartialOutage(let rate) where rate > 0:
            return Cause(kind: .fault, fault: "psp-partial-outage", score: 0,
                         evidence: "PSP partial outage (\(Int((rate * 100).rounded())) % of charges answered 500) switched on")
        case .hopLatency(let hop, let ms) where ms > 0:
            return Cause(kind: .fault, fault: "hop-latency", score: 0, evidence: "\(hop.rawValue) latency +\(Int(ms.rounded())) ms switched on")
        case .functionConcurrency(let f, let n?):
            return Cause(kind: .fault, fault: "function-concurrency", function: f, score: 0,
                         evidence: "\(f.rawValue) reserved concurrency set to \(n)")
        case .visibilityTimeout(let q, let s?):
            return Cause(kind: .fault, fault: "visibility-timeout", score: 0, evidence: "\(q.rawValue) visibility timeout set to \(Int(s)) s")
        case .lambdaError(let f, let p, let prevent) where p > 0:
            return Cause(kind: .fault, fault: "lambda-error", function: f, score: 0,
                         evidence: "\(f.rawValue) invocation errors (\(Int(p.rounded())) %\(prevent ? ", handler not run" : "")) switched on")
        case .lambdaDelay(let f, let ms, _) where ms > 0:
            return Cause(kind: .fault, fault: "lambda-delay", function: f, score: 0, evidence: "\(f.rawValue) invocation delay +\(Int(ms.rounded())) ms switched on")
        case .dynamoLatency(let t, let ms) where ms > 0:
            return Cause(kind: .fault, fault: "dynamodb-latency", score: 0, evidence: "DynamoDB \(t.rawValue) latency +\(Int(ms.rounded())) ms switched on")
        case .dynamoThrottle(let t, let r) where r > 0:
            return Cause(kind: .fault, fault: "dynamodb-throttle", score: 0,
                         evidence: "DynamoDB \(t.rawValue) throttling (\(Int((r * 100).rounded())) % of requests) switched on")
        case .poisonMessage(let q):
            return Cause(kind: .fault, fault: "poison-message", score: 0, evidence: "a poison message sent to \(q.rawValue)")
        case .deploy(let f, let v, _): return Cause(kind: .deploy, function: f, version: v, score: 0, evidence: "\(f.rawValue) \(v) deployed")
        case .rollback(let f): return Cause(kind: .rollback, function: f, score: 0, evidence: "\(f.rawValue) rolled back")
        case .rate(let r): return Cause(kind: .traffic, score: 0, evidence: "traffic set to \(Int(r))/s")
        default: return nil
        }
    }

    /// Grafana's comparison: per dimension, each value's share among affected checkouts
    /// minus its share among the others of the window; a dimension scores its largest
    /// difference. Attribute differences describe, change events explain: when a control
    /// event explains the problem, attributes rank below it (half their difference).
    static func attributeCauses(_ checkouts: [WindowCheckout], controls: [Cause]) -> [Cause] {
        let affected = checkouts.filter(\.affected)
        let rest = checkouts.filter { !$0.affected }
        guard affected.count >= 5 else { return [] }
        var out: [Cause] = []
        let damp = controls.contains { $0.score >= 0.3 } ? 0.5 : 1.0
        for dim in CauseDimension.allCases {
            let values = { (k: WindowCheckout) in attributeValues(dim, k) }
            var a: [String: Int] = [:], b: [String: Int] = [:]
            for k in affected { for v in Set(values(k)) { a[v, default: 0] += 1 } }
            for k in rest { for v in Set(values(k)) { b[v, default: 0] += 1 } }
            var best: (String, Double, Double, Double)?
            for v in Set(a.keys).union(b.keys).sorted() {
                let sa = Double(a[v] ?? 0) / Double(affected.count)
                let sb = rest.isEmpty ? 0 : Double(b[v] ?? 0) / Double(rest.count)
                if best == nil || sa - sb > best!.1 { best = (v, sa - sb, sa, sb) }
            }
            guard let (value, diff, sa, sb) = best, diff >= 0.2 else { continue }
            var cause = Cause(kind: .attribute, dimension: dim, value: value, score: (diff * damp * 1000).rounded() / 1000,
                              evidence: "\(pct(sa)) of affected checkouts have \(dim.rawValue) \(value); \(pct(sb)) of the others")
            if dim == .release {
                let parts = value.split(separator: " ", maxSplits: 1).map(String.init)
                if parts.count == 2 { cause.function = FunctionName(rawValue: parts[0]); cause.version = parts[1] }
            }
            out.append(cause)
        }
        return out
    }

    /// A checkout's values of one compared dimension.
    static func attributeValues(_ dim: CauseDimension, _ k: WindowCheckout) -> [String] {
        switch dim {
        case .release: return k.releases
        case .pspErrorCode: return k.failed ? [k.failureCode ?? "none"] : []
        case .declineCode: return k.failureCode.flatMap { DeclineCode.all.contains($0) ? [$0] : nil } ?? []
        case .merchant: return k.merchants
        case .currency: return [k.currency]
        case .amountBand: return [band(k.amount)]
        }
    }

    static func shares(_ checkouts: [WindowCheckout], _ has: (WindowCheckout) -> Bool) -> (Double, Double) {
        var a = 0, an = 0, b = 0, bn = 0
        for k in checkouts {
            if k.affected { an += 1; if has(k) { a += 1 } } else { bn += 1; if has(k) { b += 1 } }
        }
        return (an == 0 ? 0 : Double(a) / Double(an), bn == 0 ? 0 : Double(b) / Double(bn))
    }

    static func band(_ m: Money) -> String {
        switch m.minorUnits {
        case ..<1_000: return "under 10"
        case ..<10_000: return "10–100"
        case ..<100_000: return "100–1,000"
        default: return "1,000 and over"
        }
    }

    static func pct(_ v: Double) -> String { "\(Int((v * 100).rounded())) %" }

    static func lead(_ nanos: Int64) -> String {
        if nanos == 0 { return "the minute of" }
        return nanos > 0 ? DurationText.words(nanos: nanos) + " before" : DurationText.words(nanos: -nanos) + " after"
    }
}
