/// The trace numbers of the checkouts' traces started in a window of engine time: a
/// checkout's trace is numbered when its request arrives, so its numbers follow start
/// times and two index seeks bound a window rather than a scan of it. (A batch
/// invocation's trace is numbered when it is written, seconds after it started: it is
/// left out of the bounds.)
enum TraceRange {
    static func of(_ c: Connection, from: Int64, to: Int64) throws -> ClosedRange<Int64>? {
        let first = try c.cached("SELECT trace_no FROM trace WHERE started_at >= ? AND checkout_id IS NOT NULL ORDER BY started_at, trace_no LIMIT 1")
        first.bind(1, from)
        defer { first.reset() }
        guard try first.step() else { return nil }
        let last = try c.cached("SELECT trace_no FROM trace WHERE started_at <= ? AND checkout_id IS NOT NULL ORDER BY started_at DESC, trace_no DESC LIMIT 1")
        last.bind(1, to)
        defer { last.reset() }
        guard try last.step(), last.int(0) >= first.int(0) else { return nil }
        return first.int(0)...last.int(0)
    }
}
