"""The analyst's corrections of quotes and speakers (issue 15).

Two journaled tables (migration ``0019_speaker_corrections``):

- ``quote_corrections``: one row per quote, keyed by the quote's stable key
  (the article text's hash + start-end, :func:`storage.quotes.quote_key`):
  ``is_quote`` 1 with a ``speaker`` (and ``speaker_kind``: person or
  organisation) sets the speaker of the analysis' quote at those offsets
  (``marked`` 0: "Set speaker") or makes the passage a quote whatever the
  analysis finds (``marked`` 1: "Mark as quote", migration
  ``0033_quote_corrections_marked``); ``is_quote`` 0 says the analysis'
  quote there is not a quote. A "Set speaker" whose quote a new analysis
  no longer finds at those offsets (it cut the quote differently) no longer
  applies: it is not turned into a second quote over the same words.
- ``speaker_aliases``: speaker merges across the corpus, ``alias`` (lower
  case, as SQLite's ``lower()``) → ``speaker`` (the name shown) and its kind.

Nothing here touches the analyses: corrections are applied when reading
(:func:`corrected_quotes_sql`, used by ``storage.quotes``,
``storage.analyses.latest_analysis``, ``storage.autotag_queries`` and the
``article_speakers`` summary behind the speaker filter), so they survive
re-analysis, and a corrected speaker never silently changes. Editing an
article's text changes its hash: the corrections of quotes the edit did not
touch are copied to the new text, moved with their words, and so are those
of quotes edited inside as passages are (a typo fixed: the quote keeps its
first and last characters and at least half of them; its end moves by what
the edit added or removed) (:func:`carry_over`); those of quotes the edit
crossed the edge of or rewrote no longer apply (their offsets would point
at other words). The old text's rows stay: undoing the edit finds them
again; typing the old text back finds those of the quotes the edit changed
beyond that, while on the others the corrections carried from the edited
text replace the old ones (one removed since stays removed).
"""

from __future__ import annotations

from sqlite_utils import Database

from storage import changes, journal, row_ids
from storage.anchoring import follow_edit, outside_edit
from storage.database import utc_now

#: ``str.translate`` table folding case as SQLite's ``lower()`` does (as
#: ``storage.entity_index.entity_key``, which imports this module).
_ASCII_LOWER = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}


def entity_key(text: str) -> str:
    """A name's key: ``lower(name)`` as SQLite computes it."""
    return text.translate(_ASCII_LOWER)

#: The kinds of speaker an analyst may give (the analysis also says
#: "document" — a statement, a release — which a merge may keep).
PERSON, ORGANISATION, DOCUMENT = "person", "organisation", "document"
SPEAKER_KINDS = (PERSON, ORGANISATION, DOCUMENT)
#: ``method`` of a quote whose speaker the analyst set (never "to check").
CORRECTED = "corrected"
#: The columns a new speaker alias is written with.
_ALIAS_COLUMNS = ("alias", "speaker", "speaker_kind", "created_at")


class SpeakerError(ValueError):
    """A correction that cannot be made; the message is for the user."""


# -- reading ---------------------------------------------------------------
def current_select(where: str = "") -> str:
    """A SELECT of ``(article_id, title, analysis_id)``: the analysis shown
    for each article (as ``storage.analyses.CURRENT_ANALYSES`` picks it),
    for the articles matching ``where`` (an SQL condition on ``a``)."""
    from storage.schema import current_analysis_sql

    return f"""SELECT a.id AS article_id, a.title AS title,
               {current_analysis_sql("a.id")} AS analysis_id
        FROM articles a{" WHERE " + where if where else ""}"""


