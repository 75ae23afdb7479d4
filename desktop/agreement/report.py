"""An agreement report over a database: read, measure, explain, export.

Qt-free: the CLI (``dossier agreement``) and the report window's worker
both call :func:`agreement_report`; :func:`write_csv` writes the measures
and one "diagnosis" row per disagreement (article, span, each analyst's
tags there) for a team to go through.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import numpy as np

from desktop.agreement.measures import MEASURES, Codings, disagreements, measure, pooled
from storage.agreement_data import CODED_BY_ALL, AgreementData, agreement_data, article_texts
from widgets.wording import counted

#: What each measure is, for tooltips, the CLI's help and the notes.
EXPLANATIONS = {
    "alpha_char": "Krippendorff's α, each character a unit, the tag applied or not",
    "u_alpha": "unitizing uα: passage boundaries and tags together",
    "bu_alpha": "|uα: where passages are, whatever their tag",
    "cu_alpha": "cuα: the tags of overlapping passages (undefined for one tag)",
    "kappa_presence": "Cohen's κ (2 analysts) or Fleiss' κ (3+) on 'tag present in the "
                      "article'",
    "percent_agreement": "share of analyst pairs agreeing on 'tag present in the article' "
                         "— not chance-corrected",
    "kappa_char": "Cohen's/Fleiss' κ, each character a unit",
    "percent_agreement_char": "share of analyst pairs agreeing per character — not "
                              "chance-corrected",
}

#: Short column headings.
#: Krippendorff's thresholds for α: rely on the coding, draw tentative
#: conclusions (below: do not rely on it)
RELIABLE, TENTATIVE = 0.800, 0.667


def reading(alpha: float | None) -> str:
    """α per character in words, for readers who are not statisticians."""
    if alpha is None:
        return "nothing to compare"
    if alpha >= RELIABLE:
        return "reliable"
    if alpha >= TENTATIVE:
        return "tentative"
    return "not reliable"


def pooled_reading(alpha: float | None, rows: list[dict]) -> str:
    """The overall row's reading, saying when it hides tags below it: the
    pooled α is dominated by the tags with the most coded characters, so it
    can read "reliable" while most tags are not (a team walk: 0.830 overall,
    two of three tags under .667)."""
    said = reading(alpha)
    if alpha is None:
        return said
    weaker = [r for r in rows if r["reading"] in ("tentative", "not reliable")
              and reading_rank(r["reading"]) < reading_rank(said)]
    if not weaker:
        return said
    unreliable = sum(r["reading"] == "not reliable" for r in weaker)
    parts = ([f"{unreliable} of {len(rows)} tags not reliable"] if unreliable else []) + (
        [f"{len(weaker) - unreliable} tentative"] if len(weaker) > unreliable else [])
    return f"{said} pooled; {', '.join(parts)}"


def reading_rank(said: str) -> int:
    """How strong a reading is (higher: more reliable)."""
    return {"not reliable": 0, "tentative": 1, "reliable": 2}.get(said, 3)


EXPLANATIONS["reading"] = (
    f"α (chars) in words, by Krippendorff's thresholds: reliable ≥ {RELIABLE:.3f}, "
    f"tentative ≥ {TENTATIVE:.3f}, below that not reliable")

HEADINGS = {"alpha_char": "α (chars)", "u_alpha": "uα", "bu_alpha": "|uα", "cu_alpha": "cuα",
            "kappa_presence": "κ (presence)", "percent_agreement": "% agree",
            "kappa_char": "κ (chars)", "percent_agreement_char": "% agree (chars)"}


class AgreementError(ValueError):
    """The report cannot be computed; the message is meant for the user."""


class Cancelled(Exception):
    """The report was cancelled."""


@dataclass
class AgreementReport:
    """Per-tag rows (``{"tag": name, measure: value …}``), the overall row,
    and what they were computed over (``passages``: each analyst's passages
    compared — of the chosen tags, not orphaned; ``unpooled``: the tags
    listed that none of them used in these articles, which the overall row
    leaves out)."""

    analysts: list[str]
    rows: list[dict]
    overall: dict
    articles: int
    characters: int
    passages: dict[str, int]
    data: AgreementData
    unpooled: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        """The report as plain JSON-able data."""
        return {"analysts": self.analysts, "articles": self.articles,
                "characters": self.characters, "passages": self.passages,
                "tags": self.rows, "overall": self.overall, "unpooled": self.unpooled,
                "left_out": [{"article_id": a, "coded_by": who}
                             for a, who in self.data.left_out.items()]}

    def left_out_note(self) -> str:
        """Which articles were left out for not being coded by all of them
        (empty when none were)."""
        if not self.data.left_out:
            return ""
        return ("Left out, not coded by all of them: "
                + left_out_text(self.data.left_out) + ".")

    def unpooled_note(self) -> str:
        """Which tags the overall row leaves out for being used by none of
        them in these articles (empty when none are)."""
        if not self.unpooled:
            return ""
        return ("Not in the overall row, used by none of them here: "
                + ", ".join(self.unpooled) + ".")

    def codings(self) -> Codings:
        """The spans as :class:`Codings` (for :func:`diagnosis_rows`)."""
        return _codings(self.data)


#: Rows converted to numpy at a time: a conversion holds the GIL, and the
#: window's thread needs it between two chunks (600,000 rows at once held
#: it for 0.7 s on a loaded machine).
CHUNK_ROWS = 20_000


def _as_array(rows: list[tuple]) -> np.ndarray:
    """(rows × 5) int64; ``fromiter`` over the flattened rows costs half of
    assigning the tuples to a slice."""
    result = np.empty(len(rows) * 5, dtype=np.int64)
    for start in range(0, len(rows), CHUNK_ROWS):
        part = rows[start:start + CHUNK_ROWS]
        result[start * 5:(start + len(part)) * 5] = np.fromiter(
            chain.from_iterable(part), dtype=np.int64, count=len(part) * 5)
        time.sleep(0)                     # let a waiting thread take the GIL
    return result.reshape(-1, 5)


def _codings(data: AgreementData) -> Codings:
    """The rows as read, turned into indexes with numpy (no Python loop
    over the passages)."""
    rows = _as_array(data.rows)
    ids = np.asarray(data.article_ids, dtype=np.int64)
    article = np.searchsorted(ids, rows[:, 0]) if len(ids) else np.zeros(len(rows), np.int64)
    known = article < len(ids)
    known[known] = ids[article[known]] == rows[known, 0]
    tag_ids = np.asarray([t["id"] for t in data.tags], dtype=np.int64)
    order = np.argsort(tag_ids)
    where = np.searchsorted(tag_ids[order], rows[:, 2]) if len(tag_ids) else None
    if where is None:
        tag = np.zeros(len(rows), np.int64)
        known[:] = False
    else:
        inside = where < len(tag_ids)
        tag = np.zeros(len(rows), np.int64)
        tag[inside] = order[where[inside]]
        known &= inside
        known[known] = tag_ids[tag[known]] == rows[known, 2]
    rows = rows[known]
    return Codings.from_arrays(data.lengths, article[known], rows[:, 1], tag[known],
                               rows[:, 3], rows[:, 4], n_coders=len(data.analysts),
                               n_tags=len(data.tags))


def left_out_text(left_out: dict[int, list[str]], shown: int = 5) -> str:
    """``article 6 (ana only), article 9 (ben only) and 3 more``."""
    parts = [f"article {a} ({' and '.join(who)} only)" for a, who in list(left_out.items())[:shown]]
    more = len(left_out) - shown
    if more > 0:
        parts.append(f"{more:,} more")
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


def _plain(value):
    return None if value is None else round(float(value), 6)


def agreement_report(db, analysts: list[str], *, article_ids: list[int] | None = None,
                     tag_ids: list[int] | None = None, scope: str = CODED_BY_ALL,
                     on_progress: Callable[[int, int], None] | None = None,
                     is_cancelled: Callable[[], bool] | None = None) -> AgreementReport:
    """Read and measure: raises :class:`AgreementError` for fewer than two
    analysts or nothing to compare, :class:`Cancelled` when asked to stop."""
    names = list(dict.fromkeys(a.strip() for a in analysts if a.strip()))
    if len(names) < 2:
        raise AgreementError("choose at least two analysts to compare")

    def step(done: int) -> None:
        if is_cancelled and is_cancelled():
            raise Cancelled()
        if on_progress:
            on_progress(done, 3)

    step(0)
    data = agreement_data(db, names, article_ids=article_ids, tag_ids=tag_ids, scope=scope)
    if not data.article_ids:
        if data.left_out:
            raise AgreementError(
                f"no articles to compare: no article is coded by all of them "
                f"({left_out_text(data.left_out)})")
        raise AgreementError("no articles to compare: none of these analysts has coded any")
    if not data.tags:
        raise AgreementError("no tags to compare: these analysts used none in these articles")
    step(1)
    codings = _codings(data)
    result = measure(codings)
    compared = np.bincount(codings.coder, minlength=len(names))
    used = pooled(codings)
    step(2)
    rows = [{"tag": tag["name"], **{k: _plain(row[k]) for k in MEASURES},
             "reading": reading(_plain(row["alpha_char"]))}
            for tag, row in zip(data.tags, result["tags"])]
    overall = {"tag": "(overall)", **{k: _plain(result["overall"][k]) for k in MEASURES},
               # (the tags pooled: one nobody used is no unreliable tag)
               "reading": pooled_reading(_plain(result["overall"]["alpha_char"]),
                                         [r for r, u in zip(rows, used) if u])}
    step(3)
    return AgreementReport(names, rows, overall, len(data.article_ids), int(sum(data.lengths)),
                           {n: int(c) for n, c in zip(names, compared)}, data,
                           [tag["name"] for t, tag in enumerate(data.tags) if not used[t]])


def diagnosis_rows(db, report: AgreementReport, *, context: int = 200) -> Iterator[dict]:
    """One dict per disagreement: the article, the span, its text (up to
    ``context`` characters) and each analyst's tags there."""
    data = report.data
    found = list(disagreements(report.codings()))
    texts = article_texts(db, [data.article_ids[a] for a, *_ in found])
    for article, start, end, tag_lists in found:
        article_id = data.article_ids[article]
        title, text = texts.get(article_id, ("", ""))
        snippet = text[start:end]
        if len(snippet) > context:
            snippet = snippet[:context - 1] + "…"
        yield {"article_id": article_id, "article_title": title, "start": start, "end": end,
               "text": " ".join(snippet.split()),
               "tags": {name: [data.tags[t]["name"] for t in tags]
                        for name, tags in zip(data.analysts, tag_lists)}}


