import PaytopStore
import PaytopVocabulary

extension Probe {
    /// The probe's value now (the store's clock), from the store's own reports; nil when
    /// the window holds too little to say (an SLO window without enough events for a rate,
    /// a function with no invocations, no requests).
    public func measure(_ c: Connection) throws -> Double? {
        switch kind {
        case .sloSLI, .sloBurnRate:
            let report = try SloReport.load(c)
            guard let o = report.objectives.first(where: { $0.definition.name == slo?.rawValue }),
                  let w = o.windows.first(where: { $0.label == windowText }) else { return nil }
            if kind == .sloBurnRate { return w.burnRate }
            return w.valid > 0 ? Double(w.good) / Double(w.valid) : nil
        case .queueVisible, .queueAgeOldest:
            let now = try StoredEngineState.load(c).now
            let d = try QueueDepth.at(c, queue!, now: now)
            return kind == .queueVisible ? Double(d.visible) : Double(d.oldestAgeSeconds)
        case .conversion:
            return try BusinessReport.load(c, since: window).conversion
        case .functionErrorRate, .functionThrottles:
            let report = try FunctionsReport.load(c, since: window)
            guard let row = report.rows.first(where: { $0.hop == .function(function!) }) else { return nil }
            return kind == .functionThrottles ? Double(row.throttles) : row.errorRate
        case .apiP99, .api5xx:
            let api = try FunctionsReport.load(c, since: window).api
            if kind == .apiP99 { return api.latency.map { Double($0.p99) } }
            return api.requests > 0 ? Double(api.serverErrors) / Double(api.requests) : nil
        case .moneyInvariants:
            return try InvariantCheck.run(c).isClean ? 1 : 0
        case .problemsOpen:
            return Double(try ProblemBook.openCount(c))
        }
    }
}
