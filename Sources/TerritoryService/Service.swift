import Foundation
import Geometry
import JSONText
import Synchronization
import Territory
import TerritoryStore

/// An answer: status, content type and body.
public struct ServiceResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]

    public init(status: Int, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    static func json(_ value: JSONValue, status: Int = 200, type: String = "application/json") -> ServiceResponse {
        ServiceResponse(status: status, contentType: type, body: Array((JSONWriter.string(value, sortedKeys: false) + "\n").utf8))
    }

    public static func error(_ e: ServiceError) -> ServiceResponse {
        json(.object(JSONObject([("code", .string(e.code)), ("description", .string(e.description))])), status: e.status)
    }
}

/// The territorial status service, independent of the HTTP server that carries it: OGC API -
/// Features (core, geojson, oas30) over the store's statements and time slices, and the status,
/// timeline and day endpoints, all answered by the one engine.
///
/// It answers from one store at a time. `refresh()` takes up a store rebuilt underneath (the
/// build renames a new file over the old one): a request holds the snapshot it started with, so
/// none sees half of each.
public final class TerritoryService: Sendable {
    /// The store the service was started on, and where it is (to notice a rebuild).
    private let current: Mutex<Snapshot>
    public let storePath: URL
    /// True while a new snapshot is being made.
    private let refreshing = Mutex(false)

    /// What the web map at /map is served with.
    public let map: MapSettings

    public init(store: Store, map: MapSettings = MapSettings()) throws(TerritoryError) {
        storePath = store.path
        self.map = map
        current = Mutex(try Snapshot(store))
    }

    /// The snapshot to answer one request from.
    public var snapshot: Snapshot { current.withLock { $0 } }

    /// Opens the store again when its file changed (another inode, size or time); true when the
    /// service now answers from a new store. A file that does not open as a store is ignored
    /// (the old one keeps answering) and reported.
    @discardableResult
    public func refresh(report: (String) -> Void = { _ in }) -> Bool {
        let old = snapshot
        guard let stamp = Snapshot.stamp(storePath), stamp != old.stamp else { return false }
        // One rebuild at a time: requests that notice the change meanwhile answer from the old one.
        guard refreshing.withLock({ busy in busy ? false : { busy = true; return true }() }) else { return false }
        defer { refreshing.withLock { $0 = false } }
        do {
            let fresh = try Snapshot(try Store(path: storePath))
            current.withLock { $0 = fresh }
            report("store \(storePath.path) changed: now answering from it")
            return true
        } catch {
            report("store \(storePath.path) changed but cannot be opened (\(error)); still answering from the previous one")
            return false
        }
    }

    /// Answers one request. `base` is the URL the client used to reach the service, without a
    /// trailing slash (`http://127.0.0.1:8080`), for the links.
    public func respond(method: String, path: String, query: Substring, accept: String?, base: String) -> ServiceResponse {
        let snapshot = self.snapshot
        do {
            let parameters = try QueryString.parse(query)
            let route = try Route(path: path)
            guard route.methods.contains(method) || (method == "HEAD" && route.methods.contains("GET")) else {
                return .error(ServiceError(status: 405, code: "MethodNotAllowed", description: "\(method) is not allowed on \(path.prefix(100)) (allowed: \(route.methods.sorted().joined(separator: ", ")))"))
            }
            try QueryString.check(parameters, allowed: route.parameters, at: route.name)
            if let answer = try map.answer(route, parameters, snapshot: snapshot) { return answer }
            if let f = parameters.first(where: { $0.name == "f" })?.value {
                switch f {
                case "json": break
                case "html": throw ServiceError(status: 406, code: "NotAcceptable", description: "f=html: HTML pages are not served; use f=json (or no f)")
                default: throw ServiceError.invalid("f: '\(f.prefix(40))' is not a format served (f=json)")
                }
            }
            try Route.checkAccept(accept, for: route)
            return try snapshot.answer(route, parameters, base: base)
        } catch let e as ServiceError {
            return .error(e)
        } catch {
            return .error(ServiceError(status: 500, code: "InternalError", description: "\(error)"))
        }
    }
}

