"""The public catalog: full-text search, filters, sorting and keyset pagination.

SQLite: the external-content FTS5 table ``products_fts`` (unicode61, diacritics folded) ranked with bm25
(title weighted ×8), every user term quoted so MATCH never sees raw syntax, the last term as a prefix
(search as you type). When nothing matches, each unknown word is corrected against the index's own vocabulary
(``fts5vocab``) by edit distance and the search runs again; failing that, titles containing the words as
substrings are looked up in the trigram table ``products_trigram``.
PostgreSQL: the generated ``search_vector`` (Indonesian snowball stemming, title weight A) matched by a
``to_tsquery`` built from the query's words only, ranked by ``ts_rank_cd``; when nothing matches, titles
similar to the query by pg_trgm ``word_similarity`` (GIN trigram index).

Listings ordered by newest or price page with a seek cursor over (key, id), so page 200 costs what page 1
costs; relevance-ranked search results are capped (RANK_POOL) and paged by offset within that cap.
"""

from __future__ import annotations

import base64
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Select,
    Text,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
    true,
    tuple_,
)
from sqlalchemy.orm import contains_eager, defer

from marketplace.catalog.attributes import BOOL, CHOICE, find_attribute
from marketplace.catalog.models import Product, ProductStatus
from marketplace.cooperatives.models import Business, Cooperative
from marketplace.extensions import db
from marketplace.sectors import Sector

PER_PAGE = 24
# Ranking costs per matching row (bm25 / ts_rank_cd read each row's text), so a very common word ("boneka":
# 20.000 listings) is ranked within the RANK_POOL newest matching listings only; "terbaru"/price sorts still
# reach every match.
RANK_POOL = 200
COUNT_CAP = 500  # "lebih dari 500 produk": an exact count of a huge match costs more than it tells
SEARCH_COUNT_CAP = RANK_POOL  # counting text matches reads each matching row's text
MAX_TERMS = 8

SORTS = ("relevan", "terbaru", "termurah", "termahal")

_fts = table("products_fts", column("rowid"), column("title"), column("search_text"))
_trigram = table("products_trigram", column("rowid"), column("title"))
_vocab = table("products_fts_vocab", column("term"), column("doc"))


@dataclass(frozen=True)
class CatalogQuery:
    """What a buyer asked for; built from the URL by ``from_args`` and turned back into it by ``to_args``."""

    q: str = ""
    category: Sector | None = None
    attrs: dict[str, str] = field(default_factory=dict)  # filterable attribute → wanted value ("1" for yes)
    province: str | None = None
    regency: str | None = None
    cooperative_id: int | None = None
    business_id: int | None = None
    price_min: int | None = None
    price_max: int | None = None
    in_stock: bool = False
    sort: str = "terbaru"
    after: str | None = None  # seek cursor for the next page
    before: str | None = None  # seek cursor for the previous page
    page: int = 1  # shown to people; also the offset page within ranked results

    @property
    def filtered(self) -> bool:
        return bool(
            self.q
            or self.category
            or self.attrs
            or self.province
            or self.regency
            or self.cooperative_id
            or self.price_min is not None
            or self.price_max is not None
            or self.in_stock
        )

    @property
    def filter_count(self) -> int:
        """How many filters (not the words) narrow the results: shown on the closed filter panel."""
        return (
            bool(self.category)
            + len(self.attrs)
            + bool(self.province or self.regency)
            + bool(self.cooperative_id)
            + bool(self.price_min is not None or self.price_max is not None)
            + self.in_stock
        )

    def to_args(self, **changes: Any) -> dict[str, Any]:
        """URL arguments for this query with ``changes`` applied; paging resets unless given."""
        query = replace(self, **{"after": None, "before": None, "page": 1, **changes})
        args: dict[str, Any] = {
            "q": query.q or None,
            "kategori": query.category.value if query.category else None,
            "provinsi": query.province,
            "kabupaten": query.regency,
            "koperasi": query.cooperative_id,
            "harga_min": query.price_min,
            "harga_maks": query.price_max,
            "stok": "1" if query.in_stock else None,
            "urut": query.sort if query.sort != default_sort(query.q) else None,
            "setelah": query.after,
            "sebelum": query.before,
            "hal": query.page if query.page > 1 else None,
        }
        for key, value in query.attrs.items():
            args[f"f_{key}"] = value
        return {k: v for k, v in args.items() if v not in (None, "")}


