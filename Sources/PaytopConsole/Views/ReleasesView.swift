import PaytopStore
import PaytopVocabulary

/// Deployments per service on a time line, with error rate and latency by version before
/// and after, and the suspect release.
enum ReleasesView {
    static func draw(_ p: inout Painter, _ r: Rect, _ s: ConsoleState, _ d: ConsoleData) {
        let deployments = d.snapshot.releases
        let suspect = deployments.last { $0.suspect }
        let b = p.box(r, title: "Releases" + (suspect.map { " · suspect: \($0.service) \($0.version)" } ?? ""), focused: true)
        var y = b.y
        var x = p.text("current  ", b.x + 1, y, .muted, clip: b)
        for f in FunctionName.pipelineOrder {
            x = p.text("\(f) \(d.snapshot.versions[f] ?? "?")   ", x, y, .text, clip: b)
        }
        y += 2
        guard !deployments.isEmpty else {
            p.text("no deployments yet · B deploys a bad executor release, U rolls it back", b.x + 1, y, .muted, clip: b)
            return
        }
        let table = Table([
            .init("deployed at", width: 12), .init("service", width: 13), .init("version", width: 20),
            .init("errors before → after", width: 26), .init("p95 before → after", width: 26), .init("deployment", width: 0),
        ])
        let rows = deployments.map { dep in
            Table.Row([
                .init(Format.clock(dep.at)), .init(dep.service.rawValue),
                .init((dep.previousVersion.map { $0 + " → " } ?? "") + dep.version),
                .init(dep.before.errorRateText + " → " + dep.after.errorRateText),
                .init(dep.before.p95Text + " → " + dep.after.p95Text),
                .init(dep.deploymentID + (dep.suspect ? "  ◀ SUSPECT" : "")),
            ], role: dep.suspect ? .bad : .text)
        }
        // Tall terminals: each function's errors and p95 over the range, every deploy and
        // rollback marked on the time axis (tile 15, errors over releases).
        let tableHeight = min(b.maxY - y, rows.count + 2)
        table.draw(&p, Rect(x: b.x, y: y, width: b.width, height: tableHeight), rows: rows, selected: s.selected(.releases))
        let charts = Rect(x: b.x, y: y + tableHeight, width: b.width, height: b.maxY - y - tableHeight)
        guard charts.height >= 20, d.snapshot.series != nil else { return }
        let (errors, latency) = charts.splitRows(charts.height / 2)
        ChartPane.draw(&p, errors, .functionErrors, title: "Errors per function · \(s.timeRange.label)", s, d, listMarks: false)
        ChartPane.draw(&p, latency, .functionP95, title: "Duration p95 per function", s, d)
    }
}
