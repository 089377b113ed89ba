"""The command surface: help lists every command; bad input is one line on stderr."""

import pytest

from tests.factories import build_org

COMMANDS = [
    "init",
    "demo",
    "serve",
    "worker",
    "check",
    "createuser",
    "token",
    "units",
    "manage",
    "analytics",
]


def test_help_lists_every_command_with_a_description(voxloop):
    result = voxloop("--help")
    assert result.code == 0
    listed = {}
    for line in result.out.split("Commands:")[1].splitlines():
        if line.strip():
            name, _, description = line.strip().partition(" ")
            listed[name] = description.strip()
    assert set(COMMANDS) <= set(listed)
    assert all(listed[name] and not listed[name].endswith("...") for name in COMMANDS)


def test_bare_command_shows_help(voxloop):
    result = voxloop()
    assert result.code == 0 and "Commands:" in result.out


@pytest.mark.parametrize(
    "argv",
    [
        ["nosuchcommand"],
        ["init", "--bogus"],
        ["serve", "--port", "notanumber"],
        ["serve", "--port", "70000"],
        ["demo", "--stores", "0"],
        ["createuser", "--username", "x"],
        ["createuser", "--username", "x", "--org", "acme", "--role", "boss"],
        ["token", "revoke", "abc"],
        ["token", "create"],
        ["units"],
    ],
)
def test_bad_arguments_give_one_line_and_a_failure_code(voxloop, argv):
    result = voxloop(*argv)
    assert result.code != 0
    assert len(result.err_lines) == 1, result.err
    assert result.err_lines[0].startswith("voxloop: error: ")
    assert "Traceback" not in result.err and "Usage:" not in result.err


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["units", "--org", "nope"], "no organisation with slug 'nope' (known: acme)"),
        (
            ["createuser", "--username", "z", "--org", "acme", "--unit", "X", "--role", "agent"],
            "no unit with code 'X' in organisation 'acme' (list units with: voxloop units",
        ),
        (["token", "create", "ghost"], "no user named 'ghost'"),
        (["token", "revoke", "999"], "no live token with id 999"),
        (["manage", "nosuchcmd"], "no management command 'nosuchcmd'"),
        (["manage", "check", "--bogus"], "unrecognized arguments: --bogus"),
        (
            ["createuser", "--username", "a-admin", "--org", "acme", "--role", "agent"],
            "The username 'a-admin' is taken",
        ),
        (
            [
                "createuser",
                "--username",
                "new",
                "--password",
                "short",
                "--org",
                "acme",
                "--role",
                "agent",
            ],
            "password is too short",
        ),
    ],
)
def test_bad_input_names_the_problem_on_one_line(voxloop, argv, expected):
    build_org("acme", "A")
    result = voxloop(*argv)
    assert result.code != 0
    assert len(result.err_lines) == 1, result.err
    assert expected in result.err_lines[0]


@pytest.mark.django_db
def test_units_lists_the_subtree_by_code(voxloop):
    build_org("acme", "A")
    result = voxloop("units", "--org", "acme", "--under", "AC1R1")
    assert result.code == 0
    codes = [line.split()[0] for line in result.out.splitlines()]
    assert codes == ["AC1R1", "AC1R1S1", "AC1R1S2"]


@pytest.mark.django_db
def test_check_reports_health_and_a_missing_worker(voxloop):
    healthy = voxloop("check")
    assert healthy.code == 0 and healthy.out.strip() == "database: ok, tasks: ok"
    no_worker = voxloop("check", "--worker", "0.5")
    assert no_worker.code == 1
    assert no_worker.err_lines == [
        "voxloop: error: no worker ran the ping task within 0.5s; start one with: voxloop worker"
    ]


def test_serve_on_a_taken_port_says_so_in_one_line(voxloop):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = voxloop("serve", "--port", str(port))
    assert result.code == 1
    assert len(result.err_lines) == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.err_lines[0]


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["units", "--org", "acme", "--limit", "-1"], "--limit"),
        (["units", "--org", "acme", "--limit", "0"], "--limit"),
        (["units", "--org", "acme", "--kind", "galaxy"], "--kind"),
    ],
)
def test_units_options_out_of_range_are_usage_errors_naming_the_option(voxloop, argv, option):
    """Not a ValueError from the ORM, nor an empty listing that looks like no units."""
    result = voxloop(*argv)
    assert result.code == 2, result.err
    assert len(result.err_lines) == 1, result.err
    assert option in result.err_lines[0]


def test_the_cli_unit_kinds_are_the_models():
    from voxloop.cli.people import UNIT_KINDS
    from voxloop.tenancy.models import UnitKind

    assert list(UnitKind.values) == UNIT_KINDS
