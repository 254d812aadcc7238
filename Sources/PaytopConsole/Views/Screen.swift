import PaytopStore
import PaytopVocabulary

/// A frame: the header, the current view, its footer of keys, and any overlay. A pure
/// function of state and data.
public enum Screen {
    public static func render(_ s: ConsoleState, _ d: ConsoleData, theme: Theme, glyphs: Glyphs) -> Buffer {
        var p = Painter(width: s.width, height: s.height, theme: theme, glyphs: glyphs)
        if s.width < Reducer.minimumWidth || s.height < Reducer.minimumHeight {
            let clip = p.buffer.area
            p.text(" paytop needs \(Reducer.minimumWidth)×\(Reducer.minimumHeight); this terminal is \(s.width)×\(s.height).", 0, 0, .warn, clip: clip)
            p.text(" Enlarge it, or press q to quit.", 0, 1, .text, clip: clip)
            return glyphs.asciiOnly ? p.buffer.asciified() : p.buffer
        }
        header(&p, s, d)
        let body = Rect(x: 0, y: 1, width: s.width, height: s.height - 2)
        switch s.view {
        case .overview: OverviewView.draw(&p, body, s, d)
        case .queues: QueuesView.draw(&p, body, s, d)
        case .payments: PaymentsView.draw(&p, body, s, d)
        case .trace: TraceView.draw(&p, body, s, d)
        case .slos: SloView.draw(&p, body, s, d)
        case .releases: ReleasesView.draw(&p, body, s, d)
        case .business: BusinessView.draw(&p, body, s, d)
        case .functions: FunctionsView.draw(&p, body, s, d)
        case .reconciliation: ReconciliationView.draw(&p, body, s, d)
        case .problems: ProblemsView.draw(&p, body, s, d)
        }
        if s.compare != nil { CompareView.draw(&p, body, s, d) }
        footer(&p, s)
        if s.showHelp { HelpOverlay.draw(&p, s) }
        return glyphs.asciiOnly ? p.buffer.asciified() : p.buffer
    }

    /// The header's badge while the file lags the engine's redo log by more than a few
    /// commits' worth (it is up to one commit, 250 ms, behind all the time), in tenths of
    /// a second so it does not flicker.
    static func storeBehindText(_ millis: Int64) -> String? {
        guard millis >= ConsoleLimits.storeBehindMillis else { return nil }
        return "STORE \(millis / 1000).\(millis % 1000 / 100) s BEHIND"
    }

    /// The experiment's badge: its name and the engine time left, or that it is stopping.
    static func experimentText(_ e: ExperimentStatus, at now: Int64) -> String {
        let name = Buffer.columns(e.name) > 32 ? e.name.fit(32) : e.name
        if e.abortRequested { return "EXPERIMENT \(name) ABORTING" }
        let left = e.endsAt - now
        return left > 0 ? "EXPERIMENT \(name) \(Format.age((left + 999_999_999) / 1_000_000_000)) LEFT" : "EXPERIMENT \(name) FINISHING"
    }

