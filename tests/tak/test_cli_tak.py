"""``peacewatch tak``: certificates and data packages, and the gateway's smoke path."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12

from peacewatch.cli import main
from peacewatch.store import Store
from tests.conftest import _free_port, make_user


def _env(store: Store, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "PEACEWATCH_DATABASE_URL": str(store.engine.url),
        "PEACEWATCH_TAK_CERT_DIR": str(tmp_path / "tak"),
        **extra,
    }


def test_cert_issue_makes_a_certificate_and_an_atak_data_package(
    sqlite_store: Store, tmp_path: Path
) -> None:
    make_user(sqlite_store, "gbr.patrol", roles=("patrol_leader",))
    runner = CliRunner()
    env = _env(sqlite_store, tmp_path)
    done = runner.invoke(
        main, ["tak", "cert", "issue", "gbr.patrol", "--host", "10.0.0.5"], env=env
    )
    assert done.exit_code == 0, done.output
    password = done.output.split("password")[1].split()[0]
    folder = tmp_path / "tak"
    assert (folder / "ca.key").stat().st_mode & 0o077 == 0  # private keys: owner only
    cert = x509.load_pem_x509_certificate((folder / "clients" / "gbr.patrol.pem").read_bytes())
    assert cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == "gbr.patrol"
    with zipfile.ZipFile(folder / "clients" / "gbr.patrol-peacewatch.zip") as package:
        names = set(package.namelist())
        assert names == {
            "MANIFEST/manifest.xml", "certs/peacewatch.pref", "certs/truststore.p12",
            "certs/gbr.patrol.p12",
        }  # fmt: skip
        pref = package.read("certs/peacewatch.pref").decode()
        assert "10.0.0.5:8089:ssl" in pref
        key, client, _ = pkcs12.load_key_and_certificates(
            package.read("certs/gbr.patrol.p12"), password.encode()
        )
        assert key is not None and client == cert
    # a second user reuses the CA; an unknown user gets nothing
    assert runner.invoke(main, ["tak", "cert", "issue", "nobody"], env=env).exit_code == 2


def test_tak_serve_check_opens_the_listeners(sqlite_store: Store, tmp_path: Path) -> None:
    make_user(sqlite_store, "relay", roles=("patrol_leader",))
    env = _env(sqlite_store, tmp_path, PEACEWATCH_TAK_PLAIN_USER="relay")
    for name in ("TCP", "UDP", "TLS"):
        env[f"PEACEWATCH_TAK_{name}_PORT"] = str(_free_port())
    runner = CliRunner()
    assert runner.invoke(main, ["tak", "cert", "init"], env=env).exit_code == 0
    done = runner.invoke(main, ["tak", "serve", "--check"], env=env)
    assert done.exit_code == 0, done.output
    ports = json.loads(done.output.splitlines()[0])["tak"]
    assert ports == {k.lower(): int(env[f"PEACEWATCH_TAK_{k}_PORT"]) for k in ("TCP", "UDP", "TLS")}


def test_plain_listeners_refuse_to_serve_beyond_loopback(
    sqlite_store: Store, tmp_path: Path
) -> None:
    make_user(sqlite_store, "relay", roles=("patrol_leader",))
    env = _env(
        sqlite_store, tmp_path, PEACEWATCH_TAK_PLAIN_USER="relay", PEACEWATCH_TAK_HOST="0.0.0.0"
    )
    done = CliRunner().invoke(main, ["tak", "serve", "--check"], env=env)
    assert done.exit_code == 2
    assert "loopback" in done.output
