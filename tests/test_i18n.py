"""Every translation catalogue in the repository is complete and compiled.

For each `**/locale/zh_Hans/LC_MESSAGES/django.po`: no empty or fuzzy msgstr, and the committed
`django.mo` holds exactly the messages of the `.po` (compiled here in memory with polib, so the
check needs no GNU gettext) — a `.po` edited without recompiling fails."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib  # type: ignore[import-untyped]
import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
SKIP_PARTS = {".venv", "node_modules", "var", ".git"}
# Where marked strings live: the project's code and templates (tests and benchmarks are not shown to users).
SOURCE_SKIP_PARTS = SKIP_PARTS | {"tests", "bench", "migrations"}
GETTEXT_FUNCS = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext", "ngettext_lazy"}
TEMPLATE_MSG = re.compile(r"""\{%\s*(?:translate|trans)\s+(?:"([^"\\\n]*)"|'([^'\\\n]*)')""")


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

    labels: list[tuple[str, str, object]] = [("Role", str(value), label) for value, label in Role.choices]
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


def marked_strings_in_python(text: str):
    """(line, context, msgid) of every gettext call with a literal argument (docstrings are not calls)."""
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name not in GETTEXT_FUNCS:
            continue
        args, context = list(node.args), ""
        if name.startswith("pgettext"):
            if len(args) < 2 or not (isinstance(args[0], ast.Constant) and isinstance(args[0].value, str)):
                continue
            context, args = args[0].value, args[1:]
        if isinstance(args[0], ast.Constant) and isinstance(args[0].value, str) and args[0].value:
            yield node.lineno, context, args[0].value


def marked_strings_in_template(text: str):
    for match in TEMPLATE_MSG.finditer(text):
        msgid = match.group(1) if match.group(1) is not None else match.group(2)
        if msgid:
            yield text.count("\n", 0, match.start()) + 1, "", msgid


def untranslated_marked_strings() -> list[str]:
    known = set()
    for po_path in CATALOGUES:
        for entry in polib.pofile(str(po_path)):
            if entry.translated() and "fuzzy" not in entry.flags and not entry.obsolete:
                known.add((entry.msgctxt or "", entry.msgid))
    missing = []
    for path in sorted(ROOT.rglob("*")):
        rel = path.relative_to(ROOT)
        if SOURCE_SKIP_PARTS & set(rel.parts) or path.suffix not in (".py", ".html") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found = marked_strings_in_python(text) if path.suffix == ".py" else marked_strings_in_template(text)
        missing += [f"{rel}:{line}: {msgid!r}" for line, context, msgid in found if (context, msgid) not in known]
    return missing


def test_every_marked_string_has_a_chinese_translation():
    """A string marked for translation but in no catalogue shows in English to a Chinese reader.
    (`{% blocktranslate %}` blocks are checked only through the catalogues above.)"""
    missing = untranslated_marked_strings()
    assert not missing, (
        f"{len(missing)} marked strings have no zh_Hans translation: run makemessages for that app "
        "(see README), fill the msgstr, compile, commit .po and .mo:\n" + "\n".join(missing[:80])
    )


def test_the_scan_finds_marked_strings():
    source = 'x = _("Grid")\ny = pgettext_lazy("month", "May")\n"""_(\'not a call\')"""\nz = gettext(name)\n'
    assert [m[1:] for m in marked_strings_in_python(source)] == [("", "Grid"), ("month", "May")]
    template = '{% translate "Log in" %} {% trans \'Me\' %} {% translate title %}'
    assert [m[2] for m in marked_strings_in_template(template)] == ["Log in", "Me"]
