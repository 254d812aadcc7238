import Foundation
import PaytopJSON
import PaytopStore
import PaytopVocabulary

/// An experiment file (sample-data/experiments/*.toml; docs/experiments.md): settings as a
/// scenario's, a steady-state hypothesis checked before the method, every interval during
/// it and after it; the method's control commands (each undone after its duration); stop
/// conditions that abort it; and rollbacks, run on abort and at the end.
public struct Experiment: Sendable {
    public struct Check: Sendable, Equatable {
        public var name: String
        public var probe: Probe
        public var tolerance: Tolerance
    }

    public struct Action: Sendable, Equatable {
        public var at: Nanos
        /// Undone this long after it (nil: stays).
        public var duration: Nanos?
        public var command: ControlCommand
    }

    public struct StopCondition: Sendable, Equatable {
        public var name: String
        public var probe: Probe
        /// Breached when the value is above `above` or below `below`.
        public var above: Double?
        public var below: Double?

        public func breached(_ v: Double?) -> Bool {
            guard let v else { return false }
            return (above.map { v > $0 } ?? false) || (below.map { v < $0 } ?? false)
        }

        public var text: String {
            [above.map { "above \(Probe.format($0))" }, below.map { "below \(Probe.format($0))" }].compactMap { $0 }.joined(separator: " or ")
        }
    }

    public var name: String
    public var description: String
    public var scenario: Scenario
    public var hypothesisTitle: String
    public var hypothesis: [Check]
    /// The after check comes this long after the method's last action ends.
    public var after: Nanos
    /// How often the hypothesis is checked during the method and the stop conditions throughout.
    public var interval: Nanos
    public var method: [Action]
    public var stopConditions: [StopCondition]
    public var rollbacks: [ControlCommand]
    /// The verdict the file says it gives (the library's, checked by its tests); the run
    /// does not read it.
    public var expectedVerdict: ExperimentReport.Verdict?

    /// When the method starts (its first action) and ends (its last action, or undo).
    public var methodStart: Nanos { method.map(\.at).min() ?? 0 }
    public var methodEnd: Nanos { method.map { $0.at + ($0.duration ?? 0) }.max() ?? 0 }
    /// The after check: `after` past the method's end. The hypothesis is checked "during"
    /// at every interval before it.
    public var end: Nanos { methodEnd + after }

    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    public static func load(path: String) throws -> Experiment {
        do {
            return try parse(try TOMLDocument.text(path: path))
        } catch TOMLDocument.Failure.unreadable {
            throw LoadError(description: "\(path): cannot read the file")
        } catch TOMLDocument.Failure.notUTF8 {
            throw LoadError(description: "\(path): not UTF-8 text")
        } catch let e as LoadError {
            throw LoadError(description: "\(path): \(e.description)")
        }
    }

