"""The consensus layer of adjudication (issue 18).

When two analysts disagree, the team decides what the passage should be; the
decision is stored as an ordinary passage whose analyst is :data:`CONSENSUS`
and whose ``decided_by`` column (migration 0018) names who decided it. So the
consensus is selected like any analyst: ``dossier export --analyst
consensus``, ``dossier agreement --analysts ana,consensus`` (how far each
analyst is from the settled coding), the View → Passages filter.

Consensus passages of one tag never overlap or touch (only white space
apart counts as touching): a new one that does is joined with them into one
passage (so deciding the pieces of one passage one
after another leaves one passage). Every function writes in one journal
step (``journal.recorded``), so a decision is undone as a whole.
"""

from __future__ import annotations

from sqlite_utils import Database

from storage import journal, row_ids
from storage.database import utc_now
from storage.new_ids import new_uuid
from storage.passages import CONTEXT_CHARS, PassageError, _article_text

_COLUMNS = ("article_id", "tag_id", "start", "end", "text", "prefix", "suffix", "note",
            "analyst", "created_at", "updated_at", "decided_by", "uuid")

#: The analyst name of the consensus layer.
CONSENSUS = "consensus"


def add_consensus(db: Database, *, article_id: int, tag_id: int, start: int, end: int,
                  decided_by: str) -> int:
    """Make ``[start, end)`` of the article consensus for the tag; returns the
    consensus passage that now covers it (joined with any consensus passage
    of the tag it overlaps or touches, whose notes are kept). White space at
    the span's edges is left out; a blank span is refused
    (:class:`~storage.passages.PassageError`)."""
    with journal.recorded(db, "Adjudicate", analyst=decided_by):
        return _add(db, _article_text(db, article_id), article_id, tag_id, start, end,
                    decided_by)