/// What a path names.
public enum Route: Equatable, Sendable {
    case landing, conformance, api, collections
    case collection(String)
    case items(String)
    case item(String, String)
    case status, timeline, days, diff
    /// The web map: its page, its script, what it draws beside the slices, Debian's Leaflet files.
    case map, mapScript, mapBase
    case leaflet(String)

    static let collectionParameters: Set<String> = ["f", "datetime"]

    /// Which resource a path names; 404 for anything else.
    public init(path: String) throws(ServiceError) {
        guard path.utf8.count <= 1024 else { throw .notFound("no such resource (the path is longer than 1024 bytes)") }
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.first == "" { parts.removeFirst() }
        if parts.last == "" { parts.removeLast() }
        // Path segments are taken as sent: an id holds no '%', so an escaped segment names nothing.
        func unknown() -> ServiceError { .notFound("no such resource: \(path.prefix(100)) (see / and /api)") }
        switch parts.count {
        case 0: self = .landing
        case 1:
            switch parts[0] {
            case "conformance": self = .conformance
            case "api": self = .api
            case "collections": self = .collections
            case "status": self = .status
            case "timeline": self = .timeline
            case "days": self = .days
            case "diff": self = .diff
            case "map": self = .map
            default: throw unknown()
            }
        case 2 where parts[0] == "map" && parts[1] == "map.js": self = .mapScript
        case 2 where parts[0] == "map" && parts[1] == "base.json": self = .mapBase
        case 3, 4:
            if parts[0] == "map" && parts[1] == "leaflet" {
                let file = parts[2...].joined(separator: "/")
                guard MapSettings.isLeafletFile(file) else { throw unknown() }
                self = .leaflet(file)
            } else if parts[0] == "collections" && parts[2] == "items" {
                self = parts.count == 3 ? .items(parts[1]) : .item(parts[1], parts[3])
            } else {
                throw unknown()
            }
        case 2 where parts[0] == "collections": self = .collection(parts[1])
        default: throw unknown()
        }
    }

    var name: String {
        switch self {
        case .landing: "/"
        case .conformance: "/conformance"
        case .api: "/api"
        case .collections: "/collections"
        case .collection: "/collections/{collectionId}"
        case .items: "/collections/{collectionId}/items"
        case .item: "/collections/{collectionId}/items/{featureId}"
        case .status: "/status"
        case .timeline: "/timeline"
        case .days: "/days"
        case .diff: "/diff"
        case .map: "/map"
        case .mapScript: "/map/map.js"
        case .mapBase: "/map/base.json"
        case .leaflet: "/map/leaflet/{file}"
        }
    }

    var methods: Set<String> {
        switch self {
        case .status: ["GET", "POST"]
        default: ["GET"]
        }
    }

    /// The query parameters each resource takes. `datetime` is taken (and ignored) beyond the
    /// items too: GDAL's OAPIF driver copies the query of the URL a user gives it onto every
    /// request it makes.
    var parameters: Set<String> {
        switch self {
        case .items: ItemsQuery.parameters
        case .status: ["lon", "lat", "place", "date", "f", "as_of", "view"]
        case .timeline: ["lon", "lat", "place", "f", "as_of", "view", "from", "to", "facet"]
        case .diff: ["from", "to", "facet", "f", "as_of", "view"]
        case .item: ["f", "datetime", "as_of", "view"]
        case .map: ["date", "facet", "lon", "lat", "zoom"]
        case .mapScript, .mapBase, .leaflet: []
        default: Route.collectionParameters
        }
    }

    /// 406 when the client accepts none of what is served (JSON, GeoJSON, and CSV for POST /status).
    static func checkAccept(_ accept: String?, for route: Route) throws(ServiceError) {
        guard let accept, !accept.isEmpty else { return }
        let types = accept.split(separator: ",").map { $0.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased() }
        let served = ["*/*", "application/*", "application/json", "application/geo+json", "application/vnd.oai.openapi+json", "text/csv", "text/*"]
        guard types.contains(where: { served.contains($0) }) else {
            throw ServiceError(status: 406, code: "NotAcceptable", description: "Accept: \(accept.prefix(100)): only JSON (application/json, application/geo+json) is served here")
        }
    }
}

