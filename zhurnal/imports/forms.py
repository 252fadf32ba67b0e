from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from zhurnal.imports.parsing import ALLOWED_EXTENSIONS


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File to import (.xlsx or .csv)"),
        help_text=_("Fill in the template, save it as .xlsx or CSV, and choose it here."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)}),
    )

    def clean_file(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith(ALLOWED_EXTENSIONS):
            raise forms.ValidationError(
                _(
                    "Only .xlsx (Excel) and .csv files can be imported. "
                    "Save the table in one of these formats."
                )
            )
        limit = settings.ZHURNAL_IMPORT_MAX_BYTES
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s KB; split it into several files.")
                % {"limit": limit // 1024}
            )
        return upload
