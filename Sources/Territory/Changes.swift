import Geodesy
import Geometry
import JSONText
import Synchronization

/// Ground whose holder changed: on one facet, from some holders (none when empty) to others,
/// between two days (`territory diff`) or from one time slice to the next (the timeline).
public struct HolderChange: Sendable {
    public let facet: Facet
    /// The day it took effect (the later slice's first day); for a diff, the later day asked.
    public let day: Day
    /// The holders before and after, by the status rule: one at most for an exclusive facet,
    /// every holder (sorted) for presence; empty where no statement said.
    public let fromHolders: [String]
    public let toHolders: [String]
    /// The geodesic area of the changed ground, km².
    public let areaKm2: Double
    /// The statements in force before and after whose grounds make the changed ground.
    public let statementsFrom: [StatementInfo]
    public let statementsTo: [StatementInfo]
    /// The changed ground (valid as GEOS judges it, and as written at 7 decimals).
    public let polygons: [[[Position]]]
    /// When the day is not known for certain: the range the sources give, `[first, last]`.
    public let uncertain: (first: Day, last: Day)?

    /// The zones named for it: those of the statements after, or before when nothing holds after.
    public var zones: [String] {
        var out: [String] = []
        for s in (toHolders.isEmpty ? statementsFrom : statementsTo) where !out.contains(s.zone) { out.append(s.zone) }
        return out
    }

    /// What a reader should know besides: superseded dates ("due 15 November 2020; postponed on
    /// 15 November 2020 to 25 November 2020"), strength and mandate of a presence.
    public func notes(superseded: (String) -> StatementInfo?) -> [String] {
        var out: [String] = []
        func add(_ t: String) { if !out.contains(t) { out.append(t) } }
        for s in statementsFrom + statementsTo {
            if let id = s.supersedes, let old = superseded(id) {
                func moved(_ a: Day, _ b: Day) -> String { b > a ? "postponed" : "brought forward" }
                if old.valid.from != s.valid.from {
                    add("due \(old.valid.from.longDescription); \(moved(old.valid.from, s.valid.from)) on \(s.announced.longDescription) to \(s.valid.from.longDescription) [\(old.id)]")
                }
                if let a = old.valid.to, let b = s.valid.to, a != b {
                    add("due to end \(a.longDescription); \(moved(a, b)) on \(s.announced.longDescription) to \(b.longDescription) [\(old.id)]")
                }
            }
        }
        for s in statementsTo {
            if let strength = s.qualifiers.strength { add("\(s.holderName): \(strength.summary)") }
            if let mandate = s.qualifiers.mandate { add("\(s.holderName)'s mandate: \(mandate)") }
        }
        if let uncertain {
            add("the day is uncertain: between \(uncertain.first.longDescription) and \(uncertain.last.longDescription); the slices take \(uncertain.first.longDescription)")
        }
        return out
    }

    /// `NK`, `RU+TR`, or nil for none.
    public static func label(_ holders: [String]) -> String? { holders.isEmpty ? nil : holders.joined(separator: "+") }

    /// The change as JSON: facet, from_holder, to_holder (a code, `RU+TR` for several present,
    /// null for none), area_km2 (one decimal), zones, statements_from, statements_to (ids),
    /// sources, notes, and uncertain (`[first, last]` or null).
    public func json(notes: [String]) -> JSONObject {
        var sources: [String] = []
        for s in (toHolders.isEmpty ? statementsFrom : statementsTo) where !sources.contains(s.source.citation) { sources.append(s.source.citation) }
        return JSONObject([
            ("facet", .string(facet.rawValue)),
            ("from_holder", HolderChange.label(fromHolders).map { .string($0) } ?? .null),
            ("to_holder", HolderChange.label(toHolders).map { .string($0) } ?? .null),
            ("area_km2", .number((areaKm2 * 10).rounded() / 10)),
            ("zones", .array(zones.map { .string($0) })),
            ("statements_from", .array(statementsFrom.map { .string($0.id) })),
            ("statements_to", .array(statementsTo.map { .string($0.id) })),
            ("sources", .array(sources.map { .string($0) })),
            ("notes", .array(notes.map { .string($0) })),
            ("uncertain", uncertain.map { .array([.string($0.first.description), .string($0.last.description)]) } ?? .null),
        ])
    }
}

