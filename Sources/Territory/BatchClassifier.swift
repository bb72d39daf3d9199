import Geometry

/// Classifies many dated points at once: for each, the same answer as `status` (control,
/// sovereignty, presence, zones), from raster-indexed grounds rather than GEOS calls, so that
/// millions of points take seconds.
///
/// It holds no state per point: memory stays the same however many points pass through.
public final class BatchClassifier {
    /// One statement in force at some time, with its ground's index.
    private struct Ground {
        let info: StatementInfo
        let grid: PolygonGrid
    }

    private let grounds: [Ground]
    /// The grounds' indexes alone, for the hot loop (no copies of the statements).
    private let groundGrids: [PolygonGrid]
    private let places: [(name: String, grid: PolygonGrid)]
    private let placeGrids: [PolygonGrid]
    private let covered: PolygonGrid
    /// The first day of each slice, and the grounds in force in it (indices into `grounds`).
    private let starts: [Int]
    private let inForce: [[Int]]
    /// The CSV text of each answer seen so far, by slice, statements covering and places covering.
    private var answers = AnswerTable()

    /// An open-addressing table of answers: cheaper than a Dictionary in the hot loop.
    private struct AnswerTable {
        private var keys: [AnswerKey?] = Array(repeating: nil, count: 1024)
        private var texts: [[UInt8]] = Array(repeating: [], count: 1024)
        private var count = 0

        @inline(__always)
        private func slot(_ key: AnswerKey, _ capacity: Int) -> Int {
            var h = UInt64(bitPattern: Int64(key.slice)) &* 0x9E37_79B9_7F4A_7C15
            h ^= key.low &* 0xC2B2_AE3D_27D4_EB4F
            h ^= key.high &* 0x1656_67B1_9E37_79F9
            h ^= key.places &* 0x27D4_EB2F_1656_67C5
            h ^= h >> 29
            return Int(h & UInt64(capacity - 1))
        }

        /// Appends the text of `key` to `out`; false when the key is not in the table.
        @inline(__always)
        func append(_ key: AnswerKey, to out: inout [UInt8]) -> Bool {
            var i = slot(key, keys.count)
            while let k = keys[i] {
                if k == key {
                    out.append(contentsOf: texts[i])
                    return true
                }
                i = (i + 1) & (keys.count - 1)
            }
            return false
        }

        mutating func insert(_ key: AnswerKey, _ text: [UInt8]) {
            if (count + 1) * 2 > keys.count {
                let old = zip(keys, texts).compactMap { k, t in k.map { ($0, t) } }
                keys = Array(repeating: nil, count: keys.count * 2)
                texts = Array(repeating: [], count: keys.count)
                count = 0
                for (k, t) in old { insert(k, t) }
            }
            var i = slot(key, keys.count)
            while keys[i] != nil { i = (i + 1) & (keys.count - 1) }
            keys[i] = key
            texts[i] = text
            count += 1
        }
    }

    private struct AnswerKey: Hashable {
        let slice: Int
        /// Bit k: the k-th statement in force in the slice holds the point (up to 128).
        let low: UInt64
        let high: UInt64
        let places: UInt64
    }

    /// Builds the indexes: `statements` are those in force at some time (none superseded) with
    /// their grounds, `places` the districts and cities by name, `covered` the covered area. The
    /// time slices are the runs of days in which none of the statements starts or ends.
    public init(statements: [(StatementInfo, Shape)], places: [(String, Shape)], covered: [Shape], resolution: Int = 128) {
        var gridsByShape: [Shape: PolygonGrid] = [:]
        func grid(_ shape: Shape) -> PolygonGrid {
            if let hit = gridsByShape[shape] { return hit }
            let made = PolygonGrid(shape.polygons, resolution: resolution)
            gridsByShape[shape] = made
            return made
        }
        grounds = statements.map { Ground(info: $0.0, grid: grid($0.1)) }
        groundGrids = grounds.map(\.grid)
        self.places = places.prefix(64).map { ($0.0, grid($0.1)) }
        placeGrids = self.places.map(\.grid)
        self.covered = PolygonGrid(covered.flatMap(\.polygons), resolution: resolution * 2)
        var days = Set<Day>()
        for (info, _) in statements {
            days.insert(info.interval.from)
            if let to = info.interval.to { days.insert(to) }
        }
        let sliceStarts = days.sorted()
        starts = sliceStarts.map(\.ordinal)
        inForce = sliceStarts.map { start in
            statements.indices.filter { statements[$0].0.interval.contains(start) }
        }
    }

    /// The header of the CSV written.
    public static let header = Array("id,control,sovereignty,presence,zones\n".utf8)

    /// Appends the CSV answer (without the id) for a point on a day to `out`: `,control,sovereignty,presence,zones\n`.
    public func appendAnswer(lon: Double, lat: Double, dayOrdinal: Int, to out: inout [UInt8]) {
        let p = Position(lon, lat)
        var slice = -1
        var lo = 0, hi = starts.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if starts[mid] <= dayOrdinal { slice = mid; lo = mid + 1 } else { hi = mid }
        }
        var placeMask: UInt64 = 0
        placeGrids.withUnsafeBufferPointer { grids in
            for i in 0..<grids.count where grids[i].contains(p) { placeMask |= 1 << UInt64(i) }
        }
        let isCovered = slice >= 0 && covered.contains(p)
        if isCovered, inForce[slice].count > 128 {
            // Too many statements for the bit masks: answer without the cache.
            out += render(found: inForce[slice].filter { grounds[$0].grid.contains(p) }, placeMask: placeMask)
            return
        }
        var low: UInt64 = 0, high: UInt64 = 0
        if isCovered {
            // Nothing starts or ends inside a slice: what is in force on its first day is in force all through it.
            inForce.withUnsafeBufferPointer { lists in
                lists[slice].withUnsafeBufferPointer { list in
                    groundGrids.withUnsafeBufferPointer { grids in
                        for k in 0..<list.count where grids[list[k]].contains(p) {
                            if k < 64 { low |= 1 << UInt64(k) } else { high |= 1 << UInt64(k - 64) }
                        }
                    }
                }
            }
        }
        let key = AnswerKey(slice: slice, low: low, high: high, places: placeMask)
        if answers.append(key, to: &out) { return }
        var found: [Int] = []
        if slice >= 0 {
            let list = inForce[slice]
            for k in 0..<min(list.count, 128) where (k < 64 ? low >> UInt64(k) : high >> UInt64(k - 64)) & 1 == 1 {
                found.append(list[k])
            }
        }
        let text = render(found: found, placeMask: placeMask)
        answers.insert(key, text)
        out += text
    }

    private func render(found: [Int], placeMask: UInt64) -> [UInt8] {
        var control: String?, sovereignty: String?
        var presence = Set<String>()
        var zones: [String] = []
        for (i, place) in places.enumerated() where placeMask & (1 << UInt64(i)) != 0 { zones.append(place.name) }
        zones.sort()
        var statementZones = Set<String>()
        for g in found {
            let info = grounds[g].info
            statementZones.insert(info.zone)
            switch info.facet {
            case .control: control = control ?? info.holder
            case .sovereignty: sovereignty = sovereignty ?? info.holder
            case .presence: presence.insert(info.holder)
            case .administration, .access: break
            }
        }
        zones += statementZones.sorted().filter { !zones.contains($0) }
        let fields = [control ?? "", sovereignty ?? "", presence.sorted().joined(separator: ";"), zones.joined(separator: ";")]
        var text = ""
        for field in fields {
            text += ","
            if field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
                text += "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            } else {
                text += field
            }
        }
        return Array((text + "\n").utf8)
    }
}

