"""Roles and titles the articles give an entity, and names that are likely
the same entity — plain Python over stored text and entity offsets (no spaCy,
no storage, no Qt).

Roles come from three places around a mention ``text[start:end]``:

- a title just before the name: the run of capitalised words (with "of",
  "and", "for", "the" inside) ending at the name — "Deputy Prime Minister
  and Minister of Interior Sar Sokha" gives "Deputy Prime Minister" and
  "Minister of Interior";
- an apposition just after it: "Andrew Giles, Australia's Minister for
  Immigration, …" gives "Australia's Minister for Immigration";
- the surface itself, when spaCy took the title in ("Deputy Prime Minister
  Sar Sokha").

Either must hold a role word (:data:`ROLE_WORDS`: minister, chief, director,
spokesperson …), so that "Phnom Penh" or "Cambodian" never read as roles.

Alias suggestions (:func:`alias_suggestions`): two names are proposed as one
entity when, titles set aside, the words of one are the last words of the
other or all among them ("Sokha" ≈ "Sar Sokha" ≈ "Deputy Prime Minister Sar
Sokha"). They are only proposed; the analyst accepts them.
"""

from __future__ import annotations

import re
from collections import Counter

#: Words that make a phrase a role or title (lower case).
ROLE_WORDS = frozenset("""
minister ministers deputy prime president vice chief head director general
secretary spokesman spokeswoman spokesperson ambassador commissioner commander
officer governor chairman chairwoman chair chairperson ceo founder leader
king queen prince senator mp lawmaker judge prosecutor attorney police
inspector superintendent colonel lieutenant major captain sergeant lt gen col
envoy consul counsellor counselor adviser advisor undersecretary premier mayor
official representative delegate manager executive coordinator investigator
detective agent analyst researcher professor dr chancellor deputy-director
""".split())

_CONNECTORS = {"of", "and", "for", "the", "on", "de", "&"}
_TOKEN = re.compile(r"[\w’'.-]+|[^\w\s]")
_TITLE_WORDS = ROLE_WORDS | _CONNECTORS
#: How far around a mention a role is looked for (code points).
WINDOW = 160


def _is_role(phrase: str) -> bool:
    words = re.findall(r"[\w-]+", phrase.lower())
    return any(w in ROLE_WORDS or w.rstrip("s") in ROLE_WORDS for w in words)


def _split_roles(phrase: str) -> list[str]:
    """"Deputy Prime Minister and Minister of Interior" → both roles, when
    each side of "and" is a role by itself."""
    phrase = " ".join(phrase.split()).strip(" ,;:-")
    parts = [p.strip() for p in re.split(r"\s+and\s+", phrase)]
    if len(parts) > 1 and all(_is_role(p) for p in parts):
        return parts
    return [phrase] if phrase else []


def title_before(text: str, start: int, name: frozenset[str] = frozenset()) -> str:
    """The capitalised title run ending just before ``start`` ("" if none).
    ``name``: the entity's name words (lower case) — spaCy may take only
    "Sokha" of "Minister of Interior Sar Sokha", and "Sar" is the name's,
    not the title's."""
    before = text[max(0, start - WINDOW):start]
    if not before.endswith((" ", "\u00a0")):
        return ""
    tokens = _TOKEN.findall(before)
    kept: list[str] = []
    for token in reversed(tokens):
        lower = token.lower()
        if not kept and lower in name and lower not in _TITLE_WORDS:
            continue            # a word of the name just before the mention
        if token[:1].isupper() or lower in _CONNECTORS or \
                (token.endswith(("'s", "’s")) and token[:1].isupper()):
            kept.append(token)
            continue
        break
    while kept and kept[-1].lower() in _CONNECTORS:    # the run's first words
        kept.pop()
    while kept and kept[0].lower() in _CONNECTORS:
        kept.pop(0)
    phrase = " ".join(reversed(kept))
    return phrase if phrase and _is_role(phrase) else ""


def apposition_after(text: str, end: int) -> str:
    """", Minister of Interior," after the name → "Minister of Interior"."""
    after = text[end:end + WINDOW]
    match = re.match(r",\s+((?:the\s+)?[^,.;:()\"“”]{3,90}?)(?:,|\.|;|\)|$| said| told)",
                     after)
    if not match:
        return ""
    phrase = re.sub(r"^the\s+", "", match.group(1).strip())
    first = phrase.split()[0] if phrase.split() else ""
    if not first or not (first[:1].isupper() or first.lower() in ROLE_WORDS):
        return ""
    return phrase if _is_role(phrase) else ""


def title_in_surface(surface: str) -> str:
    """The title words at the start of a surface ("Deputy Prime Minister Sar
    Sokha" → "Deputy Prime Minister"), if any."""
    words = surface.split()
    kept = []
    for word in words[:-1]:
        if word.lower() in _TITLE_WORDS:
            kept.append(word)
        else:
            break
    while kept and kept[-1].lower() in _CONNECTORS:
        kept.pop()
    phrase = " ".join(kept)
    return phrase if phrase and _is_role(phrase) else ""


def roles(mentions: list[dict]) -> list[tuple[str, int]]:
    """Roles and titles over every mention: ``[(role, how many mentions)]``,
    most frequent first. ``mentions``: ``{"text": article text, "spans":
    [(start, end, surface)]}``."""
    counts: Counter = Counter()
    spelled: dict[str, str] = {}
    # the words of the entity's names, as every mention spells them
    name = frozenset(word for article in mentions for _s, _e, surface in article["spans"]
                     for word in name_words(surface))
    for article in mentions:
        text = article["text"]
        for start, end, surface in article["spans"]:
            found = []
            for phrase in (title_before(text, start, name), apposition_after(text, end),
                           title_in_surface(surface)):
                found += _split_roles(phrase)
            for role in dict.fromkeys(found):
                key = role.lower()
                spelled.setdefault(key, role)
                counts[key] += 1
    return [(spelled[key], n) for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def name_words(name: str) -> list[str]:
    """A name's words, lower case, titles and possessives set aside."""
    words = [w.strip(".,’'").lower() for w in name.split()]
    words = [re.sub(r"(’s|'s)$", "", w) for w in words if w]
    while words and (words[0] in _TITLE_WORDS):
        words.pop(0)
    return words


def same_entity(a: str, b: str) -> bool:
    """Whether two names likely name one entity: without titles, one's words
    are the other's last words, or all among them (and not just a title)."""
    wa, wb = name_words(a), name_words(b)
    if not wa or not wb or wa == wb and a.lower() == b.lower():
        return False
    short, long = sorted((wa, wb), key=len)
    if short == long:
        return True      # the same name once its title is set aside
    if long[-len(short):] == short:
        return True
    return len(short) >= 2 and set(short) <= set(long)


def alias_suggestions(name: str, candidates: list[dict]) -> list[dict]:
    """The candidates (``{"name", …}``) likely naming the same entity as
    ``name``, in the order given."""
    return [c for c in candidates if same_entity(name, c["name"])]
