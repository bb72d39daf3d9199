import Testing
import Geometry
import TestSupport

@Suite struct PolygonGridTests {
    @Test func agreesWithGEOS() throws {
        // A polygon with a hole and a spike-like notch, and a second part.
        let shape: Shape = .multiPolygon([
            [[Position(0, 0), Position(10, 0), Position(10, 10), Position(5, 4), Position(0, 10), Position(0, 0)],
             [Position(2, 1), Position(2, 3), Position(4, 3), Position(4, 1), Position(2, 1)]],
            [[Position(12, 0), Position(14, 0), Position(13, 9), Position(12, 0)]],
        ])
        let grid = PolygonGrid(shape.polygons, resolution: 16)
        let prepared = try PreparedGeometry(Geometry(shape))
        var random = SplitMix(state: 3)
        var inside = 0, disagreements = 0
        for _ in 0..<20_000 {
            let p = Position(random.uniform(-1...15), random.uniform(-1...11))
            let covered = try prepared.covers(p)
            if grid.contains(p) != covered {
                disagreements += 1
                Issue.record("\(p): grid \(!covered), GEOS \(covered)")
            }
            if covered { inside += 1 }
        }
        #expect(disagreements == 0)
        // The shape covers 70 + 9 of the box's 16 × 12 = 192 square units, less the 4 of the hole:
        // about 40 % of random points fall inside. A grid answering all-in or all-out cannot pass.
        #expect((7_000...8_800).contains(inside), "\(inside) of 20,000 inside")
        // Every vertex and every edge's midpoint is inside, as GEOS's covers has it.
        for polygon in shape.polygons {
            for ring in polygon {
                for (a, b) in zip(ring, ring.dropFirst()) {
                    #expect(grid.contains(a), "vertex \(a)")
                    #expect(grid.contains(Position((a.x + b.x) / 2, (a.y + b.y) / 2)), "edge midpoint of \(a) – \(b)")
                }
            }
        }
        #expect(!grid.contains(Position(3, 2)), "the hole's centre is outside")
        #expect(!PolygonGrid([], resolution: 8).contains(Position(0, 0)))
    }
}

