import Dispatch

/// Up to 64 polygon sets on one raster, for classifying many points against all of them at once.
///
/// The sets' common bounding box is cut into cells. Each cell knows which sets wholly contain it
/// and which sets' edges pass through it (two 64-bit masks); cells with the same two masks share
/// a class, so that the raster is two bytes a cell and stays in the processor's cache. A point
/// then costs one cell lookup: the sets that contain its cell hold it, the sets that do not
/// touch its cell do not, and only the few sets whose edges cross its cell are asked precisely,
/// by the rule of `PolygonGrid` (`PolygonGrid.crossingTest`), from the cell's own record of each
/// such set: a reference point of the cell, whether it is inside, and copies of the set's edges
/// that touch the cell, stored side by side, so that the precise test reads one short stretch
/// of memory instead of 64 grids' worth.
public struct RasterIndex: Sendable {
    @usableFromInline let minX: Double, minY: Double, maxX: Double, maxY: Double
    @usableFromInline let cellWidth: Double, cellHeight: Double
    @usableFromInline let columns: Int, rows: Int
    /// Per cell: its class.
    @usableFromInline var cellClass: [UInt16] = []
    /// Per class: the sets containing the whole cell, and the sets whose edges cross it (bit k: set k).
    @usableFromInline var classes: [(inside: UInt64, crossing: UInt64)] = []
    /// Per cell: its first record in `records` (one per set crossing it, in bit order).
    @usableFromInline var cellRecords: [Int32] = []
    /// Per (cell, crossing set): the reference point, whether it is inside, and its edges in `edges`.
    @usableFromInline var records: [Record] = []
    /// Edges as x1, y1, x2, y2, each cell's and set's together.
    @usableFromInline var edges: [Double] = []

    @usableFromInline struct Record: Sendable {
        @usableFromInline let x: Double, y: Double
        @usableFromInline let start: Int32, count: Int32
        @usableFromInline let inside: Bool
    }

    /// The most sets one index holds (bits of a mask).
    public static let capacity = 64

