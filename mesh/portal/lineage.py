"""The lineage graph as inline SVG, laid out in Python (no JS library, no network).

Layout: domains are boxes; a domain sits in the column of its generation in the domain graph
(upstream domains left, their consumers right), domains of one generation stack vertically.
Inside a box, a model's sub-column is its depth among the box's own edges. Edges are cubic
curves from the right of the upstream node to the left of the downstream one; edges between
domains are drawn in a stronger colour and carry `data-source-domain` / `data-target-domain`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import networkx as nx
from markupsafe import Markup, escape

from mesh.portal.collect import LineageEdge, LineageNode

NODE_W, NODE_H = 208, 34
COL_GAP, ROW_GAP = 64, 20
PAD, HEADER = 16, 34
BOX_GAP_Y, GEN_GAP_X = 28, 96
MARGIN = 12
MAX_LABEL = 28  # characters that fit in a node at the page's font size

#: fill / stroke per domain, in the order domains are laid out
PALETTE = (
    ("#eef2ff", "#4f46e5"),
    ("#ecfdf5", "#059669"),
    ("#fff7ed", "#ea580c"),
    ("#fdf2f8", "#db2777"),
    ("#f0f9ff", "#0284c7"),
    ("#f7fee7", "#65a30d"),
)


@dataclass(frozen=True, slots=True)
class Box:
    domain: str
    x: float
    y: float
    width: float
    height: float
    colour: tuple[str, str]


def domain_order(nodes: Sequence[LineageNode], edges: Sequence[LineageEdge]) -> list[list[str]]:
    """Domains by generation: upstream domains first, each generation sorted by name."""
    of = {n.key: n.domain for n in nodes}
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(sorted({n.domain for n in nodes}))
    graph.add_edges_from((of[e.source], of[e.target]) for e in edges if e.cross_domain)
    try:
        return [sorted(g) for g in nx.topological_generations(graph)]
    except nx.NetworkXUnfeasible:  # a cycle between domains: dbt-loom forbids it; draw flat
        return [sorted(graph.nodes)]


@dataclass(frozen=True, slots=True)
class Layout:
    positions: dict[str, tuple[float, float]]  # node key -> top-left corner
    column: dict[str, int]  # node key -> sub-column inside its domain's box
    boxes: dict[str, Box]
    width: float
    height: float


def layout(nodes: Sequence[LineageNode], edges: Sequence[LineageEdge]) -> Layout:
    """Where every node and domain box goes, and the drawing's size."""
    by_domain: dict[str, list[LineageNode]] = {}
    for node in nodes:
        by_domain.setdefault(node.domain, []).append(node)
    inner: nx.DiGraph[str] = nx.DiGraph()
    inner.add_nodes_from(n.key for n in nodes)
    inner.add_edges_from((e.source, e.target) for e in edges if not e.cross_domain)
    depth: dict[str, int] = {}
    try:
        for key in nx.topological_sort(inner):
            depth[key] = max((depth[p] + 1 for p in inner.predecessors(key)), default=0)
    except nx.NetworkXUnfeasible:
        depth = dict.fromkeys(inner.nodes, 0)

    positions: dict[str, tuple[float, float]] = {}
    boxes: dict[str, Box] = {}
    x = float(MARGIN)
    height = 0.0
    colour_index = 0
    for generation in domain_order(nodes, edges):
        y = MARGIN
        widest = 0.0
        for domain in generation:
            members = by_domain[domain]
            columns: dict[int, list[LineageNode]] = {}
            for node in members:
                columns.setdefault(depth[node.key], []).append(node)
            count = max(columns) + 1
            rows = max(len(c) for c in columns.values())
            width = 2 * PAD + count * NODE_W + (count - 1) * COL_GAP
            box_h = HEADER + PAD + rows * NODE_H + (rows - 1) * ROW_GAP
            for col, col_nodes in columns.items():
                for row, node in enumerate(sorted(col_nodes, key=lambda n: n.label)):
                    positions[node.key] = (
                        x + PAD + col * (NODE_W + COL_GAP),
                        y + HEADER + row * (NODE_H + ROW_GAP),
                    )
            boxes[domain] = Box(domain, x, y, width, box_h, PALETTE[colour_index % len(PALETTE)])
            colour_index += 1
            widest = max(widest, width)
            y += box_h + BOX_GAP_Y
        height = max(height, y - BOX_GAP_Y + MARGIN)
        x += widest + GEN_GAP_X
    column = {key: depth[key] for key in positions}
    return Layout(positions, column, boxes, x - GEN_GAP_X + MARGIN, height)