extension HolderChange {
    /// What `territory diff --format json` prints and GET /diff sends: {"from", "to", "as_of",
    /// "view", "changes": [...]}.
    public static func document(from: Day, to: Day, record: RecordView, changes: [HolderChange], notes: (HolderChange) -> [String]) -> JSONValue {
        .object(JSONObject([
            ("from", .string(from.description)), ("to", .string(to.description)),
            ("as_of", record.asOf.map { .string($0.description) } ?? .null), ("view", record.view.map { .string($0) } ?? .null),
            ("changes", .array(changes.map { .object($0.json(notes: notes($0))) })),
        ]))
    }
}

/// Ground computations over the engine's statements with GEOS: the partition of ground by
/// holder under the status rule, and from it diffs, the chronology of changes and the layers of
/// records other than today's. One GEOS context per call: the engine stays `Sendable`.
struct GroundWork {
    let engine: Engine
    let context = GEOSContext()
    private var cache: [Int: Geometry] = [:]
    /// Pieces smaller than this (km²) are overlay slivers, not changes.
    static let sliverKm2 = 0.001

    init(_ engine: Engine) { self.engine = engine }

    mutating func ground(_ i: Int) throws(GEOSError) -> Geometry {
        if let g = cache[i] { return g }
        var g = try Geometry(engine.ground(of: i), context: context)
        if !(try g.isValid()) { g = try polygonal(g.makeValid()) }
        cache[i] = g
        return g
    }

    /// Only the polygons of an overlay's result (`Atlas.polygonal`), made valid (its polygons
    /// taken alone can touch along an edge).
    func polygonal(_ g: Geometry) throws(GEOSError) -> Geometry {
        let result = try Atlas.polygonal(g, context)
        return try result.isValid() ? result : Atlas.polygonal(result.makeValid(), context)
    }

    /// The uncertain range of a change of holder on `day`: a statement after it starting on an
    /// uncertain day, or one before it ending on one.
    static func uncertainty(day: Day, after: [StatementInfo], before: [StatementInfo], asOf: Day?) -> (first: Day, last: Day)? {
        var range: (first: Day, last: Day)?
        for s in after { if s.valid.from == day, let last = s.qualifiers.fromLatest { range = (day, last) } }
        for s in before { if s.valid(asOf: asOf).to == day, let last = s.qualifiers.toLatest { range = (day, last) } }
        return range
    }

    /// True when the two bounding boxes meet. (GEOS 3.11's predicates can throw on nearly
    /// coincident edges where its overlays do not: overlays decide, boxes only skip.)
    func boxesMeet(_ a: Geometry, _ b: Geometry) throws(GEOSError) -> Bool {
        guard let p = try a.bounds(), let q = try b.bounds() else { return false }
        return p.min.x <= q.max.x && q.min.x <= p.max.x && p.min.y <= q.max.y && q.min.y <= p.max.y
    }

    /// The ground of `region` split by the holders of `facet` under `members` (in the order that
    /// decides): for an exclusive facet the first statement holding a spot decides; presence
    /// gathers every holder. Pieces with the same holders are merged; an empty list is "none".
    mutating func partition(_ members: [Int], _ facet: Facet, within region: Geometry) throws(GEOSError) -> [(holders: [String], ground: Geometry)] {
        var pieces: [(holders: [String], ground: Geometry)] = [([], region)]
        for i in members where engine.statements[i].facet == facet {
            let holder = engine.statements[i].holder
            let g = try ground(i)
            var next: [(holders: [String], ground: Geometry)] = []
            for piece in pieces {
                let meets = try boxesMeet(piece.ground, g)
                if (facet.isExclusive && !piece.holders.isEmpty) || piece.holders.contains(holder) || !meets {
                    next.append(piece)
                    continue
                }
                let inside = try polygonal(piece.ground.intersection(g))
                if try inside.isEmpty() {
                    next.append(piece)
                    continue
                }
                let outside = try polygonal(piece.ground.difference(g))
                if !(try inside.isEmpty()) { next.append(((piece.holders + [holder]).sorted(), inside)) }
                if !(try outside.isEmpty()) { next.append((piece.holders, outside)) }
            }
            pieces = next
        }
        var merged: [(holders: [String], ground: Geometry)] = []
        for labels in Set(pieces.map(\.holders)).sorted(by: { $0.joined(separator: "+") < $1.joined(separator: "+") }) {
            let parts = pieces.filter { $0.holders == labels }.map(\.ground)
            merged.append((labels, parts.count == 1 ? parts[0] : try polygonal(Geometry.union(parts, context: context))))
        }
        return merged
    }

