import Foundation
import Geometry

/// Why a metric buffer cannot be made: a problem with what was asked, not a library failure.
public struct BufferInputError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    public var description: String { message }
}

/// Buffers of lon/lat geometry that are exact in metres on the ground.
///
/// GeoJSON segments are straight in longitude/latitude (RFC 7946), so the input is first densified
/// along those straight lines. Lines are then cut into chunks of at most `chunkLength` metres;
/// each chunk is buffered by GEOS in an azimuthal equidistant projection centred on it (where the
/// distortion within reach is below 10⁻⁵), with flat caps, and exact geodesic disks are added at
/// the joints between chunks (and at the free ends when the ends are round). Each piece is
/// densified in its plane before it returns to longitude/latitude, so that no edge strays from the
/// true curve, and the pieces are unioned. A polygon's buffer is the polygon with the buffer of
/// each of its rings; a point's is a geodesic circle.
///
/// Every vertex of the result lies at the requested geodesic distance from the input within
/// 0.01 % (the tests measure it at every vertex); with flat ends, the two corners of each cut
/// are its only vertices on the cut.
public struct MetricBuffer: Sendable {
    /// How the buffer ends at the free ends of lines.
    public enum Ends: String, Sendable, CaseIterable {
        /// A half disk past each free end.
        case round
        /// Cut square across each free end.
        case flat
    }

    /// Distance on each side, in metres.
    public let distance: Double
    /// The shape at the free ends of lines.
    public let ends: Ends

    /// The longest chunk of line buffered in one local projection, in metres.
    public static let chunkLength = 40_000.0
    /// Segments per quarter circle on arcs: a chord then strays at most 7.5·10⁻⁵ of the distance inside the arc.
    public static let quadrantSegments = 64
    /// The largest distance accepted, in metres: beyond it one local projection per chunk is no longer exact enough.
    public static let maximumDistance = 500_000.0
    /// The smallest distance accepted, in metres: below a centimetre, coordinates written to
    /// 7 decimals (about 1 cm) could not hold the buffer.
    public static let minimumDistance = 0.01

    /// A buffer of `distance` metres on each side. Throws for a distance that is not a positive,
    /// finite number of metres no larger than `maximumDistance`.
    public init(distance: Double, ends: Ends = .round) throws(BufferInputError) {
        guard distance.isFinite else { throw BufferInputError(message: "the buffer distance must be a finite number of metres") }
        guard distance > 0 else { throw BufferInputError(message: "the buffer distance must be greater than zero (got \(distance) m)") }
        guard distance >= MetricBuffer.minimumDistance else {
            throw BufferInputError(message: "a buffer distance of \(distance) m is less than this tool buffers (at least 1 cm on each side)")
        }
        guard distance <= MetricBuffer.maximumDistance else {
            throw BufferInputError(message: "a buffer distance of \(Length(meters: distance)) is more than this tool buffers exactly (at most \(Length(meters: MetricBuffer.maximumDistance)) on each side)")
        }
        self.distance = distance
        self.ends = ends
    }

    /// The longest step, in metres, of the densified input and of the result's edges: short enough
    /// that a lon/lat-straight edge and the true curve part by less than 10⁻⁴ of the distance.
    var step: Double { min(1_000, (2_000 * distance).squareRoot()) }

    /// The buffer of `shape`, as plain values to write at GeoJSON's 7 decimals: the input must be
    /// valid as GEOS judges it (otherwise a `BufferInputError` with GEOS's reason and place), and
    /// where rounding the result to the 1e-7° grid would make it invalid, it is reduced to that
    /// grid by GEOS (`GEOSGeom_setPrecision_r`) so that it stays valid once written.
    public func bufferForOutput(_ shape: Shape) throws -> Shape {
        let context = GEOSContext()
        let validity = try Geometry(shape, context: context).validity()
        guard validity.isValid else {
            throw BufferInputError(message: "invalid geometry: \(validity.reason) (territory buffers valid geometry only)")
        }
        return try buffer(shape, context: context).writable().shape
    }

    /// The buffer of `shape` (longitude/latitude degrees on WGS 84) as a geometry in `context`.
    public func buffer(_ shape: Shape, context: GEOSContext = GEOSContext()) throws -> Geometry {
        try checkReach(shape)
        var pieces: [Shape] = []
        for p in shape.points { pieces.append(try disk(at: p)) }
        for line in shape.lineStrings { pieces += try lineBuffer(line, closed: false) }
        for polygon in shape.polygons {
            pieces.append(.polygon(polygon.map { GeodesicMeasure.densify($0) }))
            for ring in polygon { pieces += try lineBuffer(ring, closed: true) }
        }
        guard !pieces.isEmpty else { throw BufferInputError(message: "the geometry is empty: nothing to buffer") }
        let all = try Geometry(.collection(pieces), context: context)
        return try all.unaryUnion()
    }

    /// Refuses inputs whose buffer would reach a pole or cross the antimeridian, where one
    /// longitude/latitude polygon cannot hold it.
    private func checkReach(_ shape: Shape) throws(BufferInputError) {
        let reachDegrees = distance / 110_000 + 0.01
        for p in shape.positions {
            if abs(p.y) + reachDegrees >= 90 {
                throw BufferInputError(message: "the buffer around (\(p.x), \(p.y)) would reach a pole, which a longitude/latitude polygon cannot hold")
            }
            let lonReach = reachDegrees / max(0.01, cos((abs(p.y) + reachDegrees) * .pi / 180))
            if abs(p.x) + lonReach >= 180 {
                throw BufferInputError(message: "the buffer around (\(p.x), \(p.y)) would cross the antimeridian, which one longitude/latitude polygon cannot hold")
            }
        }
    }

