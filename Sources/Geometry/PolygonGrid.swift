/// A raster index over polygons for fast point-in-polygon tests, in pure Swift.
///
/// The polygons' bounding box is cut into cells. Each cell knows whether its centre is inside;
/// a cell that no edge touches is wholly inside or outside, and answers at once. In a cell that
/// edges cross, the answer is that of a reference point of the cell, flipped once for each edge
/// crossed on the way from it to the point (first along the vertical through the reference, then
/// along the horizontal through the point), with half-open rules so that a path through a vertex
/// counts it once. The reference is the centre unless an edge passes through or near the centre
/// (data drawn on round coordinates can put a vertex or an edge exactly there, where inside and
/// outside are both true and the flag would contradict the path's rules); then it is another
/// point of the cell, clear of every edge, whose flag is counted on its own. A point on an edge or a vertex (within 10⁻¹² of a unit) is inside, as GEOS's
/// `covers` has it.
public struct PolygonGrid: Sendable {
    @usableFromInline let minX: Double, minY: Double, maxX: Double, maxY: Double
    @usableFromInline let cellWidth: Double, cellHeight: Double
    @usableFromInline let columns: Int, rows: Int
    /// Per cell: bit 0 = centre inside; the rest: index + 1 into `ranges` for cells with edges, 0 for none.
    @usableFromInline var cells: [UInt32]
    /// Per crossed cell: where its edges start in `cellEdges`, and how many.
    @usableFromInline var ranges: [(start: Int32, count: Int32)] = []
    /// Per crossed cell: its reference point (x, y), flattened; bit 0 of the cell is its flag.
    @usableFromInline var references: [Double] = []
    /// Edge indices per crossed cell, flattened.
    @usableFromInline var cellEdges: [Int32] = []
    /// Edges as x1, y1, x2, y2.
    @usableFromInline let edges: [Double]

