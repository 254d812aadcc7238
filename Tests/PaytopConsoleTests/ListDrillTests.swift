import Foundation
import Testing
@testable import PaytopConsole
import PaytopEngine
import PaytopVocabulary
@testable import PaytopStore

/// Enter on a list row lists the checkouts behind it (docs/drill.md): the funnel, losses by
/// stage and error codes (view 7), an SLO and its alerts (view 5), a function and its cold
/// starts (view 8) — on the fixture store, through the reducer and the store's search.
@Suite(.serialized) struct ListDrillTests {
    /// The state after the first frame of `view` at 200×60, with the panes it drew known.
    func opened(_ view: ViewID, _ d: ConsoleData) -> ConsoleState {
        var s = ConsoleState()
        s.width = 200; s.height = 60
        _ = Reducer.reduce(&s, key: .char(view.key), data: d)
        let frame = Screen.render(s, d, theme: Theme.builtIn("monochrome")!, glyphs: .unicode)
        _ = Reducer.reduce(&s, .panesShown(frame.panesDrawn), data: d)
        return s
    }

    func tab(to pane: Pane, _ s: inout ConsoleState, _ d: ConsoleData) {
        for _ in 0..<20 where s.focusedPane != pane { _ = Reducer.reduce(&s, key: .tab, data: d) }
    }

    func drilled(_ effects: [Effect]) -> CheckoutSearch.Filter? {
        if case .loadCheckouts(let f)? = effects.first { return f }
        return nil
    }

    @Test func everyListLeadsToItsCheckouts() throws {
        let (path, d, _) = try ViewSnapshotTests.fixture()
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        let c = try Store.openForReading(path: path)
        let snap = d.snapshot
        let hourAgo = snap.at - 3_600_000_000_000

        // View 7: Tab reaches the funnel, the losses by stage and the error codes, then the charts.
        var s = opened(.business, d)
        #expect(s.panesShown.prefix(3) == [.list(.funnel), .list(.lossStages), .list(.errorCodes)] && s.panesShown.contains(.chart(.revenue)))
        tab(to: .list(.funnel), &s, d)
        _ = Reducer.reduce(&s, key: .down, data: d)
        _ = Reducer.reduce(&s, key: .down, data: d)  // queued
        let afterQueued = try #require(drilled(Reducer.reduce(&s, key: .enter, data: d)))
        #expect(afterQueued.stage == .psp && afterQueued.from == hourAgo && afterQueued.to == snap.at && s.view == .payments)
        let lostAtPSP = try CheckoutSearch.find(c, afterQueued)
        #expect(!lostAtPSP.isEmpty && lostAtPSP.allSatisfy { $0.outcome == "FAILED" })
        // The received step: a rejected request has no checkout, and the status says where to look.
        s = opened(.business, d)
        tab(to: .list(.funnel), &s, d)
        #expect(Reducer.reduce(&s, key: .enter, data: d).isEmpty && s.status?.text.contains("checkout.rejected") == true)
        // The error codes: a validation error's requests have no checkout; another code's checkouts.
        let codes = try #require(snap.business?.errorCodes)
        s = opened(.business, d)
        tab(to: .list(.errorCodes), &s, d)
        #expect(codes[0].category == .validation && Reducer.reduce(&s, key: .enter, data: d).isEmpty && s.status?.isError == true)
        _ = Reducer.reduce(&s, key: .down, data: d)
        let code = codes[1].code
        let byCode = try #require(drilled(Reducer.reduce(&s, key: .enter, data: d)))
        #expect(byCode.errorCode == code && s.drill?.title.hasPrefix("error \(code)") == true)
        #expect(try CheckoutSearch.find(c, byCode).count >= codes[1].loss.checkouts)
        // Lost by stage: j stops at the last stage.
        s = opened(.business, d)
        tab(to: .list(.lossStages), &s, d)
        for _ in 0..<10 { _ = Reducer.reduce(&s, key: .down, data: d) }
        #expect(s.selected(.lossStages) == LossStage.allCases.count - 1)
        #expect(drilled(Reducer.reduce(&s, key: .enter, data: d))?.stage == .settlement)

        // View 5: an SLO's bad events over the range; an alert's over its long window.
        s = opened(.slos, d)
        _ = Reducer.reduce(&s, key: .down, data: d)  // settlement
        let settlement = try #require(drilled(Reducer.reduce(&s, key: .enter, data: d)))
        #expect(settlement.badFor == .settlement && settlement.from == hourAgo)
        #expect(try CheckoutSearch.find(c, settlement).allSatisfy { $0.state == .deadLettered || $0.durationNanos > ProblemAnalysis.delayedAfter })
        s = opened(.slos, d)
        tab(to: .list(.alerts), &s, d)
        let (o, a) = Reducer.alertRows(try #require(snap.slo))[0]
        let alert = try #require(drilled(Reducer.reduce(&s, key: .enter, data: d)))
        #expect(alert.badFor == SloName(rawValue: o.definition.name) && alert.from == snap.at - DurationText.nanos(a.rule.long)!)

        // View 8: the executor's longest work, and its cold starts.
        s = opened(.functions, d)
        let executor = try #require(snap.functionsReport?.rows.firstIndex { $0.hop == .function(.executor) })
        for _ in 0..<executor { _ = Reducer.reduce(&s, key: .down, data: d) }
        let work = try #require(drilled(Reducer.reduce(&s, key: .enter, data: d)))
        #expect(work.invocationsOf == .executor && !work.cold)
        #expect(!(try CheckoutSearch.find(c, work)).isEmpty)
        s = opened(.functions, d)
        for _ in 0..<executor { _ = Reducer.reduce(&s, key: .down, data: d) }
        let cold = try #require(drilled(Reducer.reduce(&s, key: .char("c"), data: d)))
        #expect(cold.invocationsOf == .executor && cold.cold && s.drill?.title.hasPrefix("executor cold starts") == true)
        // The PSP's row is not a function.
        s = opened(.functions, d)
        if let psp = snap.functionsReport?.rows.firstIndex(where: { if case .function = $0.hop { return false }; return true }) {
            for _ in 0..<psp { _ = Reducer.reduce(&s, key: .down, data: d) }
            #expect(Reducer.reduce(&s, key: .enter, data: d).isEmpty && s.status?.isError == true)
        }
    }
}
