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
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .missingInput("\(path): no such file") }
        guard !isDirectory.boolValue else { throw .missingInput("\(path): is a directory, not a file") }
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

    // Output: a temporary file renamed into place for --out; for standard output, a temporary
    // file copied out at the end, so that a failure never leaves a partial result.
    let sink = try OutputSink(path: out, spool: true)
    // Two workers, one per core: each parses and classifies half of every chunk, in order.
    let workers = (0..<max(1, min(2, ProcessInfo.processInfo.activeProcessorCount))).map { _ in ClassifyWorker(classifier) }
    var chunker = LineChunker()
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    var rows = 0, skipped = 0, readBytes: Int64 = 0
    var nextLine = 0  // the number of the next line to parse; 0 until the header is read
    var failure: Failure?
    var lastProgress = 0
    let progress = stderrIsTerminal

    do {
        reading: while true {
            let n = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure.io("\(source.name): read failed: \(String(cString: strerror(errno)))")
            }
            readBytes += Int64(n)
            let fed: [UInt8]?
            do { fed = try chunker.feed(chunk[0..<n], final: n == 0) } catch {
                throw Failure.badData("\(source.name): line \(max(nextLine, 1)): longer than \(LineChunker.maximumLineLength / 1024) KiB: not a CSV of dated points")
            }
            guard var lines = fed else {
                if n == 0 { break }
                continue
            }
            if nextLine == 0 {
                let start = lines.withUnsafeBufferPointer { DatedPointCSV.bodyStart($0) }
                switch start {
                case .failure(let problem): throw Failure.badData("\(source.name): \(problem)")
                case .success(let offset): lines.removeFirst(offset)
                }
                nextLine = 2
                try sink.write(BatchClassifier.header)
            }
            // Cut at a newline near the middle; each worker takes a part.
            var cuts = [0]
            if workers.count > 1, lines.count > 4096, let mid = lines[(lines.count / 2)...].firstIndex(of: 0x0A) {
                cuts.append(mid + 1)
            }
            cuts.append(lines.count)
            let parts = cuts.count - 1
            let shared = lines, ranges = (0..<parts).map { cuts[$0]..<cuts[$0 + 1] }
            DispatchQueue.concurrentPerform(iterations: parts) { i in
                workers[i].run(shared, ranges[i])
            }
            for i in 0..<parts {
                let worker = workers[i]
                for problem in worker.batch.problems {
                    let numbered = RowError(line: problem.line + nextLine - 1, message: problem.message)
                    skipped += 1
                    if strict { throw Failure.badData("\(source.name): \(numbered) (--strict: nothing written)") }
                    if skipped <= 1000 { printError("territory status: \(source.name): \(numbered); row skipped") }
                }
                nextLine += worker.lines
                rows += worker.batch.count
                try sink.write(worker.out)
            }
            if progress, rows - lastProgress >= 250_000 {
                lastProgress = rows
                let share = total > 0 ? String(format: " (%.0f %%)", Double(readBytes) / Double(total) * 100) : ""
                FileHandle.standardError.write(Data("\rterritory status: \(rows) points\(share)".utf8))
            }
            if n == 0 { break }
        }
        if nextLine == 0 { throw Failure.badData("\(source.name): empty input: expected the header 'id,lon,lat,date'") }
        try sink.finish()
    } catch let error as Failure {
        failure = error
    } catch {
        failure = .internalError("\(error)")
    }
    if progress && rows >= 250_000 { FileHandle.standardError.write(Data("\n".utf8)) }
    if let failure {
        sink.discard()
        throw failure
    }
    if skipped > 1000 { printError("territory status: \(source.name): \(skipped - 1000) more rows skipped") }
    if skipped > 0 || progress {
        printError("territory status: \(rows) points classified\(skipped > 0 ? ", \(skipped) rows skipped" : "")")
    }
}

/// One thread's share of a chunk: its parsed points, its output, its cache of answers.
final class ClassifyWorker: @unchecked Sendable {
    let classifier: BatchClassifier
    var batch = PointBatch()
    var out: [UInt8] = []
    var cache = BatchClassifier.AnswerCache()
    /// The lines of the last part, counted from 1.
    var lines = 0

    init(_ classifier: BatchClassifier) {
        self.classifier = classifier
        out.reserveCapacity(1 << 20)
    }

    func run(_ bytes: [UInt8], _ range: Range<Int>) {
        batch.removeAll()
        out.removeAll(keepingCapacity: true)
        lines = bytes.withUnsafeBufferPointer { all in
            DatedPointCSV.parse(UnsafeBufferPointer(rebasing: all[range]), firstLine: 1, into: &batch)
        }
        classifier.classify(batch, 0..<batch.count, cache: &cache, into: &out)
    }
}

/// Where classified rows go: a temporary file beside the target, renamed into place (`--out`),
/// or, for standard output, an unnamed temporary file (unlinked as soon as it is open, so that
/// nothing is left however the process ends) copied out at the end.
final class OutputSink {
    private let target: String?
    private var fd: Int32 = -1
    private var temporary: String?

    init(path: String?, spool: Bool) throws(Failure) {
        target = (path == "-") ? nil : path
        if let target {
            let url = URL(fileURLWithPath: target)
            let folder = url.deletingLastPathComponent()
            removeAbandoned(in: folder, prefix: ".\(url.lastPathComponent).")
            let name = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
            fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_EXCL, 0o644)
            if fd < 0 && errno == EEXIST {
                unlink(name)
                fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_EXCL, 0o644)
            }
            guard fd >= 0 else { throw .io("\(target): cannot write: \(String(cString: strerror(errno)))") }
            temporary = name
        } else if spool {
            var template = Array(FileManager.default.temporaryDirectory.appendingPathComponent("territory-XXXXXX").path.utf8CString)
            fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard fd >= 0 else { throw .io("standard output: cannot make a temporary file: \(String(cString: strerror(errno)))") }
            template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        } else {
            fd = STDOUT_FILENO
        }
    }

    /// Removes `<prefix><pid>.tmp` files whose process is gone.
    private func removeAbandoned(in folder: URL, prefix: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
            guard let pid = Int32(name.dropFirst(prefix.count).dropLast(4)), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(folder.appendingPathComponent(name).path) }
        }
    }

    func write(_ bytes: [UInt8]) throws(Failure) {
        try write(bytes, to: fd)
    }

    private func write(_ bytes: [UInt8], to descriptor: Int32) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io("\(target ?? "standard output"): write failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    func finish() throws(Failure) {
        if let temporary, let target {
            guard fsync(fd) == 0 || errno == EINVAL else { throw .io("\(temporary): fsync failed: \(String(cString: strerror(errno)))") }
            close(fd)
            fd = -1
            guard rename(temporary, target) == 0 else { throw .io("\(target): cannot write: \(String(cString: strerror(errno)))") }
            self.temporary = nil
        } else if fd != STDOUT_FILENO && fd >= 0 {
            // Copy the spooled rows to standard output.
            guard lseek(fd, 0, SEEK_SET) == 0 else { throw .io("standard output: cannot read back the rows: \(String(cString: strerror(errno)))") }
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n < 0 { throw .io("standard output: cannot read back the rows: \(String(cString: strerror(errno)))") }
                if n == 0 { break }
                try write(Array(chunk[0..<n]), to: STDOUT_FILENO)
            }
            close(fd)
            fd = -1
        }
    }

    func discard() {
        if fd >= 0 && fd != STDOUT_FILENO { close(fd) }
        fd = -1
        if let temporary { unlink(temporary) }
        temporary = nil
    }
}
