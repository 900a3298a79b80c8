"""The Kubernetes manifests (deploy/k8s/, issue 23 scale-out item 4) validate against the
Kubernetes API's schemas (kubernetes-validate, offline) and keep the rules a deployment relies on:
one beat, probes on /healthz, resource requests, secrets only from the Secret."""

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from config.settings import base

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
KUSTOMIZATION = yaml.safe_load((K8S / "kustomization.yaml").read_text())
FILES = KUSTOMIZATION["resources"]
RESOURCES = [
    doc for name in FILES for doc in yaml.safe_load_all((K8S / name).read_text()) if doc is not None
]
SECRET_NAMES = {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DATABASE_REPLICA_URLS"}


def _named(kind: str, name: str) -> dict[str, Any]:
    (found,) = [r for r in RESOURCES if r["kind"] == kind and r["metadata"]["name"] == name]
    return found


def _pod(resource: dict[str, Any]) -> dict[str, Any]:
    spec = resource["spec"]
    if resource["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]


def test_every_manifest_file_is_in_the_kustomization() -> None:
    assert sorted(FILES) == sorted(
        p.name for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml"
    )


@pytest.mark.parametrize(
    "resource", RESOURCES, ids=lambda r: f"{r['kind']}/{r['metadata']['name']}"
)
def test_each_resource_validates_strictly(resource: dict[str, Any]) -> None:
    kubernetes_validate.validate(resource, kubernetes_validate.latest_version(), strict=True)


def test_web_workers_beat_migration_and_bulk_data_are_all_there() -> None:
    assert _named("Deployment", "cpt-web")["spec"]["replicas"] >= 2
    beat = _named("Deployment", "cpt-beat")["spec"]
    assert (beat["replicas"], beat["strategy"]["type"]) == (1, "Recreate")  # never two
    assert _pod(_named("Job", "cpt-migrate"))["containers"][0]["command"][-1].startswith(
        "python manage.py migrate"
    )
    bulk = _named("CronJob", "cpt-bulk-data")
    assert bulk["spec"]["concurrencyPolicy"] == "Forbid"
    assert _pod(bulk)["containers"][0]["command"] == ["python", "manage.py", "build_data_package"]
    consumed = []
    for resource in RESOURCES:
        if resource["kind"] != "Deployment":
            continue
        command = _pod(resource)["containers"][0]["command"]
        if "worker" in command:
            consumed += command[command.index("-Q") + 1].split(",")
    assert sorted(consumed) == sorted(base.CELERY_WORKER_QUEUES)


def test_web_probes_healthz_with_an_allowed_host() -> None:
    (web,) = _pod(_named("Deployment", "cpt-web"))["containers"]
    for probe in ("startupProbe", "readinessProbe"):
        check = web[probe]["httpGet"]
        assert check["path"] == "/healthz"
        host = {h["name"]: h["value"] for h in check["httpHeaders"]}["Host"]
        assert host in _named("ConfigMap", "cpt-config")["data"]["ALLOWED_HOSTS"].split(",")
    # A database outage takes pods out of the Service, it does not restart them all.
    assert "tcpSocket" in web["livenessProbe"]


def test_every_container_requests_resources_and_reads_secrets_from_the_secret() -> None:
    pods = [_pod(r) for r in RESOURCES if r["kind"] in {"Deployment", "Job", "CronJob"}]
    assert len(pods) == 7
    for pod in pods:
        for container in pod["containers"]:
            assert {"cpu", "memory"} <= set(container["resources"]["requests"])
            env = {e["name"]: e for e in container["env"]}
            assert set(env) >= SECRET_NAMES
            for name in SECRET_NAMES:
                assert env[name]["valueFrom"]["secretKeyRef"]["name"] == "cpt-secrets"
    config = _named("ConfigMap", "cpt-config")["data"]
    assert not SECRET_NAMES & set(config)
