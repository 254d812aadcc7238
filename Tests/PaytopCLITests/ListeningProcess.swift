import Foundation

/// A `paytop` process that prints its URL once listening (`serve`, `collect`): started on
/// a free port, waited for until `ready` says its log shows it is up.
enum ListeningProcess {
    /// The process, its base URL, and the file its stderr goes to.
    static func start(_ args: [String], tag: String, ready: (String) -> Bool) throws -> (Process, String, String) {
        let log = NSTemporaryDirectory() + "paytop-\(tag)-\(UUID().uuidString.prefix(8)).log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: KillNineTests.binary!)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle(forWritingAtPath: log)
        try p.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline && p.isRunning {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let r = text.range(of: #"http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression), ready(text) {
                return (p, String(text[r]), log)
            }
            usleep(20_000)
        }
        p.terminate()
        throw ServeCommandTests.CLIFailure("paytop \(tag) did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
    }
}
