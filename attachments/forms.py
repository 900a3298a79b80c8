"""The upload form: one file at a time (the service checks it)."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from pledges.forms import ServiceErrorsForm

from .detection import ACCEPTED, ACCEPTED_EXTENSIONS


class AttachmentForm(ServiceErrorsForm):
    file = forms.FileField(
        label=_("File"),
        # Without a name limit of its own: the service keeps a shortened, safe name.
        allow_empty_file=True,
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(f".{ext}" for ext in ACCEPTED_EXTENSIONS)}
        ),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "PDF, Word, Excel, PowerPoint, OpenDocument, CSV or a photo (JPEG, PNG, GIF, "
            "WebP), at most %(limit)s. The content is checked, not the name."
        ) % {"limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES)}
        # Browsers use `accept` to offer matching files; the media types help some of them.
        self.fields["file"].widget.attrs["accept"] += "," + ",".join(sorted(ACCEPTED))
