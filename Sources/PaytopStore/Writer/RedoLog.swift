import CZlib
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The redo log of a live engine that answers outside callers: each batch the engine
/// hands over is appended here before its callers hear their answer, and reaches the
/// SQLite file later, many batches to one commit. An answered checkout is therefore on
/// disk (in the log) before its 202, whatever the commit cadence.
///
/// Durability: the same as the store's own (WAL, `synchronous = NORMAL`): a write is in
/// the kernel's page cache when `write(2)` returns, so `kill -9` loses nothing the log
/// holds; neither the log nor SQLite's WAL is synced to the device on each commit.
///
/// On disk, beside the store: `<store>-redo/` holds `lock` (an `flock` held by the engine
/// while it runs, released by the kernel when its process dies) and numbered segments.
/// A segment is a header (`PTREDO02`, the log's id) and records: the payload's length and
/// CRC-32, the CRC-32 of those 8 bytes (4 bytes each, little-endian), then the payload
/// (the batch's sequence, 8 bytes little-endian, then the batch in `RedoCoding`'s
/// layout). Segments roll at `segmentBytes`; one whose batches have all committed is
/// deleted. Each commit also records, in
/// `engine_state` under `redo_log`, the log's id and the last sequence it holds, so a
/// replay applies exactly the batches the file lacks.
///
/// A log left by a process that died (its lock free, segments still there) is applied by
/// the next process that opens the store (`applyOrphaned`), reader or writer, before it
/// reads anything; a torn record at the end of the last segment is one that was never
/// acknowledged and is ignored.
final class RedoLog: @unchecked Sendable {
    static let magic = Array("PTREDO02".utf8)
    /// The layout before records carried a header checksum; still read, never written.
    static let magicWithoutHeaderCRC = Array("PTREDO01".utf8)
    static let headerBytes = 16
    /// The `engine_state` key of the log's position.
    static let positionKey = "redo_log"
    var segmentBytes = 8 << 20

    let directory: String
    /// Names this log in the position each commit records (random, never 0).
    let logID: UInt64
    private let lockFD: Int32
    private var segment: (fd: Int32, number: Int, bytes: Int, lastSequence: Int)
    private var closedSegments: [(number: Int, lastSequence: Int)] = []
    private var appended = 0
    /// The writer's log thread appends while its commit thread releases segments.
    private let lock = NSLock()

    /// Bytes appended to segments, in total (benchmarks).
    var bytesAppended: Int { lock.withLock { appended } }

    static func directory(for storePath: String) -> String { storePath + "-redo" }

    /// Starts a new log for a store whose orphaned log, if any, has been applied.
    init(storePath: String) throws {
        directory = RedoLog.directory(for: storePath)
        if mkdir(directory, 0o755) != 0 && errno != EEXIST {
            throw StoreError.failed("cannot create the redo log \(directory): \(String(cString: strerror(errno)))")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StoreError.failed("\(directory) is not a directory: paytop keeps the store's redo log there while it serves the API; move that file aside")
        }
        let fd = open(directory + "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.failed("cannot open \(directory)/lock: \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw StoreError.failed("another paytop process holds the redo log \(directory)")
        }
        lockFD = fd
        if let left = try? RedoLog.segmentNumbers(in: directory), !left.isEmpty {
            flock(fd, LOCK_UN); close(fd)
            throw StoreError.failed("the redo log \(directory) holds batches not yet applied to the store")
        }
        var id: UInt64 = 0
        while id == 0 { id = UInt64.random(in: 1...UInt64.max) }
        logID = id
        segment = (-1, 0, 0, 0)
        segment = try openSegment(1)
    }

    private func segmentPath(_ number: Int) -> String { RedoLog.segmentPath(directory, number) }

    static func segmentPath(_ directory: String, _ number: Int) -> String {
        let digits = String(number)
        return directory + "/" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits + ".seg"
    }

