import Geometry

/// Geodesic measures of GeoJSON shapes, whose segments are straight in longitude/latitude
/// (RFC 7946 §3.1.1): each segment is densified along that straight line before it is measured
/// along geodesics, so a segment along a parallel is measured along the parallel.
public enum GeodesicMeasure {
    /// Segments are cut into steps of at most this many degrees of longitude or latitude
    /// (about 1 km) before measuring: the gap between such a step and its geodesic is under a millimetre.
    public static let densifyStepDegrees = 0.01

    /// The positions of a run with points added along each lon/lat-straight segment so that no step
    /// spans more than `maxStepDegrees` in longitude or latitude.
    public static func densify(_ run: [Position], maxStepDegrees: Double = densifyStepDegrees) -> [Position] {
        guard run.count > 1 else { return run }
        var out: [Position] = [run[0]]
        out.reserveCapacity(run.count)
        for i in 1..<run.count {
            let a = run[i - 1], b = run[i]
            let span = max(abs(b.x - a.x), abs(b.y - a.y))
            let steps = max(1, Int((span / maxStepDegrees).rounded(.up)))
            if steps > 1 {
                for k in 1..<steps {
                    let t = Double(k) / Double(steps)
                    out.append(Position(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t))
                }
            }
            out.append(b)
        }
        return out
    }

    /// The geodesic length in metres of a run of lon/lat-straight segments.
    public static func length(_ run: [Position], geodesic: Geodesic = .wgs84) -> Double {
        let dense = densify(run)
        var total = 0.0
        for i in dense.indices.dropFirst() { total += geodesic.distance(dense[i - 1], dense[i]) }
        return total
    }

    /// The geodesic area in m² of a polygon (exterior less holes), edges straight in lon/lat.
    public static func area(polygon rings: [[Position]], geodesic: Geodesic = .wgs84) -> Double {
        var total = 0.0
        for (i, ring) in rings.enumerated() {
            let a = abs(geodesic.ringArea(densify(ring)).area)
            total += i == 0 ? a : -a
        }
        return max(0, total)
    }

    /// What a shape measures: the length of its lines, the perimeter and area of its polygons.
    public struct Measures: Sendable, Equatable {
        /// Length of LineStrings in metres.
        public var lineLength = 0.0
        /// Perimeter of polygons (every ring) in metres.
        public var perimeter = 0.0
        /// Area of polygons in m².
        public var area = 0.0
        /// Number of points.
        public var points = 0

        public init() {}

        public static func + (a: Measures, b: Measures) -> Measures {
            var m = a
            m.lineLength += b.lineLength
            m.perimeter += b.perimeter
            m.area += b.area
            m.points += b.points
            return m
        }
    }

    /// The geodesic measures of `shape` on WGS 84. Overlapping parts of a collection are counted
    /// once each, as written; union them first to count shared ground once.
    public static func measures(of shape: Shape, geodesic: Geodesic = .wgs84) -> Measures {
        var m = Measures()
        m.points = shape.points.count
        for line in shape.lineStrings { m.lineLength += length(line, geodesic: geodesic) }
        for polygon in shape.polygons {
            m.area += area(polygon: polygon, geodesic: geodesic)
            for ring in polygon { m.perimeter += length(ring, geodesic: geodesic) }
        }
        return m
    }
}
