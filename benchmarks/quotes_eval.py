"""Quote detection and speaker attribution measured against gold standards:
the project's own hand-made sets (``tests/data/quotes_gold*.json``) and the
PolNeAR development set of real US election news (100 articles, kept outside
the repository: ``../shared/quotes-dev/polnear``, or ``$DOSSIER_POLNEAR``).
Dossier and, in the same run, textacy's ``direct_quotations`` as the
reference peer.

Usage: ``python -m benchmarks.quotes_eval [--json] [--sets polnear ...]
[--errors polnear] [--no-peer]`` (textacy comes with the ``bench`` extra:
``pip install -e '.[bench]'``; without it only Dossier is measured).

Scoring. A prediction matches a gold quote when it covers at least half of
the gold content span; each gold quote matches at most one prediction.
*Optional* gold quotes (PolNeAR: pronoun or description sources, partial
quotes, quotes under four words) are neither credited nor missed: a
prediction matching one is not a false positive and it does not count in
recall or speaker accuracy. Speaker accuracy is over all non-optional gold
quotes: the quote must be found and its speaker must be right —

- project sets: equal to the gold full name (or an alias), ignoring case, a
  leading article and a possessive;
- PolNeAR: the predicted name holds every word of one accepted name, titles
  and honorifics aside (``Sen. Ted Cruz`` holds ``Cruz``; ``President`` does
  not hold ``Sid``: words, not substrings).

PolNeAR like with like. The unfiltered figure is always printed first. A
second row, "polnear (like with like)", leaves out of *precision* only the
unmatched predictions that the dev set's README says its gold cannot hold:

- a quote in single marks (‘…’ or '…'): "Single-mark (‘ ’) quotes are not
  extracted either" (README, Known imperfections);
- a quote lying inside the span of a gold quote: the gold is "every stretch
  between quote marks inside an annotated content span", so such a
  prediction is inside annotated content — it is there because the
  converter read ``“…," she said. "…"`` (a curly mark closed by a straight
  one) or a nested quote as one stretch.

Nothing else is left out: quotes PolNeAR did not annotate stay false
positives (README: "a correct prediction of such a quote counts as a false
positive"), misses and speakers are counted as in the unfiltered row, and
``--errors`` tags each excluded prediction ``(out of scope: …)``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "data" / "quotes_gold.json"
#: Written blind to Dossier's code by someone who never saw it, and never
#: used to tune it: the honest figure for unseen articles.
HELD_OUT = ROOT / "tests" / "data" / "quotes_gold_heldout.json"
#: A second set written blind, for the figure after the first set was used.
BLIND_2 = ROOT / "tests" / "data" / "quotes_gold_blind2.json"
#: Hard cases for speaker attribution written while building it (issue 15):
#: one or more per error class. Not held out — reported on their own.
SPEAKER_CASES = ROOT / "tests" / "data" / "quotes_gold_speakers.json"
PROJECT_SETS = (GOLD, HELD_OUT, BLIND_2, SPEAKER_CASES)
#: PolNeAR without the predictions its gold cannot hold (module docstring)
LIKE_WITH_LIKE = "polnear (like with like)"
GROUPS = ("seeds", "hard cases", "held out", "blind 2", "speaker cases", "project",
          "polnear", LIKE_WITH_LIKE)
#: Where the PolNeAR development set is looked for (first that exists).
POLNEAR_PLACES = (ROOT.parent / "shared" / "quotes-dev" / "polnear",
                  ROOT.parent.parent / "shared" / "quotes-dev" / "polnear",
                  Path("/work/shared/quotes-dev/polnear"))

#: Words that are not part of a name when comparing speakers: honorifics,
#: ranks and political titles, with or without their full stop.
TITLE_WORDS = frozenset("""
mr mrs ms miss mx dr prof sir dame lord lady rev reverend fr father sister
sen senator rep representative gov governor lt gen col maj capt sgt cpl det supt
insp cmdr adm brig pres president vice minister prime secretary chief judge
justice ambassador commissioner mayor speaker chairman chairwoman chair
spokesman spokeswoman spokesperson congressman congresswoman councilman councilwoman
former candidate the a an
""".split())


@dataclass
class GoldQuote:
    start: int
    end: int
    speaker: str
    aliases: list[str]
    speaker_kind: str
    optional: bool = False


@dataclass
class Prediction:
    start: int
    end: int
    speaker: str | None
    method: str | None = None


@dataclass
class GoldArticle:
    file: str
    text: str
    quotes: list[GoldQuote]
    group: str
    #: "exact": the normalised name equals an accepted one; "words": the
    #: predicted name holds every word of an accepted one (titles aside)
    match: str = "exact"
    #: the kinds of Dossier quote the set counts: the project's gold holds
    #: reported speech only; PolNeAR holds every quoted stretch of someone's
    #: words (partial quotes of four words or more that fill most of the
    #: attributed content)
    kinds: tuple[str, ...] = ("direct",)


@dataclass
class Score:
    predicted: int = 0
    gold: int = 0
    matched: int = 0
    speakers_right: int = 0
    failures: list[str] = field(default_factory=list)
    #: unmatched predictions the gold cannot hold by its README (single
    #: marks, inside a gold quote's span): left out of the like-with-like row
    out_of_scope: int = 0

    def like_with_like(self) -> "Score":
        """This score without the out-of-scope predictions."""
        return Score(self.predicted - self.out_of_scope, self.gold, self.matched,
                     self.speakers_right, list(self.failures))

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def speaker_accuracy(self) -> float:
        return self.speakers_right / self.gold if self.gold else 1.0

    def add(self, other: "Score") -> None:
        self.predicted += other.predicted
        self.gold += other.gold
        self.matched += other.matched
        self.speakers_right += other.speakers_right
        self.failures += other.failures
        self.out_of_scope += other.out_of_scope

    def as_dict(self) -> dict:
        return {"precision": round(self.precision, 3), "recall": round(self.recall, 3),
                "f1": round(self.f1, 3), "speaker_accuracy": round(self.speaker_accuracy, 3),
                "gold": self.gold, "predicted": self.predicted,
                "failed_articles": len(self.failures)}


def _stored_text(raw: str) -> str:
    from desktop.importers.article_text import clean_article

    return clean_article(raw).text


def _span(text: str, starts: str, ends: str) -> tuple[int, int]:
    start = text.index(starts)
    return start, text.index(ends, start) + len(ends)


def load_gold(paths: tuple[Path, ...] = PROJECT_SETS) -> list[GoldArticle]:
    """The project's gold articles with their text as Dossier stores it."""
    articles = []
    entries = [(path, entry) for path in paths if path.exists()
               for entry in json.loads(path.read_text("utf-8"))["articles"]]
    for path, entry in entries:
        text = _stored_text((ROOT / entry["file"]).read_text("utf-8"))
        quotes = []
        for q in entry["quotes"]:
            start, end = _span(text, q["starts"], q["ends"])
            quotes.append(GoldQuote(start, end, q["speaker"], q.get("aliases", []),
                                    q["speaker_kind"], q.get("optional", False)))
        group = ("held out" if path == HELD_OUT else "blind 2" if path == BLIND_2 else
                 "speaker cases" if path == SPEAKER_CASES else
                 "seeds" if entry["file"].startswith("seeds/") else "hard cases")
        articles.append(GoldArticle(entry["file"], text, quotes, group))
    return articles


