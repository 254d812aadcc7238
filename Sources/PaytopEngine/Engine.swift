import PaytopJSON
import PaytopStore
import PaytopVocabulary

/// The embedded payment pipeline: API Gateway → initializer → execution queue → executor
/// → PSP → results queue → wallet, with dead-letter queues, on one discrete-event
/// scheduler and one seeded PRNG.
///
/// The engine is the coordinator: it owns the clock, the scheduler and the PRNG (through
/// the shared `EngineContext`), the store's writer and what waits on its commits, and it
/// dispatches each event to the service or runtime that handles it. The services own
/// their state. The engine's state lives in the store: it keeps in memory only checkouts
/// still in flight (or named by a queue message) and hands every change to the writer in
/// group commits.
///
/// Not thread-safe: one thread drives an engine, through `SimulationRunner` or
/// `LiveRunner`.
public final class Engine {
    public struct Options {
        public var storePath: String
        public var mode: EngineClock.Mode
        /// Settings for a new store (with any scenario's settings already applied); a
        /// resumed store keeps the settings it was run with.
        public var settings: EngineSettings
        /// Its timeline runs from the engine's start; its settings are the caller's to apply.
        public var scenario: Scenario?
        /// Refuse a store that already holds a run (simulations are reproducible only from
        /// an empty store).
        public var requireNewStore = false
        /// Test hook: the writer drops everything after this many commits (a crash).
        public var crashAfterCommits: Int?
        /// Simulations commit once this many rows are waiting.
        public var flushThreshold = 20_000
        /// Engine time of a new store (simulations: the simulation epoch; live runs: now).
        public var startTime = EngineTime.simulationEpoch
        /// Hears every committed batch on the writer's thread (OTLP export).
        public var onCommit: (@Sendable (WriteBatch) -> Void)?
        /// Outside callers wait on this engine (the HTTP API): their answers are durable once
        /// in the store's redo log, and the file commits every `StoreWriter.commitInterval`.
        public var redoLog = false

        public init(storePath: String, mode: EngineClock.Mode, settings: EngineSettings = EngineSettings(),
                    scenario: Scenario? = nil) {
            self.storePath = storePath
            self.mode = mode
            self.settings = settings
            self.scenario = scenario
        }
    }

    // Wiring
    let reader: Connection
    let writer: StoreWriter
    public let mode: EngineClock.Mode
    let flushThreshold: Int
    var runID: Int64 = 0

    // The shared world and the parts that act in it
    let context: EngineContext
    let pipeline: Pipeline
    let trafficSource: TrafficSource
    /// Made again once a resumed store's settings are read.
    private(set) var backOffice: BackOffice
    /// nil when telemetry is off.
    private(set) var metrics: PipelineMetrics?

    // Operator state
    var control = ControlLog()
    var timeline: [TimelineAction] = []
    /// Scenario actions not yet applied.
    var timelinePending = 0
    /// Live speed factor, changed by the `speed` command (the live runner reads it).
    public internal(set) var speed: Double = 20
    /// The experiment a runner is playing against this engine, if any (its `experiment` commands).
    public internal(set) var experiment: ExperimentStatus?

    // What waits on the writer
    var responsesAwaitingCommit: [(sequence: Int, response: ApiResponse, respond: (ApiResponse) -> Void)] = []
    var pendingPrune: TelemetryPrune?
    var pendingHeartbeat: RunLog.Heartbeat?
    let stateRows = EngineStateRows()

    /// Whether this engine continued a store an earlier run had filled.
    public private(set) var resumed = false

