import Foundation
import Testing
import Geometry
@testable import Geodesy

/// WGS 84 constants for closed-form checks written independently of PROJ.
enum WGS84 {
    static let a = 6_378_137.0
    static let f = 1 / 298.257223563
    static let e2 = f * (2 - f)
    static let e = e2.squareRoot()
    static let b = a * (1 - f)

    /// Area between the equator and latitude φ over Δλ (radians) on the ellipsoid (authalic formula).
    static func zoneArea(latitude φ: Double, longitudeSpan Δλ: Double) -> Double {
        let s = sin(φ)
        let q = s / (1 - e2 * s * s) + (1 / (2 * e)) * log((1 + e * s) / (1 - e * s))
        return Δλ * b * b / 2 * q
    }

    /// Radius of the parallel at latitude φ.
    static func parallelRadius(_ φ: Double) -> Double {
        a * cos(φ) / (1 - e2 * sin(φ) * sin(φ)).squareRoot()
    }
}

@Suite struct GeodesicMeasureTests {
    let degree = Double.pi / 180

    @Test func oneDegreeCellAtTheEquator() {
        let cell: Shape = .polygon([[Position(0, 0), Position(1, 0), Position(1, 1), Position(0, 1), Position(0, 0)]])
        let measured = GeodesicMeasure.measures(of: cell).area
        let expected = WGS84.zoneArea(latitude: 1 * degree, longitudeSpan: 1 * degree)
        #expect(abs(expected / 1e6 - 12_308.8) < 0.5, "closed form itself: \(expected / 1e6) km²")
        #expect(abs(measured - expected) / expected < 1e-6, "measured \(measured / 1e6) km², expected \(expected / 1e6) km²")
    }

    @Test func cellWithAHoleAndOrientationDoesNotMatter() {
        let shell = [Position(0, 0), Position(0, 2), Position(2, 2), Position(2, 0), Position(0, 0)]  // clockwise
        let hole = [Position(0.5, 0.5), Position(1.5, 0.5), Position(1.5, 1.5), Position(0.5, 1.5), Position(0.5, 0.5)]
        let whole = GeodesicMeasure.measures(of: .polygon([shell])).area
        let holed = GeodesicMeasure.measures(of: .polygon([shell, hole])).area
        let holeArea = GeodesicMeasure.measures(of: .polygon([hole])).area
        #expect(abs(whole - holed - holeArea) < 1)
        #expect(abs(whole - WGS84.zoneArea(latitude: 2 * degree, longitudeSpan: 2 * degree)) / whole < 1e-6)
    }

    @Test func lengthsAlongTheEquatorAMeridianAndAParallel() {
        let equator = GeodesicMeasure.measures(of: .lineString([Position(0, 0), Position(1, 0)])).lineLength
        #expect(abs(equator - WGS84.a * degree) < 1e-3)  // 111,319.491 m
        let meridian = GeodesicMeasure.measures(of: .lineString([Position(0, 0), Position(0, 1)])).lineLength
        #expect(abs(meridian - 110_574.389) < 0.01)
        // Along the 65th parallel (straight in lon/lat), not along the shorter geodesic between the ends.
        let span = 21.2
        let parallel = GeodesicMeasure.measures(of: .lineString([Position(0, 65), Position(span, 65)])).lineLength
        let expected = WGS84.parallelRadius(65 * degree) * span * degree
        #expect(abs(parallel - expected) / expected < 1e-7, "\(parallel) vs \(expected)")
        let chord = Geodesic.wgs84.distance(Position(0, 65), Position(span, 65))
        #expect(parallel - chord > 1_000, "the parallel is longer than the geodesic chord")
    }

    @Test func perimeterAndPointsAreCounted() {
        let shape: Shape = .collection([
            .point(Position(1, 1)),
            .polygon([[Position(0, 0), Position(1, 0), Position(1, 1), Position(0, 1), Position(0, 0)]]),
        ])
        let m = GeodesicMeasure.measures(of: shape)
        #expect(m.points == 1)
        #expect(m.lineLength == 0)
        #expect(abs(m.perimeter - (2 * 110_574.389 + WGS84.a * degree + WGS84.parallelRadius(degree) * degree)) < 1)
    }

    @Test func geodesicInverseAndDirectAgree() {
        let g = Geodesic.wgs84
        let start = Position(46.7519, 39.8153)
        let end = g.direct(from: start, azimuth: 237, distance: 25_000)
        let back = g.inverse(start, end)
        #expect(abs(back.distance - 25_000) < 1e-6)
        #expect(abs(back.azimuth1 - 237 + 360).truncatingRemainder(dividingBy: 360) < 1e-9 || abs(back.azimuth1 + 123) < 1e-9)
    }

    @Test func distanceToARunFollowsTheLonLatStraightSegment() {
        // A point north of the middle of a long east-west segment at 65°N: the segment is the
        // parallel, so the distance is the meridian arc from 65° to 65.1°, not to the geodesic chord.
        let run = [Position(0, 65), Position(20, 65)]
        let d = GeodesicMeasure.distance(from: Position(10, 65.1), toRun: run)
        let meridianArc = Geodesic.wgs84.distance(Position(10, 65), Position(10, 65.1))
        #expect(abs(d - meridianArc) < 0.01, "\(d) vs \(meridianArc)")
    }
}

@Suite struct LengthTests {
    @Test(arguments: [("5km", 5_000.0), ("2.5 km", 2_500), ("300m", 300), (" 1e3 m ", 1_000), ("0.5KM", 500)])
    func parses(text: String, meters: Double) throws {
        #expect(try Length(parsing: text).meters == meters)
    }

    @Test(arguments: [("5", "no unit"), ("", "is needed"), ("-5km", "greater than zero"), ("0m", "greater than zero"),
                      ("infkm", "not a number"), ("nanm", "not a number"), ("5 miles", "not a length"), ("1e999km", "finite"), ("km", "not a number")])
    func refuses(text: String, reason: String) {
        do {
            let length = try Length(parsing: text)
            Issue.record("accepted \(text.debugDescription) as \(length)")
        } catch {
            #expect(error.message.contains(reason), "\(text.debugDescription): \(error)")
        }
    }

    @Test func describes() {
        #expect(Length(meters: 2_500).description == "2.5 km")
        #expect(Length(meters: 300).description == "300 m")
    }
}

@Suite struct LocalProjectionTests {
    @Test func distancesAndAzimuthsFromTheCentreAreExact() throws {
        let center = Position(46.5469, 39.6408)
        let projection = try LocalProjection(center: center)
        let g = Geodesic.wgs84
        for azimuth in stride(from: 0.0, to: 360, by: 30) {
            let p = g.direct(from: center, azimuth: azimuth, distance: 40_000)
            let xy = try projection.forward([p])[0]
            #expect(abs((xy.x * xy.x + xy.y * xy.y).squareRoot() - 40_000) < 1e-3)
            let back = try projection.inverse([xy])[0]
            #expect(abs(back.x - p.x) < 1e-9 && abs(back.y - p.y) < 1e-9)
        }
    }

    @Test func refusesAnUnusableCentre() {
        #expect(throws: PROJError.self) { try LocalProjection(center: Position(.nan, 100)) }
    }
}
