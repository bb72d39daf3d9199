// swift-tools-version:6.2
// territory: who held, administered or had sovereignty over which ground, from when,
// and on what authority — computed with GEOS and PROJ, emitted as GeoJSON.
import PackageDescription

let package = Package(
    name: "territory",
    products: [
        .executable(name: "territory", targets: ["TerritoryCLI"]),
        .library(name: "JSONText", targets: ["JSONText"]),
        .library(name: "Geometry", targets: ["Geometry"]),
        .library(name: "Geodesy", targets: ["Geodesy"]),
        .library(name: "Territory", targets: ["Territory"]),
        .library(name: "TerritoryStore", targets: ["TerritoryStore"]),
        .library(name: "TerritoryService", targets: ["TerritoryService"]),
        .library(name: "TerritoryServer", targets: ["TerritoryServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // System-library shims: a module map and one header each, nothing else.
        .systemLibrary(
            name: "CGEOS",
            pkgConfig: "geos",
            providers: [.apt(["libgeos-dev"])]
        ),
        // PROJ's headers, and its functions loaded on first use (dlopen; see proj_loader.c).
        .target(name: "CPROJ", linkerSettings: [.linkedLibrary("dl"), .linkedLibrary("pthread")]),
        // The strict JSON reader and writer: member order kept, UTF-8 only, bounded depth,
        // line and column in errors.
        .target(name: "JSONText"),
        // The only code that touches GEOS pointers.
        .target(name: "Geometry", dependencies: ["CGEOS", "JSONText"]),
        // The only code that touches PROJ: geodesic measures and local metric projections.
        .target(name: "Geodesy", dependencies: ["CPROJ", "Geometry"]),
        // The domain: days and intervals on two time axes, actors and facets, statements, ground
        // expressions, the catalog loaded from data/ in parts, slices, the one status rule, the engine.
        .target(name: "Territory", dependencies: [
            "JSONText", "Geometry", "Geodesy",
            .product(name: "CSV", package: "CSV.swift"),
        ]),
        // SQLite through GRDB: the compiled store (an OGC GeoPackage), the data set (which data,
        // which pack, which store, fingerprint, staleness), atomic files.
        .target(name: "TerritoryStore", dependencies: [
            "JSONText", "Territory", "Geometry",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // librsvg and cairo for PNG, loaded on first use (dlopen; see raster.c).
        .target(name: "CRaster", linkerSettings: [.linkedLibrary("dl"), .linkedLibrary("pthread")]),
        // Pictures of the map for articles: SVG written by us (projected with PROJ), PNG through librsvg.
        .target(name: "TerritoryMap", dependencies: ["CRaster", "Geodesy", "Geometry", "Territory", "TerritoryStore"]),
        // The service, independent of HTTP: OGC API - Features over the store's slices and
        // statements, the status, timeline and day answers, the query parameters, the OpenAPI document.
        .target(name: "TerritoryService", dependencies: ["JSONText", "Territory", "TerritoryStore", "Geometry"]),
        // The service over HTTP/1.1 on Hummingbird: access log, POST bodies, limits, shutdown.
        .target(name: "TerritoryServer", dependencies: [
            "TerritoryService", "Territory", "TerritoryStore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The command-line tool: thin commands that parse, call the libraries, print.
        .executableTarget(
            name: "TerritoryCLI",
            dependencies: [
                "JSONText", "Geometry", "Geodesy", "Territory", "TerritoryStore", "TerritoryService", "TerritoryServer", "TerritoryMap",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The fuzz harness (tools/fuzz builds it with libFuzzer in .build-fuzz; a plain build replays files).
        .executableTarget(name: "TerritoryFuzz", dependencies: ["JSONText", "Geometry", "Geodesy", "Territory", "TerritoryService"]),
        // Fixtures shared by every test target: one day(), one package root, one tool runner, temporary homes.
        .target(name: "TestSupport", dependencies: ["Territory"], path: "Tests/TestSupport"),
        .testTarget(name: "JSONTextTests", dependencies: ["JSONText", "TestSupport"]),
        .testTarget(name: "GeometryTests", dependencies: ["Geometry", "JSONText", "TestSupport"]),
        .testTarget(name: "GeodesyTests", dependencies: ["Geodesy", "Geometry", "TestSupport"]),
        .testTarget(name: "TerritoryTests", dependencies: ["Territory", "Geometry", "Geodesy", "JSONText", "TestSupport"], exclude: ["Golden"]),
        .testTarget(name: "TerritoryStoreTests", dependencies: [
            "TerritoryStore", "Territory", "Geometry", "JSONText", "TestSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "TerritoryMapTests", dependencies: ["TerritoryMap", "TerritoryStore", "Territory", "Geodesy", "Geometry", "TestSupport"], exclude: ["Browser"]),
        .testTarget(name: "TerritoryServiceTests", dependencies: ["TerritoryService", "TerritoryStore", "Territory", "JSONText", "TestSupport"], exclude: ["Corpus"]),
        .testTarget(name: "TerritoryCLITests", dependencies: ["TerritoryCLI", "Geometry", "Geodesy", "Territory", "TerritoryStore", "JSONText", "TestSupport"], exclude: ["Corpus"]),
    ],
    swiftLanguageModes: [.v6]
)
