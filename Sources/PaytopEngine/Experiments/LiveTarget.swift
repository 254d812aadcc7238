import Foundation
import PaytopStore
import PaytopVocabulary

/// A live engine in another process (`paytop run`, the console), reached through its
/// store: commands go in as `control_command` rows and count once the engine has
/// acknowledged them (the acknowledgement commits with the state it changed); time is the
/// engine's clock as committed. Another process's commits are not an event this one can
/// wait on, so the target looks at the store every `pollMicros`.
struct LiveTarget: ExperimentTarget {
    let path: String
    let reader: Connection
    let writer: Connection
    /// Why the runner must stop (a signal), asked on every look.
    let interrupted: () -> String?
    var pollMicros: UInt32 = 50_000
    /// How long an engine may leave a command unacknowledged before the run gives up.
    var ackTimeoutSeconds = 15.0

    struct Failure: Error, CustomStringConvertible { let description: String }

    init(path: String, interrupted: @escaping () -> String?) throws {
        self.path = path
        self.interrupted = interrupted
        writer = try Store.openForWriting(path: path, create: false)
        reader = try Store.openForReading(path: path)
        try engineAlive()
        // An engine just started may not have committed its clock yet.
        let deadline = Date().addingTimeInterval(ackTimeoutSeconds)
        while try state().clock == 0 {
            guard Date() < deadline else { throw Failure(description: "the engine on \(path) has not committed its clock in \(Int(ackTimeoutSeconds)) s") }
            usleep(pollMicros)
        }
    }

    /// Throws unless a live engine is running on the store now: its run not ended, its
    /// process alive, its heartbeat (which rides its batches, so a busy engine's comes
    /// late) in the last 30 s.
    func engineAlive() throws {
        guard let running = try RunLog.liveWriter(reader, nowMillis: Engine.wallClockMillis(), staleAfterMillis: 30_000) else {
            throw Failure(description: "no engine is running on \(path): start one (paytop run --db \(path), or the console) and run the experiment again")
        }
        guard running.mode == .live else {
            throw Failure(description: "the engine on \(path) (pid \(running.pid)) is a simulation, not live: run the experiment without --live")
        }
    }

    func state() throws -> StoredEngineState { try StoredEngineState.load(reader) }

    func now() throws -> EngineTime { EngineTime(nanos: try state().clock) }

    mutating func run(to t: EngineTime) throws -> String? {
        while true {
            if let why = interrupted() { return why }
            let s = try state()
            if s.experiment?.abortRequested == true { return "aborted by an operator" }
            if s.clock >= t.nanos { return nil }
            try engineAlive()
            usleep(pollMicros)
        }
    }

    mutating func apply(_ c: ControlCommand) throws -> String {
        let id = try ControlQueue.enqueue(writer, c, source: "experiment", issuedAtMillis: Engine.wallClockMillis())
        let deadline = Date().addingTimeInterval(ackTimeoutSeconds)
        while Date() < deadline {
            if let s = try ControlQueue.status(reader, id: id), s.status != "pending" {
                return s.status == "applied" ? s.result ?? "" : "rejected: \(s.result ?? "")"
            }
            try engineAlive()
            usleep(pollMicros)
        }
        throw Failure(description: "the engine on \(path) has not acknowledged command #\(id) (\(c.name)) in \(Int(ackTimeoutSeconds)) s")
    }

    func current() throws -> (rate: Double, faults: FaultState) {
        let s = try state()
        return (s.traffic?.ratePerSecond ?? 0, s.faults ?? FaultState())
    }

    /// An acknowledged command's state committed with its acknowledgement: nothing to wait for.
    mutating func settle() throws {}
}