/// One store and what is worked out from it once: the collections, their extents, the days.
public final class Snapshot: Sendable {
    public let store: Store
    let stamp: Stamp?
    let collections: [CollectionInfo]
    let daysJSON: JSONValue
    /// The batch classifier for POST /status, built on first use (it builds every grid).
    private let classifierCell = Mutex<BatchClassifier?>(nil)
    /// What the web map draws beside the slices (/map/base.json), written on first use.
    let mapBaseCell = Mutex<[UInt8]?>(nil)

    struct Stamp: Equatable, Sendable { let inode: UInt64, size: Int64, seconds: Int, nanoseconds: Int }

    static func stamp(_ url: URL) -> Stamp? {
        var s = stat()
        guard stat(url.path, &s) == 0 else { return nil }
        return Stamp(inode: UInt64(s.st_ino), size: Int64(s.st_size), seconds: s.st_mtim.tv_sec, nanoseconds: s.st_mtim.tv_nsec)
    }

    init(_ store: Store) throws(TerritoryError) {
        self.store = store
        stamp = Snapshot.stamp(store.path)
        var infos: [CollectionInfo] = []
        // Every feature is read and written once, here: pages, filters and lookups are answered
        // from memory.
        let statements = try store.statements()
        infos.append(CollectionInfo(id: "statements", title: "Statements",
                                    description: "Every territorial statement with its resolved ground, facet, holder, valid interval [valid_from, valid_to), announcement and source",
                                    features: FeatureList(statements.items.map { s, ground in
                                        FeatureEntry(id: s.id, text: Snapshot.statementFeature(s, ground), valid: s.valid, holder: s.holder,
                                                     statements: [s.id], polygons: ground.polygons)
                                    })))
        for facet in Facet.allCases {
            infos.append(Snapshot.facetCollection(facet, try store.layers(on: nil, facets: [facet])))
        }
        collections = infos
        // Every day on which a slice begins, with what changes then.
        let events = store.timeline()
        var days: [JSONValue] = []
        for slice in store.engine.slices {
            let day = slice.interval.from
            let changes = events.filter { $0.day == day }.map { e -> JSONValue in
                .object(JSONObject([("change", .string(e.change.rawValue)), ("facet", .string(e.statement.facet.rawValue)),
                                    ("holder", .string(e.statement.holder)), ("zone", .string(e.statement.zone)),
                                    ("statement", .string(e.statement.id))]))
            }
            days.append(.object(JSONObject([("date", .string(day.description)), ("changes", .array(changes))])))
        }
        daysJSON = .object(JSONObject([("days", .array(days))]))
    }

    /// What a GET /status answer says after its place and day: it depends only on whether the
    /// place is covered, the statements in force there and the zones holding it (the store's
    /// record and boundary pack are the snapshot's), so places with the same status share it.
    struct StatusKey: Hashable {
        let covered: Bool
        let statements: [String]
        let zones: [String]
        let record: RecordView
        let uncertain: [String]
    }

    /// The written tails of status answers, by what decides them; a few hundred at most on real
    /// data (every combination of statements and zones that holds somewhere), emptied if ever
    /// more than `statusTailLimit`.
    private let statusTails = Mutex<[StatusKey: [UInt8]]>([:])
    static let statusTailLimit = 4096

