import PaytopStore
import PaytopVocabulary

/// The embedded payment pipeline: API Gateway → initializer → execution queue → executor
/// → PSP → results queue → wallet, with dead-letter queues, on one discrete-event
/// scheduler and one seeded PRNG. The engine's state lives in the store: it keeps in
/// memory only checkouts still in flight (or named by a queue message) and hands every
/// change to the store's writer in group commits.
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

    // Time and chance
    public internal(set) var now: EngineTime
    var random: SeededRandom
    var scheduler = Scheduler()

    // Configuration and operator state
    public internal(set) var settings: EngineSettings
    public internal(set) var faults = FaultState()
    public internal(set) var releases: [FunctionName: [Release]] = [:]
    public internal(set) var traffic: TrafficState
    public internal(set) var stats = EngineStats()
    /// Live speed factor, changed by the `speed` command (the live runner reads it).
    public internal(set) var speed: Double = 20

    // Simulated AWS runtime
    var gatewayThrottle: TokenBucket
    let initializer: FunctionRuntime
    let executor: FunctionRuntime
    let walletFunction: FunctionRuntime
    let executionQueue = SimQueue(name: .execution)
    let executionDLQ = SimQueue(name: .executionDLQ)
    let resultsQueue = SimQueue(name: .results)
    let resultsDLQ = SimQueue(name: .resultsDLQ)
    var executionSource: EventSource
    var resultsSource: EventSource
    let psp = PspSimulator()
    let telemetry: TelemetryRecorder
    /// nil when telemetry is off.
    var metricSeries: MetricSeriesSet?
    var pendingPrune: TelemetryPrune?
    /// Checkouts ended and settled at the last metric period's close.
    var conversionBaseline: (ended: Int, settled: Int) = (0, 0)
    var apiCallsInFlight = 0
    /// Outside callers whose request the initializer holds; each is answered when it ends.
    var outsideCallsInFlight: [ObjectIdentifier: ApiCall] = [:]
    var invocationsInFlight = 0

    // Payment state
    var live: [String: Checkout] = [:]
    var wallets: [WalletKey: Money] = [:]
    var dirtyWallets: [WalletKey] = []
    var dirtyWalletSet: Set<WalletKey> = []
    var newLedgerRows: [LedgerEntryRow] = []
    var dirtyCheckouts: [Checkout] = []
    var dirtyMessages: [QueueMessage] = []
    var evictionCandidates: [Checkout] = []
    /// Candidates leave `live` only once the batch holding their final state has
    /// committed, so `live` plus the store always hold every checkout (outside requests
    /// are checked against both without waiting for a commit).
    var evictionsAwaitingCommit: [(sequence: Int, checkouts: [Checkout])] = []
    /// payment_order_id → checkout_id for the checkouts in `live` taken from outside.
    var liveOrderOwners: [String: String] = [:]
    var newControlEvents: [ControlEventRow] = []
    var newControlAcks: [ControlAck] = []
    var pendingRows = 0

    // API responses wait for the commit that makes their checkout durable.
    var responsesAwaitingFlush: [(ApiResponse, (ApiResponse) -> Void)] = []
    var responsesAwaitingCommit: [(sequence: Int, response: ApiResponse, respond: (ApiResponse) -> Void)] = []

    var timeline: [TimelineAction] = []
    var arrivalScheduled = false
    /// Scenario actions not yet applied.
    var timelinePending = 0
    var arrivalGeneration = 0
    /// The last control_command id this engine has taken.
    var lastControlCommandID: Int64 = 0
    /// Whether this engine continued a store an earlier run had filled.
    public private(set) var resumed = false
    /// Called when a checkout becomes durable (its 202 is committed). Tests use it.
    public var onAcknowledged: ((String) -> Void)?

    struct WalletKey: Hashable {
        let merchant: String
        let currency: String
    }

    public init(_ options: Options) throws {
        let c = try Store.openForWriting(path: options.storePath, create: true)
        if options.requireNewStore, try Store.holdsARun(c) {
            throw StoreError.alreadyHoldsARun(path: options.storePath)
        }
        if let pid = try Engine.liveEngine(on: c) {
            throw StoreError.failed("another paytop engine (pid \(pid)) is running on \(options.storePath); stop it first, or send it commands (paytop fault, rate, ...)")
        }
        self.reader = c
        self.mode = options.mode
        self.flushThreshold = options.flushThreshold
        let settings = options.settings
        self.settings = settings
        self.now = options.startTime
        self.random = SeededRandom(seed: settings.seed)
        self.traffic = TrafficState(ratePerSecond: settings.ratePerSecond)
        self.gatewayThrottle = TokenBucket(rate: settings.api.throttleRate, burst: settings.api.throttleBurst)
        self.initializer = FunctionRuntime(name: .initializer, settings: settings.functions[.initializer] ?? .init(reservedConcurrency: nil))
        self.executor = FunctionRuntime(name: .executor, settings: settings.functions[.executor] ?? .init(reservedConcurrency: nil))
        self.walletFunction = FunctionRuntime(name: .wallet, settings: settings.functions[.wallet] ?? .init(reservedConcurrency: nil))
        self.telemetry = TelemetryRecorder(enabled: settings.telemetry)
        self.executionSource = EventSource(settings: settings.eventSource)
        self.resultsSource = EventSource(settings: settings.eventSource)
        for f in FunctionName.allCases {
            let s = settings.functions[f] ?? .init(reservedConcurrency: nil)
            releases[f] = [Release(version: s.version, regression: nil, deploymentID: "initial", revision: "initial", deployedAt: EngineTime.simulationEpoch.nanos)]
        }
        self.writer = try StoreWriter(path: options.storePath, crashAfterCommits: options.crashAfterCommits, onCommit: options.onCommit)
        let resumed = try Engine.hasEngineState(c)
        self.resumed = resumed
        if resumed {
            try restore()
        }
        if settings.telemetry {
            let recorder = MetricsRecorder(finePeriod: options.mode == .live ? Span.seconds(Int64(1)) : Span.minutes(1), start: now)
            try Engine.restoreMetricSeries(c, into: recorder)
            let set = MetricSeriesSet(recorder)
            metricSeries = set
            for f in FunctionName.allCases { function(f).recordsDurations = true }
            // Counters restored from the store are the baseline, not a burst in the first period.
            readCumulativeCounters(set)
            recorder.resetCounts()
            conversionBaseline = (stats.settled + stats.failed, stats.settled)
        }
        self.runID = try Engine.recordRunStart(c, mode: options.mode, engineStart: now)
        if let s = options.scenario { timeline = s.timeline }
        for (i, action) in timeline.enumerated() {
            scheduler.schedule(.timeline(i), at: now + action.at)
        }
        timelinePending = timeline.count
        scheduleArrivalIfNeeded()
        wakeAllQueues()
        if !resumed { markStateDirty() }
    }

    /// Whether the engine resumed a store that an earlier run had filled.
    public var queueDepths: [QueueName: Int] {
        [.execution: executionQueue.count, .executionDLQ: executionDLQ.count,
         .results: resultsQueue.count, .resultsDLQ: resultsDLQ.count]
    }

    func queue(_ name: QueueName) -> SimQueue {
        switch name {
        case .execution: return executionQueue
        case .executionDLQ: return executionDLQ
        case .results: return resultsQueue
        case .resultsDLQ: return resultsDLQ
        }
    }

    func function(_ name: FunctionName) -> FunctionRuntime {
        switch name {
        case .initializer: return initializer
        case .executor: return executor
        case .wallet: return walletFunction
        }
    }

    /// The version of a function that is serving now.
    public func currentRelease(_ f: FunctionName) -> Release { releases[f]!.last! }

    // MARK: Driving

    /// When the next event falls due, if any.
    public var nextEventTime: EngineTime? { scheduler.nextTime }

    /// Runs the next event if it is due at or before `limit`. Returns false when none is.
    @discardableResult
    public func step(notAfter limit: EngineTime) throws -> Bool {
        guard let t = scheduler.nextTime, t <= limit, let entry = scheduler.pop() else { return false }
        if metricSeries != nil { closeMetricsPeriods(before: entry.time) }
        now = entry.time
        handle(entry.event)
        if pendingRows >= flushThreshold { try flush() }
        return true
    }

    /// Moves engine time forward with nothing happening (live mode, between events).
    public func advance(to t: EngineTime) {
        if t > now { now = t }
    }

    func handle(_ event: EngineEvent) {
        switch event {
        case .arrival(let generation): handleArrival(generation)
        case .initializerDone(let call): finishInitializer(call)
        case .queueWake(let q): dispatch(q)
        case .executorRecord(let inv): executorRecord(inv)
        case .executorCallPsp(let inv): executorCallPsp(inv)
        case .executorPspReturned(let inv): executorPspReturned(inv)
        case .walletRecordDone(let inv): walletRecordDone(inv)
        case .invocationTimeout(let inv): timeOut(inv)
        case .timeline(let i): applyTimeline(i)
        }
    }

    /// True once traffic has ended, the scenario's timeline has played out and nothing is
    /// left in flight: every accepted checkout is done or dead-lettered.
    public var isQuiescent: Bool {
        let trafficOver = traffic.limit.map { traffic.generated >= $0 } ?? false
        return trafficOver && timelinePending == 0 && apiCallsInFlight == 0 && invocationsInFlight == 0
            && executionQueue.count == 0 && resultsQueue.count == 0
    }

    /// Schedules an event for an invocation, or its timeout if the event would fall after it.
    func schedule(_ event: EngineEvent, for inv: Invocation, at t: EngineTime) {
        if t > inv.deadline {
            if !inv.timeoutScheduled {
                inv.timeoutScheduled = true
                scheduler.schedule(.invocationTimeout(inv), at: inv.deadline)
            }
        } else {
            scheduler.schedule(event, at: t)
        }
    }
}