    /// Indexes `polygons` (each a list of closed rings, exterior first) on a grid of about
    /// `resolution` × `resolution` cells.
    public init(_ polygons: [[[Position]]], resolution: Int = 128) {
        var edges: [Double] = []
        var lo = Position(.infinity, .infinity), hi = Position(-.infinity, -.infinity)
        for polygon in polygons {
            for ring in polygon where ring.count >= 2 {
                for i in 1..<ring.count {
                    let a = ring[i - 1], b = ring[i]
                    if a == b { continue }
                    edges += [a.x, a.y, b.x, b.y]
                    lo = Position(min(lo.x, a.x, b.x), min(lo.y, a.y, b.y))
                    hi = Position(max(hi.x, a.x, b.x), max(hi.y, a.y, b.y))
                }
            }
        }
        self.edges = edges
        guard !edges.isEmpty else {
            minX = 0; minY = 0; maxX = -1; maxY = -1; cellWidth = 1; cellHeight = 1; columns = 0; rows = 0; cells = []
            return
        }
        minX = lo.x; minY = lo.y; maxX = hi.x; maxY = hi.y
        let n = max(1, resolution)
        columns = n
        rows = n
        cellWidth = max((hi.x - lo.x) / Double(n), 1e-12)
        cellHeight = max((hi.y - lo.y) / Double(n), 1e-12)
        cells = [UInt32](repeating: 0, count: n * n)

        // Which cells each edge may touch: every cell of the edge's box that the edge's line passes near.
        // (cell, edge) pairs in edge order, then sorted by cell (counting sort, stable): one flat
        // list instead of an array per cell.
        var pairs: [(cell: Int32, edge: Int32)] = []
        pairs.reserveCapacity(edges.count)
        let edgeCount = edges.count / 4
        for e in 0..<edgeCount {
            let x1 = edges[4 * e], y1 = edges[4 * e + 1], x2 = edges[4 * e + 2], y2 = edges[4 * e + 3]
            let c0 = column(min(x1, x2)), c1 = column(max(x1, x2))
            let r0 = row(min(y1, y2)), r1 = row(max(y1, y2))
            for r in r0...r1 {
                for c in c0...c1 {
                    if c1 > c0 && r1 > r0 && !segmentMayTouchCell(x1, y1, x2, y2, c, r) { continue }
                    pairs.append((Int32(r * n + c), Int32(e)))
                }
            }
        }
        // Centres inside or not, row by row: crossings of the horizontal line through the centres.
        let crossings = RowCrossings(edges, minY: minY, cellHeight: cellHeight, rows: 0..<n)
        for r in 0..<n {
            let xs = crossings.xs[Int(crossings.starts[r])..<Int(crossings.starts[r + 1])]
            var k = xs.startIndex
            var inside = false
            for c in 0..<n {
                let x = minX + (Double(c) + 0.5) * cellWidth
                while k < xs.endIndex && xs[k] < x { inside.toggle(); k += 1 }
                if inside { cells[r * n + c] = 1 }
            }
        }
        var starts = [Int32](repeating: 0, count: n * n + 1)
        for pair in pairs { starts[Int(pair.cell) + 1] += 1 }
        for i in 0..<(n * n) { starts[i + 1] += starts[i] }
        var sorted = [Int32](repeating: 0, count: pairs.count)
        var fill = starts
        for pair in pairs {
            sorted[Int(fill[Int(pair.cell)])] = pair.edge
            fill[Int(pair.cell)] += 1
        }
        cellEdges = sorted
        for i in 0..<(n * n) where starts[i + 1] > starts[i] {
            let listed = sorted[Int(starts[i])..<Int(starts[i + 1])]
            let c = i % n, r = i / n
            let cx0 = minX + Double(c) * cellWidth, cy0 = minY + Double(r) * cellHeight
            // The centre, or the first of a few other points of the cell that is clear of every edge.
            let clearance = 1e-7 * (cellWidth + cellHeight)
            var reference = Position(cx0 + 0.5 * cellWidth, cy0 + 0.5 * cellHeight)
            var moved = false
            for (fx, fy) in PolygonGrid.candidates {
                let candidate = Position(cx0 + fx * cellWidth, cy0 + fy * cellHeight)
                if listed.allSatisfy({ PolygonGrid.distance(candidate, edges, Int($0)) > clearance }) {
                    reference = candidate
                    break
                }
                moved = true
            }
            if moved {
                // Counted on its own: crossings of the horizontal ray to its right, over every edge.
                var inside = false
                for e in 0..<edgeCount {
                    let x1 = edges[4 * e], y1 = edges[4 * e + 1], x2 = edges[4 * e + 2], y2 = edges[4 * e + 3]
                    if (y1 > reference.y) != (y2 > reference.y), x1 + (reference.y - y1) * (x2 - x1) / (y2 - y1) > reference.x { inside.toggle() }
                }
                cells[i] = inside ? 1 : 0
            }
            ranges.append((starts[i], starts[i + 1] - starts[i]))
            references += [reference.x, reference.y]
            cells[i] |= UInt32(ranges.count) << 1
        }
    }

    /// Where in a cell (as fractions of its width and height) a reference point may be: the
    /// centre first, then points off its axes and diagonals.
    static let candidates: [(Double, Double)] = [(0.5, 0.5), (0.3711, 0.6237), (0.6419, 0.3347), (0.2573, 0.2891), (0.7331, 0.7129),
                                                  (0.4123, 0.1733), (0.8267, 0.4411), (0.1519, 0.8093), (0.5873, 0.9011)]

    @inlinable func column(_ x: Double) -> Int { min(columns - 1, max(0, Int((x - minX) / cellWidth))) }
    @inlinable func row(_ y: Double) -> Int { min(rows - 1, max(0, Int((y - minY) / cellHeight))) }

