"""Every translation catalogue in the repository is complete and compiled.

For each `**/locale/zh_Hans/LC_MESSAGES/django.po`: no empty or fuzzy msgstr, and the committed
`django.mo` holds exactly the messages of the `.po` (compiled here in memory with polib, so the
check needs no GNU gettext) — a `.po` edited without recompiling fails."""

from __future__ import annotations

import re
from pathlib import Path

import polib  # type: ignore[import-untyped]
import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
SKIP_PARTS = {".venv", "node_modules", "var", ".git"}


def catalogues() -> list[Path]:
    found = [p for p in ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po")
             if not SKIP_PARTS & set(p.relative_to(ROOT).parts)]
    return sorted(found)


CATALOGUES = catalogues()
IDS = [str(p.relative_to(ROOT)) for p in CATALOGUES]


def _key(entry) -> tuple:
    if entry.msgid_plural:
        plural = tuple(sorted((int(k), v) for k, v in entry.msgstr_plural.items()))
        return (entry.msgctxt or "", entry.msgid, entry.msgid_plural, plural)
    return (entry.msgctxt or "", entry.msgid, "", entry.msgstr)


def messages(catalogue) -> set[tuple]:
    """The messages gettext would use: translated, not fuzzy, not obsolete, header left out."""
    return {_key(e) for e in catalogue
            if e.msgid and not e.obsolete and "fuzzy" not in e.flags
            and (e.msgstr or any(e.msgstr_plural.values()))}


def problems(po: polib.POFile) -> list[str]:
    found = []
    for e in po:
        if e.obsolete or not e.msgid:
            continue
        where = f"{e.occurrences[0][0]}:{e.occurrences[0][1]}" if e.occurrences else "?"
        if "fuzzy" in e.flags:
            found.append(f"fuzzy: {e.msgid!r} ({where})")
        elif not e.translated():
            found.append(f"empty: {e.msgid!r} ({where})")
        elif _placeholders(e.msgid) != _placeholders(e.msgstr or next(iter(e.msgstr_plural.values()), "")):
            found.append(f"placeholders differ: {e.msgid!r} ({where})")
    return found


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\([a-z_]+\)[sdr]|\{[a-z_0-9]*\}", text))


def test_there_is_a_root_catalogue():
    assert ROOT / "locale/zh_Hans/LC_MESSAGES/django.po" in CATALOGUES


@pytest.mark.parametrize("po_path", CATALOGUES, ids=IDS)
def test_catalogue_is_complete(po_path):
    po = polib.pofile(str(po_path))
    bad = problems(po)
    assert not bad, f"{po_path.relative_to(ROOT)}: fill these msgstr (and drop the fuzzy flag):\n" + "\n".join(bad)


@pytest.mark.parametrize("po_path", CATALOGUES, ids=IDS)
def test_compiled_catalogue_matches_the_po(po_path, tmp_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path.relative_to(ROOT)} is missing: run `manage.py compilemessages` and commit it"
    po = polib.pofile(str(po_path))
    compiled = tmp_path / "fresh.mo"
    po.save_as_mofile(str(compiled))  # what a compile of the .po gives, without GNU gettext
    expected = messages(polib.mofile(str(compiled)))
    committed = messages(polib.mofile(str(mo_path)))
    stale = sorted(m[1] for m in expected - committed)
    extra = sorted(m[1] for m in committed - expected)
    assert not stale and not extra, (
        f"{mo_path.relative_to(ROOT)} is out of date with its .po: run `manage.py compilemessages` and commit it.\n"
        f"not in the .mo (or different): {stale[:20]}\nonly in the .mo: {extra[:20]}"
    )


def test_the_check_catches_an_empty_and_a_fuzzy_msgstr():
    po = polib.POFile()
    po.append(polib.POEntry(msgid="Grid", msgstr="网格"))
    assert problems(po) == []
    po.append(polib.POEntry(msgid="Street", msgstr=""))
    po.append(polib.POEntry(msgid="District", msgstr="区", flags=["fuzzy"]))
    po.append(polib.POEntry(msgid="Line %(line)s", msgstr="第行"))
    assert len(problems(po)) == 3


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _choice_labels():
    from django.apps import apps

    from governance.roles import Role

    labels = [("Role", str(value), label) for value, label in Role.choices]
    for model in apps.get_app_config("governance").get_models():
        labels.append((model.__name__, "verbose_name", model._meta.verbose_name))
        for field in model._meta.get_fields():
            for value, label in getattr(field, "choices", None) or []:
                labels.append((f"{model.__name__}.{field.name}", str(value), label))
    return labels


def test_role_region_level_and_other_choice_labels_are_translated():
    untranslated = []
    with translation.override("en"):
        english = [(where, value, str(label)) for where, value, label in _choice_labels()]
    with translation.override("zh-hans"):
        chinese = [str(label) for _where, _value, label in _choice_labels()]
    for (where, value, en), zh in zip(english, chinese, strict=True):
        if not _has_cjk(zh):
            untranslated.append(f"{where}={value}: {en!r}")
    assert not untranslated, "labels without a Chinese translation:\n" + "\n".join(untranslated)


def test_pages_switch_language():
    from django.test import Client

    client = Client()
    assert "登录" in client.get("/accounts/login/").content.decode()
    client.cookies["django_language"] = "en"
    page = client.get("/accounts/login/").content.decode()
    assert "Log in" in page and "登录" not in page.replace("用短信验证码登录", "")