    /// The changes of `facet` within `region` from the statements `before` to those `after`.
    mutating func changes(_ facet: Facet, before: [Int], after: [Int], within region: Geometry, day: Day, asOf: Day?) throws(GEOSError) -> [HolderChange] {
        let p1 = try partition(before, facet, within: region)
        let p2 = try partition(after, facet, within: region)
        var out: [HolderChange] = []
        for a in p1 {
            for b in p2 where a.holders != b.holders {
                guard try boxesMeet(a.ground, b.ground) else { continue }
                let changed = try polygonal(a.ground.intersection(b.ground))
                let km2 = Atlas.areaKm2(changed)
                guard km2 > GroundWork.sliverKm2 else { continue }
                func behind(_ members: [Int], _ holders: [String]) throws(GEOSError) -> [StatementInfo] {
                    var found: [StatementInfo] = []
                    for i in members where engine.statements[i].facet == facet && holders.contains(engine.statements[i].holder) {
                        let g = try ground(i)
                        guard try boxesMeet(g, changed), Atlas.areaKm2(try polygonal(g.intersection(changed))) > GroundWork.sliverKm2 else { continue }
                        found.append(engine.statements[i])
                    }
                    return found.sorted { engine.index(of: $0.id) < engine.index(of: $1.id) }
                }
                let from = try behind(before, a.holders), to = try behind(after, b.holders)
                let uncertain = GroundWork.uncertainty(day: day, after: to, before: from, asOf: asOf)
                out.append(HolderChange(facet: facet, day: day, fromHolders: a.holders, toHolders: b.holders, areaKm2: km2,
                                        statementsFrom: from, statementsTo: to,
                                        polygons: try polygonal(changed.writable()).shape.polygons, uncertain: uncertain))
            }
        }
        return out
    }
}

extension Engine {
    /// The position of a statement in catalog order.
    func index(of id: String) -> Int { statementIndex[id] ?? Int.max }

    /// The ground whose holder changed between `from` and `to` (the statements in force on each
    /// day in `record`), per facet and (from holders → to holders), in facet order. The changed
    /// pieces and the unchanged ground together make the covered area.
    public func diff(from d1: Day, to d2: Day, facets: [Facet] = Facet.allCases, in record: RecordView = .today) throws(GEOSError) -> [HolderChange] {
        var work = GroundWork(self)
        let slices = slices(in: record)
        func members(_ day: Day) -> [Int] { Slicing.index(of: day, in: slices).map { slices[$0].members } ?? [] }
        let covered = try Geometry(coveredArea, context: work.context)
        var out: [HolderChange] = []
        for facet in Facet.allCases where facets.contains(facet) {
            out += try work.changes(facet, before: members(d1), after: members(d2), within: covered, day: d2, asOf: record.asOf)
        }
        // Either day inside an uncertain start or end of a statement behind a change: say so.
        return out.map { c in
            let range = (c.statementsFrom + c.statementsTo).lazy.compactMap { s in
                s.uncertainty(on: d1, asOf: record.asOf) ?? s.uncertainty(on: d2, asOf: record.asOf)
            }.first
            guard let range else { return c }
            return HolderChange(facet: c.facet, day: c.day, fromHolders: c.fromHolders, toHolders: c.toHolders, areaKm2: c.areaKm2,
                                statementsFrom: c.statementsFrom, statementsTo: c.statementsTo, polygons: c.polygons, uncertain: range)
        }
    }

