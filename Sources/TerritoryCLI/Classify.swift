import Foundation
import Territory
import TerritoryStore

/// `territory status --csv`: streams dated points through the batch classifier, in input order,
/// in bounded memory: the input is read and the output written in chunks of 1 MiB.
///
/// A file whose header is `id,place,date` (or `--header id,place,date`) names each point's place
/// instead of its coordinates: the rows are turned into `id,lon,lat,date` rows with the gazetteer's
/// coordinates before they are parsed; a name that finds no single place is a problem of its row.
func classify(csv: String, columns: [CSVColumn], headerless: Bool, placeColumn: Bool = false, storeOnly: Bool, strict: Bool, out: String?, check: Bool = false,
              data: DataOptions, record options: RecordOptions? = nil) throws(Failure) {
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

    // --check reads and checks every row and classifies nothing: no store, no output.
    let classifier: BatchClassifier?
    var store: Store?
    if check {
        classifier = nil
    } else {
        let opened = storeOnly ? try data.storeAsItIs() : try data.openStore()
        store = opened
        classifier = BatchClassifier(engine: opened.engine, columns: columns, record: try options?.record(opened) ?? .today)
    }
    // Rows naming places: the gazetteer of the store (opened for --check too, to find the names).
    func placeRows() throws(Failure) -> PlaceColumnCSV {
        let opened: Store
        if let store { opened = store } else { opened = storeOnly ? try data.storeAsItIs() : try data.openStore() }
        do { return PlaceColumnCSV(gazetteer: try opened.gazetteer()) } catch { throw Failure(error) }
    }
    var places: PlaceColumnCSV? = placeColumn ? try placeRows() : nil

    // Output through the one atomic writer: a temporary file renamed into place for --out; for
    // standard output, a temporary file copied out at the end, so that a failure never leaves a
    // partial result.
    let sink: AtomicFile?
    do { sink = check ? nil : try AtomicFile(path: out) } catch { throw Failure(error) }
    // Two workers, one per core: each parses and classifies half of every chunk, in order.
    let workers = (0..<max(1, min(2, ProcessInfo.processInfo.activeProcessorCount))).map { _ in ClassifyWorker(classifier) }
    // Written on a thread of its own, while the next chunk is read and classified.
    let writer = sink.map(BackgroundWriter.init)
    var chunker = LineChunker()
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    var rows = 0, skipped = 0, readBytes: Int64 = 0
    // The number of the next line to parse; 0 until the header is read. Without a header (a
    // stage of a pipeline: Spark's partitions), rows start on line 1 and none is written either.
    var nextLine = headerless ? 1 : 0
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
                if PlaceColumnCSV.isHeader(PlaceColumnCSV.firstLine(lines)) {
                    places = try placeRows()
                    lines.removeFirst(min(PlaceColumnCSV.firstLine(lines).count + 1, lines.count))
                } else {
                    let start = lines.withUnsafeBufferPointer { DatedPointCSV.bodyStart($0) }
                    switch start {
                    case .failure(let problem):
                        throw Failure.badData("\(source.name): \(problem.description.replacingOccurrences(of: "'id,lon,lat,date'", with: "'id,lon,lat,date' (or 'id,place,date')"))")
                    case .success(let offset): lines.removeFirst(offset)
                    }
                }
                nextLine = 2
                if let classifier { try writer?.write(classifier.header) }
            }
            // Rows naming places become rows of coordinates; a row whose place is not found is
            // left blank, so that line numbers keep, and reported with the rest below.
            var unplaced: [RowError] = []
            if let translated = places?.translate(lines, firstLine: nextLine) {
                lines = translated.lines
                unplaced = translated.problems
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
                let first = nextLine, last = nextLine + worker.lines
                let own = unplaced.filter { $0.line >= first && ($0.line < last || i == parts - 1) }
                let numbered = (worker.batch.problems.map { RowError(line: $0.line + nextLine - 1, message: $0.message) } + own).sorted { $0.line < $1.line }
                for numbered in numbered {
                    skipped += 1
                    if strict { throw Failure.badData("\(source.name): \(numbered) (--strict: nothing written)") }
                    if skipped <= 1000 { printError("territory status: \(source.name): \(numbered); row skipped") }
                }
                nextLine += worker.lines
                rows += worker.rows
                try writer?.write(worker.takeOutput(writer))
            }
            if progress, rows - lastProgress >= 250_000 {
                lastProgress = rows
                let share = total > 0 ? String(format: " (%.0f %%)", Double(readBytes) / Double(total) * 100) : ""
                FileHandle.standardError.write(Data("\rterritory status: \(rows) points\(share)".utf8))
            }
            if n == 0 { break }
        }
        if nextLine == 0 { throw Failure.badData("\(source.name): empty input: expected the header 'id,lon,lat,date'") }
        try writer?.finish()
        try sink?.commit()
    } catch let error as Failure {
        failure = error
    } catch let error as TerritoryError {
        failure = Failure(error)
    } catch {
        failure = .internalError("\(error)")
    }
    if progress && rows >= 250_000 { FileHandle.standardError.write(Data("\n".utf8)) }
    if let failure {
        try? writer?.finish()
        sink?.discard()
        throw failure
    }
    if skipped > 1000 { printError("territory status: \(source.name): \(skipped - 1000) more rows skipped") }
    if check {
        let all = rows + skipped
        printError("territory status: \(source.name): \(all) row\(all == 1 ? "" : "s") read: " + (skipped == 0 ? "every one can be classified" : "\(rows) can be classified, \(skipped) cannot"))
        if skipped > 0 { throw .badData("\(source.name): \(skipped) row\(skipped == 1 ? "" : "s") cannot be read") }
    } else if skipped > 0 || progress {
        printError("territory status: \(rows) points classified\(skipped > 0 ? ", \(skipped) rows skipped" : "")")
    }
}

