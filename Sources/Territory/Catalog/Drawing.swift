import Geometry
import JSONText

// The hand-drawn boundary pack, data/boundaries/drawing.json, read directly: named nodes
// (lon, lat in WGS 84), border arcs (lists of node names, each border written once and shared
// by the shapes on both sides) and shapes (rings of arcs, a line of nodes or a single node).
// The geometry assembled here is, position for position, the one the retired Python script
// (tools/draw_boundaries.py) wrote to builtin.geojson (a golden copy is kept beside the tests);
// reading goes on past a problem and reports them all.

/// A problem in the drawing: its subject (`shape 'aghdam'`, `arc 'east_fuzuli'`, `node 'x'`, or
/// `drawing` for the file as a whole) and what is wrong, naming the shapes, arcs and nodes involved.
public struct DrawingProblem: Sendable, Equatable, CustomStringConvertible {
    public let subject: String
    public let message: String

    public init(subject: String, _ message: String) {
        self.subject = subject
        self.message = message
    }

    /// `subject: message`, as the catalog's problems read.
    public var description: String { "\(subject): \(message)" }
}

public enum Drawing {
    /// The kinds of shape a drawing may hold: every `ShapeKind` but the generic `area`.
    public static let kinds = ShapeKind.allCases.filter { $0 != .area }.map(\.rawValue)

    /// Assembles every shape (sorted by id) and reports every problem found, not only the first.
    ///
    /// A shape with a problem of its own, or one built on an arc or node that has a problem, is
    /// left out of `shapes`; the partition rule (every arc of a district ring is used by exactly two
    /// district rings, or by exactly one when it is marked `"outer": true`) only reports problems.
    public static func read(_ json: JSONValue) -> (shapes: [BoundaryShape], problems: [DrawingProblem]) {
        var reader = Reader()
        let shapes = reader.read(json)
        return (shapes, reader.problems)
    }

    /// `value` rounded to 6 decimals as Python's `round(value, 6)` rounds it: the exact binary
    /// value rounded half to even at the sixth decimal, then the double nearest that decimal.
    /// Exact for magnitudes below 4e9 (coordinates in degrees); larger values come back as they are.
    static func rounded6(_ value: Double) -> Double {
        guard value.isFinite else { return value }
        let a = value.magnitude
        guard a < 4e9 else { return value }
        if a < 1e-7 { return value.sign == .minus ? -0.0 : 0.0 }
        // a × 10⁶ is exactly y + error: the fused multiply-add gives the product's rounding error.
        let y = a * 1e6
        let error = (-y).addingProduct(a, 1e6)
        let whole = y.rounded(.down)
        // Exact when it matters: y - whole is exact, and so is subtracting 0.5 near the halfway point.
        let pastHalf = (y - whole) - 0.5
        var q = whole
        if pastHalf > 0 || (pastHalf == 0 && error > 0) {
            q = whole + 1
        } else if pastHalf == 0 && error == 0 && whole.truncatingRemainder(dividingBy: 2) != 0 {
            q = whole + 1  // a tie: to even
        }
        let r = q / 1e6  // q < 2⁵³ and 10⁶ are exact, so this is the double nearest q / 10⁶
        return value.sign == .minus ? -r : r
    }

    /// Twice the signed area of a closed ring, summed in the order tools/draw_boundaries.py sums it.
    static func signedDoubleArea(_ ring: [Position]) -> Double {
        var sum = 0.0
        for (p, q) in zip(ring, ring.dropFirst()) {
            let forward = p.x * q.y
            let backward = q.x * p.y
            sum += forward - backward
        }
        return sum
    }
}

/// One arc as written.
private struct Arc {
    /// Nil when "nodes" is not a list of at least two node names (a problem reported on the arc).
    let nodes: [String]?
    let outer: Bool
    /// False when the first or last node is unknown: rings through the arc are not chained, since
    /// every problem of their chaining would follow from that one (reported on the arc).
    var endsKnown = true
}

/// A ring chained from arcs: node names with the arc each came from.
private struct ChainedRing {
    var nodes: [String]
    var arcs: [String]
}

