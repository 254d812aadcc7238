/// A pane Tab reaches after a view's own (`ViewID.basePanes`): a chart, or a list whose
/// rows lead to their checkouts. A frame records the ones it drew (`Buffer.panesDrawn`),
/// so Tab never lands on one the terminal has no room for.
public enum Pane: Hashable, Sendable {
    case chart(ChartID)
    case list(ListPane)
}

/// The lists Enter drills from (docs/drill.md).
public enum ListPane: String, CaseIterable, Sendable {
    /// The Business view's funnel: Enter lists the checkouts lost after a step.
    case funnel
    /// The Business view's losses by stage: Enter lists the checkouts lost there.
    case lossStages
    /// The error codes (Business and SLOs): Enter lists the checkouts with the code.
    case errorCodes
    /// The SLO view's burn-rate alerts: Enter lists the bad events of the alert's long window.
    case alerts
}
