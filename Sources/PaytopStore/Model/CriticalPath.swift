/// Where a checkout's time went, end to end (docs/telemetry.md): Jaeger's critical path,
/// carried through the queue hops of an asynchronous pipeline. Walking back from the span
/// that ended last: inside a span, the child that finished last before the cursor is on
/// the path (children are cut to their parent; the parent owns the time between them);
/// from a span to its parent, a consumer that started after its producer ended waited in
/// the queue, and earlier deliveries of the same message (failed attempts) are on the path
/// with the waits between them; a root that starts after the trace did continues from the
/// work that ended last before it. The segments cover the first span's start to the last
/// span's end exactly, in time order.
public struct CriticalPath: Sendable, Equatable {
    public enum SegmentKind: String, Sendable { case span, queueWait = "queue_wait" }

    public struct Segment: Sendable, Equatable {
        public var kind: SegmentKind
        /// The span on the path (nil for a wait).
        public var spanID: String?
        /// The span's name, or what the wait was for ("wait before process payment-execution-queue").
        public var name: String
        public var start: Int64
        public var end: Int64
        public var nanos: Int64 { end - start }
    }

    public var segments: [Segment]
    /// The first span's start and the last span's end.
    public var start: Int64, end: Int64

    /// Time on the path per span id.
    public var onPath: [String: Int64] {
        var out: [String: Int64] = [:]
        for s in segments { if let id = s.spanID { out[id, default: 0] += s.nanos } }
        return out
    }

    typealias Span = TraceWaterfall.SpanLine

    /// The critical path of spans (one checkout's, possibly several traces); nil when there are none.
    public static func of(_ spans: [TraceWaterfall.SpanLine]) -> CriticalPath? {
        guard !spans.isEmpty else { return nil }
        var walk = Walk(spans)
        return walk.run()
    }

    private struct Walk {
        let spans: [Span]
        let byID: [String: Int]
        let children: [String: [Int]]
        var backwards: [Segment] = []

        init(_ spans: [Span]) {
            // A span ending before it starts is taken as instantaneous.
            self.spans = spans.map { var s = $0; s.end = max(s.end, s.start); return s }
            var byID: [String: Int] = [:]
            for (i, s) in self.spans.enumerated() where byID[s.spanID] == nil { byID[s.spanID] = i }
            self.byID = byID
            var children: [String: [Int]] = [:]
            for (i, s) in self.spans.enumerated() {
                if let p = s.parentSpanID, byID[p] != nil, p != s.spanID { children[p, default: []].append(i) }
            }
            self.children = children
        }

        mutating func emit(_ kind: SegmentKind, _ span: Int?, name: String, _ from: Int64, _ to: Int64) {
            guard to > from else { return }
            backwards.append(Segment(kind: kind, spanID: span.map { spans[$0].spanID }, name: name, start: from, end: to))
        }

        /// Covers [max(span.start, floor), cursor] with the span and its synchronous children.
        mutating func down(_ i: Int, cursor: Int64, floor: Int64) {
            let s = spans[i]
            let low = max(s.start, floor)
            var c = cursor
            while c > low {
                // The child that finished last before the cursor (cut to the parent and the cursor).
                var best: (index: Int, end: Int64, start: Int64)?
                for k in children[s.spanID] ?? [] {
                    let child = spans[k]
                    guard child.start < c, child.end > low else { continue }
                    let end = min(child.end, c)
                    if best == nil || (end, child.start) > (best!.end, best!.start) { best = (k, end, child.start) }
                }
                guard let b = best else { break }
                emit(.span, i, name: s.name, b.end, c)
                down(b.index, cursor: b.end, floor: low)
                c = max(b.start, low)
            }
            emit(.span, i, name: s.name, low, c)
        }

