import Dispatch

/// Up to 64 polygon sets on one raster, for classifying many points against all of them at once.
///
/// The sets' common bounding box is cut into cells. Each cell knows which sets wholly contain it
/// and which sets' edges pass through it (two 64-bit masks); cells with the same two masks share
/// a class, so that the raster is two bytes a cell and stays in the processor's cache. A point
/// then costs one cell lookup: the sets that contain its cell hold it, the sets that do not
/// touch its cell do not, and only the few sets whose edges cross its cell are asked precisely,
/// through their own `PolygonGrid` (whose answers, edges included, it therefore repeats exactly).
public struct RasterIndex: Sendable {
    @usableFromInline let minX: Double, minY: Double, maxX: Double, maxY: Double
    @usableFromInline let cellWidth: Double, cellHeight: Double
    @usableFromInline let columns: Int, rows: Int
    /// Per cell: its class.
    @usableFromInline var cellClass: [UInt16] = []
    /// Per class: the sets containing the whole cell, and the sets whose edges cross it (bit k: set k).
    @usableFromInline var classes: [(inside: UInt64, crossing: UInt64)] = []
    @usableFromInline let grids: [PolygonGrid]

    /// The most sets one index holds (bits of a mask).
    public static let capacity = 64

    /// Indexes `sets` (each polygons of rings, exterior first), answering precisely through `grids`
    /// (one per set, the same polygons), on about `resolution` × `resolution` cells.
    public init(_ sets: [[[[Position]]]], grids: [PolygonGrid], resolution: Int = 384) {
        precondition(sets.count <= RasterIndex.capacity && sets.count == grids.count, "at most 64 sets, one grid each")
        self.grids = grids
        var lo = Position(.infinity, .infinity), hi = Position(-.infinity, -.infinity)
        for set in sets { for polygon in set { for ring in polygon { for p in ring {
            lo = Position(min(lo.x, p.x), min(lo.y, p.y))
            hi = Position(max(hi.x, p.x), max(hi.y, p.y))
        } } } }
        guard lo.x <= hi.x, lo.y <= hi.y else {
            minX = 0; minY = 0; maxX = -1; maxY = -1; cellWidth = 1; cellHeight = 1; columns = 0; rows = 0
            return
        }
        minX = lo.x; minY = lo.y; maxX = hi.x; maxY = hi.y
        let n = max(1, resolution)
        columns = n
        rows = n
        cellWidth = max((hi.x - lo.x) / Double(n), 1e-12)
        cellHeight = max((hi.y - lo.y) / Double(n), 1e-12)
        // Each set's cells on their own (on every core), then merged into the two masks.
        var planes = [Plane](repeating: Plane(), count: sets.count)
        let frame = self
        planes.withUnsafeMutableBufferPointer { planes in
            nonisolated(unsafe) let out = planes
            DispatchQueue.concurrentPerform(iterations: sets.count) { k in out[k] = frame.plane(sets[k]) }
        }
        var insideMask = [UInt64](repeating: 0, count: n * n)
        var crossingMask = [UInt64](repeating: 0, count: n * n)
        for (k, plane) in planes.enumerated() {
            let bit: UInt64 = 1 << UInt64(k)
            for cell in plane.crossing { crossingMask[Int(cell)] |= bit }
            for run in plane.inside { for cell in Int(run.start)..<Int(run.end) { insideMask[cell] |= bit } }
        }
        // One class per distinct pair of masks; neighbours in a row mostly share theirs.
        var known: [Pair: UInt16] = [:]
        cellClass = [UInt16](repeating: 0, count: n * n)
        var last = Pair(inside: 0, crossing: 0), lastClass: UInt16 = 0
        known[last] = 0
        classes.append((0, 0))
        for i in 0..<(n * n) {
            let pair = Pair(inside: insideMask[i], crossing: crossingMask[i])
            if pair != last {
                last = pair
                if let id = known[pair] {
                    lastClass = id
                } else if classes.count < Int(UInt16.max) {
                    lastClass = UInt16(classes.count)
                    known[pair] = lastClass
                    classes.append((pair.inside, pair.crossing))
                } else {
                    // More kinds of cells than two bytes can number: the last class asks every set.
                    if classes.count == Int(UInt16.max) { classes.append((0, UInt64.max >> UInt64(64 - sets.count))) }
                    lastClass = UInt16.max
                }
            }
            cellClass[i] = lastClass
        }
    }

