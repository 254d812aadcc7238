import ArgumentParser
import Foundation
import PaytopStore
import PaytopVocabulary
import PaytopJSON

/// Writes one control command to a store and, if an engine is running there, waits for
/// its acknowledgement.
struct ControlWriter {
    let path: String
    /// Say nothing on success (the caller prints its own answer).
    var quiet = false

    func send(_ command: ControlCommand) throws {
        let c = try Store.openForWriting(path: path, create: false)
        let id = try ControlQueue.enqueue(c, command, source: "cli",
                                          issuedAtMillis: Int64(Date().timeIntervalSince1970 * 1000))
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        guard let beat = try ControlQueue.runningEngineHeartbeat(c), now - beat < 3_000 else {
            print("queued as command #\(id); no engine is running on \(path), so it applies when one starts")
            return
        }
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if let s = try ControlQueue.status(c, id: id), s.status != "pending" {
                if s.status == "applied" {
                    if !quiet { print("#\(id) applied: \(s.result ?? "")") }
                    return
                }
                throw CLIError(message: "#\(id) rejected: \(s.result ?? "")")
            }
            usleep(50_000)
        }
        print("queued as command #\(id); the engine has not acknowledged it yet")
    }
}

struct FaultCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fault",
        abstract: "Inject or clear a fault in the running engine.",
        discussion: """
            paytop fault psp-outage on|off
            paytop fault psp-latency on|off [--factor 100]
            paytop fault psp-declines on|off [--rate 0.3] [--code CARD_DECLINED]
            paytop fault function-errors FUNCTION RATE      (FUNCTION: initializer, executor, wallet; RATE 0–1)
            paytop fault settlement-drift on|off [--kind missing|amount|duplicate|late|unknown] [--rate 0.02]
            paytop fault clear
            paytop fault KIND key=value …   any fault with its arguments (docs/control.md), e.g.
                  hop-latency hop=executor-psp milliseconds=2000 · function-concurrency function=executor reserved=1
            """
    )

    @Argument(help: "psp-outage, psp-latency, psp-declines, function-errors, settlement-drift or clear.")
    var kind: String

    @Argument(help: "on/off, or FUNCTION RATE for function-errors.")
    var values: [String] = []

    @Option(help: "PSP latency multiplier for psp-latency.")
    var factor: Double?

    @Option(help: "Share of charges declined (0–1) for psp-declines; of charges settled wrong for settlement-drift.")
    var rate: Double?

    @Option(name: .customLong("kind"), help: "settlement-drift: missing, amount, duplicate, late or unknown (comma-separated; default all).")
    var driftKinds: String?

    @Option(help: "Decline code for psp-declines.")
    var code: String?

    @OptionGroup var store: StoreOptions

    func run() throws {
        if !values.isEmpty, values.allSatisfy({ $0.contains("=") }) {
            do {
                try ControlWriter(path: store.path).send(try ControlCommand.fault(kind: kind, words: values))
            } catch let e as ControlCommand.ParseError {
                throw CLIError(message: e.description)
            }
            return
        }
        var args: [String: JSONValue] = ["kind": .string(kind)]
        switch kind {
        case "function-errors":
            guard values.count == 2, let r = Double(values[1]) else {
                throw CLIError(message: "usage: paytop fault function-errors FUNCTION RATE (e.g. executor 0.1)")
            }
            args["function"] = .string(values[0])
            args["rate"] = .number(r)
        case "clear":
            guard values.isEmpty else { throw CLIError(message: "usage: paytop fault clear") }
        default:
            guard values.count == 1, values[0] == "on" || values[0] == "off" else {
                throw CLIError(message: "usage: paytop fault \(kind) on|off")
            }
            args["on"] = .bool(values[0] == "on")
            if let factor { args["factor"] = .number(factor) }
            if let rate { args["rate"] = .number(rate) }
            if let code { args["code"] = .string(code) }
            if let driftKinds { args["kinds"] = .array(driftKinds.split(separator: ",").map { .string(String($0)) }) }
        }
        let command = try ControlCommand.parse(name: "fault", args: .object(args))
        try ControlWriter(path: store.path).send(command)
    }
}

struct DeployCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy", abstract: "Deploy a new version of a function, optionally with a regression.")

    @Argument(help: "initializer, executor or wallet.") var service: String
    @Argument(help: "The version, e.g. 1.3.0.") var version: String
    @Option(help: "latency or errors: what the release breaks.") var regression: String?
    @OptionGroup var store: StoreOptions

    func run() throws {
        var args: [String: JSONValue] = ["service": .string(service), "version": .string(version)]
        if let regression { args["regression"] = .string(regression) }
        try ControlWriter(path: store.path).send(try ControlCommand.parse(name: "deploy", args: .object(args)))
    }
}

struct RollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Roll a function back to its previous release.")

    @Argument(help: "initializer, executor or wallet.") var service: String
    @OptionGroup var store: StoreOptions

    func run() throws {
        try ControlWriter(path: store.path).send(try ControlCommand.parse(name: "rollback", args: ["service": .string(service)]))
    }
}

struct RedriveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redrive", abstract: "Move every message of a dead-letter queue back to its source queue.")

    @Argument(help: ArgumentHelp("\(QueueName.executionDLQ.rawValue) or \(QueueName.resultsDLQ.rawValue) (or execution-dlq, results-dlq)."))
    var queue: String
    @OptionGroup var store: StoreOptions

    func run() throws {
        try ControlWriter(path: store.path).send(try ControlCommand.parse(name: "redrive", args: ["queue": .string(queue)]))
    }
}

struct RateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rate", abstract: "Set the traffic rate (checkouts per second of engine time).")

    @Argument(help: "Checkouts per second, 0–100000.") var rate: Double
    @OptionGroup var store: StoreOptions

    func run() throws {
        try ControlWriter(path: store.path).send(try ControlCommand.parse(name: "rate", args: ["rate": .number(rate)]))
    }
}

struct PauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause traffic (the pipeline drains).")
    @OptionGroup var store: StoreOptions
    func run() throws { try ControlWriter(path: store.path).send(.pause) }
}

struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume traffic.")
    @OptionGroup var store: StoreOptions
    func run() throws { try ControlWriter(path: store.path).send(.resume) }
}

struct SpeedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "speed", abstract: "Set the live engine's speed (engine seconds per wall second).")

    @Argument(help: "Speed factor, 0.01–100000.") var speed: Double
    @OptionGroup var store: StoreOptions

    func run() throws {
        try ControlWriter(path: store.path).send(try ControlCommand.parse(name: "speed", args: ["speed": .number(speed)]))
    }
}
