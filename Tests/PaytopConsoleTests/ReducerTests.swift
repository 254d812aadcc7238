import Testing
@testable import PaytopConsole
@testable import PaytopStore
import PaytopVocabulary

/// Every key binding, through the pure reducer.
@Suite struct ReducerTests {
    func state(width: Int = 120, height: Int = 36) -> ConsoleState {
        var s = ConsoleState()
        s.width = width
        s.height = height
        return s
    }

    func data(faults: FaultState = FaultState(), paused: Bool = false) -> ConsoleData {
        var snap = ConsoleSnapshot()
        snap.faults = faults
        snap.traffic.paused = paused
        snap.traffic.ratePerSecond = 10
        snap.versions = [.executor: "1.2.0"]
        snap.payments = ["chk-aaa1", "chk-aab2", "chk-bbb3"].map {
            .init(checkoutID: $0, state: .success, orders: 1, amount: "10.00", currency: "USD", merchants: ["seller-acct-001"],
                  failureCode: nil, createdAt: 0, doneAt: 0)
        }
        snap.queues = [QueueName.execution, .executionDLQ].map { .init(name: $0) }
        return ConsoleData(snapshot: snap)
    }

    func press(_ s: inout ConsoleState, _ keys: [Key], _ d: ConsoleData? = nil) -> [Effect] {
        var all: [Effect] = []
        for k in keys { all += Reducer.reduce(&s, key: k, data: d ?? data()) }
        return all
    }

    @Test func digitsSwitchViewsAndHelpOpensAndCloses() {
        var s = state()
        for v in ViewID.allCases {
            _ = press(&s, [.char(v.key)])
            #expect(s.view == v)
        }
        _ = press(&s, [.char("?")])
        #expect(s.showHelp)
        _ = press(&s, [.char("3")])
        #expect(s.view == .problems && s.showHelp)  // keys do not leak through the overlay
        _ = press(&s, [.escape])
        #expect(!s.showHelp)
        #expect(press(&s, [.char("q")]) == [.quit] && s.quit)
    }

