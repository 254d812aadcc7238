/// Everything one group commit writes: the net effect of the engine's events since the
/// previous commit. The engine coalesces before it builds a batch, so a queue message
/// sent and deleted between two commits never reaches the file, and a row changed five
/// times is written once with its last value.
public struct WriteBatch: Sendable {
    public var paymentEventInserts: [PaymentEventRow] = []
    public var paymentEventUpdates: [PaymentEventRow] = []
    public var orderInserts: [PaymentOrderRow] = []
    public var orderUpdates: [PaymentOrderRow] = []
    public var walletUpserts: [WalletRow] = []
    public var ledgerInserts: [LedgerEntryRow] = []
    public var messageInserts: [QueueMessageRow] = []
    public var messageUpdates: [QueueMessageRow] = []
    public var messageDeletes: [String] = []
    public var pspInserts: [PspChargeRow] = []
    public var controlEvents: [ControlEventRow] = []
    public var controlAcks: [ControlAck] = []
    public var engineState: [(key: String, value: String)] = []
    public var traces: [TraceRow] = []
    public var spans: [SpanRow] = []
    public var spanLinks: [SpanLinkRow] = []
    public var businessEvents: [BusinessEventRow] = []
    public var sdlcEvents: [SdlcEventRow] = []
    public var spanNames: [SpanNameRow] = []
    public var eventNames: [EventNameRow] = []
    public var serviceVersions: [ServiceVersionRow] = []
    public var metricSeries: [MetricSeriesRow] = []
    public var metricPoints: [MetricPointRow] = []
    /// Problems as the detectors last left them, each whole with its signals (applied in order).
    public var problems: [ProblemRow] = []
    public var prune: TelemetryPrune?
    public var heartbeat: RunLog.Heartbeat?
    /// What a receiver took in from outside; the engine leaves it empty.
    public var received = ReceivedRows()

    public init() {}

    /// Rows this batch inserts, updates or deletes.
    public var rowCount: Int {
        paymentEventInserts.count + paymentEventUpdates.count + orderInserts.count + orderUpdates.count
            + walletUpserts.count + ledgerInserts.count + messageInserts.count + messageUpdates.count
            + messageDeletes.count + pspInserts.count + controlEvents.count + controlAcks.count
            + engineState.count + traces.count + spans.count + spanLinks.count + businessEvents.count
            + sdlcEvents.count + spanNames.count + eventNames.count + serviceVersions.count
            + metricSeries.count + metricPoints.count + problems.count + received.rowCount
    }
}

/// The rows only a receiver writes (schema v6): received traces and their resources,
/// spans (inserted or ignored: a retried request may bring a span again, while the
/// engine's `spans` never repeat and keep the plain insert), the checkouts traces name,
/// span events, log records, metric points merged into their minute, the receiver's status.
public struct ReceivedRows: Sendable {
    public var traces: [ReceivedTraceRow] = []
    public var resources: [ReceivedResourceRow] = []
    public var spans: [SpanRow] = []
    public var traceCheckouts: [TraceCheckoutRow] = []
    public var spanEvents: [SpanEventRow] = []
    public var logRecords: [LogRecordRow] = []
    public var metricPoints: [ReceivedMetricPointRow] = []
    public var status: ReceiverStatus?

    public init() {}

    public var isEmpty: Bool {
        traces.isEmpty && resources.isEmpty && spans.isEmpty && traceCheckouts.isEmpty && spanEvents.isEmpty
            && logRecords.isEmpty && metricPoints.isEmpty && status == nil
    }

    public var rowCount: Int {
        traces.count + resources.count + spans.count + traceCheckouts.count + spanEvents.count + logRecords.count + metricPoints.count
    }
}
