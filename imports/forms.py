"""The Import page's forms: the upload, then the sheet, header row, mapping and options."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .fields import fields_of
from .models import ImportJob, ImportKind, SavedMapping
from .services import MAX_BYTES


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_(
            "UTF-8, UTF-16 or Windows-1252 CSV (comma or semicolon), or an Excel .xlsx file."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB.") % {"size": MAX_BYTES // 2**20}
            )
        return upload


class MappingForm(forms.Form):
    """One choice per column of the file (which field it fills, or none), plus the sheet, the
    header row and the options for the whole file."""

    sheet = forms.ChoiceField(label=_("Sheet"), required=False)
    header_row = forms.IntegerField(
        label=_("Header row"),
        min_value=1,
        required=False,
        help_text=_("The row that names the columns; found automatically when left empty."),
    )
    saved = forms.ModelChoiceField(
        label=_("Apply a saved mapping"), queryset=SavedMapping.objects.none(), required=False
    )
    create_verified = forms.BooleanField(
        label=_("Mark the entities this file creates as verified"), required=False
    )
    publish = forms.BooleanField(
        label=_("Publish the imported pledges (as they were in the source system)"),
        required=False,
    )
    save_as = forms.CharField(
        label=_("Save this mapping as"),
        max_length=100,
        required=False,
        help_text=_("A name, to apply it to the next file of the same shape."),
    )

    def __init__(self, *args: Any, job: ImportJob, headers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.headers = [h for h in headers if h]
        sheets = job.report.get("sheets") or []
        sheet_field = self.fields["sheet"]
        assert isinstance(sheet_field, forms.ChoiceField)  # noqa: S101 — declared above
        sheet_field.choices = [(s, s) for s in sheets]
        if not sheets:
            del self.fields["sheet"]
        saved_field = self.fields["saved"]
        assert isinstance(saved_field, forms.ModelChoiceField)  # noqa: S101 — declared above
        saved_field.queryset = SavedMapping.objects.filter(kind=job.kind)
        choices = [("", _("— not imported —"))] + [
            (f.key, f"{f.label}{' *' if f.required else ''}") for f in fields_of(job.kind)
        ]
        for index, header in enumerate(self.headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header, choices=choices, required=False
            )

    def column_fields(self) -> list[Any]:
        return [self[f"column_{index}"] for index in range(len(self.headers))]

    def columns(self) -> dict[str, str]:
        saved = self.cleaned_data.get("saved")
        if saved is not None:
            return dict(saved.columns)
        return {
            header: self.cleaned_data.get(f"column_{index}") or ""
            for index, header in enumerate(self.headers)
            if self.cleaned_data.get(f"column_{index}")
        }
