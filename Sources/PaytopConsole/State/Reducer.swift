import PaytopStore
import PaytopVocabulary

/// The Elm-style update: state + key (with the latest snapshot for context) → new state
/// and effects. Pure; every key binding is tested through it.
public enum Reducer {
    public static let minimumWidth = 80
    public static let minimumHeight = 24

    public static func reduce(_ s: inout ConsoleState, _ action: Action, data: ConsoleData) -> [Effect] {
        switch action {
        case .key(let key): return reduce(&s, key: key, data: data)
        case .resized(let w, let h): s.width = w; s.height = h
        case .controlSent(let id, let summary, let engineAlive):
            s.status = .init(text: "sent #\(id): \(summary)" + (engineAlive ? "" : " (no engine is running; it applies when one starts)"),
                             isError: false)
        case .controlFailed(let summary, let error): s.status = .init(text: "\(summary) failed: \(error)", isError: true)
        case .themeChanged(let name):
            s.themeName = name
            s.status = .init(text: "theme \(name)", isError: false)
        case .themeFailed(let error): s.status = .init(text: error, isError: true)
        case .traceMissing(let id): s.status = .init(text: "unknown checkout_id \(id)", isError: true)
        case .storeReadFailed(let error): s.status = .init(text: error, isError: true)
        case .watchingReceived(let on): s.watchingReceived = on
        case .panesShown(let panes):
            // A pane the frame no longer draws (a smaller terminal) gives the focus back.
            let was = s.focusedPane
            s.panesShown = panes
            if let was, s.focusedPane != was { s.focus = panes.firstIndex(of: was).map { s.view.basePanes + $0 } ?? 0 }
        case .problemsReloaded:
            // The selection follows the problem shown when newer ones open above it.
            guard s.view == .problems else { return [] }
            if let id = s.problemID, let i = data.snapshot.problems.firstIndex(where: { $0.id == id }) {
                s.selection[.problems] = i
                return []
            }
            return problemSelected(&s, data.snapshot)
        }
        return []
    }