def default_sort(q: str) -> str:
    return "relevan" if q.strip() else "terbaru"


def _int_arg(value: object, maximum: int = 10**12) -> int | None:
    digits = re.sub(r"[^\d]", "", str(value or ""))
    if not digits or len(digits) > 13:
        return None
    return min(int(digits), maximum)


def _rupiah_arg(value: object) -> int | None:
    """A price bound typed by a buyer ("60.000", "Rp60.000", "60.000,00"); None when it is not one."""
    from marketplace.catalog.services import parse_rupiah

    text = str(value or "").strip()
    if text in ("0", "Rp0"):
        return 0
    try:
        return parse_rupiah(text) if text else None
    except ValueError:
        return None


def from_args(
    args: Any, *, cooperative_id: int | None = None, business_id: int | None = None
) -> CatalogQuery:
    """Read a CatalogQuery from request args, ignoring anything malformed (a shared URL must never 500)."""
    q = re.sub(r"[\s\x00-\x1f\x7f]+", " ", (args.get("q") or "")).strip()[:120]
    category = None
    if args.get("kategori") in {s.value for s in Sector}:
        category = Sector(args["kategori"])
    attrs: dict[str, str] = {}
    if category is not None:
        for key, value in args.items():
            if not key.startswith("f_") or not value:
                continue
            attr = find_attribute(category, key[2:])
            if attr is None or not attr.filterable:
                continue
            if attr.kind == CHOICE and value in dict(attr.choices):
                attrs[attr.key] = value
            elif attr.kind != CHOICE and value == "1":
                attrs[attr.key] = "1"
    province = args.get("provinsi") or None
    if province and not re.fullmatch(r"\d{2}", province):
        province = None
    regency = args.get("kabupaten") or None
    if regency and not (re.fullmatch(r"\d{2}\.\d{2}", regency) and (not province or regency[:2] == province)):
        regency = None
    price_min = _rupiah_arg(args.get("harga_min"))
    price_max = _rupiah_arg(args.get("harga_maks"))
    if price_min is not None and price_max is not None and price_min > price_max:
        price_min, price_max = price_max, price_min
    sort = args.get("urut") if args.get("urut") in SORTS else default_sort(q)
    if sort == "relevan" and not q:
        sort = "terbaru"
    page = _int_arg(args.get("hal"), 100_000) or 1
    if cooperative_id is None:
        cooperative_id = _int_arg(args.get("koperasi"), 2**31 - 1)
    return CatalogQuery(
        q=q,
        category=category,
        attrs=attrs,
        province=province,
        regency=regency,
        cooperative_id=cooperative_id,
        business_id=business_id,
        price_min=price_min,
        price_max=price_max,
        in_stock=args.get("stok") == "1",
        sort=sort,
        after=args.get("setelah") or None,
        before=None if args.get("setelah") else (args.get("sebelum") or None),
        page=max(page, 1),
    )


@dataclass
class CatalogPage:
    items: list[Product]
    total: int
    total_capped: bool  # "more than ``total``"
    page: int
    next_args: dict[str, Any] | None
    prev_args: dict[str, Any] | None
    similar: bool = False  # nothing matched exactly; these are the closest titles
    corrected: str | None = None  # the query as corrected (SQLite vocabulary correction)


# --- the public set ---------------------------------------------------------------------------------------


def _visible() -> Select[tuple[Product]]:
    """Products a buyer may see: active, in stock or on preorder, seller and cooperative not suspended."""
    return (
        select(Product)
        .join(Product.business)
        .outerjoin(Product.cooperative)
        .where(
            Product.status == ProductStatus.ACTIVE,
            or_(Product.stock > 0, Product.preorder.is_(true())),
            Business.suspended_at.is_(None),
            or_(Product.cooperative_id.is_(None), Cooperative.suspended_at.is_(None)),
        )
    )


