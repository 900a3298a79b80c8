"""Work queues by kind (issue 23, scale-out item 3): each task goes to its kind's queue in
production, and a worker started without -Q consumes every one of them."""

from pathlib import Path

import yaml
from celery.app.routes import Router, prepare

from config.celery import app
from config.settings import base

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = {
    "indicators.recompute_stale_progress": "progress",
    "indicators.recompute_all_progress": "progress",
    "imports.check_import": "imports",
    "imports.commit_import": "imports",
    "webhooks.deliver_webhook": "webhooks",
    "webhooks.send_due_webhooks": "webhooks",
    "mail.send_digest": "mail",
    "exports.build_data_package": "bulk",
}


def _queue_of(task_name: str) -> str:
    queues = {q.name: q for q in base.CELERY_TASK_QUEUES}
    router = Router(prepare(base.CELERY_TASK_ROUTES), queues, app=app)
    route = router.route({}, task_name)
    return route["queue"].name if "queue" in route else base.CELERY_TASK_DEFAULT_QUEUE


def test_each_kind_of_task_has_its_queue() -> None:
    assert {name: _queue_of(name) for name in EXPECTED} == EXPECTED
    assert _queue_of("somewhere.something_else") == "celery"


def test_every_registered_task_is_routed_to_a_queue_a_default_worker_consumes() -> None:
    app.loader.import_default_modules()
    ours = [name for name in app.tasks if not name.startswith("celery.")]

    assert ours
    assert {_queue_of(name) for name in ours} <= set(base.CELERY_WORKER_QUEUES)
    assert {_queue_of(name) for name in ours} >= {"progress", "webhooks", "imports"}
    # Without -Q a worker consumes task_queues: all of them.
    assert [q.name for q in base.CELERY_TASK_QUEUES] == base.CELERY_WORKER_QUEUES


def test_the_compose_stack_runs_a_worker_per_group_covering_every_queue_and_one_beat() -> None:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    consumed: list[str] = []
    for service in services.values():
        command = service.get("command")
        if isinstance(command, list) and "worker" in command:
            consumed += command[command.index("-Q") + 1].split(",")

    assert sorted(consumed) == sorted(base.CELERY_WORKER_QUEUES)  # each queue, exactly once
    beats = [n for n, s in services.items() if "beat" in (s.get("command") or [])]
    assert beats == ["beat"]
