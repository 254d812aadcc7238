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
        p.text("deployed at".fit(12) + "service".fit(13) + "version".fit(20) + "errors before → after".fit(26) + "p95 before → after".fit(26) + "deployment",
               b.x + 1, y, .muted, clip: b)
        y += 1
        for (i, dep) in deployments.enumerated() where y < b.maxY {
            let selected = s.selected(.releases) == i
            if selected { p.buffer.fill(Rect(x: b.x, y: y, width: b.width, height: 1), style: p.theme[.selection]) }
            let role: Theme.Role = selected ? .selection : (dep.suspect ? .bad : .text)
            var x = p.text(Format.clock(dep.at).fit(12), b.x + 1, y, role, clip: b)
            x = p.text(dep.service.rawValue.fit(13), x, y, role, clip: b)
            x = p.text(((dep.previousVersion.map { $0 + " → " } ?? "") + dep.version).fit(20), x, y, role, clip: b)
            x = p.text(String(format: "%.1f%% → %.1f%%", dep.before.errorRate * 100, dep.after.errorRate * 100).fit(26), x, y, role, clip: b)
            x = p.text(String(format: "%.0f ms → %.0f ms", dep.before.p95Millis, dep.after.p95Millis).fit(26), x, y, role, clip: b)
            p.text(dep.deploymentID + (dep.suspect ? "  ◀ SUSPECT" : ""), x, y, role, clip: b)
            y += 1
        }
    }
}
