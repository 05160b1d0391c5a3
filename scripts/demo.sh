#!/usr/bin/env bash
# The main job of a kecamatan counter, on a throwaway data folder: a delegated permit walked to
# handover with its fee paid, a non-delegated one forwarded to the PTSP, and the full history.
set -euo pipefail
simpul=${1:?usage: demo.sh PATH-TO-simpul}
root=$(cd "$(dirname "$0")/.." && pwd)
data=$(mktemp -d "${TMPDIR:-/tmp}/simpul-demo.XXXXXX")
trap 'rm -rf "$data"' EXIT
export SIMPUL_DATA="$data/33.74.01"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ simpul %s\n' "$*"; "$simpul" "$@"; }
number() { sed -n 's/^Nomor pendaftaran : //p'; }

step "Menyiapkan node Kecamatan Semarang Tengah (data di $data)"
run init --node 33.74.01 --name "Kecamatan Semarang Tengah" --conf "$root/conf"

step "Katalog layanan yang berlaku"
run layanan list
run layanan show IZIN-JALAN

step "Loket: Ibu Siti mengajukan izin penutupan jalan untuk hajatan (12,5 m x 4 m)"
out=$(run permohonan create --layanan IZIN-JALAN --nik 3374014505900001 --nama "Siti Aminah" \
  --alamat "Jl. Pandanaran 12, Sekayu" --telepon 081234567890 \
  --syarat pengantar-desa --syarat ktp --syarat denah --isian panjang_m=12.5 --isian lebar_m=4 --petugas "Sari (loket)")
echo "$out"
izin=$(echo "$out" | number)

step "Berkas yang belum lengkap ditolak di loket, tanpa mengubah apa pun"
run permohonan create --layanan IZIN-JALAN --nik 3374014505900001 --nama "Siti Aminah" \
  --syarat ktp --petugas "Sari (loket)" || echo "(keluar dengan kode $?)"

step "Berkas berjalan dari meja ke meja"
run permohonan advance "$izin" --tahap verifikasi --petugas "Budi (verifikasi)" >/dev/null
run permohonan advance "$izin" --tahap cek-lapangan --petugas "Joko (teknis)" --catatan "Ruas jalan sesuai denah" >/dev/null
run permohonan advance "$izin" --tahap operator --petugas "Dewi (operator)" >/dev/null
echo "Langkah yang salah urutannya ditolak dengan petunjuk langkah yang boleh:"
run permohonan advance "$izin" --tahap pengesahan-camat --petugas "Pak Camat" || echo "(keluar dengan kode $?)"
run permohonan advance "$izin" --tahap validasi-kasi --petugas "Hadi (Kasi Pelayanan)" >/dev/null
run permohonan advance "$izin" --tahap validasi-sekcam --petugas "Rahmat (Sekcam)" >/dev/null
run permohonan advance "$izin" --tahap pengesahan-camat --petugas "Drs. Wibowo (Camat)"

step "Penyerahan: dokumen tidak diserahkan sebelum retribusi lunas"
run permohonan advance "$izin" --tahap penyerahan --petugas "Ani (penyerahan)" || echo "(keluar dengan kode $?)"
run kasir pay "$izin" --jumlah 25.000 --petugas "Rina (kasir)"
run permohonan advance "$izin" --tahap penyerahan --petugas "Ani (penyerahan)"

step "Loket: Pak Ahmad mengajukan PBG rumah kecil; kewenangan PTSP, maka berkas diteruskan"
out=$(run permohonan create --layanan PBG-KECIL --nik 3374010101850003 --nama "Ahmad Fauzi" \
  --syarat ktp --syarat persetujuan-tetangga --syarat bukti-tanah --syarat sppt-pbb --syarat gambar \
  --syarat pengantar-desa --petugas "Sari (loket)")
echo "$out"
pbg=$(echo "$out" | number)
run permohonan advance "$pbg" --petugas "Budi (verifikasi)" || echo "(keluar dengan kode $?)"
run permohonan forward "$pbg" --petugas "Sari (loket)" --catatan "Berkas lengkap, dikirim ke DPMPTSP"

step "Daftar permohonan dan laporan kasir"
run permohonan list
run kasir laporan

step "Riwayat lengkap"
run permohonan log "$izin"
run permohonan log "$pbg"

step "Pemeriksaan: keutuhan file dan keadaan = lipatan log"
run admin check
