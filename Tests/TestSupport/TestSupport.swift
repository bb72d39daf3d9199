import Foundation
import Territory

/// The package's root folder (where Package.swift is).
public let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The project's own data folder (data/ at the package root).
public let projectData = packageRoot.appendingPathComponent("data")

/// `../shared/reference` (others' data, for tests only), when present.
public let referenceFolder: URL? = {
    let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/reference")
    return FileManager.default.fileExists(atPath: url.appendingPathComponent("README.md").path) ? url : nil
}()

/// A day written `YYYY-MM-DD` (the test's own constant: a bad one stops the test at once).
public func day(_ text: String) -> Day { try! Day(parsing: text) }

/// A fresh temporary folder for one test.
public func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("territory-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A home folder of the test process's own, so that no test writes to the real `~/.cache` or
/// `~/.local`: the tool started by `Run` sees it as `HOME`, `XDG_CACHE_HOME` and `XDG_DATA_HOME`.
public enum TestHome {
    public static let folder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("territory-home-\(getpid())")
        try? FileManager.default.createDirectory(at: url.appendingPathComponent(".cache"), withIntermediateDirectories: true)
        try? FileManager.default.createDirectory(at: url.appendingPathComponent(".local/share"), withIntermediateDirectories: true)
        return url
    }()

    /// The environment that points the tool at the temporary home (and at nothing of the user's).
    public static var environment: [String: String] {
        ["HOME": folder.path, "XDG_CACHE_HOME": folder.appendingPathComponent(".cache").path,
         "XDG_DATA_HOME": folder.appendingPathComponent(".local/share").path,
         "TERRITORY_STORE": "", "TERRITORY_PACKS": "", "TERRITORY_BOUNDARIES": "", "TERRITORY_DATA": ""]
    }
}

/// Reproducible pseudo-random numbers (SplitMix64), so that a failure can be replayed.
public struct SplitMix: Sendable {
    public var state: UInt64

    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in the range.
    public mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + Double(next() >> 11) / Double(1 << 53) * (range.upperBound - range.lowerBound)
    }

    /// Uniform in the range of integers.
    public mutating func integer(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    /// A day from 1994-01-01 to 2026-01-13.
    public mutating func day() -> Day {
        Day(ordinal: try! Day(parsing: "1994-01-01").ordinal + Int(next() % 11_700))
    }
}

/// Runs the built `territory` binary as a user would, and captures what it says. The tool sees
/// the temporary home (`TestHome`) unless the test's `environment` says otherwise.
public struct Run: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    /// SIGPIPE ignored once for the test process.
    static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// The built tool: beside the test bundle (SwiftPM puts both in the same build folder).
    public static let binary: URL = {
        var folder = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = folder.appendingPathComponent("territory")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder.deleteLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/territory")
    }()

    public init(_ arguments: [String], stdin: String? = nil, in directory: URL? = nil, environment: [String: String] = [:]) throws {
        try self.init(arguments, bytes: stdin.map { Array($0.utf8) }, in: directory, environment: environment)
    }

    public init(_ arguments: [String], bytes stdin: [UInt8]?, in directory: URL? = nil, environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = Run.binary
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var env = ProcessInfo.processInfo.environment.merging(TestHome.environment) { _, new in new }
        env = env.merging(environment) { _, new in new }
        for (key, value) in env where value.isEmpty { env[key] = nil }
        process.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        // Feed standard input and drain standard error on their own threads while standard output
        // is read here, so that no pipe can fill up and block the child or the test.
        let writer = input.fileHandleForWriting
        let feeding = DispatchGroup()
        // The tool may stop reading early (a refused input): the writes then fail with EPIPE,
        // which must not end the test process.
        _ = Run.ignoreBrokenPipes
        DispatchQueue.global().async(group: feeding) {
            if let stdin { try? writer.write(contentsOf: Data(stdin)) }
            try? writer.close()
        }
        let errors = Collected()
        DispatchQueue.global().async(group: feeding) {
            errors.data = err.fileHandleForReading.readDataToEndOfFile()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        feeding.wait()
        let errData = errors.data
        process.waitUntilExit()
        status = process.terminationStatus
        stdout = String(decoding: outData, as: UTF8.self)
        stderr = String(decoding: errData, as: UTF8.self)
    }
}

/// Runs another program (GDAL's tools, the fuzz harness) with both its outputs in one string.
public func runTool(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws -> (reason: Process.TerminationReason, status: Int32, output: String) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(TestHome.environment.filter { !$0.value.isEmpty }) { _, new in new }
        .merging(environment) { _, new in new }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationReason, process.terminationStatus, output)
}

/// Bytes filled by the thread that drains a pipe.
final class Collected: @unchecked Sendable {
    var data = Data()
}