    private func openSegment(_ number: Int) throws -> (fd: Int32, number: Int, bytes: Int, lastSequence: Int) {
        let path = segmentPath(number)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.failed("cannot create \(path): \(String(cString: strerror(errno)))") }
        var header = RedoLog.magic
        withUnsafeBytes(of: logID.littleEndian) { header.append(contentsOf: $0) }
        try RedoLog.writeAll(fd, header, path: path)
        return (fd, number, header.count, 0)
    }

    /// Test hook: the device fills after this many more bytes (a write then fails, as
    /// with ENOSPC, after writing what fits).
    private var spaceLeft: Int?
    func fillDevice(after bytes: Int) { lock.withLock { spaceLeft = bytes } }

    /// Appends batches with one `write(2)`; when it returns, they survive the process.
    /// When it fails (a full disk) the segment is cut back to where it was, so the log
    /// holds no batch whose callers were not answered.
    func append(_ batches: [(sequence: Int, batch: WriteBatch)]) throws {
        guard let last = batches.last else { return }
        var out: [UInt8] = []
        for (sequence, batch) in batches {
            var payload: [UInt8] = []
            withUnsafeBytes(of: Int64(sequence).littleEndian) { payload.append(contentsOf: $0) }
            payload.append(contentsOf: try batch.redoEncoded())
            RedoLog.appendFrame(payload, to: &out)
        }
        lock.lock()
        defer { lock.unlock() }
        do {
            if let space = spaceLeft, out.count > space {
                try RedoLog.writeAll(segment.fd, Array(out.prefix(space)), path: segmentPath(segment.number))
                spaceLeft = 0
                throw StoreError.failed("writing the redo log \(segmentPath(segment.number)) failed: No space left on device (test hook)")
            }
            try RedoLog.writeAll(segment.fd, out, path: segmentPath(segment.number))
            spaceLeft = spaceLeft.map { $0 - out.count }
        } catch {
            _ = ftruncate(segment.fd, off_t(segment.bytes))
            throw error
        }
        segment.bytes += out.count
        segment.lastSequence = last.sequence
        appended += out.count
        if segment.bytes >= segmentBytes {
            close(segment.fd)
            closedSegments.append((segment.number, segment.lastSequence))
            segment = try openSegment(segment.number + 1)
        }
    }

    /// A record: the payload's length and CRC-32, the CRC-32 of those 8 bytes, the payload.
    /// The header's own checksum tells a length damaged on disk (an error) from the
    /// intact header of a record the process died writing (a torn tail).
    static func appendFrame(_ payload: [UInt8], to out: inout [UInt8]) {
        let crc = payload.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
        let start = out.count
        withUnsafeBytes(of: UInt32(payload.count).littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: crc.littleEndian) { out.append(contentsOf: $0) }
        let headerCRC = out.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress! + start, 8)) }
        withUnsafeBytes(of: headerCRC.littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: payload)
    }

    /// Deletes the closed segments whose batches have all committed.
    func release(committedThrough sequence: Int) {
        lock.lock()
        defer { lock.unlock() }
        while let first = closedSegments.first, first.lastSequence <= sequence {
            unlink(segmentPath(first.number))
            closedSegments.removeFirst()
        }
    }

    /// Everything has committed: the log is removed and its lock released.
    func remove() {
        close(segment.fd)
        for s in closedSegments { unlink(segmentPath(s.number)) }
        unlink(segmentPath(segment.number))
        closedSegments.removeAll()
        RedoLog.removeDirectory(directory, lockFD: lockFD)
    }

    /// The writer stopped on a failure: the segments stay for the next open to apply.
    func abandon() {
        close(segment.fd)
        flock(lockFD, LOCK_UN)
        close(lockFD)
    }

    private static func removeDirectory(_ directory: String, lockFD: Int32) {
        unlink(directory + "/lock")
        flock(lockFD, LOCK_UN)
        close(lockFD)
        rmdir(directory)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var done = 0
        try bytes.withUnsafeBytes { raw in
            while done < raw.count {
                let n = write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw StoreError.failed("writing the redo log \(path) failed: \(String(cString: strerror(errno)))")
                }
                done += n
            }
        }
    }

    static func segmentNumbers(in directory: String) throws -> [Int] {
        try FileManager.default.contentsOfDirectory(atPath: directory)
            .compactMap { $0.hasSuffix(".seg") ? Int($0.dropLast(4)) : nil }.sorted()
    }

    // MARK: Replay

    /// Applies the log a dead process left beside the store, if there is one and no live
    /// process holds it: the batches the store lacks, merged into one transaction, then the
    /// log is removed. Nothing happens when there is no log or a live engine owns it.
    static func applyOrphaned(storePath: String, open: () throws -> Connection) throws {
        let directory = directory(for: storePath)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else { return }
        let fd = Glibc.open(directory + "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw StoreError.failed("the store's redo log \(directory) cannot be opened: \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { close(fd); return }  // a live engine's
        // Another process may have applied and removed it while this one waited for the lock.
        guard FileManager.default.fileExists(atPath: directory) else { flock(fd, LOCK_UN); close(fd); return }
        let numbers: [Int]
        do { numbers = try segmentNumbers(in: directory) } catch {
            flock(fd, LOCK_UN); close(fd)
            throw StoreError.failed("the store's redo log \(directory) cannot be read: \(error)")
        }
        if numbers.isEmpty { removeDirectory(directory, lockFD: fd); return }
        do {
            let c = try open()
            try c.transaction {
                let position = try storedPosition(c)
                var merger = BatchMerger()
                var last: Position?
                for (i, number) in numbers.enumerated() {
                    let path = segmentPath(directory, number)
                    try readSegment(path, isLast: i == numbers.count - 1) { logID, sequence, batch in
                        if let position, position.logID == logID, sequence <= position.sequence { return }  // in the file
                        // Batches follow one another from the file's position (or from the
                        // first of a log none of whose batches committed): a missing one is
                        // a segment lost, and applying around it would be a state no
                        // engine ever had.
                        let expected = last.map { $0.sequence + 1 } ?? (position?.logID == logID ? position!.sequence + 1 : 1)
                        guard logID == (last?.logID ?? logID), sequence == expected else {
                            throw StoreError.failed("\(path) holds batch \(sequence) of log \(String(logID, radix: 16)) where batch "
                                                    + "\(expected)\(last.map { " of log \(String($0.logID, radix: 16))" } ?? "") was due: "
                                                    + "a segment is missing or foreign")
                        }
                        merger.add(batch)
                        last = Position(logID: logID, sequence: sequence)
                    }
                }
                if let last {
                    let applier = BatchApplier(c: c)
                    try applier.apply(merger.finish())
                    try applier.setEngineState(key: positionKey, value: last.text)
                }
            }
        } catch {
            flock(fd, LOCK_UN); close(fd)
            throw StoreError.failed("applying the redo log \(directory) to the store failed (the log is kept): \(error). "
                                    + "Moving the directory aside opens the store without it, losing the answered checkouts it holds")
        }
        for n in numbers { unlink(segmentPath(directory, n)) }
        removeDirectory(directory, lockFD: fd)
    }

    /// The log position the store's last commit recorded, if any.
    static func storedPosition(_ c: Connection) throws -> Position? {
        let s = try c.cached("SELECT value FROM engine_state WHERE key = ?")
        s.bind(1, positionKey)
        defer { s.reset() }
        return try s.step() ? Position(text: s.string(0)) : nil
    }

    /// Where a store stands in a log: the log's id and the last sequence it committed.
    struct Position: Equatable {
        var logID: UInt64
        var sequence: Int

        var text: String { String(logID, radix: 16) + ":" + String(sequence) }

        init(logID: UInt64, sequence: Int) { self.logID = logID; self.sequence = sequence }

        init?(text: String) {
            let parts = text.split(separator: ":")
            guard parts.count == 2, let id = UInt64(parts[0], radix: 16), let s = Int(parts[1]) else { return nil }
            logID = id; sequence = s
        }
    }

    /// Up to 8 bytes as the little-endian number they are.
    static func littleEndian(_ bytes: some Collection<UInt8>) -> UInt64 {
        bytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// Calls `body` with each batch of a segment, in order. Only the end of the last
    /// segment may be torn — a write the process died in, never answered: a record
    /// header cut short, a record whose intact header promises more bytes than are there,
    /// or zeros to the end (space the file system allotted and never wrote). Anything
    /// else is damage, and an error: a record failing a checksum would otherwise take the
    /// answered batches behind it with it. (`PTREDO01` records have no header checksum:
    /// there a last record failing its checksum reads as torn too.)
    static func readSegment(_ path: String, isLast: Bool, _ body: (UInt64, Int, WriteBatch) throws -> Void) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError.failed("cannot read \(path)")
        }
        let bytes = [UInt8](data)
        let layout = Array(bytes.prefix(8))
        guard bytes.count >= headerBytes, layout == magic || layout == magicWithoutHeaderCRC else {
            if isLast && bytes.count < headerBytes && magic.starts(with: bytes.prefix(8)) { return }  // died writing the header
            throw StoreError.failed("\(path) is not a paytop redo log segment of a layout this build reads")
        }
        let recordHeader = layout == magic ? 12 : 8
        let logID = littleEndian(bytes[8..<16])
        var at = headerBytes
        func u32(_ i: Int) -> UInt32 { UInt32(littleEndian(bytes[i..<i + 4])) }
        func crc(_ range: Range<Int>) -> UInt32 {
            bytes.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress! + range.lowerBound, uInt(range.count))) }
        }
        func damaged(_ what: String) -> StoreError {
            StoreError.failed("\(path) \(what) at byte \(at) of \(bytes.count)")
        }
        while at < bytes.count {
            guard at + recordHeader <= bytes.count else {
                if isLast { return }
                throw damaged("ends inside a record header")
            }
            // Asked only of a record that fails: it reads the rest of the segment.
            var zerosToTheEnd: Bool { isLast && bytes[at...].allSatisfy { $0 == 0 } }
            if recordHeader == 12 && crc(at..<at + 8) != u32(at + 8) {
                if zerosToTheEnd { return }
                throw damaged("has a record header whose checksum does not match")
            }
            let length = Int(u32(at)), start = at + recordHeader
            guard length <= bytes.count - start else {
                if isLast { return }
                throw damaged("ends inside a record")
            }
            guard length >= 8, crc(start..<start + length) == u32(at + 4) else {
                // With the header's own checksum intact the process wrote all of it: a
                // short write would have failed the length above.
                if zerosToTheEnd || (isLast && recordHeader == 8 && start + length == bytes.count) { return }
                throw damaged("has a record whose checksum does not match")
            }
            try bytes.withUnsafeBufferPointer { all in
                let payload = UnsafeBufferPointer(rebasing: all[start..<start + length])
                try body(logID, Int(littleEndian(payload[0..<8])), try WriteBatch(redo: UnsafeBufferPointer(rebasing: payload[8...])))
            }
            at = start + length
        }
    }
}
