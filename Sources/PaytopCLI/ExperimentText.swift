import PaytopEngine
import PaytopJSON
import PaytopStore
import PaytopVocabulary

/// An experiment report as text, Markdown or the JSON of docs/experiments.md.
enum ExperimentText {
    static func clock(_ t: Int64) -> String { ISO8601.time(nanos: t) }

    static func value(_ v: Double?) -> String {
        guard let v else { return "no data" }
        return v == v.rounded() && abs(v) < 1e12 ? String(Int64(v)) : String(format: "%.3g", v)
    }

    static func commandText(_ c: ControlCommand) -> String {
        let args = c.args.objectValue ?? [:]
        let parts = args.keys.sorted().map { k -> String in
            let v = args[k]!
            return "\(k)=\(v.stringValue ?? v.encoded)"
        }
        return ([c.name] + parts).joined(separator: " ")
    }

    static func reading(_ r: ExperimentReport.Reading?) -> String {
        guard let r else { return "—" }
        return value(r.value) + (r.ok ? "" : " ✗")
    }

    static func money(_ m: [String: Money]) -> String {
        m.isEmpty ? "none" : m.keys.sorted().map { "\($0) \(m[$0]!)" }.joined(separator: " · ")
    }

    static func text(_ r: ExperimentReport, _ e: Experiment, markdown: Bool) -> String {
        var out = ""
        func line(_ s: String = "") { out += s + "\n" }
        let h = markdown ? "## " : ""
        line("\(h)experiment \(inert(r.name)) · \(r.seed.map { "seed \($0)" } ?? "live") · verdict: \(r.verdict.rawValue.uppercased())")
        for l in e.description.split(separator: "\n") { line(inert(String(l))) }
        line("hypothesis: \(inert(e.hypothesisTitle)) (checked at \(clock(r.startedAt + e.methodStart)), every \(WaterfallText.duration(e.interval)) during the method, at \(clock(r.startedAt + e.end)) after it)")
        line()
        line(markdown ? "\(h)timeline" : "timeline")
        if markdown { line("| at | source | command | summary |"); line("| --- | --- | --- | --- |") }
        var stopShown = false
        func stopLine() {
            guard let stop = r.stopped, !stopShown else { return }
            stopShown = true
            let v = stop.value == nil ? "" : " (value \(value(stop.value)))"
            line(markdown ? "| \(clock(stop.at)) | stop | | \(inert(stop.condition))\(v) |"
                 : "  \(clock(stop.at))  stop     \(inert(stop.condition))\(v)")
        }
        for s in r.timeline {
            // The stop comes before the rollbacks it set off.
            if s.source == .rollback { stopLine() }
            line(markdown ? "| \(clock(s.at)) | \(s.source.rawValue) | `\(commandText(s.command))` | \(s.summary) |"
                 : "  \(clock(s.at))  \(WaterfallText.pad(s.source.rawValue, 9))\(WaterfallText.pad(commandText(s.command), 44)) \(s.summary)")
        }
        stopLine()
        line()
        line(markdown ? "\(h)probes" : "probes")
        if markdown { line("| probe | tolerance | before | during | after |"); line("| --- | --- | --- | --- | --- |") }
        for p in r.probes {
            let during = p.during.isEmpty ? "—" : p.during.map(reading).joined(separator: " ")
            if markdown {
                line("| \(inert(p.check.name)) (`\(p.check.probe.subject)`) | \(p.check.tolerance.text) | \(reading(p.before)) | \(during) | \(reading(p.after)) |")
            } else {
                line("  \(inert(p.check.name)) · \(p.check.probe.subject) · tolerance \(p.check.tolerance.text)")
                line("    before \(reading(p.before)) · during \(during) · after \(reading(p.after))")
            }
        }
        line()
        let i = r.impact
        line("\(markdown ? "**impact**" : "impact"): \(i.checkouts) checkouts affected (\(i.failed) failed, \(i.delayed) delayed), \(i.merchants) merchants; lost \(money(i.lost)); at risk \(money(i.atRisk)); budget burned "
             + (i.budgetBurned.isEmpty ? "none" : i.budgetBurned.keys.sorted().map { "\($0) \(i.budgetBurned[$0]!) %" }.joined(separator: " · ")))
        if let d = r.detected {
            line("\(markdown ? "**detected**" : "detected"): problem #\(d.problemID) \"\(inert(d.title))\" opened \(WaterfallText.duration(d.after)) after the method started; first cause: \(inert(d.topCause ?? "none ranked"))")
        } else {
            line("\(markdown ? "**detected**" : "detected"): no problem opened after the method started")
        }
        return out
    }

    static func json(_ r: ExperimentReport, _ e: Experiment) -> JSONValue {
        func reading(_ x: ExperimentReport.Reading?) -> JSONValue {
            guard let x else { return .null }
            return ["at": .string(ISO8601.format(nanos: x.at)), "value": x.value.map(JSONValue.number) ?? .null, "ok": .bool(x.ok)]
        }
        func tolerance(_ t: Tolerance) -> JSONValue {
            var o: [String: JSONValue] = [:]
            if let m = t.min { o["min"] = .number(m) }
            if let m = t.max { o["max"] = .number(m) }
            return .object(o)
        }
        func money(_ m: [String: Money]) -> JSONValue { .object(m.mapValues { .string($0.description) }) }
        let i = r.impact
        var o: [String: JSONValue] = [
            "name": .string(r.name), "verdict": .string(r.verdict.rawValue), "seed": r.seed.map { .number(Double($0)) } ?? .null, "live": .bool(r.seed == nil),
            "started_at": .string(ISO8601.format(nanos: r.startedAt)), "ended_at": .string(ISO8601.format(nanos: r.endedAt)),
            "hypothesis": .string(e.hypothesisTitle),
            "probes": .array(r.probes.map { p in
                ["name": .string(p.check.name), "probe": .string(p.check.probe.subject), "kind": .string(p.check.probe.kind.rawValue),
                 "unit": .string(p.check.probe.kind.unit), "tolerance": tolerance(p.check.tolerance),
                 "before": reading(p.before), "during": .array(p.during.map { reading($0) }), "after": reading(p.after)]
            }),
            "timeline": .array(r.timeline.map { s in
                ["at": .string(ISO8601.format(nanos: s.at)), "source": .string(s.source.rawValue), "command": .string(s.command.name),
                 "args": s.command.args, "summary": .string(s.summary)]
            }),
            "impact": ["checkouts": .number(Double(i.checkouts)), "failed": .number(Double(i.failed)), "delayed": .number(Double(i.delayed)),
                       "merchants": .number(Double(i.merchants)), "lost": money(i.lost), "at_risk": money(i.atRisk),
                       "budget_burned_pct": .object(i.budgetBurned.mapValues { .number($0) })],
        ]
        o["stopped"] = r.stopped.map { s in
            ["at": .string(ISO8601.format(nanos: s.at)), "condition": .string(s.condition), "value": s.value.map(JSONValue.number) ?? .null]
        } ?? .null
        o["detected"] = r.detected.map { d in
            ["problem_id": .number(Double(d.problemID)), "title": .string(d.title), "opened_at": .string(ISO8601.format(nanos: d.openedAt)),
             "after_ms": .number(Double(d.after / 1_000_000)), "top_cause": d.topCause.map(JSONValue.string) ?? .null]
        } ?? .null
        return .object(o)
    }
}