def csv_columns(analysts: list[str]) -> list[str]:
    """The CSV's columns: the kind of row, the measures, the diagnosis."""
    return (["row", "tag", *MEASURES, "article_id", "article_title", "start", "end", "text",
             "analysts"] + [f"tags: {name}" for name in analysts] + ["reading"])


def scope_text(report: AgreementReport) -> str:
    """What the figures were computed over, in one line: to be reported
    with them (articles, characters, passages, and the articles left out)."""
    text = (f"{counted(report.articles, 'article')}, {report.characters:,} characters; "
            "passages: " + ", ".join(f"{a} {n:,}" for a, n in report.passages.items()))
    notes = " ".join(n for n in (report.left_out_note(), report.unpooled_note()) if n)
    return text + (f"; {notes}" if notes else "")


def write_csv(db, report: AgreementReport, path: str | Path, *,
              is_cancelled: Callable[[], bool] | None = None, bom: bool = False) -> int:
    """Write the measures (one "tag" row per tag, one "overall" row) and
    one "diagnosis" row per disagreement; returns the number of diagnosis
    rows. Written to a temporary file first, so a failure or a cancel
    leaves no half-written report behind. Text a spreadsheet would run as
    a formula is neutralised as in the passage CSV; ``bom``: a byte-order
    mark, for Excel (the window's export; the command line's is for
    scripts)."""
    from desktop.exporters.tabular import neutralise_formula as safe

    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    count = 0
    try:
        with open(partial, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as handle:
            columns = csv_columns(report.analysts)
            writer = csv.writer(handle)            # lists, not dicts: 430,000 rows
            writer.writerow(columns)
            # (the reading last: the columns before it stay where they were)
            blank = [""] * (len(columns) - 2 - len(MEASURES) - 1)
            for kind, row in [*(("tag", r) for r in report.rows), ("overall", report.overall)]:
                writer.writerow([kind, safe(row["tag"]), *(("" if row[k] is None else row[k])
                                                     for k in MEASURES), *blank,
                                 row["reading"]])
            # the scope, which the figures are to be reported with
            writer.writerow(["scope", safe(scope_text(report)),
                             *[""] * (len(columns) - 2)])
            measures_blank = [""] * (1 + len(MEASURES))
            everyone = "; ".join(report.analysts)
            for found in diagnosis_rows(db, report):
                if is_cancelled and count % 1000 == 0 and is_cancelled():
                    raise Cancelled()
                writer.writerow(["diagnosis", *measures_blank, found["article_id"],
                                 safe(found["article_title"]), found["start"], found["end"],
                                 safe(found["text"]), safe(everyone),
                                 *(safe("; ".join(t)) or "—" for t in found["tags"].values()),
                                 ""])
                count += 1
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return count


def format_table(report: AgreementReport) -> str:
    """The report as an aligned plain-text table (the CLI's output)."""
    keys = list(MEASURES)
    header = ["tag", *keys, "reading"]
    lines = [[row["tag"], *("—" if row[k] is None else
                            f"{row[k]:.3f}" if round(row[k], 3) != 0 else "0.000"
                            for k in keys), row["reading"]]
             for row in [*report.rows, report.overall]]
    widths = [max(len(str(c)) for c in column) for column in zip(header, *lines)]
    out = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths)).rstrip()]
    out += ["  ".join(str(c).ljust(w) for c, w in zip(line, widths)).rstrip()
            for line in lines]
    out.append(scope_text(report))
    out.append(f"reading: alpha_char by Krippendorff's thresholds (reliable ≥ {RELIABLE:.3f}, "
               f"tentative ≥ {TENTATIVE:.3f})")
    out.append("percent_agreement and percent_agreement_char are not chance-corrected; "
               "— means undefined: nothing to disagree about (and cu_alpha per tag: "
               "one tag has no values to compare)")
    return "\n".join(out)
