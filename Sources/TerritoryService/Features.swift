import Foundation
import Geometry
import JSONText
import Synchronization
import Territory
import TerritoryStore

/// One feature of a collection as the service serves it: written once as GeoJSON when the
/// snapshot is made, with what the items filters look at.
struct FeatureEntry: Sendable {
    /// Its id in the collection: a statement's id, or `HOLDER.VALID_FROM` of a slice.
    let id: String
    /// The feature as GeoJSON (as `territory layers` writes a slice).
    let text: String
    let valid: DayInterval
    let holder: String
    /// The statements that make it (a statement feature: itself).
    let statements: [String]
    /// Its ground, for the exact bbox test, and the ground's bounding box.
    let polygons: [[[Position]]]
    let minX: Double, minY: Double, maxX: Double, maxY: Double

    init(id: String, text: String, valid: DayInterval, holder: String, statements: [String], polygons: [[[Position]]]) {
        self.id = id
        self.text = text
        self.valid = valid
        self.holder = holder
        self.statements = statements
        self.polygons = polygons
        var x0 = Double.infinity, y0 = Double.infinity, x1 = -Double.infinity, y1 = -Double.infinity
        for ring in polygons.joined() {
            for p in ring {
                x0 = min(x0, p.x); x1 = max(x1, p.x)
                y0 = min(y0, p.y); y1 = max(y1, p.y)
            }
        }
        (minX, minY, maxX, maxY) = (x0, y0, x1, y1)
    }

    /// True when `[valid_from, valid_to)` meets the days asked for (the store's rule).
    func meets(_ during: DayRange) -> Bool {
        if let last = during.through, valid.from > last { return false }
        if let first = during.from, let to = valid.to, to <= first { return false }
        return true
    }
}

/// A collection's features in the store's order, answered from memory: pages, filters (days,
/// holder, statement, box — matched exactly with GEOS) and lookups by id, with the same answers
/// as the store's queries (the service tests compare them with `territory layers`).
struct FeatureList: Sendable {
    let entries: [FeatureEntry]
    private let byID: [String: Int]
    /// GEOS copies of the grounds for the exact box test, made on first use.
    private let workspaces = WorkspacePool()

    init(_ entries: [FeatureEntry]) {
        self.entries = entries
        byID = Dictionary(entries.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    func entry(_ id: String) -> FeatureEntry? { byID[id].map { entries[$0] } }

    /// The features matching `query`, paged: those of the page, and how many match in all.
    func page(_ query: ItemsQuery) throws -> (items: ArraySlice<FeatureEntry>, matched: Int) {
        if query.bbox == nil, query.during == nil, query.holder == nil, query.statement == nil {
            return (entries.dropFirst(query.offset).prefix(query.limit), entries.count)
        }
        var workspace: GroundWorkspace?
        defer { if let workspace { workspaces.giveBack(workspace) } }
        var box: Geometry?
        func meets(_ k: Int, _ b: BBox) throws -> Bool {
            let e = entries[k]
            guard e.minX <= b.maxX, e.maxX >= b.minX, e.minY <= b.maxY, e.maxY >= b.minY else { return false }
            // A ground whose box lies inside the asked box meets it; the others are asked of GEOS
            // (the ground prepared, with its edges indexed).
            if e.minX >= b.minX, e.maxX <= b.maxX, e.minY >= b.minY, e.maxY <= b.maxY { return true }
            let w = workspace ?? workspaces.take(count: entries.count)
            workspace = w
            if box == nil {
                box = try Geometry(.polygon([[Position(b.minX, b.minY), Position(b.maxX, b.minY), Position(b.maxX, b.maxY),
                                              Position(b.minX, b.maxY), Position(b.minX, b.minY)]]), context: w.context)
            }
            return try w.ground(k) { try PreparedGeometry(try Geometry(.multiPolygon(e.polygons), context: w.context)) }.intersects(box!)
        }
        var matching: [FeatureEntry] = []
        for (k, e) in entries.enumerated() {
            if let during = query.during, !e.meets(during) { continue }
            if let holder = query.holder, e.holder != holder { continue }
            if let statement = query.statement, !e.statements.contains(statement) { continue }
            if let b = query.bbox, !(try meets(k, b)) { continue }
            matching.append(e)
        }
        return (matching.dropFirst(query.offset).prefix(query.limit), matching.count)
    }
}

/// A GEOS context with the grounds of one feature list made in it, on first use. One request
/// uses a workspace at a time: it is taken from the pool and given back, never shared while in
/// use (GEOS geometries are not to be used by two threads at once).
final class GroundWorkspace: @unchecked Sendable {
    let context = GEOSContext()
    private var grounds: [PreparedGeometry?]

    init(count: Int) { grounds = Array(repeating: nil, count: count) }

    func ground(_ k: Int, _ make: () throws -> PreparedGeometry) rethrows -> PreparedGeometry {
        if let g = grounds[k] { return g }
        let g = try make()
        grounds[k] = g
        return g
    }
}

/// The idle workspaces of a feature list: as many as requests have tested boxes at once, up to
/// `keep` (each holds a prepared copy of every ground it tested; more are dropped when given back).
final class WorkspacePool: Sendable {
    private let idle = Mutex<[GroundWorkspace]>([])
    static let keep = 4

    func take(count: Int) -> GroundWorkspace {
        idle.withLock { $0.popLast() } ?? GroundWorkspace(count: count)
    }

    func giveBack(_ workspace: GroundWorkspace) {
        idle.withLock { if $0.count < WorkspacePool.keep { $0.append(workspace) } }
    }
}

/// The time of an answer in RFC 3339, to the second, in UTC (OGC API - Features' `timeStamp`).
func timeStamp() -> String {
    var t = time(nil)
    var parts = tm()
    gmtime_r(&t, &parts)
    func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
}
