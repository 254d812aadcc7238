/// The `otlp_receiver` rows (each receiver's counters, committed with what they count) and
/// whether a store holds telemetry received from outside at all.
extension ReceiverStatus {
    /// The receivers that committed within `withinMillis` of `nowMillis`, by address.
    public static func recent(_ c: Connection, nowMillis: Int64, withinMillis: Int64 = 10_000) throws -> [ReceiverStatus] {
        let q = try c.cached("""
            SELECT listen, requests, spans_accepted, logs_accepted, metric_points_accepted, business_events, refused, rejected,
                   last_error, updated_at
            FROM otlp_receiver WHERE updated_at >= ? ORDER BY listen
            """)
        q.bind(1, nowMillis - withinMillis)
        defer { q.reset() }
        var out: [ReceiverStatus] = []
        while try q.step() {
            var r = ReceiverStatus(listen: q.string(0))
            r.requests = q.int(1); r.spansAccepted = q.int(2); r.logsAccepted = q.int(3); r.metricPointsAccepted = q.int(4)
            r.businessEvents = q.int(5); r.refused = q.int(6); r.rejected = q.int(7); r.lastError = q.optionalString(8)
            r.updatedAtMillis = q.int(9)
            out.append(r)
        }
        return out
    }

    /// Whether the store holds received telemetry (a receiver ran on it).
    public static func storeHoldsReceived(_ c: Connection) throws -> Bool {
        try c.scalarInt("SELECT EXISTS (SELECT 1 FROM otlp_receiver) OR EXISTS (SELECT 1 FROM received_trace)") == 1
    }
}