def public_products() -> Select[tuple[Product]]:
    """The public set, loading each product's business and cooperative in the same query; the long texts
    a product grid never shows are left for the product page."""
    return _visible().options(
        contains_eager(Product.business).load_only(
            Business.id,
            Business.name,
            Business.slug,
            Business.regency_code,
            Business.province_code,
            Business.whatsapp,
            Business.suspended_at,
        ),
        contains_eager(Product.cooperative).load_only(
            Cooperative.id, Cooperative.name, Cooperative.slug, Cooperative.suspended_at
        ),
        defer(Product.description),
        defer(Product.search_text),
    )


def _apply_filters(stmt: Select[Any], query: CatalogQuery) -> Select[Any]:
    if query.category is not None:
        stmt = stmt.where(Product.category == query.category)
        for key, value in query.attrs.items():
            attr = find_attribute(query.category, key)
            if attr is None:
                continue
            element = Product.attributes[key]
            if attr.kind == CHOICE:
                stmt = stmt.where(element.as_string() == value)
            elif attr.kind == BOOL:
                stmt = stmt.where(element.as_boolean().is_(true()))
            else:  # "has a value", e.g. a halal certificate
                stmt = stmt.where(element.as_string().is_not(None), element.as_string() != "")
    if query.regency:
        stmt = stmt.where(Business.regency_code == query.regency)
    elif query.province:
        stmt = stmt.where(Business.province_code == query.province)
    if query.cooperative_id is not None:
        stmt = stmt.where(Product.cooperative_id == query.cooperative_id)
    if query.business_id is not None:
        stmt = stmt.where(Product.business_id == query.business_id)
    if query.price_min is not None:
        stmt = stmt.where(Product.price_idr >= query.price_min)
    if query.price_max is not None:
        stmt = stmt.where(Product.price_idr <= query.price_max)
    if query.in_stock:
        stmt = stmt.where(Product.stock > 0)
    return stmt


def _count(stmt: Select[Any], cap: int | None = None) -> tuple[int, bool]:
    cap = cap or COUNT_CAP
    inner = stmt.with_only_columns(Product.id).order_by(None).limit(cap + 1).subquery()
    total = db.session.scalar(select(func.count()).select_from(inner)) or 0
    return min(total, cap), total > cap


# --- full text ---------------------------------------------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)


# Little words a buyer types that no listing needs to contain ("keripik dan pisang"), and query operators.
STOPWORDS = frozenset(
    {"dan", "atau", "yang", "di", "ke", "dari", "untuk", "dengan", "and", "or", "not", "near"}
)


def terms_of(q: str) -> list[str]:
    """The words of a query, lower-cased, at most MAX_TERMS; everything else (quotes, operators) dropped."""
    words = [t.lower() for t in _WORD.findall(q)]
    meaningful = [w for w in words if w not in STOPWORDS]
    return (meaningful or words)[:MAX_TERMS]


def fts5_match(terms: list[str], *, prefix_last: bool = True) -> str:
    """An FTS5 MATCH expression: each term a quoted string, all required; the last one also as a prefix."""
    parts = [f'"{t}"' for t in terms]
    if prefix_last and parts and len(terms[-1]) >= 2:
        parts[-1] += "*"
    return " ".join(parts)


def _is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


@dataclass(frozen=True)
class _Match:
    """How a text query restricts and ranks products (lower rank = better)."""

    condition: Any
    rank: Any
    fts: Any = None  # SQLite: the FTS5 table the condition and bm25() need in the FROM clause

    def restrict(self, stmt: Select[Any]) -> Select[Any]:
        if self.fts is not None:
            stmt = stmt.join(self.fts, self.fts.c.rowid == Product.id)
        return stmt.where(self.condition)

    pool_by_rank: bool = False  # few, costly matches (trigram similarity): pool the best, not the newest

    @property
    def pool_order(self) -> Any:
        """The ranking pool's order: the newest matching listings (FTS5 walks its rowids backwards)."""
        if self.pool_by_rank:
            return self.rank
        return self.fts.c.rowid.desc() if self.fts is not None else Product.id.desc()

    def ids(self, *, common: bool = False) -> Any:
        """``products.id IN (matching ids)`` for the newest/price sorts. For a common word on SQLite the id
        is written ``+products.id`` so the planner walks the sort index and tests membership, instead of
        fetching and sorting every match (measured: 89 ms → a few ms for "boneka" at 100k products)."""
        if self.fts is None:
            return self.condition  # PostgreSQL: test the row itself (IN (...) became a self-join: 26 → 17 ms)
        column = literal_column("+products.id") if common else Product.id
        return column.in_(select(self.fts.c.rowid).where(self.condition))


