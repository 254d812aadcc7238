import ArgumentParser
import Foundation
import PaytopEngine
import PaytopStore
import PaytopVocabulary

/// `paytop`: the terminal operations console for an event-driven payment pipeline.
public struct PaytopCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "paytop",
        abstract: "Watch and rehearse an event-driven payment pipeline from the terminal.",
        discussion: """
            paytop runs an embedded payment engine (API → initializer → execution queue → executor → PSP → \
            results queue → wallet, with dead-letter queues) and records everything in one SQLite store.
            Without a subcommand it opens the console with the live engine on the default store \
            (\(DefaultStore.path)); `paytop run` runs the engine headless.
            """,
        version: PaytopVersion.current,
        subcommands: [LiveCommand.self, ConsoleCommand.self, RunCommand.self, ServeCommand.self, PayCommand.self, SimulateCommand.self, CheckCommand.self, StatusCommand.self, TraceCommand.self, CheckoutsCommand.self, CompareCommand.self, ProblemsCommand.self, GradeCommand.self, ExperimentCommand.self,
                      EventsCommand.self, ReleasesCommand.self, SloCommand.self, MetricsCommand.self, BusinessCommand.self, FunctionsCommand.self,
                      FaultCommand.self, DeployCommand.self, RollbackCommand.self, RedriveCommand.self,
                      RateCommand.self, PauseCommand.self, ResumeCommand.self, SpeedCommand.self,
                      BenchCommand.self, ExportCommand.self, ClickHouseCommand.self, CollectCommand.self, IngestCommand.self, SweepCommand.self, SettlementCommand.self, ReconcileCommand.self],
        defaultSubcommand: LiveCommand.self
    )

    public init() {}

    /// Runs the command line and exits with its status.
    public static func main(_ arguments: [String]? = nil) -> Never {
        Foundation.exit(execute(arguments))
    }

    /// Runs the command line and returns its exit status. Usage errors and bad input are
    /// 2, with one clear sentence on stderr; a failed invariant check is 1.
    public static func execute(_ arguments: [String]? = nil) -> Int32 {
        if let refusal = UnknownCommand.refusal(arguments ?? Array(CommandLine.arguments.dropFirst())) {
            printError("paytop: \(refusal)")
            return 2
        }
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            return 0
        } catch let e as CLIError {
            printError("paytop: \(e.message)")
            return e.code
        } catch let e as StoreError {
            printError("paytop: \(e.description)")
            return 2
        } catch let e as SQLiteError {
            // A store that breaks in the middle of a read (damaged pages, a full disk).
            printError("paytop: \(e.userMessage)")
            return 2
        } catch let e as Scenario.LoadError {
            printError("paytop: \(e.description)")
            return 2
        } catch let e as ControlCommand.ParseError {
            printError("paytop: \(e.description)")
            return 2
        } catch let e as ExitCode {
            return e.rawValue
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }  // --help, --version
                return 0
            }
            if !message.isEmpty { printError(message) }
            // Usage errors are exit 2 here, like most Unix tools, not sysexits' 64.
            return code == .validationFailure ? 2 : code.rawValue
        }
    }
}

/// An error the user can act on, with the exit code it deserves.
struct CLIError: Error {
    let message: String
    var code: Int32 = 2
}

/// `--db PATH`, shared by every command that touches a store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The store (a SQLite file).", valueName: "path"))
    var db: String?

    var path: String { db ?? DefaultStore.path }
}

/// Where paytop keeps its store when no --db is given: $PAYTOP_DB, else
/// $XDG_DATA_HOME/paytop/paytop.db, else $HOME/.local/share/paytop/paytop.db (the
/// account's home only when HOME is unset).
enum DefaultStore {
    static var path: String { path(in: ProcessInfo.processInfo.environment) }

    static func path(in env: [String: String]) -> String {
        func value(_ key: String) -> String? { env[key].flatMap { $0.isEmpty ? nil : $0 } }
        if let p = value("PAYTOP_DB") { return p }
        let home = value("HOME") ?? NSHomeDirectory()
        return (value("XDG_DATA_HOME") ?? home + "/.local/share") + "/paytop/paytop.db"
    }

    /// Where `paytop --otlp-receiver` keeps what it receives when no --db is given: beside
    /// the default store, never in it (the embedded engine writes that one).
    static var receivedPath: String { (path as NSString).deletingLastPathComponent + "/received.db" }

    /// Creates the folder of a store about to be created.
    static func prepareDirectory(for path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        if dir.isEmpty || FileManager.default.fileExists(atPath: dir) { return }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw CLIError(message: "cannot create the folder \(dir) for the store: \(error.localizedDescription)")
        }
    }
}

func printError(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}

func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }
