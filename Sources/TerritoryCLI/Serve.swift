import ArgumentParser
import Dispatch
import Foundation
import TerritoryServer
import TerritoryService
import Territory
import TerritoryStore

/// `territory serve`: the status service over HTTP.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        // Named here: deriving the name from the type costs ArgumentParser milliseconds at every start.
        commandName: "serve",
        abstract: "Serve the statements, time slices and status over HTTP (OGC API - Features).",
        discussion: """
        Answers on HOST:PORT (loopback by default: binding elsewhere is your choice) until \
        SIGINT or SIGTERM, which finish the requests in flight. It prints 'serving \
        http://HOST:PORT/' on standard error when it is ready, then one line per request \
        (method, path, status, milliseconds) unless --quiet. A store rebuilt underneath \
        (territory build) is taken up within a second, without a restart.

        OGC API - Features - Part 1: Core (core, geojson, oas30):
          /                                   landing page
          /conformance, /api                  conformance classes; the OpenAPI 3.0 document
          /collections                        statements, control, sovereignty, administration,
                                              presence, access
          /collections/ID/items               bbox, datetime (instant or A/B, '..' open), limit,
                                              offset, holder, statement
          /collections/ID/items/FEATURE       one feature (a statement's id, or HOLDER.FROM)
        And:
          /status?lon=&lat=&date=             as territory status --format json
          POST /status (CSV id,lon,lat,date)  as territory status --csv
          /timeline[?lon=&lat=], /days        the timeline; the days on which slices begin
        The web map (Leaflet from Debian's libjs-leaflet, no network needed):
          /map[?date=&facet=&lon=&lat=&zoom=] a map of the day with a time slider, a facet
                                              selector and the status at a click; the URL
                                              keeps the state, so a link reopens the same map

        EXAMPLES
          territory serve
          curl 'http://127.0.0.1:8080/status?lon=46.5469&lat=39.6408&date=2021-06-01'
          ogrinfo OAPIF:http://127.0.0.1:8080 control
          open 'http://127.0.0.1:8080/map?date=2020-11-25&facet=control'
          territory serve --tiles 'https://tiles.example.org/{z}/{x}/{y}.png' --tiles-attribution '© OpenStreetMap contributors'
        """
    )

    @OptionGroup var data: DataOptions

    @Option(help: ArgumentHelp("The address to listen on (loopback by default; 0.0.0.0 for every interface).", valueName: "HOST"))
    var host = "127.0.0.1"

    @Option(help: ArgumentHelp("The port to listen on (0: any free port, printed when ready).", valueName: "PORT"))
    var port = 8080

    @Flag(help: "No access log line per request.")
    var quiet = false

    @Option(name: .customLong("max-body"), help: ArgumentHelp("The largest POST /status body taken, in bytes (413 beyond it).", valueName: "BYTES"))
    var maximumBody = 64 << 20

    @Option(name: .customLong("max-connections"), help: ArgumentHelp("Connections served at once; more wait (in the listen backlog) until one closes.", valueName: "N"))
    var maximumConnections = 512

    @Option(name: .customLong("idle-timeout"), help: ArgumentHelp("Seconds a connection may stay idle (kept alive, or never sending) before it is closed, so that idle clients cannot hold every connection.", valueName: "SECONDS"))
    var idleTimeout = 15

    @Option(name: .customLong("request-timeout"), help: ArgumentHelp("Seconds from a request's first byte until the server starts answering it; a slower client is cut off (a 64 MiB POST /status body must arrive at 1.1 MB/s within the default 60 s: raise it for large bodies over slow links).", valueName: "SECONDS"))
    var requestTimeout = 60

    @Option(name: .customLong("send-timeout"), help: ArgumentHelp("Seconds an answer may wait with none of it written (a client that does not read) before the connection is cut off: the time between two successive writes, as nginx's send_timeout.", valueName: "SECONDS"))
    var sendTimeout = 60

    @Option(help: ArgumentHelp("A tile layer for the map at /map, as a URL template with {z}, {x} and {y} (your own tile server); none by default: the map needs no network.", valueName: "URL"))
    var tiles: String?

    @Option(name: .customLong("tiles-attribution"), help: ArgumentHelp("The attribution shown for --tiles (the tile provider's terms usually require one).", valueName: "TEXT"))
    var tilesAttribution: String?

    @Option(help: ArgumentHelp("Leaflet's folder, served under /map/leaflet/ (Debian's libjs-leaflet).", valueName: "DIR"))
    var leaflet = MapSettings.debianLeaflet.path

    func validate() throws {
        if let tiles {
            guard tiles.hasPrefix("http://") || tiles.hasPrefix("https://") || tiles.hasPrefix("/"),
                  tiles.contains("{z}"), tiles.contains("{x}"), tiles.contains("{y}") else {
                throw ValidationError("--tiles: '\(tiles)' is not a tile URL template (http(s)://HOST/{z}/{x}/{y}.png)")
            }
        }
        if tilesAttribution != nil && tiles == nil { throw ValidationError("--tiles-attribution goes with --tiles") }
        guard leaflet == MapSettings.debianLeaflet.path || FileManager.default.fileExists(atPath: leaflet + "/leaflet.js") else {
            throw ValidationError("--leaflet: no leaflet.js in \(leaflet) (Debian: apt-get install libjs-leaflet)")
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port: \(port) is not a port (0 to 65535)") }
        guard !host.isEmpty, host.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw ValidationError("--host: '\(host)' is not an address") }
        guard maximumBody >= 1024 else { throw ValidationError("--max-body: \(maximumBody) is below 1024 bytes") }
        guard (1...100_000).contains(maximumConnections) else { throw ValidationError("--max-connections: \(maximumConnections) is not within 1 to 100000") }
        guard (1...86_400).contains(idleTimeout) else { throw ValidationError("--idle-timeout: \(idleTimeout) is not within 1 to 86400 seconds") }
        guard (1...86_400).contains(requestTimeout) else { throw ValidationError("--request-timeout: \(requestTimeout) is not within 1 to 86400 seconds") }
        guard (1...86_400).contains(sendTimeout) else { throw ValidationError("--send-timeout: \(sendTimeout) is not within 1 to 86400 seconds") }
    }

    func run() throws {
        try reporting("serve") {
            let store = try data.openStore()
            if !FileManager.default.fileExists(atPath: leaflet + "/leaflet.js") {
                printError("territory serve: warning: no Leaflet in \(leaflet): /map will not draw (Debian: apt-get install libjs-leaflet)")
            }
            let service: TerritoryService
            do throws(TerritoryError) { service = try TerritoryService(store: store, map: MapSettings(leaflet: URL(fileURLWithPath: leaflet), tiles: tiles, tilesAttribution: tilesAttribution)) } catch { throw Failure(error) }
            var options = ServerOptions()
            options.host = host
            options.port = port
            options.quiet = quiet
            options.maximumBody = maximumBody
            options.maximumConnections = maximumConnections
            options.idleTimeout = idleTimeout
            options.requestTimeout = requestTimeout
            options.sendTimeout = sendTimeout
            let outcome = Outcome()
            let done = DispatchSemaphore(value: 0)
            Task {
                do { try await serve(service, options: options) } catch { outcome.set("\(error)") }
                done.signal()
            }
            done.wait()
            if let message = outcome.message {
                throw Failure.io("cannot serve on \(host):\(port): \(message)")
            }
        }
    }
}

/// The error a server task ended with, if any.
final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var text: String?
    func set(_ message: String) { lock.withLock { text = message } }
    var message: String? { lock.withLock { text } }
}
