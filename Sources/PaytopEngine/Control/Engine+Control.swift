import Foundation
import PaytopStore
import PaytopVocabulary
import PaytopJSON

/// Operator commands: from `control_command` rows (CLI, console) and scenario timelines.
/// Each applied command is acknowledged on its row and recorded in `control_event`.
extension Engine {
    /// Applies a command now. Returns a one-line summary, or throws a rejection.
    @discardableResult
    public func apply(_ command: ControlCommand, source: String = "control", commandID: Int64? = nil) throws -> String {
        let summary: String
        switch command {
        case .pspOutage(let on):
            context.faults.pspOutage = on
            summary = "PSP outage \(on ? "on" : "off")"
        case .pspLatency(let on, let factor):
            context.faults.pspLatencyFactor = on ? factor : 1
            summary = on ? "PSP latency ×\(trim(factor))" : "PSP latency normal"
        case .pspDeclines(let on, let rate, let code):
            context.faults.pspDeclineRate = on ? rate : 0
            context.faults.pspDeclineCode = code
            summary = on ? "PSP declines \(trim(rate * 100))% \(code)" : "PSP declines off"
        case .functionErrors(let f, let rate):
            context.faults.functionErrorRates[f] = rate > 0 ? rate : nil
            summary = "\(f.rawValue) error rate \(trim(rate * 100))%"
        case .settlementDrift(let drift):
            context.faults.settlementDrift = drift
            summary = drift.map { "settlement drift \(trim($0.rate * 100))% (\($0.kinds.map(\.rawValue).joined(separator: ", ")))" }
                ?? "settlement drift off"
        case .reconcile:
            do { try reconcile(source: source) } catch {
                throw ControlCommand.ParseError("reconcile failed: \(error)")
            }
            summary = "reconciliation run"
        case .clearFaults:
            context.faults = FaultState()
            summary = "all faults cleared"
        case .rate(let r):
            trafficSource.setRate(r)
            summary = "traffic \(trim(r)) checkouts/s"
        case .pause:
            trafficSource.pause()
            summary = "traffic paused"
        case .resume:
            trafficSource.resume()
            summary = "traffic resumed"
        case .speed(let s):
            guard mode == .live else { throw ControlCommand.ParseError("speed applies to live engines only") }
            speed = s
            summary = "speed ×\(trim(s))"
        case .deploy(let service, let version, let regression):
            let release = Release(version: version, regression: regression, deploymentID: "deploy-" + context.random.hex(8),
                                  revision: context.random.hex(40), deployedAt: now.nanos)
            let previous = currentRelease(service).version
            context.releases[service, default: []].append(release)
            recordDeployment(service, release, previous: previous, source: source)
            summary = "deployed \(service.rawValue) \(version)" + (regression.map { " (regression: \($0.rawValue))" } ?? "")
        case .rollback(let service):
            guard var history = context.releases[service], history.count > 1 else {
                throw ControlCommand.ParseError("rollback: \(service.rawValue) has no earlier release to return to")
            }
            let from = history.removeLast()
            context.releases[service] = history
            // A rollback is a deployment of the previous artifact, with a deployment id of its own.
            var back = history.last!
            back.deploymentID = "deploy-" + context.random.hex(8)
            recordDeployment(service, back, previous: from.version, source: source)
            summary = "rolled back \(service.rawValue) \(from.version) → \(history.last!.version)"
        case .pspPartialOutage(let r):
            context.faults.pspErrorRate = r > 0 ? r : nil
            summary = r > 0 ? "PSP answers 500 to \(trim(r * 100))% of charges" : "PSP partial outage off"
        case .hopLatency(let hop, let ms):
            switch hop {
            case .apiInitializer: context.faults.apiInitializerDelayMillis = ms > 0 ? ms : nil
            case .executorPsp: context.faults.executorPspDelayMillis = ms > 0 ? ms : nil
            }
            summary = ms > 0 ? "\(hop.rawValue) +\(trim(ms)) ms" : "\(hop.rawValue) latency normal"
        case .functionConcurrency(let f, let n):
            var reserved = context.faults.reservedConcurrency ?? [:]
            reserved[f] = n
            context.faults.reservedConcurrency = reserved.isEmpty ? nil : reserved
            summary = n.map { "\(f.rawValue) reserved concurrency \($0)" } ?? "\(f.rawValue) concurrency as configured"
        case .visibilityTimeout(let q, let seconds):
            var v = context.faults.visibilityTimeoutSeconds ?? [:]
            v[q] = seconds
            context.faults.visibilityTimeoutSeconds = v.isEmpty ? nil : v
            summary = seconds.map { "\(q.rawValue) visibility timeout \(trim($0)) s" } ?? "\(q.rawValue) visibility timeout as configured"
        case .lambdaDelay(let f, let ms, let p):
            var d = context.faults.invocationDelays ?? [:]
            d[f] = ms > 0 ? InvocationDelay(millis: ms, percentage: p) : nil
            context.faults.invocationDelays = d.isEmpty ? nil : d
            summary = ms > 0 ? "\(f.rawValue) invocations start \(trim(ms)) ms late (\(trim(p))%)" : "\(f.rawValue) invocation delay off"
        case .lambdaError(let f, let p, let prevent):
            var e = context.faults.invocationErrors ?? [:]
            e[f] = p > 0 ? InvocationError(percentage: p, preventExecution: prevent) : nil
            context.faults.invocationErrors = e.isEmpty ? nil : e
            summary = p > 0 ? "\(f.rawValue) invocations fail (\(trim(p))%\(prevent ? ", handler not run" : ""))" : "\(f.rawValue) invocation errors off"
        case .dynamoLatency(let t, let ms):
            var d = context.faults.dynamoDelayMillis ?? [:]
            d[t] = ms > 0 ? ms : nil
            context.faults.dynamoDelayMillis = d.isEmpty ? nil : d
            summary = ms > 0 ? "DynamoDB \(t.rawValue) +\(trim(ms)) ms a call" : "DynamoDB \(t.rawValue) latency normal"
        case .dynamoThrottle(let t, let r):
            var d = context.faults.dynamoThrottleRates ?? [:]
            d[t] = r > 0 ? r : nil
            context.faults.dynamoThrottleRates = d.isEmpty ? nil : d
            summary = r > 0 ? "DynamoDB \(t.rawValue) throttles \(trim(r * 100))% of requests" : "DynamoDB \(t.rawValue) throttling off"
        case .poisonMessage(let q):
            context.faults.poisonNext = (context.faults.poisonNext ?? []) + [q]
            summary = "the next message to \(q.rawValue) is poison"
        case .experiment(let signal):
            summary = try experimentSignal(signal)
        case .redrive(let q):
            let n = runtime.redrive(q)
            summary = "redrove \(n) message\(n == 1 ? "" : "s") from \(q.rawValue)"
        }
        control.record(ControlEventRow(at: now.nanos, source: source, commandID: commandID,
                                       command: command.name, args: command.args.encoded, summary: summary))
        context.pendingRows += 1
        return summary
    }

