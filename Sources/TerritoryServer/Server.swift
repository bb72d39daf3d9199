import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Synchronization
import Territory
import TerritoryService
import TerritoryStore

/// How `territory serve` runs.
public struct ServerOptions: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// No access log.
    public var quiet = false
    /// The largest POST /status body taken (413 beyond it).
    public var maximumBody = 64 << 20
    /// Connections served at once; more wait in the listen backlog until one closes.
    public var maximumConnections = 512
    /// Seconds a connection may stay idle before it is closed (a kept-alive client that sends
    /// nothing more frees its place for those waiting).
    public var idleTimeout = 15
    /// Seconds from a request's first byte until the answer begins (a slower client is cut off).
    public var requestTimeout = 60
    /// Seconds an answer may wait with none of it written (the client not reading) before the
    /// connection is cut off: the time between two successive writes, as nginx's send_timeout.
    public var sendTimeout = 60
    /// Where lines for the user go (standard error).
    public var log: @Sendable (String) -> Void = { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }

    public init() {}
}

/// Runs the service over HTTP/1.1 on Hummingbird until SIGINT or SIGTERM, which finish the
/// requests in flight and return. Prints `serving http://HOST:PORT/` once it answers.
public func serve(_ service: TerritoryService, options: ServerOptions) async throws {
    let responder = CallbackResponder<BasicRequestContext> { request, context in
        await respond(service, request, options)
    }
    var logger = Logger(label: "territory")
    logger.logLevel = .critical
    let configuration = ApplicationConfiguration(
        address: .hostname(options.host, port: options.port), serverName: "territory",
        backlog: 4096, availableConnectionsDelegate: MaximumAvailableConnections(options.maximumConnections, logger: logger))
    let http = HTTP1Channel.Configuration(idleTimeout: .seconds(Int64(options.idleTimeout)))
    let server = HTTPServerBuilder { responder in
        GuardedHTTP1Channel(inner: HTTP1Channel(responder: responder, configuration: http),
                            stalledWrite: .seconds(Int64(options.sendTimeout)), slowRequest: .seconds(Int64(options.requestTimeout)))
    }
    let app = Application(responder: responder, server: server,
                          configuration: configuration, onServerRunning: { channel in
        let port = channel.localAddress?.port ?? options.port
        let host = options.host.contains(":") ? "[\(options.host)]" : options.host
        options.log("serving http://\(host):\(port)/")
    }, logger: logger)
    try await app.runService()
}

/// Seconds between two looks at the store's file, to take up a rebuilt store.
private let refreshInterval: Duration = .seconds(1)
private let lastLook = Mutex<ContinuousClock.Instant>(.now)

private func respond(_ service: TerritoryService, _ request: Request, _ options: ServerOptions) async -> Response {
    let start = ContinuousClock.now
    let due = lastLook.withLock { last -> Bool in
        guard start - last >= refreshInterval else { return false }
        last = start
        return true
    }
    if due { service.refresh(report: options.log) }
    let path = request.uri.path
    let response: Response
    if request.method == .post && (path == "/status" || path == "/status/") {
        response = await classify(service, request, options)
    } else {
        let authority = request.head.authority ?? "\(options.host):\(options.port)"
        let answer = service.respond(method: request.method.rawValue, path: path, query: Substring(request.uri.query ?? ""),
                                     accept: request.headers[.accept], base: "http://\(authority)")
        response = make(answer, head: request.method == .head)
    }
    if !options.quiet {
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        options.log("\(request.method.rawValue) \(request.uri.string.prefix(200)) \(response.status.code) \(String(format: "%.1f", ms)) ms")
    }
    return response
}

private func make(_ answer: ServiceResponse, head: Bool) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = answer.contentType
    headers[.contentLength] = String(answer.body.count)
    return Response(status: HTTPResponse.Status(code: answer.status), headers: headers,
                    body: head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
}

/// POST /status: a CSV of dated points (`id,lon,lat,date`), answered as `territory status --csv`
/// answers, streamed in chunks. The body is read whole first, up to the limit (413 beyond it),
/// and every row checked, so that a bad row is a 400 naming its line rather than a cut answer.
private func classify(_ service: TerritoryService, _ request: Request, _ options: ServerOptions) async -> Response {
    func refuse(_ e: ServiceError) -> Response { make(.error(e), head: false) }
    let tooLarge = ServiceError(status: 413, code: "PayloadTooLarge",
                                description: "the body is larger than \(options.maximumBody) bytes (start the server with a larger --max-body, or send the points in parts)")
    if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > options.maximumBody { return refuse(tooLarge) }
    if let type = request.headers[.contentType]?.lowercased(), !type.hasPrefix("text/csv"), !type.hasPrefix("text/plain"), !type.hasPrefix("application/octet-stream"),
       !type.hasPrefix("application/x-www-form-urlencoded") {
        return refuse(ServiceError(status: 415, code: "UnsupportedMediaType", description: "Content-Type \(type.prefix(60)): send text/csv with the header id,lon,lat,date"))
    }
    if !(request.uri.query ?? "").isEmpty {
        return refuse(.invalid("POST /status takes no query parameters: the points are the body (id,lon,lat,date)"))
    }
    var body: ByteBuffer
    do { body = try await request.body.collect(upTo: options.maximumBody) } catch { return refuse(tooLarge) }
    let bytes = body.readBytes(length: body.readableBytes) ?? []
    let snapshot = service.snapshot
    var batch = PointBatch()
    let start: Int
    switch bytes.withUnsafeBufferPointer({ DatedPointCSV.bodyStart($0) }) {
    case .failure(let problem): return refuse(.invalid("body: \(problem)"))
    case .success(let offset): start = offset
    }
    bytes.withUnsafeBufferPointer { all in
        _ = DatedPointCSV.parse(UnsafeBufferPointer(rebasing: all[start...]), firstLine: 2, into: &batch)
    }
    // A last line without its newline is a row like the others (parse reads to the end).
    if let problem = batch.problems.first {
        return refuse(.invalid("body: \(problem) (\(batch.problems.count) row\(batch.problems.count == 1 ? "" : "s") cannot be read; nothing classified)"))
    }
    let classifier = snapshot.classifier
    let points = batch
    var headers = HTTPFields()
    headers[.contentType] = "text/csv; charset=utf-8"
    return Response(status: .ok, headers: headers, body: ResponseBody { writer in
        var cache = BatchClassifier.AnswerCache()
        var out: [UInt8] = classifier.header
        var k = 0
        while k < points.count {
            let end = min(points.count, k + 16_384)
            classifier.classify(points, k..<end, cache: &cache, into: &out)
            try await writer.write(ByteBuffer(bytes: out))
            out.removeAll(keepingCapacity: true)
            k = end
        }
        if !out.isEmpty { try await writer.write(ByteBuffer(bytes: out)) }
        try await writer.finish(nil)
    })
}
