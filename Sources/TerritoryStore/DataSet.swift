import Crypto
import Foundation
import Synchronization
import JSONText
import Territory

/// Which data, which boundary pack and which store: the choice every command and the server make
/// the same way, and what follows from it — the fingerprint of data/ and the pack, whether the
/// store is stale, building it and opening it.
///
/// The defaults, in order: the data folder is `--data`, else `$TERRITORY_DATA`, else a
/// `data/catalog.json` above the running executable, else the one beside these sources. The pack
/// is `--boundaries`, else `$TERRITORY_BOUNDARIES`, else the one `import --default` chose, else
/// none (`builtin`). The store is `--store`, else `$TERRITORY_STORE`, else one per data folder and
/// pack under `$XDG_CACHE_HOME/territory` (`~/.cache/territory`).
public struct DataSet: Sendable {
    /// What a caller chose; nil means the default.
    public struct Choice: Sendable {
        public var data: String?
        public var boundaries: String?
        public var store: String?
        /// The environment the defaults are read from (the process's by default).
        public var environment: [String: String]

        public init(data: String? = nil, boundaries: String? = nil, store: String? = nil,
                    environment: [String: String] = ProcessInfo.processInfo.environment) {
            self.data = data
            self.boundaries = boundaries
            self.store = store
            self.environment = environment
        }
    }

    /// The data folder (it holds catalog.json).
    public let folder: URL
    /// The imported boundary pack in use, if any.
    public let pack: PackFile?
    /// Where the store is.
    public let storePath: URL
    /// True when the caller named the store with `--store` (it is then never put in a folder made
    /// for it); `$TERRITORY_STORE` and the default place get their folder made.
    public let storeNamed: Bool

    /// With an imported pack, overlaps and gaps up to this many km² each are warnings: surveyed
    /// district lines meet the hand-drawn ones (the contact lines, the corridor) imperfectly.
    /// Larger ones, and every problem without a pack, are errors.
    public static let packWarningKm2 = 1.0

    /// Resolves a choice: finds the folder, the pack and the store's place.
    public init(_ choice: Choice = Choice()) throws(TerritoryError) {
        let env = choice.environment
        try self.init(folder: DataSet.folder(choice), pack: DataSet.pack(choice.boundaries, environment: env), store: choice.store, environment: env)
    }

    /// The data folder a choice names, without looking at packs or stores: `--data`, else
    /// `$TERRITORY_DATA`, else the built-in one.
    public static func folder(_ choice: Choice) throws(TerritoryError) -> URL {
        if let data = choice.data { return URL(fileURLWithPath: data) }
        if let named = choice.environment["TERRITORY_DATA"], !named.isEmpty { return URL(fileURLWithPath: named) }
        if let found = DataSet.builtInFolder() { return found }
        throw .missingInput("cannot find the built-in data folder: name one with --data DIR or TERRITORY_DATA")
    }