    public init(_ options: Options) throws {
        let c = try Store.openForWriting(path: options.storePath, create: true)
        if options.requireNewStore, try Store.holdsARun(c) {
            throw StoreError.alreadyHoldsARun(path: options.storePath)
        }
        if let (pid, mode) = try Engine.liveEngine(on: c) {
            if mode == .received {
                throw StoreError.failed("a paytop receiver (pid \(pid)) is writing \(options.storePath); the engine needs a store of its own")
            }
            throw StoreError.failed("another paytop engine (pid \(pid)) is running on \(options.storePath); stop it first, or send it commands (paytop fault, rate, ...)")
        }
        try Store.limitPageCache(c, megabytes: 16)
        self.reader = c
        self.mode = options.mode
        self.flushThreshold = options.flushThreshold
        let ctx = EngineContext(settings: options.settings, startTime: options.startTime)
        self.context = ctx
        let pipeline = Pipeline(ctx, stored: .init { request in Engine.storedSubmission(of: request, in: c) })
        self.pipeline = pipeline
        self.trafficSource = TrafficSource(ctx, initializer: pipeline.initializer)
        let runtime = pipeline.runtime
        do { self.backOffice = try BackOffice(ctx, storePath: options.storePath) } catch let e as SettlementSchedule.Invalid {
            throw StoreError.failed("settings: \(e.description)")
        }
        self.writer = try StoreWriter(path: options.storePath, crashAfterCommits: options.crashAfterCommits, redoLog: options.redoLog,
                                      onCommit: options.onCommit)
        let resumed = try Engine.hasEngineState(c)
        self.resumed = resumed
        var metrics: PipelineMetrics?
        var settlementSweptThrough = ctx.now
        if resumed {
            settlementSweptThrough = try restore() ?? ctx.now
            do { self.backOffice = try BackOffice(ctx, storePath: options.storePath) } catch let e as SettlementSchedule.Invalid {
                throw StoreError.failed("stored settings: \(e.description)")
            }
            try backOffice.restore(c)
        }
        if ctx.settings.telemetry {
            let recorder = MetricsRecorder(finePeriod: options.mode == .live ? Span.seconds(Int64(1)) : Span.minutes(1), start: ctx.now)
            try Engine.restoreMetricSeries(c, into: recorder)
            let set = MetricSeriesSet(recorder, settlementSweptThrough: settlementSweptThrough)
            ctx.metrics = set
            if resumed { restoreSloState(into: set.settlementDeadlines) }
            for f in FunctionName.allCases { runtime.function(f).recordsDurations = true }
            let m = PipelineMetrics(set, ctx: ctx, runtime: runtime, psp: pipeline.psp)
            m.startFromRestoredCounters()
            if resumed {
                let recent = try ProblemBook.resumable(c, closedAfter: ctx.now.nanos - 30 * 60_000_000_000)
                m.detection.tracker.restore(recent.rows, nextID: recent.nextID)
            }
            metrics = m
        }
        self.metrics = metrics
        self.runID = try Engine.recordRunStart(c, mode: options.mode, engineStart: ctx.now)
        if let s = options.scenario { timeline = s.timeline }
        for (i, action) in timeline.enumerated() {
            ctx.scheduler.schedule(.timeline(i), at: ctx.now + action.at)
        }
        timelinePending = timeline.count
        trafficSource.scheduleArrivalIfNeeded()
        runtime.wakeAllQueues()
        backOffice.scheduleNextCutoff()
        if !resumed { markStateDirty() }
    }

    /// What the store holds under an outside request's ids.
    private static func storedSubmission(of r: PaymentRequest, in c: Connection) -> InitializerService.PriorSubmission {
        if let hash = try? CheckoutLookup.requestHash(c, checkoutID: r.checkoutID) { return .sameCheckout(hash: hash) }
        for o in r.orders {
            if let owner = try? CheckoutLookup.owner(c, paymentOrderID: o.paymentOrderID) {
                return .orderOfAnotherCheckout(order: o.paymentOrderID, owner: owner)
            }
        }
        return .none
    }

    // MARK: What the engine shows

    public var now: EngineTime { context.now }
    public var settings: EngineSettings { context.settings }
    public var faults: FaultState { context.faults }
    public var releases: [FunctionName: [Release]] { context.releases }
    public var stats: EngineStats { context.stats }
    public var traffic: TrafficState { trafficSource.state }

    public var queueDepths: [QueueName: Int] {
        Dictionary(uniqueKeysWithValues: QueueName.allCases.map { ($0, runtime.queue($0).count) })
    }

    func queue(_ name: QueueName) -> SimQueue { runtime.queue(name) }
    func function(_ name: FunctionName) -> FunctionRuntime { runtime.function(name) }

    /// The version of a function that is serving now.
    public func currentRelease(_ f: FunctionName) -> Release { context.currentRelease(f) }

    var runtime: PipelineRuntime { pipeline.runtime }
    var psp: PspSimulator { pipeline.psp }
    var initializer: InitializerService { pipeline.initializer }
    var wallet: WalletService { pipeline.wallet }

    /// Called when a checkout becomes durable (its 202 is committed, or in the redo log). Tests use it.
    public var onAcknowledged: ((String) -> Void)? {
        get { initializer.onAcknowledged }
        set { initializer.onAcknowledged = newValue }
    }

    // MARK: Requests from outside

