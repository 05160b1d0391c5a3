#!/usr/bin/env python3
"""Validates Simpul sync v1 messages against the JSON Schemas in sync-schemas/v1.

Usage:
    python3 sync-schemas/validate.py examples
        Checks every example listed in sync-schemas/examples/manifest.json: the valid ones must pass,
        the invalid ones must fail.
    python3 sync-schemas/validate.py captured DIR
        Checks every captured message in DIR. Each file is named NNNN-<schema>.json, where <schema> is
        the schema's name without .schema.json (hub-info, signed-change-set, problem, ...).

Beyond the schemas, every message that passes is checked for what a schema cannot say: the hash of each
signed change set is the SHA-256 of its changeSet's canonical JSON, each change set's seq numbers run
densely from first to last, each key's fingerprint belongs to its public key and, when the
signer's key appears in the same set of files (hub-info, node-key, pull-response keys), each signature
verifies. Both the jsonschema and cryptography packages
are required: without either the script exits 3 rather than check less than it says.

Prints one line per file and a final "N passed, N failed" line; exits 1 on any failure, 2 on bad usage.
Schemas are resolved from the local files only, never over the network. Works with jsonschema 4.10
(Debian bookworm's python3-jsonschema, RefResolver) and with 4.18 or later (referencing.Registry).
"""

import base64
import binascii
import hashlib
import json
import re
import sys
from pathlib import Path

try:
    import jsonschema
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match
except ImportError:
    print(
        "validate.py needs the Python jsonschema package (4.10 or later): "
        "apt-get install python3-jsonschema, or pip install jsonschema",
        file=sys.stderr,
    )
    sys.exit(3)

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
except ImportError:  # Without it no signature would be checked, and a run would pass on less than it says.
    print(
        "validate.py needs the Python cryptography package to verify signatures: "
        "apt-get install python3-cryptography, or pip install cryptography",
        file=sys.stderr,
    )
    sys.exit(3)

HERE = Path(__file__).resolve().parent
SCHEMA_DIR = HERE / "v1"
EXAMPLES_DIR = HERE / "examples"
SUFFIX = ".schema.json"
# Shared definitions: referenced by the message schemas, never a message itself.
NOT_MESSAGES = {"defs"}
CAPTURED_NAME = re.compile(r"^([0-9]{4,})-([a-z0-9]+(?:-[a-z0-9]+)*)\.json$")


def load_schemas():
    """Returns {name: schema} for every v1/*.schema.json, keyed by file name without the suffix."""
    schemas = {}
    for path in sorted(SCHEMA_DIR.glob("*" + SUFFIX)):
        with path.open(encoding="utf-8") as f:
            schemas[path.name[: -len(SUFFIX)]] = json.load(f)
    return schemas


def refuse_remote(uri):
    raise jsonschema.exceptions.RefResolutionError(f"{uri} is not a local schema; refusing to fetch it")


class Validators:
    """One validator per schema; every $ref resolves among the local schema files only."""

    def __init__(self, schemas):
        self.schemas = schemas
        self.by_id = {s["$id"]: s for s in schemas.values()}
        registry = self.local_registry()
        if registry is not None:
            self.make = lambda schema: Draft202012Validator(schema, registry=registry)
        else:
            store = dict(self.by_id)
            handlers = {"http": refuse_remote, "https": refuse_remote, "ftp": refuse_remote, "file": refuse_remote}

            def make(schema):
                resolver = jsonschema.RefResolver.from_schema(schema, store=store, handlers=handlers)
                return Draft202012Validator(schema, resolver=resolver)

            self.make = make
        self.cache = {}

    def local_registry(self):
        """A referencing.Registry of the local schemas, or None when this jsonschema predates it (< 4.18).

        A registry without a retrieve function cannot reach the network: a $ref to anything else fails."""
        try:
            from referencing import Registry, Resource
            from referencing.jsonschema import DRAFT202012
        except ImportError:
            return None
        registry = Registry().with_resources(
            (uri, Resource.from_contents(s, default_specification=DRAFT202012)) for uri, s in self.by_id.items()
        )
        try:
            Draft202012Validator({}, registry=registry)
        except TypeError:  # referencing is installed, but this jsonschema does not take a registry
            return None
        return registry

    def get(self, name):
        if name not in self.cache:
            self.cache[name] = self.make(self.schemas[name])
        return self.cache[name]


class BrokenSchema(Exception):
    """A schema could not be applied (a $ref that does not resolve locally, say): never a verdict."""


def first_error(validator, instance):
    """The most relevant error, as one line, or None when the instance is valid."""
    try:
        error = best_match(validator.iter_errors(instance))
    except Exception as e:  # noqa: BLE001 - RefResolutionError (4.10) or a referencing error (4.18+)
        raise BrokenSchema(f"{type(e).__name__}: {e}") from e
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path)
    message = error.message
    if len(message) > 240:
        message = message[:237] + "..."
    return f"at /{where}: {message}"


