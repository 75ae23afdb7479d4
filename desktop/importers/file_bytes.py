"""Reading a file's bytes within a size limit, and decoding text in any of
the encodings analysts' files come in (UTF-8 with or without BOM, UTF-16,
cp1252, latin-1), detected with charset-normalizer; a page's or an
e-mail's declared latin-1 or us-ascii is read as cp1252."""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from desktop.importers.article_text import ESCAPES
from desktop.importers.drafts import ImportProblem

MB = 1024 * 1024
#: The largest file holding one article (text, page, e-mail, Word, PDF).
MAX_ARTICLE_BYTES = 50 * MB
#: The largest .json batch file (read whole; .csv and .jsonl are streamed, any
#: size).
MAX_BATCH_BYTES = 200 * MB

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
         (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
         (codecs.BOM_UTF8, "utf-8", "UTF-8"),
         (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
         (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"))
#: What charset-normalizer may choose from when a file is not UTF-8. cp1252
#: covers latin-1 text too (they differ only in C1 control codes, which real
#: text does not use).
_CANDIDATES = ["utf_16_le", "utf_16_be", "cp1252", "latin_1"]
_ALLOWED_CONTROLS = set("\t\n\r\f\v")
#: Charset labels the WHATWG Encoding Standard reads as Windows-1252, as
#: browsers and mail clients do: pages and e-mails labelled iso-8859-1 or
#: us-ascii hold its curly quotes and dashes (bytes 0x80–0x9F), which
#: Latin-1 reads as invisible control codes. (latin-1: Python's spelling.)
WINDOWS_1252_LABELS = frozenset({
    "ansi_x3.4-1968", "ascii", "cp1252", "cp819", "csisolatin1", "ibm819", "iso-8859-1",
    "iso-ir-100", "iso8859-1", "iso88591", "iso_8859-1", "iso_8859-1:1987", "l1", "latin1",
    "latin-1", "us-ascii", "windows-1252", "x-cp1252"})
#: The error handler reading Windows-1252's five undefined bytes (0x81,
#: 0x8D, 0x8F, 0x90, 0x9D) as Latin-1, as the WHATWG standard does.
LATIN_1_FALLBACK = "dossier-latin-1-fallback"
codecs.register_error(LATIN_1_FALLBACK, lambda error: (
    error.object[error.start:error.end].decode("latin-1"), error.end))
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """The file's bytes; :class:`ImportProblem` if unreadable, empty or larger
    than ``limit`` (default :data:`MAX_ARTICLE_BYTES`)."""
    limit = limit or MAX_ARTICLE_BYTES
    try:
        size = path.stat().st_size
        if size > limit:
            raise ImportProblem(f"too large: {size / MB:.1f} MB, the limit is "
                                f"{limit / MB:g} MB")
        data = path.read_bytes()
    except OSError as error:
        raise ImportProblem(f"cannot be read: {error.strerror or error}") from error
    if not data.strip():
        raise ImportProblem("empty file")
    return data


def looks_binary(text: str, dropped_nuls: int = 0) -> bool:
    """Whether decoded text is really binary data (NULs, many control codes;
    ``dropped_nuls`` stray NULs taken out of it count as control codes)."""
    return _looks_binary(text, dropped_nuls)


def _looks_binary(text: str, dropped_nuls: int = 0) -> bool:
    # a terminal's escape sequences (colour codes in a pasted log) are text
    # that import drops (article_text.normalise), not signs of binary data
    head = ESCAPES.sub("", text[:20000])
    controls = dropped_nuls + sum(1 for ch in head if ch not in _ALLOWED_CONTROLS
                                  and unicodedata.category(ch) == "Cc")
    return "\x00" in text or controls > max(2, len(text[:20000]) // 200)


#: At most this share of a file's bytes may be NUL for it to count as text
#: with stray NULs (dropped, with a note). UTF-16 without a BOM, which this
#: must not be mistaken for, has NULs in about half its bytes in Latin
#: scripts, and is not UTF-8 once they are gone in others.
STRAY_NUL_SHARE = 0.05


def few_nuls(count: int, length: int) -> bool:
    """Whether ``count`` NUL bytes in ``length`` are stray ones (some, and at
    most :data:`STRAY_NUL_SHARE` of them), dropped from text with a note."""
    return 0 < count <= max(1, int(length * STRAY_NUL_SHARE))


def nul_note(count: int) -> str:
    """The note saying ``count`` stray NULs were dropped from a file."""
    return (f"{count} NUL byte{'s' if count != 1 else ''} removed (a stray "
            f"control character, not text)")


def decode_text(data: bytes, notes: list[str] | None = None) -> str:
    """Text from bytes: a BOM decides; else UTF-8 if it decodes; else the
    encoding charset-normalizer finds. Binary data raises :class:`ImportProblem`.

    A few stray NUL bytes in otherwise good text (a UTF-8 or ASCII file
    with one NUL used to be read as UTF-16 mojibake) are dropped, and a note
    saying how many is appended to ``notes``."""
    text = None
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(codec)
            except UnicodeDecodeError as error:
                raise ImportProblem(f"damaged {name} text (byte {error.start})") from error
            break
    if text is None and (b"\x00" not in data[:8192]
                         or few_nuls(data.count(b"\x00"), len(data))):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _mostly_utf8(data, notes)
    if text is None:
        import charset_normalizer

        best = charset_normalizer.from_bytes(data, cp_isolation=_CANDIDATES).best()
        if best is None:
            raise undecodable(data)
        text = str(best)
    nuls = text.count("\x00")
    if few_nuls(nuls, len(text)):
        text = text.replace("\x00", "")
    else:
        nuls = 0
    if _looks_binary(text, nuls):
        raise ImportProblem("binary file, not text")
    if nuls and notes is not None:
        notes.append(nul_note(nuls))
    return text


#: Bytes no text file holds (C0 control codes but tab, line and page breaks).
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")
#: What a text file in another encoding is told to become.
OTHER_ENCODING = ("text in an encoding Dossier does not read (it reads UTF-8, UTF-16 and "
                  "Windows-1252/Latin-1; this may be e.g. Windows-1251, Shift-JIS or GBK): "
                  "save it as UTF-8 and import it again")


def undecodable(data: bytes) -> ImportProblem:
    """Why ``data``, in none of the encodings Dossier reads, is refused: it
    is binary, or — no more control bytes than text has — text in another
    encoding (a legacy Cyrillic, Arabic, Greek or East Asian code page),
    which the analyst can save as UTF-8. No encoding is guessed."""
    head = data[:20000]
    if len(_CONTROL_BYTES.findall(head)) > max(2, len(head) // 200):
        return ImportProblem("binary file, not text")
    return ImportProblem(OTHER_ENCODING)


_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}"
                            rb"|[\xf0-\xf4][\x80-\xbf]{3}")


def _mostly_utf8(data: bytes, notes: list[str] | None) -> str | None:
    """UTF-8 text with a few bytes of another encoding pasted in (one
    Latin-1 "é" in a UTF-8 file): those bytes read as Windows-1252 (Latin-1
    where it has no character) and said in ``notes``. None when the file is
    not UTF-8 at all: no UTF-8 sequence in it, or more stray bytes than 3
    and than 1 in 10 of its UTF-8 sequences. One pass over the bytes."""
    sequences = len(_UTF8_SEQUENCE.findall(data))
    text = data.decode("utf-8", "surrogateescape")    # a stray byte → U+DC80–U+DCFF
    stray = len(_ESCAPED.findall(text))
    if not stray or stray > max(3, sequences // 10):
        return None
    if notes is not None:
        notes.append(f"{stray} byte{'s' if stray != 1 else ''} not UTF-8 read as "
                     f"Windows-1252 (the rest of the file is UTF-8)")
    return _ESCAPED.sub(lambda m: _single_byte(ord(m.group()) - 0xDC00), text)


_ESCAPED = re.compile("[\udc80-\udcff]")


def _single_byte(value: int) -> str:
    """A byte read as Windows-1252, or Latin-1 where it has no character."""
    return windows_1252(bytes([value]))


def windows_1252(data: bytes) -> str:
    """``data`` read as Windows-1252, its five undefined bytes as Latin-1."""
    return data.decode("cp1252", LATIN_1_FALLBACK)


def decode_declared(data: bytes, charset: str) -> str:
    """``data`` in the ``charset`` a page or an e-mail part declares, one of
    :data:`WINDOWS_1252_LABELS` read as Windows-1252. Raises LookupError
    (an unknown charset) or UnicodeDecodeError (a wrong one)."""
    label = charset.strip().lower()
    return windows_1252(data) if label in WINDOWS_1252_LABELS else data.decode(label)


def decode_html(data: bytes, sent_charset: str | None = None) -> str:
    """A web page's text: its BOM, else the charset its server sent with it
    (``sent_charset``, from the Content-Type header), else a charset its
    <meta> declares (each as :func:`decode_declared` reads it), else as
    :func:`decode_text` finds — the order browsers follow. (A page whose
    charset only its server named, windows-1251 or windows-1250, was refused
    or read as Windows-1252.)"""
    if not any(data.startswith(bom) for bom, _, _ in _BOMS):
        declared = _META_CHARSET.search(data[:4096])
        for charset in (sent_charset, declared and declared.group(1).decode("ascii")):
            if charset:
                try:
                    return decode_declared(data, charset)
                except (LookupError, UnicodeDecodeError):
                    pass  # a wrong declaration: the next, else detect
    return decode_text(data)
