import Testing
@testable import Geometry

@Suite struct GeometryWrapperTests {
    @Test func wktRoundTrip() throws {
        let g = try Geometry(wkt: "POLYGON ((0 0, 4 0, 4 3, 0 3, 0 0), (1 1, 1 2, 2 2, 2 1, 1 1))")
        #expect(try g.typeName() == "Polygon")
        #expect(try g.planarArea() == 11)
        #expect(try g.wkt() == "POLYGON ((0 0, 4 0, 4 3, 0 3, 0 0), (1 1, 1 2, 2 2, 2 1, 1 1))")
        #expect(g.shape.polygons.first?.count == 2)
    }

    @Test func badWKTCarriesGEOSMessage() {
        do {
            _ = try Geometry(wkt: "POLYGON ((0 0, 1 0, 1 1")
            Issue.record("a truncated WKT was accepted")
        } catch {
            #expect(error.operation == "GEOSWKTReader_read_r")
            #expect(error.message.contains("ParseException"), "GEOS's own message should reach the error: \(error.message)")
        }
    }

    @Test func openRingIsRefusedWithGEOSMessage() {
        let open = [Position(0, 0), Position(1, 0), Position(1, 1), Position(0, 1)]
        do {
            _ = try Geometry(.polygon([open]))
            Issue.record("an open ring was accepted")
        } catch {
            #expect(error.operation == "GEOSGeom_createLinearRing_r")
            #expect(error.message.lowercased().contains("closed"), "\(error.message)")
        }
    }

    @Test func failureInsideAHoleFreesTheShell() throws {
        // The shell is built before the hole fails: it must be destroyed, not leaked or reused.
        let shell = [Position(0, 0), Position(4, 0), Position(4, 4), Position(0, 4), Position(0, 0)]
        let badHole = [Position(1, 1), Position(2, 1), Position(2, 2)]
        let context = GEOSContext()
        for _ in 0..<100 {
            #expect(throws: GEOSError.self) { try Geometry(.polygon([shell, badHole]), context: context) }
        }
        // The context still works and starts each call with an empty message buffer.
        let ok = try Geometry(.polygon([shell]), context: context)
        #expect(try ok.planarArea() == 16)
        #expect(context.messages.isEmpty)
    }

    @Test func geometryKeepsItsContextAlive() throws {
        var geometry: Geometry?
        do {
            let context = GEOSContext()
            geometry = try Geometry(wkt: "LINESTRING (0 0, 3 4)", context: context)
        }
        #expect(try geometry?.planarLength() == 5)
        let buffered = try geometry!.buffer(1)
        geometry = nil
        #expect(try buffered.planarArea() > 10)
    }

    @Test func preparedGeometryKeepsItsBaseAlive() throws {
        var square: Geometry? = try Geometry(wkt: "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))")
        let prepared = try PreparedGeometry(square!)
        square = nil
        #expect(try prepared.covers(Position(5, 5)))
        #expect(try prepared.covers(Position(10, 5)))  // on the boundary
        #expect(try !prepared.covers(Position(11, 5)))
        #expect(try prepared.contains(Geometry(wkt: "POINT (1 1)")))
        #expect(try !prepared.containsProperly(Geometry(wkt: "POINT (0 5)")))
    }

    @Test func validityReasonsAndMakeValid() throws {
        let bowtie = try Geometry(wkt: "POLYGON ((0 0, 2 2, 2 0, 0 2, 0 0))")
        let validity = try bowtie.validity()
        #expect(!validity.isValid)
        #expect(validity.reason.hasPrefix("Self-intersection"), "\(validity.reason)")
        #expect(validity.reason.contains("1 1"), "the reason names where: \(validity.reason)")
        let fixed = try bowtie.makeValid()
        #expect(try fixed.isValid())
        #expect(try fixed.planarArea() == 2)
        #expect(try Geometry(wkt: "POINT (1 1)").validity() == Validity(isValid: true, reason: "Valid Geometry", location: nil))
        let spike = try Geometry(wkt: "POLYGON ((0 0, 4 0, 4 4, 0 4, 0 0), (1 1, 5 1, 5 2, 1 2, 1 1))")
        #expect(try spike.validity().reason.hasPrefix("Hole lies outside shell") || spike.validity().reason.hasPrefix("Self-intersection"))
    }

