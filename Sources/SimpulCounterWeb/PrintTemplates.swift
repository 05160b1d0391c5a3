/// Printed papers, outside the page frame: the style sheet of the chosen paper sets `@page`.
enum PrintTemplates {
    static let all: [String: String] = [
        "tandaterima": tandaTerima, "kuitansi": kuitansi, "verifikasi": verifikasi, "papan": papan,
        "tiket": tiket, "layar": layar, "laporan": laporan, "survei": survei, "survei-selesai": surveiSelesai,
    ]

    /// The survey on the counter's tablet: nothing of the office's staff or of the file, large answers to
    /// touch, one question per row.
    static let survei = """
        <!doctype html>
        <html lang="id">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Survei Kepuasan Masyarakat</title><link rel="icon" href="data:,">
        <link rel="stylesheet" href="/aset/survei.css"></head>
        <body>
        <main class="survey">
        <h1>Survei Kepuasan Masyarakat</h1>
        <p class="lead">{{#paper}}Salin jawaban dari formulir kertas.{{/paper}}{{^paper}}Bagaimana pelayanan kami hari ini? Pilih satu jawaban untuk setiap pertanyaan. Survei ini tanpa nama: jawaban Anda tidak dikaitkan dengan nama, NIK, nomor berkas atau petugas.{{/paper}}</p>
        {{#problem}}<p class="problem" role="alert">{{problem}}</p>{{/problem}}
        <form method="post" action="/skm/{{number}}">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="saluran" value="{{channel}}">
        {{#questions}}
        <fieldset class="question">
          <legend><span class="code">{{code}}</span> {{label}}<span class="ask">{{question}}</span></legend>
          <div class="choices">{{#answers}}<label class="choice"><input type="radio" name="{{name}}" value="{{value}}" required{{#checked}} checked{{/checked}}><span><b>{{value}}</b> {{label}}</span></label>{{/answers}}</div>
        </fieldset>
        {{/questions}}
        <p class="send"><button type="submit">Kirim penilaian</button></p>
        </form>
        </main>
        </body>
        </html>
        """

    /// After the survey: thanks, and nothing of what was answered.
    static let surveiSelesai = """
        <!doctype html>
        <html lang="id">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Terima kasih</title><link rel="icon" href="data:,">
        <link rel="stylesheet" href="/aset/survei.css"></head>
        <body>
        <main class="survey thanks">
        <h1>Terima kasih</h1>
        <p class="lead">{{#paper}}Survei dari formulir kertas sudah tercatat.{{/paper}}{{^paper}}Penilaian Anda sudah kami terima dan membantu {{office}} memperbaiki pelayanan. Silakan kembalikan tablet kepada petugas.{{/paper}}</p>
        <p class="send"><a class="button" href="/">Selesai</a></p>
        </main>
        </body>
        </html>
        """