    /// The chronology of `record`: every change of holder from one time slice to the next (and
    /// from nothing to the first), in order of day then facet. Only the ground of statements
    /// that start or end is looked at, so each step costs what changed.
    public func changes(in record: RecordView = .today) throws(GEOSError) -> [HolderChange] {
        let record = canonical(record)
        if let hit = chronologies.withLock({ $0[record] }) { return hit }
        var work = GroundWork(self)
        let slices = slices(in: record)
        var out: [HolderChange] = []
        for k in slices.indices {
            let before = k > 0 ? slices[k - 1].members : [], after = slices[k].members
            for facet in Facet.allCases {
                let a = Set(before.filter { statements[$0].facet == facet }), b = Set(after.filter { statements[$0].facet == facet })
                let moved = a.symmetricDifference(b).sorted()
                guard !moved.isEmpty else { continue }
                let region = try work.polygonal(Geometry.union(try moved.map { i throws(GEOSError) in try work.ground(i) }, context: work.context))
                out += try work.changes(facet, before: before, after: after, within: region, day: slices[k].interval.from, asOf: record.asOf)
            }
        }
        chronologies.withLock { cache in
            if cache.count > 64 { cache.removeAll() }
            cache[record] = out
        }
        return out
    }

    /// The changes at a position: where the holders there differ from one slice to the next, the
    /// chronology's change of that day, facet and holders (its ground holds the position).
    public func changes(at position: Position, in record: RecordView = .today) throws(GEOSError) -> [HolderChange] {
        let all = try changes(in: record)
        let slices = slices(in: record)
        var out: [HolderChange] = []
        var previous: [StatementInfo] = []
        for slice in slices {
            let now = found(at: position, on: slice.interval.from, slices)
            for facet in Facet.allCases {
                let a = holders(facet, previous), b = holders(facet, now)
                guard a != b else { continue }
                if let match = all.first(where: { $0.day == slice.interval.from && $0.facet == facet && $0.fromHolders == a && $0.toHolders == b }) {
                    out.append(match)
                } else {
                    // Too thin a change for the chronology (an edge): told from the statements here.
                    let from = previous.filter { $0.facet == facet && a.contains($0.holder) }
                    let to = now.filter { $0.facet == facet && b.contains($0.holder) }
                    let uncertain = GroundWork.uncertainty(day: slice.interval.from, after: to, before: from, asOf: record.asOf)
                    out.append(HolderChange(facet: facet, day: slice.interval.from, fromHolders: a, toHolders: b, areaKm2: 0,
                                            statementsFrom: from, statementsTo: to, polygons: [], uncertain: uncertain))
                }
            }
            previous = now
        }
        return out
    }

    /// The layer features of the slice holding `day` (every slice when nil) in `record`,
    /// computed now: one per (facet, holder) among `facets`. Exclusive facets follow the status
    /// rule (where a view's claim overlaps the record, the claim's holder has the ground).
    public func features(on day: Day?, facets: [Facet] = Facet.allCases, in record: RecordView) throws(GEOSError) -> [SliceFeature] {
        var work = GroundWork(self)
        let slices = slices(in: record)
        let chosen: [Slice] = day.map { d in Slicing.index(of: d, in: slices).map { [slices[$0]] } ?? [] } ?? slices
        let covered = try Geometry(coveredArea, context: work.context)
        var out: [SliceFeature] = []
        for slice in chosen {
            for facet in Facet.allCases where facets.contains(facet) {
                let members = slice.members.filter { statements[$0].facet == facet }
                let pieces = facet.isExclusive ? try work.partition(slice.members, facet, within: covered) : []
                for holder in Set(members.map { statements[$0].holder }).sorted() {
                    let mine = members.filter { statements[$0].holder == holder }
                    let ground: Geometry
                    if facet.isExclusive {
                        guard let piece = pieces.first(where: { $0.holders == [holder] }) else { continue }
                        ground = piece.ground
                    } else {
                        ground = try work.polygonal(Geometry.union(try mine.map { i throws(GEOSError) in try work.ground(i) }, context: work.context))
                    }
                    let km2 = Atlas.areaKm2(ground)
                    guard km2 > GroundWork.sliverKm2 else { continue }
                    out.append(SliceFeature(facet: facet, holder: holder, holderName: mine.first.map { statements[$0].holderName } ?? holder,
                                            valid: slice.interval, members: mine.map { statements[$0] }, areaKm2: (km2 * 1000).rounded() / 1000,
                                            boundaries: boundaries, polygons: try work.polygonal(ground.writable()).shape.polygons, record: record))
                }
            }
        }
        return out
    }
}

