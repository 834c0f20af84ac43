"""The statistical annex of a Secretary-General's report (S/2017/939 paras 63-66; resolution
2331 para 23), built from the snapshot, in English, French or Arabic, as PDF (reportlab,
vigie.analytics.annex_pdf) or XLSX.

Every table passes the disclosure-control module through the selectors; suppressed cells are
shown as "x" (PDF) or left empty with a mark (XLSX). The notes say what the figures cover.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vigie.analytics import exports, glotip, labels, selectors
from vigie.analytics.disclosure import Release
from vigie.analytics.engine import QueryError, engine_for
from vigie.core.actor import Viewer


@dataclass
class Section:
    title: str
    release: Release
    headers: list[str]
    rows: list[list[str]]
    chart: str = ""  # "bar": a figure of the table's first column against its counts


def _years(period: str) -> tuple[int, int]:
    a, _sep, b = period.partition("-")
    if not a.isdigit() or (b and not b.isdigit()):
        raise QueryError(f"period {period!r}: a year or a range YYYY-YYYY")
    return int(a), int(b or a)


def _fmt(v: int | None) -> str:
    """A count in the annex's language; "x" marks a suppressed cell (as UN tables do)."""
    return labels.number(v, missing="x")


def _one_way(release: Release, dim: str, top: int = 15) -> list[list[str]]:
    inner = [(c[0], v.value) for c, v in release.cells.items() if c[0] is not None]
    inner = [x for x in inner if x[1] != 0]
    inner.sort(key=lambda x: (x[1] is None, -(x[1] or 0), str(x[0])))
    total = release.value(None)
    rows = [[labels.label(dim, str(code)), _fmt(v)] for code, v in inner[:top]]
    rows.append([_("Total"), _fmt(total)])
    return rows


def sections(user: Viewer, period: str) -> list[Section]:
    years = _years(period)
    f = {"period": period}
    engine = engine_for()
    req = selectors.parse_request
    out: list[Section] = []

    def one(title: str, dim: str, table: str = "victims", chart: str = "") -> None:
        rel = selectors.typology(user, req(dim, f, table=table), engine)
        headers = [labels.dimension(dim), _("Persons")]
        out.append(Section(title, rel, headers, _one_way(rel, dim), chart))

    sex_age = selectors.typology(user, req("sex,minor", f), engine)
    minors = ["child", "adult", "unknown"]
    rows = []
    for sex in ["female", "male", "unknown"]:
        rows.append(
            [labels.label("sex", sex)]
            + [_fmt(sex_age.value(sex, m)) for m in minors]
            + [_fmt(sex_age.value(sex, None))]
        )
    rows.append(
        [_("Total")]
        + [_fmt(sex_age.value(None, m)) for m in minors]
        + [_fmt(sex_age.value(None, None))]
    )
    out.append(
        Section(
            _("Victims by sex and age group"),
            sex_age,
            [labels.dimension("sex")] + [labels.label("minor", m) for m in minors] + [_("Total")],
            rows,
        )
    )
    one(_("Victims by form of exploitation"), "form", chart="bar")
    one(_("Victims by means used"), "means")
    one(_("Victims by conflict situation"), "situation")
    country = selectors.typology(user, req("country", f), engine)
    official = glotip.for_period(years)
    crow = []
    for code, v in sorted(
        ((c[0], x.value) for c, x in country.cells.items() if c[0] is not None and x.value != 0),
        key=lambda t: (t[1] is None, -(t[1] or 0)),
    )[:20]:
        crow.append(
            [
                labels.label("country", str(code)),
                _fmt(v),
                labels.official(official.get(str(code), "-")),
            ]
        )
    out.append(
        Section(
            _("Victims by country of exploitation, and victims detected officially (UNODC GLOTIP)"),
            country,
            [labels.dimension("country"), _("Vigie records"), _("GLOTIP detected victims")],
            crow,
        )
    )
    routes = selectors.routes(user, req((), f), engine)
    out.append(
        Section(
            _("Flows by type of route (UN M49 regions)"),
            routes.route_types,
            [_("Route"), _("Persons")],
            _one_way(routes.route_types, "route_type"),
        )
    )
    flows = [
        (c, x.value)
        for c, x in routes.flows.cells.items()
        if c[0] is not None and c[1] is not None and x.value
    ]
    flows.sort(key=lambda t: -(t[1] or 0))
    out.append(
        Section(
            _("Main corridors (origin to destination)"),
            routes.flows,
            [_("Origin"), _("Destination"), _("Persons")],
            [
                [labels.label("country", str(o)), labels.label("country", str(d)), _fmt(v)]
                for (o, d), v in flows[:15]
            ],
        )
    )
    out.append(
        Section(
            _("Transit countries"),
            routes.transit,
            [_("Transit country"), _("Persons")],
            _one_way(routes.transit, "country"),
        )
    )
    one(_("Perpetrators by type"), "perpetrator_type", "perpetrators")
    one(_("Perpetrators by role"), "role", "perpetrators")
    start = years[0] - 4 if years[0] == years[1] else years[0]
    trend = selectors.trends(user, req((), {"period": f"{start}-{years[1]}"}), engine)
    out.append(
        Section(
            _("Trend: victims by year"),
            trend,
            [_("Year"), _("Persons")],
            sorted(
                ([str(c[0]), _fmt(x.value)] for c, x in trend.cells.items() if c[0] is not None),
            ),
            "bar",
        )
    )
    return out


