// swift-tools-version:6.0
// territory: who held, administered or had sovereignty over which ground, from when,
// and on what authority — computed with GEOS and PROJ, emitted as GeoJSON.
import PackageDescription

let package = Package(
    name: "territory",
    products: [
        .executable(name: "territory", targets: ["TerritoryCLI"]),
        .library(name: "Geometry", targets: ["Geometry"]),
        .library(name: "Geodesy", targets: ["Geodesy"]),
        .library(name: "Territory", targets: ["Territory"]),
        .library(name: "TerritoryStore", targets: ["TerritoryStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // System-library shims: a module map and one header each, nothing else.
        .systemLibrary(
            name: "CGEOS",
            pkgConfig: "geos",
            providers: [.apt(["libgeos-dev"])]
        ),
        .systemLibrary(
            name: "CPROJ",
            pkgConfig: "proj",
            providers: [.apt(["libproj-dev"])]
        ),
        // The only code that touches GEOS pointers.
        .target(name: "Geometry", dependencies: ["CGEOS"]),
        // The only code that touches PROJ: geodesic measures and local metric projections.
        .target(name: "Geodesy", dependencies: ["CPROJ", "Geometry"]),
        // The domain: days and intervals, actors and facets, statements, ground expressions,
        // the catalog loaded from data/, time slices, status queries.
        .target(name: "Territory", dependencies: ["Geometry", "Geodesy"]),
        // SQLite through GRDB: the compiled store, an OGC GeoPackage.
        .target(name: "TerritoryStore", dependencies: ["Territory", "Geometry", .product(name: "GRDB", package: "GRDB.swift")]),
        // The command-line tool: thin commands that parse, call the libraries, print.
        .executableTarget(
            name: "TerritoryCLI",
            dependencies: [
                "Geometry", "Geodesy", "Territory", "TerritoryStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The fuzz harness (tools/fuzz builds it with libFuzzer in .build-fuzz; a plain build replays files).
        .executableTarget(name: "TerritoryFuzz", dependencies: ["Geometry", "Geodesy", "Territory"]),
        .testTarget(name: "GeometryTests", dependencies: ["Geometry"]),
        .testTarget(name: "GeodesyTests", dependencies: ["Geodesy", "Geometry"]),
        .testTarget(name: "TerritoryTests", dependencies: ["Territory", "Geometry", "Geodesy"]),
        .testTarget(name: "TerritoryStoreTests", dependencies: ["TerritoryStore", "Territory", "Geometry", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "TerritoryCLITests", dependencies: ["TerritoryCLI", "Geometry", "Geodesy", "Territory"], exclude: ["Corpus"]),
    ],
    swiftLanguageModes: [.v6]
)
