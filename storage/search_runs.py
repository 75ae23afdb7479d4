"""Finding a word inside a run of text written without spaces.

Chinese, Japanese, Thai, Khmer, Lao, Myanmar and Tibetan are written without
spaces between words. FTS5's unicode61 tokenizer makes a run of such text
one token (“中国政府表示将加强监管”), or cuts it at the vowel signs and
other marks it counts as separators (Thai, Khmer: “ฐบาลก”, “มพ”,
“ชาประกาศว”), so a word searched alone (政府, กัมพูชา) matches no token.

:func:`inside_runs` turns such a word into the FTS5 expression of the
indexed tokens that hold it, read from the indexes' vocabularies
(``fts5vocab`` tables made in the connection's temp schema: nothing is
written to the file, and importing costs nothing more). The word's own
tokens (as unicode61 cuts it at its marks) say what to look up:

- one token: the indexed tokens containing it (an infix);
- several: the first must end an indexed token, the middle ones be whole
  tokens, the last start one — a phrase whose first token is each indexed
  token ending so and whose last is a prefix.

A run is an indexed token holding a character of these scripts, wherever
it starts: unicode61 glues figures and Latin letters to the text that
follows them (“2024年5月10日”, “iphone手机”, “a股市场”). The tokens
starting from U+0E00 on (Thai and every script after it) are read for each
word, filtered in SQL. The tokens starting below it — Latin, Cyrillic or
Arabic words and figures, most of an index — are read once until the file
changes, to keep the runs among them (:func:`_runs_below`); reading them
walks every occurrence of those words, so beyond :data:`MAX_OTHER_TOKENS`
tokens or :data:`MAX_OTHER_WORDS` occurrences they are not read and only
the runs starting from U+0E00 on are looked inside. A search for a word of a Latin script never comes here
(``storage.article_query`` sends only words holding a character of these
scripts).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlite_utils import Database

from storage.schema import ARTICLES_FTS, MEMOS_FTS, NOTES_FTS

#: Characters of the scripts written without spaces between words (Thai,
#: Lao, Tibetan, Myanmar, Khmer, CJK ideographs, kana, bopomofo).
_SPACELESS = re.compile(
    "[\u0e00-\u0fff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff\u2e80-\u2fdf"
    "\u3040-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
    "\U00020000-\U0003ffff]")

#: The lowest first character of the indexed tokens looked up.
_FIRST = "\u0e00"

#: The most indexed tokens one word becomes: beyond, the FTS5 expression
#: gets slow to run (measured: 11,000 tokens, 0.4 s a query over 1,000
#: Chinese articles; so about 75 ms at 2,000); the search then says so
#: rather than run for seconds.
MAX_TOKENS = 2000

_TOKENIZER = "unicode61 remove_diacritics 2"
_INDEXES = (ARTICLES_FTS, MEMOS_FTS, NOTES_FTS)


#: The most indexed tokens of these scripts (all three indexes) whose
#: vocabulary is read to look inside them: reading it costs about 0.2 s a
#: million tokens (100,000 Chinese articles, 6 M distinct runs: 1.2 s a
#: read, 2.3 s a word). A corpus holding more gets a message instead of a
#: search that stalls; counted by a probe, not a read (0.03 s).
MAX_VOCABULARY = 500_000

#: The most tokens starting below U+0E00 (Latin words, figures) read to
#: find the runs among them (“2024年5月”), and the most occurrences of
#: them: fts5vocab walks every occurrence of each token it lists. Measured:
#: about 0.55–0.8 µs a token and 20 ns an occurrence (34,000 tokens
#: occurring 2.1 M times, 66 ms; 426,000 occurring 6.1 M times, 0.33 s), so
#: at most about 0.15 s once until the file changes. 3,000 generated
#: Chinese articles hold 19,840 such tokens occurring 25,426 times; 9,000
#: generated English articles of 300 words, 403,579 occurring 2.75 M
#: times. Beyond either, those runs are not looked inside: past the
#: occurrences, known from the indexes' totals, nothing is read; past the
#: tokens, MAX_OTHER_TOKENS of them were (0.12 s measured, for nothing).
MAX_OTHER_TOKENS = 150_000
MAX_OTHER_WORDS = 3_000_000


class TooManyTokens(ValueError):
    """A word is inside more distinct runs of text than :data:`MAX_TOKENS`;
    or, ``too_much_text``, the indexes hold more such runs than
    :data:`MAX_VOCABULARY` (nothing was read)."""

    def __init__(self, word: str, *, too_much_text: bool = False):
        super().__init__(word)
        self.too_much_text = too_much_text


def is_spaceless(word: str) -> bool:
    """Whether ``word`` holds a character of a script written without spaces."""
    return _SPACELESS.search(word) is not None


def _vocabulary(index: str) -> str:
    """The temp ``fts5vocab`` table (one row per token) over ``index``."""
    return f"temp.{index}_tokens"


@contextmanager
def _temp_writes(db: Database) -> Iterator[None]:
    """Writes to the temp schema, on a read-only file too: its connection
    is ``query_only`` (``storage.database``), which refuses even those; the
    file itself stays read-only (opened ``mode=ro``)."""
    query_only = db.execute("PRAGMA query_only").fetchone()[0]
    if query_only:
        db.execute("PRAGMA query_only = OFF")
    try:
        yield
    finally:
        if query_only:
            db.execute("PRAGMA query_only = ON")


def _prepare(db: Database) -> None:
    """The connection's temp tables: a vocabulary per index, and an FTS5
    table with the indexes' tokenizer, to cut a search word as they cut
    texts. Temp tables live in the connection's memory, not in the file."""
    if db.execute("SELECT 1 FROM temp.sqlite_master WHERE name = 'search_word'").fetchone():
        return
    for index in _INDEXES:
        db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {_vocabulary(index)} "
                   f"USING fts5vocab(main, {index}, row)")
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_word_tokens "
               "USING fts5vocab(temp, search_word, instance)")
    db.execute(f"CREATE VIRTUAL TABLE temp.search_word USING fts5(word, tokenize='{_TOKENIZER}')")