def notes(period: str) -> list[str]:
    info = engine_for().snapshot_info()
    return [
        _(
            "Source: case records pooled in Vigie by the participating entities; snapshot of "
            "%(built)s. Figures count persons: victims recorded individually and persons "
            "counted in incidents' disaggregated counts, each once."
        )
        % {"built": info.get("built_at") or "—"},
        _(
            "Coverage: only cases known to the participating entities; the figures are not "
            "estimates of prevalence and are not comparable across countries."
        ),
        _(
            "Disclosure control: cells below 11 persons and the cells that would reveal them are "
            "suppressed (x); other counts carry a small consistent perturbation, so totals may "
            "differ slightly from the sum of their parts."
        ),
        _(
            "Routes are classified as domestic, subregional, regional or transregional by UN M49 "
            "regions, as in UNODC's Global Report. Officially detected victims: UNODC GLOTIP."
        ),
        _("Period: %(period)s.") % {"period": period},
    ]


def build(user: Viewer, period: str, lang: str, fmt: str) -> bytes:
    """The annex of ``period`` in ``lang`` (en, fr, ar) as PDF or XLSX; a period with no
    records is refused (QueryError) rather than printed as an empty annex."""
    years = _years(period)
    this_year = timezone.now().year
    if years[0] > this_year:
        raise QueryError(
            f"period {period} is in the future (this is {this_year}): choose a past year or range"
        )
    with translation.override(lang):
        parts = sections(user, period)
        if not parts[0].release.value(None, None):
            raise QueryError(
                f"no victims recorded in {period}: nothing to publish. Check the period, or "
                "refresh the snapshot (`vigie stats refresh`) after an import."
            )
        if fmt == "xlsx":
            return exports.to_xlsx({f"{i + 1}": s.release for i, s in enumerate(parts)})
        from vigie.analytics import annex_pdf

        return annex_pdf.render(parts, period, notes(period), _bar_figure)


def _bar_figure(section: Section) -> Any:
    """A horizontal bar chart of a one-way table's published counts (suppressed cells left out)."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    from vigie.analytics.annex_pdf import REGULAR, visual

    pairs = []
    for row in section.rows:
        digits = "".join(ch for ch in row[-1] if ch.isdigit())
        if row[0] == _("Total") or not digits:
            continue
        label = row[0] if len(row[0]) <= 40 else row[0][:39] + "…"
        pairs.append((visual(label), int(digits)))
    if not pairs:
        return None
    pairs.reverse()
    height = 20 + 14 * len(pairs)
    drawing = Drawing(440, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 170, 10, 250, height - 20
    chart.data = [[v for _label, v in pairs]]
    chart.categoryAxis.categoryNames = [label for label, _v in pairs]
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#0b4f6c")
    drawing.add(chart)
    return drawing