def canonical(value):
    """Canonical JSON as Simpul hashes it: sorted keys, no white space, UTF-8, integers only."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def b64(text):
    return base64.b64decode(text, validate=True)


class Integrity:
    """The checks a schema cannot express: hashes, seq runs, fingerprints and signatures."""

    def __init__(self):
        self.keys = {}  # fingerprint -> (node, raw public key)

    def learn(self, schema, message):
        """Collects the public keys a set of files reveals."""
        found = []
        if schema in ("hub-info", "node-key"):
            found = [message]
        elif schema == "pull-response":
            found = message.get("keys", [])
        for k in found:
            try:
                raw = b64(k["publicKey"])
            except (KeyError, TypeError, binascii.Error):
                continue
            self.keys[k.get("fingerprint")] = (k.get("node"), raw)

    def check(self, schema, message):
        """Returns (problems, notes) for a schema-valid message."""
        problems, notes = [], []
        if schema in ("hub-info", "node-key"):
            keys = [message]
        elif schema == "pull-response":
            keys = message["keys"]
        else:
            keys = []
        for k in keys:
            raw = b64(k["publicKey"])
            expected = hashlib.sha256(raw).digest()[:16].hex()
            if k["fingerprint"] != expected:
                problems.append(f"fingerprint of {k['node']} is {k['fingerprint']}, the key's is {expected}")
        if schema == "signed-change-set":
            signed = [message]
        elif schema in ("pull-response", "push-request"):
            signed = message["changeSets"]
        else:
            signed = []
        if schema == "change-set":
            problems += self.seq_run(message)
        if schema == "bundle-manifest":
            problems += self.bundle_manifest(message)
        checked = unchecked = 0
        for s in signed:
            cs = s["changeSet"]
            label = f"change set {cs['node']} {cs['partition']} {cs['first']}-{cs['last']}"
            problems += [f"{label}: {p}" for p in self.seq_run(cs)]
            digest = hashlib.sha256(canonical(cs)).digest()
            if digest.hex() != s["hash"]:
                problems.append(f"{label}: hash {s['hash']} is not SHA-256 of its canonical JSON ({digest.hex()})")
                continue
            key = self.keys.get(cs["key"])
            if key is None:
                unchecked += 1
                continue
            node, raw = key
            if node != cs["node"]:
                problems.append(f"{label}: key {cs['key']} belongs to {node}, not to the writer")
                continue
            try:
                Ed25519PublicKey.from_public_bytes(raw).verify(b64(s["signature"]), digest)
                checked += 1
            except (InvalidSignature, ValueError):
                problems.append(f"{label}: signature does not verify with key {cs['key']}")
        if signed:
            notes.append(f"{len(signed)} hash{'es' if len(signed) != 1 else ''} ok")
            if checked:
                notes.append(f"{checked} signature{'s' if checked != 1 else ''} ok")
            if unchecked:
                notes.append(f"{unchecked} signature{'s' if unchecked != 1 else ''} not checked: signer's key not in these files")
        return problems, notes

    @staticmethod
    def bundle_manifest(m):
        """What bundle.md asks of a manifest beyond its schema."""
        problems = []
        for role in ("sender", "recipient"):
            node = m[role]["node"]
            if node[:5] != m["network"]:
                problems.append(f"{role} {node} is not in network {m['network']}")
        if not m["createdAt"] < m["expiresAt"]:  # same fixed-width UTC form: text order is time order
            problems.append(f"expiresAt {m['expiresAt']} is not after createdAt {m['createdAt']}")
        if len(base64.b64decode(m["ephemeralKey"])) != 32:
            problems.append("ephemeralKey is not 32 bytes")
        last = m["payloadLength"] % (65536 + 16)
        if not (last == 0 or last > 16 or m["payloadLength"] == 16):
            problems.append(f"payloadLength {m['payloadLength']} is not a whole number of chunks")
        return problems

    @staticmethod
    def seq_run(cs):
        seqs = [e["seq"] for e in cs["events"]]
        if seqs != list(range(cs["first"], cs["last"] + 1)):
            return [f"event seq {seqs} do not run densely from first {cs['first']} to last {cs['last']}"]
        return []


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, label, detail=""):
        self.passed += 1
        print(f"PASS  {label}{'  (' + detail + ')' if detail else ''}")

    def fail(self, label, why):
        self.failed += 1
        print(f"FAIL  {label}: {why}")

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0


def load_json(path):
    """Returns (value, None) or (None, why)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        return None, f"cannot read: {e.strerror}"
    if not data:
        return None, "empty body"
    try:
        return json.loads(data.decode("utf-8"), parse_float=JSONFraction), None
    except UnicodeDecodeError:
        return None, "not UTF-8"
    except ValueError as e:
        return None, f"not JSON: {e}"


class JSONFraction(float):
    """A number written with a fraction or exponent. JSON Schema counts 1.0 as an integer; Simpul's
    canonical JSON has no such numbers at all, so they are found and refused separately."""


