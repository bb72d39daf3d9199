import Geometry

/// A column of `status --csv`'s output, after the id.
public enum CSVColumn: String, Sendable, CaseIterable {
    /// `true` or `false`: inside the covered area.
    case covered
    case control, sovereignty, administration, presence, access
    /// Districts and cities, then the statements' zones, joined with `;`.
    case zones
    /// The ids of the statements in force at the point, joined with `;`.
    case statements

    /// The default: every facet and the zones.
    public static let defaults: [CSVColumn] = [.control, .sovereignty, .administration, .presence, .access, .zones]

    /// Reads a comma-separated list of column names (case-insensitive); throws naming the first unknown one.
    public static func list(_ text: String) throws(TerritoryError) -> [CSVColumn] {
        var columns: [CSVColumn] = []
        for name in text.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            guard let column = CSVColumn(rawValue: name) else {
                throw .badInput("--columns: '\(name)' is not a column (choose from \(allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard !columns.contains(column) else { throw .badInput("--columns: '\(name)' is named twice") }
            columns.append(column)
        }
        return columns
    }

    /// The header line: `id,` and the columns.
    public static func header(_ columns: [CSVColumn]) -> [UInt8] {
        Array((["id"] + columns.map(\.rawValue)).joined(separator: ",").utf8) + [0x0A]
    }

    /// The row's fields after the id, from the answer, each field quoted where CSV needs it,
    /// with a leading comma and a closing newline (bytes built directly: a batch renders each
    /// distinct answer once, but there can be thousands).
    public static func fields(_ answer: StatusAnswer, _ columns: [CSVColumn]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 * columns.count)
        for column in columns {
            let parts: [String]
            switch column {
            case .covered: parts = [answer.covered ? "true" : "false"]
            case .control: parts = answer.codes(.control)
            case .sovereignty: parts = answer.codes(.sovereignty)
            case .administration: parts = answer.codes(.administration)
            case .presence: parts = answer.codes(.presence)
            case .access: parts = answer.codes(.access)
            case .zones: parts = answer.zones
            case .statements: parts = answer.statements.map(\.id)
            }
            var field: [UInt8] = []
            for (k, part) in parts.enumerated() {
                if k > 0 { field.append(0x3B) }
                field.append(contentsOf: part.utf8)
            }
            out.append(0x2C)
            if field.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
                out.append(0x22)
                for byte in field {
                    if byte == 0x22 { out.append(0x22) }
                    out.append(byte)
                }
                out.append(0x22)
            } else {
                out += field
            }
        }
        out.append(0x0A)
        return out
    }
}

/// Classifies many dated points at once through the engine: the same grids and the same status
/// rule as one `status` answer, with each distinct answer rendered once and remembered, so that
/// millions of points take seconds.
///
/// The classifier itself is immutable and may be shared by several threads; each thread keeps
/// its own `AnswerCache`. Memory does not grow with the number of points.
public final class BatchClassifier: Sendable {
    public let engine: Engine
    public let columns: [CSVColumn]
    private let groundGrids: [PolygonGrid]
    private let placeGrids: [PolygonGrid]
    private let covered: PolygonGrid
    /// The first day (ordinal) of each slice, and the statements in force in it (indices).
    fileprivate let starts: [Int]
    fileprivate let inForce: [[Int]]
    /// Every ground, place and the covered area on one raster, when they are 64 or fewer: bit i
    /// for statement i, then one bit per place (in name order), then the covered area.
    private let raster: RasterIndex?
    /// Per slice: the bits of the statements in force in it.
    private let sliceMasks: [UInt64]
    /// Per day from the first slice's start to the last's: the slice holding it.
    private let sliceOfDay: [Int32]

