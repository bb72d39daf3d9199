import Geometry

/// Classifies many dated points at once: for each, the same answer as `status` (control,
/// sovereignty, presence, zones), from raster-indexed grounds rather than GEOS calls, so that
/// millions of points take seconds.
///
/// The classifier itself is immutable and may be shared by several threads; each thread keeps
/// its own `AnswerCache`. Memory does not grow with the number of points.
public final class BatchClassifier: Sendable {
    private let infos: [StatementInfo]
    private let groundGrids: [PolygonGrid]
    private let placeNames: [String]
    private let placeGrids: [PolygonGrid]
    private let covered: PolygonGrid
    /// The first day (ordinal) of each slice, and the statements in force in it (indices).
    private let starts: [Int]
    private let inForce: [[Int]]

    /// Builds the indexes: `statements` are those in force at some time (none superseded) with
    /// their grounds, `places` the districts and cities by name, `covered`
    /// the covered area. The time slices are the runs of days in which none of the statements
    /// starts or ends.
    public init(statements: [(StatementInfo, Shape)], places: [(String, Shape)], covered: [Shape], resolution: Int = 128) {
        var gridsByShape: [Shape: PolygonGrid] = [:]
        func grid(_ shape: Shape) -> PolygonGrid {
            if let hit = gridsByShape[shape] { return hit }
            let made = PolygonGrid(shape.polygons, resolution: resolution)
            gridsByShape[shape] = made
            return made
        }
        infos = statements.map(\.0)
        groundGrids = statements.map { grid($0.1) }
        let kept = places.sorted { $0.0 < $1.0 }
        placeNames = kept.map(\.0)
        placeGrids = kept.map { grid($0.1) }
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

    /// Answers remembered by one thread: the CSV text of each combination of slice, statements
    /// and places seen so far. An open-addressing table, cheaper than a Dictionary per point.
    public struct AnswerCache {
        fileprivate var keys: [Key?] = Array(repeating: nil, count: 1024)
        fileprivate var texts: [[UInt8]] = Array(repeating: [], count: 1024)
        fileprivate var count = 0

        public init() {}

        fileprivate struct Key: Equatable {
            let slice: Int
            /// Bit k: the k-th statement in force in the slice holds the point.
            let low: UInt64
            let high: UInt64
            let places: UInt64
        }

        @inline(__always)
        fileprivate func slot(_ key: Key, _ capacity: Int) -> Int {
            var h = UInt64(bitPattern: Int64(key.slice)) &* 0x9E37_79B9_7F4A_7C15
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
                    out.append(contentsOf: texts[i])
                    return true
                }
                i = (i + 1) & (keys.count - 1)
            }
            return false
        }

        fileprivate mutating func insert(_ key: Key, _ text: [UInt8]) {
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

    /// Appends `id,control,sovereignty,presence,zones` for points `range` of `batch` to `out`.
    public func classify(_ batch: PointBatch, _ range: Range<Int>, cache: inout AnswerCache, into out: inout [UInt8]) {
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
                let isCovered = slice >= 0 && covered.contains(p)
                if places.count > 64 || (isCovered && inForce[slice].count > 128) {
                    // Too many places or statements for the bit masks: answer without the cache.
                    let found = isCovered ? inForce[slice].filter { grounds[$0].contains(p) } : []
                    out += render(found: found, places: (0..<places.count).filter { places[$0].contains(p) })
                    continue
                }
                var placeMask: UInt64 = 0
                for i in 0..<places.count where places[i].contains(p) { placeMask |= 1 << UInt64(i) }
                var low: UInt64 = 0, high: UInt64 = 0
                if isCovered {
                    let list = inForce[slice]
                    // Nothing starts or ends inside a slice: what is in force on its first day is in force all through it.
                    list.withUnsafeBufferPointer { list in
                        for j in 0..<list.count where grounds[list[j]].contains(p) {
                            if j < 64 { low |= 1 << UInt64(j) } else { high |= 1 << UInt64(j - 64) }
                        }
                    }
                }
                let key = AnswerCache.Key(slice: slice, low: low, high: high, places: placeMask)
                if cache.append(key, to: &out) { continue }
                var found: [Int] = []
                if slice >= 0 {
                    let list = inForce[slice]
                    for j in 0..<list.count where (j < 64 ? low >> UInt64(j) : high >> UInt64(j - 64)) & 1 == 1 {
                        found.append(list[j])
                    }
                }
                let text = render(found: found, places: (0..<places.count).filter { placeMask & (1 << UInt64($0)) != 0 })
                cache.insert(key, text)
                out += text
            }
        }
        }
        }
        }
        }
    }

    private func render(found: [Int], places: [Int]) -> [UInt8] {
        var control: String?, sovereignty: String?
        var presence = Set<String>()
        var zones = places.map { placeNames[$0] }
        var statementZones = Set<String>()
        for g in found {
            let info = infos[g]
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