private struct Reader {
    var problems: [DrawingProblem] = []

    private var positions: [String: Position] = [:]
    private var nodeNames: Set<String> = []
    private var arcs: [String: Arc] = [:]
    private var arcOrder: [String] = []
    /// The shapes whose rings use each arc (once per use), and whose geometry uses each node.
    private var arcUsers: [String: [String]] = [:]
    private var nodeUsers: [String: Set<String>] = [:]
    /// For the partition rule: the district shape of each use of an arc in a district ring.
    private var districtUses: [String: [String]] = [:]

    mutating func read(_ json: JSONValue) -> [BoundaryShape] {
        guard case .object(let top) = json else {
            problem("drawing", "the top level is \(json.kindName), not an object with \"nodes\", \"arcs\" and \"shapes\"")
            return []
        }
        var sections: [String: JSONObject] = [:]
        for (key, what) in [("nodes", "named nodes with lon and lat"), ("arcs", "named arcs, each a list of node names"),
                            ("shapes", "named shapes")] {
            switch top[key] {
            case nil: problem("drawing", "\"\(key)\" is missing: it must be an object of \(what)")
            case .object(let object)?: sections[key] = object
            case let other?: problem("drawing", "\"\(key)\" must be an object of \(what), found \(other.kindName)")
            }
        }
        guard let nodeSection = sections["nodes"], let arcSection = sections["arcs"], let shapeSection = sections["shapes"] else {
            return []
        }

        // Nodes and arcs are checked first; their problems are reported once the shapes that use them are known.
        let nodes = unique(nodeSection, "node")
        var nodeProblems: [(node: String, message: String)] = []
        for (name, value) in nodes {
            nodeNames.insert(name)
            switch position(value) {
            case .success(let p): positions[name] = p
            case .failure(let failure): nodeProblems.append((name, failure.message))
            }
        }
        var arcProblems: [(arc: String, message: String)] = []
        for (name, value) in unique(arcSection, "arc") {
            arcOrder.append(name)
            let (arc, messages) = self.arc(value)
            arcs[name] = arc
            arcProblems += messages.map { (name, $0) }
        }

        // Shapes, sorted by id as the script sorts them (by code point).
        let shapeValues = Dictionary(unique(shapeSection, "shape"), uniquingKeysWith: { $1 })
        let ids = shapeValues.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
        var drawn: [BoundaryShape] = []
        var shapeProblems: [DrawingProblem] = []
        for id in ids {
            let (shape, messages) = self.shape(id, shapeValues[id]!)
            shapeProblems += messages.map { DrawingProblem(subject: "shape '\(id)'", $0) }
            if let shape { drawn.append(shape) }
        }

        for (node, message) in nodeProblems {
            problem("node '\(node)'", message + usedBy(nodeUsers[node].map { $0.sorted(by: precedes) } ?? []))
        }
        for (arc, message) in arcProblems {
            problem("arc '\(arc)'", message + usedBy(distinct(arcUsers[arc] ?? [])))
        }
        problems += shapeProblems
        checkPartition()
        return drawn
    }

    // MARK: Nodes and arcs

    private struct Failure: Error { let message: String }

    private func position(_ value: JSONValue) -> Result<Position, Failure> {
        guard case .object(let object) = value else {
            return .failure(Failure(message: "must be an object with lon and lat, found \(value.kindName)"))
        }
        var numbers: [Double] = []
        var messages: [String] = []
        for (key, limit) in [("lon", 180.0), ("lat", 90.0)] {
            switch object[key] {
            case nil: messages.append("has no \(key)")
            case .number(let n)? where !n.isFinite: messages.append("\(key) \(n) is not finite")
            case .number(let n)? where !(-limit...limit).contains(n):
                messages.append("\(key) \(JSONWriter.number(n)) is outside -\(Int(limit))..\(Int(limit))")
            case .number(let n)?: numbers.append(n)
            case let other?: messages.append("\(key) must be a number, found \(other.kindName)")
            }
        }
        guard messages.isEmpty else { return .failure(Failure(message: messages.joined(separator: "; "))) }
        return .success(Position(Drawing.rounded6(numbers[0]), Drawing.rounded6(numbers[1])))
    }

