import ArgumentParser
import Foundation
import PaytopIngest
import PaytopServer
import PaytopStore

/// The default OTLP/HTTP address, as the OpenTelemetry SDKs and the Collector use it.
extension ListenAddress {
    static let otlpDefault = ListenAddress(host: "127.0.0.1", port: 4318)
}

struct CollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Receive OTLP/HTTP traces, logs and metrics into a store, with no engine and no console.",
        discussion: """
            POST /v1/traces, /v1/logs and /v1/metrics take protobuf or JSON bodies, gzip or not, as any \
            OpenTelemetry SDK or Collector sends them; each request is answered once its items are committed. \
            Log records carrying the seed's business-event fields become business events. docs/ingest.md has \
            every status. Watch the store with `paytop console --db PATH`, or run `paytop --otlp-receiver ADDRESS` \
            to receive and watch in one process. Ctrl-C or SIGTERM answers what is in flight and exits 130 or 143.
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("Address to receive on: HOST:PORT, [IPv6]:PORT or PORT (loopback); port 0 picks a free one.",
                               valueName: "address"))
    var listen: ListenAddress = .otlpDefault

    @Option(help: ArgumentHelp("Stop after this many wall-clock seconds.", valueName: "seconds"))
    var duration: Double?

    func validate() throws {
        if let duration, !(duration > 0) { throw ValidationError("--duration must be a positive number of seconds") }
    }

    func run() throws {
        try DefaultStore.prepareDirectory(for: store.path)
        let receiver = try Receiver.start(listen, storePath: store.path)
        StopSignals.install()
        printError("paytop: receiving OTLP/HTTP on \(receiver.server.url) · POST /v1/traces /v1/logs /v1/metrics · into \(store.path)"
                   + (listen.isLoopback ? "" : " · listening beyond loopback"))
        let started = Date()
        while StopSignals.received == 0 {
            if let duration, Date().timeIntervalSince(started) >= duration { break }
            usleep(100_000)
        }
        let s = receiver.stop()
        printError("paytop: received \(s.spansAccepted) spans, \(s.logsAccepted) log records (\(s.businessEvents) business events), "
                   + "\(s.metricPointsAccepted) metric points in \(s.requests) requests; \(s.refused) refused, \(s.rejected) rejected")
        if StopSignals.received != 0 { throw ExitCode(StopSignals.exitCode) }
    }
}

/// An OTLP receiver: the HTTP server and the intake behind it.
struct Receiver {
    let intake: Intake
    let server: ApiServer

    static func start(_ address: ListenAddress, storePath: String) throws -> Receiver {
        let intake = try Intake(storePath: storePath, listen: address.defaultValueDescription)
        do {
            let server = try ApiServer.start(host: address.host, port: address.port, api: OTLPReceiver(intake: intake))
            return Receiver(intake: intake, server: server)
        } catch let e as ApiServer.StartError {
            intake.close()
            throw CLIError(message: e.description)
        }
    }

    /// Stops taking requests, answers those in flight, and returns the counters.
    func stop() -> ReceiverStatus {
        server.stop()
        intake.close()
        return intake.status
    }
}
