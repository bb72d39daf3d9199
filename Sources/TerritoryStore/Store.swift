import Foundation
import GRDB
import Geometry
import Territory

/// Why the store cannot be used.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}

/// The compiled store: a SQLite database that is also an OGC GeoPackage 1.3, built from data/ by
/// `Store.build` and read by every query. It holds every statement with its resolved ground, the
/// partition of every time slice, the boundary pack and the covered area, each with an R*Tree.
public final class Store {
    /// Bumped whenever what the store holds or how changes, so that older stores are rebuilt.
    public static let formatVersion = "1"

    public let path: URL
    private let queue: DatabaseQueue
    private let context = GEOSContext()

    /// Opens a store read-only, checking that it is a territory GeoPackage.
    public init(path: URL) throws {
        guard FileManager.default.fileExists(atPath: path.path) else {
            throw StoreError(message: "\(path.path): no store here")
        }
        var configuration = Configuration()
        configuration.readonly = true
        self.path = path
        queue = try DatabaseQueue(path: path.path, configuration: configuration)
        let applicationID = try queue.read { db in try Int32.fetchOne(db, sql: "PRAGMA application_id") }
        guard applicationID == GeoPackage.applicationID else {
            throw StoreError(message: "\(path.path): not a GeoPackage (application_id \(applicationID ?? 0))")
        }
    }

    /// A value of `store_meta`: `data_hash`, `format_version`, `title`, `data_folder`.
    public func meta(_ key: String) throws -> String? {
        try queue.read { db in
            try MetaRecord.filter(MetaRecord.Columns.key == key).fetchOne(db)?.value
        }
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

    /// Compiles `atlas` into a GeoPackage at `path`, atomically: everything is written to a
    /// temporary file in the same folder, flushed to disk, and renamed over `path` only when
    /// complete, so a failure or a kill part-way leaves the previous store as it was.
    public static func build(_ atlas: Atlas, dataHash: String, to path: URL) throws {
        let fm = FileManager.default
        let folder = path.deletingLastPathComponent()
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        let temporary = folder.appendingPathComponent(".\(path.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).building")
        try? fm.removeItem(at: temporary)
        removeAbandonedBuilds(of: path)
        do {
            try write(atlas, dataHash: dataHash, to: temporary)
            // rename(2) replaces the old store in one step.
            guard rename(temporary.path, path.path) == 0 else {
                throw StoreError(message: "\(path.path): cannot replace the store: \(String(cString: strerror(errno)))")
            }
        } catch {
            try? fm.removeItem(at: temporary)
            try? fm.removeItem(at: URL(fileURLWithPath: temporary.path + "-journal"))
            throw error
        }
    }

    /// Removes what builds of this store killed part-way left behind: `.<name>.<pid>.building`
    /// files (and their journals) whose process is gone.
    static func removeAbandonedBuilds(of path: URL) {
        let folder = path.deletingLastPathComponent()
        let prefix = ".\(path.lastPathComponent)."
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(prefix) && (name.hasSuffix(".building") || name.hasSuffix(".building-journal")) {
            let middle = name.dropFirst(prefix.count).prefix { $0 != "." }
            guard let pid = Int32(middle), pid != getpid() else { continue }
            // kill(pid, 0) fails with ESRCH when no such process runs.
            if kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
            }
        }
    }

