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
    private let places: [(name: String, grid: PolygonGrid)]
    private let covered: PolygonGrid
    /// The first day of each slice, and the grounds in force in it (indices into `grounds`).
    private let starts: [Int]
    private let inForce: [[Int]]
    /// The CSV text of each answer seen so far, by slice, statements covering and places covering.
    private var cache: [AnswerKey: [UInt8]] = [:]

    private struct AnswerKey: Hashable {
        let slice: Int
        let statements: [Int]
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
        self.places = places.prefix(64).map { ($0.0, grid($0.1)) }
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
        for (i, place) in places.enumerated() where place.grid.contains(p) { placeMask |= 1 << UInt64(i) }
        var found: [Int] = []
        if slice >= 0, covered.contains(p) {
            // Nothing starts or ends inside a slice: what is in force on its first day is in force all through it.
            for g in inForce[slice] where grounds[g].grid.contains(p) {
                found.append(g)
            }
        }
        let key = AnswerKey(slice: slice, statements: found, places: placeMask)
        if let text = cache[key] {
            out += text
            return
        }
        let text = render(found: found, placeMask: placeMask)
        cache[key] = text
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

