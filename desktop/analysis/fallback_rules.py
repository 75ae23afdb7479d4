"""Entity-ruler patterns for the degraded, model-free pipeline.

They find what rules can find reliably in news text — dates, money,
percentages, numbers, titled people and a few organisation shapes — so the
reader is still useful, if poorer, without a trained model.
"""

from __future__ import annotations

MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]

TITLES = ["Mr", "Mrs", "Ms", "Dr", "Minister", "Ambassador", "President",
          "Commissioner", "Prime", "General", "Colonel", "Secretary", "Judge",
          "Senator", "Governor", "Chief", "Inspector", "Director"]

ORG_HEADS = ["Police", "Ministry", "Department", "Embassy", "Institute",
             "University", "Bank", "Agency", "Court", "Council", "Commission",
             "Office", "Force", "Task"]

_CAP = {"IS_TITLE": True}


def entity_patterns() -> list[dict]:
    """Patterns for spaCy's ``entity_ruler``."""
    month = {"TEXT": {"IN": MONTHS}}
    day = {"SHAPE": {"IN": ["d", "dd"]}}
    year = {"SHAPE": "dddd"}
    patterns = [
        {"label": "DATE", "pattern": [month, day, {"TEXT": ",", "OP": "?"}, year]},
        {"label": "DATE", "pattern": [month, day]},
        {"label": "DATE", "pattern": [day, month, year]},
        {"label": "DATE", "pattern": [month, year]},
        {"label": "DATE", "pattern": [{"LOWER": "in"}, year]},
        {"label": "PERCENT", "pattern": [{"LIKE_NUM": True},
                                         {"LOWER": {"IN": ["%", "percent", "per"]}},
                                         {"LOWER": "cent", "OP": "?"}]},
        {"label": "MONEY", "pattern": [{"TEXT": {"IN": ["$", "US$", "A$", "€", "£"]}},
                                       {"LIKE_NUM": True},
                                       {"LOWER": {"IN": ["million", "billion"]}, "OP": "?"}]},
        {"label": "CARDINAL", "pattern": [{"LIKE_NUM": True, "SHAPE": {"NOT_IN": ["dddd"]}}]},
        {"label": "PERSON", "pattern": [{"TEXT": {"IN": TITLES}}, _CAP, _CAP, {**_CAP, "OP": "?"}]},
        {"label": "ORG", "pattern": [_CAP, {**_CAP, "OP": "?"}, {"TEXT": {"IN": ORG_HEADS}}]},
    ]
    return patterns