    private static func write(_ atlas: Atlas, dataHash: String, to file: URL) throws {
        let queue = try DatabaseQueue(path: file.path)
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
            let superseded = Set(catalog.statements.compactMap(\.supersedes))
            for statement in catalog.statements {
                let info = atlas.info(statement)
                let (blob, envelope) = try GeoPackage.blob(.multiPolygon(atlas.ground(of: statement).shape.polygons), context: context)
                try StatementRecord(
                    fid: nil, geom: blob, statementID: info.id, facet: info.facet.rawValue, holder: info.holder,
                    holderName: info.holderName, zone: info.zone, validFrom: info.interval.from.description,
                    validTo: info.interval.to?.description, announced: info.announced.description,
                    inForce: !superseded.contains(info.id), supersedes: info.supersedes,
                    sourceDocument: info.source.document, sourceClause: info.source.clause, sourceQuote: info.source.quote,
                    sourceVia: info.source.via, sourceURL: info.source.url, note: info.note, file: statement.file,
                    areaKm2: info.areaKm2
                ).insert(db)
                try index("statements", envelope)
            }
            for slice in atlas.slices {
                for feature in try atlas.layer(slice, facets: Facet.allCases) {
                    let p = feature.properties
                    func text(_ key: String) -> String {
                        if case .string(let s)? = p[key] { return s }
                        return ""
                    }
                    func json(_ key: String) -> String { JSONWriter.string(p[key] ?? .array([])) }
                    guard case .number(let area)? = p["area_km2"] else { continue }
                    let (blob, envelope) = try GeoPackage.blob(feature.geometry ?? .multiPolygon([]), context: context)
                    try SliceRecord(
                        fid: nil, geom: blob, facet: text("facet"), holder: text("holder"), holderName: text("holder_name"),
                        validFrom: slice.from.description, validTo: slice.to?.description,
                        statements: json("statements"), sources: json("sources"), zones: json("zones"), areaKm2: area
                    ).insert(db)
                    try index("slices", envelope)
                }
            }
            for shape in catalog.shapes.values.sorted(by: { $0.id < $1.id }) {
                let (blob, envelope) = try GeoPackage.blob(shape.shape, context: context)
                try BoundaryRecord(fid: nil, geom: blob, shapeID: shape.id, name: shape.name, kind: shape.kind, note: shape.note).insert(db)
                try index("boundaries", envelope)
            }
            let (coveredBlob, coveredEnvelope) = try GeoPackage.blob(.multiPolygon(atlas.covered.shape.polygons), context: context)
            try CoveredRecord(fid: nil, geom: coveredBlob, title: catalog.title, areaKm2: Atlas.areaKm2(atlas.covered)).insert(db)
            try index("covered_area", coveredEnvelope)
            for actor in catalog.actors.values.sorted(by: { $0.code < $1.code }) {
                try ActorRecord(fid: nil, code: actor.code, name: actor.name, note: actor.note, kind: "actor").insert(db)
            }
            for state in catalog.accessStates.values.sorted(by: { $0.code < $1.code }) {
                try ActorRecord(fid: nil, code: state.code, name: state.name, note: state.note, kind: "access_state").insert(db)
            }
            for (key, value) in [("data_hash", dataHash), ("format_version", formatVersion), ("title", catalog.title),
                                 ("data_folder", catalog.folder.path), ("first_day", atlas.slices.first?.from.description ?? ""),
                                 ("boundaries", catalog.pack?.citation ?? "")] {
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
        // Flush the finished file to disk before it replaces the old store.
        if let handle = FileHandle(forUpdatingAtPath: file.path) {
            try handle.synchronize()
            try handle.close()
        }
    }

    // MARK: Queries

    private func info(_ r: StatementRecord) throws -> StatementInfo {
        guard let facet = Facet(rawValue: r.facet) else { throw StoreError(message: "\(path.path): unknown facet '\(r.facet)' in statement \(r.statementID)") }
        let from = try Day(parsing: r.validFrom)
        let to = try r.validTo.map { try Day(parsing: $0) }
        return StatementInfo(
            id: r.statementID, facet: facet, holder: r.holder, holderName: r.holderName, zone: r.zone,
            interval: try DayInterval(from: from, to: to), announced: try Day(parsing: r.announced),
            source: Source(document: r.sourceDocument, clause: r.sourceClause, quote: r.sourceQuote, via: r.sourceVia, url: r.sourceURL),
            note: r.note, supersedes: r.supersedes, areaKm2: r.areaKm2)
    }

    private func covers(_ blob: Data, _ position: Position) throws -> Bool {
        let geometry = try GeoPackage.geometry(blob, context: context)
        return try geometry.covers(Geometry(.point(position), context: context))
    }

    /// Rows of `table` whose R*Tree envelope holds the position, in row order.
    private func candidates<R: FetchableRecord>(_ type: R.Type, _ table: String, at p: Position, where condition: String = "", arguments: StatementArguments = []) throws -> [R] {
        try queue.read { db in
            try R.fetchAll(db, sql: """
                SELECT t.* FROM \(table) t JOIN rtree_\(table)_geom r ON t.fid = r.id
                WHERE r.minx <= ? AND r.maxx >= ? AND r.miny <= ? AND r.maxy >= ? \(condition)
                ORDER BY t.fid
                """, arguments: [p.x, p.x, p.y, p.y] + arguments)
        }
    }

    /// The status of `position` on `day`, as the atlas would answer it, from the store.
    public func status(at position: Position, on day: Day) throws -> StatusAnswer {
        let covered = try candidates(CoveredRecord.self, "covered_area", at: position).contains { try covers($0.geom, position) }
        var found: [StatementInfo] = []
        if covered {
            let d = day.description
            let rows = try candidates(StatementRecord.self, "statements", at: position,
                                      where: "AND t.in_force AND t.valid_from <= ? AND (t.valid_to IS NULL OR t.valid_to > ?)", arguments: [d, d])
            for row in rows where try covers(row.geom, position) { found.append(try info(row)) }
        }
        let places = try candidates(BoundaryRecord.self, "boundaries", at: position, where: "AND t.kind IN ('district', 'city')")
            .filter { try covers($0.geom, position) }.map(\.name).sorted()
        return StatusAnswer.from(position: position, day: day, covered: covered, statements: found, places: places)
    }

    /// The first day any statement is in force, if any.
    public func firstDay() throws -> Day? {
        guard let text = try meta("first_day"), !text.isEmpty else { return nil }
        return try Day(parsing: text)
    }

    /// The layer features of the time slice holding `day` (every slice when nil), for `facets`:
    /// the same features, to the byte, as the atlas computes.
    public func layers(on day: Day?, facets: [Facet]) throws -> [Feature] {
        let rows: [SliceRecord] = try queue.read { db in
            if let day {
                let d = day.description
                return try SliceRecord.fetchAll(db, sql: "SELECT * FROM slices WHERE valid_from <= ? AND (valid_to IS NULL OR valid_to > ?) ORDER BY fid", arguments: [d, d])
            }
            return try SliceRecord.order(SliceRecord.Columns.fid).fetchAll(db)
        }
        let wanted = Set(facets.map(\.rawValue))
        let boundaries = try meta("boundaries") ?? ""
        return try rows.filter { wanted.contains($0.facet) }.map { row in
            func array(_ text: String) throws -> JSONValue { try JSONReader.parse(text) }
            let properties = JSONObject([
                ("facet", .string(row.facet)),
                ("holder", .string(row.holder)),
                ("holder_name", .string(row.holderName)),
                ("valid_from", .string(row.validFrom)),
                ("valid_to", row.validTo.map { .string($0) } ?? .null),
                ("statements", try array(row.statements)),
                ("sources", try array(row.sources)),
                ("zones", try array(row.zones)),
                ("area_km2", .number(row.areaKm2)),
            ] + (boundaries.isEmpty ? [] : [("boundaries", JSONValue.string(boundaries))]))
            let shape = try GeoPackage.geometry(row.geom, context: context).shape
            return Feature(id: .string("\(row.facet)/\(row.holder)/\(row.validFrom)"), geometry: .multiPolygon(shape.polygons), properties: properties)
        }
    }

    /// Every dated change (at `position`, only the statements whose ground holds it), as the
    /// atlas would list them.
    public func timeline(at position: Position? = nil) throws -> [TimelineEvent] {
        let rows = try queue.read { db in try StatementRecord.order(StatementRecord.Columns.fid).fetchAll(db) }
        var here: [StatementInfo] = []
        for row in rows {
            if let position, try !covers(row.geom, position) { continue }
            here.append(try info(row))
        }
        for row in rows where here.contains(where: { $0.id == row.supersedes }) {
            if !here.contains(where: { $0.id == row.statementID }) { here.append(try info(row)) }
        }
        return TimelineEvent.events(of: here)
    }

    /// What batch classification needs: the slices' first days, every statement in force with its
    /// ground, the districts and cities, and the covered area, as plain values.
    public func classificationInputs() throws -> ClassificationInputs {
        let (statements, boundaries, covered, starts) = try queue.read { db in
            (try StatementRecord.filter(StatementRecord.Columns.inForce == true).order(StatementRecord.Columns.fid).fetchAll(db),
             try BoundaryRecord.filter(["district", "city"].contains(BoundaryRecord.Columns.kind)).order(Column("name")).fetchAll(db),
             try CoveredRecord.fetchAll(db),
             try String.fetchAll(db, sql: "SELECT DISTINCT valid_from FROM slices ORDER BY valid_from"))
        }
        return ClassificationInputs(
            statements: try statements.map { (try info($0), try GeoPackage.geometry($0.geom, context: context).shape) },
            places: try boundaries.map { ($0.name, try GeoPackage.geometry($0.geom, context: context).shape) },
            covered: try covered.map { try GeoPackage.geometry($0.geom, context: context).shape },
            sliceStarts: try starts.map { try Day(parsing: $0) })
    }
}

/// The inputs of batch classification, read from the store.
public struct ClassificationInputs: Sendable {
    public let statements: [(StatementInfo, Shape)]
    public let places: [(String, Shape)]
    public let covered: [Shape]
    public let sliceStarts: [Day]
}

/// A fingerprint of a data folder: SHA-256 over every file's path and bytes (hidden files
/// aside), the store format, and any other files the store is built from (`also`: a boundary
/// pack, a boundary file outside the folder), so that any edit to them makes the store stale.
public enum DataFingerprint {
    public static func hash(folder: URL, also: [URL] = []) throws -> String {
        let fm = FileManager.default
        guard let walker = fm.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) else {
            throw StoreError(message: "\(folder.path): cannot be read")
        }
        var files: [(String, URL)] = []
        let base = folder.standardizedFileURL.path
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let full = url.standardizedFileURL.path
            files.append((full.hasPrefix(base) ? String(full.dropFirst(base.count)) : full, url))
        }
        var sha = SHA256()
        sha.update("territory store format \(Store.formatVersion)\n")
        for (relative, url) in files.sorted(by: { $0.0 < $1.0 }) {
            guard let data = fm.contents(atPath: url.path) else { throw StoreError(message: "\(url.path): cannot be read") }
            sha.update("\(relative)\n\(data.count)\n")
            sha.update(data)
        }
        for url in also {
            // A missing file counts as such: loading the data reports it.
            let data = fm.contents(atPath: url.path)
            sha.update("\(url.standardizedFileURL.path)\n\(data?.count ?? -1)\n")
            if let data { sha.update(data) }
        }
        return sha.hexDigest()
    }
}
