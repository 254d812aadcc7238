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
        subcommands: [Run.self, List.self])

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run an experiment file on simulated time; exit 0 only when it completes.",
            discussion: """
                Verdicts: completed (the hypothesis held before, during and after the method), deviated (held \
                before, broke during or after), aborted (a stop condition fired; the rollbacks ran at once), \
                failed (it did not hold before the method, which did not run). Exits 0 for completed, 1 \
                otherwise, 2 for a bad file. The same seed gives the same report.
                """)

        @Argument(help: ArgumentHelp("The experiment (TOML), e.g. sample-data/experiments/psp-outage.toml.", valueName: "file"))
        var file: String
        @Option(help: "Seed of the engine's random generator.") var seed: UInt64 = 1
        @Option(help: ArgumentHelp("A new store to keep the run in. Without it the store is temporary.", valueName: "path"))
        var db: String?
        @Flag(help: "The report as one JSON object.") var json = false
        @Flag(help: "The report as Markdown.") var markdown = false

        func validate() throws {
            if json && markdown { throw ValidationError("give --json or --markdown, not both") }
        }

        func run() throws {
            let experiment: Experiment
            do {
                experiment = try Experiment.load(path: file)
            } catch let e as Experiment.LoadError {
                throw CLIError(message: inert(e.description))
            }
            let path = db ?? NSTemporaryDirectory() + "paytop-experiment-\(getpid()).db"
            if db == nil { removeStore(path) } else { try DefaultStore.prepareDirectory(for: path) }
            defer { if db == nil { removeStore(path) } }
            let report = try ExperimentRunner.run(experiment, seed: seed, storePath: path)
            if json {
                print(ExperimentText.json(report, experiment).encoded)
            } else {
                print(ExperimentText.text(report, experiment, markdown: markdown), terminator: "")
            }
            if report.verdict != .completed { throw ExitCode(1) }
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
