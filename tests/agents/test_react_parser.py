import pytest

from apps.agents.react import coerce_arguments, parse_reply, render_text_messages
from apps.agents.tools import get_tool


def test_action_with_json_input():
    parsed = parse_reply(
        'Thought: I need to compute.\nAction: calculator\nAction Input: {"expression": "2+2"}'
    )
    assert parsed.thought == "I need to compute."
    assert parsed.final is None
    assert [(a.tool, a.raw_input) for a in parsed.actions] == [
        ("calculator", '{"expression": "2+2"}')
    ]


def test_final_answer():
    parsed = parse_reply("Thought: I know the answer\nFinal Answer: It is 4.\nThanks")
    assert parsed.final == "It is 4.\nThanks"
    assert not parsed.actions


def test_tolerates_case_markdown_fences_and_hallucinated_observation():
    text = (
        "**Thought:** compute\n**action:** `calculator`\n"
        'ACTION INPUT: ```json\n{"expression": "3*3"}\n```\n'
        "Observation: 9\nFinal Answer: 9"
    )
    parsed = parse_reply(text)
    assert parsed.final is None  # the action came first; the observation is imagined
    assert parsed.actions[0].tool == "calculator"
    assert parsed.actions[0].raw_input == '{"expression": "3*3"}'


def test_several_actions_and_bracket_shorthand():
    parsed = parse_reply(
        "Thought: two things\nAction: calculator[1+1]\nAction 2: current_time\nAction 2 Input: {}"
    )
    assert [(a.tool, a.raw_input) for a in parsed.actions] == [
        ("calculator", "1+1"),
        ("current_time", "{}"),
    ]


def test_plain_reply_is_a_final_answer_and_input_without_action_is_an_error():
    assert parse_reply("Paris is the capital of France.").final == (
        "Paris is the capital of France."
    )
    assert parse_reply("Action Input: {}").error


def test_coerce_arguments():
    calc = get_tool("calculator")
    assert coerce_arguments(calc, '{"expression": "1+1"}') == {"expression": "1+1"}
    assert coerce_arguments(calc, "1 + 1") == {"expression": "1 + 1"}
    assert coerce_arguments(calc, '"1 + 1"') == {"expression": "1 + 1"}
    assert coerce_arguments(get_tool("current_time"), "Europe/Paris") == {
        "timezone": "Europe/Paris"
    }
    assert coerce_arguments(get_tool("current_time"), "") == {}
    with pytest.raises(ValueError):
        coerce_arguments(get_tool("classify"), "just text")


def test_render_text_messages():
    transcript = [
        {"role": "user", "content": "2+2?"},
        {
            "role": "assistant",
            "content": "compute",
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "calculator", "arguments": '{"expression": "2+2"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "4"},
        {"role": "assistant", "content": "4"},
    ]
    rendered = render_text_messages(transcript)
    assert rendered == [
        {"role": "user", "content": "2+2?"},
        {
            "role": "assistant",
            "content": 'Thought: compute\nAction: calculator\nAction Input: {"expression": "2+2"}',
        },
        {"role": "user", "content": "Observation: 4"},
        {"role": "assistant", "content": "4"},
    ]