def corrected_quotes_sql(current: str) -> str:
    """A SELECT of the quotes of the articles ``current`` (see
    :func:`current_select`) as the analyst corrected them — quotes marked
    "not a quote" left out, passages marked as quotes added (``id`` NULL,
    kind ``direct``), speakers set and merged. A speaker set on a quote
    the current analysis no longer has at those offsets adds nothing. No CTE, so that triggers can
    use it. Columns: id, article_id, article_title, start, end, text, kind,
    speaker, speaker_kind, speaker_start, speaker_end, cue, method,
    text_hash, original_speaker, corrected (1 where a correction applies).
    :func:`corrected_quote_count_sql` counts these rows: change both together."""
    return f"""
        SELECT q.id, c.article_id, c.title AS article_title, q.start, q.end, q.text,
               -- a scare quote or title given a speaker is someone's words
               CASE WHEN k.speaker IS NOT NULL AND q.kind NOT IN ('direct', 'partial')
                    THEN 'direct' ELSE q.kind END AS kind,
               coalesce(s.speaker, k.speaker, q.speaker) AS speaker,
               coalesce(s.speaker_kind,
                        CASE WHEN k.speaker IS NOT NULL THEN k.speaker_kind END,
                        q.speaker_kind) AS speaker_kind,
               CASE WHEN k.speaker IS NULL THEN q.speaker_start END AS speaker_start,
               CASE WHEN k.speaker IS NULL THEN q.speaker_end END AS speaker_end,
               q.cue,
               CASE WHEN k.speaker IS NOT NULL THEN 'corrected' ELSE q.method END AS method,
               n.text_hash, q.speaker AS original_speaker,
               (k.id IS NOT NULL OR s.id IS NOT NULL) AS corrected
        FROM ({current}) c JOIN quotes q ON q.analysis_id = c.analysis_id
        JOIN analyses n ON n.id = c.analysis_id
        LEFT JOIN quote_corrections k
            ON k.text_hash = n.text_hash AND k.start = q.start AND k.end = q.end
        LEFT JOIN speaker_aliases s ON s.alias = lower(coalesce(k.speaker, q.speaker))
        WHERE k.is_quote IS NOT 0
        UNION ALL
        SELECT NULL, c.article_id, c.title, k.start, k.end,
               substr(a.text, k.start + 1, k.end - k.start), 'direct',
               coalesce(s.speaker, k.speaker), coalesce(s.speaker_kind, k.speaker_kind),
               NULL, NULL, NULL, 'corrected', k.text_hash, NULL, 1
        FROM quote_corrections k JOIN articles a ON a.text_hash = k.text_hash
        JOIN ({current}) c ON c.article_id = a.id
        LEFT JOIN speaker_aliases s ON s.alias = lower(k.speaker)
        WHERE k.is_quote = 1 AND k.marked = 1 AND NOT EXISTS (
            SELECT 1 FROM quotes x WHERE x.analysis_id = c.analysis_id
            AND x.start = k.start AND x.end = k.end)
"""


def corrected_quote_count_sql() -> str:
    """A SELECT of one number: how many rows :func:`corrected_quotes_sql`
    gives over every article — the current analyses' quotes, less those at
    the offsets of a "not a quote" correction of their text, plus the
    passages marked as quotes where the current analysis has none. Counted
    from the quotes index and the corrections alone: the corrected rows
    themselves (the quote rows read, each correction looked up) took
    2.2 s on 100,000 articles, this 0.35 s. (CROSS JOIN: the few
    corrections lead; SQLite otherwise walked every article's quotes.)
    Change it with corrected_quotes_sql."""
    from storage.schema import current_analysis_sql

    current = current_analysis_sql("a.id")
    at_offsets = f'x.analysis_id = {current} AND x.start = k.start AND x."end" = k."end"'
    return f"""SELECT
        (SELECT count(*) FROM articles a JOIN quotes x ON x.analysis_id = {current})
        - (SELECT count(*) FROM quote_corrections k
           CROSS JOIN articles a ON a.text_hash = k.text_hash
           CROSS JOIN quotes x ON {at_offsets}
           WHERE k.is_quote = 0)
        + (SELECT count(*) FROM quote_corrections k
           CROSS JOIN articles a ON a.text_hash = k.text_hash
           WHERE k.is_quote = 1 AND k.marked = 1
           AND NOT EXISTS (SELECT 1 FROM quotes x WHERE {at_offsets}))"""


def article_speakers_sql(articles: str) -> str:
    """The INSERT filling ``article_speakers`` (the speaker filter's summary)
    for the articles ``articles`` (an SQL list or subquery of ids) from
    their current analyses, as corrected."""
    quotes = corrected_quotes_sql(current_select(f"a.id IN ({articles})"))
    return ("INSERT INTO article_speakers (article_id, speaker, quotes) "
            f"SELECT article_id, min(speaker), count(*) FROM ({quotes}) "
            "WHERE speaker IS NOT NULL GROUP BY article_id, lower(speaker)")


