import ArgumentParser
import Foundation
import PaytopEngine
import PaytopExport

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the live engine with its HTTP API and no console.",
        discussion: """
            POST /v1/payments takes the seed's request (a 202 only once the checkout is durable), \
            GET /v1/payments/{checkout_id} shows a checkout and its orders, GET /healthz tells whether the \
            engine takes requests. docs/api.md has every status. The API listens on loopback unless --listen \
            names another address. Ctrl-C or SIGTERM stops taking requests, answers those in flight, commits \
            everything and exits 130 or 143.
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var engineOptions: LiveEngineOptions
    @OptionGroup var otlp: OTLPOptions

    @Option(help: ArgumentHelp("Address of the HTTP API: HOST:PORT, [IPv6]:PORT or PORT (loopback); port 0 picks a free one.",
                               valueName: "address"))
    var listen: ListenAddress = .loopbackDefault

    @Option(help: ArgumentHelp("Stop after this many wall-clock seconds.", valueName: "seconds"))
    var duration: Double?

    func validate() throws {
        if let duration, !(duration > 0) { throw ValidationError("--duration must be a positive number of seconds") }
    }

    func run() throws {
        let inbox = EngineInbox()
        let exporter = try otlp.makeExporter(storePath: store.path)
        defer { finishExport(exporter) }
        let server = try startApi(listen, inbox: inbox, storePath: store.path)
        let engine: Engine
        do {
            engine = try engineOptions.makeEngine(path: store.path, exporter: exporter, answersOutsideCallers: true) { printError("paytop: " + $0) }
        } catch {
            server.stop()
            throw error
        }
        StopSignals.install()
        printError("paytop: API on \(server.url) · POST /v1/payments · GET /v1/payments/{checkout_id} · GET /healthz"
                   + (listen.isLoopback ? "" : " · listening beyond loopback"))
        defer { server.stop() }
        try RunCommand.runLive(engine, inbox: inbox, storePath: store.path, duration: duration)
    }
}
