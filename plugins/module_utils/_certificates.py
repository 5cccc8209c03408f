# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn a certificate credential (PEM key + certificate, one PEM holding both, or a PFX)
into what msal needs. The thumbprint is derived here, never asked of the user. Private."""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import hashlib

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    HAS_CRYPTOGRAPHY = True
except ImportError:
    HAS_CRYPTOGRAPHY = False

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._versions import version_tuple

PFX_SUFFIXES = (".pfx", ".p12")


def _read(path: str, option: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise CippConfigError(f"option '{option}': cannot read {path} ({exc.strerror})", option=option) from None


def load_certificate_credential(cert_path: str, key_path: str | None, password: str | None,
                                msal_version: str = "0") -> dict:
    """Returns ``{"msal": <client_credential dict>, "sha1": hex, "sha256": hex}``."""
    if not HAS_CRYPTOGRAPHY:
        raise CippConfigError("the Python library 'cryptography' is required for certificate sign-in "
                              "(it comes with msal)", option="certificate_path")
    passphrase = password.encode() if password else None
    raw = _read(cert_path, "certificate_path")
    if cert_path.lower().endswith(PFX_SUFFIXES) or not raw.lstrip().startswith(b"-----"):
        key, cert = _load_pfx(raw, passphrase)
    else:
        cert = _load_pem_certificate(raw)
        key_raw = _read(key_path, "certificate_key_path") if key_path else raw
        key = _load_pem_key(key_raw, passphrase, "certificate_key_path" if key_path else "certificate_path")
    der = cert.public_bytes(serialization.Encoding.DER)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    sha1 = hashlib.sha1(der).hexdigest()  # nosec - the x5t thumbprint Entra defines is SHA-1
    credential = {"private_key": key_pem, "public_certificate": cert_pem}
    if version_tuple(msal_version) < (1, 35):
        # Older msal cannot derive a thumbprint itself; it then signs RS256 with x5t (SHA-1).
        credential["thumbprint"] = sha1
    return {"msal": credential, "sha1": sha1, "sha256": hashlib.sha256(der).hexdigest()}


def _load_pfx(raw: bytes, passphrase):
    try:
        key, cert, _chain = pkcs12.load_key_and_certificates(raw, passphrase)
    except ValueError:
        raise CippConfigError("option 'certificate_path': the PFX cannot be opened: wrong "
                              "certificate_password, or not a PFX/PEM file", option="certificate_password") from None
    if key is None or cert is None:
        raise CippConfigError("option 'certificate_path': the PFX must hold both the private key and the "
                              "certificate", option="certificate_path")
    return key, cert


def _load_pem_certificate(raw: bytes):
    try:
        return x509.load_pem_x509_certificate(raw)
    except ValueError:
        raise CippConfigError("option 'certificate_path': no PEM certificate (BEGIN CERTIFICATE) found",
                              option="certificate_path") from None


def _load_pem_key(raw: bytes, passphrase, option: str):
    try:
        try:
            return serialization.load_pem_private_key(raw, password=passphrase)
        except TypeError:
            if passphrase is None:
                raise
            # A password was given (it may be the PFX's) but this PEM key is not encrypted.
            return serialization.load_pem_private_key(raw, password=None)
    except TypeError:
        raise CippConfigError(f"option '{option}': the private key is encrypted: set certificate_password",
                              option="certificate_password") from None
    except ValueError:
        raise CippConfigError(f"option '{option}': no usable PEM private key found (or the "
                              "certificate_password is wrong)", option=option) from None
