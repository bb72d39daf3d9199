import JSONText

/// The OpenAPI 3.0 document served at `/api`: every path and parameter the service answers.
enum OpenAPI {
    static func document(base: String, collections: [String]) -> JSONValue {
        func o(_ members: [(String, JSONValue)]) -> JSONValue { .object(JSONObject(members.map { (key: $0.0, value: $0.1) })) }
        func s(_ text: String) -> JSONValue { .string(text) }
        func ref(_ name: String) -> JSONValue { o([("$ref", s("#/components/parameters/\(name)"))]) }
        func schemaRef(_ name: String) -> JSONValue { o([("$ref", s("#/components/schemas/\(name)"))]) }
        func response(_ description: String, _ types: [String], schema: JSONValue? = nil) -> JSONValue {
            o([("description", s(description)),
               ("content", o(types.map { ($0, o([("schema", schema ?? o([("type", s("object"))]))])) }))])
        }
        let errors: [(String, JSONValue)] = [
            ("400", response("A parameter is missing, unknown or wrong", ["application/json"], schema: schemaRef("Error"))),
            ("404", response("No such resource", ["application/json"], schema: schemaRef("Error"))),
            ("406", response("Only JSON is served", ["application/json"], schema: schemaRef("Error"))),
        ]
        func get(_ summary: String, _ operationId: String, _ parameters: [JSONValue], _ ok: JSONValue) -> JSONValue {
            o([("get", o([("summary", s(summary)), ("operationId", s(operationId)), ("parameters", .array(parameters)),
                          ("responses", o([("200", ok)] + errors))]))])
        }
        func parameter(_ name: String, _ place: String, _ description: String, _ schema: JSONValue, required: Bool = false, explode: Bool? = nil) -> JSONValue {
            o([("name", s(name)), ("in", s(place)), ("description", s(description)), ("required", .bool(required)), ("schema", schema)]
              + (explode.map { [("style", s("form")), ("explode", .bool($0))] } ?? []))
        }
        let string = o([("type", s("string"))])
        let number = o([("type", s("number"))])
        let format = ref("f"), datetimeIgnored = ref("datetimeIgnored")
        let date = o([("type", s("string")), ("format", s("date"))])
        let asOf = parameter("as_of", "query", "Answer as the record stood on this day (YYYY-MM-DD): only statements announced by then; default today's record", date)
        let view = parameter("view", "query", "An actor's point of view (e.g. NK): the record plus the claims it makes or accepts, less what it disputes; default the record without claims", string)
        let facet = parameter("facet", "query", "control, sovereignty, administration, presence, access, or all (the default)", string)
        let paths: [(String, JSONValue)] = [
            ("/", get("The landing page", "getLandingPage", [format, datetimeIgnored], response("Links to the API, conformance and collections", ["application/json"]))),
            ("/conformance", get("The conformance classes", "getConformance", [format, datetimeIgnored], response("The classes conformed to", ["application/json"]))),
            ("/api", get("This document", "getAPI", [format, datetimeIgnored], response("The OpenAPI 3.0 document", ["application/vnd.oai.openapi+json;version=3.0"]))),
            ("/collections", get("The collections: statements, and one per facet", "getCollections", [format, datetimeIgnored],
                                 response("The collections with their extents", ["application/json"]))),
            ("/collections/{collectionId}", get("One collection", "describeCollection", [ref("collectionId"), format, datetimeIgnored],
                                                response("The collection with its extents", ["application/json"]))),
            ("/collections/{collectionId}/items", get("The features of a collection", "getFeatures",
                                                      [ref("collectionId"), ref("bbox"), ref("datetime"), ref("limit"), ref("offset"), ref("holder"), ref("statement"), asOf, view, format],
                                                      response("A page of features", ["application/geo+json"]))),
            ("/collections/{collectionId}/items/{featureId}", get("One feature", "getFeature", [ref("collectionId"), ref("featureId"), format, datetimeIgnored],
                                                                  response("The feature", ["application/geo+json"]))),
            ("/status", o([
                ("get", o([("summary", s("The status of a place on a day, as territory status --format json answers")), ("operationId", s("getStatus")),
                           ("parameters", .array([parameter("lon", "query", "Longitude, decimal degrees (or place)", number),
                                                  parameter("lat", "query", "Latitude, decimal degrees (or place)", number),
                                                  parameter("place", "query", "A place by name instead of lon and lat, in any spelling (Shusha, Shushi, Şuşa)", string),
                                                  parameter("date", "query", "The day, YYYY-MM-DD", o([("type", s("string")), ("format", s("date"))]), required: true),
                                                  asOf, view, format])),
                           ("responses", o([("200", response("The status on every facet, with the statements and sources behind it", ["application/json"]))] + errors))])),
                ("post", o([("summary", s("Many dated points at once, as territory status --csv classifies them")), ("operationId", s("classifyPoints")),
                            ("requestBody", o([("required", .bool(true)), ("description", s("CSV with the header id,lon,lat,date")),
                                               ("content", o([("text/csv", o([("schema", string)]))]))])),
                            ("responses", o([("200", response("CSV: id,control,sovereignty,administration,presence,access,zones, in input order", ["text/csv"], schema: string)),
                                             ("400", response("The body is not a CSV of dated points", ["application/json"], schema: schemaRef("Error"))),
                                             ("413", response("The body is larger than the server takes", ["application/json"], schema: schemaRef("Error")))]))])),
            ])),
            ("/timeline", get("Every change of holder, or those at a place", "getTimeline",
                              [parameter("lon", "query", "Longitude (with lat): only the changes at that place", number),
                               parameter("lat", "query", "Latitude (with lon)", number),
                               parameter("place", "query", "A place by name instead of lon and lat: only the changes there", string),
                               parameter("from", "query", "Only changes on or after this day", date), parameter("to", "query", "Only changes on or before this day", date),
                               facet, asOf, view, format],
                              response("The changes in order, as territory timeline --format json prints them", ["application/json"]))),
            ("/diff", get("The ground whose holder changed between two days", "getDiff",
                          [parameter("from", "query", "The earlier day", date, required: true), parameter("to", "query", "The later day", date, required: true),
                           facet, asOf, view, format],
                          response("The changes per facet and (from holder, to holder), as territory diff --format json prints them", ["application/json"]))),
            ("/days", get("Every day on which a time slice begins, with what changes then", "getDays", [format, datetimeIgnored],
                          response("The days, for a time slider's marks", ["application/json"]))),
        ]
        let parameters: [(String, JSONValue)] = [
            ("collectionId", parameter("collectionId", "path", "A collection: \(collections.joined(separator: ", "))",
                                       o([("type", s("string")), ("enum", .array(collections.map { s($0) }))]), required: true)),
            ("featureId", parameter("featureId", "path", "A statement's id, or HOLDER.VALID_FROM for a time slice", string, required: true)),
            ("bbox", parameter("bbox", "query", "Only features meeting this box: west,south,east,north in degrees (CRS84)",
                               o([("type", s("array")), ("minItems", .number(4)), ("maxItems", .number(4)), ("items", number)]), explode: false)),
            ("datetime", parameter("datetime", "query", "An instant (RFC 3339, or a date) or an interval A/B, either end '..' for open; an instant means the UTC day holding it; a feature matches when its [valid_from, valid_to) meets those days", string, explode: false)),
            ("datetimeIgnored", parameter("datetime", "query", "Taken and ignored here (GDAL copies the query of the URL it is given onto every request)", string, explode: false)),
            ("limit", parameter("limit", "query", "Features per page (larger values are taken as 10000)",
                                o([("type", s("integer")), ("minimum", .number(1)), ("maximum", .number(10_000)), ("default", .number(100))]), explode: false)),
            ("offset", parameter("offset", "query", "Features to skip", o([("type", s("integer")), ("minimum", .number(0)), ("default", .number(0))]), explode: false)),
            ("holder", parameter("holder", "query", "Only this holder's features (an actor's code, e.g. AZ)", string, explode: false)),
            ("statement", parameter("statement", "query", "Only the features made by this statement (its id)", string, explode: false)),
            ("f", parameter("f", "query", "The format: json (the only one served)", o([("type", s("string")), ("enum", .array([s("json")]))]), explode: false)),
        ]
        return o([
            ("openapi", s("3.0.3")),
            ("info", o([("title", s("territory")), ("version", s("1.0.0")),
                        ("description", s("Territorial status: who held, administered or had sovereignty over which ground, from when, on what authority. OGC API - Features - Part 1: Core 1.0.1 (core, geojson, oas30), and status, timeline and days.")),
                        ("license", o([("name", s("data: see the sources of each statement"))]))])),
            ("servers", .array([o([("url", s(base))])])),
            ("paths", o(paths)),
            ("components", o([
                ("parameters", o(parameters)),
                ("schemas", o([("Error", o([("type", s("object")), ("required", .array([s("code"), s("description")])),
                                            ("properties", o([("code", string), ("description", string)]))]))])),
            ])),
        ])
    }
}
