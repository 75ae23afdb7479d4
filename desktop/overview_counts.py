"""The Overview's counts, as drawing data: each chart's rows from
``storage.overview`` for an article-list query, shaped for
:class:`widgets.overview_window.OverviewWindow`, and the networks laid out
(networkx, seeded).

Plain Python (no Qt): the window runs :func:`compute` in a process of its
own (:mod:`desktop.read_process`), so that the Python work of counting
(row fetches, the collector, the layout) never holds the GUI process's GIL.
"""

from __future__ import annotations

import time

from storage import overview, tags as tag_store
from storage.article_query import NO_SOURCE, ArticleQuery
from storage.entity_index import entity_key
from widgets.palette import entity_color
from widgets.wording import counted

#: Bars in the speakers and entities charts.
TOP = 20
#: Columns in the chart over time (the latest periods).
MAX_PERIODS = 156
#: The networks keep their strongest edges only, and at most this many nodes.
MAX_EDGES, MAX_NODES = 120, 60


def _tag_rows(tags: list[dict], used: set) -> list[dict]:
    return [{"key": t["id"], "label": t["name"], "color": t["color"]}
            for t in tags if t["id"] in used]


def _heat(tags: list[dict], rows: list[dict], column: str, title: str,
          label=lambda key: key or NO_SOURCE) -> dict:
    """A tags × ``column`` table. The column of rows without a value is
    labelled with the source filter's value for the articles without a
    source, which a click on it writes into the filter bar: the chart and
    the filter say the same."""
    values = {(r["tag_id"], r[column]): r["passages"] for r in rows}
    totals: dict = {}
    for r in rows:
        totals[r[column]] = totals.get(r[column], 0) + r["passages"]
    columns = [{"key": c, "label": label(c)} for c in sorted(totals, key=lambda c: -totals[c])]
    return {"rows": _tag_rows(tags, {r["tag_id"] for r in rows}), "columns": columns,
            "values": values, "title": title}


