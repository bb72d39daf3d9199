import Foundation
import Geodesy
import Geometry

/// The catalog with its geometry resolved: every statement's ground computed with GEOS (and PROJ
/// for buffers) and clipped to the covered area, the time slices, and the queries over them.
///
/// An atlas lives in one GEOS context and belongs to one task, like the geometries it holds.
public final class Atlas {
    public let catalog: Catalog
    let context = GEOSContext()
    /// The covered area.
    public let covered: Geometry
    /// Each statement's ground, clipped to the covered area, by statement id.
    private var grounds: [String: Geometry] = [:]
    private var prepared: [String: PreparedGeometry] = [:]
    private var preparedShapes: [String: PreparedGeometry] = [:]
    private var cache: [GroundExpression: Geometry] = [:]
    private let effective: [Statement]
    /// The time slices: the half-open runs of days in which no statement starts or ends, in order;
    /// the last one is open.
    public let slices: [DayInterval]

    /// Resolves every expression of `catalog`. Problems (an empty ground, a failure in GEOS or
    /// PROJ) are reported together, each naming its file and statement.
    public init(_ catalog: Catalog) throws(Problems) {
        self.catalog = catalog
        self.effective = catalog.effectiveStatements
        var problems: [Problem] = []
        var coveredGeometry: Geometry?
        var cache: [GroundExpression: Geometry] = [:]
        let context = self.context
        func resolve(_ e: GroundExpression) throws -> Geometry {
            if let hit = cache[e] { return hit }
            let result: Geometry
            switch e {
            case .ref(let id):
                if let named = catalog.grounds[id] {
                    result = try resolve(named)
                } else {
                    result = try Geometry(catalog.shapes[id]!.shape, context: context)
                }
            case .buffer(let inner, let distance, let ends):
                result = try MetricBuffer(distance: distance.meters, ends: ends).buffer(try resolve(inner).shape, context: context)
            case .union(let parts):
                result = try Geometry.union(try parts.map(resolve), context: context)
            case .intersection(let parts):
                var acc = try resolve(parts[0])
                for part in parts.dropFirst() { acc = try acc.intersection(try resolve(part)) }
                result = acc
            case .difference(let first, let others):
                result = try resolve(first).difference(try Geometry.union(try others.map(resolve), context: context))
            }
            cache[e] = result
            return result
        }
        do {
            coveredGeometry = try Atlas.polygonal(resolve(catalog.covered), context)
            if try coveredGeometry!.isEmpty() {
                problems.append(Problem(file: Catalog.manifest, subject: "covered", "the covered area is empty"))
            }
        } catch {
            problems.append(Problem(file: Catalog.manifest, subject: "covered", "cannot be computed: \(error)"))
        }
        self.covered = coveredGeometry ?? (try! Geometry(.polygon([]), context: context))
        for statement in catalog.statements {
            let subject = "statement '\(statement.id)'"
            do {
                let ground = try Atlas.polygonal(resolve(statement.ground).intersection(self.covered), context)
                if try ground.isEmpty() {
                    problems.append(Problem(file: statement.file, subject: subject, "its ground \(statement.ground) is empty inside the covered area"))
                }
                grounds[statement.id] = ground
            } catch {
                problems.append(Problem(file: statement.file, subject: subject, "its ground \(statement.ground) cannot be computed: \(error)"))
            }
        }
        self.cache = cache
        var days = Set<Day>()
        for s in catalog.effectiveStatements {
            days.insert(s.interval.from)
            if let to = s.interval.to { days.insert(to) }
        }
        let sorted = days.sorted()
        slices = sorted.indices.map { i in try! DayInterval(from: sorted[i], to: i + 1 < sorted.count ? sorted[i + 1] : nil) }
        guard problems.isEmpty else { throw Problems(problems: problems) }
    }

    /// Only the polygons of a geometry (overlay results can carry stray lines and points).
    static func polygonal(_ g: Geometry, _ context: GEOSContext) throws -> Geometry {
        let shape = g.shape
        if case .polygon = shape { return g }
        if case .multiPolygon = shape { return g }
        return try Geometry(.multiPolygon(shape.polygons), context: context)
    }

