"""How counts read, in the window and on the command line: "1 article",
"2 articles", "1,204 passages" — never "article(s)". Plain Python (the
command line uses it too)."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and ``noun``, plural unless the count is one; thousands
    separated. ``plural`` where adding "s" is wrong ("entity", "entities")."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


#: Said after a filter that cannot run (a date that is none, a search FTS5
#: refuses): the list shown is still the one before it, not the typed one's.
STILL_SHOWN = "The list still shows the last filter that worked."


def corrections_carried(counts: dict) -> str:
    """What an article text's edit did to its speaker corrections ("2 speaker
    corrections kept, 1 no longer applies"), from the counts
    ``storage.articles.replace_article_text`` returns; empty when the article
    had none."""
    kept, dropped = counts.get("corrections_kept", 0), counts.get("corrections_dropped", 0)
    if not kept and not dropped:
        return ""
    return (f"{counted(kept, 'speaker correction')} kept, {dropped:,} no longer "
            + ("applies" if dropped == 1 else "apply"))
