import Foundation
import Geodesy
import Geometry
import JSONText

/// The catalog with its geometry resolved: every statement's ground computed with GEOS (and PROJ
/// for buffers) and clipped to the covered area, the time slices checked as partitions, and the
/// slice features computed. What it computes is compiled into the store and answered by the
/// `Engine`; the atlas itself answers no queries.
///
/// An atlas lives in one GEOS context and belongs to one task, like the geometries it holds.
public final class Atlas {
    public let catalog: Catalog
    let context = GEOSContext()
    /// The covered area.
    public let covered: Geometry
    /// Each statement's ground, clipped to the covered area, by statement id.
    private var grounds: [String: Geometry] = [:]
    private var cache: [GroundExpression: Geometry] = [:]
    /// The time slices of today's record (`Slicing`); members index `catalog.statements`.
    public let slices: [Slice]

    /// Resolves every expression of `catalog`. Problems (an empty ground, a failure in GEOS or
    /// PROJ) are reported together, each naming its file and statement.
    public init(_ catalog: Catalog) throws(Problems) {
        self.catalog = catalog
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
        slices = Slicing.slices(of: catalog.statements)
        guard problems.isEmpty else { throw Problems(problems: problems) }
    }

    /// Only the polygons of a geometry (overlay results can carry stray lines and points).
    static func polygonal(_ g: Geometry, _ context: GEOSContext) throws(GEOSError) -> Geometry {
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

    /// The statements in force in a slice, in catalog order.
    public func statements(in slice: Slice) -> [Statement] {
        slice.members.map { catalog.statements[$0] }
    }

    /// The time slice holding `day`, or nil before the first statement takes effect.
    public func slice(containing day: Day) -> Slice? {
        Slicing.index(of: day, in: slices).map { slices[$0] }
    }

    // MARK: Validation

    /// Checks every time slice: for control and sovereignty, statements in force must not overlap
    /// and must leave no gap inside the covered area, beyond the catalog's tolerance. Each problem
    /// names both statements (or the gap), the first day and the km².
    public func validate() throws -> [Problem] {
        // Anchors are errors against the drawn shapes; against a pack's shapes, import has
        // decided (--accept-moved), and DataSet warns of them.
        let imported = Set(catalog.pack?.replaced ?? [])
        var problems: [Problem] = anchors().filter { !imported.contains($0.shape) }.map(\.problem)
        var reportedPairs = Set<[String]>()
        for slice in slices {
            let inForce = statements(in: slice)
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
                                "\(facet.rawValue) overlaps statement '\(a.id)' (\(a.file)) by \(format(km2)) km² on \(slice.interval.from)\(place)", areaKm2: km2))
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
                        "\(facet.rawValue) leaves a gap of \(format(km2)) km² with no holder on \(slice.interval.from) (in force: \(group.map(\.id).joined(separator: ", ")))\(place)", areaKm2: km2))
                }
            }
        }
        return problems
    }

    /// Anchors: every town lies in the shape it names (data/towns.csv), and a town outside it is
    /// a problem saying by how many metres (geodesic, to the shape's nearest edge).
    public func anchorProblems() -> [Problem] { anchors().map(\.problem) }

    /// The same, each with the shape the town falls outside.
    public func anchors() -> [(shape: String, problem: Problem)] {
        var problems: [(shape: String, problem: Problem)] = []
        for town in catalog.towns {
            guard let id = town.shape, let shape = catalog.shapes[id] else { continue }
            let polygons = shape.shape.polygons
            guard !polygons.isEmpty else { continue }
            if PolygonGrid(polygons, resolution: 1).contains(town.position) { continue }
            let metres = Atlas.metresOutside(town.position, polygons)
            problems.append((id, Problem(file: Catalog.townsFile, subject: "town '\(town.id)'",
                                    "\(town.name) (\(String(format: "%.4f, %.4f", town.position.x, town.position.y))) lies \(Int(metres.rounded())) m outside its shape '\(id)'\(catalog.pack.map { " (from \($0.citation))" } ?? "")")))
        }
        return problems
    }

    /// The geodesic distance in metres from a point to the nearest edge of polygons.
    static func metresOutside(_ p: Position, _ polygons: [[[Position]]]) -> Double {
        polygons.flatMap { $0 }.map { GeodesicMeasure.distance(from: p, toRun: $0) }.min() ?? .infinity
    }

    private func describe(_ point: Geometry) -> String {
        guard let p = point.shape.points.first else { return "?" }
        return String(format: "%.4f, %.4f", p.x, p.y)
    }

    private func format(_ km2: Double) -> String { String(format: "%.3f", km2) }

    // MARK: What the store and the engine are made of

    /// What queries tell of a statement.
    public func info(_ statement: Statement) -> StatementInfo {
        catalog.info(statement, areaKm2: Atlas.areaKm2(ground(of: statement)))
    }

    /// The features of one time slice, one per (facet, holder) among `facets`: the union of the
    /// grounds of the statements in force, in facet order then holder code; where writing it at
    /// GeoJSON's 7 decimals would make it invalid, reduced to the 1e-7° grid by GEOS instead (`writable`),
    /// so that every feature written is valid as GEOS judges it. The area is the union's.
    public func sliceFeatures(_ slice: Slice, facets: [Facet] = Facet.allCases) throws -> [SliceFeature] {
        let inForce = statements(in: slice)
        var features: [SliceFeature] = []
        for facet in Facet.allCases where facets.contains(facet) {
            let group = inForce.filter { $0.facet == facet }
            for holder in Set(group.map(\.holder)).sorted() {
                let members = group.filter { $0.holder == holder }
                let union = try Atlas.polygonal(Geometry.union(members.map(ground(of:)), context: context), context)
                let ground = try Atlas.polygonal(union.writable(), context)
                features.append(SliceFeature(
                    facet: facet, holder: holder, holderName: catalog.holderName(holder), valid: slice.interval,
                    members: members.map(info), areaKm2: (Atlas.areaKm2(union) * 1000).rounded() / 1000,
                    boundaries: catalog.pack?.citation, polygons: ground.shape.polygons))
            }
        }
        return features
    }

    /// The engine over this atlas's statements, grounds, places and covered area: what the store
    /// answers from, without the store.
    public func engine() -> Engine {
        Engine(title: catalog.title, boundaries: catalog.pack?.citation,
               statements: catalog.statements.map(info), grounds: catalog.statements.map { ground(of: $0).shape },
               places: catalog.shapes.values.filter(\.kind.isPlace).map { ($0.name, $0.shape) },
               covered: covered.shape)
    }
}