    /// Indexes `sets` (each polygons of rings, exterior first) on about `resolution` × `resolution`
    /// cells; nil when there are more than 64 sets, or more kinds of cells than two bytes number.
    public init?(_ sets: [[[[Position]]]], resolution: Int = 384) {
        guard sets.count <= RasterIndex.capacity else { return nil }
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
        // Each set's cells on their own (on every core), then merged.
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
            for cell in plane.cells { crossingMask[Int(cell.cell)] |= bit }
            for run in plane.inside { for cell in Int(run.start)..<Int(run.end) { insideMask[cell] |= bit } }
        }
        // One class per distinct pair of masks; neighbours in a row mostly share theirs.
        var known: [Pair: UInt16] = [:]
        cellClass = [UInt16](repeating: 0, count: n * n)
        cellRecords = [Int32](repeating: 0, count: n * n)
        var last = Pair(inside: 0, crossing: 0), lastClass: UInt16 = 0
        known[last] = 0
        classes.append((0, 0))
        var cursors = [Int](repeating: 0, count: planes.count)
        for i in 0..<(n * n) {
            let pair = Pair(inside: insideMask[i], crossing: crossingMask[i])
            if pair != last {
                last = pair
                if let id = known[pair] {
                    lastClass = id
                } else {
                    guard classes.count < Int(UInt16.max) else { return nil }
                    lastClass = UInt16(classes.count)
                    known[pair] = lastClass
                    classes.append((pair.inside, pair.crossing))
                }
            }
            cellClass[i] = lastClass
            // The records of the sets crossing the cell, in bit order, each plane's cells being sorted.
            cellRecords[i] = Int32(records.count)
            var unsure = pair.crossing
            while unsure != 0 {
                let k = unsure.trailingZeroBitCount
                unsure &= unsure &- 1
                let plane = planes[k]
                while Int(plane.cells[cursors[k]].cell) < i { cursors[k] += 1 }
                let cell = plane.cells[cursors[k]]
                records.append(Record(x: cell.x, y: cell.y, start: Int32(edges.count / 4), count: cell.count, inside: cell.inside))
                for e in Int(cell.start)..<Int(cell.start + cell.count) {
                    let j = Int(plane.cellEdges[e]) * 4
                    edges += plane.edges[j..<(j + 4)]
                }
            }
        }
    }

    private struct Pair: Hashable { let inside: UInt64, crossing: UInt64 }

    /// One set's cells: those its edges may touch, each with its reference point, flag and edges,
    /// and runs of cells wholly inside.
    struct Plane {
        var cells: [(cell: Int32, start: Int32, count: Int32, x: Double, y: Double, inside: Bool)] = []
        var cellEdges: [Int32] = []
        var edges: [Double] = []
        var inside: [(start: Int32, end: Int32)] = []
    }

    private func plane(_ set: [[[Position]]]) -> Plane {
        let n = columns
        var result = Plane()
        var edges: [Double] = []
        for polygon in set {
            for ring in polygon where ring.count >= 2 {
                for i in 1..<ring.count where ring[i - 1] != ring[i] {
                    edges += [ring[i - 1].x, ring[i - 1].y, ring[i].x, ring[i].y]
                }
            }
        }
        guard !edges.isEmpty else { return result }
        let edgeCount = edges.count / 4
        // The cells each edge may touch: every cell of its box that its line passes near, as
        // (cell, edge) pairs sorted by cell, then edge.
        var pairs: [UInt64] = []
        pairs.reserveCapacity(edgeCount * 2)
        var r0 = n, r1 = -1
        for e in 0..<edgeCount {
            let x1 = edges[4 * e], y1 = edges[4 * e + 1], x2 = edges[4 * e + 2], y2 = edges[4 * e + 3]
            let ca = column(min(x1, x2)), cb = column(max(x1, x2))
            let ra = row(min(y1, y2)), rb = row(max(y1, y2))
            r0 = min(r0, ra); r1 = max(r1, rb)
            for r in ra...rb {
                for c in ca...cb {
                    if cb > ca && rb > ra && !mayTouch(x1, y1, x2, y2, c, r) { continue }
                    pairs.append(UInt64(r * n + c) << 32 | UInt64(e))
                }
            }
        }
        pairs.sort()
        result.edges = edges
        result.cellEdges = pairs.map { Int32(truncatingIfNeeded: $0 & 0xFFFF_FFFF) }
        // Whether a point lies inside, by the crossings of the horizontal ray to its right over
        // every edge (for a reference point that had to leave the centre).
        func insideByRay(_ p: Position) -> Bool {
            var inside = false
            for e in 0..<edgeCount {
                let x1 = edges[4 * e], y1 = edges[4 * e + 1], x2 = edges[4 * e + 2], y2 = edges[4 * e + 3]
                if (y1 > p.y) != (y2 > p.y), x1 + (p.y - y1) * (x2 - x1) / (y2 - y1) > p.x { inside.toggle() }
            }
            return inside
        }
        // Rows' crossings: whether cell centres are inside (the parity of the crossings left of them).
        let crossings = RowCrossings(edges, minY: minY, cellHeight: cellHeight, rows: r0..<(r1 + 1))
        func centreInside(_ r: Int, _ x: Double) -> Bool {
            let lo = Int(crossings.starts[r - r0]), hi = Int(crossings.starts[r - r0 + 1])
            // The number of crossings below x, by binary search in the row's sorted crossings.
            var a = lo, b = hi
            while a < b {
                let m = (a + b) >> 1
                if crossings.xs[m] < x { a = m + 1 } else { b = m }
            }
            return (a - lo) & 1 == 1
        }
        // Each crossed cell: its reference point (the centre, or the first of a few other points
        // clear of its edges, as PolygonGrid chooses), and whether it is inside.
        let clearance = 1e-7 * (cellWidth + cellHeight)
        var k = 0
        while k < pairs.count {
            let cell = Int(pairs[k] >> 32)
            var end = k + 1
            while end < pairs.count && Int(pairs[end] >> 32) == cell { end += 1 }
            let c = cell % n, r = cell / n
            let cx0 = minX + Double(c) * cellWidth, cy0 = minY + Double(r) * cellHeight
            var reference = Position(cx0 + 0.5 * cellWidth, cy0 + 0.5 * cellHeight)
            var moved = false
            for (fx, fy) in PolygonGrid.candidates {
                let candidate = Position(cx0 + fx * cellWidth, cy0 + fy * cellHeight)
                if (k..<end).allSatisfy({ PolygonGrid.distance(candidate, edges, Int(result.cellEdges[$0])) > clearance }) {
                    reference = candidate
                    break
                }
                moved = true
            }
            let inside = moved ? insideByRay(reference) : centreInside(r, reference.x)
            result.cells.append((Int32(cell), Int32(k), Int32(end - k), reference.x, reference.y, inside))
            k = end
        }
        // The other cells of each row: inside or outside as their centre is; runs of inside ones
        // from the row's crossings (cell c's centre is inside when an odd number of crossings lie
        // left of it), less the crossed cells.
        var next = 0
        for r in r0...r1 {
            let lo = Int(crossings.starts[r - r0]), hi = Int(crossings.starts[r - r0 + 1])
            var j = lo
            while j + 1 < hi {
                // Centres x with xs[j] < x <= xs[j + 1] are inside.
                var first = max(0, Int(((crossings.xs[j] - minX) / cellWidth - 0.5).rounded(.down)))
                while first < n && !(minX + (Double(first) + 0.5) * cellWidth > crossings.xs[j]) { first += 1 }
                while first > 0 && minX + (Double(first - 1) + 0.5) * cellWidth > crossings.xs[j] { first -= 1 }
                var last = min(n - 1, Int(((crossings.xs[j + 1] - minX) / cellWidth - 0.5).rounded(.down)) + 1)
                while last >= 0 && !(minX + (Double(last) + 0.5) * cellWidth <= crossings.xs[j + 1]) { last -= 1 }
                while last + 1 < n && minX + (Double(last + 1) + 0.5) * cellWidth <= crossings.xs[j + 1] { last += 1 }
                j += 2
                guard first <= last else { continue }
                // Split the run at the crossed cells of the row.
                var start = r * n + first
                let stop = r * n + last + 1
                while next < result.cells.count && Int(result.cells[next].cell) < start { next += 1 }
                var probe = next
                while probe < result.cells.count && Int(result.cells[probe].cell) < stop {
                    let crossed = Int(result.cells[probe].cell)
                    if crossed > start { result.inside.append((Int32(start), Int32(crossed))) }
                    start = crossed + 1
                    probe += 1
                }
                if start < stop { result.inside.append((Int32(start), Int32(stop))) }
            }
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
        let cell = row(p.y) * columns + column(p.x)
        let kind = classes[Int(cellClass[cell])]
        var mask = kind.inside
        var unsure = kind.crossing
        if unsure == 0 { return mask }
        return records.withUnsafeBufferPointer { records in
            edges.withUnsafeBufferPointer { edges in
                var h = Int(cellRecords[cell])
                while unsure != 0 {
                    let k = unsure.trailingZeroBitCount
                    let record = records[h]
                    let first = Int(record.start) * 4
                    if PolygonGrid.crossingTest(count: Int(record.count), reference: Position(record.x, record.y), inside: record.inside, p, edge: { e in
                        let i = first + 4 * e
                        return (edges[i], edges[i + 1], edges[i + 2], edges[i + 3])
                    }) { mask |= 1 << UInt64(k) }
                    h += 1
                    unsure &= unsure &- 1
                }
                return mask
            }
        }
    }
}
