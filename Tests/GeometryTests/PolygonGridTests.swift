import Testing
import Geometry
import TestSupport

@Suite struct PolygonGridTests {
    /// An edge through a cell's centre (round coordinates put one there: found by the PostGIS
    /// export's test at 47.19715 E 39.82811 N) must not leave the cell's flag ambiguous.
    @Test func anEdgeThroughACellCentre() throws {
        // One cell over [0, 1] × [0, 1]: its centre (0.5, 0.5) lies on the edge x = 0.5.
        let left: [[Position]] = [[Position(0, 0), Position(0.5, 0), Position(0.5, 1), Position(0, 1), Position(0, 0)]]
        let corner: [[Position]] = [[Position(0.9, 0), Position(1, 0), Position(1, 0.1), Position(0.9, 0)]]
        let shape = Shape.multiPolygon([left, corner])
        let geos = try PreparedGeometry(try Geometry(shape))
        for resolution in [1, 2, 3, 4] {
            let grid = PolygonGrid([left, corner], resolution: resolution)
            for p in [Position(0.7, 0.5), Position(0.3, 0.5), Position(0.5, 0.5), Position(0.5, 0.25), Position(0.51, 0.77), Position(0.49, 0.77),
                      Position(0.75, 0.25), Position(0.25, 0.75), Position(0.95, 0.02), Position(0.95, 0.2)] {
                #expect(grid.contains(p) == (try geos.covers(try Geometry(.point(p)))), "\(p) at resolution \(resolution)")
            }
        }
    }

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


@Suite struct RasterIndexTests {
    /// Many sets on one raster answer, bit for bit, as their own grids do: inside, outside, on
    /// edges and vertices, in cells wholly inside, wholly outside and crossed.
    @Test func answersAsEachSetsGrid() throws {
        let sets: [[[[Position]]]] = [
            [[[Position(0, 0), Position(10, 0), Position(10, 10), Position(5, 4), Position(0, 10), Position(0, 0)],
              [Position(2, 1), Position(2, 3), Position(4, 3), Position(4, 1), Position(2, 1)]]],
            [[[Position(12, 0), Position(14, 0), Position(13, 9), Position(12, 0)]]],
            [[[Position(-1, -1), Position(15, -1), Position(15, 11), Position(-1, 11), Position(-1, -1)]]],
            [[[Position(4.5, 0.5), Position(5.5, 0.5), Position(5.5, 1.5), Position(4.5, 1.5), Position(4.5, 0.5)]]],
        ]
        let grids = sets.map { PolygonGrid($0, resolution: 16) }
        for resolution in [1, 7, 64] {
            let raster = try #require(RasterIndex(sets, resolution: resolution))
            var random = SplitMix(state: 64)
            var points = (0..<20_000).map { _ in Position(random.uniform(-2...16), random.uniform(-2...12)) }
            for set in sets { for polygon in set { for ring in polygon { points += ring } } }
            var seen = Set<UInt64>()
            for p in points {
                let expected = grids.indices.reduce(UInt64(0)) { $0 | (grids[$1].contains(p) ? 1 << UInt64($1) : 0) }
                let mask = raster.sets(containing: p)
                seen.insert(mask)
                #expect(mask == expected, "\(p) at resolution \(resolution)")
            }
            #expect(seen.count >= 5, "several combinations of sets met: \(seen)")
        }
        #expect(RasterIndex([], resolution: 8)?.sets(containing: Position(0, 0)) == 0)
        #expect(RasterIndex(Array(repeating: sets[0], count: 65)) == nil, "more than 64 sets")
    }
}
