/// Schemas v9 and v10: the drill (docs/drill.md). Shipped migrations are frozen (MigrationsFrozenTests).
extension Migrations {
    /// Schema v9, the drill (docs/drill.md): the checkouts behind an error code, a merchant,
    /// a failure and a cold start, newest first, without a scan. Error events, failed
    /// checkouts and cold starts are a few percent of theirs; `CheckoutSearch` repeats the
    /// partial indexes' WHERE word for word.
    static let v9 = """
    CREATE INDEX business_event_error ON business_event_data (error_code, biz_timestamp) WHERE error_code IS NOT NULL;
    CREATE INDEX payment_order_seller ON payment_order (seller_account, created_at);
    CREATE INDEX payment_event_failed ON payment_event (trace_no) WHERE outcome = 'FAILED';
    CREATE INDEX span_cold ON span_data (trace_no) WHERE instr(attributes, '"faas.coldstart":true') > 0;
    """

    /// Schema v10, the drill (docs/drill.md): an error code's events by trace (the checkouts
    /// of a window that met the code, without walking the code's later events); and the
    /// traces whose first span is an HTTP request (the API's, or a client's around it) that
    /// answered slowly, failed or was throttled — the candidates for the API latency SLO's
    /// bad events, a few percent of the checkouts' traces and none of the batch invocations'.
    static let v10 = """
    CREATE INDEX business_event_error_trace ON business_event_data (error_code, trace_no) WHERE error_code IS NOT NULL;
    CREATE INDEX span_first_bad ON span_data (trace_no)
    WHERE start_offset_ns = 0 AND instr(attributes, '"http.response.status_code":') > 0
      AND (duration_ns > 300000000 OR status = 2 OR instr(attributes, '"http.response.status_code":429') > 0);
    """
}
