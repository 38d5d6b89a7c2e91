"""docker/: no Docker engine or Asterisk runs here, so the files are checked by reading them.

Compose YAML, the service config (through the real config loader), the Asterisk config syntax, and
that the names the service relies on (contexts, extensions, AMI user and classes, ports) match.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from voicebot.campaign.dialer import AUDIOSOCKET_VARIABLE, OutboundSettings
from voicebot.config import load_config, parse_host_port
from voicebot.telephony.channels import CALL_ID_VARIABLE
from voicebot.telephony.routing import DEFAULT_TRANSFER_EXTEN, DIALOGUE_VARIABLE, TRANSFER_CONTEXT

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
ASTERISK = DOCKER / "asterisk"

Section = tuple[str, list[tuple[str, str, str, int]]]  # name, [(key, op, value, line)]
_SECTION = re.compile(r"\[([A-Za-z0-9_.-]+)\](?:\((!?[A-Za-z0-9_,!.-]*)\))?$")
_ENTRY = re.compile(r"([A-Za-z0-9_.-]+)\s*(=>|=)\s*(.*)$")
_DIALPLAN_APPS = {"Answer", "Set", "AudioSocket", "Hangup", "Dial", "Goto", "GotoIf", "Queue"}
_PRIORITY = re.compile(r"(1|n)(?:\(([A-Za-z_][A-Za-z0-9_]*)\))?$")  # 1, n or n(label)


def parse_conf(path: Path) -> list[Section]:
    """Asterisk's config syntax: [section](template), key = value, key => value, ';' comments."""
    sections: list[Section] = []
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.split(";", 1)[0].strip() if not raw.lstrip().startswith("same") else raw.strip()
        if not line:
            continue
        if line.startswith("["):
            match = _SECTION.fullmatch(line)
            assert match, f"{path.name}:{number}: bad section header {raw!r}"
            sections.append((match.group(1), []))
            continue
        match = _ENTRY.fullmatch(line)
        assert match, f"{path.name}:{number}: not 'key = value' or 'key => value': {raw!r}"
        assert sections, f"{path.name}:{number}: entry before any section"
        sections[-1][1].append((match.group(1), match.group(2), match.group(3).strip(), number))
    return sections


def section(sections: list[Section], name: str, **having: str) -> list[tuple[str, str, str, int]]:
    for found, entries in sections:
        values = {k: v for k, _, v, _ in entries}
        if found == name and all(values.get(k) == v for k, v in having.items()):
            return entries
    raise AssertionError(f"no section [{name}] with {having}")


def values(entries: list[tuple[str, str, str, int]], key: str) -> list[str]:
    return [v for k, _, v, _ in entries if k == key]


@pytest.mark.parametrize("name", ["modules.conf", "rtp.conf", "manager.conf", "pjsip.conf", "queues.conf",
                                  "extensions.conf"])
def test_asterisk_files_parse(name: str) -> None:
    assert parse_conf(ASTERISK / name)


def dialplan() -> dict[str, dict[str, list[tuple[str, str]]]]:
    """context -> extension -> [(priority, application call)]"""
    contexts: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for name, entries in parse_conf(ASTERISK / "extensions.conf"):
        if name == "general":
            continue
        exts: dict[str, list[tuple[str, str]]] = contexts.setdefault(name, {})
        current = None
        for key, op, value, number in entries:
            assert op == "=>", f"extensions.conf:{number}: use => for dialplan entries"
            if key == "exten":
                current, priority, app = value.split(",", 2)
                exts.setdefault(current, []).append((priority, app))
            else:
                assert key == "same" and current is not None, f"extensions.conf:{number}"
                priority, app = value.split(",", 1)
                exts[current].append((priority, app))
    return contexts


def test_dialplan_priorities_and_applications() -> None:
    for context, exts in dialplan().items():
        for exten, steps in exts.items():
            assert steps[0][0] == "1", f"{context}/{exten}"
            later = [p for p, _ in steps[1:]]
            assert all(_PRIORITY.fullmatch(p) and p.startswith("n") for p in later), f"{context}/{exten}"
            for _, call in steps:
                app = call.split("(", 1)[0]
                assert app in _DIALPLAN_APPS, f"{context}/{exten}: unexpected application {app}"
                assert call.count("(") == call.count(")"), f"{context}/{exten}: unbalanced {call}"


