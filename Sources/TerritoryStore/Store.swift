import Foundation
import GRDB
import Geometry
import JSONText
import Synchronization
import Territory

/// The compiled store: a SQLite database that is also an OGC GeoPackage 1.3, built from data/ by
/// `Store.build` and read by every query. It holds every statement with its resolved ground and
/// both its intervals, the features of every time slice in typed columns (with the statements
/// behind each in `slice_statements`), the boundary pack and the covered area, each with an R*Tree.
///
/// An open store is immutable and `Sendable`: it answers many tasks at once. Opening reads the
/// statements, places and covered area once into its `engine` (no WKB is parsed again per query);
/// layer, bbox and paging queries read SQLite through a few read-only connections taken in turn.
public final class Store: Sendable {
    /// Bumped whenever what the store holds or how changes, so that older stores are rebuilt.
    public static let formatVersion = "5"

    public let path: URL
    /// The engine every status, timeline and classification answer comes from.
    public let engine: Engine
    /// What the store was built from (`store_meta`): data_hash, format_version, title, data_folder, first_day, boundaries.
    public let meta: [String: String]
    private let readers: [Connection]
    private let turn = Atomic<UInt>(0)

    /// A read-only connection, opened on first use (a one-shot query opens one only).
    private final class Connection: Sendable {
        let path: URL
        let queue: Mutex<DatabaseQueue?>

        init(path: URL, opened: DatabaseQueue? = nil) {
            self.path = path
            queue = Mutex(opened)
        }

        func get() throws -> DatabaseQueue {
            try queue.withLock { queue in
                if let queue { return queue }
                var configuration = Configuration()
                configuration.readonly = true
                let opened = try DatabaseQueue(path: path.path, configuration: configuration)
                queue = opened
                return opened
            }
        }
    }

    /// Read-only connections kept open: concurrent readers take them in turn.
    public static let connections = 4

