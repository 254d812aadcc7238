import Foundation
import Testing
@testable import PaytopCLI
@testable import PaytopEngine
@testable import PaytopStore

/// The fault sweep: plans are a pure function of the seed, clean seeds pass, and a
/// planted violation is reported with a command that reproduces it.
@Suite struct SweepTests {
    @Test func aSeedAlwaysDrawsTheSamePlan() {
        #expect(FaultSweep.plan(seed: 42) == FaultSweep.plan(seed: 42))
        #expect(FaultSweep.plan(seed: 42) != FaultSweep.plan(seed: 43))
        // Over a few hundred seeds every fault kind is drawn.
        let drawn = Set((1...300).flatMap { FaultSweep.plan(seed: UInt64($0)).faults })
        #expect(drawn == Set(FaultSweep.faultKinds))
    }

    @Test func cleanSeedsKeepEveryInvariantAndCrashesLoseNothing() throws {
        var crashed = 0
        for seed in UInt64(1)...12 {
            let path = NSTemporaryDirectory() + "paytop-sweeptest-\(UUID().uuidString.prefix(8)).db"
            defer { removeStore(path) }
            let o = try FaultSweep.run(seed: seed, checkouts: 200, storePath: path)
            #expect(o.isClean, "seed \(seed): \(o.report.violations) lost \(o.lostAcknowledged.count)")
            if o.crashed { crashed += 1 }
        }
        #expect(crashed > 0, "no seed crashed its writer")
    }

    @Test func aPlantedViolationIsReportedWithItsReplay() throws {
        // The summary and failing rows go to stdout; capture them through a child process.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try #require(KillNineTests.binary))
        p.arguments = ["sweep", "--first-seed", "7", "--seeds", "3", "--checkouts", "100", "--plant-violation", "8", "--json"]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 1)
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.contains(#""seed":"8""#) == true)
        #expect(lines.first?.contains(#""replay":"paytop sweep --first-seed 8 --seeds 1 --checkouts 100""#) == true)
        #expect(lines.first?.contains("wallets (1)") == true)
        #expect(lines.last?.contains(#""violations":1"#) == true)
        if let store = lines.first?.split(separator: "\"").drop(while: { $0 != "store" }).dropFirst(2).first {
            removeStore(String(store))
        }
        // The replay without the plant is clean: the violation was the plant's.
        #expect(PaytopCommand.execute(["sweep", "--first-seed", "8", "--seeds", "1", "--checkouts", "100"]) == 0)
    }
}
