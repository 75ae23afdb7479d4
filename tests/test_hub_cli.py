"""``dossier hub``: init, add-analyst, connect, sync and status from the
command line, against a throwaway PostgreSQL cluster."""

from __future__ import annotations

import shutil

import psycopg
import pytest

from desktop import hub_credentials
from desktop.cli import main
from storage import journal, open_database, passages

from tests.hub_server import copy_settled


@pytest.fixture
def no_keyring(monkeypatch):
    monkeypatch.setattr(hub_credentials, "_keyring", lambda: None)
    monkeypatch.setattr(hub_credentials, "_SESSION", {})


def test_init_add_connect_tag_sync_from_the_command_line(tmp_path, hub_server, seeded_template,
                                                        monkeypatch, capsys, no_keyring):
    with psycopg.connect(hub_server.admin_url("postgres"), autocommit=True) as admin:
        admin.execute("CREATE DATABASE cli_hub")
    admin_url = hub_server.admin_url("cli_hub")
    assert main(["hub", "init", admin_url]) == 0
    assert main(["hub", "init", admin_url]) != 0          # not twice
    assert "already holds" in capsys.readouterr().err
    monkeypatch.setenv("NEW_PASSWORD", "s3cret-lea")
    assert main(["hub", "add-analyst", "lea", "--role", "lead", "--url", admin_url,
                 "--password-env", "NEW_PASSWORD"]) == 0
    monkeypatch.setenv("NEW_PASSWORD", "s3cret-ana")
    assert main(["hub", "add-analyst", "ana", "--role", "analyst", "--url", admin_url,
                 "--password-env", "NEW_PASSWORD"]) == 0
    # (roles are per cluster: an earlier test may have created ana)
    assert "ana as analyst" in capsys.readouterr().out

    lead_path = tmp_path / "lea.db"
    shutil.copy(seeded_template, lead_path)
    lea_url = f"postgresql://lea@127.0.0.1:{hub_server.port}/cli_hub"
    ana_url = f"postgresql://ana@127.0.0.1:{hub_server.port}/cli_hub"
    monkeypatch.setenv("DOSSIER_HUB_PASSWORD", "wrong")
    assert main(["hub", "connect", lea_url, "--db", str(lead_path)]) != 0
    assert "password authentication failed" in capsys.readouterr().err
    monkeypatch.setenv("DOSSIER_HUB_PASSWORD", "s3cret-lea")
    assert main(["hub", "connect", lea_url, "--db", str(lead_path)]) == 0
    monkeypatch.setenv("DOSSIER_HUB_PASSWORD", "s3cret-ana")
    ana_path = tmp_path / "ana.db"
    assert main(["hub", "connect", ana_url, "--db", str(ana_path)]) == 0
    out = capsys.readouterr().out
    assert "connected as ana (analyst): 5 articles" in out

    ana = open_database(ana_path)
    article_id = ana.execute("SELECT id FROM articles ORDER BY id LIMIT 1").fetchone()[0]
    tag_id = ana.execute("SELECT id FROM tags ORDER BY id LIMIT 1").fetchone()[0]
    with journal.step(ana, "Tag passage", analyst="ana", origin="cli-test"):
        passages.add_passage(ana, article_id=article_id, tag_id=tag_id, start=0, end=12,
                             analyst="ana")
    ana.close()
    assert main(["hub", "status", "--db", str(ana_path)]) == 0
    assert "1 change waiting" in capsys.readouterr().out
    assert main(["hub", "sync", "--db", str(ana_path)]) == 0
    assert "pushed 1 step" in capsys.readouterr().out
    monkeypatch.setenv("DOSSIER_HUB_PASSWORD", "s3cret-lea")
    assert main(["hub", "sync", "--db", str(lead_path)]) == 0
    assert "pulled 1" in capsys.readouterr().out
    lead = open_database(lead_path)
    assert lead.execute("SELECT analyst FROM passages WHERE analyst = 'ana'").fetchall() == \
        [("ana",)]
    # the password is in no file
    assert b"s3cret" not in lead_path.read_bytes() and b"s3cret" not in ana_path.read_bytes()

    # a copy of ana's file does not sync as ana until she says it should
    lead.close()
    copy_path = copy_settled(ana_path, tmp_path / "ana-experiment.db")
    copy = open_database(copy_path)
    [(mine,)] = copy.execute("SELECT id FROM passages WHERE analyst = 'ana'").fetchall()
    with journal.step(copy, "Delete passage", analyst="ana", origin="cli-test"):
        passages.delete_passage(copy, mine)
    copy.close()
    monkeypatch.setenv("DOSSIER_HUB_PASSWORD", "s3cret-ana")
    assert main(["hub", "sync", "--db", str(copy_path)]) != 0
    err = capsys.readouterr().err
    assert f"this file is a copy of {ana_path.resolve()}" in err and "Nothing was synced" in err
    assert main(["hub", "status", "--db", str(copy_path)]) == 0
    assert "not syncing: this file is a copy" in capsys.readouterr().out
    monkeypatch.setenv("DOSSIER_HUB_PASSWORD", "s3cret-lea")
    assert main(["hub", "sync", "--db", str(lead_path)]) == 0
    lead = open_database(lead_path)
    assert lead.execute("SELECT count(*) FROM passages WHERE analyst = 'ana'").fetchone()[0] == 1
    lead.close()
    # said on purpose, the copy syncs too (as another computer of ana's would)
    monkeypatch.setenv("DOSSIER_HUB_PASSWORD", "s3cret-ana")
    assert main(["hub", "sync", "--this-copy", "--db", str(copy_path)]) == 0
    assert "pushed 1 step" in capsys.readouterr().out
    assert main(["hub", "sync", "--db", str(copy_path)]) == 0       # asked once
    assert main(["hub", "sync", "--db", str(ana_path)]) == 0
    assert "pulled 1" in capsys.readouterr().out                     # the deletion

    # a step the hub refuses is not a success: said, and the exit status says so
    from storage import tags
    ana = open_database(ana_path)
    tag_id = ana.execute("SELECT id FROM tags ORDER BY name LIMIT 1").fetchone()[0]
    with journal.step(ana, "Rename tag", analyst="ana", origin="cli-test"):
        tags.rename_tag(ana, tag_id, "Renamed by an analyst")
    ana.close()
    assert main(["hub", "sync", "--db", str(ana_path)]) == 1
    out, err = capsys.readouterr()
    assert "refused by the hub: “Rename tag”" in out
    assert "1 step refused by the hub: it stays in this file only" in err

    # signing ana's file in as another member is refused unless said on purpose
    monkeypatch.setenv("DOSSIER_HUB_PASSWORD", "s3cret-lea")
    assert main(["hub", "connect", lea_url, "--db", str(ana_path)]) != 0
    err = capsys.readouterr().err
    assert "this file is connected to the hub as ana; signing it in as lea" in err
    assert main(["hub", "status", "--db", str(ana_path)]) == 0
    out = capsys.readouterr().out
    assert f"postgresql://ana@127.0.0.1:{hub_server.port}/cli_hub" in out
    # the step the hub refused is named there too
    assert "1 step refused by the hub, in this file only" in out
    assert "refused: “Rename tag”: Only a lead changes the codebook" in out
    # undoing it takes back what only this file had: kept here, not pushed
    # (the hub refused the undo too), and the file no longer differs
    assert main(["undo", "--db", str(ana_path)]) == 0
    capsys.readouterr()
    monkeypatch.setenv("DOSSIER_HUB_PASSWORD", "s3cret-ana")
    assert main(["hub", "sync", "--db", str(ana_path)]) == 0
    assert "refused" not in capsys.readouterr().out
    assert main(["hub", "status", "--db", str(ana_path)]) == 0
    assert "refused" not in capsys.readouterr().out
    # an analyst cannot turn blind coding on: said in words, not the server's
    monkeypatch.setenv("DOSSIER_HUB_PASSWORD", "s3cret-ana")
    assert main(["hub", "blind", "on", "--url", ana_url]) != 0
    assert "only a lead turns blind coding on or off" in capsys.readouterr().err

    # leaving the hub: refused while changes never reached it, unless said
    ana = open_database(ana_path)
    with journal.step(ana, "Tag passage", analyst="ana", origin="cli-test"):
        passages.add_passage(ana, article_id=article_id, tag_id=tag_id, start=20, end=30,
                             analyst="ana")
    ana.close()
    assert main(["hub", "disconnect", "--db", str(ana_path)]) != 0
    assert "1 change of this file never reached the hub" in capsys.readouterr().err
    assert main(["hub", "disconnect", "--drop-unsent", "--db", str(ana_path)]) == 0
    assert "syncs no more (1 change never sent stays in it only)" in capsys.readouterr().out
    assert main(["hub", "status", "--db", str(ana_path)]) == 0
    out = capsys.readouterr().out
    assert "hub: not connected; this file left postgresql://ana@" in out
    assert "waiting" not in out                       # nothing will ever send them
    # and it cannot join again
    assert main(["hub", "connect", ana_url, "--db", str(ana_path)]) != 0
    assert "cannot join one again" in capsys.readouterr().err
    assert main(["hub", "sync", "--db", str(ana_path)]) != 0
    assert main(["hub", "disconnect", "--db", str(ana_path)]) != 0
    assert "not connected to a hub" in capsys.readouterr().err
    ana = open_database(ana_path)
    assert ana.execute("SELECT start FROM passages WHERE analyst = 'ana'").fetchall() == [(20,)]


