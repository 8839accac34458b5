"""The deployment kit in deploy/: the compose file, the image, the systemd units.

Parsed and checked here everywhere; ``docker compose config`` and ``docker build`` run
where a Docker engine (or the compose plugin) is available and say why they skip where
it is not; ``systemd-analyze verify`` checks the units where systemd's tools are.
"""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
APP_SERVERS = ("app1", "app2")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_compose_has_two_app_servers_postgres_redis_a_proxy_and_the_job(compose):
    services = compose["services"]
    assert set(services) >= {*APP_SERVERS, "postgres", "redis", "proxy", "migrate", "scheduler"}
    for name in APP_SERVERS:
        app = services[name]
        assert app["image"] == "quiz:latest"
        assert app["build"]["dockerfile"] == "deploy/Dockerfile"
        env = app["environment"]
        assert env["QUIZ_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert "@postgres:5432/" in env["QUIZ_DATABASE_URL"]
        assert env["QUIZ_REDIS_URL"] == "redis://redis:6379/0"
        assert env["QUIZ_PROXY_FIX"] == "1"
        # No secret in the file: it must come from deploy/.env.
        assert env["QUIZ_SECRET_KEY"].startswith("${QUIZ_SECRET_KEY:?")
        assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["quiz", "db", "upgrade"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "quiz attempts finalize-overdue" in " ".join(services["scheduler"]["command"])
    assert "sleep 60" in " ".join(services["scheduler"]["command"])
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx:")
    for name in APP_SERVERS:
        assert proxy["depends_on"][name]["condition"] == "service_healthy"


def test_every_long_running_service_has_a_healthcheck(compose):
    for name, service in compose["services"].items():
        check = service.get("healthcheck") or {}
        if name == "migrate":  # runs once and exits
            assert check.get("disable") is True
            continue
        assert check.get("test"), f"{name} has no healthcheck"
        assert service.get("restart") == "unless-stopped", name
    for name in APP_SERVERS:
        assert "/readyz" in " ".join(compose["services"][name]["healthcheck"]["test"])
    assert "/healthz" in " ".join(compose["services"]["proxy"]["healthcheck"]["test"])


def test_the_proxy_config_balances_both_app_servers_and_hides_metrics():
    conf = (DEPLOY / "nginx.conf").read_text()
    upstream = re.search(r"upstream quiz_app \{(.*?)\}", conf, re.S)
    assert upstream is not None
    assert re.findall(r"server (app\d):8000", upstream.group(1)) == list(APP_SERVERS)
    assert "proxy_pass http://quiz_app;" in conf
    assert "proxy_set_header X-Request-ID $request_id;" in conf
    assert re.search(r"location = /metrics \{\s*return 404;", conf)
    assert conf.count("{") == conf.count("}")
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert (
        "./nginx.conf:/etc/nginx/conf.d/default.conf:ro" in compose["services"]["proxy"]["volumes"]
    )


def _compose_command() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


def test_docker_compose_accepts_the_file(tmp_path):
    command = _compose_command()
    if command is None:
        pytest.skip("no docker compose here (neither the plugin nor docker-compose)")
    env_file = tmp_path / "test.env"
    env_file.write_text("QUIZ_SECRET_KEY=x\n")
    done = subprocess.run(
        [*command, "-f", str(DEPLOY / "compose.yaml"), "--env-file", str(env_file), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def _engine() -> str | None:
    for tool in ("docker", "podman"):
        if shutil.which(tool):
            probe = subprocess.run([tool, "info"], capture_output=True, timeout=30)
            if probe.returncode == 0:
                return tool
    return None


def test_the_image_builds():
    tool = _engine()
    if tool is None:
        pytest.skip("no container engine answers here (docker info / podman info failed)")
    done = subprocess.run(
        [tool, "build", "-f", str(DEPLOY / "Dockerfile"), "-t", "quiz:test", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_the_dockerfile_runs_gunicorn_unprivileged_with_a_healthcheck():
    text = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"^USER quiz$", text, re.M)
    assert re.search(r"^HEALTHCHECK .*\n.*/healthz", text, re.M)
    assert 'CMD ["gunicorn", "-c", "/etc/quiz/gunicorn.conf.py", "quiz:create_app()"]' in text
    assert "pybabel compile" in text
    for path in re.findall(r"^COPY (\S+) ", text, re.M):
        for part in path.split():
            assert (ROOT / part).exists(), f"COPY of a missing {part}"


def test_gunicorn_config_sets_up_multiprocess_metrics(tmp_path, monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "m"))
    namespace: dict = {}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)
    assert namespace["worker_class"] == "gthread"
    assert namespace["metrics_dir"] == str(tmp_path / "m")
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "stale.db").write_text("")
    namespace["on_starting"](None)
    assert list((tmp_path / "m").iterdir()) == []  # emptied at start
    assert callable(namespace["child_exit"])


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / "systemd" / name)
    return parser


def test_systemd_units_run_gunicorn_and_the_job_every_minute():
    app = _unit("quiz.service")
    assert "gunicorn -c /etc/quiz/gunicorn.conf.py" in app["Service"]["ExecStart"]
    assert app["Service"]["User"] == "quiz"
    assert app["Service"]["EnvironmentFile"] == "/etc/quiz/quiz.env"
    job = _unit("quiz-finalize-overdue.service")
    assert job["Service"]["Type"] == "oneshot"
    assert job["Service"]["ExecStart"].endswith("/quiz attempts finalize-overdue")
    timer = _unit("quiz-finalize-overdue.timer")
    assert timer["Timer"]["OnCalendar"] == "minutely"
    assert timer["Timer"]["Unit"] == "quiz-finalize-overdue.service"
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_the_cli_command_the_job_runs_exists(runner):
    result = runner.invoke(args=["attempts", "finalize-overdue", "--help"])
    assert result.exit_code == 0, result.output


def test_systemd_analyze_accepts_the_timer(tmp_path):
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("no systemd-analyze here")
    # The service's binaries live on the target machine, so only the timer and calendar
    # spec are verified here.
    done = subprocess.run(
        [tool, "calendar", _unit("quiz-finalize-overdue.timer")["Timer"]["OnCalendar"]],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