def affected_by_name(name: str) -> str:
    """The ids of articles where a quote's speaker (as analysed or as set by
    a correction) is ``name`` (an SQL expression), whose speakers a merge
    of that name changes."""
    return f"""SELECT n.article_id FROM quotes q JOIN analyses n ON n.id = q.analysis_id
        WHERE q.speaker = {name} COLLATE NOCASE
        UNION SELECT a.id FROM quote_corrections k
        JOIN articles a ON a.text_hash = k.text_hash
        WHERE k.speaker = {name} COLLATE NOCASE"""


def _refresh_sql(articles: str) -> str:
    return (f"DELETE FROM article_speakers WHERE article_id IN ({articles}); "
            f"{article_speakers_sql(articles)};")


def create_tables(db: Database) -> None:
    """The tables and their journal (called by migration
    ``0019_speaker_corrections``; :func:`add_marked`, migration 0033, adds
    ``marked`` and the triggers keeping ``article_speakers`` corrected)."""
    db.execute("""CREATE TABLE quote_corrections (
        id INTEGER PRIMARY KEY,
        article_id INTEGER REFERENCES articles(id) ON DELETE CASCADE,
        text_hash TEXT NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        is_quote INTEGER NOT NULL DEFAULT 1,
        speaker TEXT,
        speaker_kind TEXT,
        analyst TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        UNIQUE (text_hash, start, "end"))""")
    db.execute("CREATE INDEX quote_corrections_by_speaker ON quote_corrections "
               "(speaker COLLATE NOCASE)")
    db.execute("CREATE INDEX quote_corrections_by_article ON quote_corrections (article_id)")
    db.execute("""CREATE TABLE speaker_aliases (
        id INTEGER PRIMARY KEY,
        alias TEXT NOT NULL UNIQUE,
        speaker TEXT NOT NULL,
        speaker_kind TEXT,
        created_at TEXT NOT NULL)""")
    journal.track(db, "quote_corrections")
    journal.track(db, "speaker_aliases")
    # the triggers read ``marked``: migration 0033 adds it, then makes them


def create_triggers(db: Database) -> None:
    """(Re)create the triggers keeping ``article_speakers`` corrected (undo
    and redo write the corrections too, so the summary follows through
    them). Their bodies hold :func:`corrected_quotes_sql` as written when
    they were made: a migration that changes how corrections apply makes
    them again."""
    by_hash = "SELECT id FROM articles WHERE text_hash IN ({}.text_hash)"
    for event, rows in (("insert", ("new",)), ("update", ("old", "new")),
                        ("delete", ("old",))):
        articles = " UNION ".join(by_hash.format(r) for r in rows)
        db.execute(f"DROP TRIGGER IF EXISTS quote_corrections_speakers_{event}")
        db.execute(f"DROP TRIGGER IF EXISTS speaker_aliases_speakers_{event}")
        db.execute(f"""CREATE TRIGGER quote_corrections_speakers_{event}
            AFTER {event.upper()} ON quote_corrections BEGIN {_refresh_sql(articles)} END""")
        articles = " UNION ".join(affected_by_name(f"{r}.alias") for r in rows)
        db.execute(f"""CREATE TRIGGER speaker_aliases_speakers_{event}
            AFTER {event.upper()} ON speaker_aliases BEGIN {_refresh_sql(articles)} END""")
    # the summary of an article whose text changed, from its corrected quotes
    db.execute("DROP TRIGGER IF EXISTS articles_text_hash_speakers")
    db.execute(f"""CREATE TRIGGER articles_text_hash_speakers AFTER UPDATE OF text_hash
        ON articles WHEN new.text_hash IS NOT old.text_hash BEGIN
        {_refresh_sql("new.id")} END""")


