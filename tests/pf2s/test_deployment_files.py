"""The deployment files agree with each other and with the settings: every
variable docker-compose requires is in .env.example, every service but the
proxy stays internal, and every setting the production settings read from
the environment is documented."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def test_compose_requires_only_documented_variables_and_exposes_only_the_proxy():
    text = (ROOT / "docker-compose.yml").read_text()
    compose = yaml.safe_load(text)
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, flags=re.M))
    required = set(re.findall(r"\$\{([A-Z0-9_]+):\?", text))
    assert required and required <= {v for v in documented if re.search(rf"^{v}=", example, flags=re.M)}
    services = compose["services"]
    assert {"proxy", "web", "worker", "beat", "db", "redis", "migrate"} <= set(services)
    assert [name for name, service in services.items() if service.get("ports")] == ["proxy"]
    assert services["web"]["healthcheck"]["test"] == ["CMD", "python", "-m", "pf2s.healthcheck"]
    assert "check --deploy" in services["migrate"]["command"]
    for name in ("web", "worker", "beat"):
        environment = {**compose["x-app"]["environment"], **services[name].get("environment", {})}
        assert environment["DJANGO_SETTINGS_MODULE"] == "pf2s.settings.production", name
    assert (ROOT / "Caddyfile").exists() and "reverse_proxy web:8000" in (ROOT / "Caddyfile").read_text()


def test_every_variable_the_production_settings_read_is_documented():
    read = set()
    for module in ("base.py", "production.py"):
        source = (ROOT / "pf2s" / "settings" / module).read_text()
        read |= set(re.findall(r"(?:env|env_bool|env_list|require)\(\"([A-Z0-9_]+)\"", source))
    example = (ROOT / ".env.example").read_text() + (ROOT / "docker-compose.yml").read_text()
    # set by docker-compose itself, or only for developers and tests
    internal = {
        "DJANGO_DEBUG",
        "DATABASE_URL",
        "REDIS_URL",
        "MEDIA_ROOT",
        "PF2S_DATA_DIR",
        "STATIC_ROOT",
        "CELERY_TASK_ALWAYS_EAGER",
        "CELERY_BROKER_URL",
        "CELERY_RESULT_BACKEND",
        "CACHE_KEY_PREFIX",
        "PF2S_CURRENT_SNAPSHOT_TTL",
        "PF2S_MAP_BASE_MAX_ZOOM",
        "PF2S_WORKER_DATABASE_NAME",
        "PF2S_TEST_EMAIL_BACKEND",
        "PF2S_TEST_EMAIL_FILE_PATH",
    }
    missing = sorted(v for v in read - internal if v not in example)
    assert not missing, f"document these in .env.example: {missing}"


def test_the_lock_files_pin_every_dependency_of_pyproject():
    """`make lock` after editing pyproject.toml: a dependency missing from the
    lock would be installed by nobody on a clean machine."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]

    def names(requirements):
        return {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements}

    def pinned(lock):
        return {
            m.lower().replace("_", "-")
            for m in re.findall(r"^([A-Za-z0-9_.\-]+)==", (ROOT / lock).read_text(), flags=re.M)
        }

    assert names(project["dependencies"] + extras["geo"] + extras["test"]) <= pinned("requirements.lock")
    assert names(project["dependencies"] + extras["geo"]) <= pinned("requirements-deploy.lock")
    assert not names(extras["test"]) & pinned("requirements-deploy.lock")  # no test tools in the image