    /// The SDLC events of a deployment (Dynatrace's model): started, then finished once
    /// the new version serves. In the simulation both happen at the same instant.
    private func recordDeployment(_ service: FunctionName, _ r: Release, previous: String, source: String) {
        guard context.telemetry.enabled else { return }
        for status in ["started", "finished"] {
            context.telemetry.sdlcEvents.append(SdlcEventRow(
                at: now.nanos, eventType: "deployment", eventStatus: status, deploymentID: r.deploymentID,
                artifactName: service.deployedName, artifactVersion: r.version, revision: r.revision,
                previousVersion: previous, regression: r.regression?.rawValue, source: source))
            context.pendingRows += 1
        }
    }

    /// An experiment runner's start and end, an operator's abort. A runner gone for good
    /// (past its end by `ExperimentStatus.staleAfterNanos`) no longer holds the engine.
    private func experimentSignal(_ signal: ExperimentSignal) throws -> String {
        if let e = experiment, e.isStale(at: now.nanos) { experiment = nil }
        switch signal {
        case .start(let name, let endsAt):
            if let e = experiment { throw ControlCommand.ParseError("experiment \(e.name) is already running on this engine") }
            experiment = ExperimentStatus(name: name, startedAt: now.nanos, endsAt: endsAt)
            return "experiment \(name) started"
        case .abort:
            guard var e = experiment else { throw ControlCommand.ParseError("no experiment is running on this engine") }
            e.abortRequested = true
            experiment = e
            return "abort requested: experiment \(e.name)"
        case .end(let verdict):
            guard let e = experiment else { throw ControlCommand.ParseError("no experiment is running on this engine") }
            experiment = nil
            return "experiment \(e.name) ended: \(verdict.rawValue)"
        }
    }

    private func trim(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(format: "%.2f", v)
    }

    func applyTimeline(_ index: Int) {
        guard index < timeline.count else { return }
        timelinePending -= 1
        // A rejected action (say, a rollback with nothing to roll back to) is skipped.
        _ = try? apply(timeline[index].command, source: "scenario")
    }

    /// Takes pending `control_command` rows (oldest first), applies them and queues their
    /// acknowledgements for the next commit. Returns how many were taken.
    @discardableResult
    public func pollControlCommands() throws -> Int {
        let rows = try ControlQueue.pending(reader, after: control.lastTakenID)
        for row in rows {
            let id = row.id
            control.lastTakenID = id
            var status = "applied"
            var result: String
            do {
                let args = try JSONValue.parse(row.argsText)
                let command = try ControlCommand.parse(name: row.name, args: args)
                result = try apply(command, source: "control", commandID: id)
            } catch let e as ControlCommand.ParseError {
                status = "rejected"
                result = e.description
            } catch {
                status = "rejected"
                result = "args are not valid JSON"
            }
            control.acknowledge(ControlAck(id: id, status: status, appliedAt: now.nanos, result: result))
            context.pendingRows += 1
        }
        return rows.count
    }
}