_IF_FUNCTION = re.compile(r"\$\{IF\(")
_EXPRESSION = re.compile(r'\$\["\$\{([A-Z_]+)\}" (=|!=) "([^"]*)"\]')


def test_no_if_function_branch_holds_a_colon() -> None:
    """${IF(expr?a:b)} splits at every ':'; a host:port in a branch breaks the call (issue 14)."""
    for context, exts in dialplan().items():
        for exten, steps in exts.items():
            for _, call in steps:
                for match in _IF_FUNCTION.finditer(call):
                    depth, end = 1, match.end()
                    while depth:
                        depth += {"(": 1, ")": -1}.get(call[end], 0)
                        end += 1
                    branches = call[match.end():end - 1].split("?", 1)[1]
                    assert branches.count(":") == 1, f"{context}/{exten}: ':' inside an IF() branch: {call}"


def run_dialplan(context: str, exten: str, channel: dict[str, str]) -> list[str]:
    """Follow one extension as Asterisk would for the steps it uses (Set, GotoIf with a label on a
    string comparison, others recorded with their variables substituted); returns the calls made."""
    steps = dialplan()[context][exten]
    labels = {m.group(2): i for i, (p, _) in enumerate(steps) if (m := _PRIORITY.fullmatch(p)) and m.group(2)}
    variables = dict(channel)
    made: list[str] = []
    index = 0
    while index < len(steps):
        call = steps[index][1]
        index += 1
        app, args = call.split("(", 1)
        args = args[:-1]
        if app == "GotoIf":
            expr, target = args.split("?", 1)
            match = _EXPRESSION.fullmatch(expr)
            assert match, f"GotoIf expression not understood: {expr}"
            value = variables.get(match.group(1), "")
            if (value == match.group(3)) == (match.group(2) == "="):
                index = labels[target.split(":", 1)[0]]
            continue
        args = re.sub(r"\$\{([A-Z_]+)\}", lambda m: variables.get(m.group(1), ""), args)
        assert "${" not in args and "$[" not in args, f"{context}/{exten}: unevaluated {args}"
        if app == "Set":
            name, value = args.split("=", 1)
            variables[name] = value
        made.append(f"{app}({args})")
        if app == "Hangup":
            break
    return made


def test_campaign_calls_reach_the_given_or_the_default_audiosocket() -> None:
    outbound = OutboundSettings()
    given = run_dialplan(outbound.context, outbound.exten,
                         {CALL_ID_VARIABLE: "c1", AUDIOSOCKET_VARIABLE: "10.0.0.5:9100"})
    assert "AudioSocket(c1,10.0.0.5:9100)" in given
    default = run_dialplan(outbound.context, outbound.exten, {CALL_ID_VARIABLE: "c2"})
    config = load_config(DOCKER / "voicebot.yml", env={"VOICEBOT_AMI__SECRET": "x"})
    _, port = parse_host_port(config.audiosocket.listen or "", default_host="")
    assert f"AudioSocket(c2,voicebot:{port})" in default
    assert default[-1] == "Hangup()"


def test_every_audiosocket_step_carries_the_call_id_set_before_it() -> None:
    config = load_config(DOCKER / "voicebot.yml", env={"VOICEBOT_AMI__SECRET": "x"})
    _, listen_port = parse_host_port(config.audiosocket.listen or "", default_host="0.0.0.0")
    uses = 0
    for context, exts in dialplan().items():
        for exten, steps in exts.items():
            calls = [call for _, call in steps]
            for index, call in enumerate(calls):
                if not call.startswith("AudioSocket("):
                    continue
                uses += 1
                assert call.startswith(f"AudioSocket(${{{CALL_ID_VARIABLE}}},"), f"{context}/{exten}"
                if context != OutboundSettings().context:  # Originate sets both on campaign calls
                    assert f":{listen_port}" in call, f"{context}/{exten}: port != audiosocket.listen"
                    assert any(c.startswith(f"Set({CALL_ID_VARIABLE}=") for c in calls[:index]), \
                        f"{context}/{exten}: set {CALL_ID_VARIABLE} before AudioSocket()"
                    assert any(c.startswith(f"Set({DIALOGUE_VARIABLE}=") for c in calls[:index])
    assert uses >= 4