    static func header(_ p: inout Painter, _ s: ConsoleState, _ d: ConsoleData) {
        let snap = d.snapshot
        let row = Rect(x: 0, y: 0, width: s.width, height: 1)
        p.buffer.fill(row, style: p.theme[.header])
        let mode: String
        var x: Int
        if s.watchingReceived {
            // No engine: what arrived, up to when.
            mode = snap.receivers.isEmpty ? "received" : "receiving"
            x = p.buffer.put(" paytop  \(p.glyphs.dot) \(mode)  latest \(snap.at == 0 ? "—" : Format.clock(snap.at))  ",
                             x: 0, y: 0, style: p.theme[.header], clip: row)
        } else {
            if s.readOnly { mode = "read-only" } else if !snap.engineAlive { mode = "stopped" } else if snap.traffic.paused { mode = "paused" } else { mode = d.embedded ? "live" : "attached" }
            x = p.buffer.put(" paytop  \(p.glyphs.dot) \(mode) ×\(trimNumber(snap.speed))  engine \(Format.clock(snap.at))  ",
                             x: 0, y: 0, style: p.theme[.header], clip: row)
            x = p.buffer.put(snap.traffic.paused ? "traffic paused  " : "\(trimNumber(snap.traffic.ratePerSecond)) checkouts/s  ", x: x, y: 0, style: p.theme[.header], clip: row)
        }
        if snap.openProblems > 0 {
            x = p.buffer.put(" \(snap.openProblems) PROBLEM\(snap.openProblems == 1 ? "" : "S") ", x: x, y: 0, style: p.theme[.badge], clip: row)
            x += 1
        }
        if let e = snap.experiment, !s.watchingReceived {
            x = p.buffer.put(" \(experimentText(e, at: snap.at)) ", x: x, y: 0, style: p.theme[.badge], clip: row)
            if !e.abortRequested { x = p.buffer.put(" A abort ", x: x, y: 0, style: p.theme[.header], clip: row) } else { x += 1 }
        }
        for b in FaultBadge.active(snap.faults) {
            x = p.buffer.put(" \(b.label) ", x: x, y: 0, style: p.theme[.badge], clip: row)
            x += 1
        }
        if let rec = snap.reconciliation, rec.alerting {
            x = p.buffer.put(" RECON \(rec.openNeedingAPerson) OPEN ", x: x, y: 0, style: p.theme[.badge], clip: row)
            x += 1
        }
        if let v = snap.versions[.executor] { x = p.buffer.put(" executor \(v)", x: x, y: 0, style: p.theme[.header], clip: row) }
        if snap.storeBytes > 0 { x = p.buffer.put("  store \(Format.bytes(snap.storeBytes))", x: x, y: 0, style: p.theme[.header], clip: row) }
        if let behind = storeBehindText(d.storeBehindMillis) {
            x = p.buffer.put(" ", x: x, y: 0, style: p.theme[.header], clip: row)
            x = p.buffer.put(" \(behind) ", x: x, y: 0, style: p.theme[.badge], clip: row)
        }
        if let api = d.apiURL { x = p.buffer.put("  api \(api.replacingOccurrences(of: "http://", with: ""))", x: x, y: 0, style: p.theme[.header], clip: row) }
        if let source = d.source { x = p.buffer.put("  \(source)", x: x, y: 0, style: p.theme[.header], clip: row) }
        if let url = d.receiverURL { x = p.buffer.put("  otlp in \(url.replacingOccurrences(of: "http://", with: ""))", x: x, y: 0, style: p.theme[.header], clip: row) }
        for r in snap.receivers {
            // The receiver's health at a glance: items taken, and any refused in the badge colour.
            x = p.buffer.put("  \(Format.count(r.itemsAccepted)) received", x: x, y: 0, style: p.theme[.header], clip: row)
            if r.refused + r.rejected > 0 {
                x = p.buffer.put(" ", x: x, y: 0, style: p.theme[.header], clip: row)
                x = p.buffer.put(" \(Format.count(r.refused + r.rejected)) REFUSED ", x: x, y: 0, style: p.theme[.badge], clip: row)
            }
        }
        for e in snap.exports {
            // The exporter's health at a glance: items sent, and any dropped in the badge colour.
            x = p.buffer.put("  otlp \(Format.count(e.itemsExported)) sent", x: x, y: 0, style: p.theme[.header], clip: row)
            if e.dropped > 0 {
                x = p.buffer.put(" ", x: x, y: 0, style: p.theme[.header], clip: row)
                x = p.buffer.put(" \(Format.count(e.dropped)) DROPPED ", x: x, y: 0, style: p.theme[.badge], clip: row)
            }
        }
        let right = "? help  q quit "
        if x + Buffer.columns(right) + 1 < s.width {
            p.buffer.put(right, x: s.width - Buffer.columns(right), y: 0, style: p.theme[.header], clip: row)
        }
    }

    static func footer(_ p: inout Painter, _ s: ConsoleState) {
        let y = s.height - 1
        let row = Rect(x: 0, y: y, width: s.width, height: 1)
        p.buffer.fill(row, style: p.theme[.footer])
        if let prompt = s.prompt {
            let label: String
            switch prompt.kind {
            case .command: label = ":"
            case .checkout: label = "checkout_id (Tab completes): "
            case .filter: label = "filter: "
            case .spanSearch: label = "find span: "
            }
            let x = p.buffer.put(label, x: 0, y: y, style: p.theme[.footerKey], clip: row)
            let end = p.buffer.put(prompt.text, x: x, y: y, style: p.theme[.footer], clip: row)
            p.buffer.put("▏", x: end, y: y, style: p.theme[.footerKey], clip: row)
            return
        }
        if let status = s.status {
            p.buffer.put(" " + status.text, x: 0, y: y, style: status.isError ? p.theme[.bad] : p.theme[.ok], clip: row)
            return
        }
        var x = 0
        if s.compare != nil || s.focusedChart != nil {
            // The chart's and the compare pane's keys replace the view's.
            let keys = s.compare != nil ? [("j/k", "move"), ("Enter", "the value's checkouts"), ("Esc", "close")]
                : [("← →", "cursor"), ("PgUp PgDn g G", "jump"), ("Enter", "bucket's checkouts"), ("v … v", "compare a range"),
                   ("Tab", "next pane"), ("Esc", s.rangeMark != nil ? "drop the mark" : "drop the cursor")]
            x = p.buffer.put(" \(s.compare != nil ? "compare" : s.focusedChart!.name) ", x: x, y: y, style: p.theme[.footerKey], clip: row)
            for (key, label) in keys {
                x = p.buffer.put("│ ", x: x, y: y, style: p.theme[.footer], clip: row)
                x = p.buffer.put(key, x: x, y: y, style: p.theme[.footerKey], clip: row)
                x = p.buffer.put(" " + label + " ", x: x, y: y, style: p.theme[.footer], clip: row)
            }
            return
        }
        var tabs = ""
        for v in ViewID.allCases { tabs += "\(v.key) \(v.title) " }
        x = p.buffer.put(" " + tabs, x: x, y: y, style: p.theme[.footer], clip: row)
        for (key, label) in keys(s.view) {
            x = p.buffer.put("│ ", x: x, y: y, style: p.theme[.footer], clip: row)
            x = p.buffer.put(key, x: x, y: y, style: p.theme[.footerKey], clip: row)
            x = p.buffer.put(" " + label + " ", x: x, y: y, style: p.theme[.footer], clip: row)
        }
    }

    /// The keys that work in each view (the footer and the help list).
    static func keys(_ v: ViewID) -> [(String, String)] {
        let faults = [("o", "outage"), ("s", "slow"), ("d", "declines"), ("x", "clear")]
        switch v {
        case .overview: return faults + [("t", "trace"), ("Tab", "panes · charts"), (":", "command")]
        case .queues: return [("j/k", "move"), ("Tab", "table · charts"), ("r", "redrive"), ("Enter", "trace")] + faults.prefix(1)
        case .payments: return [("j/k", "move"), ("/", "filter"), ("Enter", "trace"), (":sort", "amount|state")]
        case .trace: return [("j/k", "move"), ("h/l", "fold"), ("E/C", "expand/collapse all"), ("/ n N", "find"), ("t", "another")]
        case .slos: return [("j/k", "move"), ("Enter", "bad events"), ("Tab", "alerts · codes · charts")] + faults
        case .releases: return [("B", "bad deploy"), ("U", "roll back"), ("j/k", "move"), ("Tab", "charts")]
        case .reconciliation: return [("j/k", "move"), ("Tab", "table"), ("Enter", "trace"), ("c", "reconcile"), ("R", "drift")]
        case .business: return [("j/k", "move"), ("O", "sort"), ("Enter", "checkouts"), ("Tab", "funnel · stages · codes · charts"), ("[ ]", "range")]
        case .functions: return [("j/k", "move"), ("Enter", "longest work"), ("c", "cold starts"), ("Tab", "charts"), ("[ ]", "range")] + faults
        case .problems: return [("j/k", "move"), ("Tab", "exemplars"), ("Enter", "trace"), ("c", "checkouts")] + faults.prefix(1)
        }
    }

    static func trimNumber(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e12 ? String(Int64(v)) : String(format: "%.1f", v)
    }
}

/// Every key, for `?`.
enum HelpOverlay {
    static let lines: [(String, String)] = [
        ("1–9 0", "views: Overview, Queues, Payments, Trace, SLOs, Releases, Business, Functions, Reconciliation, Problems"), ("Tab / Shift-Tab", "next / previous pane"),
        ("j k ↑ ↓ PgUp PgDn g G", "move"), ("Enter", "open (payment, dead letter or exemplar → trace; span → fold)"),
        ("h l ← →", "fold / unfold a span (Trace); E / C expand / collapse every span"),
        ("/ n N", "payments: filter · trace: find a span by name, service or error; next / previous match"), ("t", "trace a checkout_id (Tab completes)"),
        (":", "command: trace ID · fault psp-outage|psp-latency|psp-declines on|off · fault KIND key=value … (docs/control.md)"),
        ("", "fault clear · theme dark|light|high-contrast|monochrome · sort newest|amount|state · quit"),
        ("", "rate N · speed X · deploy SERVICE VERSION [--regression latency|errors] · rollback SERVICE"),
        ("", "redrive execution-dlq|results-dlq · reconcile · fault settlement-drift on|off"),
        ("o / s / d", "PSP outage / slow PSP / card-decline surge on·off"), ("x", "clear every fault"),
        ("A", "abort the experiment running against the engine (its runner rolls back; docs/experiments.md)"),
        ("Space", "pause / resume traffic"), ("+ / -", "traffic rate ×1.5 / ÷1.5"),
        ("B / U", "deploy a bad executor release / roll it back"), ("r", "redrive the selected dead-letter queue"),
        ("R / c", "settlement drift on·off / reconcile now (view 9)"),
        ("[ / ]", "time range of charts and figures: 5m · 1h · 6h · 1d · all (also :range)"),
        ("O", "sort merchants: orders · settled · failed · error % · id · revenue per currency (view 7)"),
        ("Enter / c", "a merchant's whole history (view 7) / a problem's affected checkouts (view 0), in view 3; Esc back"),
        ("Tab to a chart", "← → time cursor (PgUp PgDn g G jump) · Enter the checkouts behind its bucket · v … v compare a range"),
        ("Enter on a list", "funnel step, lost stage, error code (7) · SLO, alert (5) · function, c its cold starts (8): the checkouts behind it"),
        ("Esc", "close this, a prompt or a message"), ("q", "quit"),
    ]

    static func draw(_ p: inout Painter, _ s: ConsoleState) {
        let w = min(s.width - 4, 118), h = min(s.height - 2, lines.count + 2)
        let r = Rect(x: (s.width - w) / 2, y: (s.height - h) / 2, width: w, height: h)
        p.buffer.fill(r, style: p.theme[.text])
        let inner = p.box(r, title: "keys · Esc closes", focused: true)
        for (i, (k, v)) in lines.prefix(inner.height).enumerated() {
            let x = p.text(k.fit(22), inner.x + 1, inner.y + i, .accent, clip: inner)
            p.text(v, x + 1, inner.y + i, .text, clip: inner)
        }
    }
}