    /// The body of GET /status: exactly `territory status --format json`'s answer (written with
    /// the members in their order), its place and day written per request and the rest reused.
    func statusBody(_ position: Position, _ day: Day, in record: RecordView = .today) -> [UInt8] {
        let answer = store.status(at: position, on: day, in: record)
        let key = StatusKey(covered: answer.covered, statements: answer.statements.map(\.id), zones: answer.zones, record: record,
                            uncertain: answer.uncertain.map { "\($0.facet) \($0.first) \($0.last) \($0.before) \($0.after) \($0.statement)" })
        let tail = statusTails.withLock { $0[key] } ?? {
            guard case .object(var object) = answer.json(boundaries: store.boundaries) else { preconditionFailure("a status answer is an object") }
            precondition(object.members.prefix(3).map(\.key) == ["lon", "lat", "date"], "a status answer begins with lon, lat, date")
            object.members.removeFirst(3)
            let written = Array(JSONWriter.string(.object(object), sortedKeys: false).utf8.dropFirst())
            statusTails.withLock { tails in
                if tails.count >= Snapshot.statusTailLimit { tails.removeAll() }
                tails[key] = written
            }
            return written
        }()
        var head = "{\"lon\":" + JSONWriter.number(position.x) + ",\"lat\":" + JSONWriter.number(position.y) + ",\"date\":"
        JSONWriter.string(day.description, into: &head)
        var body = [UInt8]()
        body.reserveCapacity(head.utf8.count + tail.count + 2)
        body.append(contentsOf: head.utf8)
        body.append(UInt8(ascii: ","))
        body.append(contentsOf: tail)
        body.append(UInt8(ascii: "\n"))
        return body
    }

    /// A facet's collection of slice features.
    static func facetCollection(_ facet: Facet, _ features: [SliceFeature]) -> CollectionInfo {
        CollectionInfo(id: facet.rawValue, title: "\(facet.rawValue.capitalized) by time slice",
                       description: "The ground of each \(facet.rawValue) holder in every time slice [valid_from, valid_to), as territory layers --all --facet \(facet.rawValue) writes it",
                       features: FeatureList(features.map { f in
                           FeatureEntry(id: Snapshot.sliceID(f), text: Snapshot.sliceFeature(f), valid: f.valid, holder: f.holder,
                                        statements: f.statements, polygons: f.polygons)
                       }))
    }

    /// The collections of records other than today's (as_of, view), computed on first use.
    private let recordCollections = Mutex<[String: CollectionInfo]>([:])

    /// Collection `id` as `record` has it: a facet's slices computed for that record, or the
    /// statements that record holds.
    func collection(_ id: String, in record: RecordView) throws(ServiceError) -> CollectionInfo {
        let today = try collection(id)
        if record.isToday { return today }
        let key = "\(id) \(record.asOf?.description ?? "-") \(record.view ?? "-")"
        if let hit = recordCollections.withLock({ $0[key] }) { return hit }
        let made: CollectionInfo
        if let facet = Facet(rawValue: id) {
            made = Snapshot.facetCollection(facet, try served { () throws(TerritoryError) in try store.layers(on: nil, facets: [facet], in: record) })
        } else {
            let held = Set(store.engine.statements.filter { $0.isHeld(by: record) }.map(\.id))
            made = CollectionInfo(id: today.id, title: today.title, description: today.description,
                                  features: FeatureList(today.features.entries.filter { held.contains($0.id) }))
        }
        recordCollections.withLock { cache in
            if cache.count >= 64 { cache.removeAll() }
            cache[key] = made
        }
        return made
    }

    /// The classifier for many points (every facet and the zones, as status --csv by default).
    public var classifier: BatchClassifier {
        classifierCell.withLock { cell in
            if let built = cell { return built }
            let built = BatchClassifier(engine: store.engine)
            cell = built
            return built
        }
    }

    func collection(_ id: String) throws(ServiceError) -> CollectionInfo {
        guard let c = collections.first(where: { $0.id == id }) else {
            throw .notFound("no collection '\(id.prefix(60))' (collections: \(collections.map(\.id).joined(separator: ", ")))")
        }
        return c
    }