    /// Opens a store read-only, checking that it is a territory GeoPackage, and loads its engine;
    /// `use` says whether the engine will answer few or many questions (see `Engine.Use`).
    public init(path: URL, use: Engine.Use = .many) throws(TerritoryError) {
        guard FileManager.default.fileExists(atPath: path.path) else { throw .missingInput("\(path.path): no store here") }
        self.path = path
        var configuration = Configuration()
        configuration.readonly = true
        do {
            let first = try DatabaseQueue(path: path.path, configuration: configuration)
            let applicationID = try first.read { db in try Int32.fetchOne(db, sql: "PRAGMA application_id") }
            guard applicationID == GeoPackage.applicationID else {
                throw TerritoryError.badData("\(path.path): not a GeoPackage (application_id \(applicationID ?? 0))")
            }
            let meta = try first.read { db in
                guard try db.tableExists("store_meta") else { return [String: String]() }
                return Dictionary(try MetaRecord.fetchAll(db).map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
            }
            self.meta = meta
            guard meta["format_version"] == Store.formatVersion else {
                throw TerritoryError.badData("\(path.path): a store of format \(meta["format_version"] ?? "unknown"), not \(Store.formatVersion): rebuild it with 'territory build'")
            }
            readers = [Connection(path: path, opened: first)] + (1..<Store.connections).map { _ in Connection(path: path) }
            engine = try first.read { db in try Store.loadEngine(db, meta: meta, use: use) }
        } catch let error as TerritoryError {
            throw error
        } catch {
            throw .badData("\(path.path): cannot be read as a store: \(error)")
        }
    }

    /// Reads with one of the connections, taken in turn, turning SQLite's failures into internal
    /// errors that name the store.
    func read<T>(_ body: (Database) throws -> T) throws(TerritoryError) -> T {
        let connection = readers[Int(turn.wrappingAdd(1, ordering: .relaxed).oldValue % UInt(readers.count))]
        do { return try connection.get().read(body) } catch let error as TerritoryError { throw error } catch {
            throw .internalFailure("\(path.path): \(error)")
        }
    }

    /// The store's `store_meta` alone, without loading anything else: what staleness needs.
    public static func meta(at path: URL) -> Result<[String: String], TerritoryError> {
        var configuration = Configuration()
        configuration.readonly = true
        do {
            let queue = try DatabaseQueue(path: path.path, configuration: configuration)
            return .success(try queue.read { db in
                guard try Int32.fetchOne(db, sql: "PRAGMA application_id") == GeoPackage.applicationID else {
                    throw TerritoryError.badData("\(path.path): not a GeoPackage")
                }
                guard try db.tableExists("store_meta") else { throw TerritoryError.badData("\(path.path): not a territory store (no store_meta)") }
                return Dictionary(try MetaRecord.fetchAll(db).map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
            })
        } catch let error as TerritoryError {
            return .failure(error)
        } catch {
            return .failure(.badData("\(path.path): cannot be read as a store: \(error)"))
        }
    }

    private static func loadEngine(_ db: Database, meta: [String: String], use: Engine.Use) throws -> Engine {
        let context = GEOSContext()
        let rows = try StatementRecord.order(StatementRecord.Columns.fid).fetchAll(db)
        let places = ShapeKind.allCases.filter(\.isPlace).map(\.rawValue)
        let boundaries = try BoundaryRecord.filter(places.contains(BoundaryRecord.Columns.kind)).order(BoundaryRecord.Columns.name).fetchAll(db)
        let covered = try CoveredRecord.fetchAll(db)
        let citation = meta["boundaries"].flatMap { $0.isEmpty ? nil : $0 }
        return Engine(
            title: meta["title"] ?? Catalog.defaultTitle, boundaries: citation,
            statements: try rows.map { try $0.info() },
            grounds: try rows.map { try GeoPackage.geometry($0.geom, context: context).shape },
            places: try boundaries.map { ($0.name, try GeoPackage.geometry($0.geom, context: context).shape) },
            covered: .multiPolygon(try covered.flatMap { try GeoPackage.geometry($0.geom, context: context).shape.polygons }), use: use)
    }

    /// True when the file at `path` is a territory store, or one that was being written or is
    /// damaged (an SQLite file, or a file that starts like nothing else): a file that anything
    /// else wrote is never replaced.
    public static func looksLikeStore(_ path: URL) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path.path) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 100)) ?? Data()
        if head.isEmpty { return true }
        guard head.starts(with: Data("SQLite format 3\0".utf8)) else { return false }
        // A GeoPackage of someone else's has no store_meta table: leave it alone.
        var configuration = Configuration()
        configuration.readonly = true
        guard let queue = try? DatabaseQueue(path: path.path, configuration: configuration) else { return true }
        let tables = (try? queue.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") }) ?? []
        return tables.isEmpty || tables.contains("store_meta")
    }

    // MARK: Building

    /// Compiles `atlas` into a GeoPackage at `path`, atomically (`AtomicFile`): everything is
    /// written to a temporary file in the same folder, flushed to disk, and renamed over `path`
    /// only when complete, so a failure or a kill part-way leaves the previous store as it was.
    /// A file at `path` that is not a territory store (`looksLikeStore`) is never replaced.
    public static func build(_ atlas: Atlas, dataHash: String, to path: URL) throws(TerritoryError) {
        if FileManager.default.fileExists(atPath: path.path), !looksLikeStore(path) {
            throw .io("\(path.path): exists and is not a territory store: not replacing it (choose another --store)")
        }
        do {
            try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw .io("\(path.path): cannot create its folder: \(error.localizedDescription)")
        }
        let file = try AtomicFile(path: path.path, open: false)
        do {
            try write(atlas, dataHash: dataHash, to: file.temporaryPath!)
            try file.commit()
        } catch let error as TerritoryError {
            file.discard()
            throw error
        } catch let error as DatabaseError {
            file.discard()
            throw .io("\(path.path): cannot build the store: \(error)")
        } catch {
            file.discard()
            throw .internalFailure("\(path.path): cannot build the store: \(error)")
        }
    }

    private static func write(_ atlas: Atlas, dataHash: String, to file: String) throws {
        let queue = try DatabaseQueue(path: file)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA application_id = \(GeoPackage.applicationID)")
            try db.execute(sql: "PRAGMA user_version = \(GeoPackage.userVersion)")
        }
        try Schema.migrator.migrate(queue)
        let context = GEOSContext()
        let catalog = atlas.catalog
        try queue.inTransaction { db in
            var extents: [String: GeoPackage.Envelope] = [:]
            func index(_ table: String, _ envelope: GeoPackage.Envelope) throws {
                guard !envelope.isEmpty else { return }
                try db.execute(sql: "INSERT INTO rtree_\(table)_geom VALUES (?, ?, ?, ?, ?)",
                               arguments: [db.lastInsertedRowID, envelope.minX, envelope.maxX, envelope.minY, envelope.maxY])
                var e = extents[table] ?? GeoPackage.Envelope([])
                e.minX = min(e.minX, envelope.minX); e.maxX = max(e.maxX, envelope.maxX)
                e.minY = min(e.minY, envelope.minY); e.maxY = max(e.maxY, envelope.maxY)
                extents[table] = e
            }
            for statement in catalog.statements {
                let (blob, envelope) = try GeoPackage.blob(.multiPolygon(atlas.ground(of: statement).shape.polygons), context: context)
                try StatementRecord(atlas.info(statement), geom: blob).insert(db)
                try index("statements", envelope)
            }
            for slice in atlas.slices {
                for feature in try atlas.sliceFeatures(slice) {
                    let (blob, envelope) = try GeoPackage.blob(.multiPolygon(feature.polygons), context: context)
                    let record = SliceRecord(
                        fid: nil, geom: blob, facet: feature.facet.rawValue, holder: feature.holder, holderName: feature.holderName,
                        validFrom: feature.valid.from.description, validTo: feature.valid.to?.description, areaKm2: feature.areaKm2)
                    try record.insert(db)
                    let fid = db.lastInsertedRowID
                    try index("slices", envelope)
                    for (position, id) in feature.statements.enumerated() {
                        try SliceStatementRecord(fid: nil, sliceFID: fid, position: position, statementID: id).insert(db)
                    }
                }
            }
            for shape in catalog.shapes.values.sorted(by: { $0.id < $1.id }) {
                let (blob, envelope) = try GeoPackage.blob(shape.shape, context: context)
                try BoundaryRecord(fid: nil, geom: blob, shapeID: shape.id, name: shape.name, kind: shape.kind.rawValue, note: shape.note).insert(db)
                try index("boundaries", envelope)
            }
            let (coveredBlob, coveredEnvelope) = try GeoPackage.blob(.multiPolygon(atlas.covered.shape.polygons), context: context)
            try CoveredRecord(fid: nil, geom: coveredBlob, title: catalog.title, areaKm2: Atlas.areaKm2(atlas.covered)).insert(db)
            try index("covered_area", coveredEnvelope)
            for actor in catalog.actors.values.sorted(by: { $0.code < $1.code }) {
                try ActorRecord(fid: nil, code: actor.code, name: actor.name, note: actor.note, kind: "actor", colour: actor.colour).insert(db)
            }
            for state in catalog.accessStates.values.sorted(by: { $0.code < $1.code }) {
                try ActorRecord(fid: nil, code: state.code, name: state.name, note: state.note, kind: "access_state", colour: state.colour).insert(db)
            }
            for town in catalog.towns {
                let (blob, envelope) = try GeoPackage.blob(.point(town.position), context: context)
                try TownRecord(fid: nil, geom: blob, townID: town.id, name: town.name, kind: town.kind, shapeID: town.shape, source: town.source,
                               names: town.variants.isEmpty ? nil : town.variants.joined(separator: ";")).insert(db)
                try index("towns", envelope)
            }
            for (key, value) in [("data_hash", dataHash), ("format_version", formatVersion), ("title", catalog.title),
                                 ("data_folder", catalog.folder.path), ("first_day", atlas.slices.first?.interval.from.description ?? ""),
                                 ("boundaries", catalog.pack?.citation ?? ""), ("palette", catalog.palette ?? ""), ("licence", catalog.licence ?? "")] {
                try MetaRecord(fid: nil, key: key, value: value).insert(db)
            }
            for (table, e) in extents {
                try db.execute(sql: "UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE table_name = ?",
                               arguments: [e.minX, e.minY, e.maxX, e.maxY, table])
            }
            for table in Schema.featureTables {
                try db.execute(sql: GeoPackage.rtreeTriggers(table, "geom"))
            }
            return .commit
        }
        try queue.close()
    }

    // MARK: Queries

    /// The title of the data (catalog.json's).
    public var title: String { engine.title }

    /// The imported boundary pack the store was built with, cited, if any.
    public var boundaries: String? { engine.boundaries }

    /// The first day any statement is in force, if any.
    public var firstDay: Day? { engine.firstDay }

    /// The actors and access states: code, name, note and kind (`actor` or `access_state`), by code.
    public func actors() throws(TerritoryError) -> [(code: String, name: String, note: String?, kind: String)] {
        try read { db in try ActorRecord.order(ActorRecord.Columns.code).fetchAll(db) }.map { ($0.code, $0.name, $0.note, $0.kind) }
    }

    /// What maps need beside the slices: every actor and access state with its colour (in
    /// catalog order is not kept: by kind, then code), the districts with their names, the towns,
    /// the palette's and the data's licence notes.
    public func mapBase() throws(TerritoryError) -> MapBase {
        try read { db in
            let context = GEOSContext()
            let actors = try ActorRecord.order(ActorRecord.Columns.code).fetchAll(db)
            let districts = try BoundaryRecord.filter(BoundaryRecord.Columns.kind == ShapeKind.district.rawValue)
                .order(BoundaryRecord.Columns.name).fetchAll(db)
            let towns = try TownRecord.order(Column("fid")).fetchAll(db)
            return MapBase(
                holders: actors.map { MapBase.Holder(code: $0.code, name: $0.name, note: $0.note, isAccessState: $0.kind == "access_state", colour: $0.colour) },
                districts: try districts.map { MapBase.District(id: $0.shapeID, name: $0.name, shape: try GeoPackage.geometry($0.geom, context: context).shape) },
                towns: try towns.map { t in
                    guard let p = try GeoPackage.geometry(t.geom, context: context).shape.points.first else { throw TerritoryError.badData("\(path.path): town '\(t.townID)' has no point") }
                    return Town(id: t.townID, name: t.name, position: p, kind: t.kind, shape: t.shapeID, source: t.source,
                                variants: (t.names ?? "").split(separator: ";").map(String.init))
                },
                palette: meta["palette"].flatMap { $0.isEmpty ? nil : $0 }, licence: meta["licence"].flatMap { $0.isEmpty ? nil : $0 })
        }
    }

    /// The places by name (the towns, with their variants).
    public func gazetteer() throws(TerritoryError) -> Gazetteer { Gazetteer(towns: try mapBase().towns) }

    /// The status of `position` on `day` in `record`: the engine's answer.
    public func status(at position: Position, on day: Day, in record: RecordView = .today) -> StatusAnswer {
        engine.status(at: position, on: day, in: record)
    }

    /// The record an answer is asked from, checked: `view` an actor of the catalog (any case),
    /// `asOf` not before the first announcement in that view. `names` are the argument or
    /// parameter names that messages use (`--as-of`, `as_of`).
    public func record(asOf: Day?, view: String?, names: (asOf: String, view: String) = ("--as-of", "--view")) throws(TerritoryError) -> RecordView {
        var code: String?
        if let view {
            let codes = try actors().filter { $0.kind == "actor" }.map(\.code)
            guard let found = codes.first(where: { $0.caseInsensitiveCompare(view) == .orderedSame }) else {
                throw .badInput("\(names.view): unknown view '\(view)' (a view is an actor's: \(codes.joined(separator: ", ")); leave it out for the default view)")
            }
            code = found
        }
        if let asOf, let first = engine.recordAnnounced(view: code), asOf < first {
            throw .badInput("\(names.asOf): \(asOf) is before the record begins: its first statement was announced on \(first)\(code.map { " (in \($0)'s view)" } ?? "")")
        }
        return RecordView(asOf: asOf, view: code)
    }

    /// The ground whose holder changed from `from` to `to` in `record`, per facet and holders.
    public func diff(from: Day, to: Day, facets: [Facet] = Facet.allCases, in record: RecordView = .today) throws(TerritoryError) -> [HolderChange] {
        do { return try engine.diff(from: from, to: to, facets: facets, in: record) } catch { throw .internalFailure("diff: \(error)") }
    }

    /// The timeline of `record`: its changes in order (at `position`, only those there).
    public func chronology(at position: Position? = nil, in record: RecordView = .today) throws(TerritoryError) -> Chronology {
        do { return try engine.chronology(at: position, in: record) } catch { throw .internalFailure("timeline: \(error)") }
    }

    /// Every dated change (at `position`, only the statements whose ground holds it).
    public func timeline(at position: Position? = nil) -> [TimelineEvent] {
        engine.timeline(at: position)
    }

    /// The slice features of the time slice holding `day` (every slice when nil), for `facets`,
    /// in the order they were built (slice, facet, holder).
    public func layers(on day: Day?, facets: [Facet] = Facet.allCases, in record: RecordView = .today) throws(TerritoryError) -> [SliceFeature] {
        if !engine.canonical(record).isToday {
            // Today's record is compiled; any other is computed now from the statements' grounds.
            do { return try engine.features(on: day, facets: facets, in: record) } catch { throw .internalFailure("layers \(record): \(error)") }
        }
        if !record.isToday {
            // An as-of day after the record's last change: today's features, saying the day asked.
            return try layers(on: day, facets: facets).map { $0.with(record: record) }
        }
        var query = SliceQuery()
        if let day { query.during = try DayRange(from: day, through: day) }
        query.facets = facets
        return try slices(query).items
    }

    /// What to select from the slices: facets, holders, statements, a box, days, a page.
    public struct SliceQuery: Sendable {
        public var facets: [Facet] = Facet.allCases
        public var holder: String?
        /// Only features made by this statement.
        public var statement: String?
        public var bbox: BBox?
        /// Slices whose `[valid_from, valid_to)` meets this range of days.
        public var during: DayRange?
        public var limit: Int = .max
        public var offset: Int = 0

        public init() {}
    }

    /// A page of results: the items in order, and how many match in all.
    public struct Page<Item: Sendable>: Sendable {
        public let items: [Item]
        public let matched: Int
    }

    /// The slice features matching `query`, paged, in the order they were built.
    public func slices(_ query: SliceQuery) throws(TerritoryError) -> Page<SliceFeature> {
        let (conditions, arguments) = Store.conditions(table: "slices", bbox: query.bbox, during: query.during)
        var sql = conditions
        var args = arguments
        sql.append("t.facet IN (\(query.facets.map { _ in "?" }.joined(separator: ", ")))")
        args += StatementArguments(query.facets.map(\.rawValue))
        if let holder = query.holder { sql.append("t.holder = ?"); args += [holder] }
        if let statement = query.statement {
            sql.append("t.fid IN (SELECT slice_fid FROM slice_statements WHERE statement_id = ?)")
            args += [statement]
        }
        let filter = "WHERE " + (sql.isEmpty ? "1" : sql.joined(separator: " AND "))
        let (limit, offset) = try Store.page(query.limit, query.offset)
        let (matched, rows, members): (Int, [SliceRecord], [SliceStatementRecord]) = try read { db in
            let matched = try Int.fetchOne(db, sql: "SELECT count(*) FROM slices t \(filter)", arguments: args) ?? 0
            let rows = try SliceRecord.fetchAll(db, sql: "SELECT t.* FROM slices t \(filter) ORDER BY t.fid LIMIT \(limit) OFFSET \(offset)", arguments: args)
            let fids = rows.compactMap(\.fid)
            let members = fids.isEmpty ? [] : try SliceStatementRecord.fetchAll(db, sql: "SELECT * FROM slice_statements WHERE slice_fid IN (\(fids.map(String.init).joined(separator: ","))) ORDER BY slice_fid, position")
            return (matched, rows, members)
        }
        let byID = Dictionary(engine.statements.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let grouped = Dictionary(grouping: members, by: \.sliceFID)
        let context = GEOSContext()
        var items: [SliceFeature] = []
        for row in rows {
            let ids = (grouped[row.fid ?? -1] ?? []).map(\.statementID)
            var members: [StatementInfo] = []
            for id in ids {
                guard let info = byID[id] else { throw .internalFailure("\(path.path): slice \(row.fid ?? -1) names unknown statement '\(id)'") }
                members.append(info)
            }
            items.append(try row.feature(members: members, boundaries: boundaries, context: context, store: path))
        }
        return Page(items: items, matched: matched)
    }

    /// The statements whose ground meets `bbox` and whose valid interval meets `during`, paged,
    /// in catalog order, each with its resolved ground.
    public func statements(bbox: BBox? = nil, during: DayRange? = nil, limit: Int = .max, offset: Int = 0) throws(TerritoryError) -> Page<(StatementInfo, Shape)> {
        let (conditions, arguments) = Store.conditions(table: "statements", bbox: bbox, during: during)
        let filter = "WHERE " + (conditions.isEmpty ? "1" : conditions.joined(separator: " AND "))
        let (limit, offset) = try Store.page(limit, offset)
        let (matched, rows): (Int, [StatementRecord]) = try read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM statements t \(filter)", arguments: arguments) ?? 0,
             try StatementRecord.fetchAll(db, sql: "SELECT t.* FROM statements t \(filter) ORDER BY t.fid LIMIT \(limit) OFFSET \(offset)", arguments: arguments))
        }
        let context = GEOSContext()
        var items: [(StatementInfo, Shape)] = []
        for row in rows {
            do {
                items.append((try row.info(), try GeoPackage.geometry(row.geom, context: context).shape))
            } catch {
                throw .internalFailure("\(path.path): statement \(row.statementID): \(error)")
            }
        }
        return Page(items: items, matched: matched)
    }

    /// A page's limit and offset, checked: neither may be negative.
    private static func page(_ limit: Int, _ offset: Int) throws(TerritoryError) -> (Int, Int) {
        guard limit >= 0 else { throw .badInput("limit: \(limit) is negative") }
        guard offset >= 0 else { throw .badInput("offset: \(offset) is negative") }
        return (min(limit, Int(Int32.max)), min(offset, Int(Int32.max)))
    }

    /// SQL conditions on the rows `t` of `table`: a box (through the table's R*Tree) and a range
    /// of days over `[valid_from, valid_to)`.
    private static func conditions(table: String, bbox: BBox?, during: DayRange?) -> ([String], StatementArguments) {
        var sql: [String] = []
        var args = StatementArguments()
        if let bbox {
            sql.append("t.fid IN (SELECT id FROM rtree_\(table)_geom WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?)")
            args += [bbox.maxX, bbox.minX, bbox.maxY, bbox.minY]
        }
        if let during {
            if let last = during.through { sql.append("t.valid_from <= ?"); args += [last.description] }
            if let first = during.from { sql.append("(t.valid_to IS NULL OR t.valid_to > ?)"); args += [first.description] }
        }
        return (sql, args)
    }
}

