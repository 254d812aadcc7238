import PaytopVocabulary
import ArgumentParser
import Foundation
import PaytopEngine
import PaytopExport

/// The options of a live engine (`paytop run`, `paytop live`) and how they make one.
struct LiveEngineOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Checkout arrivals per second of engine time.", valueName: "rate"))
    var rate: Double?

    @Option(help: ArgumentHelp("Engine seconds per wall second (default 20, or the store's last speed).", valueName: "factor"))
    var speed: Double?

    @Option(help: ArgumentHelp("A scenario file (TOML) whose settings and timeline apply from now.", valueName: "file"))
    var scenario: String?

    @Option(help: "Seed for a new store (ignored when resuming).")
    var seed: UInt64 = 1

    func validate() throws {
        if let rate, !(rate >= 0 && rate <= 100_000) { throw ValidationError("--rate must be from 0 to 100000") }
        if let speed, !(speed >= 0.01 && speed <= 100_000) { throw ValidationError("--speed must be from 0.01 to 100000") }
    }

    /// Opens (or creates, or resumes) the store at `path` as a live engine starting now.
    /// `notes` hears what a user should know (resuming keeps stored settings).
    /// `answersOutsideCallers`: an HTTP API waits on this engine, so its writer keeps a redo log.
    func makeEngine(path: String, exporter: OTLPExporter? = nil, answersOutsideCallers: Bool = false,
                    notes: (String) -> Void = { _ in }) throws -> Engine {
        let loaded = try scenario.map { try Scenario.load(path: $0) }
        var settings = EngineSettings()
        try loaded?.apply(to: &settings)
        settings.seed = seed
        if let rate { settings.ratePerSecond = rate }
        try DefaultStore.prepareDirectory(for: path)
        var options = Engine.Options(storePath: path, mode: .live, settings: settings, scenario: loaded)
        options.startTime = EngineTime(nanos: Int64(Date().timeIntervalSince1970 * 1e9))
        if let exporter { options.onCommit = { exporter.offer($0) } }
        options.redoLog = answersOutsideCallers
        let engine = try Engine(options)
        if engine.resumed {
            notes("resuming \(path) at engine time \(engine.now): its stored settings and seed are kept"
                  + (loaded != nil ? "; the scenario's timeline applies from now" : ""))
        }
        if let s = loaded { notes("scenario \(s.name): \(s.timeline.count) timeline actions") }
        if let rate { try engine.apply(.rate(rate), source: "cli") }
        if let speed { try engine.apply(.speed(speed), source: "cli") }
        return engine
    }
}
