"""The outlet's name is recognised in its several spellings, and only there."""

from __future__ import annotations

from crawler.extraction.site_name import names_site, site_keys


def test_host_name_spells_the_outlet() -> None:
    keys = site_keys([], "https://www.boersen-zeitung.example/a/1")
    assert names_site("Börsen-Zeitung", keys)
    assert names_site("boersen-zeitung.example", keys)


def test_declared_names_match_by_containment() -> None:
    keys = site_keys(["Báo VnOutlet", "DER SPIEGEL"])
    assert names_site("VnOutlet", keys)
    assert names_site("Spiegel", keys)


def test_people_and_short_keys_do_not_match() -> None:
    keys = site_keys(["AP", "Daily Herald"], "https://dailyherald.example/")
    assert not names_site("Japan Desk", keys)
    assert not names_site("Jane Doe", keys)
    assert names_site("AP", keys)
    assert names_site("AP News", keys)
    assert not names_site("A", keys)