def polnear_folder() -> Path | None:
    """The PolNeAR development set's folder, or None when it is not here."""
    configured = os.environ.get("DOSSIER_POLNEAR")
    places = (Path(configured),) if configured else POLNEAR_PLACES
    return next((p for p in places if (p / "gold.json").exists()), None)


def load_polnear(folder: Path | None = None) -> list[GoldArticle]:
    """PolNeAR's articles (group "polnear"), their text as Dossier stores it.

    Format (its README): ``gold.json`` → ``"polnear"`` → file name → quotes,
    each with ``starts``/``ends`` (first and last words of the content: the
    first occurrence of ``starts`` to the end of the first ``ends`` after
    it), ``speaker`` (accepted names, fullest first) and ``optional``.
    """
    folder = folder or polnear_folder()
    if folder is None:
        return []
    gold = json.loads((folder / "gold.json").read_text("utf-8"))["polnear"]
    articles = []
    for name, entries in gold.items():
        text = _stored_text((folder / name).read_text("utf-8"))
        quotes = []
        for q in entries:
            start, end = _span(text, q["starts"], q["ends"])
            accepted = list(q["speaker"])
            quotes.append(GoldQuote(start, end, accepted[0], accepted[1:], "unknown",
                                    bool(q.get("optional", False))))
        articles.append(GoldArticle(name, text, quotes, "polnear", match="words",
                                    kinds=("direct", "partial")))
    return articles


