#!/usr/bin/env bash
# Extract, update and compile Gotong's message catalogs (source language: Bahasa Indonesia).
#
#   scripts/i18n.sh
#
# 1. extract  marketplace/, coalitions/ and templates/ -> translations/messages.pot
# 2. update   translations/en/LC_MESSAGES/messages.po (init it if missing)
# 3. compile  translations/en/LC_MESSAGES/messages.mo
#
# After running, translate every new (empty) msgstr in the .po file, then run it again to
# compile. tests/unit/test_translations.py checks that nothing is left untranslated.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

POT=translations/messages.pot
LOCALES=(en)

new_pot=$(mktemp)
trap 'rm -f "$new_pot"' EXIT

pybabel extract \
    --mapping-file=babel.cfg \
    --output-file="$new_pot" \
    --no-location \
    --sort-output \
    --project=Gotong \
    --version=0.1.0 \
    --copyright-holder=Gotong \
    -k _l -k lazy_gettext -k lazy_ngettext:1,2 \
    .

# Keep the old template when only its POT-Creation-Date changed (less churn in git).
same_pot() { diff -q <(grep -v '^"POT-Creation-Date:' "$1") <(grep -v '^"POT-Creation-Date:' "$2") >/dev/null; }
if [[ -f "$POT" ]] && same_pot "$POT" "$new_pot"; then
    echo "$POT is unchanged"
else
    cp "$new_pot" "$POT"
fi

for locale in "${LOCALES[@]}"; do
    po="translations/$locale/LC_MESSAGES/messages.po"
    if [[ -f "$po" ]]; then
        pybabel update \
            --input-file="$POT" \
            --output-dir=translations \
            --locale="$locale" \
            --no-fuzzy-matching \
            --ignore-obsolete \
            --ignore-pot-creation-date
    else
        pybabel init \
            --input-file="$POT" \
            --output-dir=translations \
            --locale="$locale"
    fi
done

pybabel compile --directory=translations --statistics
