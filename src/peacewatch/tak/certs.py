"""The gateway's certificates: its own CA, the server certificate, and client certificates
for users, each with an ATAK data package (zip) that a device imports to connect.

A client certificate's common name is the PeaceWatch user name: that is who its device acts
as. Private keys are written readable by their owner only. Files in ``cert_dir``:
``ca.pem``/``ca.key`` (the CA), ``server.pem``/``server.key``, and per user
``clients/USER.pem``, ``USER.key``, ``USER.p12`` and ``USER-peacewatch.zip``.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_DAYS = 3650
CERT_DAYS = 365


@dataclass(frozen=True)
class Issued:
    """What ``issue`` wrote, and the password of its .p12 files (shown once)."""

    cert: Path
    key: Path
    p12: Path
    package: Path
    password: str


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if private:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(path, 0o600)
    else:
        path.write_bytes(data)


def _pem_key(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "PeaceWatch"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _load(folder: Path) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    cert = x509.load_pem_x509_certificate((folder / "ca.pem").read_bytes())
    key = serialization.load_pem_private_key((folder / "ca.key").read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return cert, key


def _sign(
    subject: x509.Name,
    public_key: rsa.RSAPublicKey,
    ca: tuple[x509.Certificate, rsa.RSAPrivateKey],
    *,
    usage: x509.ObjectIdentifier,
    names: list[x509.GeneralName] | None = None,
) -> x509.Certificate:
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca[0].subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=CERT_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(ca[1], hashes.SHA256())


def init(cert_dir: Path, hostnames: list[str]) -> bool:
    """Make the CA and the server certificate (for ``hostnames``) unless they exist; True
    when made."""
    folder = Path(cert_dir)
    if (folder / "ca.pem").is_file() and (folder / "server.pem").is_file():
        return False
    key = _key()
    now = datetime.now(UTC)
    subject = _name("PeaceWatch TAK CA")
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    _write(folder / "ca.key", _pem_key(key), private=True)
    _write(folder / "ca.pem", ca_cert.public_bytes(serialization.Encoding.PEM))
    names: list[x509.GeneralName] = []
    for host in dict.fromkeys([*hostnames, "localhost", "127.0.0.1", "::1"]):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    server_key = _key()
    server = _sign(
        _name(hostnames[0] if hostnames else "localhost"),
        server_key.public_key(),
        (ca_cert, key),
        usage=ExtendedKeyUsageOID.SERVER_AUTH,
        names=names,
    )
    _write(folder / "server.key", _pem_key(server_key), private=True)
    _write(folder / "server.pem", server.public_bytes(serialization.Encoding.PEM))
    return True


def _p12_encryption(password: str) -> serialization.KeySerializationEncryption:
    # ATAK's Android key store reads the classic PKCS#12 algorithms (3DES, SHA-1 MAC).
    return (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(50_000)
        .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
        .hmac_hash(hashes.SHA1())
        .build(password.encode())
    )


def issue(cert_dir: Path, username: str, *, host: str, port: int) -> Issued:
    """A client certificate for ``username`` and its data package, connecting to
    ``host:port`` over TLS. ``init`` must have run."""
    folder = Path(cert_dir)
    ca = _load(folder)
    key = _key()
    cert = _sign(_name(username), key.public_key(), ca, usage=ExtendedKeyUsageOID.CLIENT_AUTH)
    clients = folder / "clients"
    password = secrets.token_urlsafe(12)
    encryption = _p12_encryption(password)
    p12 = pkcs12.serialize_key_and_certificates(username.encode(), key, cert, [ca[0]], encryption)
    truststore = pkcs12.serialize_key_and_certificates(
        b"peacewatch-ca", None, None, [ca[0]], encryption
    )
    paths = Issued(
        clients / f"{username}.pem",
        clients / f"{username}.key",
        clients / f"{username}.p12",
        clients / f"{username}-peacewatch.zip",
        password,
    )
    _write(paths.cert, cert.public_bytes(serialization.Encoding.PEM))
    _write(paths.key, _pem_key(key), private=True)
    _write(paths.p12, p12, private=True)
    _write(
        paths.package,
        data_package(username, host=host, port=port, p12=p12, truststore=truststore,
                     password=password),
        private=True,
    )  # fmt: skip
    return paths


def data_package(
    username: str, *, host: str, port: int, p12: bytes, truststore: bytes, password: str
) -> bytes:
    """An ATAK data package: a manifest, the connection preferences and both key stores."""
    import io

    client = f"cert/{escape(username)}.p12"
    pref = f"""<?xml version='1.0' standalone='yes'?>
<preferences>
  <preference version="1" name="cot_streams">
    <entry key="count" class="class java.lang.Integer">1</entry>
    <entry key="description0" class="class java.lang.String">PeaceWatch</entry>
    <entry key="enabled0" class="class java.lang.Boolean">true</entry>
    <entry key="connectString0" class="class java.lang.String">{escape(host)}:{port}:ssl</entry>
  </preference>
  <preference version="1" name="com.atakmap.app_preferences">
    <entry key="displayServerConnectionWidget" class="class java.lang.Boolean">true</entry>
    <entry key="caLocation" class="class java.lang.String">cert/truststore.p12</entry>
    <entry key="caPassword" class="class java.lang.String">{escape(password)}</entry>
    <entry key="clientPassword" class="class java.lang.String">{escape(password)}</entry>
    <entry key="certificateLocation" class="class java.lang.String">{client}</entry>
  </preference>
</preferences>
"""
    manifest = f"""<MissionPackageManifest version="2">
  <Configuration>
    <Parameter name="uid" value="{uuid.uuid4()}"/>
    <Parameter name="name" value="PeaceWatch {escape(username)}"/>
    <Parameter name="onReceiveDelete" value="true"/>
  </Configuration>
  <Contents>
    <Content ignore="false" zipEntry="certs/peacewatch.pref"/>
    <Content ignore="false" zipEntry="certs/truststore.p12"/>
    <Content ignore="false" zipEntry="certs/{escape(username)}.p12"/>
  </Contents>
</MissionPackageManifest>
"""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("MANIFEST/manifest.xml", manifest)
        z.writestr("certs/peacewatch.pref", pref)
        z.writestr("certs/truststore.p12", truststore)
        z.writestr(f"certs/{username}.p12", p12)
    return buffer.getvalue()