    public static func reduce(_ s: inout ConsoleState, key: Key, data: ConsoleData) -> [Effect] {
        let snapshot = data.snapshot
        // Too small: only q quits.
        if s.width < minimumWidth || s.height < minimumHeight {
            if key == .char("q") { s.quit = true; return [.quit] }
            return []
        }
        if s.prompt != nil { return promptKey(&s, key, data) }
        if s.compare != nil && !s.showHelp { return compareKey(&s, key, data) }
        if let chart = s.focusedChart, !s.showHelp, let effects = chartKey(&s, key, chart, data) { return effects }
        if s.view == .trace, let t = data.trace {
            s.selectedSpan = min(s.selectedSpan, max(0, TraceLayout.rows(t, folded: s.folded).count - 1))
        }
        if s.showHelp {
            if key == .escape || key == .char("?") || key == .char("q") { s.showHelp = false }
            return []
        }
        switch key {
        case .char("q"): s.quit = true; return [.quit]
        case .char("?"): s.showHelp = true
        case .escape:
            // Out of a drill, back to the newest payments.
            if s.view == .payments && s.drill != nil { s.drill = nil; s.selection[.payments] = 0 }
            s.status = nil
        case .char(let c) where c.isNumber:
            if let v = ViewID(key: c) {
                let needsMore = !data.snapshot.parts.isSuperset(of: v.parts)
                show(&s, v)
                if v == .problems { return problemSelected(&s, snapshot) + (needsMore ? [.reload] : []) }
                if needsMore { return [.reload] }
            }
        case .tab: s.focus = (s.focus + 1) % panes(s); s.rangeMark = nil
        case .backTab: s.focus = (s.focus + panes(s) - 1) % panes(s); s.rangeMark = nil
        case .char("t"): s.prompt = .init(kind: .checkout)
        case .char(":"): s.prompt = .init(kind: .command)
        case .char("/"):
            if s.view == .payments { s.prompt = .init(kind: .filter, text: s.paymentFilter) }
            if s.view == .trace { s.prompt = .init(kind: .spanSearch, text: s.spanQuery) }
        case .char("n") where s.view == .trace: findSpan(&s, data.trace, step: 1)
        case .char("N") where s.view == .trace: findSpan(&s, data.trace, step: -1)
        case .char("E") where s.view == .trace: s.folded = []
        case .char("C") where s.view == .trace:
            // Collapse all: every span with children folded, the selection on its root.
            let rows = TraceLayout.rows(data.trace, folded: [])
            s.folded = Set(rows.filter(\.hasChildren).map(\.span.spanID))
            s.selectedSpan = 0
        case .up, .char("k"): return move(&s, -1, data)
        case .down, .char("j"): return move(&s, 1, data)
        case .pageUp: return move(&s, -10, data)
        case .pageDown: return move(&s, 10, data)
        case .home, .char("g"):
            if s.view == .trace { s.selectedSpan = 0 }
            return move(&s, -1_000_000, data)
        case .end, .char("G"): return move(&s, 1_000_000, data)
        case .left, .char("h"): if s.view == .trace { return foldKey(&s, fold: true, data.trace) }
        case .right, .char("l"): if s.view == .trace { return foldKey(&s, fold: false, data.trace) }
        case .enter: return enter(&s, data)
        case .char("o"): return fault(&s, .pspOutage(on: !snapshot.faults.pspOutage))
        case .char("s"): return fault(&s, .pspLatency(on: snapshot.faults.pspLatencyFactor == 1, factor: ControlCommand.defaultLatencyFactor))
        case .char("d"):
            return fault(&s, .pspDeclines(on: snapshot.faults.pspDeclineRate == 0, rate: ControlCommand.defaultDeclineRate,
                                          code: DeclineCode.cardDeclined))
        case .char("x"): return fault(&s, .clearFaults)
        case .char("A"):
            guard let e = snapshot.experiment else {
                s.status = .init(text: "no experiment is running (paytop experiment run FILE --live --db PATH starts one)", isError: true)
                return []
            }
            return control(&s, .experiment(.abort), summary: "abort experiment \(e.name)")
        case .char(" "): return control(&s, snapshot.traffic.paused ? .resume : .pause,
                                        summary: snapshot.traffic.paused ? "resume traffic" : "pause traffic")
        case .char("+"): return rate(&s, snapshot.traffic.ratePerSecond <= 0 ? 1 : snapshot.traffic.ratePerSecond * 1.5)
        case .char("-"): return rate(&s, snapshot.traffic.ratePerSecond / 1.5)
        case .char("B"):
            let version = bump(snapshot.versions[.executor] ?? "1.0.0")
            return control(&s, .deploy(service: .executor, version: version, regression: .errors),
                           summary: "deploy executor \(version) (a bad release)")
        case .char("U"): return control(&s, .rollback(.executor), summary: "roll back executor")
        case .char("r"): return redriveSelected(&s, snapshot)
        case .char("R"):
            let on = snapshot.faults.settlementDrift == nil
            return fault(&s, ControlCommand.fault(kind: "settlement-drift", on: on)!)
        case .char("c") where s.view == .reconciliation: return control(&s, .reconcile, summary: "reconcile now")
        case .char("c") where s.view == .problems: return drillProblem(&s, snapshot)
        case .char("c") where s.view == .functions: return enterFunction(&s, snapshot, cold: true)
        case .char("["): return cycleRange(&s, -1)
        case .char("]"): return cycleRange(&s, 1)
        case .char("O") where s.view == .business: cycleMerchantSort(&s, snapshot)
        default:
            s.status = .init(text: "unknown key; press ? for help", isError: true)
        }
        return []
    }

    /// Moves the shared time range one step shorter (-1) or longer (+1) and reloads.
    static func cycleRange(_ s: inout ConsoleState, _ step: Int) -> [Effect] {
        let all = ConsoleState.TimeRange.allCases
        let i = all.firstIndex(of: s.timeRange)!
        s.timeRange = all[(i + step + all.count) % all.count]
        s.cursor = nil
        s.rangeMark = nil
        s.status = .init(text: "time range: \(s.timeRange.label)", isError: false)
        return [.reload]
    }

    /// The merchant orders O steps through: counts, error rate, id, then each currency's revenue.
    static func merchantSorts(_ snap: ConsoleSnapshot) -> [ConsoleState.MerchantSort] {
        [.orders, .settled, .failed, .errorRate, .merchant] + currencies(snap).map { .revenue($0) }
    }

    static func currencies(_ snap: ConsoleSnapshot) -> [String] {
        Array(Set(snap.business?.merchants.flatMap { $0.revenue.map(\.currency) } ?? [])).sorted()
    }

    static func cycleMerchantSort(_ s: inout ConsoleState, _ snap: ConsoleSnapshot) {
        let sorts = merchantSorts(snap)
        let i = sorts.firstIndex(of: s.merchantSort) ?? -1
        s.merchantSort = sorts[(i + 1) % sorts.count]
        s.selection[.business] = 0
    }

