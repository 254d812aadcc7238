import Foundation

/// Python helpers the tests share: whether modules import, and the seed's pipeline as the
/// official OpenTelemetry SDK reports it (Tests/otlp/seed_pipeline.py).
public enum Python {
    /// Whether `python3` imports every one of `modules`.
    public static func has(_ modules: [String]) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import " + modules.joined(separator: ", ")]
        p.standardError = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    public struct Failed: Error, CustomStringConvertible {
        public let description: String
    }

    /// Sends one checkout through the seed's three Lambdas with the official SDK to an
    /// OTLP/HTTP endpoint; returns once every export was answered.
    public static func seedPipeline(endpoint: String, checkout: String, decline: Bool) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("otlp/seed_pipeline.py").path
        let py = Process()
        py.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        py.arguments = ["python3", script, "--endpoint", endpoint, "--checkout", checkout] + (decline ? ["--decline"] : [])
        let err = Pipe()
        py.standardError = err
        py.standardOutput = FileHandle.nullDevice
        try py.run()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        py.waitUntilExit()
        guard py.terminationStatus == 0 else { throw Failed(description: "the SDK script failed: \(String(decoding: stderr, as: UTF8.self))") }
    }
}