    private struct Pair: Hashable { let inside: UInt64, crossing: UInt64 }

    /// One set's cells: those its edges may touch, and runs of cells wholly inside.
    struct Plane {
        var crossing: [Int32] = []
        var inside: [(start: Int32, end: Int32)] = []
    }

    private func plane(_ set: [[[Position]]]) -> Plane {
        let n = columns
        var result = Plane()
        var edges: [(Double, Double, Double, Double)] = []
        for polygon in set {
            for ring in polygon where ring.count >= 2 {
                for i in 1..<ring.count where ring[i - 1] != ring[i] {
                    edges.append((ring[i - 1].x, ring[i - 1].y, ring[i].x, ring[i].y))
                }
            }
        }
        guard !edges.isEmpty else { return result }
        // The cells each edge may touch: every cell of its box that its line passes near.
        var r0 = n, r1 = -1, c0 = n, c1 = -1
        for (x1, y1, x2, y2) in edges {
            let ca = column(min(x1, x2)), cb = column(max(x1, x2))
            let ra = row(min(y1, y2)), rb = row(max(y1, y2))
            r0 = min(r0, ra); r1 = max(r1, rb); c0 = min(c0, ca); c1 = max(c1, cb)
            for r in ra...rb {
                for c in ca...cb {
                    if cb > ca && rb > ra && !mayTouch(x1, y1, x2, y2, c, r) { continue }
                    result.crossing.append(Int32(r * n + c))
                }
            }
        }
        result.crossing.sort()
        // The other cells of the set's box: inside or outside as their centre is, counted along
        // the horizontal line through the row's centres (no edge touches such a cell).
        var next = 0
        var xs: [Double] = []
        for r in r0...r1 {
            let y = minY + (Double(r) + 0.5) * cellHeight
            xs.removeAll(keepingCapacity: true)
            for (x1, y1, x2, y2) in edges where (y1 > y) != (y2 > y) {
                xs.append(x1 + (y - y1) * (x2 - x1) / (y2 - y1))
            }
            xs.sort()
            var j = 0
            var isInside = false
            var runStart = -1
            for c in c0...c1 {
                let cell = r * n + c
                let x = minX + (Double(c) + 0.5) * cellWidth
                while j < xs.count && xs[j] < x { isInside.toggle(); j += 1 }
                while next < result.crossing.count && Int(result.crossing[next]) < cell { next += 1 }
                let crossed = next < result.crossing.count && Int(result.crossing[next]) == cell
                if isInside && !crossed {
                    if runStart < 0 { runStart = cell }
                } else if runStart >= 0 {
                    result.inside.append((Int32(runStart), Int32(cell)))
                    runStart = -1
                }
            }
            if runStart >= 0 { result.inside.append((Int32(runStart), Int32(r * n + c1 + 1))) }
        }
        return result
    }

    @inlinable @inline(__always) func column(_ x: Double) -> Int { min(columns - 1, max(0, Int((x - minX) / cellWidth))) }
    @inlinable @inline(__always) func row(_ y: Double) -> Int { min(rows - 1, max(0, Int((y - minY) / cellHeight))) }

    /// False only when the segment's line clearly misses the cell (all four corners on one side).
    private func mayTouch(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ c: Int, _ r: Int) -> Bool {
        let cx0 = minX + Double(c) * cellWidth, cy0 = minY + Double(r) * cellHeight
        return segmentMayTouchBox(x1, y1, x2, y2, cx0, cy0, cx0 + cellWidth, cy0 + cellHeight)
    }

    /// The sets holding `p` (inside or on an edge), bit k for set k.
    @inlinable
    public func sets(containing p: Position) -> UInt64 {
        guard p.x >= minX && p.x <= maxX && p.y >= minY && p.y <= maxY else { return 0 }
        let cell = classes[Int(cellClass[row(p.y) * columns + column(p.x)])]
        var mask = cell.inside
        var unsure = cell.crossing
        while unsure != 0 {
            let i = unsure.trailingZeroBitCount
            if grids[i].contains(p) { mask |= 1 << UInt64(i) }
            unsure &= unsure &- 1
        }
        return mask
    }
}