def normalise_name(name: str | None) -> str:
    name = (name or "").lower().replace("\u2019", "'")
    name = re.sub(r"'s\b", "", name)
    name = re.sub(r"^(?:the|a|an)\s+", "", name.strip())
    return " ".join(name.split())


def name_words(name: str | None) -> list[str]:
    """The words of a name that identify someone: lower case, no possessive,
    no punctuation, no title or honorific (``Sen. Ted Cruz's`` → ted, cruz)."""
    words = re.findall(r"[\w-]+", re.sub(r"[\u2019']s\b", "", (name or "").lower()))
    return [w for w in words if w not in TITLE_WORDS]


def speaker_right(predicted: str | None, quote: GoldQuote, match: str) -> bool:
    """Whether ``predicted`` names the gold speaker under the set's rule."""
    accepted = [quote.speaker, *quote.aliases]
    if match == "words":
        have = set(name_words(predicted))
        for name in accepted:
            want = name_words(name) or [w for w in re.findall(r"[\w-]+", name.lower())]
            if want and set(want) <= have:
                return True
        return False
    return normalise_name(predicted) in {normalise_name(n) for n in accepted}


def score_article(gold: GoldArticle, predictions: list[Prediction],
                  errors: list[str] | None = None) -> Score:
    """Match predictions to gold quotes; describe each miss in ``errors``.

    Required quotes are matched first, then optional ones take what
    predictions are left (those are neither counted nor false positives).
    """
    required = [q for q in gold.quotes if not q.optional]
    optional = [q for q in gold.quotes if q.optional]
    unused = list(predictions)

    def best_for(quote: GoldQuote) -> Prediction | None:
        def overlap(p: Prediction) -> int:
            return max(0, min(p.end, quote.end) - max(p.start, quote.start))
        best = max(unused, key=overlap, default=None)
        if best is None or overlap(best) * 2 < quote.end - quote.start:
            return None
        unused.remove(best)
        return best

    score = Score(gold=len(required))
    for quote in required:
        best = best_for(quote)
        snippet = gold.text[quote.start:quote.start + 40]
        if best is None:
            if errors is not None:
                errors.append(f"{gold.file}@{quote.start}: missed {snippet!r}")
            continue
        score.matched += 1
        if speaker_right(best.speaker, quote, gold.match):
            score.speakers_right += 1
        elif errors is not None:
            errors.append(f"{gold.file}@{quote.start}: {snippet!r} by {best.speaker!r} "
                          f"[{best.method}], gold {[quote.speaker, *quote.aliases]!r}")
    for quote in optional:
        best_for(quote)
    score.predicted = score.matched + len(unused)
    reasons = {id(p): out_of_scope(gold, p) for p in unused} if gold.match == "words" else {}
    score.out_of_scope = sum(1 for reason in reasons.values() if reason)
    if errors is not None:
        errors.extend(f"{gold.file}@{p.start}: extra {gold.text[p.start:p.start + 40]!r}"
                      + (f" (out of scope: {reasons[id(p)]})" if reasons.get(id(p)) else "")
                      for p in unused)
    return score


def out_of_scope(gold: GoldArticle, prediction: Prediction) -> str | None:
    """Why the PolNeAR gold cannot hold this prediction by its README's own
    construction (see the module docstring), or None."""
    text, mark = gold.text, prediction.start - 1
    while mark > 0 and text[mark].isspace():
        mark -= 1
    if mark >= 0 and text[mark] in "\u2018\u2019'":
        return "single marks"
    if any(q.start <= prediction.start and prediction.end <= q.end for q in gold.quotes):
        return "inside a gold quote's span"
    return None


def dossier_predictions(nlp, text: str,
                        kinds: tuple[str, ...] = ("direct",)) -> list[Prediction]:
    from desktop.analysis.attribution import attribute_quotes
    from desktop.analysis.quotes import find_quotes

    quotes = attribute_quotes(nlp(text), find_quotes(text))
    return [Prediction(q.start, q.end, q.speaker, q.method)
            for q in quotes if q.kind in kinds]