def edge_path(edge: LineageEdge, plan: Layout, domain_of: Mapping[str, str]) -> str:
    """SVG path data: a curve when nothing is in the way, else right angles through the gaps.

    Something is in the way when the edge enters a domain box past its first sub-column, skips a
    sub-column, or leaves its box before the box's last sub-column: the detour runs in the gap
    between rows (above the target's row, below the source's) and the gaps between columns.
    """
    (x1, y1), (x2, y2) = plan.positions[edge.source], plan.positions[edge.target]
    sx, sy, tx, ty = x1 + NODE_W, y1 + NODE_H / 2, x2 - 2, y2 + NODE_H / 2
    col_s, col_t = plan.column[edge.source], plan.column[edge.target]
    source_box = plan.boxes[domain_of[edge.source]]
    last_col = round((source_box.width - 2 * PAD + COL_GAP) / (NODE_W + COL_GAP)) - 1
    if edge.cross_domain:
        blocked_exit = col_s < last_col
        blocked_entry = col_t > 0
    else:
        blocked_exit, blocked_entry = False, col_t - col_s > 1
    if not (blocked_exit or blocked_entry):
        bend = max(40.0, (tx - sx) / 2)
        return (
            f"M{sx:.1f},{sy:.1f} C{sx + bend:.1f},{sy:.1f} {tx - bend:.1f},{ty:.1f} "
            f"{tx:.1f},{ty:.1f}"
        )
    points = [(sx, sy)]
    y = sy
    if blocked_exit:
        lane_x = sx + COL_GAP / 2
        y = y1 + NODE_H + ROW_GAP / 2
        points += [(lane_x, sy), (lane_x, y)]
    # the vertical run: just right of the source box (between domains) or of the source column
    run_x = (
        source_box.x + source_box.width + GEN_GAP_X / 2 if edge.cross_domain else sx + COL_GAP / 2
    )
    if blocked_entry:
        lane_y = y2 - ROW_GAP / 2
        entry_x = x2 - COL_GAP / 2
        points += [(run_x, y), (run_x, lane_y), (entry_x, lane_y), (entry_x, ty)]
    else:
        points += [(run_x, y), (run_x, ty)]
    points.append((tx, ty))
    return _rounded(points)


def _rounded(points: list[tuple[float, float]], radius: float = 8.0) -> str:
    """A polyline with rounded corners."""
    points = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    out = [f"M{points[0][0]:.1f},{points[0][1]:.1f}"]
    for (ax, ay), (bx, by), (cx, cy) in zip(points, points[1:], points[2:], strict=False):
        r1 = min(radius, abs(bx - ax) / 2 + abs(by - ay) / 2)
        r2 = min(radius, abs(cx - bx) / 2 + abs(cy - by) / 2)
        r = min(r1, r2)
        px = bx - r * _sign(bx - ax)
        py = by - r * _sign(by - ay)
        qx = bx + r * _sign(cx - bx)
        qy = by + r * _sign(cy - by)
        out.append(f"L{px:.1f},{py:.1f} Q{bx:.1f},{by:.1f} {qx:.1f},{qy:.1f}")
    out.append(f"L{points[-1][0]:.1f},{points[-1][1]:.1f}")
    return " ".join(out)


def _sign(value: float) -> int:
    return (value > 0) - (value < 0)


def render_svg(
    nodes: Sequence[LineageNode],
    edges: Sequence[LineageEdge],
    hrefs: Mapping[str, str] | None = None,
) -> Markup:
    """The graph as one `<svg>` element; every string in it is escaped."""
    if not nodes:
        return Markup('<p class="empty">No lineage: no public models were found.</p>')
    hrefs = hrefs or {}
    plan = layout(nodes, edges)
    positions, width, height = plan.positions, plan.width, plan.height
    colour = {b.domain: b.colour for b in plan.boxes.values()}
    domain_of = {n.key: n.domain for n in nodes}
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="lineage-svg" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'aria-label="Lineage between the public models of the mesh">',
        "<defs>"
        '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#94a3b8"/></marker>'
        '<marker id="arrow-cross" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#0f172a"/></marker>'
        "</defs>",
    ]
    for box in plan.boxes.values():
        fill, stroke = box.colour
        parts.append(
            f'<g class="lineage-domain" data-domain="{escape(box.domain)}">'
            f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.width:.1f}" '
            f'height="{box.height:.1f}" rx="12" fill="{fill}" stroke="{stroke}" '
            'stroke-opacity="0.35"/>'
            f'<text class="lineage-domain-label" x="{box.x + PAD:.1f}" y="{box.y + 22:.1f}" '
            f'fill="{stroke}">{escape(box.domain)}</text></g>'
        )
    for edge in edges:
        kind = "cross-domain" if edge.cross_domain else "in-domain"
        marker = "arrow-cross" if edge.cross_domain else "arrow"
        parts.append(
            f'<path class="lineage-edge {kind}" data-source="{escape(edge.source)}" '
            f'data-target="{escape(edge.target)}" '
            f'data-source-domain="{escape(domain_of[edge.source])}" '
            f'data-target-domain="{escape(domain_of[edge.target])}" '
            f'd="{edge_path(edge, plan, domain_of)}" marker-end="url(#{marker})">'
            f"<title>{escape(edge.source)} → {escape(edge.target)}</title></path>"
        )
    for node in nodes:
        x, y = positions[node.key]
        stroke = colour[node.domain][1]
        label = node.label if len(node.label) <= MAX_LABEL else node.label[: MAX_LABEL - 1] + "…"
        classes = ["lineage-node", f"access-{node.access}"]
        if node.deprecated:
            classes.append("deprecated")
        dash = "" if node.access == "public" else ' stroke-dasharray="4 3"'
        body = (
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{NODE_W}" height="{NODE_H}" rx="8" '
            f'fill="#ffffff" stroke="{stroke}"{dash}/>'
            f'<text class="lineage-node-label" x="{x + 10:.1f}" y="{y + 21:.1f}">'
            f"{escape(label)}</text>"
            f"<title>{escape(node.key)} ({escape(node.access)})</title>"
        )
        href = hrefs.get(node.key)
        if href:
            body = f'<a href="{escape(href)}">{body}</a>'
        parts.append(
            f'<g class="{" ".join(classes)}" id="node-{escape(node.key)}" '
            f'data-key="{escape(node.key)}" data-domain="{escape(node.domain)}">{body}</g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
