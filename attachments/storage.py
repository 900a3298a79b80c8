"""The storage attachments are kept in (`STORAGES["attachments"]`: the local filesystem, or an
S3-compatible object store; config/settings/base.py) and the random names they are kept under."""

import secrets

from django.core.files.storage import Storage, storages


def attachment_storage() -> Storage:
    """The `attachments` storage (a callable, so the model's field and its migration do not
    depend on the environment's storage)."""
    return storages["attachments"]


def random_name() -> str:
    """A name nobody can guess or choose: 128 random bits, in a directory of 256 so that no
    directory of the local filesystem holds millions of files. No extension: the file is never
    served by name, only by the app with the type it detected."""
    token = secrets.token_hex(16)
    return f"{token[:2]}/{token}"
