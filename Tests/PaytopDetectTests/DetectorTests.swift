import Testing
@testable import PaytopDetect
import PaytopStore
import PaytopVocabulary

/// The detectors and the tracker on hand-made minutes: each rule's threshold, the sustain
/// rule, grouping, closing and reopening.
@Suite struct DetectorTests {
    static let minute: Int64 = 60_000_000_000

    /// A normal minute: 300 executor invocations, 2 errors; 300 PSP calls, none failing.
    static func normal(_ i: Int64) -> MinuteFigures {
        var m = MinuteFigures(start: i * minute)
        m.functionErrors[.executor] = .init(events: 2, total: 300)
        m.pspErrors = .init(events: 0, total: 300)
        m.pspCalls = 300
        m.queueDepth[.executionDLQ] = 0
        m.queueAge[.executionDLQ] = 0
        return m
    }

    static func outage(_ i: Int64) -> MinuteFigures {
        var m = normal(i)
        m.functionErrors[.executor] = .init(events: 290, total: 300)
        m.pspErrors = .init(events: 300, total: 300)
        return m
    }

    @Test func twoOfThreeMinutesFireWithTheFirstViolatingMinute() {
        let d = SignalDetectors(sloTargets: ProblemDetection.seedTargets)
        for i: Int64 in 0..<5 { _ = d.judge(Self.normal(i)) }
        var m = Self.normal(5)
        m.functionErrors[.executor] = .init(events: 12, total: 300)
        #expect(d.judge(m).fired.isEmpty)
        m.start = 6 * Self.minute
        let fired = d.judge(m).fired
        let signal = fired.first { $0.kind == .errorRate }
        #expect(signal != nil, "the second violating minute of three fires")
        #expect(signal?.subject == .function(.executor))
        #expect(signal?.firstAt == 5 * Self.minute)
    }

    @Test func tooFewEventsNeverFire() {
        let d = SignalDetectors(sloTargets: ProblemDetection.seedTargets)
        for i in 0..<10 {
            var m = MinuteFigures(start: Int64(i) * Self.minute)
            m.functionErrors[.executor] = .init(events: 4, total: 10)  // 40 %, but 4 errors of 10
            #expect(d.judge(m).fired.isEmpty)
        }
    }

    @Test func anOverwhelmingMinuteFiresAtOnce() {
        let d = SignalDetectors(sloTargets: ProblemDetection.seedTargets)
        for i: Int64 in 0..<3 { _ = d.judge(Self.normal(i)) }
        let fired = d.judge(Self.outage(3)).fired
        #expect(Set(fired.map(\.kind)) == [.errorRate, .pspErrors])
    }

    @Test func aDeadLetterFiresAtOnceAndOneMessageDoesNotMakeABacklog() {
        let d = SignalDetectors(sloTargets: ProblemDetection.seedTargets)
        var m = Self.normal(0)
        m.queueDepth[.executionDLQ] = 1
        m.queueAge[.execution] = 800  // one message on its third receive
        m.queueVisible[.execution] = 1
        let fired = d.judge(m).fired
        #expect(fired.map(\.kind) == [.deadLetters])
        #expect(fired.first?.detail == "1 dead letter in payment-execution-queue-dlq")
    }

    @Test func theBurnRuleNeedsBothWindows() {
        let d = SignalDetectors(sloTargets: [.settlement: 0.99])
        for i in 0..<55 {
            var m = MinuteFigures(start: Int64(i) * Self.minute)
            m.slo[.settlement] = .init(events: 0, total: 600)
            _ = d.judge(m)
        }
        // 20 % bad for one minute: the 5-minute burn is 4 % ÷ 1 % = 4× — no page.
        var m = MinuteFigures(start: 55 * Self.minute)
        m.slo[.settlement] = .init(events: 120, total: 600)
        #expect(d.judge(m).fired.isEmpty)
        // Everything bad: the 5-minute burn is 100× at once, but the hour's passes 14.4× only
        // once 14.4 % of its events are bad — the ninth minute (≈ 15.3 %), not before.
        for i: Int64 in 56..<66 {
            var b = MinuteFigures(start: i * Self.minute)
            b.slo[.settlement] = .init(events: 600, total: 600)
            let fired = d.judge(b).fired.contains { $0.kind == .sloBurn && $0.subject == .slo(.settlement) }
            #expect(fired == (i >= 64), "minute \(i)")
        }
    }

    @Test func oneOutageIsOneProblemThatClosesAndReopens() {
        let p = ProblemDetection()
        for i: Int64 in 0..<5 { p.minute(Self.normal(i)) }
        for i: Int64 in 5..<10 { p.minute(Self.outage(i)) }
        var rows = p.drain()
        #expect(rows.count == 1)
        let first = rows[0]
        #expect(Set(first.signals.map(\.kind)) == ["error-rate", "psp-errors"])
        #expect(first.title == "PSP failing (5xx) — reaching executor")
        #expect(first.closedAt == nil && first.severity == "major" && first.firstSignalAt == 5 * Self.minute)
        // Normal for five minutes: closed, at the end of its last violating minute.
        for i: Int64 in 10..<15 { p.minute(Self.normal(i)) }
        rows = p.drain()
        #expect(rows.last?.closedAt == 10 * Self.minute)
        #expect(p.tracker.openCount == 0)
        // The same signals again within 30 minutes: the same problem, open again.
        for i: Int64 in 15..<17 { p.minute(Self.outage(i)) }
        rows = p.drain()
        #expect(rows.map(\.id) == [first.id] && rows[0].closedAt == nil)
    }

    @Test func severityOnlyRises() {
        let p = ProblemDetection()
        for i: Int64 in 0..<5 { p.minute(Self.normal(i)) }
        var m = Self.outage(5)
        m.slo[.settlement] = .init(events: 600, total: 600)
        p.minute(m)
        #expect(p.drain().first?.severity == "critical")
        p.minute(Self.outage(6))  // the SLO reads normal again, errors go on
        #expect(p.drain().first?.severity == "critical")
    }

    @Test func aStandingDeadLetterProblemTakesNoNewSignals() {
        let p = ProblemDetection()
        var m = Self.normal(0)
        m.queueDepth[.executionDLQ] = 3
        for i in 0..<20 { m.start = Int64(i) * Self.minute; p.minute(m) }
        var outage = Self.outage(20)
        outage.queueDepth[.executionDLQ] = 3
        p.minute(outage)
        let rows = p.drain()
        #expect(rows.count == 2, "the outage opens its own problem")
        #expect(rows.last.map { Set($0.signals.map(\.kind)) } == ["error-rate", "psp-errors"])
    }

    @Test func subjectsReadBackFromTheirText() {
        let all: [SignalSubject] = [.psp, .api, .business, .reconciliation, .function(.wallet), .queue(.resultsDLQ),
                                    .slo(.paymentSuccess), .declineCode("CARD_DECLINED")]
        for s in all { #expect(SignalSubject(text: s.text) == s) }
        #expect(SignalSubject(text: "nonsense") == nil && SignalSubject(text: "decline:") == nil)
    }
}
