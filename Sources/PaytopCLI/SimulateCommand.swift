import ArgumentParser
import Foundation
import PaytopEngine
import PaytopExport
import PaytopStore

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run the pipeline on simulated time from a seed, then summarise and check the store.",
        discussion: """
            Engine time starts at 2025-12-02T22:30:00Z and jumps from event to event. The run ends when every \
            checkout has arrived and each accepted one is done or dead-lettered. The same seed and scenario give \
            the same store. Exits 1 if an invariant is violated.
            """
    )

    @Option(help: "Seed of the engine's random generator.")
    var seed: UInt64 = 1

    @Option(help: "How many checkouts arrive.")
    var checkouts: Int = 10_000

    @Option(help: ArgumentHelp("A scenario file (TOML), e.g. sample-data/scenarios/psp-outage.toml.", valueName: "file"))
    var scenario: String?

    @Option(help: ArgumentHelp("Arrivals per second of engine time (overrides the scenario).", valueName: "rate"))
    var rate: Double?

    @Option(help: ArgumentHelp("A new store to write. Without it the store is a temporary file, removed at exit.", valueName: "path"))
    var db: String?

    @Flag(help: "Print the summary as one JSON object.")
    var json = false

    @Flag(help: "Record payment state only: no traces, business events or release events.")
    var noTelemetry = false

    @OptionGroup var otlp: OTLPOptions

    func validate() throws {
        guard checkouts > 0 && checkouts <= 100_000_000 else {
            throw ValidationError("--checkouts must be between 1 and 100000000")
        }
        if let rate, !(rate > 0 && rate <= 1_000_000) { throw ValidationError("--rate must be above 0 and at most 1000000") }
    }

    func run() throws {
        let loaded = try scenario.map { try Scenario.load(path: $0) }
        var settings = EngineSettings()
        try loaded?.apply(to: &settings)
        settings.seed = seed
        if let rate { settings.ratePerSecond = rate }
        if noTelemetry { settings.telemetry = false }

        let path = db ?? NSTemporaryDirectory() + "paytop-simulate-\(getpid()).db"
        if db == nil { removeStore(path) } else { try DefaultStore.prepareDirectory(for: path) }
        defer { if db == nil { removeStore(path) } }

        var options = Engine.Options(storePath: path, mode: .simulated, settings: settings, scenario: loaded)
        options.requireNewStore = true
        // A simulation loses nothing: the writer waits for the exporter's queue.
        let exporter = try otlp.makeExporter(storePath: path)
        if let exporter { options.onCommit = { exporter.submit($0) } }
        let engine = try Engine(options)
        let bar = ProgressBar(total: checkouts, label: "checkouts", enabled: !json && isTerminal(2))
        let result = try SimulationRunner.run(engine, checkouts: checkouts) { bar.update($0) }
        bar.update(result.checkoutsGenerated, force: true)
        bar.finish()
        try engine.close()
        let exported = finishExport(exporter, timeout: 60)

        let reader = try Store.openForReading(path: path)
        let report = SimulationReport(
            seed: seed, scenario: loaded?.name, result: result, stats: engine.stats,
            summary: try StoreSummary.load(reader), invariants: try InvariantCheck.run(reader),
            storePath: db, storeBytes: fileSize(path))
        print(json ? report.json.encoded : report.text)
        if !report.invariants.isClean || (exported?.dropped ?? 0) > 0 { throw ExitCode(1) }
    }
}