    @Test func faultKeysToggleFromWhatTheStoreSays() {
        var s = state()
        var outage = FaultState(), slow = FaultState(), declining = FaultState()
        outage.pspOutage = true
        slow.pspLatencyFactor = 100
        declining.pspDeclineRate = 0.3
        #expect(press(&s, [.char("o")]) == [.control(.pspOutage(on: true), summary: "fault psp-outage on")])
        #expect(press(&s, [.char("o")], data(faults: outage)) == [.control(.pspOutage(on: false), summary: "fault psp-outage off")])
        #expect(press(&s, [.char("s")]).first == .control(.pspLatency(on: true, factor: 100), summary: "fault psp-latency on"))
        #expect(press(&s, [.char("s")], data(faults: slow)).first == .control(.pspLatency(on: false, factor: 100), summary: "fault psp-latency off"))
        #expect(press(&s, [.char("d")], data(faults: declining)).first
                == .control(.pspDeclines(on: false, rate: 0.3, code: "CARD_DECLINED"), summary: "fault psp-declines off"))
        #expect(press(&s, [.char("x")]) == [.control(.clearFaults, summary: "fault clear")])
        #expect(press(&s, [.char(" ")]) == [.control(.pause, summary: "pause traffic")])
        #expect(press(&s, [.char(" ")], data(paused: true)) == [.control(.resume, summary: "resume traffic")])
        #expect(press(&s, [.char("+")]) == [.control(.rate(15), summary: "rate 15.0/s")])
        #expect(press(&s, [.char("B")])
                == [.control(.deploy(service: .executor, version: "1.3.0", regression: .errors), summary: "deploy executor 1.3.0 (a bad release)")])
        #expect(press(&s, [.char("U")]) == [.control(.rollback(.executor), summary: "roll back executor")])
    }

    /// `A` aborts the experiment the engine says is running (and says when none is); the
    /// header's badge counts its engine time down, whole seconds up.
    @Test func aAbortsTheRunningExperimentAndTheBadgeCountsDown() {
        var s = state()
        _ = press(&s, [.char("A")])
        #expect(s.status?.text.hasPrefix("no experiment is running") == true && s.status?.isError == true)
        var d = data()
        let e = ExperimentStatus(name: "psp-outage", startedAt: 0, endsAt: 725_000_000_001)
        d.snapshot.experiment = e
        d.snapshot.at = 0
        #expect(press(&s, [.char("A")], d) == [.control(.experiment(.abort), summary: "abort experiment psp-outage")])
        #expect(Screen.experimentText(e, at: 0) == "EXPERIMENT psp-outage 12m06s LEFT")
        #expect(Screen.experimentText(e, at: 725_000_000_001) == "EXPERIMENT psp-outage FINISHING")
        var aborting = e
        aborting.abortRequested = true
        #expect(Screen.experimentText(aborting, at: 0) == "EXPERIMENT psp-outage ABORTING")
        s.readOnly = true
        #expect(press(&s, [.char("A")], d).isEmpty)
    }

    @Test func reconciliationKeysRehearseDriftReconcileAndOpenAMismatchsTrace() throws {
        var s = state()
        let all = SettlementDrift(kinds: SettlementDriftKind.allCases, rate: SettlementDrift.defaultRate)
        #expect(press(&s, [.char("R")]) == [.control(.settlementDrift(all), summary: "fault settlement-drift on")])
        var drifting = FaultState()
        drifting.settlementDrift = all
        #expect(press(&s, [.char("R")], data(faults: drifting)) == [.control(.settlementDrift(nil), summary: "fault settlement-drift off")])
        for case .control(let command, _) in press(&s, [.char("R")]) {
            #expect(try ControlCommand.parse(name: command.name, args: command.args) == command)
        }
        #expect(press(&s, [.char("9"), .char("c")]) == [.control(.reconcile, summary: "reconcile now")])
        #expect(s.view == .reconciliation)
        var d = data()
        var report = ReconciliationReport()
        report.mismatches = [
            MismatchRow(id: 1, kind: .unknownReference, checkoutID: nil, pspReference: "psp_x", ledgerAmount: nil, ledgerCurrency: nil,
                        pspAmount: Money(minorUnits: 100), pspCurrency: "USD", batchNo: 1, lineNo: 3, firstSeen: 0),
            MismatchRow(id: 2, kind: .capturedNotCredited, checkoutID: "chk-aab2", pspReference: "psp_y", ledgerAmount: nil,
                        ledgerCurrency: nil, pspAmount: Money(minorUnits: 1000), pspCurrency: "USD", batchNo: 1, lineNo: 4, firstSeen: 0),
        ]
        d.snapshot.reconciliation = report
        #expect(press(&s, [.tab, .enter], d) == [])
        #expect(s.status?.isError == true, "a line nobody knows has no trace to open")
        #expect(press(&s, [.char("j"), .enter], d) == [.loadTrace("chk-aab2")])
        #expect(s.view == .trace)
        #expect(press(&s, [.char(":")] + "reconcile".map { .char($0) } + [.enter]) == [.control(.reconcile, summary: "reconcile now")])
    }

    /// What the console writes is what the engine reads: each command through the one codec.
    /// A business report of three merchants, one in two currencies.
    func businessData() -> ConsoleData {
        var d = data()
        func merchant(_ id: String, orders: Int64, failed: Int64, _ revenue: [(String, Int64)]) -> BusinessReport.Merchant {
            var m = BusinessReport.Merchant(merchantID: id)
            m.orders = orders; m.failed = failed; m.settled = orders - failed
            m.revenue = revenue.map { .init(currency: $0.0, amount: Money(minorUnits: $0.1)) }
            for (c, _) in revenue { m.settledByCurrency[c] = m.settled }
            return m
        }
        d.snapshot.business = BusinessReport(
            at: 0, from: nil, funnel: FunnelStep.allCases.map { ($0, 10) }, revenue: [], lostRevenue: [], stages: [], errorCodes: [],
            merchants: [merchant("m-a", orders: 5, failed: 1, [("USD", 900)]),
                        merchant("m-b", orders: 9, failed: 0, [("EUR", 100), ("USD", 50)]),
                        merchant("m-c", orders: 2, failed: 2, [])],
            pspLatency: nil, pspResponses: 0, pspTechnicalFailures: 0)
        return d
    }

    @Test func theTimeRangeCyclesAndReloadsEverywhere() {
        var s = state()
        #expect(s.timeRange == .hour)
        #expect(press(&s, [.char("]")]) == [.reload])
        #expect(s.timeRange == .sixHours)
        _ = press(&s, [.char("]"), .char("]")])
        #expect(s.timeRange == .all)
        _ = press(&s, [.char("]")])
        #expect(s.timeRange == .fiveMinutes, "the cycle wraps")
        _ = press(&s, [.char("[")])
        #expect(s.timeRange == .all)
        #expect(s.timeRange.nanos == nil && ConsoleState.TimeRange.day.nanos == 86_400_000_000_000)
        var t = state()
        #expect(press(&t, [.char(":")] + "range 5m".map { .char($0) } + [.enter]) == [.reload])
        #expect(t.timeRange == .fiveMinutes)
        _ = press(&t, [.char(":")] + "range 2w".map { .char($0) } + [.enter])
        #expect(t.status?.isError == true && t.timeRange == .fiveMinutes)
    }

    /// A view whose costly parts the snapshot lacks asks for a read; one it has does not.
    @Test func switchingViewsReadsOnlyWhatTheViewDraws() {
        var s = state()
        var d = data()
        d.snapshot.parts = [.business, .series]
        #expect(press(&s, [.char("7")], d).isEmpty, "the business view's parts are loaded")
        #expect(press(&s, [.char("8")], d) == [.reload], "the functions report is not")
        #expect(press(&s, [.char("3")], d).isEmpty, "payments need none of them")
        #expect(ViewID.functions.parts == [.functions, .series] && ViewID.payments.parts.isEmpty)
    }

    @Test func merchantsSortByEachColumnAndEnterListsTheirPayments() {
        let d = businessData()
        var s = state()
        _ = press(&s, [.char("7")], d)
        #expect(Reducer.sortedMerchants(s, d.snapshot).map(\.merchantID) == ["m-b", "m-a", "m-c"], "by orders")
        _ = press(&s, [.char("O")], d)
        #expect(s.merchantSort == .settled)
        _ = press(&s, [.char("O"), .char("O")], d)
        #expect(s.merchantSort == .errorRate)
        #expect(Reducer.sortedMerchants(s, d.snapshot).map(\.merchantID) == ["m-c", "m-a", "m-b"])
        _ = press(&s, [.char("O"), .char("O")], d)
        #expect(s.merchantSort == .revenue("EUR"), "then each currency's revenue, never a sum of them")
        #expect(Reducer.sortedMerchants(s, d.snapshot).first?.merchantID == "m-b")
        _ = press(&s, [.char("O")], d)
        #expect(s.merchantSort == .revenue("USD"))
        #expect(Reducer.sortedMerchants(s, d.snapshot).map(\.merchantID) == ["m-a", "m-b", "m-c"])
        _ = press(&s, [.char("O")], d)
        #expect(s.merchantSort == .orders, "the cycle wraps")
        // Enter: the merchant's whole history (a drill), not the newest payments filtered.
        var merchant = CheckoutSearch.Filter()
        merchant.merchant = "m-a"
        merchant.limit = ConsoleLimits.drill
        #expect(press(&s, [.down, .enter], d) == [.loadCheckouts(merchant)])
        #expect(s.view == .payments && s.drill?.filter == merchant && s.paymentFilter.isEmpty)
        // The view lists the drill's checkouts; Esc goes back to the newest payments.
        var drilled = d
        drilled.drilled = [CheckoutSearch.Row(checkoutID: "chk-old", state: .success, outcome: "SUCCESS", amountTotal: "5.00",
                                              currency: "EUR", createdAt: 1, doneAt: 2, durationNanos: 1, errorCode: nil,
                                              merchants: ["m-a"], orders: 1, arrivedAt: 1)]
        #expect(Reducer.visiblePayments(s, drilled).map(\.checkoutID) == ["chk-old"])
        #expect(press(&s, [.enter], drilled) == [.loadTrace("chk-old")])
        _ = press(&s, [.char("3"), .escape], drilled)
        #expect(s.drill == nil && Reducer.visiblePayments(s, drilled).map(\.checkoutID) == d.snapshot.payments.map(\.checkoutID))
    }

    /// c in the Problems view lists the selected problem's affected checkouts over its window.
    @Test func aProblemsAffectedCheckoutsAreADrill() {
        var s = state()
        var d = data()
        let signal = ProblemSignalRow(kind: "psp-errors", subject: "psp", firstAt: 600_000_000_000, lastAt: 660_000_000_000, detail: "")
        d.snapshot.problems = [ProblemRow(id: 4, title: "PSP failing (5xx)", severity: "critical", openedAt: 660_000_000_000,
                                          firstSignalAt: 600_000_000_000, lastViolationAt: 900_000_000_000, closedAt: 1_200_000_000_000,
                                          signals: [signal])]
        _ = press(&s, [.char("0")], d)
        var want = CheckoutSearch.Filter()
        want.from = 600_000_000_000 - ProblemAnalysis.windowLead
        want.to = 1_200_000_000_000
        want.affected = true
        want.limit = ConsoleLimits.drill
        #expect(press(&s, [.char("c")], d) == [.loadCheckouts(want)])
        #expect(s.view == .payments && s.drill?.title == "problem #4 · affected checkouts")
    }

    @Test func everyCommandTheConsoleSendsParsesBackToItself() throws {
        var s = state()
        let effects = press(&s, [.char("o"), .char("s"), .char("d"), .char("x"), .char(" "), .char("+"), .char("B"), .char("U")])
        #expect(effects.count == 8)
        for case .control(let command, _) in effects {
            #expect(try ControlCommand.parse(name: command.name, args: command.args) == command)
        }
    }

    @Test func readOnlyConsolesExplainWhyFaultKeysDoNothing() {
        var s = state()
        s.readOnly = true
        #expect(press(&s, [.char("o"), .char("x"), .char("B")]).isEmpty)
        #expect(s.status?.isError == true)
        #expect(s.status?.text.contains("read-only") == true)
    }

    @Test func redriveNeedsASelectedDeadLetterQueue() {
        var s = state()
        #expect(press(&s, [.char("r")]).isEmpty)
        #expect(s.status?.isError == true)
        _ = press(&s, [.char("2"), .char("j")])
        #expect(press(&s, [.char("r")]) == [.control(.redrive(.executionDLQ), summary: "redrive payment-execution-queue-dlq")])
    }

    @Test func theCommandLineRunsCommandsAndRejectsUnknownOnes() {
        var s = state()
        func command(_ text: String) -> [Effect] { press(&s, [.char(":")] + text.map { .char($0) } + [.enter]) }
        #expect(command("trace chk-1") == [.loadTrace("chk-1")] && s.view == .trace)
        #expect(command("fault psp-outage on").first == .control(.pspOutage(on: true), summary: "fault psp-outage on"))
        // Any fault with its arguments, as docs/control.md names them.
        #expect(command("fault hop-latency hop=executor-psp milliseconds=2000")
                == [.control(.hopLatency(.executorPsp, millis: 2000), summary: "fault hop-latency hop=executor-psp milliseconds=2000")])
        #expect(command("fault lambda-error function=wallet percentage=20 prevent_execution=true").first
                == .control(.lambdaError(.wallet, percentage: 20, preventExecution: true), summary: "fault lambda-error function=wallet percentage=20 prevent_execution=true"))
        #expect(command("fault function-concurrency function=executor reserved=null").first
                == .control(.functionConcurrency(.executor, reserved: nil), summary: "fault function-concurrency function=executor reserved=null"))
        #expect(command("fault hop-latency hop=nowhere").isEmpty && s.status?.text.contains("hop must be one of") == true)
        #expect(command("fault hop-latency milliseconds").isEmpty && s.status?.text.contains("is not key=value") == true)
        #expect(command("rate 25") == [.control(.rate(25), summary: "rate 25.0/s")])
        #expect(command("speed 50").first == .control(.speed(50), summary: "speed ×50"))
        #expect(command("deploy executor 2.0.0 --regression latency")
                == [.control(.deploy(service: .executor, version: "2.0.0", regression: .latency), summary: "deploy executor 2.0.0")])
        #expect(command("deploy executor \"quoted\\\"")
                == [.control(.deploy(service: .executor, version: "\"quoted\\\"", regression: nil), summary: "deploy executor \"quoted\\\"")])
        #expect(command("deploy executor 2.0.0 --regression sideways").isEmpty && s.status?.isError == true)
        #expect(command("rollback wallet") == [.control(.rollback(.wallet), summary: "rollback wallet")])
        #expect(command("redrive execution-dlq").first == .control(.redrive(.executionDLQ), summary: "redrive payment-execution-queue-dlq"))
        #expect(command("redrive execution").isEmpty && s.status?.isError == true)
        #expect(command("theme light") == [.setTheme("light")])
        #expect(command("explode").isEmpty && s.status?.text == "unknown command \":explode\"; press ? for the list")
        #expect(command("rate lots").isEmpty && s.status?.isError == true)
        #expect(command("quit") == [.quit])
    }

    @Test func theCheckoutPromptCompletesAndEscCancels() {
        var s = state()
        _ = press(&s, [.char("t"), .char("c"), .char("h"), .char("k"), .char("-"), .char("a"), .tab])
        #expect(s.prompt?.text == "chk-aa")
        _ = press(&s, [.char("b"), .tab])
        #expect(s.prompt?.text == "chk-aab2")
        #expect(press(&s, [.enter]) == [.loadTrace("chk-aab2")])
        _ = press(&s, [.char("t"), .char("x"), .escape])
        #expect(s.prompt == nil && s.view == .trace && s.traceCheckoutID == "chk-aab2")
    }

    @Test func theFilterNarrowsPaymentsAndEnterOpensTheSelectedTrace() {
        var s = state()
        _ = press(&s, [.char("3"), .char("/"), .char("b"), .char("b"), .enter])
        #expect(Reducer.visiblePayments(s, data().snapshot).map(\.checkoutID) == ["chk-bbb3"])
        #expect(press(&s, [.enter]) == [.loadTrace("chk-bbb3")])
    }

    @Test func aTooSmallTerminalOnlyQuits() {
        var s = state(width: 60, height: 20)
        #expect(press(&s, [.char("2"), .char("o"), .char("?")]).isEmpty)
        #expect(s.view == .overview && !s.showHelp)
        #expect(press(&s, [.char("q")]) == [.quit])
    }

    /// Effects report back as actions; only the reducer turns them into state.
    @Test func effectOutcomesComeBackThroughTheReducer() {
        var s = state()
        _ = Reducer.reduce(&s, .controlSent(id: 7, summary: "fault psp-outage on", engineAlive: true), data: data())
        #expect(s.status == .init(text: "sent #7: fault psp-outage on", isError: false))
        _ = Reducer.reduce(&s, .controlSent(id: 8, summary: "pause traffic", engineAlive: false), data: data())
        #expect(s.status?.text.hasSuffix("(no engine is running; it applies when one starts)") == true)
        _ = Reducer.reduce(&s, .controlFailed(summary: "pause traffic", error: "disk full"), data: data())
        #expect(s.status == .init(text: "pause traffic failed: disk full", isError: true))
        _ = Reducer.reduce(&s, .themeChanged("light"), data: data())
        #expect(s.themeName == "light" && s.status?.isError == false)
        _ = Reducer.reduce(&s, .traceMissing(checkoutID: "chk-nope"), data: data())
        #expect(s.status == .init(text: "unknown checkout_id chk-nope", isError: true))
        _ = Reducer.reduce(&s, .resized(width: 200, height: 50), data: data())
        #expect(s.width == 200 && s.height == 50)
    }

    @Test func unknownKeysSaySo() {
        var s = state()
        _ = press(&s, [.char("Z")])
        #expect(s.status?.isError == true)
        _ = press(&s, [.escape])
        #expect(s.status == nil)
    }

    /// 0 opens the Problems view and asks for the selected problem's analysis; moving asks
    /// for the next one's; Enter moves to its exemplars and Enter there opens the trace.
    @Test func problemsViewLoadsTheSelectedProblemAndOpensAnExemplarsTrace() {
        var s = state()
        var d = data()
        d.snapshot.problems = [7, 3].map {
            ProblemRow(id: $0, title: "PSP failing (5xx)", severity: "critical", openedAt: 60, firstSignalAt: 0, lastViolationAt: 60,
                       closedAt: nil, signals: [])
        }
        #expect(press(&s, [.char("0")], d) == [.loadProblem(7)])
        #expect(s.view == .problems && s.problemID == 7)
        #expect(press(&s, [.char("0")], d) == [])  // already shown: not analysed again
        #expect(press(&s, [.char("j")], d) == [.loadProblem(3)])
        #expect(press(&s, [.char("j")], d) == [])  // the last one stays selected
        // Before its analysis arrives Enter asks for it again rather than move on.
        #expect(press(&s, [.enter], d) == [] && s.focus == 0)
        d.problem = ProblemDetail(
            analysis: ProblemAnalysis(problem: d.snapshot.problems[1], causes: [], impact: .init(),
                                      exemplars: ["chk-a", "chk-b"], typical: "chk-c"),
            series: DashboardSeries(from: 0, to: 60, periodSeconds: 60))
        #expect(press(&s, [.enter], d) == [] && s.focus == 1)
        #expect(press(&s, [.char("j"), .char("j"), .char("j")], d) == [])
        #expect(s.selectedExemplar == 2)  // the typical checkout follows the exemplars
        #expect(press(&s, [.enter], d) == [.loadTrace("chk-c")])
        #expect(s.view == .trace && s.traceCheckoutID == "chk-c")
        // Back in view 0, a newer problem opens above the one shown: the selection follows it.
        _ = press(&s, [.char("0")], d)
        d.snapshot.problems.insert(ProblemRow(id: 9, title: "Backlog", severity: "minor", openedAt: 120, firstSignalAt: 60,
                                              lastViolationAt: 120, closedAt: nil, signals: []), at: 0)
        #expect(Reducer.reduce(&s, .problemsReloaded, data: d) == [])
        #expect(s.selected(.problems) == 2 && s.problemID == 3)
    }

    /// In the trace view: / finds a span by name, service or error, n and N go on, C folds
    /// every span and E unfolds them again.
    @Test func spanSearchAndExpandCollapseAll() {
        func span(_ id: String, _ parent: String?, _ name: String, _ service: String, _ at: Int64, error: String? = nil) -> TraceWaterfall.SpanLine {
            TraceWaterfall.SpanLine(spanID: id, parentSpanID: parent, name: name, kind: .internal, serviceName: service, serviceVersion: "1",
                                    start: at, end: at + 10, status: error == nil ? .ok : .error, statusMessage: error, attributes: "{}",
                                    coldStart: false, linkedFrom: [])
        }
        let spans = [span("a", nil, "POST /v1/payments", "api-gateway", 0), span("b", "a", "initializer", "initializer", 1),
                     span("c", "b", "send q", "initializer", 2), span("d", "c", "process q", "executor", 3, error: "PSP returned HTTP 500"),
                     span("e", "c", "process q", "executor", 4)]
        var d = data()
        d.trace = TraceWaterfall(checkoutID: "chk-1", traces: [.init(traceID: "t", startedAt: 0, spans: spans, events: [])],
                                 outcome: "SUCCESS", isPaymentDone: true)
        var s = state()
        s.view = .trace
        s.traceCheckoutID = "chk-1"
        _ = press(&s, [.char("/")] + "process".map { .char($0) } + [.enter], d)
        #expect(s.spanQuery == "process" && s.selectedSpan == 3)
        _ = press(&s, [.char("n")], d)
        #expect(s.selectedSpan == 4)
        _ = press(&s, [.char("n")], d)
        #expect(s.selectedSpan == 3, "wraps around")
        _ = press(&s, [.char("N"), .char("N")], d)
        #expect(s.selectedSpan == 3)
        _ = press(&s, [.char("/")] + " http 500".dropFirst().map { .char($0) } + [.enter], d)
        #expect(s.selectedSpan == 3, "an error message matches")
        _ = press(&s, [.char("C")], d)
        #expect(s.folded == ["a", "b", "c"] && TraceLayout.rows(d.trace, folded: s.folded).count == 1)
        _ = press(&s, [.char("n")], d)
        #expect(s.status?.isError == true, "no shown span matches while they are folded")
        _ = press(&s, [.char("E")], d)
        #expect(s.folded.isEmpty && TraceLayout.rows(d.trace, folded: s.folded).count == 5)
    }
}