    /// Sends a request from outside the engine (HTTP clients, tests, sample files) through
    /// API Gateway. `respond` is called once the answer is final; for a 202 that is once
    /// the checkout is durable (committed, or in the redo log when there is one).
    ///
    /// `traceparent` is the client's W3C header: a valid one makes the checkout's trace
    /// continue the client's (its trace id, and API Gateway's span as a child of the
    /// client's span); an invalid one is ignored, as W3C Trace Context says.
    ///
    /// A nil `body` is a request that was not JSON: it gets the seed's 400 Invalid JSON.
    public func submit(_ body: JSONValue?, traceparent: String? = nil, respond: @escaping (ApiResponse) -> Void) {
        let call = ApiCall(body: body, arrivedAt: now, respond: respond)
        call.clientContext = traceparent.flatMap(W3CTraceContext.parse)
        initializer.receive(call)
    }

    /// Sends raw request bytes, parsed here.
    public func submit(rawBody: [UInt8], traceparent: String? = nil, respond: @escaping (ApiResponse) -> Void) {
        submit(try? JSONValue.parse(rawBody), traceparent: traceparent, respond: respond)
    }

    /// Whether an outside caller waits for the initializer to end (see `refuseCallsInFlight`).
    public var hasOutsideCallsInFlight: Bool { initializer.hasOutsideCalls }

    /// Answers `refusal` to every outside caller whose request the initializer still
    /// holds, for an engine that stops before their invocations end.
    public func refuseCallsInFlight(_ refusal: ApiResponse) { initializer.refuseOutsideCalls(refusal) }

    /// Stops the traffic generator after `total` checkouts in all.
    public func limitTraffic(to total: Int?) { trafficSource.limit(to: total) }

    // MARK: Driving

    /// When the next event falls due, if any.
    public var nextEventTime: EngineTime? { context.scheduler.nextTime }

    /// Runs the next event if it is due at or before `limit`. Returns false when none is.
    @discardableResult
    public func step(notAfter limit: EngineTime) throws -> Bool {
        guard let t = context.scheduler.nextTime, t <= limit, let entry = context.scheduler.pop() else { return false }
        if let metrics, metrics.closePeriods(before: entry.time) { pruneTelemetryIfLive() }
        context.now = entry.time
        try handle(entry.event)
        if context.pendingRows >= flushThreshold { try flush() }
        return true
    }

    /// Moves engine time forward with nothing happening (live mode, between events).
    public func advance(to t: EngineTime) {
        if t > context.now { context.now = t }
    }

    /// Each event to the part that handles it.
    func handle(_ event: EngineEvent) throws {
        switch event {
        case .arrival(let generation): trafficSource.arrive(generation)
        case .timeline(let i): applyTimeline(i)
        case .settlementCutoff:
            backOffice.eventTaken()
            try closeSettlementBatch(final: false)
            backOffice.scheduleReconciliation()
            backOffice.scheduleNextCutoff()
        case .reconcile:
            backOffice.eventTaken()
            try reconcile(source: "schedule")
        default: pipeline.handle(event)
        }
    }

    /// True once traffic has ended, the scenario's timeline has played out and nothing is
    /// left in flight: every accepted checkout is done or dead-lettered.
    public var isQuiescent: Bool {
        trafficSource.isOver && timelinePending == 0 && pipeline.isIdle
    }

    /// Whether nothing but the back office's cut-offs and runs is scheduled (a paused
    /// simulation with nothing left to do).
    public var onlyBackOfficeEventsPending: Bool { context.scheduler.count <= backOffice.eventsPending }

    // MARK: The back office

    /// The PSP closes its next settlement batch now, on everything committed so far; a
    /// final batch (a simulation's end) takes every charge completed by now.
    public func closeSettlementBatch(final: Bool) throws {
        try waitForCommits()
        try backOffice.closeBatch(on: reader, final: final)
        context.pendingRows += 1
    }

    /// Runs the reconciliation job now, on everything committed so far.
    public func reconcile(source: String) throws {
        try waitForCommits()
        try backOffice.reconcile(on: reader, source: source)
        metrics?.openInvestigateItems = backOffice.openInvestigateItems
        context.pendingRows += 1
    }

    /// Live stores keep telemetry within an age and size budget (docs/telemetry.md).
    func pruneTelemetryIfLive() {
        guard mode == .live else { return }
        let now = context.now
        pendingPrune = TelemetryPrune(
            finePointsBefore: (now - Span.minutes(60)).nanos, rollupsBefore: (now - Span.minutes(7 * 24 * 60)).nanos,
            tracesBefore: (now - Span.minutes(context.settings.telemetryRetentionMinutes)).nanos,
            maxTraces: Int64(context.settings.telemetryMaxTraces))
        context.pendingRows += 1
    }
}
