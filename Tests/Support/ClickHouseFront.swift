import Foundation

/// ClickHouse for the tests: chdb (ClickHouse in-process, PyPI) behind Tests/clickhouse/
/// chdb_front.py, started on a free port with a data directory of its own. (A target of its
/// own, PaytopTestSupport, so the ClickHouse adapter's tests and the CLI's share it.)
public final class ClickHouseFront {
    public let url: String
    let process: Process
    let dataDir: String

    public static var available: Bool { Python.has(["chdb"]) }

    /// `saveDir`: where the front keeps each OTLP body it takes (it stands in for a Collector too).
    public init(delaySeconds: Double? = nil, saveDir: String? = nil) throws {
        dataDir = NSTemporaryDirectory() + "paytop-chdb-\(UUID().uuidString.prefix(8))"
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("clickhouse/chdb_front.py").path
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, dataDir] + (delaySeconds.map { ["--delay", "\($0)"] } ?? [])
            + (saveDir.map { ["--save", $0] } ?? [])
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Its first line says the port (it blocks until chdb has started).
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let text = String(data: line, encoding: .utf8), let port = text.split(separator: " ").last.map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }),
              Int(port) != nil else {
            process.terminate()
            throw CocoaError(.fileReadUnknown)
        }
        url = "http://127.0.0.1:\(port)"
    }

    deinit {
        // SIGKILL, then wait (with a deadline) until Foundation has seen it exit: its
        // waitUntilExit can miss an exit here (TmuxConsoleTests says the same of tmux).
        kill(process.processIdentifier, SIGKILL)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        try? FileManager.default.removeItem(atPath: dataDir)
    }
}
