import Foundation

/// `territory serve --port 0` started as a process of its own, on loopback, answering from a
/// given store; its standard error is collected (the ready line gives the port).
public final class ServedTool: @unchecked Sendable {
    public let process = Process()
    public let port: Int
    private let errors = Pipe()
    private let collected = Collected()

    public init(_ arguments: [String]) throws {
        process.executableURL = Run.binary
        process.arguments = ["serve", "--port", "0"] + arguments
        var env = ProcessInfo.processInfo.environment.merging(TestHome.environment) { _, new in new }
        for (key, value) in env where value.isEmpty { env[key] = nil }
        process.environment = env
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let sink = collected
        errors.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            sink.lock.withLock { sink.data.append(data) }
        }
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        var found: Int?
        while found == nil && Date() < deadline && process.isRunning {
            Thread.sleep(forTimeInterval: 0.05)
            let text = collected.text
            if let range = text.range(of: "serving http://127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if text[range.upperBound...].dropFirst(digits.count).hasPrefix("/") { found = Int(digits) }
            }
        }
        guard let found else {
            process.terminate()
            throw ServerStartError(log: collected.text)
        }
        port = found
    }

    public struct ServerStartError: Error, CustomStringConvertible {
        public let log: String
        public var description: String { "territory serve did not start: \(log)" }
    }

    /// What the server wrote on standard error so far.
    public var log: String { collected.text }

    public var base: String { "http://127.0.0.1:\(port)" }

    /// Sends SIGTERM and waits for the exit; returns the exit status.
    @discardableResult
    public func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        errors.fileHandleForReading.readabilityHandler = nil
        return process.terminationStatus
    }

    deinit { if process.isRunning { process.terminate() } }

    final class Collected: @unchecked Sendable {
        let lock = NSLock()
        var data = Data()
        var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
    }
}

/// One HTTP exchange over a plain socket, bytes as given: for requests no well-behaved client
/// would send (bad escapes, raw bytes, overlong lines, wrong methods).
public struct RawHTTP {
    public let status: Int
    public let headers: [String: String]
    public let body: [UInt8]

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// Sends `request` (the whole request, head and body) to 127.0.0.1:`port` and reads the
    /// answer until the server closes the connection (send `Connection: close`).
    public static func send(_ request: [UInt8], port: Int, timeout: Int = 30) throws -> RawHTTP {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawError(message: "socket: \(errno)") }
        defer { close(fd) }
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        guard connectLoopback(fd, port: port) == 0 else { throw RawError(message: "connect: \(errno)") }
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }  // the server may refuse and close before reading it all
            sent += n
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        return try parse(answer)
    }

    /// A GET of `target` (sent as is), closing the connection after.
    public static func get(_ target: String, port: Int, headers: [String] = []) throws -> RawHTTP {
        try send(Array((["GET \(target) HTTP/1.1", "Host: 127.0.0.1:\(port)", "Connection: close"] + headers + ["", ""]).joined(separator: "\r\n").utf8), port: port)
    }

    public static func parse(_ bytes: [UInt8]) throws -> RawHTTP {
        guard let end = (0..<max(0, bytes.count - 3)).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10 }) else {
            throw RawError(message: "no HTTP answer (\(bytes.count) bytes: \(String(decoding: bytes.prefix(200), as: UTF8.self)))")
        }
        let head = String(decoding: bytes[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = head[0].split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw RawError(message: "bad status line \(head[0])") }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(bytes[(end + 4)...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = dechunk(body) }
        return RawHTTP(status: status, headers: headers, body: body)
    }

    static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            guard let lineEnd = (i..<max(i, bytes.count - 1)).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 }) else { break }
            let size = Int(String(decoding: bytes[i..<lineEnd], as: UTF8.self).split(separator: ";")[0], radix: 16) ?? 0
            if size == 0 { break }
            let start = lineEnd + 2
            out += bytes[start..<min(bytes.count, start + size)]
            i = start + size + 2
        }
        return out
    }

    public struct RawError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }
}

/// Many clients at once, each on its own non-blocking socket: every request is sent as soon as
/// its connection is taken, and every answer read until the server closes (`Connection: close`
/// requests), within `seconds`. For the tests of a server under many concurrent connections.
public enum ManyClients {
    public struct Outcome {
        /// The answers' statuses, one per client (nil where no whole answer came).
        public var statuses: [Int?]
        /// Clients whose connection failed (refused, reset) before an answer.
        public var failures: Int
        /// Clients whose connection was still open at the deadline.
        public var unfinished: Int
    }