from tests.test_hub import hub, lead_db  # noqa: E402,F401  (fixtures: a hub with a lead)


@pytest.mark.parametrize("form", ["userinfo", "query", "keyvalue"])
def test_the_hub_password_is_never_stored_in_the_file(tmp_path, hub, lead_db, form, capsys,
                                                      monkeypatch, no_keyring):
    from storage.database import get_meta, set_meta

    monkeypatch.delenv("DOSSIER_HUB_PASSWORD", raising=False)
    port, name = hub.server.port, hub.database
    url = {"userinfo": f"postgresql://ana:pw-ana@127.0.0.1:{port}/{name}",
           "query": f"postgresql://ana@127.0.0.1:{port}/{name}?password=pw-ana",
           "keyvalue": f"host=127.0.0.1 port={port} dbname={name} user=ana password=pw-ana",
           }[form]
    path = tmp_path / "ana.db"
    assert main(["hub", "connect", url, "--db", str(path)]) == 0
    assert main(["hub", "status", "--db", str(path)]) == 0
    assert "pw-ana" not in capsys.readouterr().out
    db = open_database(path)
    assert "pw-ana" not in get_meta(db, "hub_url")
    # the password went where passwords go (here: this session), so the file syncs
    assert main(["hub", "sync", "--db", str(path)]) == 0
    # a file an earlier Dossier stored the password in loses it at its next sync
    set_meta(db, "hub_url", url)
    assert main(["hub", "sync", "--db", str(path)]) == 0
    assert "pw-ana" not in get_meta(db, "hub_url")


