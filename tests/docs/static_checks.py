"""The check for a documented command that is not run here (Docker, Kubernetes, the whole suite,
benchmarks, commands named inline): what it names must exist and parse. A management command
and its arguments (Django's own parser), a Makefile target and the variables set for it, a
script and the flags given to it, a module for ``python -m``, a pytest marker, a Compose service
and the entrypoint role it runs, a Kubernetes object in deploy/k8s, an alert rule file (promtool
runs when installed), a URL route. A program this module does not know fails the check, so a
new kind of command cannot pass unchecked."""

from __future__ import annotations

import ast
import importlib.util
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from functools import cache

import yaml
from django.core.management import get_commands, load_command_class
from django.urls import Resolver404, resolve

from tests.docs.extract import ASSIGNMENT, ROOT

K8S = ROOT / "deploy" / "k8s"
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"


class CheckFailed(AssertionError):
    pass


def _require(condition: object, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def is_placeholder(word: str) -> bool:
    """NAME, <id>, [--flag], FILE.jsonl: a value the reader fills in."""
    return bool(re.search(r"[<>\[\]]", word)) or bool(re.fullmatch(r"[A-Z][A-Z_]*(\.\w+)?", word))


@cache
def entrypoint_roles() -> frozenset[str]:
    """The roles docker/entrypoint.sh dispatches on (``web)``, ``worker)``... in its case)."""
    return frozenset(re.findall(r"^\s+(\w+)\)$", ENTRYPOINT.read_text(), re.M))


@cache
def _manifests() -> tuple[dict, ...]:
    return tuple(
        doc
        for path in sorted(K8S.glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text())
        if doc
    )


@cache
def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker" / "compose.yml").read_text())


@cache
def _code() -> str:
    """The code that reads the environment: the project's Python and the entrypoint."""
    sources = [*ROOT.glob("agenthub/*.py"), *ROOT.glob("apps/**/*.py"), ENTRYPOINT]
    return "\n".join(path.read_text() for path in sources)


def _env_is_read(name: str, *elsewhere: str) -> None:
    """An environment variable a deployment file sets is read by the code (or, for the
    database image's own variables, by another file of the deployment)."""
    found = re.search(rf"\b{re.escape(name)}\b", _code()) or any(
        re.search(rf"\b{re.escape(name)}\b", text) for text in elsewhere
    )
    _require(found, f"nothing reads {name}")


def _k8s_env() -> None:
    """The ConfigMap's settings and the secret's keys are variables something reads."""
    files = {path.name: path.read_text() for path in K8S.glob("*.yaml")}
    for doc in _manifests():
        if doc["kind"] == "ConfigMap":
            for name in doc["data"]:
                _env_is_read(name)
    example = yaml.safe_load(files["secret.example.yaml"])
    users = [text for name, text in files.items() if name != "secret.example.yaml"]
    for name in example["stringData"]:
        _env_is_read(name, *users)


def _compose_app_services() -> None:
    """Services built from the AgentHub image run an entrypoint role, with variables the code
    reads and env files that docker/init-env.sh writes."""
    init_env = (ROOT / "docker" / "init-env.sh").read_text()
    for name, service in _compose()["services"].items():
        if "build" not in service:
            continue
        _require(service["command"][0] in entrypoint_roles(), f"{name} runs {service['command']}")
        for variable in service.get("environment", {}):
            _env_is_read(variable)
        env_files = service.get("env_file", [])
        for env_file in [env_files] if isinstance(env_files, str) else env_files:
            _require(env_file in init_env, f"docker/init-env.sh does not write {env_file}")


def _k8s_object(kind_word: str, name: str) -> None:
    kinds = {"deploy": "Deployment", "deployment": "Deployment", "job": "Job", "pods": "Pod"}
    kind = kinds[kind_word]
    names = {d["metadata"]["name"] for d in _manifests() if d["kind"] == kind}
    _require(name in names, f"{kind} {name} is not in deploy/k8s ({sorted(names)})")


def _k8s_label(selector: str) -> None:
    key, value = selector.split("=", 1)
    labels = [
        d["spec"]["template"]["metadata"].get("labels", {})
        for d in _manifests()
        if d["kind"] in ("Deployment", "StatefulSet")
    ]
    _require(any(found.get(key) == value for found in labels), f"no pod has label {selector}")


def check_manage(words: list[str]) -> None:
    """A manage.py command exists and its arguments parse (placeholders pass)."""
    if not words or is_placeholder(words[0]):
        return
    name, args = words[0], words[1:]
    _require(name in get_commands(), f"no management command {name!r}")
    command = load_command_class(get_commands()[name], name)
    parser = command.create_parser("manage.py", name)
    if not any(is_placeholder(arg) for arg in args):
        try:
            parser.parse_args(args)
        except BaseException as error:  # argparse exits (SystemExit) or raises CommandError
            raise CheckFailed(f"manage.py {name} refuses {args}: {error}") from error
    else:  # flags still have to exist
        known = {option for action in parser._actions for option in action.option_strings}
        for arg in args:
            for flag in re.findall(r"--[a-z][a-z-]*", arg):
                _require(flag in known, f"manage.py {name} has no {flag}")


def _check_python(words: list[str]) -> None:
    if words[0] == "manage.py":
        check_manage(words[1:])
    elif words[0] == "-m":
        _require(importlib.util.find_spec(words[1]), f"no module {words[1]}")
    elif words[0] == "-c":
        done = subprocess.run(
            [sys.executable, "-c", words[1]], cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        _require(done.returncode == 0, f"python -c failed: {done.stderr[-2000:]}")
    else:
        _check_script(words)


def _check_script(words: list[str]) -> None:
    """A script of the repository exists, parses, and mentions every flag given to it."""
    script = ROOT / words[0]
    _require(script.is_file(), f"{words[0]} does not exist")
    source = script.read_text()
    if script.suffix == ".sh":
        subprocess.run(["bash", "-n", str(script)], check=True)
    else:
        ast.parse(source)
    for arg in words[1:]:
        for flag in re.findall(r"--[a-z][a-z-]*", arg):
            _require(flag in source, f"{words[0]} has no {flag}")
        word = arg.strip("[]")
        if word.isalpha() and word.islower():  # a positional keyword: `scenarios.py flood`
            _require(f'"{word}"' in source, f"{words[0]} does not take {word!r}")


def _check_make(words: list[str], assignments: list[str]) -> None:
    makefile = (ROOT / "Makefile").read_text()
    settings = (ROOT / "agenthub" / "settings.py").read_text()
    for assignment in assignments:
        name = assignment.split("=", 1)[0]
        _require(
            f"$({name})" in makefile or f'"{name}"' in settings, f"nothing reads {name} for make"
        )
    for target in (w for w in words if not w.startswith("-")):
        _require(re.search(rf"^{re.escape(target)}:", makefile, re.M), f"no make target {target}")


def _check_pytest(words: list[str]) -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    markers = {m.split(":")[0] for m in config["tool"]["pytest"]["ini_options"]["markers"]}
    for index, word in enumerate(words[:-1]):
        if word == "-m":
            _require(words[index + 1] in markers, f"no pytest marker {words[index + 1]}")


def _check_docker(words: list[str]) -> None:
    if words[0] == "build":
        _require((ROOT / words[words.index("-f") + 1]).is_file(), "no such Dockerfile")
        return
    if words[0] == "stop":  # named in prose: what `docker stop` gives a container
        return
    _require(words[:2] == ["compose", "-f"], f"docker {words[0]}: only compose -f is documented")
    _require((ROOT / words[2]).is_file(), f"no compose file {words[2]}")
    services = _compose()["services"]
    for name, service in services.items():
        _require("image" in service or "build" in service, f"compose service {name}: no image")
    verb, rest = words[3], words[4:]
    _require(verb in {"up", "run", "ps", "logs"}, f"unchecked docker compose verb {verb!r}")
    if verb == "up":
        _compose_app_services()
    for arg in rest:
        if arg.startswith("--scale="):
            arg = arg.split("=", 1)[1]
        if "=" in arg and not arg.startswith("-"):  # --scale worker=3
            _require(arg.split("=")[0] in services, f"no compose service {arg}")
    if verb == "logs":
        _require(all(name in services for name in rest), f"no compose service in {rest}")
    if verb == "run":
        at = next(index for index, word in enumerate(rest) if not word.startswith("-"))
        service, role, args = rest[at], rest[at + 1], rest[at + 2 :]
        _require(service in services, f"no compose service {service}")
        _require(role in entrypoint_roles(), f"docker/entrypoint.sh has no role {role!r}")
        if role == "manage":
            check_manage(args)


def _check_kubectl(words: list[str]) -> None:
    args = [w for w in words if w not in ("-n", "agenthub")]
    verb = args[0]
    for flag in ("-f", "-k"):
        if flag in args:
            _require((ROOT / args[args.index(flag) + 1]).exists(), f"no {args}")
    if verb == "exec":
        kind, name = args[1].split("/")
        _k8s_object(kind, name)
        tail = args[args.index("--") + 1 :]
        _require(tail[0] == "/app/docker/entrypoint.sh", f"exec runs {tail[0]}")
        _require(tail[1] in entrypoint_roles(), f"docker/entrypoint.sh has no role {tail[1]!r}")
    elif verb == "create":
        _require(args[1:3] == ["secret", "generic"], f"kubectl create {args[1:3]}")
        example = yaml.safe_load((K8S / "secret.example.yaml").read_text())
        _require(args[3] == example["metadata"]["name"], f"secret {args[3]}")
        keys = {a.split("=", 1)[1].split("=", 1)[0] for a in args if a.startswith("--from-")}
        _require(keys == set(example["stringData"]), f"secret keys {keys}")
    elif verb in ("scale", "wait", "rollout", "delete", "get"):
        for arg in args:
            if "/" in arg and not arg.startswith("--") and "=" not in arg:
                _k8s_object(*arg.split("/"))
        if verb == "delete":
            _k8s_object(args[1], args[2])
        if "-l" in args:
            _k8s_label(args[args.index("-l") + 1])
    elif verb == "apply":
        _k8s_env()
    else:
        # `kubectl logs` is named in prose (a runbook's "and kubectl logs"): nothing to resolve
        _require(verb == "logs", f"unchecked kubectl verb {verb!r}")


def _check_kustomize(words: list[str]) -> None:
    _require(words[:3] == ["edit", "set", "image"], f"kustomize {words[:3]}")
    image = words[3].split("=")[0]
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    _require(image in {i["name"] for i in kustomization["images"]}, f"no image {image}")


def _check_promtool(words: list[str]) -> None:
    verbs = (["check", "rules"], ["test", "rules"], ["check", "config"], ["check", "metrics"])
    _require(words[:2] in verbs, f"promtool {words[:2]}")
    files = [ROOT / w for w in words[2:]]
    for path in files:
        _require(path.is_file(), f"no {path}")
        yaml.safe_load(path.read_text())
    if files and shutil.which("promtool"):  # CI installs it (.ci/run)
        done = subprocess.run(["promtool", *words], cwd=ROOT, capture_output=True, text=True)
        _require(done.returncode == 0, f"promtool {' '.join(words)}: {done.stdout}{done.stderr}")


def _check_url(words: list[str]) -> None:
    url = next((w for w in words if "://" in w), None)
    _require(url, f"no URL in {words}")
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    try:
        resolve(path.split("?")[0])
    except Resolver404 as error:
        raise CheckFailed(f"{path} is not a URL of this project") from error


def check(command: str) -> None:
    """Check a command without running it; CheckFailed says what does not exist."""
    words = shlex.split(command, comments=True)
    if words[-1:] == ["&"]:  # started in the background: the same command
        words.pop()
    assignments = []
    while words and ASSIGNMENT.match(words[0]):
        assignments.append(words.pop(0))
    program, args = words[0], words[1:]
    if program in ("python", "python3", ".venv/bin/python"):
        _check_python(args)
    elif program in ("manage.py", "manage"):
        check_manage(args)
    elif program == "make":
        _check_make(args, assignments)
    elif program == "pytest":
        _check_pytest(args)
    elif program == "docker":
        _check_docker(args)
    elif program == "kubectl":
        _check_kubectl(args)
    elif program == "kustomize":
        _check_kustomize(args)
    elif program == "promtool":
        _check_promtool(args)
    elif program in ("curl", "open"):
        _check_url(args)
    elif program == "apt-get":
        # a Debian package the page asks for (promtool's): only the form is checked here
        _require(args[:1] == ["install"], f"apt-get {args[:1]}")
    elif program.endswith(".sh"):
        _check_script([program, *args])
    else:
        raise CheckFailed(f"no check for commands of {program!r}: {command}")


def check_python_block(source: str) -> None:
    """A Python example that is not run: it must at least be valid Python."""
    ast.parse(source)
