/// A problem as its detector left it (schema v7, docs/store.md): written whole each time it
/// changes (a signal joins, its severity rises, it closes or reopens), with its signals.
public struct ProblemRow: Sendable, Equatable {
    public var id: Int64
    public var title: String
    public var severity: String
    public var openedAt: Int64
    public var firstSignalAt: Int64
    /// The end of the last minute any of its signals was violating.
    public var lastViolationAt: Int64
    public var closedAt: Int64?
    public var signals: [ProblemSignalRow]

    public init(id: Int64, title: String, severity: String, openedAt: Int64, firstSignalAt: Int64,
                lastViolationAt: Int64, closedAt: Int64?, signals: [ProblemSignalRow]) {
        self.id = id; self.title = title; self.severity = severity; self.openedAt = openedAt
        self.firstSignalAt = firstSignalAt; self.lastViolationAt = lastViolationAt; self.closedAt = closedAt
        self.signals = signals
    }
}

/// One signal of a problem: what was wrong where, first and last seen, in words.
public struct ProblemSignalRow: Sendable, Equatable {
    public var kind: String
    public var subject: String
    public var firstAt: Int64
    public var lastAt: Int64
    public var detail: String

    public init(kind: String, subject: String, firstAt: Int64, lastAt: Int64, detail: String) {
        self.kind = kind; self.subject = subject; self.firstAt = firstAt; self.lastAt = lastAt; self.detail = detail
    }
}