    /// Builds the raster of every ground, place and the covered area now (or, for more than 64,
    /// every grid of the engine), for `columns`, answering from `record`.
    public init(engine: Engine, columns: [CSVColumn] = CSVColumn.defaults, record: RecordView = .today) {
        self.engine = engine
        self.columns = columns
        let slices = engine.slices(in: record)
        starts = slices.map(\.interval.from.ordinal)
        inForce = slices.map(\.members)
        var sliceOfDay: [Int32] = []
        if let first = starts.first, let last = starts.last {
            sliceOfDay = [Int32](repeating: 0, count: last - first + 1)
            for (k, start) in starts.enumerated() {
                let end = k + 1 < starts.count ? starts[k + 1] : last + 1
                for day in start..<max(start, end) { sliceOfDay[day - first] = Int32(k) }
            }
        }
        self.sliceOfDay = sliceOfDay
        let sets = engine.statements.indices.map { engine.ground(of: $0).polygons } + engine.placeShapes.map(\.polygons) + [engine.coveredArea.polygons]
        if let raster = RasterIndex(sets) {
            // Every set on the raster, which asks no grid.
            self.raster = raster
            sliceMasks = inForce.map { $0.reduce(UInt64(0)) { $0 | 1 << UInt64($1) } }
            groundGrids = []
            placeGrids = []
            covered = PolygonGrid([])
        } else {
            raster = nil
            sliceMasks = []
            engine.buildGrids()
            groundGrids = engine.statements.indices.map { engine.groundGrid($0) }
            placeGrids = engine.placeNames.indices.map { engine.placeGrid($0) }
            covered = engine.coveredGrid
        }
    }

    /// The header of the CSV written.
    public var header: [UInt8] { CSVColumn.header(columns) }

    /// Answers remembered by one thread: the CSV text of each combination of slice, covered,
    /// statements and places seen so far, all in one buffer. An open-addressing table, cheaper
    /// than a Dictionary per point.
    public struct AnswerCache {
        fileprivate var keys: [Key?] = Array(repeating: nil, count: 1024)
        /// Per slot: where its text is in `arena`.
        fileprivate var spans: [(start: Int, count: Int)] = Array(repeating: (0, 0), count: 1024)
        fileprivate var arena: [UInt8] = []
        fileprivate var count = 0

        public init() {}

        fileprivate struct Key: Equatable {
            let slice: Int
            let covered: Bool
            /// Bit k: the k-th statement in force in the slice holds the point (with the raster:
            /// statement k of the catalog; `places` then holds the raster's place bits).
            let low: UInt64
            let high: UInt64
            let places: UInt64
        }

        @inline(__always)
        fileprivate func slot(_ key: Key, _ capacity: Int) -> Int {
            var h = UInt64(bitPattern: Int64(key.slice * 2 + (key.covered ? 1 : 0))) &* 0x9E37_79B9_7F4A_7C15
            h ^= key.low &* 0xC2B2_AE3D_27D4_EB4F
            h ^= key.high &* 0x1656_67B1_9E37_79F9
            h ^= key.places &* 0x27D4_EB2F_1656_67C5
            h ^= h >> 29
            return Int(h & UInt64(capacity - 1))
        }