    private func arc(_ value: JSONValue) -> (Arc, [String]) {
        guard case .object(let object) = value else {
            return (Arc(nodes: nil, outer: false), ["must be an object with \"nodes\", found \(value.kindName)"])
        }
        var messages: [String] = []
        var outer = false
        switch object["outer"] {
        case nil: break
        case .bool(let b)?: outer = b
        case let other?: messages.append("\"outer\" must be true or false, found \(other.kindName)")
        }
        guard case .array(let items)? = object["nodes"], let names = strings(items), names.count >= 2 else {
            messages.append("\"nodes\" must be a list of at least two node names")
            return (Arc(nodes: nil, outer: outer), messages)
        }
        for (i, name) in names.enumerated() where !nodeNames.contains(name) {
            messages.append("unknown node '\(name)' (node \(i + 1) of the arc)")
        }
        let endsKnown = nodeNames.contains(names.first!) && nodeNames.contains(names.last!)
        return (Arc(nodes: names, outer: outer, endsKnown: endsKnown), messages)
    }

    // MARK: Shapes

    private mutating func shape(_ id: String, _ value: JSONValue) -> (BoundaryShape?, [String]) {
        guard case .object(let object) = value else {
            return (nil, ["must be an object with name, kind and rings, line or point, found \(value.kindName)"])
        }
        var messages: [String] = []
        var name: String?
        switch object["name"] {
        case nil: messages.append("has no name")
        case .string(let s)? where !s.isEmpty: name = s
        case .string?: messages.append("has an empty name")
        case let other?: messages.append("name must be a string, found \(other.kindName)")
        }
        var kind: String?
        switch object["kind"] {
        case nil: messages.append("has no kind (one of \(Drawing.kinds.joined(separator: ", ")))")
        case .string(let s)? where Drawing.kinds.contains(s): kind = s
        case .string(let s)?: messages.append("unknown kind '\(s)' (expected one of \(Drawing.kinds.joined(separator: ", ")))")
        case let other?: messages.append("kind must be a string, found \(other.kindName)")
        }
        var note: String?
        switch object["note"] {
        case nil, .null?: break
        case .string(let s)?: note = s
        case let other?: messages.append("note must be a string or null, found \(other.kindName)")
        }

        let present = ["rings", "line", "point"].filter { object[$0] != nil }
        var geometry: Shape?
        switch present.first {
        case nil:
            messages.append("has none of rings, line or point")
        case "rings":
            geometry = polygon(id, object["rings"]!, kind: kind, messages: &messages)
        case "line":
            geometry = line(id, object["line"]!, messages: &messages)
        default:
            geometry = point(id, object["point"]!, messages: &messages)
        }
        if present.count > 1 {
            messages.append("has \(present.joined(separator: " and ")) at once; only \(present[0]) is drawn")
        }
        guard messages.isEmpty, let name, let kind, let shapeKind = ShapeKind(rawValue: kind), let geometry else { return (nil, messages) }
        return (BoundaryShape(id: id, name: name, kind: shapeKind, note: note, shape: geometry), [])
    }

    private mutating func polygon(_ id: String, _ value: JSONValue, kind: String?, messages: inout [String]) -> Shape? {
        guard case .array(let ringValues) = value, !ringValues.isEmpty else {
            messages.append("rings must be a non-empty list of rings, each a list of arc names")
            return nil
        }
        var rings: [[Position]]? = []
        for (k, ringValue) in ringValues.enumerated() {
            let label = "ring \(k + 1)"
            guard case .array(let items) = ringValue, let names = strings(items) else {
                messages.append("\(label) must be a list of arc names")
                rings = nil
                continue
            }
            for name in names where arcs[name] != nil {
                arcUsers[name, default: []].append(id)
                if kind == "district" { districtUses[name, default: []].append(id) }
            }
            guard let chained = chain(names, label, messages: &messages) else {
                rings = nil
                continue
            }
            guard var coordinates = positions(of: chained.nodes, in: id) else {
                rings = nil
                continue
            }
            let counterClockwise = Drawing.signedDoubleArea(coordinates) > 0
            if (k == 0) != counterClockwise { coordinates.reverse() }  // exterior CCW, holes CW
            rings?.append(coordinates)
        }
        return rings.map { .polygon($0) }
    }

