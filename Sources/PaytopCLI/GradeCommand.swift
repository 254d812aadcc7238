import ArgumentParser
import Foundation
import PaytopEngine
import PaytopJSON
import PaytopStore
import PaytopVocabulary

/// `paytop grade`: the detectors and the cause ranking scored against what the engine
/// broke (docs/problems.md).
struct GradeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grade",
        abstract: "Score problem detection and root causes against the engine's record of the faults it injected.",
        discussion: """
            Each seed runs the library's scenarios (sample-data/scenarios, steady excepted), one generated fault \
            with a confounder (a harmless deploy before it, or a traffic change during it) and a steady run with \
            the background error mix. Prints recall, time to detect (engine time from the fault to the problem), \
            AC@1 and AC@3 (the true cause ranked first, among the first three), false problems per steady day, \
            and every miss with the command that replays it.
            """)

    @Option(help: "Seeds to run (each: the library, a generated case and a steady run).") var seeds = 3
    @Option(help: ArgumentHelp("Hours of steady traffic per seed.", valueName: "hours")) var steadyHours = 4.0
    @Option(help: ArgumentHelp("Run only the generated case of this seed.", valueName: "seed")) var `case`: UInt64?
    @Option(help: ArgumentHelp("Run only the generated cases of seeds 1…N (every fault family, no library or steady runs).", valueName: "n"))
    var generated: Int?
    @Option(help: ArgumentHelp("Folder of library scenarios.", valueName: "dir")) var scenarios = "sample-data/scenarios"
    @Flag(help: "Print as JSON.") var json = false
    @Flag(help: "Exit 1 when a goal is missed (CI's bounded grade).") var check = false

    func validate() throws {
        guard seeds >= 1, seeds <= 1000 else { throw ValidationError("--seeds must be from 1 to 1000") }
        guard steadyHours >= 0, steadyHours <= 48 else { throw ValidationError("--steady-hours must be from 0 to 48") }
        if let generated, !(1...10_000).contains(generated) { throw ValidationError("--generated must be from 1 to 10000") }
    }

    func run() throws {
        var cases: [ProblemGrade.Case] = []
        if let seed = `case` {
            cases = [ProblemGrade.generatedCase(seed: seed)]
        } else if let generated {
            cases = (1...UInt64(generated)).map { ProblemGrade.generatedCase(seed: $0) }
        } else {
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: scenarios)) ?? [])
                .filter { $0.hasSuffix(".toml") && $0 != "steady.toml" }.sorted()
            for seed in 1...UInt64(seeds) {
                for f in files {
                    let path = scenarios + "/" + f
                    cases.append(try ProblemGrade.scenarioCase(try Scenario.load(path: path), path: path, seed: seed))
                }
                cases.append(ProblemGrade.generatedCase(seed: seed))
                if steadyHours > 0 { cases.append(ProblemGrade.steadyCase(seed: seed, hours: steadyHours)) }
            }
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("paytop-grade-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var report = ProblemGrade.Report()
        for (i, c) in cases.enumerated() {
            let path = dir + "/case-\(i).db"
            if !json { FileHandle.standardError.write(Data("[\(i + 1)/\(cases.count)] \(c.name)\n".utf8)) }
            try ProblemGrade.run(c, storePath: path, into: &report)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        if json {
            print(Self.json(report).encoded)
        } else {
            printTable(report)
        }
        let missed = Self.missedGoals(report)
        if check, !missed.isEmpty {
            FileHandle.standardError.write(Data("goals missed: \(missed.joined(separator: ", "))\n".utf8))
            throw ExitCode(1)
        }
    }

    /// The issue's goals that this report misses.
    static func missedGoals(_ r: ProblemGrade.Report) -> [String] {
        var out: [String] = []
        if r.recall < 0.98 { out.append("recall") }
        if (r.ttdQuantile(0.5) ?? .infinity) > 120 { out.append("median time to detect") }
        if (r.ttdQuantile(0.9) ?? .infinity) > 300 { out.append("p90 time to detect") }
        if r.accuracy(at: 1) < 0.9 { out.append("AC@1") }
        if r.accuracy(at: 3) < 0.98 { out.append("AC@3") }
        if r.falsePerDay > 1 { out.append("false problems a day") }
        return out
    }

    func printTable(_ r: ProblemGrade.Report) {
        func f(_ v: Double?) -> String { v.map { String(format: "%.2f", $0) } ?? "—" }
        func minutes(_ v: Double?) -> String { v.map { String(format: "%.1f min", $0 / 60) } ?? "—" }
        print("faults graded      \(r.scored.count)")
        print("recall             \(f(r.recall))   (goal ≥ 0.98)")
        print("time to detect     median \(minutes(r.ttdQuantile(0.5))) · p90 \(minutes(r.ttdQuantile(0.9)))   (goals ≤ 2 · ≤ 5 min)")
        print("AC@1               \(f(r.accuracy(at: 1)))   (goal ≥ 0.9)")
        print("AC@3               \(f(r.accuracy(at: 3)))   (goal ≥ 0.98)")
        print("false problems     \(r.falseProblems) in \(String(format: "%g", r.steadyHours)) steady hours = \(f(r.falsePerDay)) a day   (goal ≤ 1)")
        let families = r.byFamily
        if families.count > 1 {
            print("\nby what broke          faults  detected  TTD median  AC@1  AC@3")
            for (family, s) in families {
                var one = ProblemGrade.Report()
                one.scored = s
                print("  " + family.padding(toLength: 22, withPad: " ", startingAt: 0)
                      + String(format: "%6d  %8d  %10@  %4@  %4@", s.count, one.detected.count, minutes(one.ttdQuantile(0.5)) as NSString,
                               f(one.accuracy(at: 1)) as NSString, f(one.accuracy(at: 3)) as NSString))
            }
        }
        let misses = r.scored.filter { !$0.detected || ($0.causeRank ?? .max) > 1 }
        if !misses.isEmpty { print("\nmisses") }
        for m in misses {
            let what = !m.detected ? "not detected" : "true cause ranked \(m.causeRank.map(String.init) ?? "nowhere") (top: \(m.topCause ?? "none"))"
            print("  \(m.name) · \(m.truth.label): \(what)\n    replay: \(m.replay)")
        }
        for t in r.falseTitles { print("  false problem: \(t)") }
    }

    static func json(_ r: ProblemGrade.Report) -> JSONValue {
        .object([
            "faults": .number(Double(r.scored.count)), "recall": .rounded(r.recall, 1000),
            "ttd_median_seconds": .rounded(r.ttdQuantile(0.5), 1), "ttd_p90_seconds": .rounded(r.ttdQuantile(0.9), 1),
            "ac_at_1": .rounded(r.accuracy(at: 1), 1000), "ac_at_3": .rounded(r.accuracy(at: 3), 1000),
            "steady_hours": .number(r.steadyHours), "false_problems": .number(Double(r.falseProblems)),
            "false_per_day": .rounded(r.falsePerDay, 100),
            "cases": .array(r.scored.map { s in
                .object(["name": .string(s.name), "truth": .string(s.truth.label), "detected": .bool(s.detected),
                         "ttd_seconds": .rounded(s.timeToDetect.map { Double($0) / 1e9 }, 1),
                         "cause_rank": s.causeRank.map { .number(Double($0)) } ?? .null, "replay": .string(s.replay)])
            }),
        ])
    }
}