    func answer(_ route: Route, _ parameters: [(name: String, value: String)], base: String) throws(ServiceError) -> ServiceResponse {
        func value(_ name: String) -> String? { parameters.first { $0.name == name }?.value }
        switch route {
        case .landing:
            return .json(.object(JSONObject([
                ("title", .string(store.title)),
                ("description", .string("Who held, administered or had sovereignty over which ground, from when, on what authority: territorial statements and their time slices as OGC API - Features, and the status of any place on any day")),
                ("links", .array([
                    Snapshot.link(base + "/", "self", "application/json", "This document"),
                    Snapshot.link(base + "/api", "service-desc", "application/vnd.oai.openapi+json;version=3.0", "The API definition (OpenAPI 3.0)"),
                    Snapshot.link(base + "/conformance", "conformance", "application/json", "Conformance classes"),
                    Snapshot.link(base + "/collections", "data", "application/json", "The collections"),
                ])),
            ])))
        case .conformance:
            return .json(.object(JSONObject([("conformsTo", .array(Snapshot.conformance.map { .string($0) }))])))
        case .api:
            return .json(OpenAPI.document(base: base, collections: collections.map(\.id)), type: "application/vnd.oai.openapi+json;version=3.0")
        case .collections:
            return .json(.object(JSONObject([
                ("links", .array([Snapshot.link(base + "/collections", "self", "application/json", "The collections")])),
                ("collections", .array(collections.map { $0.json(base: base) })),
            ])))
        case .collection(let id):
            return .json(try collection(id).json(base: base))
        case .items(let id):
            return try items(try collection(id, in: try record(parameters)), ItemsQuery(parameters), parameters, base: base)
        case .item(let id, let featureID):
            return try item(try collection(id, in: try record(parameters)), featureID, base: base)
        case .status:
            if let name = value("place") {
                guard value("lon") == nil, value("lat") == nil else { throw .invalid("give place or lon and lat, not both") }
                let town = try town(name)
                guard let date = value("date") else { throw .invalid("missing date: /status needs a day (e.g. /status?place=Shusha&date=2021-06-01)") }
                let day: Day
                do { day = try TimeFilter.day(Substring(date)) } catch { throw .invalid("date: '\(date.prefix(40))' is not a day (YYYY-MM-DD)") }
                var body = Array("{\"place\":".utf8)
                body += Array(JSONWriter.string(town.json, sortedKeys: false).utf8)
                body.append(UInt8(ascii: ","))
                body += statusBody(town.position, day, in: try record(parameters)).dropFirst()
                return ServiceResponse(status: 200, contentType: "application/json", body: body)
            }
            let (position, day) = try Snapshot.place(parameters)
            return ServiceResponse(status: 200, contentType: "application/json", body: statusBody(position, day, in: try record(parameters)))
        case .timeline:
            let lon = value("lon"), lat = value("lat")
            var position: Position?
            var named: Town?
            if let name = value("place") {
                guard lon == nil, lat == nil else { throw .invalid("give place or lon and lat, not both") }
                named = try town(name)
                position = named?.position
            } else if lon != nil || lat != nil {
                guard let lon, let lat else { throw .invalid("give both lon and lat, or neither (the whole timeline)") }
                position = Position(try Snapshot.degrees(lon, "lon", 180), try Snapshot.degrees(lat, "lat", 90))
            }
            let from = try value("from").map { t throws(ServiceError) in try Snapshot.day(t, "from") }
            let to = try value("to").map { t throws(ServiceError) in try Snapshot.day(t, "to") }
            if let from, let to, from > to { throw .invalid("from \(from) is after to \(to): give the earlier day first") }
            let record = try record(parameters)
            let chronology = try served { () throws(TerritoryError) in try store.chronology(at: position, in: record) }
            var json = chronology.filtered(from: from, to: to, facets: try Snapshot.facets(value("facet"))).json
            if let named, case .object(var o) = json {
                o.members.insert(("place", named.json), at: 0)
                json = .object(o)
            }
            return .json(json)
        case .diff:
            guard let fromText = value("from"), let toText = value("to") else {
                throw .invalid("/diff needs from and to (e.g. /diff?from=2020-11-09&to=2020-12-01&facet=control)")
            }
            let from = try Snapshot.day(fromText, "from"), to = try Snapshot.day(toText, "to")
            if from > to { throw .invalid("from \(from) is after to \(to): give the earlier day first") }
            let record = try record(parameters)
            let facets = try Snapshot.facets(value("facet"))
            let changes = try served { () throws(TerritoryError) in try store.diff(from: from, to: to, facets: facets, in: record) }
            return .json(HolderChange.document(from: from, to: to, record: record, changes: changes, notes: { $0.notes(superseded: store.engine.statement) }))
        case .days:
            return .json(daysJSON)
        case .map, .mapScript, .mapBase, .leaflet:
            // Answered by MapSettings before a snapshot is asked.
            throw .notFound("no such resource")
        }
    }

