"""Celery entry points of the data packages."""

from celery import shared_task

from .services import build_data_package


# Longer than the global limits (a package of a million pledges takes minutes), shorter than
# the broker's visibility timeout, so that a slow healthy run is never delivered twice.
@shared_task(
    name="datapackages.build_data_package",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=1380,
    time_limit=1440,
)
def build_data_package_task() -> str:
    """The nightly package (beat: `build-data-package-nightly`). Another run writes another
    package; pruning keeps the newest `DATA_PACKAGE_KEEP`."""
    return str(build_data_package().public_id)