    /// A data set of this folder and pack (a pack being tried by `import` before it is saved).
    public init(folder: URL, pack: PackFile?, store: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(TerritoryError) {
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent(Catalog.manifest).path) else {
            throw .missingInput("\(folder.path): no \(Catalog.manifest) here: not a territory data folder")
        }
        self.folder = folder
        self.pack = pack
        if let store {
            storePath = URL(fileURLWithPath: store)
            storeNamed = true
        } else if let named = environment["TERRITORY_STORE"], !named.isEmpty {
            storePath = URL(fileURLWithPath: named)
            storeNamed = false
        } else {
            let cache: URL
            if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
                cache = URL(fileURLWithPath: xdg)
            } else if let home = environment["HOME"], !home.isEmpty {
                cache = URL(fileURLWithPath: home).appendingPathComponent(".cache")
            } else {
                cache = FileManager.default.temporaryDirectory
            }
            // One store per data folder and pack: a name from the SHA-256 of both.
            let key = folder.standardizedFileURL.path + (pack.map { "\u{0}" + $0.name } ?? "")
            let digest = DataSet.hex(SHA256.hash(data: Data(key.utf8)))
            storePath = cache.appendingPathComponent("territory/store-\(digest.prefix(16)).gpkg")
            storeNamed = false
        }
    }

    /// The built-in data folder: a `data/catalog.json` above the running executable (a build
    /// inside the checkout), else the one beside these sources.
    public static func builtInFolder() -> URL? {
        let fm = FileManager.default
        var folder = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = folder.appendingPathComponent("data")
            if fm.fileExists(atPath: candidate.appendingPathComponent(Catalog.manifest).path) { return candidate }
            folder.deleteLastPathComponent()
        }
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidate = sources.appendingPathComponent("data")
        if fm.fileExists(atPath: candidate.appendingPathComponent(Catalog.manifest).path) { return candidate }
        return nil
    }

    /// Where imported boundary packs live: `$TERRITORY_PACKS`, else `$XDG_DATA_HOME/territory/packs`
    /// (`~/.local/share/territory/packs`). Never inside data/: others' boundaries keep their own licence.
    public static func packFolder(environment env: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let path = env["TERRITORY_PACKS"], !path.isEmpty { return URL(fileURLWithPath: path) }
        if let xdg = env["XDG_DATA_HOME"], !xdg.isEmpty { return URL(fileURLWithPath: xdg).appendingPathComponent("territory/packs") }
        let home = env["HOME"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory
        return home.appendingPathComponent(".local/share/territory/packs")
    }

    /// The pack a name chooses (`builtin` or nothing chosen: none).
    public static func pack(_ chosen: String?, environment env: [String: String]) throws(TerritoryError) -> PackFile? {
        let packs = packFolder(environment: env)
        var name = chosen ?? env["TERRITORY_BOUNDARIES"]
        if name == nil || name == "" {
            name = (try? String(contentsOf: packs.appendingPathComponent("default"), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let name, !name.isEmpty, name != "builtin" else { return nil }
        let file = packs.appendingPathComponent("\(name).geojson")
        guard FileManager.default.fileExists(atPath: file.path) else {
            let known = ((try? FileManager.default.contentsOfDirectory(atPath: packs.path)) ?? []).filter { $0.hasSuffix(".geojson") && !$0.hasPrefix(".") }.map { String($0.dropLast(8)) }.sorted()
            throw .missingInput("--boundaries: no pack '\(name)' in \(packs.path) (packs: \((["builtin"] + known).joined(separator: ", "))); make one with 'territory import'")
        }
        return PackFile(name: name, url: file)
    }

    // MARK: Loading and checking

    /// Loads, resolves and validates the data. With a pack, partition problems up to
    /// `packWarningKm2` are handed to `warn`; any other problem refuses the data with every message.
    public func atlas(warn: (String) -> Void = { _ in }) throws(TerritoryError) -> Atlas {
        do {
            let atlas = try Atlas(Catalog.load(from: folder, pack: pack))
            var problems = try atlas.validate()
            if let pack {
                let warnings = problems.filter { ($0.areaKm2 ?? .infinity) <= Self.packWarningKm2 }
                problems.removeAll { ($0.areaKm2 ?? .infinity) <= Self.packWarningKm2 }
                for w in warnings { warn("warning (boundary pack \(pack.name)): \(line(w))") }
                // A shape taken with --accept-moved: its places outside it are warned of, not refused.
                let imported = Set(atlas.catalog.pack?.replaced ?? [])
                for w in atlas.anchors() where imported.contains(w.shape) {
                    warn("warning (boundary pack \(pack.name)): the pack's shape is off: \(line(w.problem))")
                }
            }
            if !problems.isEmpty { throw Problems(problems: problems) }
            return atlas
        } catch let problems as Problems {
            throw .badData(report(problems.problems))
        } catch {
            throw .internalFailure("\(folder.path): \(error)")
        }
    }

    /// Loads the catalog alone (no geometry resolved).
    public func catalog() throws(TerritoryError) -> Catalog {
        do { return try Catalog.load(from: folder, pack: pack) } catch { throw .badData(report(error.problems)) }
    }

    /// A problem as one line, with the data folder's path before its file.
    public func line(_ problem: Problem) -> String {
        let file = problem.file.hasPrefix("/") ? problem.file : folder.appendingPathComponent(problem.file).path
        return "\(file)\(problem.subject.map { ": \($0)" } ?? ""): \(problem.message)"
    }

    /// Every problem on a line of its own, with the data folder's path before each file.
    public func report(_ problems: [Problem]) -> String {
        "\(problems.count) problem\(problems.count == 1 ? "" : "s") in the data:\n" + problems.map(line).joined(separator: "\n")
    }

    // MARK: The fingerprint and the store

    /// SHA-256 (swift-crypto) over the store format, every file of the data folder (path and
    /// bytes, hidden files aside), a boundary file catalog.json names outside the folder, and the
    /// pack in use: any edit to them makes the store stale.
    public func fingerprint() throws(TerritoryError) -> String {
        let fm = FileManager.default
        guard let walker = fm.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) else {
            throw .missingInput("\(folder.path): cannot be read")
        }
        var files: [(String, URL)] = []
        let base = folder.standardizedFileURL.path
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let full = url.standardizedFileURL.path
            files.append((full.hasPrefix(base) ? String(full.dropFirst(base.count)) : full, url))
        }
        var also: [URL] = []
        if let bytes = fm.contents(atPath: folder.appendingPathComponent(Catalog.manifest).path),
           case .object(let root)? = try? JSONReader.parse(Array(bytes)), case .string(let boundaries)? = root["boundaries"],
           boundaries.hasPrefix("/") || boundaries.hasPrefix("..") {
            also.append(boundaries.hasPrefix("/") ? URL(fileURLWithPath: boundaries) : folder.appendingPathComponent(boundaries))
        }
        if let pack { also.append(pack.url) }
        var sha = SHA256()
        sha.update(data: Data("territory store format \(Store.formatVersion)\n".utf8))
        for (relative, url) in files.sorted(by: { $0.0 < $1.0 }) {
            guard let data = fm.contents(atPath: url.path) else { throw .missingInput("\(url.path): cannot be read") }
            sha.update(data: Data("\(relative)\n\(data.count)\n".utf8))
            sha.update(data: data)
        }
        for url in also {
            // A missing file counts as such: loading the data reports it.
            let data = fm.contents(atPath: url.path)
            sha.update(data: Data("\(url.standardizedFileURL.path)\n\(data?.count ?? -1)\n".utf8))
            if let data { sha.update(data: data) }
        }
        return DataSet.hex(sha.finalize())
    }

    /// A digest as lowercase hexadecimal digits.
    static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in digest { out += [digits[Int(byte >> 4)], digits[Int(byte & 15)]] }
        return String(decoding: out, as: UTF8.self)
    }

    /// Why the store must be built, or nil when it is current: missing, unreadable, of another
    /// format, or built from other data (its data hash differs from `fingerprint`).
    public func staleness(fingerprint given: String? = nil) throws(TerritoryError) -> String? {
        let hash: String
        if let given { hash = given } else { hash = try fingerprint() }
        guard FileManager.default.fileExists(atPath: storePath.path) else { return "it does not exist yet" }
        switch Store.meta(at: storePath) {
        case .failure(let error): return "it cannot be read (\(error))"
        case .success(let meta):
            if meta["format_version"] != Store.formatVersion { return "it is of format \(meta["format_version"] ?? "unknown"), not \(Store.formatVersion)" }
            return meta["data_hash"] == hash ? nil : "data/ changed since it was built"
        }
    }

    /// Compiles the data into the store now, atomically, and opens it. The fingerprint recorded
    /// is the one taken before the data was read, so that an edit made during the build leaves
    /// the store stale.
    public func build(fingerprint given: String? = nil, warn: (String) -> Void = { _ in }) throws(TerritoryError) -> Store {
        let hash: String
        if let given { hash = given } else { hash = try fingerprint() }
        if storeNamed {
            var isDirectory: ObjCBool = false
            let parent = storePath.deletingLastPathComponent()
            guard FileManager.default.fileExists(atPath: parent.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw .io("\(storePath.path): the folder \(parent.path) does not exist")
            }
        }
        let atlas = try atlas(warn: warn)
        try Store.build(atlas, dataHash: hash, to: storePath)
        return try Store(path: storePath)
    }

    /// The store, built first when it is missing or stale, with a note (`note`) saying why. Within
    /// one process, builds of the data are one at a time: a second caller waits for the first and
    /// opens what it built.
    public func open(use: Engine.Use = .many, note: (String) -> Void = { _ in }, warn: (String) -> Void = { _ in }) throws(TerritoryError) -> Store {
        let hash = try fingerprint()
        if FileManager.default.fileExists(atPath: storePath.path), let store = try? Store(path: storePath, use: use), store.meta["data_hash"] == hash {
            return store
        }
        return try DataSet.building.withLock { _ throws(TerritoryError) -> Store in
            guard let reason = try staleness(fingerprint: hash) else { return try Store(path: storePath, use: use) }
            try refuseForeignFile()
            note("building the store \(storePath.path) (\(reason))")
            return try build(fingerprint: hash, warn: warn)
        }
    }

    /// One build at a time in this process.
    private static let building = Mutex<Void>(())

    /// Only a territory store is ever replaced: any other file at the store's path is left alone.
    private func refuseForeignFile() throws(TerritoryError) {
        if FileManager.default.fileExists(atPath: storePath.path), !Store.looksLikeStore(storePath) {
            throw .io("\(storePath.path): exists and is not a territory store: not replacing it (choose another --store)")
        }
    }
}