@pytest.mark.parametrize("url,shown", [
    ("localhost/dossier", "localhost/dossier is not a postgresql:// address"),
    ("postgres//lea:s3cret@localhost/dossier", "The hub address is not a postgresql://"),
    ("postgresql://lea:s3cret word@localhost/dossier",
     "The hub address is not a valid postgresql:// address"),
    ("host=localhost password=s3cret word", "not valid key=value pairs"),
])
@pytest.mark.parametrize("command", [
    ["hub", "init", "{url}"],
    ["hub", "upgrade", "{url}"],
    ["hub", "connect", "{url}"],
    ["hub", "add-analyst", "ana", "--url", "{url}", "--password-env", "NO_SUCH_VARIABLE"],
    ["hub", "remove-analyst", "ana", "--url", "{url}"],
    ["hub", "blind", "on", "--url", "{url}"],
    ["hub", "sync", "--url", "{url}"],
])
def test_a_malformed_hub_address_is_one_line_without_its_password(
        tmp_path, no_keyring, capsys, command, url, shown):
    db = tmp_path / "local.db"
    assert main(["import", "--db", str(db), str(tmp_path / "none.txt")]) == 1
    capsys.readouterr()
    argv = [arg.format(url=url) for arg in command]
    assert main([*argv, "--db", str(db)] if "sync" in argv or "connect" in argv
                else argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("dossier: error: ") and shown in err
    assert len(err.splitlines()) == 1 and "s3cret" not in err
