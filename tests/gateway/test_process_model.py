"""How many server processes ``python -m agenthub.server`` runs when nobody says."""

from __future__ import annotations

import pytest

from apps.gateway import checks


@pytest.fixture
def no_web_concurrency(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)


def test_an_explicit_web_concurrency_wins(settings, monkeypatch):
    settings.REDIS_URL = ""
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert checks.server_processes() == 3


def test_without_redis_the_default_is_one_process(settings, no_web_concurrency):
    settings.REDIS_URL = ""
    assert checks.server_processes() == 1
    checks.check_process_model()  # coherent: nothing raised


def test_with_redis_the_default_is_one_process_per_usable_core(
    settings, no_web_concurrency, monkeypatch
):
    settings.REDIS_URL = "redis://127.0.0.1:6399/0"
    monkeypatch.setattr(checks.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    monkeypatch.setattr(checks, "_cgroup_cpu_quota", lambda: None)
    assert checks.server_processes() == 4
    monkeypatch.setattr(checks, "_cgroup_cpu_quota", lambda: 2)  # docker run --cpus=1.5
    assert checks.server_processes() == 2


@pytest.mark.parametrize(
    ("content", "cores"),
    [
        ("max 100000\n", None),
        ("200000 100000\n", 2),
        ("150000 100000\n", 2),
        ("50000 100000\n", 1),
        ("", None),
        ("garbage\n", None),
        ("100000 0\n", None),
    ],
)
def test_the_cgroup_cpu_quota_is_read_in_whole_cores(tmp_path, content, cores):
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text(content)
    assert checks._cgroup_cpu_quota(str(cpu_max)) == cores


def test_no_cgroup_file_means_no_quota(tmp_path):
    assert checks._cgroup_cpu_quota(str(tmp_path / "absent")) is None
