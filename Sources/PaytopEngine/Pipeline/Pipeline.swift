/// The pipeline's parts wired as the seed deploys them: the runtime, the PSP and the
/// three services, each queue connected to its consumer. It hands each pipeline event to
/// the part that handles it. The engine runs one on a store; tests run one on nothing.
final class Pipeline {
    let runtime: PipelineRuntime
    let psp = PspSimulator()
    let initializer: InitializerService
    let executor: ExecutorService
    let wallet: WalletService

    init(_ ctx: EngineContext, stored: InitializerService.StoredSubmissions) {
        runtime = PipelineRuntime(ctx)
        initializer = InitializerService(ctx, runtime: runtime, stored: stored)
        executor = ExecutorService(ctx, runtime: runtime, psp: psp)
        wallet = WalletService(ctx, runtime: runtime)
        runtime.connect(.execution, to: executor)
        runtime.connect(.results, to: wallet)
    }

    /// Handles a pipeline event; false for the events that are not the pipeline's own
    /// (arrivals, scenario actions, the back office's).
    @discardableResult
    func handle(_ event: EngineEvent) -> Bool {
        switch event {
        case .initializerDone(let call): initializer.finish(call)
        case .queueWake(let q): runtime.dispatch(q)
        case .executorRecord(let inv): executor.record(inv)
        case .executorCallPsp(let inv): executor.callPsp(inv)
        case .executorPspReturned(let inv): executor.pspReturned(inv)
        case .walletRecordDone(let inv): wallet.recordDone(inv)
        case .invocationTimeout(let inv): runtime.timeOut(inv)
        case .arrival, .timeline, .settlementCutoff, .reconcile: return false
        }
        return true
    }

    /// Nothing in flight: no request in the initializer, no batch running, and the two
    /// work queues empty (dead letters wait for an operator).
    var isIdle: Bool {
        initializer.callsInFlight == 0 && runtime.invocationsInFlight == 0
            && runtime.queue(.execution).count == 0 && runtime.queue(.results).count == 0
    }
}