    @Test func overlayOperations() throws {
        let a = try Geometry(wkt: "POLYGON ((0 0, 2 0, 2 2, 0 2, 0 0))")
        let b = try Geometry(wkt: "POLYGON ((1 1, 3 1, 3 3, 1 3, 1 1))")
        #expect(try a.union(b).planarArea() == 7)
        #expect(try a.intersection(b).planarArea() == 1)
        #expect(try a.difference(b).planarArea() == 3)
        #expect(try a.symmetricDifference(b).planarArea() == 6)
        #expect(try Geometry.union([a, b]).planarArea() == 7)
        let far = try Geometry(wkt: "POLYGON ((10 10, 11 10, 11 11, 10 11, 10 10))")
        #expect(try a.intersection(far).isEmpty())
    }

    @Test func predicates() throws {
        let square = try Geometry(wkt: "POLYGON ((0 0, 2 0, 2 2, 0 2, 0 0))")
        let inner = try Geometry(wkt: "POINT (1 1)")
        let edge = try Geometry(wkt: "POINT (2 1)")
        let crossing = try Geometry(wkt: "LINESTRING (-1 1, 3 1)")
        let neighbour = try Geometry(wkt: "POLYGON ((2 0, 4 0, 4 2, 2 2, 2 0))")
        let overlapping = try Geometry(wkt: "POLYGON ((1 0, 3 0, 3 2, 1 2, 1 0))")
        #expect(try square.contains(inner) && inner.within(square))
        #expect(try !square.contains(edge) && square.covers(edge) && edge.coveredBy(square))
        #expect(try square.intersects(crossing) && crossing.crosses(square))
        #expect(try square.touches(neighbour) && !square.overlaps(neighbour))
        #expect(try square.overlaps(overlapping) && !square.disjoint(overlapping))
        let same = try Geometry(wkt: "POLYGON ((2 2, 0 2, 0 0, 2 0, 2 2))")
        #expect(try square.topologicallyEquals(same))
        #expect(try square.normalized().wkt() == same.normalized().wkt())
    }

    @Test func wkbRoundTripAndBounds() throws {
        let g = try Geometry(.multiPolygon([
            [[Position(0, 0), Position(1, 0), Position(1, 1), Position(0, 0)]],
            [[Position(5, 5), Position(6, 5), Position(6, 7), Position(5, 5)]],
        ]))
        let bytes = try g.wkb()
        #expect(bytes.first == 1)  // little-endian
        let back = try Geometry(wkb: bytes)
        #expect(back.shape == g.shape)
        let box = try back.bounds()
        #expect(box?.min == Position(0, 0) && box?.max == Position(6, 7))
        #expect(throws: GEOSError.self) { try Geometry(wkb: [1, 2, 3]) }
    }

    @Test func bufferAndDensify() throws {
        let line = try Geometry(wkt: "LINESTRING (0 0, 10 0)")
        let round = try line.buffer(1, quadrantSegments: 64)
        let flat = try line.buffer(1, quadrantSegments: 64, endCap: .flat)
        #expect(abs(try flat.planarArea() - 20) < 1e-9)
        #expect(abs(try round.planarArea() - (20 + Double.pi)) < 0.01)
        let dense = try line.densified(maxSegmentLength: 1)
        #expect(dense.shape.positions.count == 11)
        #expect(throws: GEOSError.self) { try line.densified(maxSegmentLength: 0) }
    }

    @Test func emptyAndCollectionShapesRoundTrip() throws {
        let shapes: [Shape] = [
            .point(Position(1, 2)),
            .lineString([Position(0, 0), Position(1, 1)]),
            .multiPoint([Position(0, 0), Position(1, 1)]),
            .multiLineString([[Position(0, 0), Position(1, 1)], [Position(2, 2), Position(3, 3)]]),
            .collection([.point(Position(1, 2)), .lineString([Position(0, 0), Position(1, 1)])]),
            .lineString([]),
            .polygon([]),
        ]
        for shape in shapes {
            #expect(try Geometry(shape).shape == shape)
        }
    }
}