/// The timeline: the changes of a record in order, everywhere or at one position, with what a
/// reader needs besides (notes on superseded dates, strength, uncertain days), as the tool
/// prints it and the server sends it.
public struct Chronology: Sendable {
    public let record: RecordView
    public let position: Position?
    public let changes: [HolderChange]
    /// Every statement, by id: superseded ones are named in notes.
    let statements: [String: StatementInfo]

    public init(record: RecordView, position: Position?, changes: [HolderChange], statements: [StatementInfo]) {
        self.record = record
        self.position = position
        self.changes = changes
        self.statements = Dictionary(statements.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Only the changes from `from` through `to` (both included) on `facets`.
    public func filtered(from: Day?, to: Day?, facets: [Facet]) -> Chronology {
        var copy = self
        copy.changesFiltered(from: from, to: to, facets: facets)
        return copy
    }

    private mutating func changesFiltered(from: Day?, to: Day?, facets: [Facet]) {
        self = Chronology(record: record, position: position, changes: changes.filter { c in
            facets.contains(c.facet) && from.map { c.day >= $0 } ?? true && to.map { c.day <= $0 } ?? true
        }, statements: Array(statements.values))
    }

    /// The notes of a change.
    public func notes(_ c: HolderChange) -> [String] { c.notes(superseded: { statements[$0] }) }

    /// At a position, per facet: the holders there in turn, each from the day it began.
    public var holders: [(facet: Facet, runs: [(holders: [String], from: Day)])] {
        Facet.allCases.compactMap { facet in
            let runs = changes.filter { $0.facet == facet }.map { (holders: $0.toHolders, from: $0.day) }
            return runs.isEmpty ? nil : (facet, runs)
        }
    }

    /// `NK from 12 May 1994 until 25 November 2020, then AZ`.
    public static func sentence(_ runs: [(holders: [String], from: Day)]) -> String {
        var out = ""
        for (k, run) in runs.enumerated() {
            let who = run.holders.isEmpty ? "none" : run.holders.joined(separator: " and ")
            if k == 0 { out = "\(who) from \(run.from.longDescription)" } else { out += " until \(run.from.longDescription), then \(who)" }
        }
        return out
    }

    /// `{"as_of", "view", "lon", "lat", "holders": {facet: [{"holder", "from"}]}, "changes":
    /// [{"date", "facet", "from_holder", "to_holder", "area_km2", "zones", "statements_from",
    /// "statements_to", "sources", "notes", "uncertain"}]}`; lon, lat and holders at a position only.
    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("as_of", record.asOf.map { .string($0.description) } ?? .null),
            ("view", record.view.map { .string($0) } ?? .null),
        ]
        if let position {
            members.append(("lon", .number(position.x)))
            members.append(("lat", .number(position.y)))
            members.append(("holders", .object(JSONObject(holders.map { entry in
                (entry.facet.rawValue, JSONValue.array(entry.runs.map { run in
                    .object(JSONObject([("holder", HolderChange.label(run.holders).map { .string($0) } ?? .null), ("from", .string(run.from.description))]))
                }))
            }))))
        }
        members.append(("changes", .array(changes.map { c in
            var o = c.json(notes: notes(c))
            o.members.insert(("date", .string(c.day.description)), at: 0)
            return .object(o)
        })))
        return .object(JSONObject(members))
    }
}

extension Engine {
    /// The timeline of `record`, everywhere or at `position`.
    public func chronology(at position: Position? = nil, in record: RecordView = .today) throws(GEOSError) -> Chronology {
        let found: [HolderChange]
        if let position { found = try changes(at: position, in: record) } else { found = try changes(in: record) }
        return Chronology(record: record, position: position, changes: found, statements: statements)
    }
}