def textacy_predictions(nlp, text: str, kinds: tuple[str, ...] = ()) -> list[Prediction]:
    from textacy.extract.triples import direct_quotations

    return [Prediction(q.content.start_char, q.content.end_char,
                       " ".join(t.text for t in q.speaker))
            for q in direct_quotations(nlp(text))]


def evaluate(system, nlp, articles: list[GoldArticle],
             errors: list[str] | None = None,
             error_groups: set[str] | None = None) -> dict[str, Score]:
    """Scores per group ("seeds", …, "polnear"), and "project" (every
    project set together). ``errors`` collects the mistakes made in
    ``error_groups`` (all groups when None)."""
    scores: dict[str, Score] = {}
    for article in articles:
        wanted = errors if error_groups is None or article.group in error_groups else None
        try:
            result = score_article(article, system(nlp, article.text, article.kinds), wanted)
        except Exception as error:  # a peer giving up on an article scores nothing
            result = Score(gold=sum(not q.optional for q in article.quotes),
                           failures=[f"{article.file}: {type(error).__name__}"])
        keys = [article.group] + (["project"] if article.group != "polnear" else [])
        for key in keys:
            scores.setdefault(key, Score()).add(result)
    if "polnear" in scores:
        scores[LIKE_WITH_LIKE] = scores["polnear"].like_with_like()
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--errors", nargs="?", const="all", metavar="SET",
                        help="list Dossier's mistakes (on stderr) in one set: "
                             "polnear, project, seeds, … (default: all)")
    parser.add_argument("--sets", nargs="+", choices=["project", "polnear"],
                        default=["project", "polnear"], help="which gold sets to read")
    parser.add_argument("--no-peer", action="store_true", help="measure Dossier only")
    args = parser.parse_args(argv)
    import spacy

    from desktop.analysis.pipeline import load_pipeline

    loaded = load_pipeline()
    articles = load_gold() if "project" in args.sets else []
    if "polnear" in args.sets:
        polnear = load_polnear()
        if not polnear:
            print("PolNeAR development set not found (set DOSSIER_POLNEAR to its folder)",
                  file=sys.stderr)
        articles += polnear
    error_groups = None
    if args.errors and args.errors != "all":
        error_groups = ({g for g in GROUPS if not g.startswith("polnear")} if args.errors == "project"
                        else {args.errors})
    errors: list[str] = []
    results = {"Dossier": evaluate(dossier_predictions, loaded.nlp, articles,
                                   errors if args.errors else None, error_groups)}
    if not args.no_peer:
        try:
            import textacy
        except ImportError:
            print("textacy is not installed (pip install -e '.[bench]'); measuring Dossier "
                  "only", file=sys.stderr)
        else:
            # textacy finds cues by lemma: give it the whole pipeline, lemmatizer included
            full = spacy.load(loaded.nlp.meta.get("lang", "en") + "_" + loaded.nlp.meta["name"])
            results[f"textacy {textacy.__version__} direct_quotations"] = evaluate(
                textacy_predictions, full, articles)
    if args.errors:
        print("\n".join(errors) or "no errors", file=sys.stderr)
    if args.json:
        print(json.dumps({name: {group: s.as_dict() for group, s in scores.items()}
                          for name, scores in results.items()}, indent=2))
        return 0
    required = sum(not q.optional for a in articles for q in a.quotes)
    print(f"Pipeline: {loaded.name} {loaded.version}; gold: {required} quotes to find "
          f"in {len(articles)} articles (optional quotes aside)\n")
    print("| system | set | quotes | quote precision | quote recall | quote F1 "
          "| speaker accuracy | articles failed |")
    print("|---|---|---|---|---|---|---|---|")
    for name, scores in results.items():
        for group in GROUPS:
            if group not in scores:
                continue
            s = scores[group]
            print(f"| {name} | {group} | {s.gold} | {s.precision:.3f} | {s.recall:.3f} "
                  f"| {s.f1:.3f} | {s.speaker_accuracy:.3f} | {len(s.failures)} |")
    for name, scores in results.items():
        for group, score in scores.items():
            if group in ("project", LIKE_WITH_LIKE):
                continue
            for failure in score.failures:
                print(f"\n{name} gave up on {failure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