def fraction_at(value, path=""):
    """The path of the first number written with a fraction or exponent, or None."""
    if isinstance(value, JSONFraction):
        return path or "/"
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for k, v in items:
        found = fraction_at(v, f"{path}/{k}")
        if found:
            return found
    return None


def message_error(validator, instance):
    """Why an instance is not a valid message, or None."""
    error = first_error(validator, instance)
    if error is None and fraction_at(instance):
        error = f"at {fraction_at(instance)}: a number with a fraction or exponent; the protocol has integers only"
    return error


def check_schemas(validators, report):
    ok = True
    for name, schema in validators.schemas.items():
        try:
            Draft202012Validator.check_schema(schema)
        except jsonschema.exceptions.SchemaError as e:
            report.fail(f"v1/{name}{SUFFIX}", f"not a valid JSON Schema 2020-12: {e.message}")
            ok = False
    return ok


def run_examples(validators, report):
    manifest_path = EXAMPLES_DIR / "manifest.json"
    manifest, why = load_json(manifest_path)
    if manifest is None:
        report.fail("examples/manifest.json", why)
        return
    entries = manifest.get("examples", [])
    loaded = []
    integrity = Integrity()
    for entry in entries:
        label = f"examples/{entry['file']} [{entry['schema']}, {entry['expect']}]"
        if entry["schema"] not in validators.schemas:
            report.fail(label, f"no schema v1/{entry['schema']}{SUFFIX}")
            continue
        value, why = load_json(EXAMPLES_DIR / entry["file"])
        loaded.append((entry, label, value, why))
        if value is not None and entry["expect"] == "valid":
            integrity.learn(entry["schema"], value)
    for entry, label, value, why in loaded:
        try:
            check_example(validators, report, integrity, entry, label, value, why)
        except BrokenSchema as e:
            report.fail(label, f"schema v1/{entry['schema']}{SUFFIX} cannot be applied: {e}")
    # Every message schema has a valid example; every example file is in the manifest.
    covered = {e["schema"] for e in entries if e["expect"] == "valid"}
    for name in validators.schemas:
        if name not in NOT_MESSAGES and name not in covered:
            report.fail(f"v1/{name}{SUFFIX}", "no valid example in examples/manifest.json")
    listed = {e["file"] for e in entries}
    for path in sorted(EXAMPLES_DIR.rglob("*.json")):
        rel = path.relative_to(EXAMPLES_DIR).as_posix()
        if rel != "manifest.json" and rel not in listed:
            report.fail(f"examples/{rel}", "not listed in examples/manifest.json")


def check_example(validators, report, integrity, entry, label, value, why):
    if entry["expect"] == "invalid":
        error = why if value is None else message_error(validators.get(entry["schema"]), value)
        if error is None:
            because = f" ({entry['why']})" if "why" in entry else ""
            report.fail(label, "was accepted but must be rejected" + because)
        else:
            report.ok(label, f"rejected: {error}")
        return
    if value is None:
        report.fail(label, why)
        return
    check_message(validators, report, integrity, entry["schema"], label, value)


def check_message(validators, report, integrity, schema, label, value):
    error = message_error(validators.get(schema), value)
    if error is not None:
        report.fail(label, error)
        return
    problems, notes = integrity.check(schema, value)
    if problems:
        report.fail(label, "; ".join(problems))
    else:
        report.ok(label, ", ".join(notes))


def run_captured(validators, report, directory):
    files = sorted(p for p in Path(directory).iterdir() if p.is_file())
    if not files:
        report.fail(str(directory), "no captured files")
        return
    parsed = []
    integrity = Integrity()
    for path in files:
        match = CAPTURED_NAME.match(path.name)
        schema = match.group(2) if match else None
        value, why = load_json(path)
        parsed.append((path, schema, value, why))
        if schema and value is not None:
            integrity.learn(schema, value)
    for path, schema, value, why in parsed:
        label = path.name
        if schema is None:
            report.fail(label, "name is not NNNN-<schema>.json")
        elif schema not in validators.schemas or schema in NOT_MESSAGES:
            report.fail(label, f"no message schema named {schema}")
        elif value is None:
            report.fail(label, why)
        else:
            try:
                check_message(validators, report, integrity, schema, label, value)
            except BrokenSchema as e:
                report.fail(label, f"schema v1/{schema}{SUFFIX} cannot be applied: {e}")


def main(argv):
    usage = "usage: validate.py examples | validate.py captured DIR"
    if len(argv) == 2 and argv[1] == "examples":
        mode, directory = "examples", None
    elif len(argv) == 3 and argv[1] == "captured":
        mode, directory = "captured", Path(argv[2])
        if not directory.is_dir():
            print(f"{directory}: not a directory", file=sys.stderr)
            return 2
    else:
        print(usage, file=sys.stderr)
        return 2
    report = Report()
    validators = Validators(load_schemas())
    if not check_schemas(validators, report):
        return report.finish()
    if mode == "examples":
        run_examples(validators, report)
    else:
        run_captured(validators, report, directory)
    return report.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