def tokens(db: Database, word: str) -> list[str]:
    """``word`` cut into tokens as the indexes cut text (folded, in order)."""
    with _temp_writes(db):
        _prepare(db)
        db.execute("DELETE FROM temp.search_word")
        db.execute("INSERT INTO temp.search_word (rowid, word) VALUES (1, ?)", [word])
        found = [r[0] for r in db.execute(
            "SELECT term FROM temp.search_word_tokens ORDER BY offset")]
        db.execute("DELETE FROM temp.search_word")
    return found


def _holding(db: Database, test: str, part: str, below: set[str]) -> list[str]:
    """The runs for which the SQL ``test`` over ``term`` and ``?``
    (= ``part``) holds, in every index: read for the tokens starting from
    U+0E00 on; ``below`` (:func:`_runs_below`, already filtered by the
    caller with the same test) joins them."""
    found = set(below)
    if len(found) > MAX_TOKENS:
        raise TooManyTokens(part)
    for index in _INDEXES:
        found.update(r[0] for r in db.execute(
            f"SELECT term FROM {_vocabulary(index)} WHERE term >= ? AND {test}",
            [_FIRST, part]))
        if len(found) > MAX_TOKENS:
            raise TooManyTokens(part)
    return sorted(found)


def _quoted(tokens_: list[str]) -> str:
    return '"' + " ".join(t.replace('"', '""') for t in tokens_) + '"'


def _state(db: Database) -> tuple[int, int]:
    """What the indexes' vocabularies depend on: another connection's
    commit (``data_version``) or this one's journal step (every change to an
    article's text or a note is one)."""
    return (db.execute("PRAGMA data_version").fetchone()[0],
            db.execute("SELECT ifnull(max(id), 0) FROM journal_steps").fetchone()[0])


def _kept(db: Database) -> dict:
    """This connection's expansions of the state it was read in: one
    search asks for a word's expansion several times (the list, its count,
    the reader's marks of each article opened); worked out once."""
    state = _state(db)
    kept = db.__dict__.get("_search_runs")
    if kept is None or kept["state"] != state:
        kept = {"state": state, "words": {}, "below": None}
        db._search_runs = kept
    return kept


def _count_above(db: Database) -> int | None:
    """How many tokens starting from U+0E00 on the indexes hold; None when
    more than :data:`MAX_VOCABULARY` (a probe at that offset, not a read)."""
    with _temp_writes(db):
        _prepare(db)
    total = 0
    for index in _INDEXES:
        left = MAX_VOCABULARY - total
        if db.execute(f"SELECT 1 FROM {_vocabulary(index)} WHERE term >= ? "
                      "LIMIT 1 OFFSET ?", [_FIRST, left]).fetchone():
            return None
        total += db.execute(f"SELECT count(*) FROM (SELECT 1 FROM {_vocabulary(index)} "
                            "WHERE term >= ? LIMIT ?)", [_FIRST, left]).fetchone()[0]
    return total


