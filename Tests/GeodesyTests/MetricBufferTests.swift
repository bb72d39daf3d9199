import Foundation
import Testing
import Geometry
@testable import Geodesy

/// Measures a buffer the way a user checking it independently would: at every vertex of the
/// result, the geodesic distance to the input (lon/lat-straight segments), against the request.
func worstRelativeError(_ result: Shape, from runs: [[Position]], distance: Double) -> (worst: Double, vertices: Int) {
    var worst = 0.0
    var count = 0
    for polygon in result.polygons {
        for ring in polygon {
            for p in ring.dropLast() {
                count += 1
                let d = runs.map { GeodesicMeasure.distance(from: p, toRun: $0) }.min() ?? .infinity
                worst = max(worst, abs(d - distance) / distance)
            }
        }
    }
    return (worst, count)
}

/// Positions offset perpendicular to each segment's middle at `factor` × the distance, on both sides.
func perpendicularProbes(_ run: [Position], distance: Double, factor: Double) -> [Position] {
    let g = Geodesic.wgs84
    var probes: [Position] = []
    for i in run.indices.dropFirst() {
        let a = run[i - 1], b = run[i]
        func at(_ t: Double) -> Position { Position(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t) }
        // The direction of the lon/lat-straight segment where the probe starts, not of the chord.
        let mid = at(0.5)
        let azimuth = g.inverse(at(0.4999), at(0.5001)).azimuth1
        probes.append(g.direct(from: mid, azimuth: azimuth + 90, distance: distance * factor))
        probes.append(g.direct(from: mid, azimuth: azimuth - 90, distance: distance * factor))
    }
    return probes
}

@Suite struct MetricBufferTests {
    /// The 2020 Lachin corridor road, roughly: Stepanakert, Shusha, Lachin, Goris.
    static let lachinRoad = [Position(46.7519, 39.8153), Position(46.7483, 39.7583), Position(46.5469, 39.6408), Position(46.3386, 39.5078)]

    func check(_ run: [Position], distance: Double, ends: MetricBuffer.Ends = .round, tolerance: Double = 1e-3) throws -> Shape {
        let result = try MetricBuffer(distance: distance, ends: ends).buffer(.lineString(run)).shape
        let (worst, vertices) = worstRelativeError(result, from: [run], distance: distance)
        #expect(vertices > 50)
        #expect(worst < tolerance, "worst vertex off by \(worst * 100) % over \(vertices) vertices")
        // No gaps inside, nothing beyond: probes just inside the distance are covered, just outside are not.
        let geometry = try Geometry(result)
        let prepared = try PreparedGeometry(geometry)
        for p in perpendicularProbes(run, distance: distance, factor: 0.995) {
            #expect(try prepared.covers(p), "a point at 0.995 × the distance is not covered: \(p)")
        }
        for p in perpendicularProbes(run, distance: distance, factor: 1.005) {
            #expect(try !prepared.covers(p), "a point at 1.005 × the distance is covered: \(p)")
        }
        #expect(try geometry.isValid())
        return result
    }

    @Test func corridorFiveKilometresWideNearLachin() throws {
        let result = try check(Self.lachinRoad, distance: 2_500)
        #expect(result.polygons.count == 1)
        #expect(result.polygons[0].count == 1, "no holes in a corridor along an open road")
        // Area: 2 d L + π d² less the overlaps at the bends; never more.
        let length = GeodesicMeasure.measures(of: .lineString(Self.lachinRoad)).lineLength
        let area = GeodesicMeasure.measures(of: result).area
        #expect(area < 2 * 2_500 * length + Double.pi * 2_500 * 2_500)
        #expect(area > 0.98 * (2 * 2_500 * length + Double.pi * 2_500 * 2_500))
    }

    @Test func thousandKilometresAlongThe65thParallel() throws {
        let run = [Position(0, 65), Position(21.2, 65)]
        let length = GeodesicMeasure.measures(of: .lineString(run)).lineLength
        #expect(abs(length - 1_000_000) < 2_000)
        let result = try check(run, distance: 2_500)
        // A straight line on the ground: area = 2 d L + π d² (Steiner), within 0.1 %.
        let area = GeodesicMeasure.measures(of: result).area
        let expected = 2 * 2_500 * length + Double.pi * 2_500 * 2_500
        #expect(abs(area - expected) / expected < 1e-3, "\(area / 1e6) km² vs \(expected / 1e6) km²")
    }