def _layout(nodes: list[dict], edges: list[dict]) -> dict:
    """Force layout (networkx, weighted, seeded) of each connected part,
    the parts packed in rows, largest first; positions in [-1, 1]."""
    import networkx as nx     # in the worker, and never at start-up

    graph = nx.Graph()
    graph.add_nodes_from(n["key"] for n in nodes)
    graph.add_weighted_edges_from((e["a"], e["b"], e["weight"]) for e in edges)
    if not graph:
        return {}
    parts = sorted((graph.subgraph(c) for c in nx.connected_components(graph)),
                   key=lambda g: (-len(g), sorted(map(str, g.nodes))[0]))
    placed: dict = {}
    x = y = row_height = 0.0
    width = 2.0 + 1.2 * len(parts) ** 0.5       # the packing's row length
    for part in parts:
        size = 0.35 + 0.25 * len(part) ** 0.5   # a part's box grows with its nodes
        if len(part) == 1:
            local = {next(iter(part.nodes)): (0.0, 0.0)}
        else:
            local = nx.spring_layout(part, weight="weight", seed=7, iterations=80,
                                     k=1.6 / len(part) ** 0.5)
        if x + size > width and x > 0:
            x, y, row_height = 0.0, y + row_height, 0.0
        for key, (px, py) in local.items():
            placed[key] = (x + size / 2 + px * size / 2.2, y + size / 2 + py * size / 2.2)
        x += size
        row_height = max(row_height, size)
    xs = [p[0] for p in placed.values()]
    ys = [p[1] for p in placed.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    return {key: (float(2 * (px - min(xs)) / span - 1), float(2 * (py - min(ys)) / span - 1))
            for key, (px, py) in placed.items()}


def thin(edges: list[dict], max_edges: int = MAX_EDGES, max_nodes: int = MAX_NODES) -> list[dict]:
    """The strongest edges: at most ``max_edges``, touching at most
    ``max_nodes`` nodes (strongest first)."""
    kept, nodes = [], set()
    for edge in sorted(edges, key=lambda e: -e["weight"]):
        new = {edge["a"], edge["b"]} - nodes
        if len(nodes) + len(new) > max_nodes:
            continue
        kept.append(edge)
        nodes |= new
        if len(kept) >= max_edges:
            break
    return kept


def _entity_node(name: str, label: str) -> tuple:
    """A network's node for an entity: one per name (any case, as SQLite's
    lower) *and* label, as storage counts them — spaCy often finds a name
    under two labels (Cambodia as GPE and ORG), and one node for both drew
    an edge to itself, doubled edges and summed their counts."""
    return ("entity", entity_key(name), label)


def _name(labels: dict, node: tuple, name: str) -> None:
    """Name ``node`` by the first of its spellings (as storage does), whatever
    the order of the rows it comes in."""
    labels[node] = min(labels.get(node, name), name)


def _network(edges: list[dict], labels: dict, kinds: dict, colors: dict, title: str,
             unit: str, total: int) -> dict:
    kept = thin(edges)
    degree: dict = {}
    for e in kept:
        for end in (e["a"], e["b"]):
            degree[end] = degree.get(end, 0) + e["weight"]
    top = max(degree.values(), default=1)
    nodes = [{"key": key, "label": labels[key], "kind": kinds[key], "color": colors[key],
              "size": weight / top,
              "tip": f"{labels[key]} ({kinds[key]}): {weight:,} {unit} in the network"}
             for key, weight in sorted(degree.items(), key=lambda kv: -kv[1])]
    for e in kept:
        e.update(a_label=labels[e["a"]], b_label=labels[e["b"]], unit=unit)
    note = (f"The {len(kept)} strongest of {total:,} links, over the list's newest "
            f"{overview.NETWORK_ARTICLES:,} articles at most. Squares: speakers; circles: "
            f"entities (colour: label).")
    return {"nodes": nodes, "edges": kept, "positions": _layout(nodes, kept),
            "title": title, "note": note}


def compute(db, query: ArticleQuery, options: dict, only: tuple = ()) -> dict:
    """Every chart's drawing data for ``query`` (run in a worker), or only
    the charts named in ``only``. Also ``"seconds"``: how long each chart's
    counts took."""
    tags = tag_store.list_tags(db)
    fold, unit = options.get("fold", False), options.get("unit", "month")
    charts, seconds = {}, {}

    def timed(name, function):
        if only and name not in only:
            return
        start = time.perf_counter()
        charts[name] = function()
        seconds[name] = time.perf_counter() - start

    def over_time():
        dated_by = options.get("dated_by", "published")
        rows = overview.tags_over_time(db, query, period=unit, fold=fold, dated_by=dated_by)
        periods = sorted({r["period"] for r in rows})
        note = ""
        if len(periods) > MAX_PERIODS:     # drawn at once, so the window never stalls
            note = f" — the last {MAX_PERIODS} of {len(periods)} (filter by date for others)"
            periods = periods[-MAX_PERIODS:]
            kept = set(periods)
            rows = [r for r in rows if r["period"] in kept]
        undated = overview.undated_passages(db, query) if dated_by == "published" else 0
        if undated:     # never dropped without a word
            note += (f" — {counted(undated, 'passage')} of undated articles not shown "
                     f"(Dated by: tagging shows every passage)")
        used = {r["tag_id"] for r in rows}
        series = [{"key": t["id"], "name": t["name"], "color": t["color"]}
                  for t in tags if t["id"] in used]
        return {"periods": periods, "series": series,
                "values": {(r["period"], r["tag_id"]): r["passages"] for r in rows},
                "title": f"Tagged passages per {unit} of "
                         f"{'tagging' if dated_by == 'tagged' else 'publication'}{note}"}

    def cooccurrence():
        mode = options.get("mode", "article")
        rows = overview.tag_cooccurrence(db, query, mode=mode, fold=fold)
        used = {r["tag_a"] for r in rows} | {r["tag_b"] for r in rows}
        values = {}
        for r in rows:
            values[(r["tag_a"], r["tag_b"])] = values[(r["tag_b"], r["tag_a"])] = r["count"]
        unit_name = "articles with both" if mode == "article" else "overlapping pairs"
        return {"rows": _tag_rows(tags, used),
                "columns": [{"key": t["id"], "label": t["name"]} for t in tags
                            if t["id"] in used],
                "values": values, "unit": unit_name,
                "title": "Tags together: " + ("in the same article" if mode == "article"
                                              else "passages that overlap")}

    def speakers():
        rows = overview.top_speakers(db, query, limit=TOP)
        return {"bars": [{"label": r["speaker"], "value": r["quotes"], "key": r["speaker"],
                          "color": "#5b8bd9",
                          "tip": f"{r['speaker']}: {r['quotes']:,} quotes in "
                                 f"{r['articles']:,} articles"} for r in rows],
                "title": "Quoted most"}

    def entities():
        rows = overview.top_entities(db, query, limit=TOP)
        return {"bars": [{"label": f"{r['name']} ({r['label']})", "value": r["mentions"],
                          "key": r["name"], "color": entity_color(r["label"]),
                          "tip": f"{r['name']} ({r['label']}): {r['mentions']:,} mentions "
                                 f"in {r['articles']:,} articles"} for r in rows],
                "title": "Mentioned most"}

    def speaker_network():
        rows = overview.speaker_entity_edges(db, query)
        labels, kinds, colors, edges = {}, {}, {}, []
        for r in rows:
            s, e = ("speaker", entity_key(r["speaker"])), _entity_node(r["entity"], r["label"])
            _name(labels, s, r["speaker"])
            _name(labels, e, r["entity"])
            kinds[s], kinds[e] = "speaker", r["label"]
            colors[s], colors[e] = "#5b8bd9", entity_color(r["label"])
            edges.append({"a": s, "b": e, "weight": r["weight"]})
        return _network(edges, labels, kinds, colors, "Speakers and what their quotes mention",
                        "mentions", len(edges))

    def entity_network():
        rows = overview.entity_cooccurrence_edges(db, query, min_articles=2)
        labels, kinds, colors, edges = {}, {}, {}, []
        for r in rows:
            a, b = _entity_node(r["a"], r["a_label"]), _entity_node(r["b"], r["b_label"])
            _name(labels, a, r["a"])
            _name(labels, b, r["b"])
            kinds[a], kinds[b] = r["a_label"], r["b_label"]
            colors[a], colors[b] = entity_color(r["a_label"]), entity_color(r["b_label"])
            edges.append({"a": a, "b": b, "weight": r["weight"]})
        return _network(edges, labels, kinds, colors,
                        "Entities in the same articles (2 or more)", "articles", len(edges))

    timed("time", over_time)
    timed("sources", lambda: _heat(tags, overview.tags_by_source(db, query, fold=fold),
                                   "source", "Passages per tag and source"))
    timed("analysts", lambda: _heat(tags, overview.tags_by_analyst(db, query, fold=fold),
                                    "analyst", "Passages per tag and analyst"))
    timed("cooccurrence", cooccurrence)
    timed("speakers", speakers)
    timed("entities", entities)
    timed("speaker_network", speaker_network)
    timed("entity_network", entity_network)
    return {"charts": charts, "seconds": seconds}
