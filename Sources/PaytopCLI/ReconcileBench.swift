import Foundation
import PaytopEngine
import PaytopStore

/// `paytop bench --reconcile STORE`: on a scratch copy of a store whose settlement is
/// forgotten, the PSP closes one batch of every charge, the job reconciles it and the
/// report is written; each timed, with the floor (reading the lines and the ledger's
/// charges alone) measured in the same run as the baseline.
extension BenchCommand {
    func benchReconcile(_ path: String) throws {
        guard Store.exists(path) else { throw StoreError.missing(path: path) }
        func time(_ body: () throws -> Void) rethrows -> Double {
            let start = ContinuousClock.now
            try body()
            return seconds(ContinuousClock.now - start)
        }
        func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s[s.count / 2] }
        var closes: [Double] = [], reconciles: [Double] = [], reports: [Double] = [], floors: [Double] = []
        var lines = 0
        for i in 1...runs {
            let copy = NSTemporaryDirectory() + "paytop-bench-reconcile-\(getpid())-\(i).db"
            let report = copy + ".csv"
            removeStore(copy)
            defer { removeStore(copy); try? FileManager.default.removeItem(atPath: report) }
            for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: path + suffix) {
                try FileManager.default.copyItem(atPath: path + suffix, toPath: copy + suffix)
            }
            try SettlementBench.forgetSettlement(try Store.openForWriting(path: copy, create: false))
            let engine = try Engine(Engine.Options(storePath: copy, mode: .simulated))
            let close = try time { try engine.closeSettlementBatch(final: true) }
            let reconcile = try time { try engine.reconcile(source: "bench") }
            try engine.close()
            let c = try Store.openForReading(path: copy)
            guard let batch = try SettlementBook.lastBatch(c) else { throw CLIError(message: "\(path) holds no successful charge", code: 1) }
            lines = batch.settledLines
            let floor = try time { _ = try SettlementBench.readFloor(c, batch: batch) }
            let write = try time { try SettlementCommand.writeReport(storePath: copy, batch: batch.batchNo, to: report) }
            closes.append(close); reconciles.append(reconcile); reports.append(write); floors.append(floor)
            print(String(format: "run %d: batch of %@ charges · closed in %.2f s · reconciled in %.2f s · report written in %.2f s · floor (read lines + ledger) %.2f s · reconcile ÷ floor %.1f",
                         i, lines.grouped, close, reconcile, write, floor, reconcile / floor))
        }
        print(String(format: "median of %d: close %.2f s · reconcile %.2f s (goal ≤ 10 s) · report %.2f s (goal ≤ 5 s) · floor %.2f s · reconcile ÷ floor %.1f",
                     runs, median(closes), median(reconciles), median(reports), median(floors), median(reconciles) / median(floors)))
    }
}
