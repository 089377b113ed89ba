"""Reading settings from the environment, with safe defaults kept in one place."""

import ipaddress
import os
import secrets
from pathlib import Path


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_float(name: str, default: float) -> float:
    raw = env_str(name)
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a number of seconds, not {raw!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_networks(name: str) -> list[str]:
    """IP networks in CIDR form (e.g. "10.20.0.0/16,fd12::/64"), each checked at start-up."""
    networks = env_list(name, "")
    for item in networks:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise SystemExit(f"{name}: {item!r} is not a network such as 10.0.0.0/8") from None
    return networks


def voxloop_home() -> Path:
    """The data folder: database, secret key, uploaded files, outgoing mail in development.
    Only its owner may enter it (0700): the database and the development mail hold password
    reset links, the SMS log survey links."""
    home = Path(env_str("VOXLOOP_HOME", "var")).expanduser().resolve()
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    private(home, 0o700)
    return home


def private(path: Path, mode: int) -> None:
    """Take away group and other rights from a file or folder this process owns."""
    try:
        if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
            path.chmod(mode)
    except OSError:
        pass  # not ours, or gone: nothing to tighten


def private_file(path: Path) -> None:
    """Create the file owner-only (0600) if it is missing, or tighten it."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        private(path, 0o600)


def secret_key(home: Path) -> str:
    """The secret key from VOXLOOP_SECRET_KEY, else one generated once and kept in VOXLOOP_HOME."""
    given = env_str("VOXLOOP_SECRET_KEY")
    if given:
        return given
    path = home / "secret_key"
    if not path.exists():
        # Created with O_EXCL so two processes starting together agree on one key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()