def _sqlite_match(terms: list[str]) -> _Match:
    return _Match(
        condition=text("products_fts MATCH :match").bindparams(match=fts5_match(terms)),
        rank=literal_column("bm25(products_fts, 8.0, 1.0)"),
        fts=_fts,
    )


def _sqlite_substring(terms: list[str]) -> _Match | None:
    """Titles containing every term as a substring ("ondel" in "Ondel-ondel", "rajut" in "Boneka-Rajut"),
    from the trigram FTS5 table; terms under three letters cannot be looked up there."""
    usable = [t for t in terms if len(t) >= 3]
    if not usable:
        return None
    return _Match(
        condition=text("products_trigram MATCH :substrings").bindparams(
            substrings=" ".join(f'"{t}"' for t in usable)
        ),
        rank=literal_column("bm25(products_trigram)"),
        fts=_trigram,
    )


def tsquery_text(terms: list[str]) -> str:
    """A to_tsquery expression: all terms required, the last also as a prefix. Terms are \\w+ only, so
    nothing the user typed can be read as tsquery syntax."""
    parts = list(terms)
    if parts and len(parts[-1]) >= 2:
        parts[-1] += ":*"
    return " & ".join(parts)


def _postgres_match(terms: list[str]) -> _Match:
    tsquery = func.to_tsquery(literal_column("'indonesian'::regconfig"), tsquery_text(terms))
    vector = literal_column("products.search_vector")
    return _Match(condition=vector.op("@@")(tsquery), rank=-func.ts_rank_cd(vector, tsquery))


def _postgres_similar(q: str) -> _Match:
    """Titles holding a word like the query (pg_trgm word_similarity over the GIN trigram index)."""
    needle = q.lower()
    title = func.lower(Product.title)
    return _Match(
        condition=literal(needle, Text).op("<%")(title),
        rank=-func.word_similarity(needle, title),
        pool_by_rank=True,
    )


def _levenshtein(a: str, b: str, limit: int) -> int:
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _bigrams(word: str) -> set[str]:
    return {word[i : i + 2] for i in range(len(word) - 1)}


def _ensure_vocab() -> None:
    # fts5vocab reads the FTS index directly (no storage); created lazily, in TEMP so it needs no migration.
    db.session.execute(
        text(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.products_fts_vocab "
            "USING fts5vocab(main, products_fts, row)"
        )
    )


def _correct_sqlite(terms: list[str]) -> list[str] | None:
    """Each word not in the index replaced by the most frequent indexed word within edit distance 1–2."""
    _ensure_vocab()
    corrected = []
    changed = False
    for term in terms:
        known = db.session.execute(select(_vocab.c.term).where(_vocab.c.term == term)).first()
        if known or len(term) < 4:
            corrected.append(term)
            continue
        limit = 1 if len(term) < 7 else 2
        # Typos rarely hit the first letter; the vocabulary is read in term order from there.
        rows = db.session.execute(
            select(_vocab.c.term, _vocab.c.doc).where(
                _vocab.c.term >= term[0], _vocab.c.term < chr(ord(term[0]) + 1)
            )
        ).all()
        best: tuple[int, int, str] | None = None
        pairs = _bigrams(term)
        needed = len(pairs) - 2 * limit  # each edit breaks at most two bigrams
        for candidate, docs in rows:
            if abs(len(candidate) - len(term)) > limit or len(pairs & _bigrams(candidate)) < needed:
                continue
            distance = _levenshtein(term, candidate, limit)
            if distance <= limit and (best is None or (distance, -docs) < (best[0], -best[1])):
                best = (distance, docs, candidate)
        if best is None:
            return None
        corrected.append(best[2])
        changed = True
    return corrected if changed else None


