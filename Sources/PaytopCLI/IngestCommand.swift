import ArgumentParser
import Foundation
import PaytopIngest

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Record Lambda log lines (Powertools Logger JSON, as CloudWatch keeps them) in a store.",
        discussion: """
            Each line is one JSON object as the seed's functions print it; one carrying the seed's business-event \
            fields (either spelling) becomes a business event, tied to its trace when it has xray_trace_id or \
            dt.trace_id; every line is kept as a log record. Lines that are not JSON objects are counted and \
            reported with their line numbers; the rest go in. Exit 1 when any line was malformed.
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(name: .long, help: ArgumentHelp("The log file, or - for standard input.", valueName: "file"))
    var logs: String

    func run() throws {
        let input: FileHandle
        if logs == "-" {
            input = FileHandle.standardInput
        } else {
            guard let h = FileHandle(forReadingAtPath: logs) else { throw CLIError(message: "cannot read \(logs)") }
            input = h
        }
        try DefaultStore.prepareDirectory(for: store.path)
        let intake = try Intake(storePath: store.path, listen: "ingest " + (logs == "-" ? "stdin" : logs))
        defer { intake.close() }
        var reader = LogLines(input)
        var malformed: [(line: Int, why: String)] = []
        var telemetry = ReceivedTelemetry()
        var totals = IngestMapper.Outcome()
        var lineNo = 0
        func flush() throws {
            guard telemetry.itemCount > 0 else { return }
            let t = telemetry
            telemetry = ReceivedTelemetry()
            let o = try intake.submitAndWait(t)
            totals.logs += o.logs
            totals.businessEvents += o.businessEvents
        }
        while let line = reader.next() {
            lineNo += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0d }) { continue }
            do {
                try PowertoolsLogLine.append(line, to: &telemetry)
            } catch {
                malformed.append((lineNo, "\(error)"))
            }
            if telemetry.logs.count >= 5_000 { try flush() }
        }
        try flush()
        print("ingested \(lineNo) lines from \(logs == "-" ? "standard input" : logs): \(totals.logs) log records, "
              + "\(totals.businessEvents) business events, \(malformed.count) malformed")
        for m in malformed.prefix(20) { printError("paytop: line \(m.line): \(m.why)") }
        if malformed.count > 20 { printError("paytop: … and \(malformed.count - 20) more malformed lines") }
        if !malformed.isEmpty { throw ExitCode(1) }
    }
}

/// Lines of a file read in blocks (a log may be far larger than memory).
struct LogLines {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false

    init(_ handle: FileHandle) { self.handle = handle }

    mutating func next() -> ArraySlice<UInt8>? {
        while true {
            if let nl = buffer[start...].firstIndex(of: 0x0a) {
                let line = buffer[start..<nl]
                start = nl + 1
                return line
            }
            if eof {
                guard start < buffer.count else { return nil }
                let line = buffer[start...]
                start = buffer.count
                return line
            }
            buffer.removeSubrange(0..<start)
            start = 0
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { eof = true } else { buffer.append(contentsOf: chunk) }
        }
    }
}
