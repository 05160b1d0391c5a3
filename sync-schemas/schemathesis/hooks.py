"""Schemathesis hooks for the Simpul hub (loaded by sync-schemas/schemathesis/run via SCHEMATHESIS_HOOKS).

An offline bundle (`POST /v1/bundles`, `application/vnd.simpul.bundle`) is opaque bytes to the
generator: send it the way a blob's bytes are sent.
"""

import schemathesis

schemathesis.serializer.alias("application/vnd.simpul.bundle", "application/octet-stream")