    public static func parse(_ text: String) throws -> Experiment {
        let root: JSONValue
        do {
            root = try TOMLDocument.json(text)
        } catch TOMLDocument.Failure.syntax(let why) {
            throw LoadError(description: why)
        }
        guard case .object(let o) = root else { throw LoadError(description: "not a table") }
        let top = ["name", "description", "expected_verdict", "settings", "hypothesis", "method", "stop_condition", "rollback", "interval"]
        for k in o.keys where !top.contains(k) {
            throw LoadError(description: "unknown key \"\(k)\" (expected \(top.joined(separator: ", ")))")
        }
        guard let name = o["name"]?.stringValue, !name.isEmpty else { throw LoadError(description: "name: missing (name = \"...\")") }
        var settingsOnly: [String: JSONValue] = ["name": .string(name)]
        if let s = o["settings"] { settingsOnly["settings"] = s }
        let scenario: Scenario
        do {
            scenario = try Scenario.parse(root: .object(settingsOnly))
        } catch let e as Scenario.LoadError {
            throw LoadError(description: e.description)
        }
        // The hypothesis.
        guard case .object(var h)? = o["hypothesis"] else { throw LoadError(description: "hypothesis: missing ([hypothesis] with a title and probes)") }
        let title = h.removeValue(forKey: "title")?.stringValue ?? ""
        var after = Span.minutes(5)
        if let a = h.removeValue(forKey: "after") {
            guard let n = Scenario.parseDuration(a) else { throw LoadError(description: "hypothesis.after: must be a duration such as \"5m\"") }
            after = n
        }
        guard case .array(let probes)? = h.removeValue(forKey: "probe"), !probes.isEmpty else {
            throw LoadError(description: "hypothesis.probe: at least one [[hypothesis.probe]] is needed")
        }
        for k in h.keys { throw LoadError(description: "hypothesis: unknown key \"\(k)\" (expected title, after, probe)") }
        let checks = try probes.enumerated().map { i, p -> Check in
            let at = "hypothesis.probe[\(i)]"
            guard case .object(var f) = p else { throw LoadError(description: "\(at): not a table") }
            let probe = try parseProbe(&f, at)
            guard case .object(let t)? = f.removeValue(forKey: "tolerance") else {
                throw LoadError(description: "\(at).tolerance: missing (tolerance = { max = … } or { min = … })")
            }
            for k in t.keys where !["min", "max"].contains(k) { throw LoadError(description: "\(at).tolerance: unknown key \"\(k)\" (expected min, max)") }
            let tol = Tolerance(min: try number(t["min"], "\(at).tolerance.min"), max: try number(t["max"], "\(at).tolerance.max"))
            guard tol.min != nil || tol.max != nil else { throw LoadError(description: "\(at).tolerance: give min, max or both") }
            let name = f.removeValue(forKey: "name")?.stringValue ?? probe.subject
            for k in f.keys { throw LoadError(description: "\(at): unknown key \"\(k)\"") }
            return Check(name: name, probe: probe, tolerance: tol)
        }
        // The method.
        guard case .array(let actions)? = o["method"], !actions.isEmpty else {
            throw LoadError(description: "method: at least one [[method]] action is needed")
        }
        let method = try actions.enumerated().map { i, a -> Action in
            let at = "method[\(i)]"
            guard case .object(var f) = a else { throw LoadError(description: "\(at): not a table") }
            guard let when = f.removeValue(forKey: "at").flatMap(Scenario.parseDuration) else {
                throw LoadError(description: "\(at).at: missing or not a duration such as \"2m\"")
            }
            var duration: Nanos?
            if let d = f.removeValue(forKey: "duration") {
                guard let n = Scenario.parseDuration(d), n > 0 else { throw LoadError(description: "\(at).duration: must be a duration such as \"10m\"") }
                duration = n
            }
            let command = try parseCommand(&f, at)
            if duration != nil && ExperimentRunner.undo(command, faults: FaultState(), rate: 1) == nil {
                throw LoadError(description: "\(at).duration: a \(command.name) cannot be undone; leave the duration out")
            }
            return Action(at: when, duration: duration, command: command)
        }.sorted { $0.at < $1.at }
        // Stop conditions and rollbacks.
        var stops: [StopCondition] = []
        if let v = o["stop_condition"] {
            guard case .array(let list) = v else { throw LoadError(description: "stop_condition: must be [[stop_condition]] tables") }
            stops = try list.enumerated().map { i, s in
                let at = "stop_condition[\(i)]"
                guard case .object(var f) = s else { throw LoadError(description: "\(at): not a table") }
                let probe = try parseProbe(&f, at)
                let above = try number(f.removeValue(forKey: "above"), "\(at).above")
                let below = try number(f.removeValue(forKey: "below"), "\(at).below")
                guard above != nil || below != nil else { throw LoadError(description: "\(at): give above, below or both") }
                let name = f.removeValue(forKey: "name")?.stringValue ?? probe.subject
                for k in f.keys { throw LoadError(description: "\(at): unknown key \"\(k)\"") }
                return StopCondition(name: name, probe: probe, above: above, below: below)
            }
        }
        var rollbacks: [ControlCommand] = []
        if let v = o["rollback"] {
            guard case .array(let list) = v else { throw LoadError(description: "rollback: must be [[rollback]] tables") }
            rollbacks = try list.enumerated().map { i, r in
                guard case .object(var f) = r else { throw LoadError(description: "rollback[\(i)]: not a table") }
                return try parseCommand(&f, "rollback[\(i)]")
            }
        }
        var interval = Span.minutes(1)
        if let v = o["interval"] {
            guard let n = Scenario.parseDuration(v), n >= Span.seconds(Int64(10)) else {
                throw LoadError(description: "interval: must be a duration of 10s or more")
            }
            interval = n
        }
        var expected: ExperimentReport.Verdict?
        if let v = o["expected_verdict"] {
            guard let verdict = v.stringValue.flatMap(ExperimentReport.Verdict.init(rawValue:)) else {
                throw LoadError(description: "expected_verdict: one of completed, deviated, aborted, failed")
            }
            expected = verdict
        }
        let e = Experiment(name: name, description: o["description"]?.stringValue ?? "", scenario: scenario, hypothesisTitle: title,
                           hypothesis: checks, after: after, interval: interval, method: method, stopConditions: stops, rollbacks: rollbacks,
                           expectedVerdict: expected)
        guard e.methodStart >= Span.minutes(1) else {
            throw LoadError(description: "method: the first action must come at 1m or later (the hypothesis is checked before it)")
        }
        return e
    }