    /// Joins the arcs end to end as the script does: the first arc as written, reversed when the
    /// second arc meets only its start; each next arc forwards or backwards from where the ring stands.
    private func chain(_ names: [String], _ label: String, messages: inout [String]) -> ChainedRing? {
        guard !names.isEmpty else {
            messages.append("\(label) has no arcs")
            return nil
        }
        var usable = true
        for (i, name) in names.enumerated() {
            guard let arc = arcs[name] else {
                let place = i == 0 ? "as its first arc" : "after arc '\(names[i - 1])'"
                messages.append("\(label): unknown arc '\(name)' \(place)")
                usable = false
                continue
            }
            if arc.nodes == nil || !arc.endsKnown { usable = false }  // reported on the arc
        }
        guard usable else { return nil }

        var ring = ChainedRing(nodes: [], arcs: [])
        for (i, name) in names.enumerated() {
            let nodes = arcs[name]!.nodes!
            let (start, end) = (nodes.first!, nodes.last!)
            if i == 0 {
                ring = ChainedRing(nodes: nodes, arcs: Array(repeating: name, count: nodes.count))
                continue
            }
            let (first, last) = (ring.nodes.first!, ring.nodes.last!)
            if i == 1 && (first == start || first == end) && !(last == start || last == end) {
                ring.nodes.reverse()
            }
            let standing = ring.nodes.last!
            if start == standing {
                ring.nodes += nodes.dropFirst()
            } else if end == standing {
                ring.nodes += nodes.dropLast().reversed()
            } else {
                let previous = names[i - 1]
                if i == 1 {
                    messages.append("\(label): arc '\(name)' does not continue from arc '\(previous)': they share no end "
                        + "(arc '\(previous)' runs from node '\(first)' to node '\(last)', arc '\(name)' from node '\(start)' to node '\(end)')")
                } else {
                    messages.append("\(label): arc '\(name)' does not continue from arc '\(previous)': the ring stands at node '\(standing)', "
                        + "and arc '\(name)' runs from node '\(start)' to node '\(end)'")
                }
                return nil
            }
            ring.arcs += Array(repeating: name, count: nodes.count - 1)
        }

        let (first, last) = (ring.nodes.first!, ring.nodes.last!)
        guard first == last else {
            messages.append("\(label) does not close: it starts at node '\(first)' (arc '\(ring.arcs.first!)') "
                + "and ends at node '\(last)' (arc '\(ring.arcs.last!)')")
            return nil
        }
        guard ring.nodes.count >= 4 else {
            let nodeList = distinct(Array(ring.nodes.dropLast())).map { "node '\($0)'" }.joined(separator: ", ")
            let arcList = distinct(ring.arcs).map { "arc '\($0)'" }.joined(separator: ", ")
            messages.append("\(label) has fewer than 3 distinct nodes (\(nodeList), from \(arcList))")
            return nil
        }
        var seen: [String: Int] = [:]
        var twice = false
        for (j, node) in ring.nodes.dropLast().enumerated() {
            if let f = seen[node] {
                let arcsOf = ring.arcs[f] == ring.arcs[j]
                    ? "both in arc '\(ring.arcs[j])'" : "in arc '\(ring.arcs[f])' and in arc '\(ring.arcs[j])'"
                messages.append("\(label) passes node '\(node)' twice (\(arcsOf))")
                twice = true
            } else {
                seen[node] = j
            }
        }
        return twice ? nil : ring
    }

