import Dispatch
import Geometry
import Synchronization

/// The one engine under every answer: the statements with their grounds, the places, the covered
/// area and the time slices, as plain values, answering the status of a place on a day, the
/// timeline, and (through `BatchClassifier`) millions of dated points, all by the one status rule.
///
/// It is immutable and `Sendable`: many tasks may ask at once. Point tests run on raster-indexed
/// polygons (`PolygonGrid`, pure Swift, the same for one place and for a million), each built once
/// on first use and kept; a point on an edge or a vertex is inside, as GEOS's `covers` has it.
public final class Engine: Sendable {
    /// What the data calls itself (catalog.json's title).
    public let title: String
    /// The imported boundary pack in use, cited, if any.
    public let boundaries: String?
    /// Every statement (on today's record or not), in catalog order.
    public let statements: [StatementInfo]
    /// The time slices of today's record; members index `statements`.
    public let slices: [Slice]
    let grounds: [Shape]
    let groundBoxes: [Box]
    let placeNames: [String]
    let placeShapes: [Shape]
    let placeBoxes: [Box]
    let covered: Shape
    /// One cell per grid (statements, then places, then the covered area), each filled once.
    private let cells: [GridCell]
    /// The slices of other records than today's (as of a day, in a view), made on first use.
    private let otherSlices = Mutex<[RecordView: [Slice]]>([:])
    /// The chronology of changes of each record asked, made on first use.
    let chronologies = Mutex<[RecordView: [HolderChange]]>([:])
    /// Each statement's position in catalog order, by id.
    let statementIndex: [String: Int]
    /// The days on which the record changed (an announcement, an end announced), in order.
    let recordDays: [Day]

    /// What the engine will be asked: a few answers (one status, one timeline at a place) or
    /// many (a batch, a server). Grids for many answers index their edges in cells (128², the
    /// covered area 256²), costly to build and fast to ask; grids for few are one cell holding
    /// every edge, as cheap to build as a single answer. Both answer by the same rule, the same.
    public enum Use: Sendable {
        case few, many
    }

    public let use: Use

    /// The grid resolutions: statements' grounds and places, and the covered area.
    var resolution: Int { use == .few ? 1 : 128 }
    var coveredResolution: Int { use == .few ? 1 : 256 }

