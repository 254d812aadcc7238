import ArgumentParser
import Foundation
import PaytopEngine
import PaytopExport
import PaytopStore
import PaytopVocabulary

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the live engine headless on a store until Ctrl-C or --duration.",
        discussion: """
            Engine time follows the wall clock × --speed. A new store starts at the current time; an existing \
            store resumes where it stopped: in-flight checkouts and queue messages continue, nothing is credited \
            twice. Operator commands (paytop fault, deploy, rate, ...) written to the same store apply within \
            250 ms. Ctrl-C or SIGTERM commits everything and exits 130 or 143.
            """
    )

    @OptionGroup var store: StoreOptions

    @OptionGroup var engineOptions: LiveEngineOptions
    @OptionGroup var otlp: OTLPOptions

    @Option(help: ArgumentHelp("Stop after this many wall-clock seconds.", valueName: "seconds"))
    var duration: Double?

    func validate() throws {
        if let duration, !(duration > 0) { throw ValidationError("--duration must be a positive number of seconds") }
    }

    func run() throws {
        let exporter = try otlp.makeExporter(storePath: store.path)
        let engine = try engineOptions.makeEngine(path: store.path, exporter: exporter) { printError("paytop: " + $0) }
        StopSignals.install()
        defer { finishExport(exporter) }
        try RunCommand.runLive(engine, inbox: nil, storePath: store.path, duration: duration)
    }

    /// Runs a live engine on this thread until a signal or `duration`, with a status line
    /// on stderr every 5 s (`paytop run`, `paytop serve`).
    static func runLive(_ engine: Engine, inbox: EngineInbox?, storePath: String, duration: Double?) throws {
        printError("paytop: live engine on \(storePath) · ×\(trim(engine.speed)) · \(trim(engine.traffic.ratePerSecond)) checkouts/s · Ctrl-C stops")
        let runner = LiveRunner(engine: engine, inbox: inbox)
        var lastReport = ContinuousClock.now
        try runner.run(wallSeconds: duration) {
            if ContinuousClock.now - lastReport >= .seconds(5) {
                lastReport = ContinuousClock.now
                printError(statusLine(engine))
            }
            return StopSignals.received != 0
        }
        printError(statusLine(engine))
        printError("paytop: stopped; store \(storePath) holds everything committed")
        if StopSignals.received != 0 { throw ExitCode(StopSignals.exitCode) }
    }

    private static func statusLine(_ e: Engine) -> String {
        let depths = e.queueDepths
        let faults = FaultBadge.active(e.faults).map(\.label)
        return "engine \(e.now) ×\(trim(e.speed)) · \(e.traffic.paused ? "paused" : "\(trim(e.traffic.ratePerSecond))/s")"
            + " · accepted \(e.stats.accepted.grouped) settled \(e.stats.settled.grouped) failed \(e.stats.failed.grouped)"
            + " · exec \(depths[.execution] ?? 0) dlq \(depths[.executionDLQ] ?? 0) · results \(depths[.results] ?? 0) dlq \(depths[.resultsDLQ] ?? 0)"
            + (faults.isEmpty ? "" : " · " + faults.joined(separator: ", "))
    }
}

func trim(_ v: Double) -> String {
    v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(format: "%.2f", v)
}
