"""Every shell command in docs/ is checked: run where it can run offline, otherwise checked
against what it names (management commands and their arguments, Makefile targets, entrypoint
roles, files, Kubernetes objects in deploy/k8s, URL paths). A command of a kind this test does
not know fails it, so a new page cannot bring an unchecked command."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, get_commands, load_command_class
from django.urls import Resolver404, resolve

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
K8S = ROOT / "deploy" / "k8s"
ROLES = {"web", "worker", "beat", "bootstrap", "manage"}  # docker/entrypoint.sh
BLOCK = re.compile(r"```(?:bash|sh|shell)\n(.*?)```", re.S)


def doc_commands() -> list[tuple[str, str]]:
    """(page, command) for every command of every bash block, continuations joined."""
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        for block in BLOCK.findall(page.read_text()):
            for command in block.replace("\\\n", " ").splitlines():
                words = shlex.split(command, comments=True)
                if words:
                    found.append((str(page.relative_to(ROOT)), command.strip()))
    return found


def _manifests() -> list[dict]:
    return [
        doc
        for path in sorted(K8S.glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text())
        if doc
    ]


def _k8s_object(kind_word: str, name: str) -> None:
    kinds = {"deploy": "Deployment", "deployment": "Deployment", "job": "Job"}
    kind = kinds[kind_word]
    names = {d["metadata"]["name"] for d in _manifests() if d["kind"] == kind}
    assert name in names, f"{kind} {name} is not in deploy/k8s ({sorted(names)})"


def _check_manage(words: list[str]) -> None:
    """A manage.py command exists and its arguments parse (placeholders in capitals pass)."""
    name, args = words[0], words[1:]
    assert name in get_commands(), f"no management command {name!r}"
    command = load_command_class(get_commands()[name], name)
    parser = command.create_parser("manage.py", name)
    if not any(arg.isupper() or "<" in arg for arg in args):
        parser.parse_args(args)


def _check_kubectl(words: list[str]) -> None:
    args = [w for w in words[1:] if w not in ("-n", "agenthub")]
    verb = args[0]
    for flag in ("-f", "-k"):
        if flag in args:
            assert (ROOT / args[args.index(flag) + 1]).exists()
    if verb == "exec":
        kind, name = args[1].split("/")
        _k8s_object(kind, name)
        tail = args[args.index("--") + 1 :]
        assert tail[0] == "/app/docker/entrypoint.sh"
        assert tail[1] in ROLES
    elif verb == "create":
        assert args[1:3] == ["secret", "generic"]
        example = yaml.safe_load((K8S / "secret.example.yaml").read_text())
        assert args[3] == example["metadata"]["name"]
        keys = {a.split("=", 1)[1].split("=", 1)[0] for a in args if a.startswith("--from-")}
        assert keys == set(example["stringData"]), keys
    elif verb in ("scale", "wait", "rollout", "delete"):
        for arg in args:
            if "/" in arg and not arg.startswith("--"):
                kind, name = arg.split("/")
                _k8s_object(kind, name)
        if verb == "delete":
            _k8s_object(args[1], args[2])
    else:
        assert verb == "apply", f"unchecked kubectl verb {verb!r}"


def _check_docker(words: list[str]) -> None:
    assert words[1:3] == ["compose", "-f"]
    assert (ROOT / words[3]).is_file()
    rest = words[4:]
    if rest[0] == "run":
        role_at = rest.index("web") + 1
        role, args = rest[role_at], rest[role_at + 1 :]
        assert role in ROLES, role
        if role == "manage":
            _check_manage(args)
    else:
        assert rest[0] == "up", rest


def check(command: str) -> None:
    words = shlex.split(command, comments=True)
    program = words[0]
    if program in ("python", "python3", ".venv/bin/python") and words[1] == "manage.py":
        _check_manage(words[2:])
    elif program in ("python", "python3") and words[1] == "-c":
        subprocess.run([sys.executable, "-c", words[2]], check=True, capture_output=True)
    elif program == "make":
        makefile = (ROOT / "Makefile").read_text()
        assert re.search(rf"^{re.escape(words[1])}:", makefile, re.M), words[1]
    elif program == "promtool":
        if shutil.which("promtool") is None:
            pytest.skip("promtool: apt-get install prometheus")
        subprocess.run(words, cwd=ROOT, check=True, capture_output=True)
    elif program.endswith(".sh"):
        script = ROOT / program
        assert script.is_file()
        subprocess.run(["bash", "-n", str(script)], check=True)
    elif program == "docker":
        _check_docker(words)
    elif program == "kubectl":
        _check_kubectl(words)
    elif program == "kustomize":
        assert words[1:4] == ["edit", "set", "image"]
        image = words[4].split("=")[0]
        kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
        assert image in {i["name"] for i in kustomization["images"]}
    elif program == "curl":
        url = next(w for w in words[1:] if "://" in w)
        path = "/" + url.split("://", 1)[1].split("/", 1)[1]
        try:
            resolve(path.split("?")[0])
        except Resolver404:
            pytest.fail(f"{path} is not a URL of this project")
    else:
        pytest.fail(f"no check for commands of {program!r}: {command}")


COMMANDS = doc_commands()


def test_the_docs_have_commands_to_check():
    pages = {page for page, _ in COMMANDS}
    assert {"docs/deployment.md"} <= pages
    assert len(COMMANDS) >= 10


@pytest.mark.parametrize(("page", "command"), COMMANDS, ids=[c for _, c in COMMANDS])
def test_doc_command(page, command):
    check(command)


@pytest.mark.parametrize(
    "command",
    [
        "python manage.py no_such_command",
        "python manage.py create_api_key --tenant acme --no-such-flag",
        "make no-such-target",
        "kubectl -n agenthub scale deployment/agenthub-nope --replicas=2",
        "docker compose -f docker/compose.yml run --rm web frobnicate",
        "rm -rf /",
    ],
)
def test_a_wrong_command_is_caught(command):
    with pytest.raises((AssertionError, CommandError, pytest.fail.Exception)):
        check(command)
