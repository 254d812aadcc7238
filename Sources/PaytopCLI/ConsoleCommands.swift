import ArgumentParser
import Foundation
import PaytopClickHouse
import PaytopConsole
import PaytopEngine
import PaytopExport
import PaytopStore
import Synchronization

/// Console options shared by `paytop` (live) and `paytop console` (attach).
struct ConsoleOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Theme: dark, light, high-contrast, monochrome, or a file name in themes/.", valueName: "name"))
    var theme: String = "dark"

    var noColor: Bool {
        let v = ProcessInfo.processInfo.environment["NO_COLOR"] ?? ""
        return !v.isEmpty
    }

    func checkTerminal() throws {
        guard isatty(0) == 1, isatty(1) == 1 else {
            throw CLIError(message: "the console needs a terminal on stdin and stdout; use `paytop run` for a headless engine or `paytop status` in scripts")
        }
        do { _ = try Theme.named(theme) } catch { throw CLIError(message: "\(error)") }
    }
}

struct LiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "The console with the engine running in this process (what `paytop` alone does).",
        discussion: "Steady traffic on the default store unless --db, --rate or --scenario say otherwise. q quits; the engine commits everything on the way out."
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var console: ConsoleOptions
    @OptionGroup var engineOptions: LiveEngineOptions

    @Option(help: ArgumentHelp("Also serve the HTTP API (as `paytop serve`) at HOST:PORT, [IPv6]:PORT or PORT (loopback).",
                               valueName: "address"))
    var listen: ListenAddress?

    @OptionGroup var otlp: OTLPOptions

    @Option(help: ArgumentHelp("Watch a real pipeline instead of the embedded engine: receive OTLP/HTTP (as `paytop collect`) at HOST:PORT, [IPv6]:PORT or PORT, into --db or \(DefaultStore.receivedPath).",
                               valueName: "address"))
    var otlpReceiver: ListenAddress?

    func validate() throws {
        guard otlpReceiver != nil else { return }
        if engineOptions.rate != nil || engineOptions.speed != nil || engineOptions.scenario != nil || listen != nil || otlp.otlpEndpoint != nil {
            throw ValidationError("--otlp-receiver watches received telemetry with no embedded engine; --rate, --speed, --scenario, --listen and --otlp-endpoint belong to the engine")
        }
    }

    func run() throws {
        try console.checkTerminal()
        if let address = otlpReceiver { return try receive(at: address) }
        let exporter = try otlp.makeExporter(storePath: store.path)
        defer { finishExport(exporter) }
        let inbox = listen.map { _ in EngineInbox() }
        let server = try listen.map { try startApi($0, inbox: inbox!, storePath: store.path) }
        defer { server?.stop() }
        let engine = try engineOptions.makeEngine(path: store.path, exporter: exporter, answersOutsideCallers: inbox != nil)
        try engine.waitForCommits()

        StopSignals.install()
        let background = EngineThread(engine, inbox: inbox)
        var consoleOptions = ConsoleApp.Options(storePath: store.path)
        consoleOptions.embedded = true
        consoleOptions.apiURL = server?.url
        consoleOptions.storeLag = engine.storeLagView
        consoleOptions.themeName = console.theme
        consoleOptions.noColor = console.noColor
        var consoleError: Error?
        do {
            let app = try ConsoleApp(consoleOptions)
            try app.run { StopSignals.received != 0 || background.finished }
        } catch { consoleError = error }
        background.stopAndWait()
        if let e = background.error { throw CLIError(message: "the engine stopped: \(e)") }
        if let consoleError { throw CLIError(message: "\(consoleError)") }
        if StopSignals.received != 0 { throw ExitCode(StopSignals.exitCode) }
    }
}

extension LiveCommand {
    /// The console on what an OTLP receiver in this process takes in: no engine.
    func receive(at address: ListenAddress) throws {
        let path = store.db ?? DefaultStore.receivedPath
        try DefaultStore.prepareDirectory(for: path)
        let receiver = try Receiver.start(address, storePath: path)
        StopSignals.install()
        var options = ConsoleApp.Options(storePath: path)
        options.receiverURL = receiver.server.url
        options.themeName = console.theme
        options.noColor = console.noColor
        var consoleError: Error?
        do {
            try ConsoleApp(options).run { StopSignals.received != 0 }
        } catch { consoleError = error }
        let status = receiver.stop()
        printError("paytop: received \(status.spansAccepted) spans, \(status.logsAccepted) log records, \(status.metricPointsAccepted) metric points into \(path)")
        if let consoleError { throw CLIError(message: "\(consoleError)") }
        if StopSignals.received != 0 { throw ExitCode(StopSignals.exitCode) }
    }
}

struct ConsoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "The console on a store another `paytop run` fills, a recorded store with --read-only, or the ClickHouse a Collector fleet fills.",
        discussion: """
            With --clickhouse URL the screens come from the OpenTelemetry Collector ClickHouse exporter's tables \
            (docs/clickhouse.md): received telemetry, as the console shows a `paytop collect` store, read again every \
            2 s; payment state, problems, the drill, range comparison and control keys are paytop's own store's and \
            say so.
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var clickhouse: ClickHouseOptions
    @OptionGroup var console: ConsoleOptions
    @Flag(help: "Never write to the store; fault and control keys say why they are unavailable.") var readOnly = false

    func validate() throws { try clickhouse.refuse(with: store) }

    func run() throws {
        try console.checkTerminal()
        var reading: (any ConsoleReading)?
        if let client = try clickhouse.client(timeoutSeconds: 5) {
            reading = try ClickHouseOptions.reading { try ClickHouseConsoleReading(client) }
        } else {
            _ = try Store.openForReading(path: store.path)
        }
        StopSignals.install()
        var options = ConsoleApp.Options(storePath: store.path)
        options.reading = reading
        options.readOnly = readOnly
        options.themeName = console.theme
        options.noColor = console.noColor
        do {
            try ConsoleApp(options).run { StopSignals.received != 0 }
        } catch let e as StoreError { throw e } catch { throw CLIError(message: "\(error)") }
        if StopSignals.received != 0 { throw ExitCode(StopSignals.exitCode) }
    }
}

/// The live engine on a thread of its own beside the console (they share only the store).
final class EngineThread: @unchecked Sendable {
    private let stop = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var _error: Error?
    private var _finished = false

    init(_ engine: Engine, inbox: EngineInbox? = nil) {
        let box = EngineBox(engine)
        Thread(named: "paytop-engine") { [self] in
            do {
                try LiveRunner(engine: box.engine, inbox: inbox).run { self.stop.load(ordering: .relaxed) }
            } catch {
                lock.lock(); _error = error; lock.unlock()
            }
            lock.lock(); _finished = true; lock.unlock()
            done.signal()
        }.start()
    }

    var error: Error? { lock.lock(); defer { lock.unlock() }; return _error }
    var finished: Bool { lock.lock(); defer { lock.unlock() }; return _finished }

    func stopAndWait() {
        stop.store(true, ordering: .relaxed)
        done.wait()
        done.signal()
    }

    /// Hands the engine to its thread, which owns it from then on.
    private final class EngineBox: @unchecked Sendable {
        let engine: Engine
        init(_ e: Engine) { engine = e }
    }
}