def test_contexts_the_service_uses_exist() -> None:
    contexts = dialplan()
    outbound = OutboundSettings()
    steps = contexts[outbound.context][outbound.exten]
    assert any(AUDIOSOCKET_VARIABLE in call for _, call in steps)
    assert DEFAULT_TRANSFER_EXTEN in contexts[TRANSFER_CONTEXT]
    transfer_steps = contexts[TRANSFER_CONTEXT][DEFAULT_TRANSFER_EXTEN]
    queue = [call for _, call in transfer_steps if call.startswith("Queue(")]
    queue_name = queue[0][len("Queue("):].split(",")[0]
    section(parse_conf(ASTERISK / "queues.conf"), queue_name)
    # Phones land in a context with the bot's extensions.
    endpoint_context = values(section(parse_conf(ASTERISK / "pjsip.conf"), "phone"), "context")[0]
    assert {"100", "101", "102"} <= set(contexts[endpoint_context])


def test_pjsip_softphone_and_trunk() -> None:
    conf = parse_conf(ASTERISK / "pjsip.conf")
    section(conf, "transport-udp", type="transport", protocol="udp")
    for user in ("6001", "6002"):
        endpoint = section(conf, user, auth=user, aors=user)
        assert endpoint
        section(conf, user, type="auth", username=user)
        section(conf, user, type="aor")
    trunk = section(conf, "trunk", type="endpoint")
    # Campaigns dial PJSIP/{phone}@trunk by default.
    assert OutboundSettings().channel_template == "PJSIP/{phone}@trunk" and values(trunk, "aors") == ["trunk"]


def test_manager_user_matches_the_service_config() -> None:
    config = load_config(DOCKER / "voicebot.yml", env={"VOICEBOT_AMI__SECRET": "x"})
    conf = parse_conf(ASTERISK / "manager.conf")
    general = section(conf, "general")
    assert values(general, "enabled") == ["yes"]
    assert values(general, "port") == [str(config.ami.port)]
    user = section(conf, config.ami.username or "")
    read = set(values(user, "read")[0].split(","))
    write = set(values(user, "write")[0].split(","))
    assert {"call", "dialplan"} <= read  # Newchannel/Hangup/OriginateResponse, VarSet
    assert {"call", "originate"} <= write  # Hangup/Redirect, Originate


def test_compose_file() -> None:
    compose = yaml.safe_load((DOCKER / "compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"voicebot", "asterisk"}
    bot = services["voicebot"]
    assert bot["build"]["dockerfile"] == "docker/Dockerfile"
    assert (DOCKER / bot["build"]["context"] / bot["build"]["dockerfile"]).is_file()
    assert "VOICEBOT_AMI__SECRET" in bot["environment"]
    assert any(p.endswith(":8080") for p in bot["ports"])
    for mount in services["asterisk"]["volumes"]:
        source, target, *_ = mount.split(":")
        assert (DOCKER / source).is_file(), source
        assert target.startswith("/etc/asterisk/")
    # Published ports stay on localhost by default.
    assert all(str(p).startswith("127.0.0.1:") for s in services.values() for p in s.get("ports", []))
    config = load_config(DOCKER / "voicebot.yml", env={"VOICEBOT_AMI__SECRET": "x"})
    assert config.ami.host == "asterisk"


def test_dockerfile_and_service_config() -> None:
    lines = [line.strip() for line in (DOCKER / "Dockerfile").read_text().splitlines()]
    instructions = [line.split()[0] for line in lines if line and not line.startswith("#")
                    and not lines[lines.index(line) - 1].endswith("\\")]
    known = {"FROM", "RUN", "WORKDIR", "COPY", "USER", "VOLUME", "EXPOSE", "HEALTHCHECK", "CMD", "ENV"}
    assert set(instructions) <= known and instructions[0] == "FROM"
    assert next(line for line in lines if line.startswith("FROM")).startswith("FROM python:3.11")
    for line in lines:
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source
    expose = next(line for line in lines if line.startswith("EXPOSE")).split()[1:]
    config = load_config(DOCKER / "voicebot.yml", env={"VOICEBOT_AMI__SECRET": "x"})
    assert str(config.server.port) in expose
    assert str(parse_host_port(config.audiosocket.listen or "", default_host="")[1]) in expose
    default = config.audiosocket.default_dialogue
    assert default and (ROOT / "dialogues" / f"{default}.yml").is_file()
    assert config.ami.secret == "x"
