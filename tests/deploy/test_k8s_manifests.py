"""deploy/k8s: the manifests parse, reference each other consistently, and have the shape the
deployment guide promises (scaling, rolling upgrades, a single beat)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
ROLES = {"web", "worker", "beat", "bootstrap", "manage"}  # docker/entrypoint.sh


def _docs(name: str) -> list[dict]:
    return [d for d in yaml.safe_load_all((K8S / name).read_text()) if d]


@pytest.fixture(scope="module")
def kustomization() -> dict:
    return yaml.safe_load((K8S / "kustomization.yaml").read_text())


@pytest.fixture(scope="module")
def objects(kustomization) -> dict[tuple[str, str], dict]:
    found = {}
    for name in kustomization["resources"]:
        for doc in _docs(name):
            key = (doc["kind"], doc["metadata"]["name"])
            assert key not in found, f"{key} defined twice"
            found[key] = doc
    return found


def _pod(obj: dict) -> dict:
    return obj["spec"]["template"]["spec"]


def test_every_file_parses_and_the_kustomization_lists_all_but_the_example(kustomization):
    files = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files - {"secret.example.yaml"}
    for name in files:
        for doc in _docs(name):
            assert {"apiVersion", "kind", "metadata"} <= set(doc), name


def test_web_worker_beat_postgres_redis_are_all_there(objects):
    for key in [
        ("Deployment", "agenthub-web"),
        ("Deployment", "agenthub-worker"),
        ("Deployment", "agenthub-beat"),
        ("StatefulSet", "agenthub-postgres"),
        ("StatefulSet", "agenthub-redis"),
        ("Service", "agenthub-web"),
        ("Service", "agenthub-postgres"),
        ("Service", "agenthub-redis"),
        ("Job", "agenthub-migrate"),
        ("HorizontalPodAutoscaler", "agenthub-web"),
        ("HorizontalPodAutoscaler", "agenthub-worker"),
    ]:
        assert key in objects, key


def test_selectors_match_their_pods_and_services_find_them(objects):
    for (kind, name), obj in objects.items():
        if kind in ("Deployment", "StatefulSet"):
            labels = obj["spec"]["template"]["metadata"]["labels"]
            assert obj["spec"]["selector"]["matchLabels"].items() <= labels.items(), name
    for (kind, name), service in objects.items():
        if kind == "Service":
            pods = [
                o["spec"]["template"]["metadata"]["labels"]
                for (k, _), o in objects.items()
                if k in ("Deployment", "StatefulSet")
            ]
            assert any(service["spec"]["selector"].items() <= p.items() for p in pods), name


def test_app_containers_run_a_known_role_with_config_and_secrets(objects):
    example = _docs("secret.example.yaml")[0]
    for (kind, name), obj in objects.items():
        if kind not in ("Deployment", "Job"):
            continue
        for container in _pod(obj)["containers"]:
            assert container["image"] == "agenthub", name
            assert container["args"][0] in ROLES, name
            refs = {next(iter(ref.values()))["name"] for ref in container.get("envFrom", [])}
            assert refs == {"agenthub-config", example["metadata"]["name"]}, name
    configured = objects[("ConfigMap", "agenthub-config")]["data"]
    assert configured["REDIS_URL"].startswith("redis://agenthub-redis:")  # shared state
    assert configured["DJANGO_ENV"] == "production"
    assert "DATABASE_URL" in example["stringData"]
    assert "SECRET_KEY" in example["stringData"]


def test_web_scales_and_rolls_without_dropping_requests(objects):
    web = objects[("Deployment", "agenthub-web")]
    rolling = web["spec"]["strategy"]["rollingUpdate"]
    assert web["spec"]["strategy"]["type"] == "RollingUpdate"
    assert rolling["maxUnavailable"] == 0
    assert rolling["maxSurge"] >= 1
    container = _pod(web)["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    hpa = objects[("HorizontalPodAutoscaler", "agenthub-web")]
    assert hpa["spec"]["scaleTargetRef"]["name"] == "agenthub-web"
    assert hpa["spec"]["minReplicas"] >= 2
    assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]
    pdb = objects[("PodDisruptionBudget", "agenthub-web")]
    assert pdb["spec"]["minAvailable"] >= 1


def test_there_is_only_ever_one_beat(objects):
    beat = objects[("Deployment", "agenthub-beat")]
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"]["type"] == "Recreate"
    assert not any(
        o["spec"]["scaleTargetRef"]["name"] == "agenthub-beat"
        for (k, _), o in objects.items()
        if k == "HorizontalPodAutoscaler"
    )


def test_migrations_run_as_a_job_with_the_image(objects):
    job = objects[("Job", "agenthub-migrate")]
    assert _pod(job)["containers"][0]["args"] == ["manage", "migrate", "--noinput"]


def test_data_lives_on_volumes(objects):
    for name in ("agenthub-postgres", "agenthub-redis"):
        assert objects[("StatefulSet", name)]["spec"]["volumeClaimTemplates"], name