    public static func run(_ request: [UInt8], count: Int, port: Int, seconds: Double) throws -> Outcome {
        // A thousand sockets need more than the usual 1024 descriptors.
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < rlim_t(count + 256) {
            limit.rlim_cur = min(limit.rlim_max, rlim_t(count + 256))
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        var fds: [Int32] = []
        defer { for fd in fds where fd >= 0 { close(fd) } }
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw RawHTTP.RawError(message: "socket: errno \(errno) after \(fds.count) sockets") }
            fds.append(fd)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            guard connectLoopback(fd, port: port) == 0 || errno == EINPROGRESS else { throw RawHTTP.RawError(message: "connect: errno \(errno)") }
        }
        var sent = [Int](repeating: 0, count: count)
        var answers = [[UInt8]](repeating: [], count: count)
        var open = [Bool](repeating: true, count: count)
        var failed = [Bool](repeating: false, count: count)
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(seconds)
        while open.contains(true), Date() < deadline {
            let live = (0..<count).filter { open[$0] }
            var polls = live.map { i in pollfd(fd: fds[i], events: Int16(sent[i] < request.count ? POLLOUT : POLLIN), revents: 0) }
            let ready = poll(&polls, nfds_t(polls.count), 200)
            if ready < 0 && errno != EINTR { throw RawHTTP.RawError(message: "poll: errno \(errno)") }
            if ready <= 0 { continue }
            for (j, i) in live.enumerated() where polls[j].revents != 0 {
                let fd = fds[i]
                if sent[i] < request.count {
                    var error: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
                    if error != 0 { open[i] = false; failed[i] = true; continue }
                    let n = request[sent[i]...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    if n > 0 { sent[i] += n } else if errno != EAGAIN && errno != EINTR { open[i] = false; failed[i] = true }
                } else {
                    let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                    if n > 0 { answers[i] += buffer[0..<n] }
                    else if n == 0 { open[i] = false }
                    else if errno != EAGAIN && errno != EINTR { open[i] = false; failed[i] = true }
                }
                if !open[i] {
                    // Closed as soon as done, as a client does.
                    close(fd)
                    fds[i] = -1
                }
            }
        }
        // A connection closed without a whole answer counts as failed.
        let statuses = (0..<count).map { i -> Int? in open[i] || failed[i] ? nil : (try? RawHTTP.parse(answers[i]))?.status }
        for i in 0..<count where !open[i] && statuses[i] == nil { failed[i] = true }
        return Outcome(statuses: statuses, failures: failed.filter { $0 }.count, unfinished: open.filter { $0 }.count)
    }
}

/// One blocking loopback connection, driven by hand: for clients that misbehave slowly (one that
/// never reads its answers, one that sends a byte now and then).
public final class RawConnection {
    private let fd: Int32

    /// `receiveBuffer`: a small kernel buffer (bytes), for a client that reads slowly.
    public init(port: Int, receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawHTTP.RawError(message: "socket: errno \(errno)") }
        if var size = receiveBuffer { setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
        guard connectLoopback(fd, port: port) == 0 else { close(fd); throw RawHTTP.RawError(message: "connect: errno \(errno)") }
    }

    deinit { close(fd) }

    /// Sends every byte; false when the server has closed the connection.
    public func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    /// True when the server has closed the connection (an end of stream or a reset is waiting,
    /// after whatever it sent, which is read and dropped).
    public func isClosedByPeer() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 { continue }
            if n == 0 { return true }
            return errno != EAGAIN && errno != EINTR
        }
    }

    /// Up to `count` bytes as they come (fewer when fewer wait); empty at the end of the stream.
    public func read(upTo count: Int) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            return n > 0 ? Array(buffer[0..<n]) : []
        }
    }

    /// Everything until the server closes, or nil when it is still open after `seconds`.
    public func readToEnd(seconds: Int) -> [UInt8]? {
        var tv = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { out += buffer[0..<n]; continue }
            if n == 0 || errno == ECONNRESET { return out }
            if errno == EINTR { continue }
            return nil
        }
    }
}

/// `connect(2)` of the socket `fd` to 127.0.0.1:`port`: its result (0, or -1 with errno set).
func connectLoopback(_ fd: Int32, port: Int) -> Int32 {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
}
