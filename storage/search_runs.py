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

Only indexed tokens starting with a character from U+0E00 on are looked
up (Thai and every script after it): the vocabulary of Latin, Cyrillic,
Arabic or Devanagari words, most of an index, is never read. So a word is
not found inside a run that begins with a Latin letter or a digit
(“2024年5月”: 5月).
"""

from __future__ import annotations

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


def _holding(db: Database, test: str, part: str) -> list[str]:
    """The indexed tokens (first character from U+0E00 on) for which the SQL
    ``test`` over ``term`` and ``?`` (= ``part``) holds, in every index."""
    found: set[str] = set()
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
        kept = {"state": state, "words": {}, "readable": None}
        db._search_runs = kept
    return kept


def _vocabulary_readable(db: Database) -> bool:
    """Whether the indexes hold at most :data:`MAX_VOCABULARY` tokens of
    these scripts (a probe at that offset, not a read)."""
    with _temp_writes(db):
        _prepare(db)
    total = 0
    for index in _INDEXES:
        left = MAX_VOCABULARY - total
        if db.execute(f"SELECT 1 FROM {_vocabulary(index)} WHERE term >= ? "
                      "LIMIT 1 OFFSET ?", [_FIRST, left]).fetchone():
            return False
        total += db.execute(f"SELECT count(*) FROM (SELECT 1 FROM {_vocabulary(index)} "
                            "WHERE term >= ? LIMIT ?)", [_FIRST, left]).fetchone()[0]
    return True


def inside_runs(db: Database, word: str) -> str:
    """An FTS5 expression matching ``word`` (one search word holding a
    character of a script written without spaces) wherever it is in the
    indexed text, inside a longer run too; the word itself when nothing
    holds it. :class:`TooManyTokens` when it is in too many runs, or the
    indexes hold too many (``too_much_text``). Kept per connection until
    the file changes (:func:`_kept`)."""
    kept = _kept(db)
    if word not in kept["words"]:
        if kept["readable"] is None:
            kept["readable"] = _vocabulary_readable(db)
        try:
            if not kept["readable"]:
                raise TooManyTokens(word, too_much_text=True)
            kept["words"][word] = _expanded(db, word)
        except TooManyTokens as error:
            kept["words"][word] = error
    found = kept["words"][word]
    if isinstance(found, TooManyTokens):
        raise found
    return found


def _expanded(db: Database, word: str) -> str:
    """:func:`inside_runs`' expression, worked out from the vocabularies."""
    parts = tokens(db, word)
    if not parts:
        return _quoted([word])
    if len(parts) == 1:
        found = _holding(db, "instr(term, ?) > 0", parts[0])
        phrases = [_quoted([t]) for t in found]
    else:
        first, rest = parts[0], parts[1:]
        found = _holding(db, "substr(term, -length(?2)) = ?2", first)
        phrases = [_quoted([t] + rest) + "*" for t in found]
    own = _quoted(parts) + ("" if len(parts) == 1 else "*")
    if own not in phrases:
        phrases.append(own)
    return phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")"