/// A box in longitude/latitude (CRS84): west, south, east, north.
public struct BBox: Sendable, Equatable {
    public let minX: Double, minY: Double, maxX: Double, maxY: Double

    /// Throws when the numbers are not finite, outside ±180/±90, or the box is upside down.
    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) throws(TerritoryError) {
        guard [minX, minY, maxX, maxY].allSatisfy(\.isFinite) else { throw .badInput("bbox: the numbers must be finite") }
        guard (-180...180).contains(minX), (-180...180).contains(maxX), (-90...90).contains(minY), (-90...90).contains(maxY) else {
            throw .badInput("bbox: longitudes must lie within -180..180 and latitudes within -90..90")
        }
        guard minX <= maxX, minY <= maxY else { throw .badInput("bbox: write west,south,east,north with west ≤ east and south ≤ north") }
        self.minX = minX
        self.minY = minY
        self.maxX = maxX
        self.maxY = maxY
    }
}

/// A closed range of days, either end open (nil): `[from, through]`.
public struct DayRange: Sendable, Equatable {
    public let from: Day?
    public let through: Day?

    /// Throws when `from` is after `through`.
    public init(from: Day?, through: Day?) throws(TerritoryError) {
        if let from, let through, from > through { throw .badInput("the range \(from) to \(through) ends before it begins") }
        self.from = from
        self.through = through
    }
}