#: Whether the correction of ``{k}`` (its ``text_hash``, ``start`` and
#: ``end``), stored before ``marked`` existed, was a "Mark as quote": what
#: the last journal step naming one of the two at those offsets says, else
#: whether no stored analysis of the text has a quote there (a "Set speaker"
#: was made on a quote shown, a mark on words no quote covered).
_WAS_MARKED_SQL = """coalesce(
    (SELECT m.marked FROM temp.named_corrections m WHERE m.text_hash = {k}.text_hash
     AND m.start = {k}.start AND m."end" = {k}."end"),
    NOT EXISTS (SELECT 1 FROM quotes q JOIN analyses n ON n.id = q.analysis_id
        WHERE n.text_hash = {k}.text_hash AND q.start = {k}.start AND q."end" = {k}."end"))"""


def add_marked(db: Database) -> None:
    """Migration ``0033_quote_corrections_marked``: ``quote_corrections.marked``
    (1: "Mark as quote", 0: "Set speaker" or "Not a quote"), the two were
    stored alike. Each correction stored is backfilled from the journal's
    step names, else from the analyses stored (:data:`_WAS_MARKED_SQL`);
    the journal's recorded states get the same value, so an older step still
    undoes. The triggers are made again with the new rule, and the speaker
    summaries of the articles with corrections refilled by them."""
    db.execute("ALTER TABLE quote_corrections ADD COLUMN marked INTEGER NOT NULL DEFAULT 0")
    journal.track(db, "quote_corrections")      # the new column is journaled too
    create_triggers(db)
    db.execute("""CREATE TEMP TABLE named_corrections AS
        SELECT json_extract(c.after, '$.text_hash') AS text_hash,
               json_extract(c.after, '$.start') AS start,
               json_extract(c.after, '$."end"') AS "end",
               s.name LIKE 'Mark as quote%' AS marked, max(c.step_id) AS step_id
        FROM journal_changes c JOIN journal_steps s ON s.id = c.step_id
        WHERE c.tbl = 'quote_corrections' AND json_extract(c.after, '$.is_quote') = 1
          AND (s.name LIKE 'Mark as quote%' OR s.name LIKE 'Set speaker%')
        GROUP BY 1, 2, 3""")
    # every row is updated, so that the triggers refill every summary concerned
    db.execute("UPDATE quote_corrections SET marked = CASE WHEN is_quote = 1 THEN "
               + _WAS_MARKED_SQL.format(k="quote_corrections") + " ELSE 0 END")
    for state in ("before", "after"):
        image = (f"(SELECT json_extract({state}, '$.text_hash') AS text_hash, "
                 f"json_extract({state}, '$.start') AS start, "
                 f"json_extract({state}, '$.\"end\"') AS \"end\")")
        db.execute(f"""UPDATE journal_changes SET {state} = json_set({state}, '$.marked',
            CASE WHEN json_extract({state}, '$.is_quote') = 1 THEN (
                SELECT {_WAS_MARKED_SQL.format(k="s")} FROM {image} s) ELSE 0 END)
            WHERE tbl = 'quote_corrections' AND {state} IS NOT NULL""")
    db.execute("DROP TABLE temp.named_corrections")


journal.register_kind("quote_corrections", changes.SPEAKERS)
journal.register_kind("speaker_aliases", changes.SPEAKERS)


def _speakers_of(db: Database, names) -> dict[str, dict]:
    """The alias rows of ``names`` (lower-cased)."""
    names = [entity_key(n) for n in names]
    if not names:
        return {}
    marks = ", ".join("?" for _ in names)
    return {r["alias"]: r for r in db.query(
        f"SELECT alias, speaker, speaker_kind FROM speaker_aliases WHERE alias IN ({marks})",
        names)}


def resolve(db: Database, name: str | None) -> str | None:
    """``name`` as merges show it (the name itself when not merged); spaces
    around it do not count, and are not returned (the speaker filters
    compare whole names: "Am Sam Ath " found nobody)."""
    if not name:
        return name
    name = name.strip()
    row = _speakers_of(db, [name]).get(entity_key(name))
    return row["speaker"] if row else name


def names_of(db: Database, speaker: str) -> list[str]:
    """Every name (lower case) shown as ``speaker``: its own and its aliases'."""
    key = entity_key(speaker)
    return [key] + [r[0] for r in db.execute(
        "SELECT alias FROM speaker_aliases WHERE lower(speaker) = ? AND alias != ?",
        [key, key])]