    /// False only when the segment's line clearly misses the cell (all four corners on one side).
    private func segmentMayTouchCell(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ c: Int, _ r: Int) -> Bool {
        let cx0 = minX + Double(c) * cellWidth, cy0 = minY + Double(r) * cellHeight
        return segmentMayTouchBox(x1, y1, x2, y2, cx0, cy0, cx0 + cellWidth, cy0 + cellHeight)
    }

    /// True when `p` is inside the polygons or on their boundary.
    @inlinable
    public func contains(_ p: Position) -> Bool {
        guard p.x >= minX && p.x <= maxX && p.y >= minY && p.y <= maxY else { return false }
        let c = column(p.x), r = row(p.y)
        let cell = cells[r * columns + c]
        let inside = cell & 1 == 1
        let rangeIndex = Int(cell >> 1)
        if rangeIndex == 0 { return inside }
        let range = ranges[rangeIndex - 1]
        let reference = Position(references[2 * (rangeIndex - 1)], references[2 * (rangeIndex - 1) + 1])
        return edges.withUnsafeBufferPointer { e in
            cellEdges.withUnsafeBufferPointer { list in
                PolygonGrid.crossingTest(count: Int(range.count), reference: reference, inside: inside, p) { k in
                    let i = Int(list[Int(range.start) + k]) * 4
                    return (e[i], e[i + 1], e[i + 2], e[i + 3])
                }
            }
        }
    }

    /// The rule of a crossed cell, for PolygonGrid and RasterIndex alike: `p` is inside when it
    /// lies on one of the cell's `count` edges (within 10⁻¹² of a unit), or else when the
    /// reference point's flag, flipped once for each edge crossed on the way from the reference
    /// to `p` (first along the vertical through the reference, then along the horizontal through
    /// `p`, half-open so that a path through a vertex counts it once), says so.
    @inlinable @inline(__always)
    static func crossingTest(count: Int, reference: Position, inside flag: Bool, _ p: Position,
                             edge: (Int) -> (Double, Double, Double, Double)) -> Bool {
        var inside = flag
        let cx = reference.x, cy = reference.y
        let yLow = min(cy, p.y), yHigh = max(cy, p.y)
        let xLow = min(cx, p.x), xHigh = max(cx, p.x)
        for k in 0..<count {
            let (x1, y1, x2, y2) = edge(k)
            // On the edge itself: inside, whatever the crossings say.
            if p.x >= min(x1, x2) - 1e-12 && p.x <= max(x1, x2) + 1e-12 && p.y >= min(y1, y2) - 1e-12 && p.y <= max(y1, y2) + 1e-12 {
                let dx = x2 - x1, dy = y2 - y1
                if abs((p.x - x1) * dy - (p.y - y1) * dx) <= 1e-12 * (abs(dx) + abs(dy)) { return true }
            }
            // Along the vertical x = cx from cy to p.y.
            if (x1 > cx) != (x2 > cx) {
                let y = y1 + (cx - x1) * (y2 - y1) / (x2 - x1)
                if y > yLow && y <= yHigh { inside.toggle() }
            }
            // Along the horizontal y = p.y from cx to p.x.
            if (y1 > p.y) != (y2 > p.y) {
                let x = x1 + (p.y - y1) * (x2 - x1) / (y2 - y1)
                if x > xLow && x <= xHigh { inside.toggle() }
            }
        }
        return inside
    }

    /// The distance from `p` to edge `e` of `edges` (x1, y1, x2, y2 each).
    static func distance(_ p: Position, _ edges: [Double], _ e: Int) -> Double {
        let x1 = edges[4 * e], y1 = edges[4 * e + 1], x2 = edges[4 * e + 2], y2 = edges[4 * e + 3]
        let dx = x2 - x1, dy = y2 - y1
        let length2 = dx * dx + dy * dy
        let t = length2 > 0 ? max(0, min(1, ((p.x - x1) * dx + (p.y - y1) * dy) / length2)) : 0
        let ex = x1 + t * dx - p.x, ey = y1 + t * dy - p.y
        return (ex * ex + ey * ey).squareRoot()
    }
}

