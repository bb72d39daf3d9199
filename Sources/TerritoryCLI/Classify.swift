import Foundation
import Territory
import TerritoryStore

/// `territory status --csv`: streams dated points through the batch classifier, in input order,
/// in bounded memory: the input is read and the output written in chunks of 1 MiB.
func classify(csv: String, strict: Bool, out: String?, data: DataOptions) throws(Failure) {
    let source = InputSource(csv)
    let input: Int32
    var total: Int64 = 0
    if let path = source.path {
        guard FileManager.default.fileExists(atPath: path) else { throw .missingInput("\(path): no such file") }
        input = open(path, O_RDONLY)
        guard input >= 0 else { throw .missingInput("\(path): cannot be read: \(String(cString: strerror(errno)))") }
        total = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
    } else {
        if isatty(STDIN_FILENO) != 0 { throw .usage("--csv -: pipe the CSV to standard input, or name a file") }
        input = STDIN_FILENO
    }
    defer { if input != STDIN_FILENO { close(input) } }

    let store = try data.openStore()
    let inputs = try query(store) { try store.classificationInputs() }
    let classifier = BatchClassifier(statements: inputs.statements, places: inputs.places, covered: inputs.covered)

    // Output: a temporary file renamed into place for --out; with --strict on standard output, a
    // temporary file copied out at the end, so that a failure writes nothing.
    let sink = try OutputSink(path: out, spool: strict)
    var buffer: [UInt8] = []
    buffer.reserveCapacity(1 << 21)
    buffer += BatchClassifier.header
    var reader = DatedPointReader()
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    var rows = 0, skipped = 0, reported = 0, readBytes: Int64 = 0
    var failure: Failure?
    var lastProgress = 0
    let progress = stderrIsTerminal

    reading: while true {
        let n = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            failure = .io("\(source.name): read failed: \(String(cString: strerror(errno)))")
            break
        }
        readBytes += Int64(n)
        let ok = reader.read(n == 0 ? [] : Array(chunk[0..<n]), final: n == 0, row: { point in
            buffer.append(contentsOf: point.id)
            classifier.appendAnswer(lon: point.lon, lat: point.lat, dayOrdinal: point.dayOrdinal, to: &buffer)
            rows += 1
        }, problem: { problem in
            skipped += 1
            if strict {
                if failure == nil { failure = .badData("\(source.name): \(problem) (--strict: nothing written)") }
                return
            }
            if reported < 1000 { printError("territory status: \(source.name): \(problem); row skipped") }
            reported += 1
        })
        if !ok {
            failure = failure ?? .badData("\(source.name): not a CSV of dated points (header id,lon,lat,date)")
            break reading
        }
        if failure != nil { break }
        if buffer.count >= 1 << 20 {
            do { try sink.write(buffer) } catch { failure = error; break }
            buffer.removeAll(keepingCapacity: true)
        }
        if progress, rows - lastProgress >= 250_000 {
            lastProgress = rows
            let share = total > 0 ? String(format: " (%.0f %%)", Double(readBytes) / Double(total) * 100) : ""
            FileHandle.standardError.write(Data("\rterritory status: \(rows) points\(share)".utf8))
        }
        if n == 0 { break }
    }
    if progress && rows >= 250_000 { FileHandle.standardError.write(Data("\n".utf8)) }
    if let failure {
        sink.discard()
        throw failure
    }
    do {
        try sink.write(buffer)
        try sink.finish()
    } catch {
        sink.discard()
        throw error
    }
    if reported > 1000 { printError("territory status: \(source.name): \(reported - 1000) more rows skipped") }
    if skipped > 0 || progress {
        printError("territory status: \(rows) points classified\(skipped > 0 ? ", \(skipped) rows skipped" : "")")
    }
}

/// Where classified rows go: standard output directly, or a temporary file that is renamed
/// into place (`--out`) or copied to standard output at the end (spooled).
final class OutputSink {
    private let target: String?
    private let spool: Bool
    private var fd: Int32 = STDOUT_FILENO
    private var temporary: String?

    init(path: String?, spool: Bool) throws(Failure) {
        target = (path == "-") ? nil : path
        self.spool = spool
        if target != nil || spool {
            let base: String
            if let target {
                let url = URL(fileURLWithPath: target)
                base = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
            } else {
                base = FileManager.default.temporaryDirectory.appendingPathComponent("territory-\(getpid()).csv.tmp").path
            }
            fd = open(base, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { throw .io("\(target ?? base): cannot write: \(String(cString: strerror(errno)))") }
            temporary = base
        }
    }

    func write(_ bytes: [UInt8]) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io("\(target ?? "standard output"): write failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    func finish() throws(Failure) {
        guard let temporary else { return }
        guard fsync(fd) == 0 || errno == EINVAL else { throw .io("\(temporary): fsync failed: \(String(cString: strerror(errno)))") }
        close(fd)
        if let target {
            guard rename(temporary, target) == 0 else { throw .io("\(target): cannot write: \(String(cString: strerror(errno)))") }
        } else {
            // Copy the spooled rows to standard output.
            let input = open(temporary, O_RDONLY)
            defer { close(input); unlink(temporary) }
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            fd = STDOUT_FILENO
            while true {
                let n = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                try write(Array(chunk[0..<n]))
            }
        }
        self.temporary = nil
    }

    func discard() {
        if let temporary {
            close(fd)
            unlink(temporary)
            self.temporary = nil
        }
    }
}