        mutating func run() -> CriticalPath {
            let first = spans.map(\.start).min()!
            // The span that ended last (of equals, the one that started last: the deepest).
            var current = spans.indices.max { (spans[$0].end, spans[$0].start) < (spans[$1].end, spans[$1].start) }!
            let last = spans[current].end
            down(current, cursor: last, floor: spans[current].start)
            var cursor = spans[current].start
            var walked: Set<Int> = [current]
            while true {
                if let pid = spans[current].parentSpanID, let p = byID[pid], !walked.contains(p) {
                    let parent = spans[p]
                    if spans[current].start >= parent.end {
                        // A queue hop: earlier deliveries of the message, the waits between them.
                        let waitName = "wait before " + spans[current].name
                        while let prev = (children[parent.spanID] ?? []).filter({
                            !walked.contains($0) && spans[$0].start >= parent.end && spans[$0].end <= cursor && spans[$0].start < cursor
                        }).max(by: { (spans[$0].end, spans[$0].start) < (spans[$1].end, spans[$1].start) }) {
                            emit(.queueWait, nil, name: waitName, spans[prev].end, cursor)
                            down(prev, cursor: spans[prev].end, floor: spans[prev].start)
                            walked.insert(prev)
                            cursor = spans[prev].start
                        }
                        emit(.queueWait, nil, name: waitName, parent.end, cursor)
                        down(p, cursor: parent.end, floor: parent.start)
                    } else {
                        down(p, cursor: min(cursor, parent.end), floor: parent.start)
                    }
                    cursor = min(cursor, parent.start)
                    current = p
                    walked.insert(p)
                    continue
                }
                guard cursor > first else { break }
                // Another root began earlier: go on from the work that ended last before this one.
                let candidates = spans.indices.filter { !walked.contains($0) && spans[$0].start < cursor }
                guard let prev = candidates.max(by: { (min(spans[$0].end, cursor), spans[$0].start) < (min(spans[$1].end, cursor), spans[$1].start) })
                else { break }
                let end = min(spans[prev].end, cursor)
                emit(.queueWait, nil, name: "wait before " + spans[current].name, end, cursor)
                down(prev, cursor: end, floor: spans[prev].start)
                walked.insert(prev)
                cursor = spans[prev].start
                current = prev
            }
            // Backwards to time order, one segment per stretch of the same span or wait.
            var out: [Segment] = []
            for s in backwards.reversed() {
                if let l = out.last, l.kind == s.kind, l.spanID == s.spanID, l.name == s.name, l.end == s.start {
                    out[out.count - 1].end = s.end
                } else {
                    out.append(s)
                }
            }
            return CriticalPath(segments: out, start: first, end: last)
        }
    }
}

/// Jaeger's trace statistics per service and operation: how many spans, their total time,
/// their self time (a span's time not covered by its children, cut to it) and that as a
/// share of the checkout's end-to-end time.
public struct TraceStatistics: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public var service: String
        public var operation: String
        public var count: Int
        public var totalNanos: Int64
        public var selfNanos: Int64
        /// Self time ÷ end-to-end time, in percent.
        public var selfPercent: Double
    }

    public var rows: [Row]

    /// Each span's self time: its time not covered by the union of its children, cut to it.
    public static func selfTimes(_ spans: [TraceWaterfall.SpanLine]) -> [String: Int64] {
        var children: [String: [TraceWaterfall.SpanLine]] = [:]
        for s in spans { if let p = s.parentSpanID { children[p, default: []].append(s) } }
        var out: [String: Int64] = [:]
        for s in spans {
            let end = max(s.end, s.start)
            out[s.spanID] = (end - s.start) - covered(children[s.spanID] ?? [], from: s.start, to: end)
        }
        return out
    }

    /// The rows by self time, largest first (then service and operation).
    public static func of(_ spans: [TraceWaterfall.SpanLine]) -> TraceStatistics {
        guard let first = spans.map(\.start).min(), let last = spans.map({ max($0.end, $0.start) }).max() else { return TraceStatistics(rows: []) }
        let selfTime = selfTimes(spans)
        struct Key: Hashable { let service: String, operation: String }
        var rows: [Key: Row] = [:]
        let whole = max(1, last - first)
        for s in spans {
            let end = max(s.end, s.start)
            let key = Key(service: s.serviceName, operation: s.name)
            var row = rows[key] ?? Row(service: s.serviceName, operation: s.name, count: 0, totalNanos: 0, selfNanos: 0, selfPercent: 0)
            row.count += 1
            row.totalNanos += end - s.start
            row.selfNanos += selfTime[s.spanID] ?? 0
            rows[key] = row
        }
        let out = rows.values.map { r -> Row in
            var r = r
            r.selfPercent = (Double(r.selfNanos) / Double(whole) * 10_000).rounded() / 100
            return r
        }
        return TraceStatistics(rows: out.sorted { ($1.selfNanos, $0.service, $0.operation) < ($0.selfNanos, $1.service, $1.operation) })
    }

    /// The length of the union of the spans' intervals, cut to [from, to].
    static func covered(_ spans: [TraceWaterfall.SpanLine], from: Int64, to: Int64) -> Int64 {
        let intervals = spans.map { (max($0.start, from), min(max($0.end, $0.start), to)) }.filter { $0.0 < $0.1 }.sorted { $0 < $1 }
        var total: Int64 = 0
        var current: (Int64, Int64)?
        for (a, b) in intervals {
            if let (ca, cb) = current, a <= cb {
                current = (ca, max(cb, b))
            } else {
                if let (ca, cb) = current { total += cb - ca }
                current = (a, b)
            }
        }
        if let (ca, cb) = current { total += cb - ca }
        return total
    }
}
