/// What a store holds, for `paytop simulate`'s summary and `paytop status`.
public struct StoreSummary: Sendable {
    public var checkoutsByOutcome: [String: Int] = [:]   // SUCCESS, FAILED, IN_FLIGHT, DEAD_LETTERED
    public var ordersByStatus: [String: Int] = [:]
    public var queueDepths: [String: Int] = [:]
    public var walletTotals: [String: Money] = [:]        // per currency
    public var rowsByTable: [String: Int] = [:]
    public var engineState: [String: String] = [:]

    public var totalRows: Int { rowsByTable.values.reduce(0, +) }

    public static let tables = ["payment_event", "payment_order", "wallet", "ledger_entry", "queue_message",
                                "psp_charge", "control_command", "control_event", "engine_state",
                                "trace", "span_data", "span_link_data", "business_event_data", "sdlc_event",
                                "span_name", "business_event_name", "service_version", "metric_series", "metric_data",
                                "received_trace", "received_resource", "span_event_data", "log_record"]

    public static func load(_ c: Connection) throws -> StoreSummary {
        try c.read {
            var s = StoreSummary()
            let outcomes = try c.cached("""
                SELECT CASE
                    WHEN is_payment_done = 1 THEN outcome
                    WHEN EXISTS (SELECT 1 FROM queue_message m WHERE m.checkout_id = e.checkout_id
                                 AND m.queue_name IN ('payment-execution-queue','payment-results-queue')) THEN 'IN_FLIGHT'
                    WHEN EXISTS (SELECT 1 FROM queue_message m WHERE m.checkout_id = e.checkout_id) THEN 'DEAD_LETTERED'
                    ELSE 'LOST' END AS state, count(*)
                FROM payment_event e GROUP BY state
                """)
            while try outcomes.step() { s.checkoutsByOutcome[outcomes.string(0)] = Int(outcomes.int(1)) }
            let orders = try c.cached("SELECT payment_order_status, count(*) FROM payment_order GROUP BY 1")
            while try orders.step() { s.ordersByStatus[orders.string(0)] = Int(orders.int(1)) }
            let queues = try c.cached("SELECT queue_name, count(*) FROM queue_message GROUP BY 1")
            while try queues.step() { s.queueDepths[queues.string(0)] = Int(queues.int(1)) }
            let wallets = try c.cached("SELECT currency, balance FROM wallet")
            while try wallets.step() {
                s.walletTotals[wallets.string(0), default: .zero] += Money(decimalString: wallets.string(1)) ?? .zero
            }
            for t in tables {
                s.rowsByTable[t] = Int(try c.scalarInt("SELECT count(*) FROM \(t)") ?? 0)
            }
            let state = try c.cached("SELECT key, value FROM engine_state")
            while try state.step() { s.engineState[state.string(0)] = state.string(1) }
            return s
        }
    }
}