    /// The places by name, read once.
    private let gazetteerCell = Mutex<Gazetteer?>(nil)

    /// The place `name` names (the `place` parameter), or a 400 with the nearest names.
    func town(_ name: String) throws(ServiceError) -> Town {
        let gazetteer = try served { () throws(TerritoryError) in
            if let g = gazetteerCell.withLock({ $0 }) { return g }
            let g = try store.gazetteer()
            gazetteerCell.withLock { $0 = g }
            return g
        }
        switch gazetteer.lookup(name, argument: "place") {
        case .success(let town): return town
        case .failure(let problem): throw .invalid(problem.text)
        }
    }

    /// The record asked by `as_of` and `view` (today's, the default view, when absent).
    func record(_ parameters: [(name: String, value: String)]) throws(ServiceError) -> RecordView {
        func value(_ name: String) -> String? { parameters.first { $0.name == name }?.value }
        let asOf = try value("as_of").map { t throws(ServiceError) in try Snapshot.day(t, "as_of") }
        return try served { () throws(TerritoryError) in try store.record(asOf: asOf, view: value("view"), names: ("as_of", "view")) }
    }

    /// What the store answers, its bad-input failures as 400s.
    func served<T>(_ body: () throws(TerritoryError) -> T) throws(ServiceError) -> T {
        do { return try body() } catch {
            if error.kind == .badInput { throw .invalid(error.message) }
            throw ServiceError(status: 500, code: "InternalError", description: error.message)
        }
    }

    /// A day parameter.
    static func day(_ text: String, _ name: String) throws(ServiceError) -> Day {
        do { return try Day(parsing: text) } catch { throw .invalid("\(name): \(error.message)") }
    }

    /// `facet`: one facet or `all` (any case); every facet when absent.
    static func facets(_ text: String?) throws(ServiceError) -> [Facet] {
        guard let text, text.lowercased() != "all" else { return Facet.allCases }
        guard let facet = Facet(rawValue: text.lowercased()) else {
            throw .invalid("facet: unknown facet '\(text.prefix(40))' (one of \(Facet.allCases.map(\.rawValue).joined(separator: ", ")), or all)")
        }
        return [facet]
    }

    /// `lon`, `lat` and `date` of GET /status.
    static func place(_ parameters: [(name: String, value: String)]) throws(ServiceError) -> (Position, Day) {
        func value(_ name: String) throws(ServiceError) -> String {
            guard let v = parameters.first(where: { $0.name == name })?.value else {
                throw .invalid("missing \(name): /status needs lon and lat (or place) and date (e.g. /status?lon=46.5469&lat=39.6408&date=2021-06-01, /status?place=Lachin&date=2021-06-01)")
            }
            return v
        }
        let position = Position(try degrees(try value("lon"), "lon", 180), try degrees(try value("lat"), "lat", 90))
        let date = try value("date")
        let day: Day
        do { day = try TimeFilter.day(Substring(date)) } catch { throw .invalid("date: '\(date.prefix(40))' is not a day (YYYY-MM-DD)") }
        return (position, day)
    }

    static func degrees(_ text: String, _ name: String, _ limit: Double) throws(ServiceError) -> Double {
        guard let x = Double(text), x.isFinite, text.utf8.allSatisfy({ (0x30...0x39).contains($0) || $0 == 0x2E || $0 == 0x2D || $0 == 0x2B }) else {
            throw .invalid("\(name): '\(text.prefix(40))' is not a number of degrees")
        }
        guard abs(x) <= limit else { throw .invalid("\(name): \(text.prefix(40)) is outside -\(Int(limit))..\(Int(limit))") }
        return x
    }

    static let conformance = [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    ]