    @Test(arguments: [300.0, 150.0])
    func narrowBufferAt52North(distance: Double) throws {
        _ = try check([Position(13.0, 52.0), Position(13.1, 52.05), Position(13.2, 52.0), Position(13.25, 52.1)], distance: distance)
    }

    @Test func wideBufferStaysExact() throws {
        _ = try check([Position(10, 45), Position(14, 46)], distance: 100_000)
    }

    @Test func flatEndsCutAcrossTheEnds() throws {
        let run = [Position(46.0, 40.0), Position(46.3, 40.05)]
        let g = Geodesic.wgs84
        let beyondEnd = g.direct(from: run[1], azimuth: g.inverse(run[0], run[1]).azimuth2, distance: 1_000)
        let flat = try PreparedGeometry(MetricBuffer(distance: 2_500, ends: .flat).buffer(.lineString(run)))
        let round = try PreparedGeometry(MetricBuffer(distance: 2_500, ends: .round).buffer(.lineString(run)))
        #expect(try !flat.covers(beyondEnd))
        #expect(try round.covers(beyondEnd))
        // Only the cap corners stand on the caps: no vertex lies inside the cut across either end.
        let capVertices = try MetricBuffer(distance: 2_500, ends: .flat).buffer(.lineString(run)).shape.positions
            .filter { p in run.contains { g.distance(p, $0) < 2_500 * 0.999 } }
        #expect(capVertices.isEmpty, "vertices inside the flat caps: \(capVertices)")
        let flatShape = try check(run, distance: 2_500, ends: .flat)
        let flatArea = GeodesicMeasure.measures(of: flatShape).area
        let length = GeodesicMeasure.measures(of: .lineString(run)).lineLength
        #expect(abs(flatArea - 2 * 2_500 * length) / flatArea < 1e-3)
    }

    @Test func pointBecomesAGeodesicCircle() throws {
        let center = Position(46.9286, 39.9836)
        let result = try MetricBuffer(distance: 10_000).buffer(.point(center)).shape
        let (worst, _) = worstRelativeError(result, from: [[center]], distance: 10_000)
        #expect(worst < 1e-4)
        let area = GeodesicMeasure.measures(of: result).area
        #expect(abs(area - Double.pi * 1e8) / area < 1e-3)
    }

    @Test func polygonGrowsByTheDistanceFromItsBoundary() throws {
        let ring = [Position(46.5, 39.5), Position(46.7, 39.5), Position(46.7, 39.7), Position(46.5, 39.7), Position(46.5, 39.5)]
        let result = try MetricBuffer(distance: 1_000).buffer(.polygon([ring])).shape
        #expect(result.polygons.count == 1 && result.polygons[0].count == 1)
        let (worst, _) = worstRelativeError(result, from: [ring], distance: 1_000)
        #expect(worst < 1e-3)
        let inner = GeodesicMeasure.measures(of: .polygon([ring]))
        let grown = GeodesicMeasure.measures(of: result).area
        let expected = inner.area + inner.perimeter * 1_000 + Double.pi * 1e6
        #expect(abs(grown - expected) / expected < 2e-3)
    }

    @Test func aLoopLeavesAHoleWhenItIsWideEnough() throws {
        // A closed square road about 11 km across, buffered 1 km: the middle stays open.
        let loop = [Position(46.5, 39.5), Position(46.63, 39.5), Position(46.63, 39.6), Position(46.5, 39.6), Position(46.5, 39.5)]
        let result = try MetricBuffer(distance: 1_000).buffer(.lineString(loop)).shape
        #expect(result.polygons.count == 1 && result.polygons[0].count == 2)
        let (worst, _) = worstRelativeError(result, from: [loop], distance: 1_000)
        #expect(worst < 1e-3)
    }

    @Test(arguments: [0.0, -1, .nan, .infinity, 600_000])
    func refusesDistances(distance: Double) {
        #expect(throws: BufferInputError.self) { try MetricBuffer(distance: distance) }
    }

    @Test func refusesPolesAndTheAntimeridian() throws {
        let buffer = try MetricBuffer(distance: 50_000)
        #expect(throws: BufferInputError.self) { try buffer.buffer(.point(Position(179.8, 10))) }
        #expect(throws: BufferInputError.self) { try buffer.buffer(.point(Position(0, 89.9))) }
        #expect(throws: Never.self) { try buffer.buffer(.point(Position(178, 10))) }
    }
}
