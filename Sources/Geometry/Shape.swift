/// A position: longitude (x) and latitude (y) in degrees for geographic data, or metres in a
/// projected plane. Which space a value lives in is said by whoever holds it.
@frozen
public struct Position: Hashable, Sendable, CustomStringConvertible {
    public var x: Double
    public var y: Double

    @inlinable
    public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }

    public var description: String { "(\(x), \(y))" }
}

/// A geometry as plain values, apart from any algorithm (the way georust/geo keeps its types):
/// what readers produce, what writers consume, and what crosses into and out of GEOS.
///
/// Polygons are lists of closed rings, the exterior first; rings repeat their first position last.
public indirect enum Shape: Hashable, Sendable {
    case point(Position)
    case lineString([Position])
    case polygon([[Position]])
    case multiPoint([Position])
    case multiLineString([[Position]])
    case multiPolygon([[[Position]]])
    case collection([Shape])

    /// The GeoJSON type name of this shape.
    public var typeName: String {
        switch self {
        case .point: "Point"
        case .lineString: "LineString"
        case .polygon: "Polygon"
        case .multiPoint: "MultiPoint"
        case .multiLineString: "MultiLineString"
        case .multiPolygon: "MultiPolygon"
        case .collection: "GeometryCollection"
        }
    }

    /// Every position of the shape, in order.
    public var positions: [Position] {
        switch self {
        case .point(let p): [p]
        case .lineString(let ps), .multiPoint(let ps): ps
        case .polygon(let rings), .multiLineString(let rings): rings.flatMap { $0 }
        case .multiPolygon(let polys): polys.flatMap { $0.flatMap { $0 } }
        case .collection(let shapes): shapes.flatMap(\.positions)
        }
    }

    /// True when the shape holds no position at all.
    public var isEmpty: Bool {
        switch self {
        case .point: false
        case .lineString(let ps), .multiPoint(let ps): ps.isEmpty
        case .polygon(let rings), .multiLineString(let rings): rings.allSatisfy(\.isEmpty)
        case .multiPolygon(let polys): polys.allSatisfy { $0.allSatisfy(\.isEmpty) }
        case .collection(let shapes): shapes.allSatisfy(\.isEmpty)
        }
    }

    /// The shape with every position passed through `transform`.
    public func mapPositions(_ transform: (Position) throws -> Position) rethrows -> Shape {
        switch self {
        case .point(let p): return .point(try transform(p))
        case .lineString(let ps): return .lineString(try ps.map(transform))
        case .multiPoint(let ps): return .multiPoint(try ps.map(transform))
        case .polygon(let rings): return .polygon(try rings.map { try $0.map(transform) })
        case .multiLineString(let lines): return .multiLineString(try lines.map { try $0.map(transform) })
        case .multiPolygon(let polys):
            return .multiPolygon(try polys.map { try $0.map { try $0.map(transform) } })
        case .collection(let shapes): return .collection(try shapes.map { try $0.mapPositions(transform) })
        }
    }

    /// The polygons of this shape (a polygon, the members of a multipolygon, those inside a collection).
    public var polygons: [[[Position]]] {
        switch self {
        case .polygon(let rings): [rings]
        case .multiPolygon(let polys): polys
        case .collection(let shapes): shapes.flatMap(\.polygons)
        default: []
        }
    }

    /// The line strings of this shape (a line string, the members of a multilinestring, those inside a collection).
    public var lineStrings: [[Position]] {
        switch self {
        case .lineString(let ps): [ps]
        case .multiLineString(let lines): lines
        case .collection(let shapes): shapes.flatMap(\.lineStrings)
        default: []
        }
    }

    /// The points of this shape (a point, the members of a multipoint, those inside a collection).
    public var points: [Position] {
        switch self {
        case .point(let p): [p]
        case .multiPoint(let ps): ps
        case .collection(let shapes): shapes.flatMap(\.points)
        default: []
        }
    }
}

/// Ring orientation helpers (planar, in the ring's own coordinates).
public enum Ring {
    /// Twice the signed area of a closed ring by the shoelace formula: positive when counter-clockwise.
    public static func signedDoubleArea(_ ring: [Position]) -> Double {
        guard ring.count >= 4 else { return 0 }
        var sum = 0.0
        let origin = ring[0]
        for i in 1..<(ring.count - 1) {
            let a = ring[i], b = ring[i + 1]
            sum += (a.x - origin.x) * (b.y - origin.y) - (b.x - origin.x) * (a.y - origin.y)
        }
        return sum
    }

    /// True when the closed ring runs counter-clockwise.
    public static func isCounterClockwise(_ ring: [Position]) -> Bool {
        signedDoubleArea(ring) > 0
    }
}
