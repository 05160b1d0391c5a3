#!/usr/bin/env bash
# The main job end to end, on throwaway data folders: a PTSP hub on loopback with a dev certificate
# and two kecamatan counters. A delegated permit is completed locally with its fee paid; a
# non-delegated one is forwarded, decided at the PTSP and handed over at the counter; a withdrawal at
# the counter that crosses a PTSP decision becomes a conflict that a person settles; a kecamatan with
# no link at all sends its work by USB stick and gets the decision back the same way.
set -euo pipefail
bin=${1:?usage: demo.sh BIN-DIR (holding simpul and simpul-hub)}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/simpul-demo.XXXXXX")
hub_pid=""
cleanup() { [ -n "$hub_pid" ] && kill -TERM "$hub_pid" 2>/dev/null && wait "$hub_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
simpul() { printf '$ simpul %s\n' "$*" | sed "s#$work#\$DEMO#g"; "$bin/simpul" "$@"; }
hub() { printf '$ simpul-hub %s\n' "$*" | sed "s#$work#\$DEMO#g"; "$bin/simpul-hub" "$@"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
number() { sed -n 's/^Nomor pendaftaran : //p'; }
export SIMPUL_HUB_DATA="$work/hub"
kec1="$work/33.74.01"
kec2="$work/33.74.02"

step "PTSP Kota Semarang menyiapkan hub dengan sertifikat uji coba"
hub init --node 33.74 --name "DPMPTSP Kota Semarang" --conf "$root/conf"
hub dev-cert --out "$work/certs" --host localhost
"$bin/simpul-hub" serve --listen 127.0.0.1:0 --tls-cert "$work/certs/cert.pem" --tls-key "$work/certs/key.pem" \
  >"$work/hub.out" 2>"$work/hub.log" &
hub_pid=$!
for _ in $(seq 100); do grep -q mendengarkan "$work/hub.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/.*mendengarkan di //p' "$work/hub.out")
[ -n "$url" ] || { echo "hub did not start:"; cat "$work/hub.log"; exit 1; }
echo "hub berjalan di $url"

step "Dua kecamatan dipasang; admin TI mendaftarkan kunci publiknya di hub"
for k in "33.74.01:Kecamatan Semarang Tengah:$kec1" "33.74.02:Kecamatan Semarang Utara:$kec2"; do
  IFS=: read -r code name dir <<<"$k"
  simpul init --data "$dir" --node "$code" --name "$name" --conf "$root/conf" --hub "$url" --hub-ca "$work/certs/cert.pem"
  key=$("$bin/simpul" status --data "$dir" --json | json 'd["publicKey"]')
  hub node enroll --node "$code" --public-key "$key"
done

step "Semarang Tengah, loket: izin penutupan jalan (didelegasikan ke camat), 12,5 m x 4 m"
out=$(simpul permohonan create --data "$kec1" --layanan IZIN-JALAN --nik 3374014505900001 --nama "Siti Aminah" \
  --syarat pengantar-desa --syarat ktp --syarat denah --isian panjang_m=12.5 --isian lebar_m=4 --petugas "Sari (loket)")
echo "$out"
izin=$(echo "$out" | number)
for t in verifikasi cek-lapangan operator validasi-kasi validasi-sekcam pengesahan-camat; do
  simpul permohonan advance "$izin" --data "$kec1" --tahap "$t" --petugas "Petugas $t" >/dev/null
done
echo "Dokumen tidak diserahkan sebelum retribusi lunas:"
simpul permohonan advance "$izin" --data "$kec1" --tahap penyerahan --petugas "Ani (penyerahan)" || echo "(keluar dengan kode $?)"
simpul kasir pay "$izin" --data "$kec1" --jumlah 25.000 --petugas "Rina (kasir)"
simpul permohonan advance "$izin" --data "$kec1" --tahap penyerahan --petugas "Ani (penyerahan)" | tail -3

step "Semarang Tengah, loket: PBG rumah kecil, kewenangan PTSP, diteruskan lalu disinkron"
out=$(simpul permohonan create --data "$kec1" --layanan PBG-KECIL --nik 3374010101850003 --nama "Ahmad Fauzi" \
  --syarat ktp --syarat persetujuan-tetangga --syarat bukti-tanah --syarat sppt-pbb --syarat gambar \
  --syarat pengantar-desa --petugas "Sari (loket)")
pbg=$(echo "$out" | number)
simpul permohonan forward "$pbg" --data "$kec1" --petugas "Sari (loket)" --catatan "Berkas lengkap" | tail -2
simpul sync --data "$kec1"

step "PTSP: berkas tiba dengan riwayat lengkapnya, diproses dan diputuskan (retribusi ditetapkan PTSP)"
hub permohonan list
hub permohonan advance "$pbg" --kode 10 --petugas "Rudi (PTSP)" >/dev/null
hub permohonan advance "$pbg" --kode 40 --catatan "Inspeksi lokasi sesuai gambar" --petugas "Rudi (PTSP)" >/dev/null
hub permohonan decide "$pbg" --kode 50 --retribusi 150000 --catatan "PBG terbit" --petugas "Kabid Perizinan" | tail -3

step "Semarang Tengah: keputusan kembali ke loket; retribusi dibayar, dokumen diserahkan"
simpul sync --data "$kec1"
simpul kasir pay "$pbg" --data "$kec1" --jumlah 150000 --petugas "Rina (kasir)" | tail -2
simpul permohonan advance "$pbg" --data "$kec1" --petugas "Ani (penyerahan)" | tail -2
simpul sync --data "$kec1"
simpul permohonan log "$pbg" --data "$kec1"

step "Semarang Utara: PBG diteruskan; lalu, tanpa saling tahu, pemohon menarik di loket dan PTSP menyetujui"
out=$(simpul permohonan create --data "$kec2" --layanan PBG-KECIL --nik 3374024101900002 --nama "Dewi Lestari" \
  --syarat ktp --syarat persetujuan-tetangga --syarat bukti-tanah --syarat sppt-pbb --syarat gambar \
  --syarat pengantar-desa --petugas "Yuli (loket)")
pbg2=$(echo "$out" | number)
simpul permohonan forward "$pbg2" --data "$kec2" --petugas "Yuli (loket)" >/dev/null
simpul sync --data "$kec2"
simpul permohonan withdraw "$pbg2" --data "$kec2" --alasan "Pemohon batal membangun" --petugas "Yuli (loket)" | tail -1
hub permohonan decide "$pbg2" --kode 50 --retribusi 120000 --petugas "Kabid Perizinan" | tail -1
simpul sync --data "$kec2"

step "Konflik terdeteksi dari version vector, sama di hub dan di kecamatan; petugas rekonsiliasi menyelesaikannya"
hub conflicts list
id=$("$bin/simpul-hub" conflicts list --json | json 'd[0]["id"]')
hub conflicts resolve "$id" --status ditarik --catatan "Pemohon menarik sebelum menerima keputusan; izin dibatalkan" \
  --petugas "Wati (rekonsiliasi)" | tail -2
simpul sync --data "$kec2"
simpul permohonan show "$pbg2" --data "$kec2"

step "Semarang Timur tanpa jaringan: kunci hub dipasang saat init, berkas dibawa dengan flashdisk"
kec3="$work/33.74.03"
mkdir -p "$work/usb"
hubkey=$("$bin/simpul-hub" status | sed -n 's/^Kunci publik hub: \([^ ]*\).*/\1/p')
simpul init --data "$kec3" --node 33.74.03 --name "Kecamatan Semarang Timur" --conf "$root/conf" --hub-key "$hubkey" \
  | grep -E "siap|Kunci hub"
hub node enroll --node 33.74.03 --public-key "$("$bin/simpul" status --data "$kec3" --json | json 'd["publicKey"]')"
out=$(simpul permohonan create --data "$kec3" --layanan PBG-KECIL --nik 3374031203880004 --nama "Rahmat Hidayat" \
  --syarat ktp --syarat persetujuan-tetangga --syarat bukti-tanah --syarat sppt-pbb --syarat gambar \
  --syarat pengantar-desa --petugas "Nur (loket)")
pbg3=$(echo "$out" | number)
simpul permohonan forward "$pbg3" --data "$kec3" --petugas "Nur (loket)" >/dev/null
simpul export --data "$kec3" --out "$work/usb"
bundle=$(ls "$work/usb"/33.74.03-to-33.74-*.simpulbundle)
hub bundle inspect "$bundle"
hub import "$bundle"
hub permohonan decide "$pbg3" --kode 50 --retribusi 90000 --petugas "Kabid Perizinan" | tail -1
hub export --for 33.74.03 --out "$work/usb"
simpul import --data "$kec3" "$(ls "$work/usb"/33.74-to-33.74.03-*.simpulbundle)"
simpul import --data "$kec3" "$(ls "$work/usb"/33.74-to-33.74.03-*.simpulbundle)"
head -c 1000 "$bundle" >"$work/usb/terpotong.simpulbundle"
hub import "$work/usb/terpotong.simpulbundle" || echo "(exit $?: tidak ada yang diterapkan)"
simpul permohonan show "$pbg3" --data "$kec3" | head -4

step "Kesehatan sinkron"
simpul status --data "$kec2"
hub status
simpul admin check --data "$kec1"