    /// A geodesic circle of radius `distance` around `center`: exact at every vertex in an
    /// azimuthal equidistant projection centred on it.
    func disk(at center: Position) throws -> Shape {
        let projection = try LocalProjection(center: center)
        let context = GEOSContext()
        let circle = try Geometry(.point(Position(0, 0)), context: context)
            .buffer(distance, quadrantSegments: MetricBuffer.quadrantSegments)
            .densified(maxSegmentLength: step)
        return try unproject(circle.shape, projection)
    }

    /// The buffer pieces of one line (or closed ring), chunk by chunk.
    func lineBuffer(_ line: [Position], closed: Bool) throws -> [Shape] {
        var run: [Position] = []
        for p in line where run.last != p { run.append(p) }
        guard run.count > 1 else { return try run.first.map { [try disk(at: $0)] } ?? [] }
        let dense = geodesicDensify(run)
        let geodesic = Geodesic.wgs84
        var cumulative = [0.0]
        cumulative.reserveCapacity(dense.count)
        for i in dense.indices.dropFirst() { cumulative.append(cumulative[i - 1] + geodesic.distance(dense[i - 1], dense[i])) }

        var pieces: [Shape] = []
        var start = 0
        var joints: [Position] = []
        while start < dense.count - 1 {
            var end = start + 1
            while end < dense.count - 1, cumulative[end] - cumulative[start] < MetricBuffer.chunkLength { end += 1 }
            let middle = (cumulative[start] + cumulative[end]) / 2
            let centerIndex = (start...end).min { abs(cumulative[$0] - middle) < abs(cumulative[$1] - middle) } ?? start
            pieces.append(try chunkBuffer(Array(dense[start...end]), center: dense[centerIndex]))
            if end < dense.count - 1 { joints.append(dense[end]) }
            start = end
        }
        if closed || ends == .round {
            joints.append(dense[0])
            if !closed { joints.append(dense[dense.count - 1]) }
        }
        for joint in joints { pieces.append(try disk(at: joint)) }
        return pieces
    }

    /// One chunk buffered with flat caps in a projection centred on it.
    private func chunkBuffer(_ chunk: [Position], center: Position) throws -> Shape {
        let projection = try LocalProjection(center: center)
        let context = GEOSContext()
        let line = try projection.forward(chunk)
        let buffered = try Geometry(.lineString(line), context: context)
            .buffer(distance, quadrantSegments: MetricBuffer.quadrantSegments, endCap: .flat)
        return try unproject(densifyOffsets(buffered.shape, around: line), projection)
    }

    /// Adds points along the edges of a planar buffer that run at the buffer distance from `line`
    /// (offsets and arc chords), so that none is longer than `step`. Edges that cut across the line
    /// (the flat caps) are left alone: points on them would stand closer than the distance.
    private func densifyOffsets(_ shape: Shape, around line: [Position]) -> Shape {
        func distanceToLine(_ p: Position) -> Double {
            var best = Double.infinity
            for i in line.indices.dropFirst() {
                let a = line[i - 1], b = line[i]
                let dx = b.x - a.x, dy = b.y - a.y
                let len2 = dx * dx + dy * dy
                let t = len2 > 0 ? max(0, min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2)) : 0
                let x = a.x + t * dx - p.x, y = a.y + t * dy - p.y
                best = min(best, (x * x + y * y).squareRoot())
            }
            return best
        }
        func densify(_ ring: [Position]) -> [Position] {
            guard let first = ring.first else { return ring }
            var out = [first]
            for i in ring.indices.dropFirst() {
                let a = ring[i - 1], b = ring[i]
                let length = ((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y)).squareRoot()
                let n = Int((length / step).rounded(.up))
                if n > 1, distanceToLine(Position((a.x + b.x) / 2, (a.y + b.y) / 2)) > distance * 0.999 {
                    for k in 1..<n {
                        let t = Double(k) / Double(n)
                        out.append(Position(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t))
                    }
                }
                out.append(b)
            }
            return out
        }
        return .multiPolygon(shape.polygons.map { $0.map(densify) })
    }

    /// Adds points along each lon/lat-straight segment so that no step is longer than `step` metres.
    func geodesicDensify(_ run: [Position]) -> [Position] {
        let geodesic = Geodesic.wgs84
        var out: [Position] = [run[0]]
        for i in run.indices.dropFirst() {
            let a = run[i - 1], b = run[i]
            let n = max(1, Int((geodesic.distance(a, b) / step).rounded(.up)))
            for k in 1..<max(n, 1) {
                let t = Double(k) / Double(n)
                out.append(Position(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t))
            }
            out.append(b)
        }
        return out
    }

    private func unproject(_ shape: Shape, _ projection: LocalProjection) throws -> Shape {
        // One batch through PROJ for the whole piece, then the positions are dealt back in order.
        let planar = shape.positions
        let geographic = try projection.inverse(planar)
        var index = 0
        return shape.mapPositions { _ in
            defer { index += 1 }
            return geographic[index]
        }
    }
}