    static func link(_ href: String, _ rel: String, _ type: String, _ title: String? = nil) -> JSONValue {
        .object(JSONObject([("href", .string(href)), ("rel", .string(rel)), ("type", .string(type))] + (title.map { [("title", JSONValue.string($0))] } ?? [])))
    }

    // MARK: Features

    /// A page of a collection's features.
    func items(_ collection: CollectionInfo, _ query: ItemsQuery, _ parameters: [(name: String, value: String)], base: String) throws(ServiceError) -> ServiceResponse {
        let page: (items: ArraySlice<FeatureEntry>, matched: Int)
        do { page = try collection.features.page(query) } catch { throw ServiceError(status: 500, code: "InternalError", description: "\(error)") }
        let matched = page.matched
        let features = page.items.map(\.text)
        let path = base + "/collections/\(collection.id)/items"
        var links: [JSONValue] = [Snapshot.link(Snapshot.url(path, parameters, offset: nil), "self", "application/geo+json", "This page"),
                                  Snapshot.link(base + "/collections/\(collection.id)", "collection", "application/json", collection.title)]
        if query.offset + features.count < matched {
            links.append(Snapshot.link(Snapshot.url(path, parameters, offset: query.offset + features.count), "next", "application/geo+json", "The next page"))
        }
        if query.offset > 0 {
            links.append(Snapshot.link(Snapshot.url(path, parameters, offset: max(0, query.offset - query.limit)), "prev", "application/geo+json", "The previous page"))
        }
        var out = "{\"type\":\"FeatureCollection\",\"numberMatched\":\(matched),\"numberReturned\":\(features.count),\"timeStamp\":"
        JSONWriter.string(timeStamp(), into: &out)
        out += ",\"links\":"
        JSONWriter.write(.array(links), sortedKeys: false, into: &out)
        out += ",\"features\":["
        for (i, f) in features.enumerated() {
            if i > 0 { out += ",\n" } else { out += "\n" }
            out += f
        }
        out += "\n]}\n"
        return ServiceResponse(status: 200, contentType: "application/geo+json", body: Array(out.utf8))
    }

    /// One feature by its id: a statement's id, or `HOLDER.VALID_FROM` of a slice.
    func item(_ collection: CollectionInfo, _ featureID: String, base: String) throws(ServiceError) -> ServiceResponse {
        guard var text = collection.features.entry(featureID)?.text else {
            throw .notFound("no feature '\(featureID.prefix(80))' in collection \(collection.id)")
        }
        // The feature with its links, as OGC API - Features asks of a single feature.
        text.removeLast()  // the closing brace
        text += ",\"links\":"
        JSONWriter.write(.array([
            Snapshot.link(base + "/collections/\(collection.id)/items/\(featureID)", "self", "application/geo+json", "This feature"),
            Snapshot.link(base + "/collections/\(collection.id)", "collection", "application/json", collection.title),
        ]), sortedKeys: false, into: &text)
        text += "}\n"
        return ServiceResponse(status: 200, contentType: "application/geo+json", body: Array(text.utf8))
    }

    /// A slice feature as `territory layers` writes it, with an id that needs no escaping in a path.
    static func sliceID(_ f: SliceFeature) -> String { "\(f.holder).\(f.valid.from)" }

    static func sliceFeature(_ f: SliceFeature) -> String {
        var feature = f.feature
        feature.id = .string(sliceID(f))
        var out = ""
        GeoJSON.write(feature, into: &out)
        return out
    }