def _varints(blob: bytes) -> list[int]:
    """The SQLite varints ``blob`` is made of (big-endian, 7 bits a byte
    while the high bit is set; a ninth byte gives all 8)."""
    values, i = [], 0
    while i < len(blob):
        value = 0
        for n in range(9):
            byte = blob[i]
            i += 1
            if n == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80 or i == len(blob):
                break
        values.append(value)
    return values


def _occurrences(db: Database) -> int:
    """How many token occurrences the indexes hold in all. FTS5 keeps each
    index's totals in row 1 of its ``_data`` table (the rows, then each
    column's tokens, as varints; what bm25() reads): one row, where
    counting through fts5vocab walks the whole index."""
    total = 0
    for index in _INDEXES:
        row = db.execute(f"SELECT block FROM {index}_data WHERE id = 1").fetchone()
        if row is not None:
            total += sum(_varints(row[0])[1:])
    return total


def _runs_below(db: Database) -> list[str]:
    """The runs among the tokens starting below U+0E00 (“2024年5月10日”,
    “iphone手机”), in every index. :class:`TooManyTokens`
    (``too_much_text``) when they and the tokens from U+0E00 on are more
    than :data:`MAX_VOCABULARY`; none when the tokens below U+0E00 are
    more than :data:`MAX_OTHER_TOKENS` or may occur more than
    :data:`MAX_OTHER_WORDS` times (too long to read)."""
    above = _count_above(db)
    if above is None:
        raise TooManyTokens("", too_much_text=True)
    # each token from U+0E00 on occurs at least once: the rest is a bound
    # on the occurrences below, known before reading any
    if _occurrences(db) - above > MAX_OTHER_WORDS:
        return []
    found: set[str] = set()
    walked = 0
    for index in _INDEXES:
        # only the tokens holding a character beyond ASCII (more bytes than
        # characters) come to Python, whose regex then tests them (SQLite's
        # GLOB with this character class took three times as long); a
        # Latin corpus's words cost no Python row each
        count, wide = db.execute(
            "SELECT count(*), json_group_array(term) FILTER "
            "(WHERE length(CAST(term AS BLOB)) > length(term)) "
            f"FROM (SELECT term FROM {_vocabulary(index)} WHERE term < ? LIMIT ?)",
            [_FIRST, MAX_OTHER_TOKENS - walked + 1]).fetchone()
        walked += count
        if walked > MAX_OTHER_TOKENS:
            return []
        found.update(t for t in json.loads(wide) if _SPACELESS.search(t))
        if above + len(found) > MAX_VOCABULARY:
            raise TooManyTokens("", too_much_text=True)
    return sorted(found)


def inside_runs(db: Database, word: str) -> str:
    """An FTS5 expression matching ``word`` (one search word holding a
    character of a script written without spaces) wherever it is in the
    indexed text, inside a longer run too; the word itself when nothing
    holds it. :class:`TooManyTokens` when it is in too many runs, or the
    indexes hold too many (``too_much_text``). Kept per connection until
    the file changes (:func:`_kept`)."""
    kept = _kept(db)
    if word not in kept["words"]:
        try:
            kept["words"][word] = _expanded(db, word)
        except TooManyTokens as error:
            kept["words"][word] = error
    found = kept["words"][word]
    if isinstance(found, TooManyTokens):
        raise found
    return found


def _kept_runs_below(db: Database, word: str) -> list[str]:
    """:func:`_runs_below`, read once per state of the file (:func:`_kept`)
    for every word searched; :class:`TooManyTokens` for ``word``."""
    kept = _kept(db)
    if kept["below"] is None:
        try:
            kept["below"] = _runs_below(db)
        except TooManyTokens as error:
            kept["below"] = error
    if isinstance(kept["below"], TooManyTokens):
        raise TooManyTokens(word, too_much_text=True)
    return kept["below"]


def _expanded(db: Database, word: str) -> str:
    """:func:`inside_runs`' expression, worked out from the vocabularies."""
    below = _kept_runs_below(db, word)
    parts = tokens(db, word)
    if not parts:
        return _quoted([word])
    if len(parts) == 1:
        part = parts[0]
        found = _holding(db, "instr(term, ?) > 0", part, {t for t in below if part in t})
        phrases = [_quoted([t]) for t in found]
    else:
        first, rest = parts[0], parts[1:]
        found = _holding(db, "substr(term, -length(?2)) = ?2", first,
                         {t for t in below if t.endswith(first)})
        phrases = [_quoted([t] + rest) + "*" for t in found]
    own = _quoted(parts) + ("" if len(parts) == 1 else "*")
    if own not in phrases:
        phrases.append(own)
    return phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")"
