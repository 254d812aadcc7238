import PaytopVocabulary

/// The traffic generator's arrivals: a Poisson stream of checkouts at the operator's
/// rate into API Gateway, paused, resumed, re-rated, and limited for simulations.
final class TrafficSource {
    private let ctx: EngineContext
    private let initializer: InitializerService
    var state: TrafficState
    private var arrivalScheduled = false
    /// Arrivals scheduled before a rate change belong to an older generation and are ignored.
    private var generation = 0

    init(_ ctx: EngineContext, initializer: InitializerService) {
        self.ctx = ctx
        self.initializer = initializer
        self.state = TrafficState(ratePerSecond: ctx.settings.ratePerSecond)
    }

    /// Whether every checkout a limited run asked for has arrived.
    var isOver: Bool { state.limit.map { state.generated >= $0 } ?? false }

    func scheduleArrivalIfNeeded() {
        guard !arrivalScheduled, !state.paused, state.ratePerSecond > 0 else { return }
        if let limit = state.limit, state.generated >= limit { return }
        arrivalScheduled = true
        ctx.scheduler.schedule(.arrival(generation: generation),
                               at: ctx.now + ctx.random.exponentialGap(ratePerSecond: state.ratePerSecond))
    }

    func arrive(_ generation: Int) {
        guard generation == self.generation else { return }
        arrivalScheduled = false
        if state.paused { return }
        if let limit = state.limit, state.generated >= limit { return }
        state.generated += 1
        let body = TrafficGenerator.request(random: &ctx.random, errorMix: ctx.settings.errorMix, amounts: amountDraw(), at: ctx.now)
        initializer.receive(ApiCall(body: body, arrivedAt: ctx.now, respond: nil))
        scheduleArrivalIfNeeded()
    }

    private var amounts: (settings: OrderAmounts, draw: OrderAmountDraw)?

    /// The order-amount distribution of the current settings (checked when they were
    /// loaded; a stored setting that no longer parses falls back to the default).
    private func amountDraw() -> OrderAmountDraw {
        if let a = amounts, a.settings == ctx.settings.orderAmounts { return a.draw }
        let draw = (try? ctx.settings.orderAmounts.draw()) ?? (try! OrderAmounts().draw())
        amounts = (ctx.settings.orderAmounts, draw)
        return draw
    }

    /// A new rate takes effect from now, not after the gap drawn at the old rate.
    func setRate(_ r: Double) {
        state.ratePerSecond = r
        generation += 1
        arrivalScheduled = false
        scheduleArrivalIfNeeded()
    }

    func pause() { state.paused = true }

    func resume() {
        state.paused = false
        scheduleArrivalIfNeeded()
    }

    /// Stops the generator after `total` checkouts in all.
    func limit(to total: Int?) {
        state.limit = total
        scheduleArrivalIfNeeded()
    }
}