def quote_corrections(db: Database, text_hash: str) -> list[dict]:
    """The corrections of one article text, in text order."""
    return list(db.query(
        'SELECT id, start, "end", is_quote, speaker, speaker_kind, analyst, created_at '
        'FROM quote_corrections WHERE text_hash = ? ORDER BY start, "end"', [text_hash]))


def list_aliases(db: Database) -> list[dict]:
    """Every merged name: ``alias`` → ``speaker`` (``speaker_kind``)."""
    return list(db.query("SELECT alias, speaker, speaker_kind FROM speaker_aliases "
                         "ORDER BY speaker COLLATE NOCASE, alias"))


# -- writing -----------------------------------------------------------------
def _article(db: Database, article_id: int) -> tuple[str, int]:
    row = db.execute("SELECT text_hash, length(text) FROM articles WHERE id = ?",
                     [article_id]).fetchone()
    if row is None:
        raise SpeakerError(f"There is no article {article_id}.")
    return row


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise SpeakerError("A speaker needs a name.")
    return name


def _check_kind(kind: str) -> str:
    if kind not in SPEAKER_KINDS:
        raise SpeakerError(f"“{kind}” is not a kind of speaker (person or organisation).")
    return kind


def _put(db: Database, article_id: int, start: int, end: int, **values) -> None:
    """Store the correction of ``start``-``end``. ``marked`` 1 makes the
    passage a quote whatever the analysis finds; a speaker set on a passage
    the analyst had marked keeps it marked (it is still the analyst's quote)."""
    text_hash, length = _article(db, article_id)
    if not 0 <= start < end <= length:
        raise SpeakerError("That passage is not in the article's text.")
    db.execute(
        row_ids.insert_sql(db, "quote_corrections", (
            "article_id", "text_hash", "start", "end", "is_quote", "marked", "speaker",
            "speaker_kind", "analyst", "created_at"))
        + ' ON CONFLICT (text_hash, start, "end") DO UPDATE SET article_id = excluded.article_id, '
        "is_quote = excluded.is_quote, speaker = excluded.speaker, "
        "marked = CASE WHEN excluded.is_quote = 1 AND quote_corrections.is_quote = 1 "
        "THEN max(excluded.marked, quote_corrections.marked) ELSE excluded.marked END, "
        "speaker_kind = excluded.speaker_kind, analyst = excluded.analyst",
        [article_id, text_hash, start, end, values["is_quote"], values.get("marked", 0),
         values.get("speaker"), values.get("speaker_kind"), values.get("analyst", ""),
         utc_now()])


#: The columns a correction is copied with to an article's edited text.
_CARRIED_COLUMNS = ("is_quote", "marked", "speaker", "speaker_kind", "analyst", "created_at")


def carry_over(db: Database, article_id: int, old_hash: str, new_hash: str,
               stretch: tuple[int, int, int]) -> tuple[int, int]:
    """Copy the corrections of the text ``old_hash`` to the article's new text
    ``new_hash`` — edited in one ``stretch`` (see
    :func:`storage.anchoring.changed_stretch`) — at their quotes' new offsets
    (:func:`_carried_span`), inside the caller's journal step. Returns
    ``(kept, dropped)``: the corrections copied, and those of quotes the edit
    crossed the edge of or rewrote most of, not copied (the analysis of the
    new text cuts that quote anew).

    The old rows stay (the key is the text's: undo, or the old text typed
    back, finds them again). A row the new text has already at those offsets
    (it had this text once) takes the carried values: they are what the
    analyst saw last; its rows where one would have been carried, with none
    carried to them, are deleted (see :func:`_forget_removed`)."""
    if old_hash == new_hash:
        return 0, 0
    columns = ("article_id", "text_hash", "start", "end") + _CARRIED_COLUMNS
    insert = (row_ids.insert_sql(db, "quote_corrections", columns)
              + ' ON CONFLICT (text_hash, start, "end") DO UPDATE SET '
              + ", ".join(f"{c} = excluded.{c}" for c in ("article_id",) + _CARRIED_COLUMNS))
    rows = db.execute(f'SELECT start, "end", {", ".join(_CARRIED_COLUMNS)} '
                      "FROM quote_corrections WHERE text_hash = ? ORDER BY start, \"end\"",
                      [old_hash]).fetchall()
    kept = 0
    carried: set[tuple[int, int]] = set()
    for start, end, *values in rows:
        found = _carried_span(stretch, start, end)
        if found is not None:
            db.execute(insert, [article_id, new_hash, *found, *values])
            carried.add(found)
            kept += 1
    _forget_removed(db, new_hash, stretch, carried)
    return kept, len(rows) - kept