    static func statementFeature(_ s: StatementInfo, _ ground: Shape) -> String {
        let properties = JSONObject([
            ("statement", .string(s.id)), ("facet", .string(s.facet.rawValue)), ("holder", .string(s.holder)),
            ("holder_name", .string(s.holderName)), ("zone", .string(s.zone)),
            ("valid_from", .string(s.valid.from.description)), ("valid_to", s.valid.to.map { .string($0.description) } ?? .null),
            ("announced", .string(s.announced.description)),
            ("recorded_from", .string(s.recorded.from.description)), ("recorded_to", s.recorded.to.map { .string($0.description) } ?? .null),
            ("supersedes", s.supersedes.map { .string($0) } ?? .null),
            ("source", .string(s.source.citation)), ("source_document", .string(s.source.document)), ("source_clause", .string(s.source.clause)),
            ("source_quote", s.source.quote.map { .string($0) } ?? .null), ("source_url", s.source.url.map { .string($0) } ?? .null),
            ("note", s.note.map { .string($0) } ?? .null), ("area_km2", .number(s.areaKm2)),
            ("to_announced", s.qualifiers.toAnnounced.map { .string($0.description) } ?? .null),
            ("from_latest", s.qualifiers.fromLatest.map { .string($0.description) } ?? .null),
            ("to_latest", s.qualifiers.toLatest.map { .string($0.description) } ?? .null),
            ("claimed_by", .array(s.qualifiers.claimedBy.map { .string($0) })),
            ("accepted_by", .array(s.qualifiers.acceptedBy.map { .string($0) })),
            ("disputed_by", .array(s.qualifiers.disputedBy.map { .string($0.actor) })),
            ("strength", s.qualifiers.strength.map { .string($0.summary) } ?? .null),
            ("mandate", s.qualifiers.mandate.map { .string($0) } ?? .null),
        ])
        var out = ""
        GeoJSON.write(Feature(id: .string(s.id), geometry: .multiPolygon(ground.polygons), properties: properties), into: &out)
        return out
    }

    /// `path` with the request's parameters, `offset` replaced (or kept when nil).
    static func url(_ path: String, _ parameters: [(name: String, value: String)], offset: Int?) -> String {
        var items = parameters.filter { offset == nil || $0.name != "offset" }
        if let offset { items.append(("offset", String(offset))) }
        guard !items.isEmpty else { return path }
        return path + "?" + items.map { escape($0.name) + "=" + escape($0.value) }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for b in text.utf8 {
            switch b {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"), UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "/"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                out += "%" + String(b, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}

/// A collection's description and extents.
struct CollectionInfo: Sendable {
    let id: String
    let title: String
    let description: String
    let bbox: [Double]
    let interval: (from: Day?, to: Day?)

    /// Its features, in the store's order.
    let features: FeatureList

    /// The extents are those of the features: the union of their grounds' boxes, and from the
    /// first valid_from to the last valid_to (open when any is).
    init(id: String, title: String, description: String, features: FeatureList) {
        self.id = id
        self.features = features
        self.title = title
        self.description = description
        let entries = features.entries
        let lo = Position(entries.map(\.minX).min() ?? .infinity, entries.map(\.minY).min() ?? .infinity)
        let hi = Position(entries.map(\.maxX).max() ?? -.infinity, entries.map(\.maxY).max() ?? -.infinity)
        bbox = lo.x <= hi.x ? [lo.x, lo.y, hi.x, hi.y] : [-180, -90, 180, 90]
        let intervals = entries.map(\.valid)
        let from = intervals.map(\.from).min()
        let to: Day? = intervals.contains(where: { $0.to == nil }) ? nil : intervals.compactMap(\.to).max()
        interval = (from, to)
    }

    func json(base: String) -> JSONValue {
        func instant(_ day: Day?) -> JSONValue { day.map { .string("\($0)T00:00:00Z") } ?? .null }
        return .object(JSONObject([
            ("id", .string(id)), ("title", .string(title)), ("description", .string(description)),
            ("itemType", .string("feature")),
            ("crs", .array([.string("http://www.opengis.net/def/crs/OGC/1.3/CRS84")])),
            ("extent", .object(JSONObject([
                ("spatial", .object(JSONObject([("bbox", .array([.array(bbox.map { .number($0) })])),
                                                ("crs", .string("http://www.opengis.net/def/crs/OGC/1.3/CRS84"))]))),
                ("temporal", .object(JSONObject([("interval", .array([.array([instant(interval.from), instant(interval.to)])])),
                                                 ("trs", .string("http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"))]))),
            ]))),
            ("links", .array([
                Snapshot.link(base + "/collections/\(id)", "self", "application/json", title),
                Snapshot.link(base + "/collections/\(id)/items", "items", "application/geo+json", "The features"),
            ])),
        ]))
    }
}
