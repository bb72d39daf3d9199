import Foundation
import Geometry

extension GeodesicMeasure {
    /// The geodesic distance in metres from `point` to the nearest point of a run of segments that
    /// are straight in longitude/latitude (RFC 7946), found by a planar screen of the segments and a
    /// golden-section search along the candidates on geodesic distance.
    public static func distance(from point: Position, toRun run: [Position], geodesic: Geodesic = .wgs84) -> Double {
        guard let first = run.first else { return .infinity }
        if run.count == 1 { return geodesic.distance(point, first) }
        // Local equirectangular screen, metres (approximate): candidates within 2 % + 100 m of the best.
        let kx = cos(point.y * .pi / 180) * 111_320.0, ky = 110_574.0
        func approx(_ a: Position, _ b: Position) -> Double {
            let ax = (a.x - point.x) * kx, ay = (a.y - point.y) * ky
            let bx = (b.x - point.x) * kx, by = (b.y - point.y) * ky
            let dx = bx - ax, dy = by - ay
            let len2 = dx * dx + dy * dy
            let t = len2 > 0 ? max(0, min(1, -(ax * dx + ay * dy) / len2)) : 0
            let x = ax + t * dx, y = ay + t * dy
            return (x * x + y * y).squareRoot()
        }
        var screened: [(Int, Double)] = []
        screened.reserveCapacity(run.count - 1)
        var best = Double.infinity
        for i in 1..<run.count {
            let d = approx(run[i - 1], run[i])
            screened.append((i, d))
            best = min(best, d)
        }
        var result = Double.infinity
        for (i, d) in screened where d <= best * 1.02 + 100 {
            let a = run[i - 1], b = run[i]
            func f(_ t: Double) -> Double { geodesic.distance(point, Position(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t)) }
            var lo = 0.0, hi = 1.0
            let phi = (5.0.squareRoot() - 1) / 2
            var x1 = hi - phi * (hi - lo), x2 = lo + phi * (hi - lo)
            var f1 = f(x1), f2 = f(x2)
            for _ in 0..<60 {
                if f1 < f2 { hi = x2; x2 = x1; f2 = f1; x1 = hi - phi * (hi - lo); f1 = f(x1) }
                else { lo = x1; x1 = x2; f1 = f2; x2 = lo + phi * (hi - lo); f2 = f(x2) }
            }
            result = min(result, f1, f2, f(0), f(1))
        }
        return result
    }
}
