#!/usr/bin/env python3
"""Build data/boundaries/builtin.geojson from the hand-drawn data/boundaries/drawing.json.

drawing.json holds named nodes (lon, lat in WGS 84), border arcs (lists of node
names, each border written once and shared by the shapes on both sides) and
shapes (rings of arcs, a line of nodes, or a single node). This script only
assembles them: it chains the arcs of each ring end to end (reversing an arc
where needed), orients exterior rings counter-clockwise and holes clockwise
(RFC 7946), rounds to 6 decimals and writes the features sorted by id.

Standard library only. Run from the repository root:

    python3 tools/draw_boundaries.py            # write builtin.geojson
    python3 tools/draw_boundaries.py --check    # fail if the file is stale
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "data", "boundaries", "drawing.json")
OUT = os.path.join(ROOT, "data", "boundaries", "builtin.geojson")
KINDS = ("district", "city", "held", "road", "site", "sector")


class DrawingError(Exception):
    pass


def chain_ring(sid, arc_names, arcs):
    """Join arcs end to end into a closed list of node names."""
    ring = None
    for i, name in enumerate(arc_names):
        if name not in arcs:
            raise DrawingError("%s: unknown arc %r" % (sid, name))
        nodes = list(arcs[name]["nodes"])
        if ring is None:
            ring = nodes
            continue
        if i == 1 and ring[0] in (nodes[0], nodes[-1]) and ring[-1] not in (nodes[0], nodes[-1]):
            ring.reverse()
        if nodes[0] == ring[-1]:
            ring.extend(nodes[1:])
        elif nodes[-1] == ring[-1]:
            ring.extend(reversed(nodes[:-1]))
        else:
            raise DrawingError("%s: arc %r does not continue from node %r" % (sid, name, ring[-1]))
    if ring is None or ring[0] != ring[-1]:
        raise DrawingError("%s: ring is not closed" % sid)
    if len(ring) < 4:
        raise DrawingError("%s: ring has fewer than 3 distinct nodes" % sid)
    inner = ring[:-1]
    if len(set(inner)) != len(inner):
        raise DrawingError("%s: ring passes a node twice" % sid)
    return ring


def signed_area(coords):
    s = 0.0
    for (x1, y1), (x2, y2) in zip(coords, coords[1:]):
        s += x1 * y2 - x2 * y1
    return s / 2.0


def point(nodes, name, sid):
    if name not in nodes:
        raise DrawingError("%s: unknown node %r" % (sid, name))
    nd = nodes[name]
    return [round(float(nd["lon"]), 6), round(float(nd["lat"]), 6)]


def build_geometry(sid, shape, nodes, arcs):
    if "rings" in shape:
        rings = []
        for k, arc_names in enumerate(shape["rings"]):
            coords = [point(nodes, n, sid) for n in chain_ring(sid, arc_names, arcs)]
            ccw = signed_area(coords) > 0
            if (k == 0) != ccw:  # exterior CCW, holes CW
                coords.reverse()
            rings.append(coords)
        return {"type": "Polygon", "coordinates": rings}
    if "line" in shape:
        coords = [point(nodes, n, sid) for n in shape["line"]]
        if len(coords) < 2:
            raise DrawingError("%s: line needs two nodes" % sid)
        return {"type": "LineString", "coordinates": coords}
    if "point" in shape:
        return {"type": "Point", "coordinates": point(nodes, shape["point"], sid)}
    raise DrawingError("%s: shape has no rings, line or point" % sid)


def build(drawing):
    nodes, arcs, shapes = drawing["nodes"], drawing["arcs"], drawing["shapes"]
    features = []
    for sid in sorted(shapes):
        shape = shapes[sid]
        if shape["kind"] not in KINDS:
            raise DrawingError("%s: unknown kind %r" % (sid, shape["kind"]))
        features.append({
            "type": "Feature",
            "id": sid,
            "properties": {"name": shape["name"], "kind": shape["kind"], "note": shape["note"]},
            "geometry": build_geometry(sid, shape, nodes, arcs),
        })
    return features


def render(features):
    lines = ['{"type": "FeatureCollection", "features": [']
    for i, f in enumerate(features):
        sep = "," if i < len(features) - 1 else ""
        lines.append(json.dumps(f, ensure_ascii=False) + sep)
    lines.append("]}")
    return "\n".join(lines) + "\n"


def main(argv):
    with open(SRC, encoding="utf-8") as f:
        drawing = json.load(f)
    text = render(build(drawing))
    if "--check" in argv:
        with open(OUT, encoding="utf-8") as f:
            if f.read() != text:
                print("builtin.geojson is stale: run python3 tools/draw_boundaries.py", file=sys.stderr)
                return 1
        print("builtin.geojson is up to date")
        return 0
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote %s (%d features)" % (os.path.relpath(OUT, ROOT), len(json.loads(text)["features"])))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except DrawingError as e:
        print("drawing error: %s" % e, file=sys.stderr)
        sys.exit(2)