def _blank(text: str, start: int, end: int) -> bool:
    return not text[start:end].strip()


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` without the white space at its edges."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _add(db: Database, text: str, article_id: int, tag_id: int, start: int, end: int,
         decided_by: str) -> int:
    if _blank(text, start, end):
        raise PassageError("Only blank space is in this span.")
    start, end = _trimmed(text, start, end)
    # passages only white space apart touch: the space trimmed off one
    # decision's edge must not split it from the next one's
    reach_start, reach_end = start, end
    while reach_start > 0 and text[reach_start - 1].isspace():
        reach_start -= 1
    while reach_end < len(text) and text[reach_end].isspace():
        reach_end += 1
    near = db.execute(
        "SELECT id, start, end, note, decided_by, created_at FROM passages "
        "WHERE article_id = ? AND tag_id = ? "
        "AND analyst = ? AND start <= ? AND end >= ? AND anchor IS NOT 'orphaned' "
        "ORDER BY start, id", [article_id, tag_id, CONSENSUS, reach_end, reach_start]).fetchall()
    if len(near) == 1 and near[0][1] <= start and near[0][2] >= end:
        return near[0][0]                   # already consensus
    low = min([start, *(r[1] for r in near)])
    high = max([end, *(r[2] for r in near)])
    note = "\n".join(r[3] for r in near if r[3])
    for row in near:
        db.execute("DELETE FROM passages WHERE id = ?", [row[0]])
    now = utc_now()
    return db.execute(row_ids.insert_sql(db, "passages", _COLUMNS), [
        article_id, tag_id, low, high, text[low:high],
        text[max(0, low - CONTEXT_CHARS):low], text[high:high + CONTEXT_CHARS],
        note, CONSENSUS, min([now, *(r[5] for r in near if r[5])]), now,
        _deciders(near, decided_by), new_uuid()]).lastrowid


def _deciders(near, decided_by: str) -> str:
    """``decided_by`` of a passage joined from the consensus passages
    ``near`` and a decision of ``decided_by``: everyone who decided a part
    of it, each once, in the order they decided, separated by "; " — the
    one deciding now last (who wrote the row: a hub's owner of it)."""
    earlier = [n.strip() for r in sorted(near, key=lambda r: r[5] or "") if r[4]
               for n in r[4].split("; ")]
    return "; ".join(dict.fromkeys([*(n for n in earlier if n and n != decided_by),
                                    decided_by]))


def decide(db: Database, *, article_id: int, start: int, end: int, tag_ids,
           decided_by: str, words: str | None = None) -> list[int]:
    """One decision: ``[start, end)`` is consensus for each of ``tag_ids``
    (none: "neither" — nothing is written; a blank span: nothing either).
    The consensus passages, in one transaction. ``words``: the text the
    decider saw over the span; if the article's text there is no longer
    it (edited elsewhere since), :class:`~storage.passages.PassageError`
    and nothing is written."""
    with journal.recorded(db, "Adjudicate", analyst=decided_by):
        text = _article_text(db, article_id)
        if words is not None and text[start:end] != words:
            # checked in the write's transaction: offsets into an older text
            # would put the decision on other words
            raise PassageError("The article's text changed there since the disagreement "
                               "was shown: nothing was decided. Find the disagreements "
                               "again.")
        if _blank(text, start, end):
            return []
        return [_add(db, text, article_id, t, start, end, decided_by)
                for t in dict.fromkeys(tag_ids)]


def agreed_spans(db: Database, first: str, second: str,
                 article_ids=None) -> list[tuple[int, int, int, int]]:
    """``(article_id, tag_id, start, end)`` where both analysts applied the
    same tag: the overlap of each pair of their passages."""
    where, params = "", [first, second]
    if article_ids is not None:
        ids = list(article_ids)
        if not ids:
            return []
        where = f" AND a.article_id IN ({', '.join('?' * len(ids))})"
        params += ids
    return [tuple(r) for r in db.execute(
        "SELECT a.article_id, a.tag_id, max(a.start, b.start), min(a.end, b.end) "
        "FROM passages a JOIN passages b ON b.article_id = a.article_id "
        "AND b.tag_id = a.tag_id AND b.start < a.end AND b.end > a.start "
        "WHERE a.analyst = ? AND b.analyst = ? AND a.anchor IS NOT 'orphaned' "
        f"AND b.anchor IS NOT 'orphaned'{where} "
        "ORDER BY a.article_id, a.tag_id, 3", params)]


def accept_agreements(db: Database, first: str, second: str, *, decided_by: str,
                      article_ids=None, on_progress=None, every: int = 2000) -> int:
    """Make consensus every span where the two analysts agree (one step);
    returns the number of agreed spans (blank ones are left out).
    ``on_progress(done, total)`` every ``every`` spans; an exception it
    raises (a cancel) rolls the whole step back."""
    spans = agreed_spans(db, first, second, article_ids)
    accepted, article, text = 0, None, ""
    with journal.recorded(db, "Accept agreements", analyst=decided_by):
        for done, (article_id, tag_id, start, end) in enumerate(spans, 1):
            if on_progress and done % every == 0:
                on_progress(done, len(spans))
            if article_id != article:
                article, text = article_id, _article_text(db, article_id)
            if not _blank(text, start, end):     # two passages overlapping in a space
                _add(db, text, article_id, tag_id, start, end, decided_by)
                accepted += 1
    return accepted


def decision_stored(db: Database, *, article_id: int, start: int, end: int,
                    tag_ids) -> bool:
    """Whether a decision (:func:`decide`'s arguments) is what the consensus
    holds now: each of its tags has a consensus passage covering the span
    (its edge white space left out, as :func:`decide` leaves it out). False
    once it is undone, its passage deleted or cut elsewhere, or its article
    deleted; a decision that writes nothing ("neither", a blank span) is
    always stored."""
    wanted = set(tag_ids)
    if not wanted:
        return True
    row = db.execute("SELECT text FROM articles WHERE id = ?", [article_id]).fetchone()
    if row is None:
        return False
    if _blank(row[0], start, end):
        return True
    start, end = _trimmed(row[0], start, end)
    # consensus passages of a tag never overlap: one passage covers it or none
    covered = {r[0] for r in db.execute(
        "SELECT DISTINCT tag_id FROM passages WHERE article_id = ? AND analyst = ? "
        "AND start <= ? AND end >= ? AND anchor IS NOT 'orphaned'",
        [article_id, CONSENSUS, start, end])}
    return wanted <= covered