    /// An engine over `statements` (catalog order) and their `grounds` (the same order), the
    /// districts and cities by name, and the covered area.
    public init(title: String, boundaries: String?, statements: [StatementInfo], grounds: [Shape], places: [(name: String, shape: Shape)], covered: Shape,
                use: Use = .many) {
        precondition(statements.count == grounds.count, "one ground per statement")
        self.use = use
        self.title = title
        self.boundaries = boundaries
        self.statements = statements
        statementIndex = Dictionary(statements.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        recordDays = Set(statements.flatMap { [$0.announced] + ($0.qualifiers.toAnnounced.map { [$0] } ?? []) }).sorted()
        self.grounds = grounds
        groundBoxes = grounds.map(Box.init)
        let sorted = places.sorted { $0.name < $1.name }
        placeNames = sorted.map(\.name)
        placeShapes = sorted.map(\.shape)
        placeBoxes = placeShapes.map(Box.init)
        self.covered = covered
        slices = Slicing.slices(of: statements)
        cells = (0..<(statements.count + sorted.count + 1)).map { _ in GridCell() }
    }

    /// The first day of the record (the first slice's), if any.
    public var firstDay: Day? { slices.first?.interval.from }

    /// The time slices of `record`: today's are made once with the engine, others on first use.
    public func slices(in record: RecordView) -> [Slice] {
        let record = canonical(record)
        if record.isToday { return slices }
        return otherSlices.withLock { cache in
            if let hit = cache[record] { return hit }
            let made = Slicing.slices(of: statements, in: record)
            if cache.count > 256 { cache.removeAll() }
            cache[record] = made
            return made
        }
    }

    /// The record that gives the same answers as `record`: its as-of day moved back to the last
    /// day on or before it on which the record changed, and none (today's) when nothing changed
    /// after it. Caches are keyed by it, so that every day of a quiet month shares one entry.
    public func canonical(_ record: RecordView) -> RecordView {
        guard let asOf = record.asOf else { return record }
        guard let last = recordDays.last, asOf < last else { return RecordView(asOf: nil, view: record.view) }
        var lo = 0, hi = recordDays.count, found: Day?
        while lo < hi {
            let mid = (lo + hi) / 2
            if recordDays[mid] <= asOf { found = recordDays[mid]; lo = mid + 1 } else { hi = mid }
        }
        return RecordView(asOf: found ?? asOf, view: record.view)
    }

    /// The first day anything was announced in `view` (the default view when nil): an answer as
    /// of an earlier day has no record to come from.
    public func recordAnnounced(view: String? = nil) -> Day? {
        statements.filter { $0.isInView(view) }.map(\.announced).min()
    }


    /// The ground of statement `i` (within the covered area).
    public func ground(of i: Int) -> Shape { grounds[i] }

    /// The districts and cities, by name.
    public var places: [(name: String, shape: Shape)] { zip(placeNames, placeShapes).map { ($0, $1) } }

    /// The covered area.
    public var coveredArea: Shape { covered }

    /// The statement with this id.
    public func statement(_ id: String) -> StatementInfo? { statements.first { $0.id == id } }

    // MARK: Grids, built once each on first use

    /// The grid of statement `i`'s ground.
    func groundGrid(_ i: Int) -> PolygonGrid {
        cells[i].grid { PolygonGrid(grounds[i].polygons, resolution: resolution) }
    }

    /// The grid of place `i` (in name order).
    func placeGrid(_ i: Int) -> PolygonGrid {
        cells[statements.count + i].grid { PolygonGrid(placeShapes[i].polygons, resolution: resolution) }
    }

    /// Builds every grid now, on every core (a batch needs them all; one answer needs few).
    public func buildGrids() {
        let count = cells.count
        DispatchQueue.concurrentPerform(iterations: count) { k in
            // The largest first: the covered area, then the places, then the grounds.
            let i = count - 1 - k
            if i == count - 1 { _ = coveredGrid } else if i >= statements.count { _ = placeGrid(i - statements.count) } else { _ = groundGrid(i) }
        }
    }

    var coveredGrid: PolygonGrid {
        cells[cells.count - 1].grid { PolygonGrid(covered.polygons, resolution: coveredResolution) }
    }

    /// True when statement `i`'s ground holds the position (inside or on its edge).
    public func covers(statement i: Int, _ p: Position) -> Bool {
        groundBoxes[i].contains(p) && groundGrid(i).contains(p)
    }

    /// True when the position is inside the covered area (or on its edge).
    public func isCovered(_ p: Position) -> Bool { coveredGrid.contains(p) }

    /// The districts and cities holding the position, sorted by name.
    public func places(at p: Position) -> [String] {
        placeNames.indices.filter { placeBoxes[$0].contains(p) && placeGrid($0).contains(p) }.map { placeNames[$0] }
    }

    // MARK: Answers

    /// The status of `position` on `day`, by the one status rule, from the slice in force on the
    /// day. A place outside the covered area answers `covered: false` with no holders.
    public func status(at position: Position, on day: Day, in record: RecordView = .today) -> StatusAnswer {
        let isCovered = isCovered(position)
        let slices = slices(in: record)
        let inForce = isCovered ? found(at: position, on: day, slices) : []
        // A day inside an uncertain start or end of a statement that holds the place: say so,
        // with the holders on either side of the range, when they differ.
        var uncertain: [Uncertainty] = []
        if isCovered {
            for (i, s) in statements.enumerated() where s.isHeld(by: record) {
                guard let range = s.uncertainty(on: day, asOf: record.asOf), covers(statement: i, position) else { continue }
                let before = holders(s.facet, found(at: position, on: range.first.adding(days: -1), slices))
                let after = holders(s.facet, found(at: position, on: range.last, slices))
                let u = Uncertainty(facet: s.facet, first: range.first, last: range.last, before: before, after: after, statement: s.id)
                if before != after, !uncertain.contains(where: { $0.facet == u.facet && $0.first == u.first && $0.last == u.last }) { uncertain.append(u) }
            }
        }
        return StatusAnswer(position: position, day: day, covered: isCovered, found: inForce, places: places(at: position),
                            recordBegins: slices.first?.interval.from, record: record, uncertain: uncertain)
    }

    /// The statements in force at the position on the day, from `slices`, in the order that decides.
    func found(at position: Position, on day: Day, _ slices: [Slice]) -> [StatementInfo] {
        guard let k = Slicing.index(of: day, in: slices) else { return [] }
        return slices[k].members.filter { covers(statement: $0, position) }.map { statements[$0] }
    }

    /// The holders of a facet among statements in force, by the status rule.
    func holders(_ facet: Facet, _ found: [StatementInfo]) -> [String] {
        StatusAnswer(position: Position(0, 0), day: Day(ordinal: 0), covered: true, found: found, places: []).codes(facet)
    }

    /// Every dated change, in order (on one day, endings before beginnings, then by facet and id);
    /// at a position, only the statements whose ground holds it, and the successors of those
    /// superseded.
    public func timeline(at position: Position? = nil) -> [TimelineEvent] {
        var here = statements.indices.filter { i in statements[i].isInView(nil) && (position.map { covers(statement: i, $0) } ?? true) }.map { statements[$0] }
        // A superseded statement's successor is named even when its ground is elsewhere.
        for statement in statements where here.contains(where: { $0.id == statement.supersedes }) {
            if !here.contains(where: { $0.id == statement.id }) { here.append(statement) }
        }
        return TimelineEvent.events(of: here)
    }
}

/// A grid built once, on first use, by whichever task asks first; the others wait for it. Each
/// cell has its own lock, so tasks asking for different grids never wait for each other.
final class GridCell: Sendable {
    private let value = Mutex<PolygonGrid?>(nil)

    func grid(_ make: () -> PolygonGrid) -> PolygonGrid {
        value.withLock { cell in
            if let built = cell { return built }
            let built = make()
            cell = built
            return built
        }
    }
}

/// A bounding box in longitude/latitude, for quick rejection.
struct Box: Sendable {
    var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity

    init(_ shape: Shape) {
        for p in shape.positions {
            minX = min(minX, p.x); maxX = max(maxX, p.x)
            minY = min(minY, p.y); maxY = max(maxY, p.y)
        }
    }

    @inline(__always)
    func contains(_ p: Position) -> Bool {
        p.x >= minX && p.x <= maxX && p.y >= minY && p.y <= maxY
    }
}
