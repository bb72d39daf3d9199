import Foundation
import Testing
import TestSupport

/// The bad-input corpus: `Corpus/cases.json` lists each case (the command, its input, the exit
/// status, a piece of the message), `Corpus/inputs/` holds the inputs, `Corpus/data/` a small
/// data folder that validates and that data cases copy and edit. Every case runs the built tool.
enum Corpus {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")
    static let inputs = folder.appendingPathComponent("inputs")

    struct Manifest: Decodable {
        let cases: [Case]
    }

    /// One bad input and what the tool must answer.
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        /// The command line; {input}, {data}, {store} and {tmp} are filled in (see cases.json).
        let args: [String]
        /// A file of inputs/ for {input}.
        let input: String?
        /// A file of inputs/ fed to standard input (else standard input is empty).
        let stdin: String?
        /// How {data} differs from Corpus/data.
        let data: DataEdits?
        let status: Int32
        /// A piece of standard error ("" for none).
        let message: String
        /// A piece of standard output, if any.
        let stdout: String?
        /// Lines on standard output (default 0) and standard error (default 1).
        let stdoutLines: Int?
        let stderrLines: Int?

        enum CodingKeys: String, CodingKey {
            case name, args, input, stdin, data, status, message, stdout
            case stdoutLines = "stdout_lines", stderrLines = "stderr_lines"
        }

        var testDescription: String { name }
    }

    struct DataEdits: Decodable, Sendable {
        struct Replace: Decodable, Sendable { let file: String; let find: String; let with: String }
        struct Add: Decodable, Sendable { let file: String; let from: String }
        let replace: [Replace]?
        let add: [Add]?
        let remove: [String]?
    }

    static let cases: [Case] = {
        do {
            let data = try Data(contentsOf: folder.appendingPathComponent("cases.json"))
            return try JSONDecoder().decode(Manifest.self, from: data).cases
        } catch {
            // An unreadable manifest leaves no cases; `manifestIsComplete` says why.
            return []
        }
    }()
}

/// Lines of a stream's text: a final newline ends the last line rather than starting another.
private func lineCount(_ text: String) -> Int {
    text.isEmpty ? 0 : text.split(separator: "\n", omittingEmptySubsequences: false).count - (text.hasSuffix("\n") ? 1 : 0)
}

