"""Forms of the web import: the upload, the column-and-value mapping (built for the uploaded
file's header and sample values) and the mapping profiles (a name and the YAML text of a
mapping file)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vigie.cases import codelists
from vigie.cases.interchange import mapping

LAYOUT_CHOICES = [
    ("", _("Recognise it from the file")),
    ("vigie", _("Vigie standard (columns named case.*, victim.* ...)")),
    ("ctdc", "CTDC (CSV, XLSX)"),
    ("htcds", _("HTCDS v2.0 spreadsheet (XLSX, CSV) or HTCDS JSON")),
    ("mapped", _("Another layout: I will map its columns")),
]
SECTION_LABELS = {
    "case": _("Case"),
    "victim": _("Person"),
    "exploitation": _("Exploitation"),
    "perpetrator": _("Perpetrator"),
}
MAX_VALUES = 30  # distinct source values offered for recoding, per column


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV or XLSX (Vigie, CTDC, HTCDS spreadsheet or any other table), or HTCDS JSON."
        ),
    )
    format = forms.ChoiceField(label=_("Layout"), choices=LAYOUT_CHOICES, required=False)
    profile = forms.ChoiceField(
        label=_("Mapping profile"),
        required=False,
        help_text=_("A saved mapping of the columns and values of another layout."),
    )
    partial = forms.BooleanField(
        label=_("Write the valid rows even if some are invalid"),
        required=False,
        help_text=_("Otherwise nothing is written when any row is invalid."),
    )
    organisation = forms.ChoiceField(label=_("Organisation"))

    def __init__(
        self, *args: Any, organisations: list[Any], profiles: Any = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        org = self.fields["organisation"]
        assert isinstance(org, forms.ChoiceField)
        org.choices = [(o.code, o.name) for o in organisations]
        prof = self.fields["profile"]
        assert isinstance(prof, forms.ChoiceField)
        prof.choices = [("", _("None"))] + [
            (str(p.pk), f"{p.name} ({p.organisation.code})") for p in profiles
        ]


def target_choices() -> list[tuple[str, Any]]:
    """Grouped choices of the Vigie fields a column may fill."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for target, field in mapping.vigie_fields().items():
        section = target.split(".", 1)[0]
        label = str(getattr(field, "verbose_name", "") or target)
        groups.setdefault(section, []).append((target, f"{label} ({target})"))
    out: list[tuple[str, Any]] = [("", _("— ignore this column —"))]
    for section, items in groups.items():
        out.append((str(SECTION_LABELS.get(section, section)), sorted(items, key=lambda i: i[1])))
    return out


def codelist_of(target: str) -> str:
    field = mapping.vigie_fields().get(target)
    return str(getattr(field, "codelist", "") or "") if field is not None else ""


class MappingForm(forms.Form):
    """``col-I``: the target of source column I; ``val-I-K``: the code for the K-th distinct
    value of column I (columns mapped to a coded field); ``profile_name``: to save it."""

    profile_name = forms.CharField(label=_("Profile name"), required=False, max_length=120)

    def __init__(
        self,
        *args: Any,
        header: list[str],
        samples: list[list[str]],
        rules: mapping.Mapping | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.header = header
        self.samples = samples
        choices = target_choices()
        rules = rules or mapping.Mapping()
        self.value_rows: list[tuple[int, str, list[str]]] = []
        for i, col in enumerate(header):
            self.fields[f"col-{i}"] = forms.ChoiceField(
                label=col or _("(column %(n)s, no name)") % {"n": i + 1},
                choices=choices,
                required=False,
                initial=rules.columns.get(col, ""),
            )
            if self.is_bound:
                target = str(self.data.get(f"col-{i}", ""))
            else:
                target = rules.columns.get(col, "")
            listname = codelist_of(target)
            if not listname:
                continue
            seen = sorted({row[i].strip() for row in samples if i < len(row) and row[i].strip()})
            seen = seen[:MAX_VALUES]
            codes = [("", _("keep as written")), *codelists.get(listname).choices()]
            table = rules.values.get(target, {})
            for k, value in enumerate(seen):
                self.fields[f"val-{i}-{k}"] = forms.ChoiceField(
                    label=value, choices=codes, required=False, initial=table.get(value, "")
                )
            if seen:
                self.value_rows.append((i, target, seen))

    def column_fields(self) -> list[Any]:
        return [
            (self[f"col-{i}"], [r[i] for r in self.samples[:3] if i < len(r)])
            for i in range(len(self.header))
        ]

    def value_sections(self) -> list[tuple[str, str, list[Any]]]:
        return [
            (self.header[i], target, [self[f"val-{i}-{k}"] for k in range(len(seen))])
            for i, target, seen in self.value_rows
        ]

    def to_mapping(self) -> mapping.Mapping:
        cd = self.cleaned_data
        columns = {
            col: cd[f"col-{i}"] for i, col in enumerate(self.header) if col and cd.get(f"col-{i}")
        }
        values: dict[str, dict[str, str]] = {}
        for i, target, seen in self.value_rows:
            if columns.get(self.header[i]) != target:
                continue
            for k, value in enumerate(seen):
                code = cd.get(f"val-{i}-{k}")
                if code:
                    values.setdefault(target, {})[value] = code
        return mapping.Mapping("vigie", columns, values)


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    organisation = forms.ChoiceField(label=_("Organisation"))
    text = forms.CharField(
        label=_("Mapping (YAML)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "dir": "ltr", "spellcheck": "false"}),
        help_text=_(
            "The same text as a mapping file of vigie import --mapping: layout, columns "
            "(source column: field), values (field: {source value: code})."
        ),
    )
    upload = forms.FileField(label=_("Or upload a mapping file (.yaml)"), required=False)

    def __init__(self, *args: Any, organisations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org = self.fields["organisation"]
        assert isinstance(org, forms.ChoiceField)
        org.choices = [(o.code, o.name) for o in organisations]

    def clean(self) -> dict[str, Any]:
        cd = super().clean() or {}
        upload = cd.get("upload")
        text = cd.get("text") or ""
        if upload is not None:
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("upload", _("The file is not UTF-8 text."))
                return cd
        if not text.strip():
            self.add_error("text", _("Write the mapping, or upload a mapping file."))
            return cd
        try:
            cd["rules"] = mapping.loads(text, f"{cd.get('name') or 'profile'}.yaml")
        except mapping.MappingError as exc:
            self.add_error("upload" if upload is not None else "text", str(exc))
        return cd
