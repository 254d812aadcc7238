import ArgumentParser
import Foundation
import PaytopExport

struct PayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pay",
        abstract: "POST payment request files to a running paytop API and print the answers.",
        discussion: """
            Each FILE is sent as the body of POST /v1/payments; a directory sends its *.json files in name \
            order (e.g. sample-data/payments/). Prints the status, the traceparent of the checkout's trace and \
            the answer. Exits 0 when every request got an answer (whatever its status), 1 when some could not \
            be sent.
            """
    )

    @Argument(help: ArgumentHelp("Request files (JSON) or directories of them.", valueName: "file"))
    var files: [String]

    @Option(help: ArgumentHelp("Base URL of the API.", valueName: "url"))
    var url: String = "http://127.0.0.1:8080"

    @Option(help: ArgumentHelp("A W3C traceparent to send with every request (the trace continues the caller's).",
                               valueName: "header"))
    var traceparent: String?

    func validate() throws {
        do { _ = try BlockingHTTPClient.url(url) } catch { throw ValidationError("--url: \(error)") }
        if files.isEmpty { throw ValidationError("name at least one request file") }
    }

    func run() throws {
        let endpoint = try BlockingHTTPClient.url(url).appendingPathComponent("v1/payments")
        var paths: [String] = []
        for f in files {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: f, isDirectory: &isDir) else {
                throw CLIError(message: "no such file: \(f)")
            }
            if isDir.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: f).filter { $0.hasSuffix(".json") }.sorted()
                paths += names.map { (f as NSString).appendingPathComponent($0) }
            } else {
                paths.append(f)
            }
        }
        let client = BlockingHTTPClient(timeoutSeconds: 35)
        var unsent = 0
        for path in paths {
            guard let body = FileManager.default.contents(atPath: path) else {
                printError("paytop: cannot read \(path)")
                unsent += 1
                continue
            }
            var headers = ["Content-Type": "application/json"]
            if let traceparent { headers["traceparent"] = traceparent }
            do {
                let r = try client.send("POST", endpoint, body: body, headers: headers)
                let text = String(decoding: r.body, as: UTF8.self)
                print("\(inert(path))  \(r.status)" + (r.headers["traceparent"].map { "  traceparent \(inert($0))" } ?? ""))
                print("  " + inert(text))
            } catch {
                unsent += 1
                printError("paytop: \(path): cannot reach \(endpoint.absoluteString): \(error)"
                           + (error.description == "connection refused" ? " (is `paytop serve` running?)" : ""))
            }
        }
        if unsent > 0 { throw ExitCode(1) }
    }
}
