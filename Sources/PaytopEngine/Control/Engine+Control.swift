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
            faults.pspOutage = on
            summary = "PSP outage \(on ? "on" : "off")"
        case .pspLatency(let on, let factor):
            faults.pspLatencyFactor = on ? factor : 1
            summary = on ? "PSP latency ×\(trim(factor))" : "PSP latency normal"
        case .pspDeclines(let on, let rate, let code):
            faults.pspDeclineRate = on ? rate : 0
            faults.pspDeclineCode = code
            summary = on ? "PSP declines \(trim(rate * 100))% \(code)" : "PSP declines off"
        case .functionErrors(let f, let rate):
            faults.functionErrorRates[f] = rate > 0 ? rate : nil
            summary = "\(f.rawValue) error rate \(trim(rate * 100))%"
        case .clearFaults:
            faults = FaultState()
            summary = "all faults cleared"
        case .rate(let r):
            traffic.ratePerSecond = r
            rescheduleArrival()
            summary = "traffic \(trim(r)) checkouts/s"
        case .pause:
            traffic.paused = true
            summary = "traffic paused"
        case .resume:
            traffic.paused = false
            scheduleArrivalIfNeeded()
            summary = "traffic resumed"
        case .speed(let s):
            guard mode == .live else { throw ControlCommand.ParseError("speed applies to live engines only") }
            speed = s
            summary = "speed ×\(trim(s))"
        case .deploy(let service, let version, let regression):
            let release = Release(version: version, regression: regression, deploymentID: "deploy-" + random.hex(8),
                                  revision: random.hex(40), deployedAt: now.nanos)
            let previous = currentRelease(service).version
            releases[service, default: []].append(release)
            recordDeployment(service, release, previous: previous, source: source)
            summary = "deployed \(service.rawValue) \(version)" + (regression.map { " (regression: \($0.rawValue))" } ?? "")
        case .rollback(let service):
            guard var history = releases[service], history.count > 1 else {
                throw ControlCommand.ParseError("rollback: \(service.rawValue) has no earlier release to return to")
            }
            let from = history.removeLast()
            releases[service] = history
            // A rollback is a deployment of the previous artifact, with a deployment id of its own.
            var back = history.last!
            back.deploymentID = "deploy-" + random.hex(8)
            recordDeployment(service, back, previous: from.version, source: source)
            summary = "rolled back \(service.rawValue) \(from.version) → \(history.last!.version)"
        case .redrive(let q):
            let n = redrive(q)
            summary = "redrove \(n) message\(n == 1 ? "" : "s") from \(q.rawValue)"
        }
        newControlEvents.append(ControlEventRow(at: now.nanos, source: source, commandID: commandID,
                                                command: command.name, args: command.args.encoded, summary: summary))
        pendingRows += 1
        return summary
    }

    /// The SDLC events of a deployment (Dynatrace's model): started, then finished once
    /// the new version serves. In the simulation both happen at the same instant.
    private func recordDeployment(_ service: FunctionName, _ r: Release, previous: String, source: String) {
        guard telemetry.enabled else { return }
        for status in ["started", "finished"] {
            telemetry.sdlcEvents.append(SdlcEventRow(
                at: now.nanos, eventType: "deployment", eventStatus: status, deploymentID: r.deploymentID,
                artifactName: service.deployedName, artifactVersion: r.version, revision: r.revision,
                previousVersion: previous, regression: r.regression?.rawValue, source: source))
            pendingRows += 1
        }
    }

    private func trim(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(format: "%.2f", v)
    }

    /// A new rate takes effect from now, not after the gap drawn at the old rate.
    private func rescheduleArrival() {
        arrivalGeneration += 1
        arrivalScheduled = false
        scheduleArrivalIfNeeded()
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
        let rows = try ControlQueue.pending(reader, after: lastControlCommandID)
        for row in rows {
            let id = row.id
            lastControlCommandID = id
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
            newControlAcks.append(ControlAck(id: id, status: status, appliedAt: now.nanos, result: result))
            pendingRows += 1
        }
        return rows.count
    }
}
