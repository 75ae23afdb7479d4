"""``dossier feeds add|list|remove|fetch``: follow RSS/Atom feeds and import
the pages their entries link to; and the web half of ``dossier import``
(URLs, or a .txt of URLs). See :mod:`desktop.importers.web`."""

from __future__ import annotations

import json
import sys

from desktop.cli import EXIT_OK, EXIT_PROBLEMS, CommandError


def _fetcher(delay: float):
    from desktop.importers.web import Fetcher

    if delay < 0:
        raise CommandError("--delay cannot be negative")
    return Fetcher(delay=delay)


def import_web(db, urls: list[str], delay: float, report, origin: str = "") -> None:
    """Fetch and import ``urls`` with a progress bar, merging the outcome
    into the file import's ``report``; each page a journal step of
    ``origin`` (the ``dossier import`` run's)."""
    from desktop.cli import _progress_bar
    from desktop.importers.web import import_urls

    bar, update = _progress_bar("Fetching")
    with bar:
        web = import_urls(db, urls, fetcher=_fetcher(delay), on_progress=update,
                          origin=origin)
    _merge(report, web)


def _merge(report, web) -> None:
    report.added += web.added
    report.duplicates += web.duplicates
    report.skipped += web.skipped
    report.similar += web.similar
    report.links += web.links
    report.cancelled = report.cancelled or web.cancelled


def cmd_feeds(args) -> int:
    from desktop.cli import _database
    from storage import feeds
    from storage.feeds import FeedError

    if args.action == "add":
        # refused before the database is opened: bad input makes no file
        if not args.url:
            raise CommandError("feeds add needs the feed's URL")
        try:
            feeds.web_address(args.url)
        except FeedError as error:
            raise CommandError(str(error)) from error
    db = _database(args, create=args.action == "add")
    if args.action == "add":
        title = args.title
        if not args.no_check and feeds.get_feed(db, args.url) is None:
            found = _checked_title(args.url, args.delay)    # read even when named
            title = found if title is None else title
        try:
            feed, created = feeds.add_feed(db, args.url, title)
        except FeedError as error:
            raise CommandError(str(error)) from error
        print(f"{'following' if created else 'already following'} {feed['url']}")
        return EXIT_OK
    if args.action == "remove":
        if not args.url:
            raise CommandError("feeds remove needs the feed's URL")
        if not feeds.remove_feed(db, args.url):
            raise CommandError(f"not following {args.url}")
        print(f"no longer following {args.url} (its articles stay)")
        return EXIT_OK
    if args.action == "list":
        rows = feeds.list_feeds(db)
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=2))
        for row in [] if args.json else rows:
            print(f"{row['url']}\t{row['title'] or ''}\t"
                  f"{row['fetched_at'] or 'never fetched'}\t{row['status'] or ''}")
        if not rows and not args.json:
            print("no feeds followed yet: `dossier feeds add URL` follows one",
                  file=sys.stderr)
        return EXIT_OK
    return _fetch(db, args)


def _checked_title(url: str, delay: float) -> str | None:
    """The title of the feed at ``url``, read once before it is followed; a
    page that is not a feed, or an address that cannot be reached, is refused."""
    from desktop.importers.drafts import ImportProblem
    from desktop.importers.web import FetchError, check_feed
    from storage.feeds import FeedError, web_address

    try:
        return check_feed(web_address(url), fetcher=_fetcher(delay))
    except FeedError as error:
        raise CommandError(str(error)) from error
    except ImportProblem as problem:
        raise CommandError(f"{url}: {problem}; nothing added") from problem
    except FetchError as problem:
        raise CommandError(f"cannot read {url}: {problem}; nothing added (--no-check "
                           "follows it anyway)") from problem


def _fetch(db, args) -> int:
    from desktop.cli import _progress_bar
    from desktop.importers.web import fetch_feeds
    from storage import feeds

    urls = [args.url] if args.url else None
    if urls is None and not feeds.list_feeds(db):
        raise CommandError("no feeds followed yet: dossier feeds add URL")
    bar, update = _progress_bar("Fetching")
    with bar:
        report = fetch_feeds(db, urls, fetcher=_fetcher(args.delay), on_progress=update)
    for url, outcome in report.feeds:
        print(f"feed {url}: {outcome}")
    for url, article_id in report.added:
        print(f"imported {url} as article {article_id}")
    for url, article_id in report.duplicates:
        print(f"already present: {url} (article {article_id})")
    for article_id, other_id, score in report.similar:
        print(f"article {article_id} is similar to article {other_id} "
              f"(similarity {score:.2f})")
    for url, reason in report.skipped:
        print(f"skipped {url}: {reason}", file=sys.stderr)
    print(report.summary())
    return EXIT_PROBLEMS if report.skipped else EXIT_OK


def add_parser(sub, common) -> None:
    p = sub.add_parser(
        "feeds", parents=[common],
        help="follow RSS/Atom feeds and import the pages they link to",
        description="add URL: follow a feed; list: the feeds followed; remove URL: stop "
                    "following one; fetch [URL]: fetch every feed (or one) and import the "
                    "pages of its entries not yet stored; an entry an earlier fetch stored, "
                    "found a duplicate or refused for good (robots.txt, 404, no article) "
                    "is not downloaded again. robots.txt is respected and one "
                    "site gets at most one request per --delay seconds.")
    p.add_argument("action", choices=("add", "list", "remove", "fetch"))
    p.add_argument("url", nargs="?", metavar="URL")
    p.add_argument("--title", help="add: a name for the feed (default: the feed's own)")
    p.add_argument("--no-check", action="store_true",
                   help="add: follow the address without reading it first (it is read "
                        "once to check that it is a feed)")
    p.add_argument("--json", action="store_true", help="list: print JSON")
    p.add_argument("--delay", type=float, default=1.0, metavar="SECONDS",
                   help="fetch: the least time between two requests to one site (default 1)")
    p.set_defaults(func=cmd_feeds)

