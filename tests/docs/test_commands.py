"""Every command in the README and the other pages (docs/, docker/, fakellm/, bench/) is run
against a live instance started by ``make run``, or, where a page marks its block
``<!-- docs-test: skip — why -->`` (Docker, Kubernetes, the suite itself), checked against what
it names (tests/docs/static_checks.py). Commands named inline in prose are checked the same way.
A command the test cannot run or check fails it: a new command cannot go unchecked."""

from __future__ import annotations

import pytest

from tests.docs import static_checks
from tests.docs.expected import mismatch, parse
from tests.docs.extract import all_commands, extract
from tests.docs.runner import PageRun, run_page
from tests.docs.static_checks import CheckFailed, check, check_python_block

COMMANDS, ERRORS = all_commands()
RUN = [c for c in COMMANDS if c.mode != "skip"]
CHECKED = [c for c in COMMANDS if c.mode == "skip"]


def test_every_code_block_is_classified():
    assert ERRORS == []


def test_the_pages_have_commands_to_run_and_to_check():
    pages = {c.page for c in RUN}
    assert {"README.md", "docs/deployment.md", "fakellm/README.md"} <= pages
    assert len(RUN) >= 30
    assert {"docs/deployment.md", "docs/runbooks/AgentHubDown.md"} <= {c.page for c in CHECKED}
    blocks = [c for c in CHECKED if c.kind != "inline"]
    assert all(c.reason for c in blocks), [c.id for c in blocks if not c.reason]


@pytest.mark.slow
@pytest.mark.parametrize("page", sorted({c.page for c in RUN}))
def test_page_commands_do_what_the_page_says(page, docs_instance, docs_fake_upstream):
    docs_fake_upstream.reset()  # a page may have told it to be slow or to fail
    session = PageRun(docs_instance, docs_fake_upstream.base_url)
    failures = run_page(session, [c for c in RUN if c.page == page])
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("command", CHECKED, ids=[f"{c.id} {c.text[:60]}" for c in CHECKED])
def test_command_checked_without_running(command):
    if command.kind == "python":
        check_python_block(command.text)
    else:
        check(command.text)


# --- the test catches what is wrong -------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        "python manage.py no_such_command",
        "python manage.py create_api_key --tenant acme --no-such-flag",
        "make no-such-target",
        "make worker / make beat",
        "NO_SUCH_SETTING=1 make test",
        "kubectl -n agenthub scale deployment/agenthub-nope --replicas=2",
        "kubectl -n agenthub get pods -l app.kubernetes.io/component=nope",
        "docker compose -f docker/compose.yml run --rm web frobnicate",
        "docker compose -f docker/compose.yml logs nope",
        "python bench/security/run.py --no-such-flag",
        "python -m apps.no_such_module",
        "pytest -m no_such_marker",
        "curl -s http://127.0.0.1:8000/api/v1/no-such-route",
        "rm -rf /",
    ],
)
def test_a_wrong_command_is_caught(command):
    with pytest.raises(CheckFailed):
        check(command)


def test_a_deployment_variable_nothing_reads_is_caught():
    with pytest.raises(CheckFailed, match="nothing reads AGENTHUB_NO_SUCH_SETTING"):
        static_checks._env_is_read("AGENTHUB_NO_SUCH_SETTING")


def test_a_command_in_an_untagged_block_or_a_bare_directive_is_an_error(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "```\nmake run\n```\n\n<!-- docs-test: skip -->\n```bash\nmake run\n```\n\n"
        "<!-- docs-test: skip — a reason -->\nSome prose, no block.\n"
    )
    _, errors = extract(page)
    assert len(errors) == 3, errors


@pytest.mark.parametrize(
    ("documented", "answer", "ok"),
    [
        ('{"label": "billing", "usage": {…}}', {"label": "billing", "usage": {}, "x": 1}, True),
        ('{"label": "billing"}', {"label": "sales"}, False),
        ('{"a": "x" | "y", "b": {…} | "c": {"d", "e"}}', {"a": "y", "c": {"d": 1, "e": 2}}, True),
        ('{"a": "x" | "y", "b": {…} | "c": {"d", "e"}}', {"a": "y", "c": {"d": 1}}, False),
        ('{"reply": "answer: [1] Refund ..."}', {"reply": "answer: [1] Refund x"}, True),
        ('{"steps": [{"tool": "calc", "duration_ms": 0}]}', {"steps": [{"duration_ms": 3}]}, False),
        (
            '{"s": [{"tool": "calc", "duration_ms": 0}]}',
            {"s": [{"tool": "calc", "duration_ms": 3}]},
            True,
        ),
        ('{"steps": [{"tool": "calc"}]}', {"steps": [{"tool": "search"}]}, False),
        ('{"parties": […], "verified": true}', {"parties": [], "verified": True}, True),
        ('{"verified": true}', {"verified": 1}, False),
    ],
)
def test_documented_output_is_compared(documented, answer, ok):
    assert (mismatch(parse(documented).shape, answer) is None) is ok


@pytest.mark.slow
def test_a_page_command_that_fails_or_answers_otherwise_is_reported(
    tmp_path, docs_instance, docs_fake_upstream
):
    page = tmp_path / "page.md"
    page.write_text(
        "```bash\n"
        "frobnicate --now\n"
        "curl -s http://127.0.0.1:8000/api/v1/tenants/me\n"  # no key: 401
        'curl -s -H "Authorization: Bearer ah_..." http://127.0.0.1:8000/api/v1/tenants/me\n'
        '# → {"tenant": "someone-else"}\n'
        "curl -s http://127.0.0.1:8000/api/v1/ai/jobs/<job number>\n"
        "```\n"
    )
    commands, _ = extract(page)
    failures = run_page(PageRun(docs_instance, docs_fake_upstream.base_url), commands)
    assert [f.split(":", 2)[1] for f in failures] == ["2", "3", "4", "6"], failures
    assert "exit 127" in failures[0]
    assert "HTTP [401]" in failures[1]
    assert "documented 'someone-else', got 'demo'" in failures[2]
    assert "does not know the placeholder <job number>" in failures[3]
