"""Translations: Bahasa Indonesia is the source language, English the second locale.

Every msgid extracted from the code and templates must have an English translation, the compiled
catalog must match the .po file, placeholders must survive translation, and templates must not
contain visible text outside translation calls.  Fix failures with ``scripts/i18n.sh``.
"""

from __future__ import annotations

import itertools
import re
import shlex
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from babel.messages import frontend
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from babel.support import Translations

ROOT = Path(__file__).resolve().parents[2]
BABEL_CFG = ROOT / "babel.cfg"
I18N_SCRIPT = ROOT / "scripts" / "i18n.sh"
TRANSLATIONS = ROOT / "translations"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
EN_MO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"
TEMPLATES = ROOT / "templates"

FIX_EXTRACT = "run scripts/i18n.sh and translate them"
FIX_COMPILE = "run scripts/i18n.sh"

# Python %-format placeholders: %(name)s, %(num)d, %s, %.2f ... (not the literal %%).
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa]")


def _msgid_key(msgid: str | tuple[str, ...] | list[str]) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def _as_tuple(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ("",)
    if isinstance(value, str):
        return (value,)
    return tuple(value)


@cache
def _keywords() -> dict:
    """Babel's default keywords plus the extra ``-k`` flags that scripts/i18n.sh passes."""
    flags = []
    words = shlex.split(I18N_SCRIPT.read_text(encoding="utf-8"), comments=True)
    for flag, value in itertools.pairwise(words):
        if flag in ("-k", "--keyword"):
            flags.append(value)
        elif flag.startswith("--keyword="):
            flags.append(flag.partition("=")[2])
    assert flags, "scripts/i18n.sh passes no -k keywords (expected -k _l -k lazy_gettext)"
    return {**DEFAULT_KEYWORDS, **frontend.parse_keywords(flags)}


@cache
def _extracted() -> dict[tuple[str, str | None], list[str]]:
    """(msgid, context) -> where it is used, extracted in-process with babel.cfg's method map."""
    parse_cfg = getattr(frontend, "parse_mapping_cfg", None) or frontend.parse_mapping
    with BABEL_CFG.open(encoding="utf-8") as fileobj:
        method_map, options_map = parse_cfg(fileobj, filename=str(BABEL_CFG))
    found: dict[tuple[str, str | None], list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=_keywords()
    ):
        found.setdefault((_msgid_key(message), context), []).append(f"{filename}:{lineno}")
    return found


def _read_po() -> Catalog:
    with EN_PO.open("rb") as fileobj:
        return read_po(fileobj, locale="en")


def _translated(message) -> bool:  # type: ignore[no-untyped-def]
    return not message.fuzzy and all(s.strip() for s in _as_tuple(message.string))


# --- (a) everything extracted is translated -------------------------------------------------------------


def test_extraction_finds_the_sources():
    files = {where.rsplit(":", 1)[0].split("/", 1)[0] for wheres in _extracted().values() for where in wheres}
    assert {"marketplace", "templates"} <= files, f"babel.cfg extracted from {sorted(files)} only"


def test_every_extracted_msgid_has_an_english_translation():
    assert EN_PO.exists(), f"{EN_PO.relative_to(ROOT)} is missing: {FIX_EXTRACT}"
    catalog = _read_po()
    missing = []
    for (msgid, context), wheres in sorted(_extracted().items(), key=lambda item: item[0][0]):
        message = catalog.get(msgid, context=context)
        if message is None:
            missing.append(f"{msgid!r} (not in the .po; used at {wheres[0]})")
        elif message.fuzzy:
            missing.append(f"{msgid!r} (fuzzy; used at {wheres[0]})")
        elif not _translated(message):
            missing.append(f"{msgid!r} (empty; used at {wheres[0]})")
    assert not missing, (
        f"{len(missing)} msgid(s) without an English translation in {EN_PO.relative_to(ROOT)}; "
        f"{FIX_EXTRACT}:\n  " + "\n  ".join(missing)
    )


def test_no_entry_in_the_english_catalog_is_empty_or_fuzzy():
    bad = [_msgid_key(m.id) for m in _read_po() if m.id and not _translated(m)]
    assert not bad, f"empty or fuzzy entries in {EN_PO.relative_to(ROOT)}; {FIX_EXTRACT}:\n  " + "\n  ".join(
        map(repr, bad)
    )


# --- (b) the compiled catalog matches the .po -----------------------------------------------------------


def _entries(catalog: Catalog) -> dict[tuple[str, str | None], tuple[str, ...]]:
    return {
        (_msgid_key(m.id), m.context): _as_tuple(m.string)
        for m in catalog
        if m.id and not m.fuzzy and any(_as_tuple(m.string))
    }


def test_compiled_catalog_is_up_to_date():
    assert EN_MO.exists(), f"{EN_MO.relative_to(ROOT)} is missing: {FIX_COMPILE}"
    with EN_MO.open("rb") as fileobj:
        compiled = _entries(read_mo(fileobj))
    source = _entries(_read_po())
    stale = sorted(
        {key[0] for key in compiled.keys() ^ source.keys()}
        | {key[0] for key in compiled.keys() & source.keys() if compiled[key] != source[key]}
    )
    assert not stale, (
        f"{EN_MO.relative_to(ROOT)} is out of date with {EN_PO.relative_to(ROOT)}; {FIX_COMPILE}. "
        "Differing msgids:\n  " + "\n  ".join(map(repr, stale))
    )


def test_compiled_catalog_loads_and_translates():
    translations = Translations.load(str(TRANSLATIONS), ["en"])
    assert translations.gettext("Masuk") == "Log in"
    assert translations.ngettext("%(num)d anggota", "%(num)d anggota", 1) % {"num": 1} == "1 member"
    assert translations.ngettext("%(num)d anggota", "%(num)d anggota", 3) % {"num": 3} == "3 members"


# --- (c) placeholders survive translation ---------------------------------------------------------------


def test_placeholders_match():
    bad = []
    for message in _read_po():
        if not message.id:
            continue
        ids = _as_tuple(message.id)
        for index, string in enumerate(_as_tuple(message.string)):
            if not string:
                continue  # reported by the tests above
            # msgstr[0] is the singular, every further plural form follows the msgid_plural.
            source = ids[min(index, len(ids) - 1)]
            # A literal "%%" is not a placeholder (it would otherwise read "%% d" as a "% d" conversion).
            expected = sorted(PLACEHOLDER.findall(source.replace("%%", ""))) + ["%%"] * source.count("%%")
            actual = sorted(PLACEHOLDER.findall(string.replace("%%", ""))) + ["%%"] * string.count("%%")
            if expected != actual:
                bad.append(f"{source!r} -> {string!r}: expected {expected}, got {actual}")
    assert not bad, "placeholders differ between msgid and msgstr:\n  " + "\n  ".join(bad)


# --- (d) no untranslated text in templates --------------------------------------------------------------

# Brand and technical tokens that are the same in every language.
ALLOWED = (
    "Bahasa Indonesia",
    "English",
    "Gotong",
    "WhatsApp",
    "NIB",
    "Rp",
    "ID",
    "EN",
    "—",
    "·",
    "←",
    "→",
)
_ALLOWED = re.compile("|".join(rf"(?<!\w){re.escape(token)}(?!\w)" for token in ALLOWED))
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_LETTER = re.compile(r"[^\W\d_]")
TEXT_ATTRIBUTES = {"placeholder", "title", "alt", "aria-label", "aria-description"}


def _untranslated(text: str) -> bool:
    return bool(_LETTER.search(_ALLOWED.sub(" ", text)))


class _TextScanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hits: list[tuple[int, str]] = []
        self._raw_depth = 0

    def _check(self, text: str | None, what: str = "") -> None:
        if text and _untranslated(text):
            # Text nodes may start with blank lines: report the line where the text itself starts.
            line = self.getpos()[0] + text[: len(text) - len(text.lstrip())].count("\n")
            self.hits.append((line, f"{what}{' '.join(text.split())!r}"))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._raw_depth += 1
        values = dict(attrs)
        for name, value in attrs:
            if name in TEXT_ATTRIBUTES:
                self._check(value, f"<{tag} {name}> ")
        if tag == "input" and (values.get("type") or "").lower() in ("submit", "button", "reset"):
            self._check(values.get("value"), f"<{tag} value> ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self._raw_depth -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._raw_depth:
            self._raw_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._raw_depth:
            self._check(data)


def scan_template(source: str) -> list[tuple[int, str]]:
    """(line, text) for visible text outside translation calls; Jinja constructs are dropped
    (keeping their newlines so line numbers stay right), so `{{ _('...') }}` leaves nothing behind."""
    scanner = _TextScanner()
    scanner.feed(_JINJA.sub(lambda match: "\n" * match.group().count("\n"), source))
    scanner.close()
    return scanner.hits


def test_template_scanner_flags_bare_text_only():
    source = (
        '<p>{{ _("Halo") }} — Gotong</p>\n<p>Halo {{ name }}</p>\n'
        '<input placeholder="Cari"><img alt="{{ _("Logo") }}">\n'
        "<script>var x = 'teks';</script>{# komentar #}{% if a %}<b>Ya</b>{% endif %}"
    )
    assert scan_template(source) == [(2, "'Halo'"), (3, "<input placeholder> 'Cari'"), (4, "'Ya'")]


def test_templates_have_no_untranslated_text():
    hits = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for line, text in scan_template(path.read_text(encoding="utf-8")):
            hits.append(f"{path.relative_to(ROOT)}:{line}: {text}")
    assert not hits, (
        "untranslated text in templates; wrap it in {{ _('...') }} (Bahasa Indonesia msgid), "
        "then run scripts/i18n.sh and translate it:\n  " + "\n  ".join(hits)
    )
