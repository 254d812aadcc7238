import CSQLite

/// What only received telemetry brings (schema v6): the receiver's trace index, checkouts
/// learned late, span events, log records, metric points merged into their period, and
/// the receiver's counters.
extension BatchApplier {
    /// `eventNumbers[i]` is the event_no of the batch's i-th business event (filled when
    /// the batch has log records).
    func applyReceived(_ b: WriteBatch, eventNumbers: [Int64]) throws {
        if !b.received.traces.isEmpty {
            let s = try c.cached("INSERT INTO received_trace (trace_no, trace_id) VALUES (?,?)")
            for r in b.received.traces {
                s.bind(1, r.traceNo).bind(2, bytes: r.traceID)
                try s.run()
            }
        }
        if !b.received.resources.isEmpty {
            let s = try c.cached("INSERT OR REPLACE INTO received_resource (service_code, attributes) VALUES (?,?)")
            for r in b.received.resources {
                s.bind(1, r.serviceCode).bind(2, r.attributes)
                try s.run()
            }
        }
        if !b.received.spans.isEmpty { try insertSpans(b.received.spans, orIgnore: true) }
        if !b.received.traceCheckouts.isEmpty {
            let s = try c.cached("UPDATE trace SET checkout_id = ? WHERE trace_no = ? AND checkout_id IS NULL")
            for r in b.received.traceCheckouts {
                s.bind(1, r.checkoutID).bind(2, r.traceNo)
                try s.run()
            }
        }
        if !b.received.spanEvents.isEmpty {
            let s = try c.cached("""
                INSERT OR IGNORE INTO span_event_data (trace_no, span_id, seq, time_offset_ns, name, attributes) VALUES (?,?,?,?,?,?)
                """)
            for r in b.received.spanEvents {
                s.bind(1, r.traceNo).bind(2, r.spanID).bind(3, r.seq).bind(4, r.timeOffset).bind(5, r.name).bind(6, r.attributes)
                try s.run()
            }
        }
        if !b.received.logRecords.isEmpty {
            let s = try c.cached("""
                INSERT INTO log_record (time_unix_nano, severity_number, severity_text, body, service_code, trace_no, span_id,
                  attributes, event_no) VALUES (?,?,?,?,?,?,?,?,?)
                """)
            for r in b.received.logRecords {
                let eventNo = r.businessEventIndex.flatMap { $0 < eventNumbers.count ? eventNumbers[$0] : nil }
                s.bind(1, r.timeNanos).bind(2, r.severityNumber).bind(3, r.severityText).bind(4, r.body).bind(5, r.serviceCode)
                    .bind(6, r.traceNo).bind(7, r.spanID).bind(8, r.attributes).bind(9, eventNo)
                try s.run()
            }
        }
        if !b.received.metricPoints.isEmpty { try applyReceivedPoints(b.received.metricPoints) }
        if let r = b.received.status {
            let s = try c.cached("""
                INSERT INTO otlp_receiver (listen, requests, spans_accepted, logs_accepted, metric_points_accepted, business_events,
                  refused, rejected, last_error, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)
                ON CONFLICT (listen) DO UPDATE SET requests = excluded.requests, spans_accepted = excluded.spans_accepted,
                  logs_accepted = excluded.logs_accepted, metric_points_accepted = excluded.metric_points_accepted,
                  business_events = excluded.business_events, refused = excluded.refused, rejected = excluded.rejected,
                  last_error = excluded.last_error, updated_at = excluded.updated_at
                """)
            s.bind(1, r.listen).bind(2, r.requests).bind(3, r.spansAccepted).bind(4, r.logsAccepted)
                .bind(5, r.metricPointsAccepted).bind(6, r.businessEvents).bind(7, r.refused).bind(8, r.rejected)
                .bind(9, r.lastError).bind(10, r.updatedAtMillis)
            try s.run()
        }
    }

    private func applyReceivedPoints(_ points: [ReceivedMetricPointRow]) throws {
        let add = try c.cached("""
            INSERT INTO metric_data (series_id, period_seconds, period_start, value) VALUES (?,?,?,?)
            ON CONFLICT DO UPDATE SET value = value + excluded.value
            """)
        let reading = try c.cached("""
            INSERT INTO metric_data (series_id, period_seconds, period_start, value, max) VALUES (?,?,?,?,?4)
            ON CONFLICT DO UPDATE SET value = excluded.value, max = max(coalesce(max, excluded.max), excluded.max)
            """)
        let observed = try c.cached("""
            INSERT INTO metric_data (series_id, period_seconds, period_start, value, count, min, max, p50, p95, p99)
            VALUES (?,?,?,?,?,?,?,?,?,?)
            ON CONFLICT DO UPDATE SET value = value + excluded.value, count = count + excluded.count,
              min = CASE WHEN min IS NULL THEN excluded.min WHEN excluded.min IS NULL THEN min ELSE min(min, excluded.min) END,
              max = CASE WHEN max IS NULL THEN excluded.max WHEN excluded.max IS NULL THEN max ELSE max(max, excluded.max) END,
              p50 = coalesce(excluded.p50, p50), p95 = coalesce(excluded.p95, p95), p99 = coalesce(excluded.p99, p99)
            """)
        func real(_ s: Statement, _ i: Int32, _ v: Double?) { if let v { s.bind(i, v) } else { s.bind(i, nil as Int64?) } }
        for p in points {
            switch p.merge {
            case .add(let v):
                add.bind(1, p.seriesID).bind(2, p.periodSeconds).bind(3, p.periodStart).bind(4, v)
                try add.run()
            case .reading(let v):
                reading.bind(1, p.seriesID).bind(2, p.periodSeconds).bind(3, p.periodStart).bind(4, v)
                try reading.run()
            case .observations(let count, let sum, let lo, let hi, let p50, let p95, let p99):
                observed.bind(1, p.seriesID).bind(2, p.periodSeconds).bind(3, p.periodStart).bind(4, sum).bind(5, count)
                real(observed, 6, lo); real(observed, 7, hi); real(observed, 8, p50); real(observed, 9, p95); real(observed, 10, p99)
                try observed.run()
            }
        }
    }
}