# --- the search --------------------------------------------------------------------------------------------


def _cursor(*values: Any) -> str:
    raw = ":".join(str(v) for v in values)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _read_cursor(token: str | None, sort: str) -> tuple[Any, int] | None:
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        key, ident = (int(part) for part in raw.split(":"))
        if not (0 <= key < 2**62 and 0 < ident < 2**31):
            return None
        if sort == "terbaru":
            return datetime.fromtimestamp(key / 1_000_000, UTC), ident
        return key, ident
    except (ValueError, UnicodeDecodeError, OverflowError, OSError):
        return None


def _key_of(product: Product, sort: str) -> str:
    if sort == "terbaru":
        created = product.created_at
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        return _cursor(int(created.timestamp() * 1_000_000), product.id)
    return _cursor(product.price_idr, product.id)


def _sort_columns(sort: str) -> tuple[Any, Any, bool]:
    """(key column, id column, descending)."""
    if sort == "terbaru":
        return Product.created_at, Product.id, True
    if sort == "termahal":
        return Product.price_idr, Product.id, True
    return Product.price_idr, Product.id, False


def _seek_page(stmt: Select[Any], query: CatalogQuery) -> CatalogPage:
    key_col, id_col, descending = _sort_columns(query.sort)
    after = _read_cursor(query.after, query.sort)
    before = _read_cursor(query.before, query.sort)
    backwards = before is not None and after is None
    pivot = after or before
    if pivot is not None:
        forward_is_less = descending != backwards
        if forward_is_less:
            stmt = stmt.where(tuple_(key_col, id_col) < tuple_(*pivot))
        else:
            stmt = stmt.where(tuple_(key_col, id_col) > tuple_(*pivot))
    if descending != backwards:
        stmt = stmt.order_by(key_col.desc(), id_col.desc())
    else:
        stmt = stmt.order_by(key_col.asc(), id_col.asc())
    rows = list(db.session.scalars(stmt.limit(PER_PAGE + 1)).unique())
    more = len(rows) > PER_PAGE
    rows = rows[:PER_PAGE]
    if backwards:
        rows.reverse()
    # Walking back and running out of rows means we are on the first page again.
    at_start = pivot is None or (backwards and not more)
    page = 1 if at_start else max(query.page, 2)
    has_next = backwards or more
    has_prev = not at_start
    next_args = prev_args = None
    if rows and has_next:
        next_args = query.to_args(after=_key_of(rows[-1], query.sort), page=page + 1)
    if rows and has_prev:
        prev_args = (
            query.to_args(before=_key_of(rows[0], query.sort), page=page - 1) if page > 2 else query.to_args()
        )
    return CatalogPage(
        items=rows, total=0, total_capped=False, page=page, next_args=next_args, prev_args=prev_args
    )


