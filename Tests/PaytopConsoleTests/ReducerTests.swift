import Testing
@testable import PaytopConsole
import PaytopStore

/// Every key binding, through the pure reducer.
@Suite struct ReducerTests {
    func state(width: Int = 120, height: Int = 36) -> ConsoleState {
        var s = ConsoleState()
        s.width = width
        s.height = height
        return s
    }

    func data(faults: [String] = [], paused: Bool = false) -> ConsoleData {
        var snap = ConsoleSnapshot()
        snap.faults = faults
        snap.paused = paused
        snap.ratePerSecond = 10
        snap.versions = ["executor": "1.2.0"]
        snap.payments = ["chk-aaa1", "chk-aab2", "chk-bbb3"].map {
            .init(checkoutID: $0, state: "SUCCESS", orders: 1, amount: "10.00", currency: "USD", merchants: ["seller-acct-001"],
                  failureCode: nil, createdAt: 0, doneAt: 0)
        }
        snap.queues = ["payment-execution-queue", "payment-execution-queue-dlq"].map { .init(name: $0) }
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
            _ = press(&s, [.char(Character(String(v.rawValue)))])
            #expect(s.view == v)
        }
        _ = press(&s, [.char("?")])
        #expect(s.showHelp)
        _ = press(&s, [.char("3")])
        #expect(s.view == .releases && s.showHelp)  // keys do not leak through the overlay
        _ = press(&s, [.escape])
        #expect(!s.showHelp)
        #expect(press(&s, [.char("q")]) == [.quit] && s.quit)
    }

    @Test func faultKeysToggleFromWhatTheStoreSays() {
        var s = state()
        #expect(press(&s, [.char("o")]) == [.control(name: "fault", args: "{\"kind\":\"psp-outage\",\"on\":true}", summary: "fault psp-outage on")])
        #expect(press(&s, [.char("o")], data(faults: ["PSP OUTAGE"]))
                == [.control(name: "fault", args: "{\"kind\":\"psp-outage\",\"on\":false}", summary: "fault psp-outage off")])
        #expect(press(&s, [.char("s")]).first == .control(name: "fault", args: "{\"kind\":\"psp-latency\",\"on\":true}", summary: "fault psp-latency on"))
        #expect(press(&s, [.char("d")], data(faults: ["DECLINES 30%"])).first
                == .control(name: "fault", args: "{\"kind\":\"psp-declines\",\"on\":false}", summary: "fault psp-declines off"))
        #expect(press(&s, [.char("x")]) == [.control(name: "fault", args: "{\"kind\":\"clear\"}", summary: "fault clear")])
        #expect(press(&s, [.char(" ")]) == [.control(name: "pause", args: "{}", summary: "pause traffic")])
        #expect(press(&s, [.char(" ")], data(paused: true)) == [.control(name: "resume", args: "{}", summary: "resume traffic")])
        #expect(press(&s, [.char("+")]) == [.control(name: "rate", args: "{\"rate\":15.0}", summary: "rate 15.0/s")])
        #expect(press(&s, [.char("B")])
                == [.control(name: "deploy", args: "{\"service\":\"executor\",\"version\":\"1.3.0\",\"regression\":\"errors\"}",
                             summary: "deploy executor 1.3.0 (a bad release)")])
        #expect(press(&s, [.char("U")]) == [.control(name: "rollback", args: "{\"service\":\"executor\"}", summary: "roll back executor")])
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
        #expect(press(&s, [.char("r")])
                == [.control(name: "redrive", args: "{\"queue\":\"payment-execution-queue-dlq\"}", summary: "redrive payment-execution-queue-dlq")])
    }

    @Test func theCommandLineRunsCommandsAndRejectsUnknownOnes() {
        var s = state()
        func command(_ text: String) -> [Effect] { press(&s, [.char(":")] + text.map { .char($0) } + [.enter]) }
        #expect(command("trace chk-1") == [.loadTrace("chk-1")] && s.view == .trace)
        #expect(command("fault psp-outage on").first == .control(name: "fault", args: "{\"kind\":\"psp-outage\",\"on\":true}", summary: "fault psp-outage on"))
        #expect(command("rate 25") == [.control(name: "rate", args: "{\"rate\":25.0}", summary: "rate 25.0/s")])
        #expect(command("speed 50").first == .control(name: "speed", args: "{\"speed\":50.0}", summary: "speed ×50"))
        #expect(command("deploy executor 2.0.0 --regression latency")
                == [.control(name: "deploy", args: "{\"service\":\"executor\",\"version\":\"2.0.0\",\"regression\":\"latency\"}", summary: "deploy executor 2.0.0")])
        #expect(command("rollback wallet") == [.control(name: "rollback", args: "{\"service\":\"wallet\"}", summary: "rollback wallet")])
        #expect(command("redrive execution-dlq").first == .control(name: "redrive", args: "{\"queue\":\"payment-execution-queue-dlq\"}", summary: "redrive payment-execution-queue-dlq"))
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

    @Test func unknownKeysSaySo() {
        var s = state()
        _ = press(&s, [.char("Z")])
        #expect(s.status?.isError == true)
        _ = press(&s, [.escape])
        #expect(s.status == nil)
    }
}
