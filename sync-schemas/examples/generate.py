#!/usr/bin/env python3
"""Writes the examples in this folder and manifest.json, with real hashes and signatures.

The examples are meant to be read and edited as JSON; this script is how they were made, and the way to
remake them after a change, since a signed change set's hash and signature must follow its content.
The keys are derived from fixed seeds (see ../README.md, "Test vectors"), so the output is the same on
every run. Needs the Python `cryptography` package.

    python3 sync-schemas/examples/generate.py
"""

import base64
import copy
import hashlib
import json
import os

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

OUT = os.path.dirname(os.path.abspath(__file__))

def canonical(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

class Key:
    def __init__(self, node):
        self.node = node
        seed = hashlib.sha256(("simpul example key " + node).encode()).digest()
        self.sk = Ed25519PrivateKey.from_private_bytes(seed)
        self.raw = self.sk.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.public = base64.b64encode(self.raw).decode()
        self.fingerprint = hashlib.sha256(self.raw).digest()[:16].hex()
        self.seed = seed

    def seal(self, partition, events, prev):
        cs = {"format": 1, "node": self.node, "partition": partition, "first": events[0]["seq"],
              "last": events[-1]["seq"], "key": self.fingerprint, "events": events}
        if prev:
            cs["prev"] = prev
        digest = hashlib.sha256(canonical(cs)).digest()
        return {"changeSet": cs, "hash": digest.hex(), "signature": base64.b64encode(self.sk.sign(digest)).decode()}

DAMM = [[0,3,1,7,5,9,8,6,4,2],[7,0,9,2,1,5,4,8,6,3],[4,2,0,6,8,7,1,3,5,9],[1,7,5,0,9,8,3,4,2,6],
        [6,1,2,3,0,4,5,9,7,8],[3,6,7,4,2,0,9,5,8,1],[5,8,6,9,7,2,0,1,3,4],[8,9,4,5,3,6,2,0,1,7],
        [9,4,3,8,6,1,7,2,0,5],[2,5,8,1,4,3,6,7,9,0]]
def regno(prefix, yy, seq):
    digits = f"{prefix}{yy:02d}{seq:05d}"
    i = 0
    for c in digits: i = DAMM[i][int(c)]
    return f"{prefix}-{yy:02d}-{seq:05d}-{i}"

kec = Key("33.74.01")
hub = Key("33.74")

izin = {"code": "IZIN-JALAN", "name": "Izin penggunaan/penutupan jalan kabupaten", "kind": "perizinan",
        "scale": "kecamatan",
        "requirements": [{"code": "pengantar-desa", "name": "Surat pengantar desa/kelurahan"},
                         {"code": "ktp", "name": "KTP-el pemohon"},
                         {"code": "denah", "name": "Denah ruas jalan yang dipakai atau ditutup"}],
        "durationWorkingDays": 1,
        "fee": {"type": "formula", "rate": 500, "inputs": ["panjang_m", "lebar_m"], "unit": "m2"},
        "fieldCheck": True, "version": 1}
pbg = {"code": "PBG-KECIL", "name": "PBG rumah tinggal kecil (dulu IMB sampai 100 m2)", "kind": "perizinan",
       "scale": "forwarded", "forwardTo": "PTSP",
       "requirements": [{"code": "ktp", "name": "KTP-el pemohon"},
                        {"code": "persetujuan-tetangga", "name": "Surat persetujuan tetangga"},
                        {"code": "bukti-tanah", "name": "Bukti kepemilikan tanah"},
                        {"code": "sppt-pbb", "name": "SPPT PBB tahun terakhir"},
                        {"code": "gambar", "name": "Gambar rencana bangunan"},
                        {"code": "pengantar-desa", "name": "Surat pengantar desa/kelurahan"}],
       "fee": {"type": "set-by-ptsp"}, "fieldCheck": True, "version": 1}
keramaian = {"code": "REK-KERAMAIAN", "name": "Rekomendasi izin keramaian", "kind": "non-perizinan",
             "scale": "kecamatan",
             "requirements": [{"code": "pengantar-desa", "name": "Surat pengantar desa/kelurahan"},
                              {"code": "ktp", "name": "KTP-el pemohon"}],
             "durationWorkingDays": 1, "fee": {"type": "fixed", "amount": 0}, "fieldCheck": False, "version": 1}

n1 = regno("01", 26, 1)
n2 = regno("01", 26, 2)

def ev(seq, lamport, context, record, officer, role, at, type_, data):
    return {"seq": seq, "lamport": lamport, "context": context, "record": record, "officer": officer, "role": role,
            "at": at, "type": type_, "data": data}

reg1 = ev(1, 1, {}, n1, "Sari Wulandari", "Petugas Loket", "2026-03-16T01:00:00.000Z", "permohonan.registered",
          {"number": n1, "layanan": izin, "catalogVersion": 1,
           "pemohon": {"nik": "3374014505900001", "nama": "Siti Aminah", "alamat": "Jl. Pemuda No. 12, RT 03/RW 05, Sekayu — Semarang Tengah",
                       "telepon": "081234567890"},
           "syarat": ["pengantar-desa", "ktp", "denah"], "isian": {"panjang_m": "12.5", "lebar_m": "4"},
           "fee": 25000, "acceptedOn": "2026-03-16", "dueOn": "2026-03-17"})
step1 = ev(2, 2, {"33.74.01": 1}, n1, "Budi Santoso", "Petugas Verifikasi", "2026-03-16T01:20:00.000Z",
           "permohonan.step-completed", {"tahap": "verifikasi", "note": "berkas lengkap"})
reg2 = ev(3, 3, {}, n2, "Sari Wulandari", "Petugas Loket", "2026-03-16T02:05:00.000Z", "permohonan.registered",
          {"number": n2, "layanan": pbg, "catalogVersion": 1,
           "pemohon": {"nik": "3374011203850002", "nama": "Ahmad Fauzi"},
           "syarat": ["ktp", "persetujuan-tetangga", "bukti-tanah", "sppt-pbb", "gambar", "pengantar-desa"],
           "isian": {}, "acceptedOn": "2026-03-16"})
fwd = ev(4, 4, {"33.74.01": 3}, n2, "Sari Wulandari", "Petugas Loket", "2026-03-16T02:10:00.000Z",
         "permohonan.forwarded", {"to": "PTSP", "note": "lengkap"})
cs1 = kec.seal("33.74.01", [reg1, step1, reg2, fwd], None)

wd = ev(5, 5, {"33.74.01": 4}, n2, "Sari Wulandari", "Petugas Loket", "2026-03-17T03:00:00.000Z",
        "permohonan.withdrawn", {"reason": "pemohon pindah rumah"})
rej = ev(6, 6, {"33.74.01": 2}, n1, "Joko Prasetyo", "Petugas Teknis", "2026-03-17T04:30:00.000Z",
         "permohonan.rejected", {"tahap": "cek-lapangan", "reason": "ruas jalan adalah jalan provinsi"})
cs2 = kec.seal("33.74.01", [wd, rej], cs1["hash"])
# Not in a change set of these examples: the verifikator sends a file back to the loket.
ret = ev(7, 7, {"33.74.01": 2}, n1, "Hendra Gunawan", "Petugas Verifikasi", "2026-03-17T05:00:00.000Z",
         "permohonan.returned", {"tahap": "verifikasi", "note": "surat pengantar desa belum dicap; minta cap kepala desa"})

catalog = {"version": 2, "services": [keramaian, dict(izin, version=2, fee={"type": "formula", "rate": 1000,
           "inputs": ["panjang_m", "lebar_m"], "unit": "m2"}), pbg]}
kat = ev(1, 1, {}, "katalog/v2", "Admin TI", "Admin TI Kabupaten", "2026-03-16T05:00:00.000Z",
         "katalog.published", catalog)
kal = ev(2, 2, {}, "kalender/2026,2027", "Admin TI", "Admin TI Kabupaten", "2026-03-16T05:00:00.000Z",
         "kalender.published",
         {"years": [2026, 2027],
          "holidays": [{"date": "2026-01-01", "kind": "libur", "name": "Tahun Baru 2026 Masehi"},
                       {"date": "2026-02-16", "kind": "cuti-bersama", "name": "Cuti bersama Tahun Baru Imlek"},
                       {"date": "2027-01-01", "kind": "libur", "name": "Tahun Baru 2027 Masehi"}]})
g1 = hub.seal("33.74", [kat, kal], None)

prog = ev(1, 5, {"33.74.01": 4}, n2, "Rudi (PTSP)", "Petugas PTSP", "2026-03-17T02:00:00.000Z",
          "permohonan.ptsp-progress", {"code": "10"})
dec = ev(2, 6, {"33.74": 1, "33.74.01": 4}, n2, "Kabid PTSP", "Petugas PTSP", "2026-03-17T03:30:00.000Z",
         "permohonan.decided", {"code": "50", "fee": 100000, "note": "PBG terbit"})
h1 = hub.seal("33.74.01", [prog, dec], None)
settle = ev(3, 7, {"33.74": 2, "33.74.01": 5}, n2, "Rekonsiliator", "Petugas Rekonsiliasi PTSP",
            "2026-03-18T01:00:00.000Z", "permohonan.settled",
            {"conflicts": [f"{n2}@33.74:2"], "status": "ditarik", "note": "pemohon menarik; izin dibatalkan"})
h2 = hub.seal("33.74.01", [settle], h1["hash"])

pay = ev(9, 9, {"33.74.01": 8}, regno("01", 26, 4), "Rina", "Kasir", "2026-03-19T02:00:00.000Z",
         "pembayaran.received", {"receipt": "33.74.01/000001", "amount": 50000})

# A scanned KTP attached to the forwarded PBG before the PTSP looks at it; its bytes travel as a blob.
ktp_scan = b"%PDF-1.4\n% simpul example scan\n" + b"".join(
    hashlib.sha256(b"simpul example ktp scan %d" % i).digest() for i in range(3000))
attached = ev(10, 10, {"33.74.01": 4}, n2, "Sari Wulandari", "Petugas Loket", "2026-03-16T02:07:00.000Z",
              "permohonan.attached", {"sha256": hashlib.sha256(ktp_scan).hexdigest(), "size": len(ktp_scan),
                                      "name": "ktp-ahmad-fauzi.pdf", "mediaType": "application/pdf", "syarat": "ktp"})

hub_key = {"node": "33.74", "publicKey": hub.public, "fingerprint": hub.fingerprint,
           "enrolledAt": "2026-03-01T00:00:00.000Z", "active": True}
kec_key_revoked = {"node": "33.74.01", "publicKey": kec.public, "fingerprint": kec.fingerprint,
                   "enrolledAt": "2026-03-02T03:15:00.000Z", "revokedAt": "2026-04-01T08:00:00.000Z",
                   "active": True}

# An offline bundle (../bundle.md): the hub's reply to the kecamatan, written here independently of the
# Swift code so that the Swift tests can check both read and write the same bytes. The ephemeral key and
# the id come from fixed seeds; a real writer draws them at random for every bundle.
P25519 = 2**255 - 19
CHUNK = 65536

def ed25519_to_x25519(raw):
    """u = (1 + y) / (1 - y) mod p. The example keys are valid; a reader must check a key (bundle.md)."""
    y = int.from_bytes(raw, "little") & ((1 << 255) - 1)
    return ((1 + y) * pow(1 - y, P25519 - 2, P25519) % P25519).to_bytes(32, "little")

def record(kind, body):
    return bytes([kind]) + len(body).to_bytes(4, "big") + body

def seal_bundle(sender, recipient, records, created, expires, ephemeral_seed, bundle_id):
    plain = b"".join(records)
    chunks = max(1, -(-len(plain) // CHUNK))
    eph = X25519PrivateKey.from_private_bytes(ephemeral_seed)
    eph_pub = eph.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    manifest = {"format": 1, "id": bundle_id.hex(), "network": sender.node[:5],
                "sender": {"node": sender.node, "key": sender.fingerprint},
                "recipient": {"node": recipient.node, "key": recipient.fingerprint},
                "createdAt": created, "expiresAt": expires, "ephemeralKey": base64.b64encode(eph_pub).decode(),
                "payloadLength": len(plain) + 16 * chunks}
    m = canonical(manifest)
    fixed = b"SIMPULBUNDLE" + bytes([1]) + len(m).to_bytes(4, "big")
    header = fixed + hashlib.sha256(fixed).digest()[:4] + m
    digest = hashlib.sha256(header).digest()
    rx = ed25519_to_x25519(recipient.raw)
    shared = eph.exchange(X25519PublicKey.from_public_bytes(rx))
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=eph_pub + rx,
               info=b"simpul-bundle-v1 key" + digest).derive(shared)
    out = header + digest
    aead = ChaCha20Poly1305(key)
    for i in range(chunks):
        nonce = i.to_bytes(11, "big") + bytes([1 if i == chunks - 1 else 0])
        out += aead.encrypt(nonce, plain[i * CHUNK:(i + 1) * CHUNK], None)
    out += sender.sk.sign(b"simpul-bundle-v1\n" + hashlib.sha256(out).digest())
    return out, manifest

# A scanned letter stand-in, long enough that the payload takes two chunks.
letter = b"".join(hashlib.sha256(b"simpul example attachment %d" % i).digest() for i in range(2188))[:70000]
bundle_records = [
    record(4, canonical([hub_key])),
    record(3, canonical({"33.74": {"33.74": 2}, "33.74.01": {"33.74": 3, "33.74.01": 6}})),
    record(1, canonical(g1)), record(1, canonical(h1)), record(1, canonical(h2)),
    record(2, hashlib.sha256(letter).digest() + letter),
]
bundle, bundle_manifest = seal_bundle(
    hub, kec, bundle_records, "2026-03-20T02:00:00.000Z", "2026-04-19T02:00:00.000Z",
    hashlib.sha256(b"simpul example bundle ephemeral key").digest(),
    hashlib.sha256(b"simpul example bundle id").digest()[:16])
with open(os.path.join(OUT, "bundle.simpulbundle"), "wb") as f:
    f.write(bundle)

files = {}
def put(name, value, schema, expect="valid", why=None):
    files[name] = (value, schema, expect, why)

put("hub-info.json", {"protocolVersion": 2, "node": "33.74", "name": "DPMPTSP Kota Semarang",
                      "publicKey": hub.public, "fingerprint": hub.fingerprint,
                      "time": "2026-03-20T02:00:00.125Z", "keys": [hub_key]}, "hub-info")
put("knowledge-request.json", {"partitions": ["33.74.01", "33.74"]}, "knowledge-request")
REPORT = {"version": "simpul/1", "clock": "2026-03-20T02:05:00.250Z", "storeBytes": 12402688, "waitingEvents": 7}
put("knowledge-request-report.json", {"partitions": ["33.74.01", "33.74"], "report": REPORT}, "knowledge-request")
put("knowledge-response.json", {"node": "33.74.01", "partitions": {"33.74": {"33.74": 2},
                                "33.74.01": {"33.74": 2, "33.74.01": 4}}}, "knowledge-response")
put("signed-change-set.json", cs1, "signed-change-set")
put("change-set.json", cs2["changeSet"], "change-set")
put("wire-event.json", step1, "wire-event")
put("push-request.json", {"changeSets": [cs1]}, "push-request")
put("push-response.json", {"knowledge": {"33.74.01": {"33.74.01": 4}}, "results": [
    {"result": "applied", "events": 4, "partition": "33.74.01", "first": 1, "last": 4}]}, "push-response")
put("push-response-parked.json", {"knowledge": {"33.74.01": {"33.74": 2, "33.74.01": 4}}, "results": [
    {"result": "duplicate", "events": 0, "partition": "33.74.01", "first": 1, "last": 4},
    {"result": "parked", "events": 0, "reason": "menunggu change set 33.74.01 yang berakhir di seq 4",
     "partition": "33.74.01", "first": 5, "last": 6}]}, "push-response")
put("problem-clock-skew.json", {"type": "https://simpul.invalid/problems/clock-skew",
    "title": "Jam node terlalu jauh", "status": 401,
    "detail": "jam node selisih lebih dari 300 detik dengan hub (2026-03-20T02:00:00.125Z); betulkan jam komputer",
    "code": "clock-skew", "hubTime": "2026-03-20T02:00:00.125Z"}, "problem")
put("problem-replayed.json", {"type": "https://simpul.invalid/problems/replayed",
    "title": "Permintaan terulang", "status": 409,
    "detail": "permintaan ini sudah pernah diterima hub (Simpul-Nonce terulang)", "code": "replayed"}, "problem")
put("pull-request.json", {"knowledge": {"33.74": {}, "33.74.01": {"33.74.01": 6}}, "maxBytes": 524288},
    "pull-request")
put("pull-request-report.json", {"knowledge": {"33.74": {}, "33.74.01": {"33.74.01": 6}}, "maxBytes": 524288,
                                 "report": REPORT}, "pull-request")
put("pull-response.json", {"changeSets": [g1, h1, h2], "keys": [hub_key], "complete": True}, "pull-response")
put("problem.json", {"type": "https://simpul.invalid/problems/revoked", "title": "Node dicabut", "status": 403,
    "detail": "node 33.74.01 dicabut oleh hub pada 2026-04-01T08:00:00.000Z; hubungi admin TI kabupaten untuk mendaftar ulang",
    "code": "revoked"}, "problem")
put("problem-hash-mismatch.json", {"type": "https://simpul.invalid/problems/hash-mismatch",
    "title": "Isi change set berubah", "status": 422,
    "detail": "isi change set 33.74.01 1-4 berubah: hash tidak cocok", "code": "hash-mismatch"}, "problem")
put("node-key.json", kec_key_revoked, "node-key")
scan_sha, scan_size = attached["data"]["sha256"], attached["data"]["size"]
put("blob-status.json", {"sha256": scan_sha, "size": scan_size, "received": 65536, "complete": False},
    "blob-status")
put("blob-status-complete.json", {"sha256": scan_sha, "size": scan_size, "received": scan_size, "complete": True},
    "blob-status")
put("blob-status-unknown.json", {"sha256": scan_sha, "received": 0, "complete": False}, "blob-status")
put("problem-blob-offset.json", {"type": "https://simpul.invalid/problems/blob-offset",
    "title": "Posisi potongan lampiran salah", "status": 409,
    "detail": f"blob {scan_sha[:12]} sudah diterima sampai byte 65536, bukan 0", "code": "blob-offset",
    "received": 65536}, "problem")
put("bundle-manifest.json", bundle_manifest, "bundle-manifest")
put("bundle-reply-request.json", {"node": "33.74.01-1"}, "bundle-reply-request")
put("bundle-import-response.json", {"bundle": bundle_manifest["id"], "sender": "33.74.01", "changeSets": 3,
    "applied": 2, "duplicate": 1, "parked": 0, "events": 9,
    "knowledge": {"33.74": {"33.74": 2}, "33.74.01": {"33.74": 3, "33.74.01": 6}},
    "blobs": 1, "blobsSkipped": 0, "blobsConfirmed": 0}, "bundle-import-response")
put("problem-bundle-expired.json", {"type": "https://simpul.invalid/problems/bundle-expired",
    "title": "Bundle kedaluwarsa", "status": 422,
    "detail": "bundle kedaluwarsa: bundle ae787c122e36a6bf1611f1fd8b480632 dari 33.74.01 kedaluwarsa sejak "
              "2026-04-19T02:00:00.000Z; minta pengirim membuat bundle baru; tidak ada isi bundle yang diterapkan",
    "code": "bundle-expired"}, "problem")
put("version-vector.json", {"33.74": 3, "33.74.01": 6, "33.74.01-1": 2}, "version-vector")
for e, short in [(reg1, "registered"), (step1, "step-completed"), (fwd, "forwarded"), (wd, "withdrawn"),
                 (rej, "rejected"), (pay, "pembayaran-received"), (prog, "ptsp-progress"), (dec, "decided"),
                 (settle, "settled"), (kat, "katalog-published"), (kal, "kalender-published"),
                 (attached, "attached"), (ret, "returned")]:
    put(f"event-data-{short}.json", {"type": e["type"], "data": e["data"]}, "event-data")
put("event-data-ptsp-progress-clock.json",
    {"type": "permohonan.ptsp-progress", "data": {"code": "42", "dueOn": "2026-03-25",
                                                   "note": "pemohon sudah mengirim konfirmasi persyaratan"}},
    "event-data")
put("event-data-kas-closed.json",
    {"type": "kas.closed", "data": {"day": "2026-03-17", "receipts": 3, "total": 41250,
                                    "firstReceipt": "33.74.01/000001", "lastReceipt": "33.74.01/000003"}},
    "event-data")
put("event-data-kas-deposited.json",
    {"type": "kas.deposited", "data": {"day": "2026-03-18", "amount": 41250, "reference": "STS-0042/2026",
                                       "note": "setoran penerimaan 17 Maret"}},
    "event-data")
put("event-data-attached-letter.json",
    {"type": "permohonan.attached", "data": {"sha256": hashlib.sha256(b"%PDF-1.4 surat").hexdigest(),
                                             "size": 14, "name": "surat-400-0001-2026.pdf",
                                             "mediaType": "application/pdf",
                                             "letterNumber": "400/0001/33.74.01/2026"}},
    "event-data")
put("event-data-step-completed-cek-lapangan.json",
    {"type": "permohonan.step-completed", "data": {"tahap": "verifikasi", "next": "cek-lapangan",
                                                    "note": "batas pekarangan dengan tetangga perlu dilihat"}},
    "event-data")

# Invalid examples: each breaks exactly one rule.
def without(d, k):
    d = copy.deepcopy(d); del d[k]; return d
put("invalid/push-response-missing-knowledge.json", without(files["push-response.json"][0], "knowledge"),
    "push-response", "invalid", "required field knowledge is missing")
put("invalid/event-data-ptsp-progress-due-without-clock.json",
    {"type": "permohonan.ptsp-progress", "data": {"code": "10", "dueOn": "2026-03-25"}},
    "event-data", "invalid", "dueOn comes only with 42 or 44, when the service clock runs again")
put("invalid/hub-info-extra-field.json", dict(files["hub-info.json"][0], url="https://ptsp.example"),
    "hub-info", "invalid", "HubInfo is closed: no url member")
put("invalid/knowledge-request-report-markup-version.json",
    {"partitions": ["33.74.01", "33.74"], "report": dict(REPORT, version="simpul/1 <script>")}, "knowledge-request",
    "invalid", "a version string holds only letters, digits, spaces and ._-/()+:;")
put("invalid/pull-request-report-negative-store-size.json",
    {"knowledge": {}, "maxBytes": 524288, "report": dict(REPORT, storeBytes=-1)}, "pull-request", "invalid",
    "a store size is never negative")
put("invalid/knowledge-request-bad-partition.json", {"partitions": ["33.74.1"]}, "knowledge-request", "invalid",
    "partition 33.74.1 is not a Kemendagri code")
bad = copy.deepcopy(cs1); bad["changeSet"]["node"] = "33.74.01-0"
put("invalid/signed-change-set-bad-node.json", bad, "signed-change-set", "invalid",
    "sub-node digits run 1-9: 33.74.01-0 is no node code")
bad = copy.deepcopy(cs2["changeSet"]); bad["prev"] = None
put("invalid/change-set-null-prev.json", bad, "change-set", "invalid",
    "an absent prev is left out, never null")
bad = copy.deepcopy(pay); bad["data"]["amount"] = 50000.5
put("invalid/wire-event-fractional-amount.json", bad, "wire-event", "invalid",
    "money is whole rupiah: no fractions")
bad = copy.deepcopy(step1); bad["at"] = "2026-03-16T08:20:00+07:00"
put("invalid/wire-event-offset-timestamp.json", bad, "wire-event", "invalid",
    "timestamps on the wire are UTC with milliseconds")
bad = {"type": reg1["type"], "data": copy.deepcopy(reg1["data"])}; bad["data"]["pemohon"]["nik"] = "337401450590000"
put("invalid/event-data-registered-short-nik.json", bad, "event-data", "invalid", "a NIK has 16 digits")
put("invalid/event-data-decided-with-payment-data.json", {"type": "permohonan.decided", "data": pay["data"]},
    "event-data", "invalid", "the data does not fit the type")
bad = {"type": dec["type"], "data": {"code": "90", "fee": 100000}}
put("invalid/event-data-rejecting-decision-with-fee.json", bad, "event-data", "invalid",
    "only an approval sets a fee")
put("invalid/event-data-unknown-type.json", {"type": "permohonan.archived", "data": {}}, "event-data", "invalid",
    "unknown event type")
put("invalid/problem-status-mismatch.json", dict(files["problem.json"][0], status=401), "problem", "invalid",
    "revoked is answered with 403")
put("invalid/version-vector-zero.json", {"33.74.01": 0}, "version-vector", "invalid",
    "zero entries are never written")
bad = dict(kec_key_revoked, fingerprint=kec.fingerprint.upper())
put("invalid/node-key-uppercase-fingerprint.json", bad, "node-key", "invalid", "hex is lowercase")
bad = copy.deepcopy(files["pull-response.json"][0]); del bad["complete"]
put("invalid/pull-response-missing-complete.json", bad, "pull-response", "invalid", "complete is required")
put("invalid/bundle-manifest-without-ephemeral-key.json", without(bundle_manifest, "ephemeralKey"),
    "bundle-manifest", "invalid", "the recipient cannot decrypt without the ephemeral key")
put("invalid/bundle-manifest-format-2.json", dict(bundle_manifest, format=2), "bundle-manifest", "invalid",
    "a v1 manifest has format 1")
put("invalid/bundle-reply-request-hub.json", {"node": "33.74.01.1"}, "bundle-reply-request", "invalid",
    "33.74.01.1 is no node code")
bad = dict(files["bundle-import-response.json"][0]); del bad["parked"]
put("invalid/bundle-import-response-missing-parked.json", bad, "bundle-import-response", "invalid",
    "parked is required")
bad = {"type": attached["type"], "data": dict(attached["data"], sha256=scan_sha.upper())}
put("invalid/event-data-attached-uppercase-sha.json", bad, "event-data", "invalid",
    "a blob's name is lowercase hex")
bad = {"type": attached["type"], "data": dict(attached["data"], size=25 * 1024 * 1024)}
put("invalid/event-data-attached-too-large.json", bad, "event-data", "invalid", "an attachment is at most 20 MiB")
put("invalid/event-data-kas-deposited-zero.json",
    {"type": "kas.deposited", "data": {"day": "2026-03-18", "amount": 0, "reference": "STS-0042/2026"}},
    "event-data", "invalid", "a deposit is at least Rp 1")
put("invalid/blob-status-complete-without-size.json", {"sha256": scan_sha, "received": 0, "complete": True},
    "blob-status", "invalid", "a complete blob has a size")
put("invalid/problem-received-on-other-code.json", dict(files["problem.json"][0], received=0), "problem",
    "invalid", "received belongs to blob-offset only")
put("invalid/pull-request-string-max-bytes.json", {"knowledge": {}, "maxBytes": "524288"}, "pull-request",
    "invalid", "maxBytes is an integer")

manifest = {"description": "Each example file (relative to this folder), the schema in ../v1 it is checked against, "
            "and whether it must pass (valid) or fail (invalid). python3 sync-schemas/validate.py examples",
            "examples": []}
for name, (value, schema, expect, why) in files.items():
    path = os.path.join(OUT, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
    entry = {"file": name, "schema": schema, "expect": expect}
    if why: entry["why"] = why
    manifest["examples"].append(entry)
with open(os.path.join(OUT, "manifest.json"), "w") as f:
    f.write(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")

# The test vectors the README quotes.
print(f"kecamatan 33.74.01: public key {kec.public}, fingerprint {kec.fingerprint}")
print(f"hub 33.74: public key {hub.public}, fingerprint {hub.fingerprint}")
print(f"signed-change-set.json: {len(canonical(cs1['changeSet']))} canonical bytes, hash {cs1['hash']}")
print(f"kecamatan 33.74.01 X25519 (bundles): {ed25519_to_x25519(kec.raw).hex()}")
print(f"hub 33.74 X25519 (bundles): {ed25519_to_x25519(hub.raw).hex()}")
print(f"bundle.simpulbundle: {len(bundle)} bytes, SHA-256 {hashlib.sha256(bundle).hexdigest()}, "
      f"attachment SHA-256 {hashlib.sha256(letter).hexdigest()}")
