internal import CPROJ
import Geometry

/// Geodesics on the WGS 84 ellipsoid through PROJ's geodesic API (Karney's algorithms, `geodesic.h`).
///
/// Positions are longitude/latitude in degrees; distances in metres; areas in square metres.
public struct Geodesic: @unchecked Sendable {
    // A plain C struct of numbers, filled once by geod_init and only read afterwards.
    private var g = geod_geodesic()

    /// The WGS 84 ellipsoid (a = 6,378,137 m, f = 1/298.257223563).
    public static let wgs84 = Geodesic(equatorialRadius: 6_378_137, flattening: 1 / 298.257223563)

    /// An ellipsoid by its equatorial radius in metres and its flattening (`geod_init`).
    public init(equatorialRadius: Double, flattening: Double) {
        geod_init(&g, equatorialRadius, flattening)
    }

    /// The shortest distance in metres and the azimuths in degrees at both ends (`geod_inverse`).
    public func inverse(_ a: Position, _ b: Position) -> (distance: Double, azimuth1: Double, azimuth2: Double) {
        var s12 = 0.0, azi1 = 0.0, azi2 = 0.0
        withUnsafePointer(to: g) { geod_inverse($0, a.y, a.x, b.y, b.x, &s12, &azi1, &azi2) }
        return (s12, azi1, azi2)
    }

    /// The shortest distance in metres between two positions (`geod_inverse`).
    public func distance(_ a: Position, _ b: Position) -> Double {
        inverse(a, b).distance
    }

    /// The position reached from `start` after `distance` metres at `azimuth` degrees (`geod_direct`).
    public func direct(from start: Position, azimuth: Double, distance: Double) -> Position {
        var lat = 0.0, lon = 0.0, azi2 = 0.0
        withUnsafePointer(to: g) { geod_direct($0, start.y, start.x, azimuth, distance, &lat, &lon, &azi2) }
        return Position(lon, lat)
    }

    /// The signed area in m² (counter-clockwise positive) and perimeter in metres of a ring whose
    /// edges are geodesics (`geod_polygonarea`). The ring may repeat its first position last.
    public func ringArea(_ ring: [Position]) -> (area: Double, perimeter: Double) {
        var vertices = ring
        if vertices.count > 1, vertices.first == vertices.last { vertices.removeLast() }
        guard vertices.count >= 3 else { return (0, 0) }
        var lats = vertices.map(\.y)
        var lons = vertices.map(\.x)
        var area = 0.0, perimeter = 0.0
        withUnsafePointer(to: g) { geod_polygonarea($0, &lats, &lons, Int32(vertices.count), &area, &perimeter) }
        return (area, perimeter)
    }
}