def _carried_span(stretch: tuple[int, int, int], start: int, end: int
                  ) -> tuple[int, int] | None:
    """Where the correction of the old text's ``start``-``end`` goes in the
    edited text: moved with its words when the edit lies wholly before or
    after it; following the edit when the edit lies inside it and leaves
    half of it as it was — the rule passages follow
    (:func:`storage.anchoring.follow_edit`), so a correction follows a typo
    fix as a passage on the same words does; the real pipeline cuts the
    fixed quote at those offsets (start kept, end moved), where the
    correction then applies. None otherwise."""
    return (outside_edit(stretch, start=start, end=end)
            or follow_edit(stretch, start=start, end=end))


def _carried_from(stretch: tuple[int, int, int], start: int, end: int
                  ) -> tuple[int, int] | None:
    """The old text's span whose correction :func:`_carried_span` would carry
    to the new text's ``start``-``end``; None when none would be (the edit
    crosses that span's edge or rewrote most of it)."""
    begin, old_end, new_end = stretch
    shift = new_end - old_end
    if end <= begin:
        old = (start, end)
    elif start >= new_end:
        old = (start - shift, end - shift)
    else:
        old = (start, end - shift)
    return old if _carried_span(stretch, *old) == (start, end) else None


def _forget_removed(db: Database, new_hash: str, stretch: tuple[int, int, int],
                    carried: set[tuple[int, int]]) -> None:
    """Delete the new text's own older rows (it had this text once) where a
    row of the old text would have been carried (:func:`_carried_from`) and
    none was: the analyst removed that correction since, on the old text,
    and reverting an edit — a typo fixed inside the quote undone by typing
    it back, too — must not bring it back. Rows the old text could not say
    anything of (the edit crossed their edge or rewrote them) stay. Plain
    deletes in the caller's journal step, so undo puts them back."""
    stale = [row_id for row_id, start, end in db.execute(
        'SELECT id, start, "end" FROM quote_corrections WHERE text_hash = ?',
        [new_hash]).fetchall()
        if (start, end) not in carried and _carried_from(stretch, start, end) is not None]
    for row_id in stale:
        db.execute("DELETE FROM quote_corrections WHERE id = ?", [row_id])


def _analysed_at(db: Database, text_hash: str, start: int, end: int) -> bool:
    """Whether an analysis of this text found a quote at ``start``-``end``."""
    return db.execute(
        "SELECT 1 FROM quotes q JOIN analyses n ON n.id = q.analysis_id "
        'WHERE n.text_hash = ? AND q.start = ? AND q."end" = ? LIMIT 1',
        [text_hash, start, end]).fetchone() is not None


def set_speaker(db: Database, article_id: int, start: int, end: int, speaker: str,
                kind: str = PERSON, *, analyst: str = "") -> None:
    """Say who said the quote at ``start``-``end`` of the article (kept
    through re-analysis while an analysis finds that quote at those offsets).
    Where no analysis found a quote there, it marks the passage as a quote of
    ``speaker``, as :func:`mark_as_quote` does."""
    speaker, kind = _clean_name(speaker), _check_kind(kind)
    with journal.recorded(db, f"Set speaker “{speaker}”", analyst=analyst):
        text_hash, _length = _article(db, article_id)
        _put(db, article_id, start, end, is_quote=1, speaker=speaker, speaker_kind=kind,
             marked=int(not _analysed_at(db, text_hash, start, end)), analyst=analyst)


def mark_as_quote(db: Database, article_id: int, start: int, end: int, speaker: str,
                  kind: str = PERSON, *, analyst: str = "") -> None:
    """Make the passage ``start``-``end`` a quote of ``speaker``, whatever a
    later analysis finds there."""
    speaker, kind = _clean_name(speaker), _check_kind(kind)
    with journal.recorded(db, f"Mark as quote of “{speaker}”", analyst=analyst):
        _put(db, article_id, start, end, is_quote=1, speaker=speaker, speaker_kind=kind,
             marked=1, analyst=analyst)