/// False only when the segment's line clearly misses the box `[x0, x1] × [y0, y1]` (all four
/// corners on one side): which cells an edge may touch, for PolygonGrid and RasterIndex alike.
func segmentMayTouchBox(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double,
                        _ cx0: Double, _ cy0: Double, _ cx1: Double, _ cy1: Double) -> Bool {
    let dx = x2 - x1, dy = y2 - y1
    let pad = 1e-9 * (abs(dx) + abs(dy))
    // The four corners' sides of the line, without an array per call.
    let s1 = dx * (cy0 - y1) - dy * (cx0 - x1), s2 = dx * (cy0 - y1) - dy * (cx1 - x1)
    let s3 = dx * (cy1 - y1) - dy * (cx0 - x1), s4 = dx * (cy1 - y1) - dy * (cx1 - x1)
    let positive = s1 > -pad || s2 > -pad || s3 > -pad || s4 > -pad
    let negative = s1 < pad || s2 < pad || s3 < pad || s4 < pad
    return positive && negative
}

/// Where the horizontal lines through the centres of grid rows cross a set of edges: for row r
/// (centre `minY + (r + 0.5) × cellHeight`), the sorted x of every edge with one end above the
/// line and the other on or below it, in `xs[starts[r - rows.lowerBound] ..< starts[r - rows.lowerBound + 1]]`.
/// Each edge is put only in the rows its height spans (instead of every edge tested on every
/// row), with the same arithmetic, so the crossings are exactly those of the test on every row.
struct RowCrossings {
    var starts: [Int32]
    var xs: [Double]

    /// `edges` flattened as x1, y1, x2, y2.
    init(_ edges: [Double], minY: Double, cellHeight: Double, rows: Range<Int>) {
        let count = rows.count
        starts = [Int32](repeating: 0, count: count + 1)
        xs = []
        guard count > 0 else { return }
        let first = rows.lowerBound
        @inline(__always) func centre(_ r: Int) -> Double { minY + (Double(r) + 0.5) * cellHeight }
        // The rows an edge may cross, one wider on each side than its height, then tested exactly.
        @inline(__always) func span(_ y1: Double, _ y2: Double) -> ClosedRange<Int>? {
            let lo = min(y1, y2), hi = max(y1, y2)
            guard lo != hi else { return nil }
            let a = ((lo - minY) / cellHeight - 0.5).rounded(.down), b = ((hi - minY) / cellHeight - 0.5).rounded(.down)
            guard a.isFinite, b.isFinite else { return nil }
            let low = Double(first - 2), high = Double(rows.upperBound + 1)
            let r0 = max(first, Int(min(max(a, low), high))), r1 = min(rows.upperBound - 1, Int(min(max(b, low), high)) + 1)
            return r0 <= r1 ? r0...r1 : nil
        }
        let edgeCount = edges.count / 4
        edges.withUnsafeBufferPointer { e in
            for k in 0..<edgeCount {
                let y1 = e[4 * k + 1], y2 = e[4 * k + 3]
                guard let rs = span(y1, y2) else { continue }
                for r in rs {
                    let y = centre(r)
                    if (y1 > y) != (y2 > y) { starts[r - first + 1] += 1 }
                }
            }
            for i in 0..<count { starts[i + 1] += starts[i] }
            xs = [Double](repeating: 0, count: Int(starts[count]))
            var fill = starts
            for k in 0..<edgeCount {
                let x1 = e[4 * k], y1 = e[4 * k + 1], x2 = e[4 * k + 2], y2 = e[4 * k + 3]
                guard let rs = span(y1, y2) else { continue }
                for r in rs {
                    let y = centre(r)
                    if (y1 > y) != (y2 > y) {
                        xs[Int(fill[r - first])] = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
                        fill[r - first] += 1
                    }
                }
            }
        }
        for i in 0..<count where starts[i + 1] - starts[i] > 1 { xs[Int(starts[i])..<Int(starts[i + 1])].sort() }
    }
}