    /// The monthly report on A4 landscape: a table the Camat signs and files.
    static let laporan = """
        <!doctype html>
        <html lang="id">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Laporan bulanan {{monthISO}} - {{office}}</title><link rel="icon" href="data:,">
        <link rel="stylesheet" href="/aset/laporan.css"><script src="/aset/simpul.js" defer></script></head>
        <body>
        <div class="toolbar"><button type="button" data-print>Cetak</button> <a href="{{previous}}">&larr; Bulan sebelumnya</a> <a href="{{next}}">Bulan berikutnya &rarr;</a> <a href="{{csv}}" download>Unduh CSV</a> <a href="/">Kembali ke antrean</a></div>
        <main class="paper report">
        <div class="letterhead"><div class="office">{{office}}</div><div>Pelayanan Administrasi Terpadu Kecamatan (PATEN)</div></div>
        <h1>LAPORAN BULANAN PELAYANAN {{month}}</h1>
        {{^hasRows}}<p>Tidak ada kegiatan pelayanan pada bulan ini.</p>{{/hasRows}}
        {{#hasRows}}
        <table>
          <thead><tr><th scope="col">Layanan</th><th scope="col">Diterima</th><th scope="col">Selesai</th><th scope="col">Tepat waktu</th><th scope="col">Ditarik</th><th scope="col">Ditolak</th><th scope="col">Diteruskan</th><th scope="col">Keputusan penerima (setuju / tolak)</th><th scope="col">Retribusi</th><th scope="col">IKM (mutu)</th></tr></thead>
          <tbody>{{#rows}}<tr><td>{{layanan}}</td><td>{{received}}</td><td>{{finished}}</td><td>{{onTime}}</td><td>{{withdrawn}}</td><td>{{rejected}}</td><td>{{forwarded}}</td><td>{{decided}}</td><td>{{fees}}</td><td>{{ikm}}</td></tr>{{/rows}}</tbody>
          <tfoot>{{#total}}<tr><th scope="row">Jumlah</th><td>{{received}}</td><td>{{finished}}</td><td>{{onTime}}</td><td>{{withdrawn}}</td><td>{{rejected}}</td><td>{{forwarded}}</td><td>{{decided}}</td><td>{{fees}}</td><td>{{ikm}}</td></tr>{{/total}}</tfoot>
        </table>
        {{/hasRows}}
        <h2>Kepuasan masyarakat, setoran dan pengaduan</h2>
        <table class="summary">
          <tbody><tr><th scope="row">Indeks Kepuasan Masyarakat (Permenpan-RB 14/2017)</th><td>{{ikmOverall}}</td></tr>
          {{#officeFacts}}<tr><th scope="row">{{label}}</th><td>{{value}}</td></tr>{{/officeFacts}}</tbody>
        </table>
        <p class="note">Dihitung dari catatan Simpul menurut tanggal kejadian di zona kantor. "Tepat waktu": diserahkan pada atau sebelum tanggal selesai paling lambat, di antara yang punya tenggat. IKM: rata-rata tertimbang sembilan unsur survei x 25, mutu A (88,31-100), B (76,61-88,30), C (65,00-76,60), D (25,00-64,99). Pengaduan terbuka dan terlambat dihitung pada akhir bulan (hari ini untuk bulan berjalan). Dicetak {{printed}}.</p>
        <div class="sign"><div>Camat {{office}}</div><div class="space"></div><div>(........................................)</div></div>
        </main>
        </body>
        </html>
        """

    /// A queue ticket on a 58 mm roll: the number as large as the roll allows.
    static let tiket = """
        <!doctype html>
        <html lang="id">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Nomor antrian {{code}}</title><link rel="icon" href="data:,">
        <link rel="stylesheet" href="/aset/tiket-58.css"><script src="/aset/simpul.js" defer></script></head>
        <body>
        <div class="toolbar"><button type="button" data-print autofocus>Cetak</button> <a href="/antrian">Kembali ke antrian</a></div>
        <main class="paper ticket">
        <div class="letterhead"><div class="office">{{office}}</div><div>PATEN</div></div>
        <p class="label">NOMOR ANTRIAN</p>
        <p class="number">{{code}}</p>
        <p class="group">{{group}}</p>
        <p>{{taken}}</p>
        <p>{{ahead}}</p>
        <p class="note">Simpan tiket ini. Nomor Anda dipanggil di layar dan disebut meja tujuannya.</p>
        </main>
        </body>
        </html>
        """

    /// The call screen for the waiting room's TV.
    static let layar = """
        <!doctype html>
        <html lang="id">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Layar antrian - {{office}}</title><link rel="icon" href="data:,">
        <link rel="stylesheet" href="/aset/layar.css"><script src="/aset/simpul.js" defer></script></head>
        <body data-screen="/antrian/layar.json">
        <header><h1>{{office}}</h1><p>Pelayanan Administrasi Terpadu Kecamatan</p></header>
        <main>
          <section class="now" aria-live="assertive">
            <p class="label">Nomor dipanggil</p>
            <p class="number" id="now-code">{{#current}}{{code}}{{/current}}{{^current}}-{{/current}}</p>
            <p class="desk" id="now-desk">{{#current}}ke {{desk}}{{/current}}{{^current}}Belum ada panggilan{{/current}}</p>
          </section>
          <section class="recent"><h2>Sebelumnya</h2><ol id="recent">{{#recent}}<li><strong>{{code}}</strong> {{desk}} <span>{{at}}</span></li>{{/recent}}</ol></section>
        </main>
        <footer id="waiting">{{waiting}}</footer>
        </body>
        </html>
        """