def mark_not_quote(db: Database, article_id: int, start: int, end: int, *,
                   analyst: str = "") -> None:
    """Say the quote at ``start``-``end`` is not a quote: it leaves the
    reader, the tabs, filters, auto-tag and exports (a passage the analyst
    had marked as a quote is simply unmarked)."""
    with journal.recorded(db, "Not a quote", analyst=analyst):
        text_hash, _length = _article(db, article_id)
        if _analysed_at(db, text_hash, start, end):
            _put(db, article_id, start, end, is_quote=0, analyst=analyst)
        else:
            db.execute('DELETE FROM quote_corrections WHERE text_hash = ? AND start = ? '
                       'AND "end" = ?', [text_hash, start, end])


def clear_correction(db: Database, article_id: int, start: int, end: int, *,
                     analyst: str = "") -> None:
    """Forget the correction of one quote: the analysis' reading again."""
    with journal.recorded(db, "Clear quote correction", analyst=analyst):
        text_hash, _length = _article(db, article_id)
        db.execute('DELETE FROM quote_corrections WHERE text_hash = ? AND start = ? '
                   'AND "end" = ?', [text_hash, start, end])


def merge_speakers(db: Database, names: list[str], speaker: str,
                   kind: str | None = None, *, analyst: str = "") -> None:
    """Show every name of ``names`` as ``speaker`` across the corpus ("press
    release" = "press release from the ministry"); names already merged
    into one of ``names`` follow. ``kind`` (person/organisation) is that of
    the merged speaker, if given."""
    speaker = _clean_name(speaker)
    if kind is not None:
        _check_kind(kind)
    keys = list(dict.fromkeys(entity_key(_clean_name(n)) for n in names))
    if len(set(keys) | {entity_key(speaker)}) < 2:
        raise SpeakerError("Select two or more speakers to merge.")
    target = entity_key(speaker)
    with journal.recorded(db, f"Merge speakers into “{speaker}”", analyst=analyst):
        # names merged earlier into one of these follow them
        marks = ", ".join("?" for _ in keys)
        keys += [r[0] for r in db.execute(
            f"SELECT alias FROM speaker_aliases WHERE lower(speaker) IN ({marks})", keys)
            if r[0] not in keys]
        for key in keys:
            if key == target:
                continue
            db.execute(
                row_ids.insert_sql(db, "speaker_aliases", _ALIAS_COLUMNS)
                + " ON CONFLICT (alias) DO UPDATE SET "
                "speaker = excluded.speaker, speaker_kind = excluded.speaker_kind",
                [key, speaker, kind, utc_now()])
        # the merged speaker is itself shown under this spelling and kind
        # (a row only where either differs from the analysis'); its row is
        # kept and updated, not deleted and inserted again: the journal would
        # hold two rows with one alias, and an undo or redo, which inserts
        # before it deletes, failed on the alias' UNIQUE
        spelling, analysed_kind = _in_use(db, target)
        if speaker != spelling or (kind is not None and kind != analysed_kind):
            db.execute(row_ids.insert_sql(db, "speaker_aliases", _ALIAS_COLUMNS)
                       + " ON CONFLICT (alias) DO UPDATE SET "
                       "speaker = excluded.speaker, speaker_kind = excluded.speaker_kind",
                       [target, speaker, kind, utc_now()])
        else:
            db.execute("DELETE FROM speaker_aliases WHERE alias = ?", [target])


def _in_use(db: Database, key: str) -> tuple[str | None, str | None]:
    """How the analysis spells the speaker ``key`` and its kind (None, None
    if no quote has it)."""
    row = db.execute("SELECT speaker, speaker_kind FROM quotes WHERE speaker = ? "
                     "COLLATE NOCASE LIMIT 1", [key]).fetchone()
    return (row[0], row[1]) if row else (None, None)


def unmerge_speaker(db: Database, name: str, *, analyst: str = "") -> None:
    """Show ``name`` as analysed again (it leaves the speaker it was merged
    into)."""
    with journal.recorded(db, f"Unmerge speaker “{name}”", analyst=analyst):
        db.execute("DELETE FROM speaker_aliases WHERE alias = ?", [entity_key(name)])
