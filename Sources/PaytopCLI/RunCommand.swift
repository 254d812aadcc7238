import ArgumentParser
import Foundation
import PaytopEngine
import PaytopStore

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

    @Option(help: ArgumentHelp("Checkout arrivals per second of engine time.", valueName: "rate"))
    var rate: Double?

    @Option(help: ArgumentHelp("Engine seconds per wall second (default 20, or the store's last speed).", valueName: "factor"))
    var speed: Double?

    @Option(help: ArgumentHelp("A scenario file (TOML) whose settings and timeline apply from now.", valueName: "file"))
    var scenario: String?

    @Option(help: ArgumentHelp("Stop after this many wall-clock seconds.", valueName: "seconds"))
    var duration: Double?

    @Option(help: "Seed for a new store (ignored when resuming).")
    var seed: UInt64 = 1

    func validate() throws {
        if let rate, !(rate >= 0 && rate <= 100_000) { throw ValidationError("--rate must be from 0 to 100000") }
        if let speed, !(speed >= 0.01 && speed <= 100_000) { throw ValidationError("--speed must be from 0.01 to 100000") }
        if let duration, !(duration > 0) { throw ValidationError("--duration must be a positive number of seconds") }
    }

    func run() throws {
        let loaded = try scenario.map { try Scenario.load(path: $0) }
        var settings = EngineSettings()
        try loaded?.apply(to: &settings)
        settings.seed = seed
        if let rate { settings.ratePerSecond = rate }
        try DefaultStore.prepareDirectory(for: store.path)

        var options = Engine.Options(storePath: store.path, mode: .live, settings: settings, scenario: loaded)
        options.startTime = EngineTime(nanos: Int64(Date().timeIntervalSince1970 * 1e9))
        let engine = try Engine(options)
        if engine.resumed {
            printError("paytop: resuming \(store.path) at engine time \(engine.now): its stored settings and seed are kept"
                       + (loaded != nil ? "; the scenario's timeline applies from now" : ""))
        }
        if let rate { try engine.apply(.rate(rate), source: "cli") }
        if let speed { try engine.apply(.speed(speed), source: "cli") }
        if loaded != nil, let s = loaded { printError("scenario \(s.name): \(s.timeline.count) timeline actions") }

        StopSignals.install()
        printError("paytop: live engine on \(store.path) · ×\(trim(engine.speed)) · \(trim(engine.traffic.ratePerSecond)) checkouts/s · Ctrl-C stops")
        let runner = LiveRunner(engine: engine)
        var lastReport = ContinuousClock.now
        try runner.run(wallSeconds: duration) {
            if ContinuousClock.now - lastReport >= .seconds(5) {
                lastReport = ContinuousClock.now
                printError(statusLine(engine))
            }
            return StopSignals.received != 0
        }
        printError(statusLine(engine))
        printError("paytop: stopped; store \(store.path) holds everything committed")
        if StopSignals.received != 0 { throw ExitCode(StopSignals.exitCode) }
    }

    private func statusLine(_ e: Engine) -> String {
        let depths = e.queueDepths
        let faults = e.faults.badges
        return "engine \(e.now) ×\(trim(e.speed)) · \(e.traffic.paused ? "paused" : "\(trim(e.traffic.ratePerSecond))/s")"
            + " · accepted \(e.stats.accepted.grouped) settled \(e.stats.settled.grouped) failed \(e.stats.failed.grouped)"
            + " · exec \(depths[.execution] ?? 0) dlq \(depths[.executionDLQ] ?? 0) · results \(depths[.results] ?? 0) dlq \(depths[.resultsDLQ] ?? 0)"
            + (faults.isEmpty ? "" : " · " + faults.joined(separator: ", "))
    }
}

func trim(_ v: Double) -> String {
    v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(format: "%.2f", v)
}