/// Writes chunks to the sink on a serial queue of its own, in order, at most two chunks behind
/// the caller (bounded memory); the first failure is reported by the next call.
final class BackgroundWriter: @unchecked Sendable {
    private let sink: AtomicFile
    private let queue = DispatchQueue(label: "territory.status.writer")
    private let slots = DispatchSemaphore(value: 2)
    private let lock = NSLock()
    private var failure: TerritoryError?

    init(_ sink: AtomicFile) { self.sink = sink }

    func write(_ bytes: [UInt8]) throws(TerritoryError) {
        if let failure = takeFailure() { throw failure }
        slots.wait()
        let chunk = Chunk(bytes)
        queue.async {
            defer { self.slots.signal() }
            if self.lock.withLock({ self.failure != nil }) { return }
            do throws(TerritoryError) { try self.sink.write(chunk.bytes) } catch { self.lock.withLock { self.failure = error } }
            // The buffer goes back for another chunk: memory already mapped, no page faults.
            chunk.bytes.removeAll(keepingCapacity: true)
            self.lock.withLock { if self.spares.count < 4 { self.spares.append(chunk) } }
        }
    }

    /// An empty buffer whose chunk has been written, if one is free.
    func spare() -> [UInt8]? {
        guard let chunk = lock.withLock({ spares.popLast() }) else { return nil }
        let bytes = chunk.bytes
        chunk.bytes = []
        return bytes
    }

    private final class Chunk: @unchecked Sendable {
        var bytes: [UInt8]
        init(_ bytes: [UInt8]) { self.bytes = bytes }
    }
    private var spares: [Chunk] = []

    /// Waits for every chunk to be written.
    func finish() throws(TerritoryError) {
        queue.sync {}
        if let failure = takeFailure() { throw failure }
    }

    private func takeFailure() -> TerritoryError? { lock.withLock { failure } }
}

/// One thread's share of a chunk: its parsed points, its output, its cache of answers.
final class ClassifyWorker: @unchecked Sendable {
    /// Nil for --check: parse only.
    let classifier: BatchClassifier?
    var batch = PointBatch()
    var out: [UInt8] = []
    var cache = BatchClassifier.AnswerCache()
    /// The lines of the last part, counted from 1, and its rows read.
    var lines = 0, rows = 0

    init(_ classifier: BatchClassifier?) {
        self.classifier = classifier
        out.reserveCapacity(1 << 20)
    }

    /// The output of the last part, leaving a buffer for the next (one the writer is done with,
    /// when it has one).
    func takeOutput(_ writer: BackgroundWriter?) -> [UInt8] {
        let bytes = out
        if let spare = writer?.spare() {
            out = spare
        } else {
            out = []
            out.reserveCapacity(bytes.count)
        }
        return bytes
    }

    /// Reads (and, unless --check, classifies) the lines of `range` in one pass.
    func run(_ bytes: [UInt8], _ range: Range<Int>) {
        batch.removeAll()
        out.removeAll(keepingCapacity: true)
        (lines, rows) = bytes.withUnsafeBufferPointer { all in
            let part = UnsafeBufferPointer(rebasing: all[range])
            if let classifier { return classifier.classifyRows(part, cache: &cache, into: &out, problems: &batch.problems) }
            let lines = DatedPointCSV.parse(part, firstLine: 1, into: &batch)
            return (lines, batch.count)
        }
    }
}