    static let papan = """
        <!doctype html>
        <html lang="id">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Papan informasi - {{office}}</title><link rel="icon" href="data:,">
        <link rel="stylesheet" href="/aset/{{sheet}}"><script src="/aset/simpul.js" defer></script></head>
        <body>
        <div class="toolbar"><button type="button" data-print>Cetak</button> <a href="/papan?kertas=a4">A4</a> <a href="/papan?kertas=a3">A3</a></div>
        <header><h1>Standar Pelayanan PATEN {{office}}</h1><p>Katalog layanan versi {{version}}. Semua layanan melalui satu loket; waktu dihitung dalam hari kerja sejak berkas diterima lengkap.</p></header>
        <main class="services">
        {{#services}}
          <section class="service">
            <h2>{{name}}</h2>
            <dl>
              <dt>Jenis</dt><dd>{{kind}}</dd>
              <dt>Persyaratan</dt><dd><ul>{{#requirements}}<li>{{.}}</li>{{/requirements}}</ul></dd>
              <dt>Waktu</dt><dd>{{duration}}</dd>
              <dt>Biaya</dt><dd>{{fee}}</dd>
              <dt>Alur</dt><dd><ol class="flow">{{#flow}}<li>{{.}}</li>{{/flow}}</ol></dd>
            </dl>
          </section>
        {{/services}}
        </main>
        <footer><strong>Pengaduan:</strong> {{complaint}}</footer>
        </body>
        </html>
        """

    static let head = """
        <!doctype html>
        <html lang="id">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}}</title><link rel="icon" href="data:,">
        <link rel="stylesheet" href="/aset/{{sheet}}"><script src="/aset/simpul.js" defer></script></head>
        <body>
        <div class="toolbar"><button type="button" data-print>Cetak</button> <a href="/permohonan/{{number}}">Kembali ke berkas</a></div>
        <main class="paper">
        <div class="letterhead"><div class="office">{{office}}</div><div>Pelayanan Administrasi Terpadu Kecamatan (PATEN)</div></div>
        """

    static let tail = """
        <div class="qr">{{{qr}}}<div><div class="code">{{code}}</div><div>Periksa keaslian di loket mana pun atau di PTSP (menu Cek kertas, atau <code>simpul verify</code>).</div></div></div>
        </main>
        </body>
        </html>
        """

    static let tandaTerima =
        head + """
            <h1>TANDA TERIMA PERMOHONAN</h1>
            {{#copy}}<p class="copy">{{copy}}</p>{{/copy}}
            <dl>
              <dt>Nomor pendaftaran</dt><dd>{{number}}</dd>
              <dt>Diterima</dt><dd>{{accepted}}</dd>
              <dt>Layanan</dt><dd>{{layanan}}</dd>
              <dt>Pemohon</dt><dd>{{nama}}</dd>
              <dt>NIK</dt><dd>{{nik}}</dd>
              {{#alamat}}<dt>Alamat</dt><dd>{{alamat}}</dd>{{/alamat}}
              <dt>Persyaratan diterima</dt><dd><ul>{{#syarat}}<li>{{.}}</li>{{/syarat}}</ul></dd>
              <dt>Retribusi</dt><dd>{{fee}}</dd>
              <dt>Selesai paling lambat</dt><dd>{{due}}</dd>
              <dt>Petugas loket</dt><dd>{{officer}}</dd>
            </dl>
            <p class="note">Simpan tanda terima ini dan bawa saat mengambil dokumen.</p>
            """ + tail

    static let kuitansi =
        head + """
            <h1>KUITANSI</h1>
            {{#copy}}<p class="copy">{{copy}}</p>{{/copy}}
            <dl>
              <dt>Nomor kuitansi</dt><dd>{{receipt}}</dd>
              <dt>Telah diterima dari</dt><dd>{{nama}}</dd>
              <dt>Uang sejumlah</dt><dd class="words">{{words}}</dd>
              <dt>Untuk pembayaran</dt><dd>Retribusi {{layanan}}, permohonan {{number}}</dd>
              <dt>Jumlah</dt><dd>{{amount}}</dd>
              <dt>Diterima</dt><dd>{{paidAt}}</dd>
              <dt>Kasir</dt><dd>{{officer}}</dd>
            </dl>
            """ + tail

    static let verifikasi = """
        <h1>Cek keaslian kertas</h1>
        <form class="card filters" method="get" action="/verifikasi">
          <div class="field"><label for="kode">Kode pada tanda terima atau kuitansi (dari pemindai QR atau diketik)</label><input id="kode" name="kode" type="text" autocomplete="off" value="{{kode}}" autofocus></div>
          <div class="field"><button type="submit">Periksa</button></div>
        </form>
        {{#result}}
        <div class="card">
          <p class="flash {{kind}}">{{verdict}}</p>
          {{#facts.0}}<dl class="facts">{{#facts}}<dt>{{key}}</dt><dd>{{value}}</dd>{{/facts}}</dl>{{/facts.0}}
          {{#number}}<p><a href="/permohonan/{{number}}">Buka berkas {{number}}</a></p>{{/number}}
        </div>
        {{/result}}
        """
}
