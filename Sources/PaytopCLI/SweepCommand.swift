import ArgumentParser
import Foundation
import PaytopEngine
import PaytopJSON
import PaytopStore

/// `paytop sweep`: many seeds, each with its own fault mix, each checked (docs/engine.md).
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run many seeds, each with a fault mix drawn from its PRNG, and check every invariant.",
        discussion: """
            Each seed draws PSP outage windows, latency spikes, decline surges, function error rates, duplicate \
            delivery, a bad release and its rollback, and a crash at a random commit followed by a resume; runs it \
            on a fresh store; then checks the invariants and that no acknowledged checkout was lost. Prints one row \
            per failing seed with the command that replays it, and a summary. Exits 1 on any violation.
            """
    )

    @Option(help: "How many seeds.") var seeds: Int = 100
    @Option(help: "The first seed.") var firstSeed: UInt64 = 1
    @Option(help: "Checkouts per seed.") var checkouts: Int = 300
    @Flag(help: "Print one JSON object per failing seed and one for the summary.") var json = false
    @Option(help: .hidden) var plantViolation: UInt64?

    func validate() throws {
        guard seeds > 0 && seeds <= 10_000_000 else { throw ValidationError("--seeds must be between 1 and 10000000") }
        guard checkouts > 0 && checkouts <= 100_000 else { throw ValidationError("--checkouts must be between 1 and 100000") }
    }

    func run() throws {
        let start = ContinuousClock.now
        var exercised: [String: Int] = [:]
        var failures = 0, crashes = 0
        for seed in firstSeed..<(firstSeed + UInt64(seeds)) {
            let path = NSTemporaryDirectory() + "paytop-sweep-\(getpid())-\(seed).db"
            let outcome = try FaultSweep.run(seed: seed, checkouts: checkouts, storePath: path, plant: seed == plantViolation)
            for f in outcome.plan.faults { exercised[f, default: 0] += 1 }
            if outcome.crashed { crashes += 1 }
            if outcome.isClean {
                removeStore(path)
                continue
            }
            failures += 1
            let replay = "paytop sweep --first-seed \(seed) --seeds 1 --checkouts \(checkouts)"
            var what = outcome.report.violations.map { "\($0.invariant) (\($0.count))" }
            if !outcome.lostAcknowledged.isEmpty { what.append("lost-acknowledged (\(outcome.lostAcknowledged.count))") }
            if json {
                print(JSONValue.object([
                    "seed": .string(String(seed)), "violations": .array(what.map { .string($0) }),
                    "faults": .array(outcome.plan.faults.map { .string($0) }), "replay": .string(replay), "store": .string(path),
                ]).encoded)
            } else {
                print("seed \(seed) VIOLATED \(what.joined(separator: ", ")) · faults \(outcome.plan.faults.joined(separator: ", ")) · store \(path) · replay: \(replay)")
            }
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let faults = FaultSweep.faultKinds.map { "\($0) \(exercised[$0] ?? 0)" }
        if json {
            print(JSONValue.object([
                "seeds": .number(Double(seeds)), "first_seed": .string(String(firstSeed)), "checkouts_per_seed": .number(Double(checkouts)),
                "faults_exercised": .object(Dictionary(uniqueKeysWithValues: FaultSweep.faultKinds.map { ($0, .number(Double(exercised[$0] ?? 0))) })),
                "crashes": .number(Double(crashes)), "violations": .number(Double(failures)), "seconds": .number((seconds * 10).rounded() / 10),
            ]).encoded)
        } else {
            print("\(seeds.grouped) seeds from \(firstSeed) · \(checkouts.grouped) checkouts each · faults exercised: \(faults.joined(separator: ", ")) · writer crashed and resumed in \(crashes.grouped)")
            print(failures == 0 ? "ok: every seed kept every invariant (\(String(format: "%.1f", seconds)) s)"
                                : "\(failures) of \(seeds) seeds VIOLATED an invariant (\(String(format: "%.1f", seconds)) s)")
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