    private mutating func line(_ id: String, _ value: JSONValue, messages: inout [String]) -> Shape? {
        guard case .array(let items) = value, let names = strings(items) else {
            messages.append("line must be a list of node names")
            return nil
        }
        guard names.count >= 2 else {
            messages.append("line needs at least two nodes, found \(names.count)")
            return nil
        }
        var known = true
        for (i, name) in names.enumerated() where !nodeNames.contains(name) {
            messages.append("line: unknown node '\(name)' (node \(i + 1) of the line)")
            known = false
        }
        guard known, let coordinates = positions(of: names, in: id) else { return nil }
        return .lineString(coordinates)
    }

    private mutating func point(_ id: String, _ value: JSONValue, messages: inout [String]) -> Shape? {
        guard case .string(let name) = value else {
            messages.append("point must be a node name, found \(value.kindName)")
            return nil
        }
        guard nodeNames.contains(name) else {
            messages.append("point: unknown node '\(name)'")
            return nil
        }
        return positions(of: [name], in: id).map { .point($0[0]) }
    }

    /// The positions of known nodes, noting that shape `id` uses them; nil when one has no valid
    /// position (reported on the node) or is unknown (reported on the arc, line or point).
    private mutating func positions(of names: [String], in id: String) -> [Position]? {
        var result: [Position] = []
        result.reserveCapacity(names.count)
        var complete = true
        for name in names {
            if nodeNames.contains(name) { nodeUsers[name, default: []].insert(id) }
            if let p = positions[name] { result.append(p) } else { complete = false }
        }
        return complete ? result : nil
    }

    // MARK: The partition of the districts

    private mutating func checkPartition() {
        for name in arcOrder {
            guard let arc = arcs[name] else { continue }
            let users = districtUses[name] ?? []
            let list = users.map { "shape '\($0)'" }.joined(separator: ", ")
            switch (arc.outer, users.count) {
            case (true, 0):
                problem("arc '\(name)'", "is marked \"outer\": true but no district uses it; an outer arc lies on the edge "
                    + "of the covered area, with one district on its inner side")
            case (true, 1), (false, 0), (false, 2):
                break
            case (true, let n):
                problem("arc '\(name)'", "is marked \"outer\": true but is used by \(count(n)) districts (\(list)); "
                    + "an outer arc lies on the edge of the covered area and belongs to one district only: drop \"outer\" "
                    + "or fix the rings")
            case (false, 1):
                problem("arc '\(name)'", "is used by one district only (\(list)); a border between districts needs both "
                    + "sides, or mark it \"outer\": true")
            case (false, let n):
                problem("arc '\(name)'", "is used by \(count(n)) district rings (\(list)); a border between districts "
                    + "has exactly two sides")
            }
        }
    }

    private func count(_ n: Int) -> String {
        n == 2 ? "two" : n == 3 ? "three" : String(n)
    }

    // MARK: Helpers

    private mutating func problem(_ subject: String, _ message: String) {
        problems.append(DrawingProblem(subject: subject, message))
    }

    /// The members of a section with one entry per key (the last written, as JSON readers keep),
    /// in order of first appearance; a key written twice is a problem.
    private mutating func unique(_ object: JSONObject, _ what: String) -> [(String, JSONValue)] {
        var index: [String: Int] = [:]
        var result: [(String, JSONValue)] = []
        var repeated: [String] = []
        for (key, value) in object.members {
            if let i = index[key] {
                result[i].1 = value
                if !repeated.contains(key) { repeated.append(key) }
            } else {
                index[key] = result.count
                result.append((key, value))
            }
        }
        for key in repeated {
            problem("\(what) '\(key)'", "is written more than once; only the last one counts")
        }
        return result
    }

    private func strings(_ items: [JSONValue]) -> [String]? {
        var names: [String] = []
        for item in items {
            guard case .string(let s) = item else { return nil }
            names.append(s)
        }
        return names
    }

    private func distinct(_ names: [String]) -> [String] {
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }
    }

    private func precedes(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
    }

    private func usedBy(_ shapes: [String]) -> String {
        shapes.isEmpty ? "" : " (used by \(shapes.map { "shape '\($0)'" }.joined(separator: ", ")))"
    }
}
