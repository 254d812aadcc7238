import PaytopStore

/// What the views draw: the store snapshot and the trace being looked at.
public struct ConsoleData: Sendable {
    public var snapshot: ConsoleSnapshot
    public var trace: TraceWaterfall?
    /// Set when the trace asked for does not exist.
    public var traceMissing: String?
    /// The Problems view's detail: the selected problem analysed.
    public var problem: ProblemDetail?
    /// The checkouts of the drill the Payments view shows (`ConsoleState.drill`).
    public var drilled: [CheckoutSearch.Row] = []
    /// What the trace's operations typically take over the time range (the trace view's
    /// comparison with a typical checkout).
    public var typical: TypicalSpans?
    /// The compare pane's differences (`ConsoleState.compare`).
    public var comparison: RangeComparison.Result?
    public var storePath: String
    public var embedded: Bool
    /// Where this process serves the HTTP API (`paytop --listen`), for the header.
    public var apiURL: String?
    /// Where this process receives OTLP (`paytop --otlp-receiver`), for the header.
    public var receiverURL: String?
    /// Another store the screens come from (ClickHouse), for the header.
    public var source: String?
    /// How far the store's file lags what the embedded engine has made durable (its redo
    /// log), in ms; the header says so once it passes `ConsoleLimits.storeBehindMillis`.
    public var storeBehindMillis: Int64 = 0

    public init(snapshot: ConsoleSnapshot, trace: TraceWaterfall? = nil, traceMissing: String? = nil,
                storePath: String = "", embedded: Bool = false, apiURL: String? = nil) {
        self.snapshot = snapshot; self.trace = trace; self.traceMissing = traceMissing
        self.storePath = storePath; self.embedded = embedded; self.apiURL = apiURL
    }
}

/// The trace's span tree, flattened in display order with folded subtrees hidden.
public enum TraceLayout {
    public struct Row: Sendable {
        public var span: TraceWaterfall.SpanLine
        public var depth: Int
        public var hasChildren: Bool
        public var folded: Bool
    }

    /// The rows of the trace the console draws (`TraceWaterfall.shown`).
    public static func rows(_ w: TraceWaterfall?, folded: Set<String>) -> [Row] {
        guard let spans = w?.shown?.spans else { return [] }
        let ids = Set(spans.map(\.spanID))
        var children: [String: [TraceWaterfall.SpanLine]] = [:]
        for s in spans { children[s.parentSpanID ?? "", default: []].append(s) }
        var out: [Row] = []
        func walk(_ s: TraceWaterfall.SpanLine, _ depth: Int) {
            let kids = (children[s.spanID] ?? []).sorted { ($0.start, $0.spanID) < ($1.start, $1.spanID) }
            let isFolded = folded.contains(s.spanID)
            out.append(Row(span: s, depth: depth, hasChildren: !kids.isEmpty, folded: isFolded))
            if !isFolded { for k in kids { walk(k, depth + 1) } }
        }
        let roots = spans.filter { $0.parentSpanID == nil || !ids.contains($0.parentSpanID!) }
            .sorted { ($0.start, $0.spanID) < ($1.start, $1.spanID) }
        for r in roots { walk(r, 0) }
        return out
    }
}
