import PaytopVocabulary
import DequeModule

/// The settlement SLO's latency objective while it is being missed: a checkout still
/// unsettled two minutes after it was accepted is a bad event then, not when it finally
/// settles or dead-letters (a PSP outage would otherwise stay invisible to the SLO until
/// its first dead letter, 15 minutes in). Checkouts wait here in the order they were
/// accepted; each metric period's close counts those past their objective, once.
final class SettlementDeadlines {
    /// "99 % of payments settle within 2 minutes" (the seed).
    static let objective = Span.minutes(2)

    private var waiting = Deque<Checkout>()
    /// Every objective up to this time has been looked at (persisted with the engine
    /// state, so a resumed engine neither counts a missed objective twice nor skips one).
    private(set) var sweptThrough: EngineTime
    /// Checkouts counted bad at their objective that have not ended yet.
    private(set) var badInFlight = 0

    init(sweptThrough: EngineTime) { self.sweptThrough = sweptThrough }

    /// An accepted checkout starts its clock.
    func track(_ c: Checkout) { waiting.append(c) }

    /// Counts, through `t`, every checkout past its objective that has not been counted
    /// (it has not ended); `bad` records each one's event.
    func sweep(through t: EngineTime, bad: (Checkout) -> Void) {
        guard t > sweptThrough else { return }
        while let c = waiting.first, c.createdAt + Self.objective <= t {
            waiting.removeFirst()
            guard !c.settlementCounted else { continue }
            c.settlementCounted = true
            badInFlight += 1
            bad(c)
        }
        sweptThrough = t
    }

    /// A checkout ended (settled, failed or dead-lettered; called once); false when its
    /// settlement event was already counted at its objective — it is no longer in flight.
    func ended(_ c: Checkout) -> Bool {
        if c.settlementCounted {
            badInFlight -= 1
            return false
        }
        c.settlementCounted = true
        return true
    }

    /// A checkout a resumed engine read back, in the order accepted: ended ones are done
    /// with; one whose objective passed before the stored sweep was counted then.
    func restore(_ c: Checkout, ended: Bool) {
        if ended {
            c.settlementCounted = true
        } else if c.createdAt + Self.objective <= sweptThrough {
            c.settlementCounted = true
            badInFlight += 1
        } else {
            waiting.append(c)
        }
    }
}