@Suite(.serialized) struct CorpusTests {
    @Test func manifestIsComplete() throws {
        let data = try Data(contentsOf: Corpus.folder.appendingPathComponent("cases.json"))
        let cases = try JSONDecoder().decode(Corpus.Manifest.self, from: data).cases
        #expect(cases.count >= 40)
        #expect(Set(cases.map(\.name)).count == cases.count, "case names are unique")
        // Every input is used, and every input named exists.
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: Corpus.inputs.path))
        var used = Set<String>()
        for c in cases {
            for name in [c.input, c.stdin].compactMap({ $0 }) + (c.data?.add ?? []).map(\.from) {
                #expect(files.contains(name), "\(c.name): no inputs/\(name)")
                used.insert(name)
            }
        }
        #expect(files.subtracting(used).sorted() == [], "inputs no case uses")
    }

    @Test(arguments: Corpus.cases)
    func refuses(_ c: Corpus.Case) throws {
        let tmp = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let fm = FileManager.default

        // The data folder: a copy of Corpus/data, edited.
        let data = tmp.appendingPathComponent("data")
        let store = tmp.appendingPathComponent("store.gpkg")
        let needsData = c.args.contains { $0.contains("{data}") || $0.contains("{store}") }
        if needsData {
            try fm.copyItem(at: Corpus.folder.appendingPathComponent("data"), to: data)
            for edit in c.data?.replace ?? [] {
                let file = data.appendingPathComponent(edit.file)
                let text = try String(contentsOf: file, encoding: .utf8)
                let range = try #require(text.range(of: edit.find), "\(c.name): '\(edit.find)' is not in \(edit.file)")
                try text.replacingCharacters(in: range, with: edit.with).write(to: file, atomically: true, encoding: .utf8)
            }
            for add in c.data?.add ?? [] {
                try fm.copyItem(at: Corpus.inputs.appendingPathComponent(add.from), to: data.appendingPathComponent(add.file))
            }
            for name in c.data?.remove ?? [] {
                try fm.removeItem(at: data.appendingPathComponent(name))
            }
        }
        if c.args.contains(where: { $0.contains("{store}") }) {
            let build = try Run(["build", "--data", data.path, "--store", store.path], bytes: [], in: tmp)
            try #require(build.status == 0, "\(c.name): the store did not build: \(build.stderr)")
        }

        let input = c.input.map { Corpus.inputs.appendingPathComponent($0).path } ?? ""
        let arguments = c.args.map {
            $0.replacingOccurrences(of: "{input}", with: input)
                .replacingOccurrences(of: "{data}", with: data.path)
                .replacingOccurrences(of: "{store}", with: store.path)
                .replacingOccurrences(of: "{tmp}", with: tmp.path)
        }
        let stdin = try c.stdin.map { Array(try Data(contentsOf: Corpus.inputs.appendingPathComponent($0))) } ?? []
        let run = try Run(arguments, bytes: stdin, in: tmp)

        let context = "\(c.name): territory \(c.args.joined(separator: " ")) → \(run.status)\nstderr: \(run.stderr.prefix(2000))\nstdout: \(run.stdout.prefix(300))"
        #expect(run.status == c.status, "\(context)")
        #expect(c.message.isEmpty || run.stderr.contains(c.message), "\(context)")
        #expect(c.stdout.map { run.stdout.contains($0) } ?? true, "\(context)")
        #expect(lineCount(run.stdout) == (c.stdoutLines ?? 0), "\(context)")
        #expect(lineCount(run.stderr) == (c.stderrLines ?? 1), "\(context)")
        if !run.stderr.isEmpty {
            #expect(run.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix("territory ") || $0.hasPrefix("/") }, "each line names the tool or a file: \(context)")
        }
        // Nothing is left behind: no temporary output files.
        let leftovers = try fm.contentsOfDirectory(atPath: tmp.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty, "\(context)")
    }
}

/// Inputs for the fuzz harness kept under Corpus/fuzz/<target>/ (fixed crashes, edge cases):
/// each replays through the plain build of TerritoryFuzz, which runs the fuzzer's checks.
@Suite(.serialized) struct FuzzRegressionTests {
    static let folder = Corpus.folder.appendingPathComponent("fuzz")

    static let inputs: [String] = {
        let fm = FileManager.default
        let targets = (try? fm.contentsOfDirectory(atPath: folder.path)) ?? []
        return targets.sorted().flatMap { target -> [String] in
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: folder.appendingPathComponent(target).path, isDirectory: &isDirectory), isDirectory.boolValue else { return [] }
            let files = (try? fm.contentsOfDirectory(atPath: folder.appendingPathComponent(target).path)) ?? []
            return files.sorted().map { "\(target)/\($0)" }
        }
    }()

    @Test(arguments: inputs)
    func replays(_ input: String) throws {
        let harness = Run.binary.deletingLastPathComponent().appendingPathComponent("TerritoryFuzz")
        try #require(FileManager.default.isExecutableFile(atPath: harness.path), "no TerritoryFuzz beside \(Run.binary.path)")
        let (reason, status, output) = try runTool(harness, [Self.folder.appendingPathComponent(input).path],
                                                   environment: ["FUZZ_TARGET": String(input.prefix { $0 != "/" }), "SWIFT_BACKTRACE": "enable=no"])
        #expect(reason == .exit && status == 0, "\(input): \(output)")
        #expect(output.hasSuffix(": ok\n"), "\(input): \(output)")
    }

    @Test func everyTargetHasAFolder() {
        #expect(Set(Self.inputs.map { String($0.prefix { $0 != "/" }) }) == ["csv", "date", "geojson", "statements", "query"])
    }
}