    /// A statement's ground, clipped to the covered area.
    public func ground(of statement: Statement) -> Geometry {
        grounds[statement.id]!
    }

    /// The geodesic area of a geometry in km².
    public static func areaKm2(_ g: Geometry) -> Double {
        GeodesicMeasure.measures(of: g.shape).area / 1e6
    }

    /// The statements in force on `day`, in catalog order (superseded ones never are).
    public func statements(on day: Day) -> [Statement] {
        effective.filter { $0.interval.contains(day) }
    }

    /// The time slice holding `day`, or nil before the first statement takes effect.
    public func slice(containing day: Day) -> DayInterval? {
        slices.last { $0.from <= day }
    }

    // MARK: Validation

    /// Checks every time slice: for control and sovereignty, statements in force must not overlap
    /// and must leave no gap inside the covered area, beyond the catalog's tolerance. Each problem
    /// names both statements (or the gap), the first day and the km².
    public func validate() throws -> [Problem] {
        var problems: [Problem] = []
        var reportedPairs = Set<[String]>()
        for slice in slices {
            let inForce = statements(on: slice.from)
            for facet in Facet.allCases where facet.isExclusive {
                let group = inForce.filter { $0.facet == facet }
                guard !group.isEmpty else { continue }
                for i in group.indices {
                    for j in group.indices where j > i {
                        let a = group[i], b = group[j]
                        let pair = [a.id, b.id]
                        guard !reportedPairs.contains(pair) else { continue }
                        let overlap = try ground(of: a).intersection(ground(of: b))
                        let km2 = Atlas.areaKm2(overlap)
                        if km2 > catalog.toleranceKm2 {
                            reportedPairs.insert(pair)
                            let place = try overlap.isEmpty() ? "" : " around \(try describe(overlap.pointOnSurface()))"
                            problems.append(Problem(file: b.file, subject: "statement '\(b.id)'",
                                "\(facet.rawValue) overlaps statement '\(a.id)' (\(a.file)) by \(format(km2)) km² on \(slice.from)\(place)", areaKm2: km2))
                        }
                    }
                }
                guard facet.mustCover else { continue }
                let union = try Geometry.union(group.map(ground(of:)), context: context)
                let gap = try covered.difference(union)
                let km2 = Atlas.areaKm2(gap)
                if km2 > catalog.toleranceKm2 {
                    let place = try gap.isEmpty() ? "" : " around \(try describe(gap.pointOnSurface()))"
                    problems.append(Problem(file: Catalog.manifest, subject: "covered",
                        "\(facet.rawValue) leaves a gap of \(format(km2)) km² with no holder on \(slice.from) (in force: \(group.map(\.id).joined(separator: ", ")))\(place)", areaKm2: km2))
                }
            }
        }
        return problems
    }

    private func describe(_ point: Geometry) -> String {
        guard let p = point.shape.points.first else { return "?" }
        return String(format: "%.4f, %.4f", p.x, p.y)
    }

    private func format(_ km2: Double) -> String { String(format: "%.3f", km2) }

    // MARK: Queries

    /// True when the position is inside (or on the edge of) the statement's ground.
    public func covers(_ statement: Statement, _ position: Position) throws -> Bool {
        if prepared[statement.id] == nil { prepared[statement.id] = try PreparedGeometry(ground(of: statement)) }
        return try prepared[statement.id]!.covers(position)
    }

    /// True when the position is inside (or on the edge of) the covered area.
    public func isCovered(_ position: Position) throws -> Bool {
        if preparedShapes["\u{0}covered"] == nil { preparedShapes["\u{0}covered"] = try PreparedGeometry(covered) }
        return try preparedShapes["\u{0}covered"]!.covers(position)
    }

    /// The names of the boundary pack's districts and cities that hold the position.
    public func places(at position: Position) throws -> [String] {
        var names: [String] = []
        for shape in catalog.shapes.values where ["district", "city"].contains(shape.kind) {
            if preparedShapes[shape.id] == nil {
                preparedShapes[shape.id] = try PreparedGeometry(Geometry(shape.shape, context: context))
            }
            if try preparedShapes[shape.id]!.covers(position) { names.append(shape.name) }
        }
        return names.sorted()
    }
}