    static func number(_ v: JSONValue?, _ at: String) throws -> Double? {
        guard let v else { return nil }
        guard let n = v.numberValue, n.isFinite else { throw LoadError(description: "\(at): must be a number") }
        return n
    }

    /// A control command from a table's `command` and the rest of its keys (as a scenario's timeline).
    static func parseCommand(_ f: inout [String: JSONValue], _ at: String) throws -> ControlCommand {
        guard let name = f.removeValue(forKey: "command")?.stringValue else { throw LoadError(description: "\(at).command: missing") }
        // A fault switched on by naming it, as a scenario's "on = true" says.
        if name == "fault", f["on"] == nil, f["kind"]?.stringValue != "clear", f["kind"]?.stringValue != "function-errors" { f["on"] = .bool(true) }
        do {
            return try ControlCommand.parse(name: name, args: .object(f))
        } catch let e as ControlCommand.ParseError {
            throw LoadError(description: "\(at): \(e.description)")
        }
    }

    /// A probe from a table's `probe` and its subject's keys; they are removed from `f`.
    static func parseProbe(_ f: inout [String: JSONValue], _ at: String) throws -> Probe {
        guard let kindName = f.removeValue(forKey: "probe")?.stringValue else { throw LoadError(description: "\(at).probe: missing") }
        guard let kind = Probe.Kind(rawValue: kindName) else {
            throw LoadError(description: "\(at).probe: \"\(kindName)\" is not a probe kind (\(Probe.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        var p = Probe(kind: kind)
        for k in ["slo", "queue", "function", "window"] where !kind.keys.contains(k) && f[k] != nil {
            throw LoadError(description: "\(at).\(k): \(kind.rawValue) takes \(kind.keys.isEmpty ? "no subject" : kind.keys.joined(separator: ", "))")
        }
        if kind.keys.contains("slo") {
            guard let s = f.removeValue(forKey: "slo")?.stringValue, let slo = SloName(rawValue: s) else {
                throw LoadError(description: "\(at).slo: one of \(SloName.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            p.slo = slo
        }
        if kind.keys.contains("queue") {
            guard let s = f.removeValue(forKey: "queue")?.stringValue, let q = QueueName(rawValue: s) else {
                throw LoadError(description: "\(at).queue: one of \(QueueName.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            p.queue = q
        }
        if kind.keys.contains("function") {
            guard let s = f.removeValue(forKey: "function")?.stringValue, let fn = FunctionName(rawValue: s) else {
                throw LoadError(description: "\(at).function: one of \(FunctionName.pipelineOrder.map(\.rawValue).joined(separator: ", "))")
            }
            p.function = fn
        }
        if kind.keys.contains("window") {
            let text = f.removeValue(forKey: "window")?.stringValue ?? "5m"
            guard let n = DurationText.nanos(text), n >= Span.minutes(1) else {
                throw LoadError(description: "\(at).window: a duration of a minute or more such as \"5m\"")
            }
            if p.slo != nil, !SloReport.burnWindows.contains(where: { $0.0 == text }) {
                throw LoadError(description: "\(at).window: an SLO's window is one of \(SloReport.burnWindows.map(\.0).joined(separator: ", "))")
            }
            p.window = n
            p.windowText = text
        }
        return p
    }
}