def _ranked_page(pool: list[Any], query: CatalogQuery) -> CatalogPage:
    """One page of the ranked pool ((id, rank) rows): best rank first, newer first on ties."""
    ranked = sorted(pool, key=lambda row: (row.rank, -row.id))
    last_page = max(1, -(-len(ranked) // PER_PAGE))
    page = min(query.page, last_page)
    ids = [row.id for row in ranked[(page - 1) * PER_PAGE : page * PER_PAGE]]
    found = {p.id: p for p in db.session.scalars(public_products().where(Product.id.in_(ids))).unique()}
    return CatalogPage(
        items=[found[i] for i in ids if i in found],
        total=0,
        total_capped=False,
        page=page,
        next_args=query.to_args(page=page + 1) if page < last_page else None,
        prev_args=query.to_args(page=page - 1) if page > 1 else None,
    )


def _pool(match: _Match, filtered: Select[Any]) -> list[Any]:
    """The RANK_POOL newest matching listings with their rank, plus one more to tell whether there are more.
    One query serves both the count and the ranking."""
    if match.fts is None and not match.pool_by_rank:
        # PostgreSQL evaluates ts_rank_cd in the SELECT for every match before the top-N sort (9.582 rows for
        # "sapi" in one province): pick the newest matches first, then rank only those (48 → 24 ms).
        newest = (
            match.restrict(filtered)
            .with_only_columns(Product.id.label("id"))
            .order_by(match.pool_order)
            .limit(RANK_POOL + 1)
            .subquery("newest")
        )
        ranked = select(newest.c.id, match.rank.label("rank")).join(Product, Product.id == newest.c.id)
        return list(db.session.execute(ranked.order_by(newest.c.id.desc())))
    stmt = (
        match.restrict(filtered)
        .with_only_columns(Product.id.label("id"), match.rank.label("rank"))
        .order_by(match.pool_order)
        .limit(RANK_POOL + 1)
    )
    return list(db.session.execute(stmt))


def _alternatives(terms: list[str], q: str) -> Iterator[tuple[_Match, str | None]]:
    """What to try, in order, when the words match nothing: (match, the query as corrected)."""
    if _is_postgres():
        yield _postgres_similar(q), None
        return
    fixed = _correct_sqlite(terms)
    if fixed:
        yield _sqlite_match(fixed), " ".join(fixed)
    substring = _sqlite_substring(terms)
    if substring is not None:
        yield substring, None


def search(query: CatalogQuery) -> CatalogPage:
    """One page of the public catalog for ``query``, with the (capped) number of results."""
    filtered = _apply_filters(_visible(), query)
    terms = terms_of(query.q)
    if not terms:
        sort = "terbaru" if query.sort == "relevan" else query.sort
        result = _seek_page(_apply_filters(public_products(), query), replace(query, sort=sort))
        result.total, result.total_capped = _count(filtered)
        return result

    exact = _postgres_match(terms) if _is_postgres() else _sqlite_match(terms)
    found = _first_hit(itertools.chain([(exact, None)], _alternatives(terms, query.q)), filtered, query)
    if found is None:
        return CatalogPage(items=[], total=0, total_capped=False, page=1, next_args=None, prev_args=None)
    match, corrected, similar, pool, total, capped = found
    if query.sort == "relevan":
        result = _ranked_page(pool[:RANK_POOL], query)
    else:
        result = _seek_page(_apply_filters(public_products(), query).where(match.ids(common=capped)), query)
    result.total, result.total_capped = total, capped
    result.similar, result.corrected = similar, corrected
    return result


def _first_hit(candidates: Iterator[tuple[_Match, str | None]], filtered: Select[Any], query: CatalogQuery):  # type: ignore[no-untyped-def]
    """The first way of matching that finds anything: (match, corrected query, was it a fallback, ranked
    pool, total, capped)."""
    for attempt, (match, corrected) in enumerate(candidates):
        pool: list[Any] = []
        if query.sort == "relevan":
            pool = _pool(match, filtered)
            total, capped = min(len(pool), RANK_POOL), len(pool) > RANK_POOL
        else:
            total, capped = _count(match.restrict(filtered), SEARCH_COUNT_CAP)
        if total:
            return match, corrected, attempt > 0, pool, total, capped
    return None


# --- smaller lists -----------------------------------------------------------------------------------------


def newest(limit: int = 12) -> list[Product]:
    stmt = public_products().order_by(Product.created_at.desc(), Product.id.desc()).limit(limit)
    return list(db.session.scalars(stmt).unique())


def related(product: Product, limit: int = 6) -> list[Product]:
    """Same category: first from the same cooperative, then the newest of the rest."""
    base = public_products().where(Product.category == product.category, Product.id != product.id)
    found: list[Product] = []
    if product.cooperative_id is not None:
        found = list(
            db.session.scalars(
                base.where(Product.cooperative_id == product.cooperative_id)
                .order_by(Product.created_at.desc(), Product.id.desc())
                .limit(limit)
            ).unique()
        )
    if len(found) < limit:
        seen = [p.id for p in found] or [0]
        found += db.session.scalars(
            base.where(Product.id.not_in(seen))
            .order_by(Product.created_at.desc(), Product.id.desc())
            .limit(limit - len(found))
        ).unique()
    return found