    /// The merchants in the chosen order (descending, the id ascending).
    public static func sortedMerchants(_ s: ConsoleState, _ snap: ConsoleSnapshot) -> [BusinessReport.Merchant] {
        let list = snap.business?.merchants ?? []
        func revenue(_ m: BusinessReport.Merchant, _ c: String) -> Int64 { m.revenue.first { $0.currency == c }?.amount.minorUnits ?? 0 }
        switch s.merchantSort {
        case .orders: return list.sorted { ($0.orders, $1.merchantID) > ($1.orders, $0.merchantID) }
        case .settled: return list.sorted { ($0.settled, $1.merchantID) > ($1.settled, $0.merchantID) }
        case .failed: return list.sorted { ($0.failed, $1.merchantID) > ($1.failed, $0.merchantID) }
        case .errorRate: return list.sorted { ($0.errorRate ?? 0, $1.merchantID) > ($1.errorRate ?? 0, $0.merchantID) }
        case .merchant: return list.sorted { $0.merchantID < $1.merchantID }
        case .revenue(let c): return list.sorted { (revenue($0, c), $1.merchantID) > (revenue($1, c), $0.merchantID) }
        }
    }

    /// The panes Tab cycles through: the view's own, then the charts it drew.
    static func panes(_ s: ConsoleState) -> Int { s.view.basePanes + s.panesShown.count }

    static func rowCount(_ s: ConsoleState, _ data: ConsoleData) -> Int {
        let snap = data.snapshot
        switch s.view {
        case .queues: return s.focus == 0 ? snap.queues.count : snap.deadLetters.count
        case .payments: return visiblePayments(s, data).count
        case .slos: return snap.slo?.objectives.count ?? 0
        case .problems: return snap.problems.count
        case .releases: return snap.releases.count
        case .business: return snap.business?.merchants.count ?? 0
        case .functions: return snap.functionsReport?.rows.count ?? 0
        case .reconciliation:
            return s.focus == 0 ? (snap.reconciliation?.batches.count ?? 0) : (snap.reconciliation?.mismatches.count ?? 0)
        default: return 0
        }
    }

    static func move(_ s: inout ConsoleState, _ delta: Int, _ data: ConsoleData) -> [Effect] {
        let snap = data.snapshot
        if s.view == .trace {
            // (Trace selection is clamped by the view, which knows how many rows are visible.)
            s.selectedSpan = max(0, s.selectedSpan + delta)
            return []
        }
        if let list = s.focusedList {
            moveInList(&s, list, delta, snap)
            return []
        }
        if s.view == .problems && s.focus == 1 {
            let n = data.problem?.analysis.exemplarsAndTypical.count ?? 0
            s.selectedExemplar = max(0, min(n - 1, s.selectedExemplar + delta))
            return []
        }
        let n = rowCount(s, data)
        s.selection[s.view] = max(0, min(n - 1, s.selected(s.view) + delta))
        return s.view == .problems ? problemSelected(&s, snap) : []
    }

    /// The payments the view lists: a drill's checkouts, or the newest; after the `/`
    /// filter and the sort.
    public static func visiblePayments(_ s: ConsoleState, _ d: ConsoleData) -> [ConsoleSnapshot.Payment] {
        guard s.drill != nil else { return visiblePayments(s, d.snapshot) }
        return visiblePayments(s, d.drilled.map {
            ConsoleSnapshot.Payment(checkoutID: $0.checkoutID, state: $0.state, orders: $0.orders, amount: $0.amountTotal,
                                    currency: $0.currency, merchants: $0.merchants, failureCode: $0.errorCode,
                                    createdAt: $0.createdAt, doneAt: $0.doneAt)
        }, now: d.snapshot.at)
    }

    /// The newest payments after the `/` filter and the sort.
    public static func visiblePayments(_ s: ConsoleState, _ snap: ConsoleSnapshot) -> [ConsoleSnapshot.Payment] {
        visiblePayments(s, snap.payments, now: snap.at)
    }

    static func visiblePayments(_ s: ConsoleState, _ payments: [ConsoleSnapshot.Payment], now: Int64) -> [ConsoleSnapshot.Payment] {
        var list = payments
        let f = s.paymentFilter.lowercased()
        if !f.isEmpty {
            list = list.filter {
                $0.checkoutID.lowercased().contains(f) || $0.state.rawValue.lowercased().contains(f)
                    || $0.merchants.contains { $0.lowercased().contains(f) } || $0.currency.lowercased().contains(f)
            }
        }
        switch s.paymentSort {
        case .newest: break
        case .amount: list.sort { (Money(decimalString: $0.amount) ?? .zero) > (Money(decimalString: $1.amount) ?? .zero) }
        case .state: list.sort { ($0.state.rawValue, $0.checkoutID) < ($1.state.rawValue, $1.checkoutID) }
        case .slowest: list.sort { ($0.took(now), $1.checkoutID) > ($1.took(now), $0.checkoutID) }
        }
        return list
    }

