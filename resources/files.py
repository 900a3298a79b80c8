"""A resource's optional file: accepted by the attachments' own rule (`attachments.services.
check_file`: the type read from the content, never the name; the virus scanner when one is
configured), so that every file the tracker takes in is checked one way."""

from django.core.files.uploadedfile import UploadedFile

from attachments.services import check_file


def checked_file_type(upload: UploadedFile) -> str:
    """The media type detected from the file's content; ValidationError for anything else."""
    return check_file(upload, upload.size or 0).type.mime