        /// Appends the text of `key` to `out`; false when it is not known yet.
        @inline(__always)
        fileprivate func append(_ key: Key, to out: inout [UInt8]) -> Bool {
            var i = slot(key, keys.count)
            while let k = keys[i] {
                if k == key {
                    let span = spans[i]
                    arena.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[span.start..<(span.start + span.count)])) }
                    return true
                }
                i = (i + 1) & (keys.count - 1)
            }
            return false
        }

        fileprivate mutating func insert(_ key: Key, _ text: [UInt8]) {
            if (count + 1) * 2 > keys.count {
                let old = zip(keys, spans).compactMap { k, t in k.map { ($0, t) } }
                keys = Array(repeating: nil, count: keys.count * 2)
                spans = Array(repeating: (0, 0), count: keys.count)
                for (k, t) in old {
                    var i = slot(k, keys.count)
                    while keys[i] != nil { i = (i + 1) & (keys.count - 1) }
                    keys[i] = k
                    spans[i] = t
                }
            }
            var i = slot(key, keys.count)
            while keys[i] != nil { i = (i + 1) & (keys.count - 1) }
            keys[i] = key
            spans[i] = (arena.count, text.count)
            arena += text
            count += 1
        }
    }

    /// Appends `id` and the columns for points `range` of `batch` to `out`.
    public func classify(_ batch: PointBatch, _ range: Range<Int>, cache: inout AnswerCache, into out: inout [UInt8]) {
        if let raster {
            sliceOfDay.withUnsafeBufferPointer { sliceOfDay in
            sliceMasks.withUnsafeBufferPointer { sliceMasks in
                let pass = RasterPass(self, raster, sliceOfDay, sliceMasks)
                for k in range {
                    out += batch.id(k)
                    pass.answer(Position(batch.lons[k], batch.lats[k]), day: batch.days[k], cache: &cache, into: &out)
                }
            }
            }
            return
        }
        starts.withUnsafeBufferPointer { starts in
        inForce.withUnsafeBufferPointer { inForce in
        groundGrids.withUnsafeBufferPointer { grounds in
        placeGrids.withUnsafeBufferPointer { places in
        batch.ids.withUnsafeBufferPointer { ids in
            for k in range {
                let p = Position(batch.lons[k], batch.lats[k])
                let day = batch.days[k]
                out.append(contentsOf: UnsafeBufferPointer(rebasing: ids[(k == 0 ? 0 : batch.idEnds[k - 1])..<batch.idEnds[k]]))
                // The slice holding the day: the last one starting on or before it.
                var slice = -1
                var lo = 0, hi = starts.count
                while lo < hi {
                    let mid = (lo + hi) >> 1
                    if starts[mid] <= day { slice = mid; lo = mid + 1 } else { hi = mid }
                }
                let isCovered = covered.contains(p)
                if places.count > 64 || (slice >= 0 && inForce[slice].count > 128) {
                    // Too many places or statements for the bit masks: answer without the cache.
                    let found = isCovered && slice >= 0 ? inForce[slice].filter { grounds[$0].contains(p) } : []
                    out += render(day: day, p, isCovered, found: found, places: (0..<places.count).filter { places[$0].contains(p) })
                    continue
                }
                var placeMask: UInt64 = 0
                for i in 0..<places.count where places[i].contains(p) { placeMask |= 1 << UInt64(i) }
                var low: UInt64 = 0, high: UInt64 = 0
                if isCovered && slice >= 0 {
                    let list = inForce[slice]
                    // Nothing starts or ends inside a slice: what is in force on its first day is in force all through it.
                    list.withUnsafeBufferPointer { list in
                        for j in 0..<list.count where grounds[list[j]].contains(p) {
                            if j < 64 { low |= 1 << UInt64(j) } else { high |= 1 << UInt64(j - 64) }
                        }
                    }
                }
                let key = AnswerCache.Key(slice: slice, covered: isCovered, low: low, high: high, places: placeMask)
                if cache.append(key, to: &out) { continue }
                var found: [Int] = []
                if slice >= 0 {
                    let list = inForce[slice]
                    for j in 0..<list.count where (j < 64 ? low >> UInt64(j) : high >> UInt64(j - 64)) & 1 == 1 {
                        found.append(list[j])
                    }
                }
                let text = render(day: day, p, isCovered, found: found, places: (0..<places.count).filter { placeMask & (1 << UInt64($0)) != 0 })
                cache.insert(key, text)
                out += text
            }
        }
        }
        }
        }
        }
    }

    /// Reads and classifies the complete lines of `bytes` (the first is line 1) in one pass: each
    /// row's id and fields appended to `out` as they are read, with one raster lookup per point for
    /// every ground, place and the covered area; each row that does not read goes to `problems`.
    /// Returns the number of lines read and of rows classified.
    public func classifyRows(_ bytes: UnsafeBufferPointer<UInt8>, cache: inout AnswerCache, into out: inout [UInt8],
                             problems: inout [RowError]) -> (lines: Int, rows: Int) {
        guard let raster else {
            var batch = PointBatch()
            let lines = DatedPointCSV.parse(bytes, firstLine: 1, into: &batch)
            problems += batch.problems
            classify(batch, 0..<batch.count, cache: &cache, into: &out)
            return (lines, batch.count)
        }
        var rows = 0
        let lines = sliceOfDay.withUnsafeBufferPointer { sliceOfDay in
        sliceMasks.withUnsafeBufferPointer { sliceMasks in
            let pass = RasterPass(self, raster, sliceOfDay, sliceMasks)
            return DatedPointCSV.forEachRow(bytes, firstLine: 1, problems: &problems) { row in
                rows += 1
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[row.id]))
                pass.answer(Position(row.lon, row.lat), day: row.day, cache: &cache, into: &out)
            }
        }
        }
        return (lines, rows)
    }

    /// The raster's answer for one point, with what every point shares.
    private struct RasterPass {
        let classifier: BatchClassifier
        let raster: RasterIndex
        let sliceOfDay: UnsafeBufferPointer<Int32>
        let sliceMasks: UnsafeBufferPointer<UInt64>
        let statementCount: Int, placeCount: Int
        let placeBits: UInt64, coveredBit: UInt64
        let firstDay: Int, lastStart: Int, lastSlice: Int

        init(_ classifier: BatchClassifier, _ raster: RasterIndex, _ sliceOfDay: UnsafeBufferPointer<Int32>, _ sliceMasks: UnsafeBufferPointer<UInt64>) {
            self.classifier = classifier
            self.raster = raster
            self.sliceOfDay = sliceOfDay
            self.sliceMasks = sliceMasks
            statementCount = classifier.engine.statements.count
            placeCount = classifier.engine.placeNames.count
            placeBits = placeCount == 0 ? 0 : (UInt64.max >> UInt64(64 - placeCount)) << UInt64(statementCount)
            coveredBit = 1 << UInt64(statementCount + placeCount)
            firstDay = classifier.starts.first ?? 0
            lastStart = classifier.starts.last ?? 0
            lastSlice = classifier.starts.count - 1
        }

        /// Appends the columns of `p` on `day` (ordinal) to `out`.
        @inline(__always)
        func answer(_ p: Position, day: Int, cache: inout AnswerCache, into out: inout [UInt8]) {
            // The slice holding the day: the last one starting on or before it.
            let slice = day < firstDay ? -1 : day >= lastStart ? lastSlice : Int(sliceOfDay[day - firstDay])
            let mask = raster.sets(containing: p)
            let isCovered = mask & coveredBit != 0
            let held = isCovered && slice >= 0 ? mask & sliceMasks[slice] : 0
            let key = AnswerCache.Key(slice: slice, covered: isCovered, low: held, high: 0, places: mask & placeBits)
            if cache.append(key, to: &out) { return }
            let found = slice >= 0 ? classifier.inForce[slice].filter { held >> UInt64($0) & 1 == 1 } : []
            let places = (0..<placeCount).filter { mask >> UInt64(statementCount + $0) & 1 == 1 }
            let text = classifier.render(day: day, p, isCovered, found: found, places: places)
            cache.insert(key, text)
            out += text
        }
    }

    /// The row's fields, by the one status rule (the position and day do not enter the fields).
    fileprivate func render(day: Int, _ p: Position, _ covered: Bool, found: [Int], places: [Int]) -> [UInt8] {
        let answer = StatusAnswer(position: p, day: Day(ordinal: day), covered: covered, found: found.map { engine.statements[$0] },
                                  places: places.map { engine.placeNames[$0] })
        return CSVColumn.fields(answer, columns)
    }
}
