import ArgumentParser
import Foundation
import PaytopEngine
import PaytopJSON
import PaytopStore
import PaytopVocabulary

/// `paytop experiment`: rehearsals with a hypothesis, stop conditions and a verdict
/// (docs/experiments.md).
struct ExperimentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Run an experiment (a hypothesis, a method, stop conditions, rollbacks) and give its verdict.",
        subcommands: [Run.self, List.self, Abort.self])

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run an experiment file on simulated time, or against a live engine; exit 0 only when it completes.",
            discussion: """
                Verdicts: completed (the hypothesis held before, during and after the method), deviated (held \
                before, broke during or after), aborted (a stop condition fired, or an operator aborted it; the \
                rollbacks ran at once), failed (it did not hold before the method, which did not run). Exits 0 \
                for completed, 1 otherwise, 2 for a bad file or no engine to run against. The same seed gives \
                the same report.
                With --live --db PATH it plays against the engine running on PATH (paytop run, the console) on \
                that engine's clock, through control commands: the console's header counts it down and its A \
                key aborts it, as do paytop experiment abort and Ctrl-C here.
                """)

        @Argument(help: ArgumentHelp("The experiment (TOML), e.g. sample-data/experiments/psp-outage.toml.", valueName: "file"))
        var file: String
        @Option(help: "Seed of the engine's random generator (default 1; not with --live).") var seed: UInt64?
        @Option(help: ArgumentHelp("A new store to keep the run in (without it the store is temporary); with --live, the running engine's.", valueName: "path"))
        var db: String?
        @Flag(help: "Play against the live engine running on --db, on its clock.") var live = false
        @Flag(help: "The report as one JSON object.") var json = false
        @Flag(help: "The report as Markdown.") var markdown = false

        func validate() throws {
            if json && markdown { throw ValidationError("give --json or --markdown, not both") }
            if live && db == nil { throw ValidationError("--live needs --db PATH: the store of the running engine") }
            if live && seed != nil { throw ValidationError("--seed applies to simulated runs; a live run uses the running engine's") }
        }

        func run() throws {
            let experiment: Experiment
            do {
                experiment = try Experiment.load(path: file)
            } catch let e as Experiment.LoadError {
                throw CLIError(message: inert(e.description))
            }
            let report: ExperimentReport
            if live, let db {
                report = try runLive(experiment, db)
            } else {
                let path = db ?? NSTemporaryDirectory() + "paytop-experiment-\(getpid()).db"
                if db == nil { removeStore(path) } else { try DefaultStore.prepareDirectory(for: path) }
                defer { if db == nil { removeStore(path) } }
                report = try ExperimentRunner.run(experiment, seed: seed ?? 1, storePath: path)
            }
            if json {
                print(ExperimentText.json(report, experiment).encoded)
            } else {
                print(ExperimentText.text(report, experiment, markdown: markdown), terminator: "")
            }
            if report.verdict != .completed { throw ExitCode(1) }
        }

        /// Against the engine on `db`: Ctrl-C aborts (the rollbacks run) rather than kill the run.
        func runLive(_ experiment: Experiment, _ db: String) throws -> ExperimentReport {
            let ignored = ExperimentRunner.liveSettings(experiment).ignored
            if !ignored.isEmpty {
                FileHandle.standardError.write(Data("live: the running engine keeps its own \(ignored.joined(separator: ", ")); only rate_per_second applies\n".utf8))
            }
            StopSignals.install()
            do {
                return try ExperimentRunner.runLive(experiment, storePath: db) {
                    StopSignals.received == 0 ? nil : "interrupted by signal \(StopSignals.received)"
                }
            } catch let f as ExperimentRunner.RunFailure {
                throw CLIError(message: inert(f.description))
            }
        }
    }

    struct Abort: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "abort", abstract: "Ask the experiment running against the engine on a store to stop (its runner rolls back).")
        @OptionGroup var store: StoreOptions

        func run() throws {
            try ControlWriter(path: store.path).send(.experiment(.abort))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The experiments in a directory, with their descriptions.")
        @Option(help: ArgumentHelp("Where the experiment files are.", valueName: "dir")) var dir = "sample-data/experiments"

        func run() throws {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
                throw CLIError(message: "cannot read the directory \(inert(dir))")
            }
            for name in names.filter({ $0.hasSuffix(".toml") }).sorted() {
                let path = (dir as NSString).appendingPathComponent(name)
                do {
                    let e = try Experiment.load(path: path)
                    let faults = e.method.map { ExperimentText.commandText($0.command) }.joined(separator: ", ")
                    print("\(WaterfallText.pad(inert(path), 52)) \(e.expectedVerdict.map { "gives " + $0.rawValue } ?? "")\n    \(inert(e.hypothesisTitle)) · method: \(faults)")
                } catch let e as Experiment.LoadError {
                    print("\(WaterfallText.pad(inert(path), 52)) unreadable: \(inert(e.description))")
                }
            }
        }
    }
}