    static func enter(_ s: inout ConsoleState, _ data: ConsoleData) -> [Effect] {
        let snap = data.snapshot
        if let list = s.focusedList { return enterList(&s, list, snap) }
        switch s.view {
        case .functions: return enterFunction(&s, snap, cold: false)
        case .slos: return enterSlo(&s, snap)
        case .payments:
            let list = visiblePayments(s, data)
            guard s.selected(.payments) < list.count else { return [] }
            return openTrace(&s, list[s.selected(.payments)].checkoutID)
        case .queues where s.focus == 1:
            guard s.selected(.queues) < snap.deadLetters.count else { return [] }
            return openTrace(&s, snap.deadLetters[s.selected(.queues)].checkoutID)
        case .reconciliation where s.focus == 1:
            let list = snap.reconciliation?.mismatches ?? []
            guard s.selected(.reconciliation) < list.count else { return [] }
            guard let id = list[s.selected(.reconciliation)].checkoutID else {
                s.status = .init(text: "this mismatch names no checkout the pipeline knows", isError: true)
                return []
            }
            return openTrace(&s, id)
        case .trace:
            return foldKey(&s, fold: nil, data.trace)
        case .problems where s.focus == 0:
            // The problem's checkouts: Enter moves to its exemplars.
            guard data.problem != nil, !snap.problems.isEmpty else { return problemSelected(&s, snap) }
            s.focus = 1
            return []
        case .problems:
            let list = data.problem?.analysis.exemplarsAndTypical ?? []
            guard s.selectedExemplar < list.count else { return [] }
            return openTrace(&s, list[s.selectedExemplar])
        case .business:
            // A merchant's whole history, newest first (not only the newest payments).
            let list = sortedMerchants(s, snap)
            guard s.selected(.business) < list.count else { return [] }
            var f = CheckoutSearch.Filter()
            f.merchant = list[s.selected(.business)].merchantID
            f.limit = ConsoleLimits.drill
            return drill(&s, title: "merchant \(f.merchant!) · whole history", f)
        default:
            return []
        }
    }

    static func fault(_ s: inout ConsoleState, _ command: ControlCommand) -> [Effect] {
        let summary: String
        switch command {
        case .pspOutage(let on): summary = "fault psp-outage \(on ? "on" : "off")"
        case .pspLatency(let on, _): summary = "fault psp-latency \(on ? "on" : "off")"
        case .pspDeclines(let on, _, _): summary = "fault psp-declines \(on ? "on" : "off")"
        case .functionErrors(let f, let rate): summary = "fault function-errors \(f.rawValue) \(rate)"
        case .settlementDrift(let d): summary = "fault settlement-drift \(d == nil ? "off" : "on")"
        default: summary = "fault clear"
        }
        return control(&s, command, summary: summary)
    }

    static func rate(_ s: inout ConsoleState, _ r: Double) -> [Effect] {
        let rounded = (r * 100).rounded() / 100
        return control(&s, .rate(rounded), summary: "rate \(rounded)/s")
    }

    static func control(_ s: inout ConsoleState, _ command: ControlCommand, summary: String) -> [Effect] {
        if s.readOnly {
            s.status = .init(text: "\(summary): unavailable, \(s.readOnlyReason)", isError: true)
            return []
        }
        if s.watchingReceived {
            s.status = .init(text: "\(summary): faults and controls act on paytop's embedded engine only; this store holds telemetry received from outside",
                             isError: true)
            return []
        }
        s.status = .init(text: "sent: \(summary)", isError: false)
        return [.control(command, summary: summary)]
    }

    static func redriveSelected(_ s: inout ConsoleState, _ snap: ConsoleSnapshot) -> [Effect] {
        let queue: QueueName?
        if s.view == .queues && s.focus == 0, s.selected(.queues) < snap.queues.count {
            queue = snap.queues[s.selected(.queues)].name
        } else if s.view == .queues && s.focus == 1, s.selected(.queues) < snap.deadLetters.count {
            queue = snap.deadLetters[s.selected(.queues)].queue
        } else {
            queue = nil
        }
        guard let q = queue, q.isDeadLetterQueue else {
            s.status = .init(text: "select a dead-letter queue in the Queues view (2) to redrive it", isError: true)
            return []
        }
        return control(&s, .redrive(q), summary: "redrive \(q.rawValue)")
    }

    static func bump(_ v: String) -> String {
        var parts = v.split(separator: ".").compactMap { Int($0) }
        guard parts.count >= 2 else { return v + ".1" }
        parts[1] += 1
        if parts.count > 2 { parts[2] = 0 }
        return parts.map(String.init).joined(separator: ".")
    }
}
